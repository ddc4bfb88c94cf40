package workflow

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/swfapi"
)

// hist builds a history from attributes, one second apart.
func hist(attrs ...any) []swfapi.HistoryEvent {
	events := make([]swfapi.HistoryEvent, len(attrs))
	for i, a := range attrs {
		events[i] = swfapi.HistoryEvent{EventId: swfapi.Ptr(int64(i + 1)), EventTimestamp: swfapi.At(t0.Add(time.Duration(i) * time.Second))}
		events[i].SetAttributes(a)
	}
	return events
}

func startedAttrs() *swfapi.WorkflowExecutionStartedEventAttributes {
	return &swfapi.WorkflowExecutionStartedEventAttributes{
		WorkflowType: &swfapi.WorkflowType{Name: swfapi.Ptr("t"), Version: swfapi.Ptr("1")},
		TaskList:     &swfapi.TaskList{Name: swfapi.Ptr("deciders")}, ChildPolicy: swfapi.ChildPolicyTerminate.Ptr(),
		ExecutionStartToCloseTimeout: swfapi.Ptr("3600"), TaskStartToCloseTimeout: swfapi.Ptr("30"),
	}
}

func i64(n int64) *int64 { return &n }

// decided is a history up to a first decision (DecisionTaskCompleted is
// event 4).
func decided() []any {
	return []any{
		startedAttrs(),
		&swfapi.DecisionTaskScheduledEventAttributes{TaskList: &swfapi.TaskList{Name: swfapi.Ptr("deciders")}},
		&swfapi.DecisionTaskStartedEventAttributes{ScheduledEventId: i64(2)},
		&swfapi.DecisionTaskCompletedEventAttributes{ScheduledEventId: i64(2), StartedEventId: i64(3), ExecutionContext: swfapi.Ptr("ctx1")},
	}
}

func scheduled(id string) *swfapi.ActivityTaskScheduledEventAttributes {
	return &swfapi.ActivityTaskScheduledEventAttributes{ActivityId: swfapi.Ptr(id), ActivityType: &swfapi.ActivityType{Name: swfapi.Ptr("a"), Version: swfapi.Ptr("1")},
		TaskList: &swfapi.TaskList{Name: swfapi.Ptr("w")}, DecisionTaskCompletedEventId: i64(4)}
}

func TestCheckHistoryAcceptsConsistent(t *testing.T) {
	events := hist(append(decided(),
		scheduled("a1"),
		&swfapi.ActivityTaskStartedEventAttributes{ScheduledEventId: i64(5)},
		&swfapi.ActivityTaskCompletedEventAttributes{ScheduledEventId: i64(5), StartedEventId: i64(6)},
		&swfapi.ActivityTaskTimedOutEventAttributes{ScheduledEventId: i64(5), StartedEventId: i64(0), TimeoutType: swfapi.ActivityTaskTimeoutTypeScheduleToStart.Ptr()},
		&swfapi.WorkflowExecutionCompletedEventAttributes{DecisionTaskCompletedEventId: i64(4)},
	)...)
	if err := CheckHistory(events); err != nil {
		t.Fatal(err)
	}
}

func TestCheckHistoryRefuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		events func() []swfapi.HistoryEvent
		id     int64
		want   string
	}{
		{"empty", func() []swfapi.HistoryEvent { return nil }, 1, "no events"},
		{"gap in ids", func() []swfapi.HistoryEvent {
			h := hist(decided()...)
			h[2].EventId = i64(4)
			return h
		}, 3, "expected eventId 3"},
		{"not started first", func() []swfapi.HistoryEvent { return hist(decided()[1:]...) }, 1, "begins with WorkflowExecutionStarted"},
		{"started twice", func() []swfapi.HistoryEvent { return hist(append(decided(), startedAttrs())...) }, 5, "begins with WorkflowExecutionStarted"},
		{"time goes back", func() []swfapi.HistoryEvent {
			h := hist(decided()...)
			h[3].EventTimestamp = swfapi.At(t0.Add(-time.Second))
			return h
		}, 4, "before that of event 3"},
		{"reference to a later event", func() []swfapi.HistoryEvent {
			return hist(append(decided(), &swfapi.ActivityTaskStartedEventAttributes{ScheduledEventId: i64(9)})...)
		}, 5, "scheduledEventId 9 does not name an earlier event"},
		{"reference to the wrong type", func() []swfapi.HistoryEvent {
			return hist(append(decided(), &swfapi.ActivityTaskStartedEventAttributes{ScheduledEventId: i64(2)})...)
		}, 5, "names a DecisionTaskScheduled event, not ActivityTaskScheduled"},
		{"missing reference", func() []swfapi.HistoryEvent {
			return hist(append(decided(), &swfapi.MarkerRecordedEventAttributes{MarkerName: swfapi.Ptr("m")})...)
		}, 5, "has no decisionTaskCompletedEventId"},
		{"completed activity never started", func() []swfapi.HistoryEvent {
			return hist(append(decided(), scheduled("a"), &swfapi.ActivityTaskCompletedEventAttributes{ScheduledEventId: i64(5), StartedEventId: i64(0)})...)
		}, 6, "startedEventId 0"},
		{"events after the close", func() []swfapi.HistoryEvent {
			return hist(append(decided(), &swfapi.WorkflowExecutionCompletedEventAttributes{DecisionTaskCompletedEventId: i64(4)}, scheduled("a"))...)
		}, 5, "closes the run but events follow"},
		{"attributes of another type", func() []swfapi.HistoryEvent {
			h := hist(decided()...)
			h[1].EventType = swfapi.EventTypeTimerFired.Ptr()
			return h
		}, 2, "has no timerFiredEventAttributes"},
		{"two attribute members", func() []swfapi.HistoryEvent {
			h := hist(decided()...)
			h[1].TimerFiredEventAttributes = &swfapi.TimerFiredEventAttributes{}
			return h
		}, 2, "carries 2 attribute members"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckHistory(tc.events())
			var h *HistoryError
			if !errors.As(err, &h) || h.EventID != tc.id || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("CheckHistory = %v, want event %d: …%s…", err, tc.id, tc.want)
			}
		})
	}
}

// resetHistory: decision 4 schedules a1 and a2 and starts timer t1; a1
// starts; a signal comes; decision 11 starts timer t2 and a child.
func resetHistory() []swfapi.HistoryEvent {
	return hist(append(decided(),
		scheduled("a1"), // 5
		scheduled("a2"), // 6
		&swfapi.TimerStartedEventAttributes{TimerId: swfapi.Ptr("t1"), StartToFireTimeout: swfapi.Ptr("100"), DecisionTaskCompletedEventId: i64(4)}, // 7
		&swfapi.ActivityTaskStartedEventAttributes{ScheduledEventId: i64(5)},                                                                        // 8
		&swfapi.WorkflowExecutionSignaledEventAttributes{SignalName: swfapi.Ptr("s")},                                                               // 9
		&swfapi.DecisionTaskScheduledEventAttributes{TaskList: &swfapi.TaskList{Name: swfapi.Ptr("deciders")}},                                      // 10
		&swfapi.DecisionTaskStartedEventAttributes{ScheduledEventId: i64(10)},                                                                       // 11
		&swfapi.DecisionTaskCompletedEventAttributes{ScheduledEventId: i64(10), StartedEventId: i64(11),
			TaskList: &swfapi.TaskList{Name: swfapi.Ptr("moved")}}, // 12
		&swfapi.StartChildWorkflowExecutionInitiatedEventAttributes{WorkflowId: swfapi.Ptr("kid"), DecisionTaskCompletedEventId: i64(12)}, // 13
		&swfapi.ActivityTaskCompletedEventAttributes{ScheduledEventId: i64(5), StartedEventId: i64(8)},                                    // 14
		&swfapi.DecisionTaskScheduledEventAttributes{TaskList: &swfapi.TaskList{Name: swfapi.Ptr("moved")}},                               // 15
		&swfapi.DecisionTaskStartedEventAttributes{ScheduledEventId: i64(15)},                                                             // 16
		&swfapi.DecisionTaskCompletedEventAttributes{ScheduledEventId: i64(15), StartedEventId: i64(16)},                                  // 17
	)...)
}

func TestPointOf(t *testing.T) {
	h := resetHistory()
	if err := CheckHistory(h); err != nil {
		t.Fatal(err)
	}
	p, err := PointOf(h, 12)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Events) != 12 || p.DecisionStartedEventID != 11 || p.TaskList != "moved" || swfapi.Deref(p.ExecutionContext) != "ctx1" {
		t.Errorf("point: %d events, started %d, list %q, context %v", len(p.Events), p.DecisionStartedEventID, p.TaskList, p.ExecutionContext)
	}
	if len(p.Activities) != 2 || p.Activities[5] != 8 || p.Activities[6] != 0 {
		t.Errorf("open activities %v, want a1 (5) started at 8 and a2 (6) not started", p.Activities)
	}
	if tm := p.Timers["t1"]; len(p.Timers) != 1 || tm.StartedEventID != 7 || !tm.Due.Equal(t0.Add(6*time.Second+100*time.Second)) {
		t.Errorf("open timers %+v", p.Timers)
	}
	// At 17 the child initiated at 13 is under way.
	if _, err := PointOf(h, 17); err == nil || !strings.Contains(err.Error(), "child workflow execution of event 13") {
		t.Errorf("PointOf(17) = %v, want the child refused", err)
	}
	for _, bad := range []int64{0, 9, 18} {
		if _, err := PointOf(h, bad); err == nil {
			t.Errorf("PointOf(%d) succeeded", bad)
		}
	}
}

