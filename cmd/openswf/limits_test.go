package main

import (
	"strings"
	"testing"

	"github.com/openswf/openswf/internal/engine"
)

func TestParseLimits(t *testing.T) {
	l, err := parseLimits("open-timers=5000, history-events=50000,data-size=65536")
	if err != nil {
		t.Fatal(err)
	}
	if l.Run.OpenTimers != 5000 || l.Run.HistoryEvents != 50000 || l.Sizes.Data != 65536 || l.Domains != 0 {
		t.Fatalf("parsed %+v", l)
	}
	for _, bad := range []string{"open-timers", "nope=3", "open-timers=-1", "open-timers=lots", "retention-days=36501"} {
		if _, err := parseLimits(bad); err == nil {
			t.Errorf("parseLimits(%q) accepted", bad)
		}
	}
	if l, err := parseLimits("retention-days=3650"); err != nil || l.RetentionDays != 3650 {
		t.Errorf("retention-days=3650: %+v %v", l, err)
	}
	if _, err := parseLimits("nope=1"); err == nil || !strings.Contains(err.Error(), "open-timers") {
		t.Errorf("the error does not list the names: %v", err)
	}
	// Every documented name sets something.
	for name, set := range limitFields {
		var zero, l = parseLimitsZero(), parseLimitsZero()
		set(&l, 7)
		if l == zero {
			t.Errorf("%s sets nothing", name)
		}
	}
}

func parseLimitsZero() (l engine.Limits) { return }
