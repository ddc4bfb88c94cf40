package console

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/openswf/openswf/internal/engine"
	"github.com/openswf/openswf/internal/swfapi"
)

// runningWorker is what the console needs of a service to show a run's
// running work; the engine has it.
type runningWorker interface {
	RunningWork(ctx context.Context, domain string, ex *swfapi.WorkflowExecution) (*engine.RunningWork, error)
}

// runningPanel is the running work of an execution as the page shows it.
type runningPanel struct {
	Activities []activityRow
	Decision   *decisionRow
	Timers     []timerRow
	Children   []childRow
	Lambdas    []lambdaRow
}

// Empty reports whether the run has nothing open.
func (p *runningPanel) Empty() bool {
	return len(p.Activities) == 0 && p.Decision == nil && len(p.Timers) == 0 && len(p.Children) == 0 && len(p.Lambdas) == 0
}

// when is a time shown relative to now, with the exact time on hover.
type when struct {
	Rel, Exact string
}

// eventRef links to an event of the history.
type eventRef struct {
	ID  int64
	URL string
}

// activityRow is an open activity task.
type activityRow struct {
	ActivityID, Type, TaskList, Identity string
	Scheduled, Started, Heartbeat        when
	Details                              payload
	HasHeartbeat, CancelRequested        bool
	Overdue                              bool
	Deadlines                            []deadlineRow
	Events                               []eventRef
}

// deadlineRow is one timeout of an activity and the time left before it.
type deadlineRow struct {
	Type, Timeout, Left, Exact string
	Overdue                    bool
}

// decisionRow is the open decision task.
type decisionRow struct {
	TaskList, State, Identity, Age string
	Scheduled, Started             when
	Events                         []eventRef
}

// timerRow is an open timer.
type timerRow struct {
	TimerID string
	Started when
	Fires   deadlineRow
	Control string
	Events  []eventRef
}

// childRow is an open child execution.
type childRow struct {
	WorkflowID, RunID, Type, URL string
	Events                       []eventRef
}

// lambdaRow is an open Lambda task.
type lambdaRow struct {
	ID, Name string
	Started  when
	Events   []eventRef
}

// runningPanelOf shows w as of now; eventURL links to an event.
func runningPanelOf(domain string, w *engine.RunningWork, now time.Time, eventURL func(int64) string) *runningPanel {
	refs := func(ids ...int64) []eventRef {
		var out []eventRef
		for _, id := range ids {
			if id != 0 {
				out = append(out, eventRef{ID: id, URL: eventURL(id)})
			}
		}
		return out
	}
	p := &runningPanel{}
	for _, a := range w.Activities {
		row := activityRow{ActivityID: a.ActivityID, Type: a.TypeName + " " + a.TypeVersion, TaskList: a.TaskList, Identity: a.Identity,
			Scheduled: whenOf(&a.ScheduledAt, now), Started: whenOf(a.StartedAt, now), Heartbeat: whenOf(a.LastHeartbeat, now),
			HasHeartbeat: a.LastHeartbeat != nil, CancelRequested: a.CancelRequested,
			Details: payloadOf(swfapi.Deref(a.HeartbeatDetails)), Events: refs(a.ScheduledEventID, a.StartedEventID)}
		for _, d := range a.Deadlines {
			dr := deadlineOf(d.At, now)
			dr.Type, dr.Timeout = string(d.Type), d.Timeout.String()+" s"
			row.Overdue = row.Overdue || dr.Overdue
			row.Deadlines = append(row.Deadlines, dr)
		}
		p.Activities = append(p.Activities, row)
	}
	if d := w.Decision; d != nil {
		row := &decisionRow{TaskList: d.TaskList, State: "scheduled", Identity: d.Identity, Scheduled: whenOf(&d.ScheduledAt, now),
			Started: whenOf(d.StartedAt, now), Age: age(now.Sub(d.ScheduledAt)), Events: refs(d.ScheduledEventID, d.StartedEventID)}
		if d.StartedAt != nil {
			row.State = "started"
		}
		p.Decision = row
	}
	for _, t := range w.Timers {
		p.Timers = append(p.Timers, timerRow{TimerID: t.TimerID, Started: whenOf(&t.StartedAt, now), Fires: deadlineOf(t.FiresAt, now),
			Control: swfapi.Deref(t.Control), Events: refs(t.StartedEventID)})
	}
	for _, c := range w.Children {
		row := childRow{WorkflowID: c.WorkflowID, RunID: c.RunID, Type: c.TypeName + " " + c.TypeVersion, Events: refs(c.InitiatedEventID, c.StartedEventID)}
		if c.RunID != "" {
			row.URL = executionURL(domain, c.WorkflowID, c.RunID)
		}
		p.Children = append(p.Children, row)
	}
	for _, l := range w.Lambdas {
		p.Lambdas = append(p.Lambdas, lambdaRow{ID: l.ID, Name: l.Name, Started: whenOf(l.StartedAt, now), Events: refs(l.ScheduledEventID, l.StartedEventID)})
	}
	return p
}

// whenOf shows t relative to now ("3m 20s ago"); nil shows as nothing.
func whenOf(t *time.Time, now time.Time) when {
	if t == nil || t.IsZero() {
		return when{}
	}
	d := now.Sub(*t)
	exact := t.UTC().Format("2006-01-02T15:04:05.000Z07:00")
	if d < 0 {
		return when{Rel: "in " + age(-d), Exact: exact}
	}
	return when{Rel: age(d) + " ago", Exact: exact}
}

// deadlineOf is the time left before at, or how long it is overdue.
func deadlineOf(at, now time.Time) deadlineRow {
	if at.IsZero() {
		return deadlineRow{}
	}
	r := deadlineRow{Exact: at.UTC().Format("2006-01-02T15:04:05.000Z07:00")}
	if left := at.Sub(now); left > 0 {
		r.Left = age(left) + " left"
	} else {
		r.Left, r.Overdue = "overdue by "+age(-left), true
	}
	return r
}

// age shows a duration in its two largest units: 45s, 3m 20s, 2h 5m,
// 3d 4h.
func age(d time.Duration) string {
	s := int64(d / time.Second)
	if s < 0 {
		s = 0
	}
	units := []struct {
		n    int64
		name string
	}{{86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}}
	var parts []string
	for _, u := range units {
		if s >= u.n || (len(parts) == 0 && u.n == 1) {
			parts = append(parts, strconv.FormatInt(s/u.n, 10)+u.name)
			s %= u.n
		}
		if len(parts) == 2 || (len(parts) == 1 && s == 0) {
			break
		}
	}
	return strings.Join(parts, " ")
}

// eventAnchor is the fragment of an event's row on a history page.
func eventAnchor(id int64) string { return fmt.Sprintf("event-%d", id) }