func TestStartFromReset(t *testing.T) {
	h := resetHistory()
	p, err := PointOf(h, 12)
	if err != nil {
		t.Fatal(err)
	}
	now := t0.Add(time.Hour)
	exec := &Execution{WorkflowID: "w", RunID: "new", Config: ConfigOf(p.Started)}
	m := New(exec, nil, now, Options{})
	m.StartFromReset(p, ResetSource{WorkflowID: "w", RunID: "old", EventID: 12})
	eff := m.Effects()
	var types []string
	for _, ev := range eff.Events {
		types = append(types, string(*ev.EventType))
	}
	got := strings.Join(types[12:], ",")
	if want := "MarkerRecorded,ActivityTaskFailed,ActivityTaskFailed,DecisionTaskScheduled"; got != want {
		t.Fatalf("events after the copy: %s, want %s", got, want)
	}
	if err := CheckHistory(eff.Events); err != nil {
		t.Fatalf("the new history is not consistent: %v", err)
	}
	marker := eff.Events[12].MarkerRecordedEventAttributes
	var src ResetSource
	if err := json.Unmarshal([]byte(*marker.Details), &src); err != nil || *marker.MarkerName != ResetMarker || src != (ResetSource{"w", "old", 12}) || *marker.DecisionTaskCompletedEventId != 12 {
		t.Errorf("marker %s %s", *marker.MarkerName, *marker.Details)
	}
	f1, f2 := eff.Events[13].ActivityTaskFailedEventAttributes, eff.Events[14].ActivityTaskFailedEventAttributes
	if *f1.ScheduledEventId != 5 || *f1.StartedEventId != 8 || *f2.ScheduledEventId != 6 || *f2.StartedEventId != 0 || *f1.Reason != ResetReason {
		t.Errorf("activity failures %+v %+v", f1, f2)
	}
	if exec.Decision.State != DecisionScheduled || exec.Decision.TaskList != "moved" || exec.PreviousStartedEventID != 11 || exec.NextEventID != 17 {
		t.Errorf("decision %+v, previous started %d, next id %d", exec.Decision, exec.PreviousStartedEventID, exec.NextEventID)
	}
	if len(eff.AddTasks) != 1 || eff.AddTasks[0].TaskList != "moved" {
		t.Errorf("tasks %+v", eff.AddTasks)
	}
	// The timer started at 7 had 100 s: it is long overdue, so it fires at
	// once; the run's own timeout starts again.
	var timerDue, runDue time.Time
	for _, tm := range eff.AddTimers {
		switch tm.Kind {
		case TimerUser:
			timerDue = tm.Due
		case TimerExecutionTimeout:
			runDue = tm.Due
		}
	}
	if !timerDue.Equal(now) || !runDue.Equal(now.Add(time.Hour)) || exec.Timers["t1"].StartedEventID != 7 {
		t.Errorf("timer due %v, run due %v, timers %+v", timerDue, runDue, exec.Timers)
	}
}

// A reset given a time before the end of the copied history (a server
// whose clock is behind the one that recorded it) goes on from that end:
// the new history does not go back in time.
func TestStartFromResetBeforeItsHistory(t *testing.T) {
	p, err := PointOf(resetHistory(), 12)
	if err != nil {
		t.Fatal(err)
	}
	end := p.Events[len(p.Events)-1].EventTimestamp.Time
	exec := &Execution{WorkflowID: "w", RunID: "new", Config: ConfigOf(p.Started)}
	m := New(exec, nil, end.Add(-time.Minute), Options{})
	m.StartFromReset(p, ResetSource{WorkflowID: "w", RunID: "old", EventID: 12})
	eff := m.Effects()
	if err := CheckHistory(eff.Events); err != nil {
		t.Fatalf("the new history is not consistent: %v", err)
	}
	if at := eff.Events[12].EventTimestamp.Time; !at.Equal(end) || !exec.StartedAt.Equal(end) || !exec.LastEventAt.Equal(end) {
		t.Fatalf("marker at %v, run started %v, last event %v; want %v", at, exec.StartedAt, exec.LastEventAt, end)
	}
}
