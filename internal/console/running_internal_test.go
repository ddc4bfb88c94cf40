package console

import (
	"testing"
	"time"

	"github.com/openswf/openswf/internal/engine"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/workflow"
)

// TestRunningPanelOverdue marks an activity whose deadline has passed,
// and only the timeouts that have.
func TestRunningPanelOverdue(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	started := now.Add(-90 * time.Second)
	w := &engine.RunningWork{Activities: []engine.OpenActivity{{
		ActivityID: "a", ScheduledAt: started, StartedAt: &started, LastHeartbeat: &started,
		Deadlines: []workflow.Deadline{
			{Type: swfapi.ActivityTaskTimeoutTypeHeartbeat, Timeout: 60, At: started.Add(time.Minute)},
			{Type: swfapi.ActivityTaskTimeoutTypeStartToClose, Timeout: 3600, At: started.Add(time.Hour)},
		},
	}, {ActivityID: "b", ScheduledAt: now, Deadlines: []workflow.Deadline{{Type: swfapi.ActivityTaskTimeoutTypeScheduleToStart, Timeout: 5, At: now.Add(5 * time.Second)}}}}}
	p := runningPanelOf("d", w, now, func(int64) string { return "" })
	a, b := p.Activities[0], p.Activities[1]
	if !a.Overdue || !a.Deadlines[0].Overdue || a.Deadlines[0].Left != "overdue by 30s" || a.Deadlines[1].Overdue || a.Deadlines[1].Left != "58m 30s left" {
		t.Errorf("the overdue activity: %+v", a)
	}
	if b.Overdue || b.Deadlines[0].Left != "5s left" || b.Started.Rel != "" || a.Heartbeat.Rel != "1m 30s ago" {
		t.Errorf("the other: %+v / %+v", b, a.Heartbeat)
	}
}

func TestAge(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", 45 * time.Second: "45s", 200 * time.Second: "3m 20s", 3 * time.Hour: "3h", 2*time.Hour + 5*time.Minute + 9*time.Second: "2h 5m",
		76 * time.Hour: "3d 4h", -time.Second: "0s", 90 * time.Minute: "1h 30m",
	} {
		if got := age(d); got != want {
			t.Errorf("age(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/console/domains/x?a=b": "/console/domains/x?a=b", "": "/console/", "https://evil.example/console/": "/console/",
		"//evil.example/console/": "/console/", "/other": "/console/", `/console/\evil`: "/console/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}
