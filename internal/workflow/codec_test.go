package workflow

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
)

// codecRuns are runs in the states the codec must keep: just started,
// busy with every kind of open work, and closed each way.
func codecRuns() map[string]*Execution {
	busy := newRun()
	busy.Open, busy.StartedAt, busy.Tags, busy.CancelRequested = true, t0, []string{"a", "b"}, true
	busy.Parent = &Parent{WorkflowID: "p", RunID: "pr", InitiatedEventID: 5}
	busy.Config.LambdaRole = swfapi.Ptr("role")
	busy.Override = &TaskListOverride{TaskList: "other", ScheduleToStart: 20}
	busy.NextEventID = 40
	busy.Decision = DecisionTask{State: DecisionStarted, ScheduledEventID: 30, StartedEventID: 31, TaskList: "other", OnOverride: true, Unhandled: true}
	busy.PreviousStartedEventID = 12
	busy.LatestExecutionContext = swfapi.Ptr("ctx")
	busy.LatestActivityTaskTimestamp = swfapi.Ptr(t0.Add(time.Minute))
	busy.LastEventAt = t0.Add(2 * time.Minute)
	busy.OpenActivities = swfapi.Ptr(2)
	busy.Timers = map[string]*UserTimer{"t1": {StartedEventID: 8, Control: swfapi.Ptr("c")}, "t2": {StartedEventID: 9}}
	busy.Children = map[int64]*Child{
		14: {WorkflowID: "c1", TypeName: "wf", TypeVersion: "1", RunID: "cr", StartedEventID: 16, Control: swfapi.Ptr("k"), DecisionTaskCompletedEventID: 13},
		15: {WorkflowID: "c2", TypeName: "wf", TypeVersion: "2", DecisionTaskCompletedEventID: 13},
	}
	busy.Lambdas = map[int64]*Lambda{20: {ID: "l", Name: "fn", Input: swfapi.Ptr("in"), StartToClose: 300, StartedEventID: 21}}

	started := newRun()
	started.Open, started.StartedAt, started.NextEventID = true, t0, 3
	started.Decision = DecisionTask{State: DecisionScheduled, ScheduledEventID: 2, TaskList: "deciders"}

	runs := map[string]*Execution{"started": started, "busy": busy}
	for _, status := range []swfapi.CloseStatus{swfapi.CloseStatusCompleted, swfapi.CloseStatusContinuedAsNew, swfapi.CloseStatusTerminated} {
		closed := newRun()
		closed.StartedAt, closed.ClosedAt, closed.CloseStatus, closed.NextEventID = t0, t0.Add(time.Hour), status, 9
		closed.Parent = &Parent{WorkflowID: "p", RunID: "pr"}
		runs["closed "+string(status)] = closed
	}
	return runs
}

// A run comes back from the store as it went in, and what the store
// queries is in its columns.
func TestExecutionCodec(t *testing.T) {
	for name, x := range codecRuns() {
		t.Run(name, func(t *testing.T) {
			row, err := EncodeExecution(x)
			if err != nil {
				t.Fatal(err)
			}
			if row.ID != x.ID || row.DomainID != x.DomainID || row.WorkflowID != x.WorkflowID || row.RunID != x.RunID ||
				row.TypeName != x.TypeName || row.TypeVersion != x.TypeVersion || row.Open != x.Open || !row.StartedAt.Equal(x.StartedAt) ||
				row.CancelRequested != x.CancelRequested || !reflect.DeepEqual(row.Tags, x.Tags) {
				t.Fatalf("columns %+v of %+v", row, x)
			}
			if x.Open != (row.CloseStatus == nil) || x.Open != (row.ClosedAt == nil) ||
				!x.Open && (*row.CloseStatus != string(x.CloseStatus) || !row.ClosedAt.Equal(x.ClosedAt)) {
				t.Fatalf("close columns %v %v of a run open %v, %s", row.CloseStatus, row.ClosedAt, x.Open, x.CloseStatus)
			}
			if (x.Parent == nil) != (row.ParentWorkflowID == nil) || x.Parent != nil && (*row.ParentWorkflowID != x.Parent.WorkflowID || *row.ParentRunID != x.Parent.RunID) {
				t.Fatalf("parent columns %v %v of %+v", row.ParentWorkflowID, row.ParentRunID, x.Parent)
			}
			y, err := DecodeExecution(row)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(x, y) {
				t.Fatalf("decoded\n%+v\nwant\n%+v", y, x)
			}
		})
	}
}

