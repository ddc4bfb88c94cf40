package server

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/engine"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/workflow"
)

func TestDefaultsAreAmazonSWFs(t *testing.T) {
	t.Parallel()
	var c Config
	c.setDefaults()
	// Amazon SWF's published quotas: 100 domains per account, 10,000 types
	// of each kind per domain, 50 tags per domain, 100,000 open executions
	// per domain, 1,000 pollers per task list, 1,000 open activities per
	// execution (and as many timers, children and Lambda tasks), 25,000
	// history events, a year per run, 32,768 characters of data (2,048 of
	// heartbeat details), 90 days of retention; and its 60-second long poll.
	want := engine.Limits{
		Domains: 100, TypesPerDomain: 10000, DomainTags: 50, OpenExecutions: 100000, PollersPerTaskList: 1000, RetentionDays: 90,
		Run: workflow.Limits{
			OpenActivities: 1000, OpenTimers: 1000, OpenChildren: 1000, OpenLambdas: 1000,
			HistoryEvents: 25000, MaxExecutionSeconds: 365 * 24 * 3600,
		},
		Sizes: swfapi.SizeLimits{Data: 32768, LimitedData: 2048, FunctionInput: 32768},
	}
	if c.Limits != want {
		t.Errorf("default limits %+v", c.Limits)
	}
	if c.LongPollWait != 60*time.Second {
		t.Errorf("long-poll wait %v", c.LongPollWait)
	}
	if c.Listen != "127.0.0.1:7930" || c.Region != "us-east-1" || c.AccountID != "123456789012" {
		t.Errorf("defaults: listen %s, region %s, account %s", c.Listen, c.Region, c.AccountID)
	}
	if !strings.HasSuffix(c.Database, filepath.Join("openswf", "openswf.db")) {
		t.Errorf("default database %s", c.Database)
	}

	c = Config{Limits: engine.Limits{Domains: 7}}
	c.setDefaults()
	if c.Limits.Domains != 7 || c.Limits.TypesPerDomain != 10000 {
		t.Errorf("a set limit was overridden: %+v", c.Limits)
	}
}

func TestDefaultDatabasePathFollowsXDG(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/srv/data")
	if got := DefaultDatabasePath(); got != "/srv/data/openswf/openswf.db" {
		t.Errorf("DefaultDatabasePath() = %s", got)
	}
}

func TestDatabasePath(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"/var/lib/openswf.db":          "/var/lib/openswf.db",
		"rel/openswf.db":               "rel/openswf.db",
		"sqlite:///var/lib/openswf.db": "/var/lib/openswf.db",
		"sqlite:openswf.db":            "openswf.db",
		"file:/tmp/x.db":               "/tmp/x.db",
	} {
		if got, err := DatabasePath(in); err != nil || got != want {
			t.Errorf("DatabasePath(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := DatabasePath("postgres://localhost/test"); err == nil || !strings.Contains(err.Error(), "PostgreSQL") {
		t.Errorf("a PostgreSQL URL: %v", err)
	}
}

// Passwords never reach the logs: not in the user information of a URL,
// not as a query parameter.
func TestRedactURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"postgres://u:secret@db:5432/swf?sslmode=disable":           "postgres://u:xxxxx@db:5432/swf?sslmode=disable",
		"postgres://u@db/swf?password=secret&sslmode=require":       "postgres://u@db/swf?password=xxxxx&sslmode=require",
		"postgresql://db/swf?PASSWORD=secret&sslpassword=secret2":   "postgresql://db/swf?PASSWORD=xxxxx&sslpassword=xxxxx",
		"postgres://u:secret@db/swf?password=secret&schema=openswf": "postgres://u:xxxxx@db/swf?password=xxxxx&schema=openswf",
		"postgres://db/swf":             "postgres://db/swf",
		"postgres://u:se%zzcret@db/swf": "(a URL that does not parse)",
	} {
		got := RedactURL(in)
		if got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
		if strings.Contains(got, "secret") {
			t.Errorf("RedactURL(%q) leaks: %q", in, got)
		}
	}
}