// What only the state keeps is not duplicated in columns, and what the
// columns keep is not in the state: a change to a column alone reads back.
func TestExecutionCodecColumnsWin(t *testing.T) {
	x := codecRuns()["busy"]
	row, err := EncodeExecution(x)
	if err != nil {
		t.Fatal(err)
	}
	var state map[string]json.RawMessage
	if err := json.Unmarshal(row.State, &state); err != nil {
		t.Fatal(err)
	}
	for k := range state {
		if !slices.Contains([]string{"parent", "config", "override", "nextEventId", "decision", "previousStartedEventId", "latestExecutionContext",
			"latestActivityTaskTimestamp", "lastEventAt", "openActivities", "timers", "children", "lambdas"}, k) {
			t.Fatalf("state %s keeps %s", row.State, k)
		}
	}
	row.ID, row.RunID, row.Open, row.CloseStatus = 99, "other", false, swfapi.Ptr(string(swfapi.CloseStatusCanceled))
	y, err := DecodeExecution(row)
	if err != nil {
		t.Fatal(err)
	}
	if y.ID != 99 || y.RunID != "other" || y.Open || y.CloseStatus != swfapi.CloseStatusCanceled {
		t.Fatalf("decoded %+v", y)
	}
}

// A state that is not the codec's is an error naming the run, not a run.
func TestExecutionCodecBadState(t *testing.T) {
	for _, state := range []string{"", "{", `{"nextEventId":"x"}`, `[]`} {
		_, err := DecodeExecution(&store.Execution{ID: 42, State: []byte(state)})
		if err == nil || !strings.Contains(err.Error(), "run 42") {
			t.Fatalf("state %q: %v", state, err)
		}
	}
	_, err := DecodeActivity(&store.Activity{ExecutionID: 42, ScheduledEventID: 5, Data: []byte("{")})
	if err == nil || !strings.Contains(err.Error(), "activity 5 of run 42") {
		t.Fatalf("activity: %v", err)
	}
}

// An open activity comes back from the store as it went in.
func TestActivityCodec(t *testing.T) {
	for name, a := range map[string]*Activity{
		"scheduled": {ScheduledEventID: 5, ActivityID: "a", TypeName: "act", TypeVersion: "1", TaskList: "workers", Priority: -3,
			ScheduleToStart: 40, ScheduleToClose: None, StartToClose: 50, Heartbeat: None, ScheduledAt: t0},
		"started, heartbeating, asked to cancel": {ScheduledEventID: 6, ActivityID: "b", StartedEventID: 9, CancelRequested: true,
			HeartbeatDetails: swfapi.Ptr("half"), LastHeartbeat: swfapi.Ptr(t0.Add(2 * time.Second)), TypeName: "act", TypeVersion: "2",
			Input: swfapi.Ptr("in"), TaskList: "w", ScheduleToStart: None, ScheduleToClose: 100, StartToClose: None, Heartbeat: 20,
			ScheduledAt: t0, StartedAt: t0.Add(time.Second), LatestCancelRequestedEventID: 11},
	} {
		t.Run(name, func(t *testing.T) {
			row, err := EncodeActivity(7, a)
			if err != nil {
				t.Fatal(err)
			}
			if row.ExecutionID != 7 || row.ScheduledEventID != a.ScheduledEventID || row.ActivityID != a.ActivityID || row.StartedEventID != a.StartedEventID ||
				row.CancelRequested != a.CancelRequested || row.HeartbeatDetails != a.HeartbeatDetails || row.LastHeartbeat != a.LastHeartbeat {
				t.Fatalf("columns %+v of %+v", row, a)
			}
			b, err := DecodeActivity(row)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("decoded\n%+v\nwant\n%+v", b, a)
			}
		})
	}
}

// Events are stored under their ids, as the API gives them, and read back.
func TestEventCodec(t *testing.T) {
	events := []swfapi.HistoryEvent{
		{EventId: swfapi.Ptr(int64(1)), EventTimestamp: swfapi.At(t0), EventType: swfapi.EventTypeWorkflowExecutionStarted.Ptr(),
			WorkflowExecutionStartedEventAttributes: &swfapi.WorkflowExecutionStartedEventAttributes{Input: swfapi.Ptr("in"), TagList: []string{"t"}}},
		{EventId: swfapi.Ptr(int64(2)), EventTimestamp: swfapi.At(t0.Add(time.Millisecond)), EventType: swfapi.EventTypeDecisionTaskScheduled.Ptr(),
			DecisionTaskScheduledEventAttributes: &swfapi.DecisionTaskScheduledEventAttributes{StartToCloseTimeout: swfapi.Ptr("30")}},
	}
	rows, err := EncodeEvents(events)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if r.ID != int64(i+1) || !strings.Contains(string(r.Data), `"eventId":`) || !strings.Contains(string(r.Data), `"eventTimestamp":`) {
			t.Fatalf("row %d: %d %s", i, r.ID, r.Data)
		}
		ev, err := DecodeEvent(r)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(ev, events[i]) {
			t.Fatalf("decoded %+v, want %+v", ev, events[i])
		}
	}
	if _, err := EncodeEvents([]swfapi.HistoryEvent{{EventType: swfapi.EventTypeTimerFired.Ptr()}}); err == nil {
		t.Fatal("an event without its id was encoded")
	}
	if _, err := DecodeEvent(store.Event{ID: 3, Data: []byte("{")}); err == nil || !strings.Contains(err.Error(), "event 3") {
		t.Fatalf("bad event: %v", err)
	}
}

// fuzzExecution builds a run from the fuzzer's input, every member of the
// state and the columns picked from it.
func fuzzExecution(b *bytes) *Execution {
	at := func() time.Time {
		return t0.Add(time.Duration(b.next())*time.Hour + time.Duration(b.next())*time.Millisecond)
	}
	str := func() string { return pick(b, "", "a", "run-é", `q"\`, "\u2028") }
	x := &Execution{
		ID: int64(b.next()), DomainID: int64(b.next()), WorkflowID: str(), RunID: str(), TypeName: str(), TypeVersion: str(),
		Open: b.next()%2 == 0, StartedAt: at(), CancelRequested: b.next()%2 == 0, Tags: pick(b, nil, []string{"x"}, []string{"a", "b"}),
		Config: Config{
			TaskList: str(), TaskPriority: pick(b, "0", "-5"), TaskStartToCloseTimeout: pick(b, "30", "NONE"),
			ExecutionStartToCloseTimeout: pick(b, "3600", "NONE"), ChildPolicy: pick(b, swfapi.ChildPolicyTerminate, swfapi.ChildPolicyAbandon),
			LambdaRole: pick(b, nil, swfapi.Ptr("role")),
		},
		NextEventID: int64(b.next()), PreviousStartedEventID: int64(b.next()),
		Decision: DecisionTask{State: DecisionState(b.next() % 3), ScheduledEventID: int64(b.next()), StartedEventID: int64(b.next()),
			TaskList: str(), OnOverride: b.next()%2 == 0, Unhandled: b.next()%2 == 0},
	}
	if !x.Open {
		x.CloseStatus = pick(b, swfapi.CloseStatusCompleted, swfapi.CloseStatusFailed, swfapi.CloseStatusTimedOut)
		x.ClosedAt = at()
	}
	if b.next()%2 == 0 {
		x.Parent = &Parent{WorkflowID: str(), RunID: str(), InitiatedEventID: int64(b.next())}
	}
	if b.next()%2 == 0 {
		x.Override = &TaskListOverride{TaskList: str(), ScheduleToStart: pick(b, None, 0, 20)}
	}
	if b.next()%2 == 0 {
		x.LatestExecutionContext, x.LatestActivityTaskTimestamp, x.OpenActivities = swfapi.Ptr(str()), swfapi.Ptr(at()), swfapi.Ptr(int(b.next()))
		x.LastEventAt = at()
	}
	for range b.next() % 3 {
		if x.Timers == nil {
			x.Timers = map[string]*UserTimer{}
		}
		x.Timers[str()] = &UserTimer{StartedEventID: int64(b.next()), Control: pick(b, nil, swfapi.Ptr("c"))}
	}
	for range b.next() % 3 {
		if x.Children == nil {
			x.Children = map[int64]*Child{}
		}
		x.Children[int64(b.next())] = &Child{WorkflowID: str(), TypeName: str(), TypeVersion: str(), RunID: str(), StartedEventID: int64(b.next()), DecisionTaskCompletedEventID: int64(b.next())}
	}
	for range b.next() % 3 {
		if x.Lambdas == nil {
			x.Lambdas = map[int64]*Lambda{}
		}
		x.Lambdas[int64(b.next())] = &Lambda{ID: str(), Name: str(), Input: pick(b, nil, swfapi.Ptr("in")), StartToClose: Timeout(b.next()), StartedEventID: int64(b.next())}
	}
	return x
}

// FuzzExecutionCodec: every run the fuzzer builds comes back from the
// codec as it went in; any bytes as a stored state are an error (never a
// panic) or decode to a run whose stored form is stable from then on.
func FuzzExecutionCodec(f *testing.F) {
	f.Add([]byte{}, []byte(`{}`))
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2}, []byte(`{"parent":{"workflowId":"p"},"timers":{"t":{}}}`))
	f.Fuzz(func(t *testing.T, build, state []byte) {
		x := fuzzExecution(&bytes{data: build})
		row, err := EncodeExecution(x)
		if err != nil {
			t.Fatal(err)
		}
		y, err := DecodeExecution(row)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(x, y) {
			t.Fatalf("decoded\n%+v\nwant\n%+v", y, x)
		}
		z, err := DecodeExecution(&store.Execution{ID: 1, RunID: "r", Open: true, StartedAt: t0, State: state})
		if err != nil {
			return
		}
		// Decoding may normalize (an empty map is no map); what it stores
		// then is stable.
		row, err = EncodeExecution(z)
		if err != nil {
			t.Fatal(err)
		}
		again, err := DecodeExecution(row)
		if err != nil {
			t.Fatalf("%s: stored as %s, which does not decode: %v", state, row.State, err)
		}
		row2, err := EncodeExecution(again)
		if err != nil || string(row2.State) != string(row.State) {
			t.Fatalf("%s: stored as %s, then as %s (%v)", state, row.State, row2.State, err)
		}
	})
}
