package server_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/swftest"
)

// Tests of every timeout (SWF-API.md §7) and of timers across restarts.
// Time only moves through the fake clock: f.advance moves it and fires,
// before it returns, every durable timer that fell due.

// tmAt is the fake time sec seconds after the test server's start.
func tmAt(sec int) time.Time { return swftest.Epoch.Add(time.Duration(sec) * time.Second) }

// tmHistory returns a run's history after checking that its events are
// numbered 1, 2, 3… with timestamps that never go back, and that their
// types are want, in order.
func (f *fixture) tmHistory(ex *types.WorkflowExecution, want ...string) []types.HistoryEvent {
	f.t.Helper()
	h := f.history(ex)
	if got := eventTypes(h); !slices.Equal(got, want) {
		f.t.Fatalf("history:\n got %v\nwant %v", got, want)
	}
	var last time.Time
	for i, e := range h {
		if e.EventId != int64(i+1) {
			f.t.Fatalf("event %d (%s) has id %d", i+1, e.EventType, e.EventId)
		}
		ts := aws.ToTime(e.EventTimestamp)
		if ts.Before(last) {
			f.t.Fatalf("event %d (%s) at %v comes before the previous event at %v", e.EventId, e.EventType, ts, last)
		}
		last = ts
	}
	return h
}

// tmEventAt asserts that event id (1-based) of h has the type and the
// timestamp given, and returns it.
func (f *fixture) tmEventAt(h []types.HistoryEvent, id int, typ types.EventType, when time.Time) types.HistoryEvent {
	f.t.Helper()
	if id < 1 || id > len(h) {
		f.t.Fatalf("no event %d in a history of %d events", id, len(h))
	}
	e := h[id-1]
	if e.EventType != typ {
		f.t.Fatalf("event %d is %s, want %s", id, e.EventType, typ)
	}
	if ts := aws.ToTime(e.EventTimestamp); !ts.Equal(when) {
		f.t.Fatalf("event %d (%s) at %v, want %v", id, typ, ts, when)
	}
	return e
}

// tmActivityTimedOut asserts an ActivityTaskTimedOut event's attributes.
func (f *fixture) tmActivityTimedOut(e types.HistoryEvent, timeout types.ActivityTaskTimeoutType, scheduled, started int64, details *string) {
	f.t.Helper()
	a := e.ActivityTaskTimedOutEventAttributes
	if e.EventType != types.EventTypeActivityTaskTimedOut || a == nil {
		f.t.Fatalf("event %d is %s, want ActivityTaskTimedOut with its attributes", e.EventId, e.EventType)
	}
	if a.TimeoutType != timeout || a.ScheduledEventId != scheduled || a.StartedEventId != started {
		f.t.Fatalf("ActivityTaskTimedOut: timeoutType %s scheduledEventId %d startedEventId %d, want %s %d %d",
			a.TimeoutType, a.ScheduledEventId, a.StartedEventId, timeout, scheduled, started)
	}
	if (a.Details == nil) != (details == nil) || aws.ToString(a.Details) != aws.ToString(details) {
		f.t.Fatalf("ActivityTaskTimedOut details %q (set %v), want %q (set %v)", aws.ToString(a.Details), a.Details != nil, aws.ToString(details), details != nil)
	}
}

// tmPending counts the tasks waiting on a task list.
func (f *fixture) tmPending(kind, list string) int32 {
	f.t.Helper()
	tl := &types.TaskList{Name: aws.String(list)}
	if kind == "decision" {
		out, err := f.c.CountPendingDecisionTasks(ctx, &swf.CountPendingDecisionTasksInput{Domain: f.domain, TaskList: tl})
		must(f.t, err)
		return out.Count
	}
	out, err := f.c.CountPendingActivityTasks(ctx, &swf.CountPendingActivityTasksInput{Domain: f.domain, TaskList: tl})
	must(f.t, err)
	return out.Count
}

// tmOpenCounts returns a run's open activity and decision tasks.
func (f *fixture) tmOpenCounts(ex *types.WorkflowExecution) (activities, decisions int32) {
	f.t.Helper()
	c := f.describe(ex).OpenCounts
	return c.OpenActivityTasks, c.OpenDecisionTasks
}

// tmNoActivityTask asserts that a poll of an activity list gets no task. A
// task on the list would be handed out at once; the poll is given a short
// time to find one and then given up, so it must end without a task.
func (f *fixture) tmNoActivityTask(list string) {
	f.t.Helper()
	c, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	out, err := f.c.PollForActivityTask(c, &swf.PollForActivityTaskInput{Domain: f.domain, TaskList: &types.TaskList{Name: aws.String(list)}, Identity: aws.String("late-worker")})
	switch {
	case err == nil && out.TaskToken != nil:
		f.t.Fatalf("a poll of %s got activity task %s (started event %d)", list, aws.ToString(out.ActivityId), out.StartedEventId)
	case err != nil && !errors.Is(err, context.DeadlineExceeded):
		f.t.Fatalf("poll of %s: %v", list, err)
	}
}

// tmActivityFrom polls an activity list other than the fixture's own.
func (f *fixture) tmActivityFrom(list string) *swf.PollForActivityTaskOutput {
	f.t.Helper()
	out, err := f.c.PollForActivityTask(pollCtx(f.t), &swf.PollForActivityTaskInput{Domain: f.domain, TaskList: &types.TaskList{Name: aws.String(list)}, Identity: aws.String("worker-2")})
	must(f.t, err)
	if out.TaskToken == nil {
		f.t.Fatalf("no activity task on %s", list)
	}
	return out
}

func (f *fixture) tmHeartbeat(token *string, details *string) error {
	_, err := f.c.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: token, Details: details})
	return err
}

// tmTokenDead asserts that a worker can do nothing more with an activity
// token: heartbeat, complete, fail and cancel all answer UnknownResourceFault.
func (f *fixture) tmTokenDead(token *string) {
	f.t.Helper()
	wantFault[*types.UnknownResourceFault](f.t, f.tmHeartbeat(token, aws.String("late")))
	_, err := f.c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: token, Result: aws.String("late")})
	wantFault[*types.UnknownResourceFault](f.t, err)
	_, err = f.c.RespondActivityTaskFailed(ctx, &swf.RespondActivityTaskFailedInput{TaskToken: token, Reason: aws.String("late")})
	wantFault[*types.UnknownResourceFault](f.t, err)
	_, err = f.c.RespondActivityTaskCanceled(ctx, &swf.RespondActivityTaskCanceledInput{TaskToken: token})
	wantFault[*types.UnknownResourceFault](f.t, err)
}

// tmTimeouts sets an activity's four timeouts ("" keeps the type's default).
func tmTimeouts(scheduleToStart, scheduleToClose, startToClose, heartbeat string) func(*types.ScheduleActivityTaskDecisionAttributes) {
	set := func(v string) *string {
		if v == "" {
			return nil
		}
		return aws.String(v)
	}
	return func(a *types.ScheduleActivityTaskDecisionAttributes) {
		a.ScheduleToStartTimeout = set(scheduleToStart)
		a.ScheduleToCloseTimeout = set(scheduleToClose)
		a.StartToCloseTimeout = set(startToClose)
		a.HeartbeatTimeout = set(heartbeat)
	}
}

// tmScheduled starts a run and has its first decision schedule the
// activities: events 1–4 are WorkflowExecutionStarted, DecisionTaskScheduled,
// DecisionTaskStarted and DecisionTaskCompleted, then one
// ActivityTaskScheduled per activity, from event 5 on.
func (f *fixture) tmScheduled(workflowID string, activities ...types.Decision) *types.WorkflowExecution {
	f.t.Helper()
	ex := f.start(workflowID)
	d := f.decision()
	f.decide(d.TaskToken, activities...)
	return ex
}

var tmFirstDecision = []string{"WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted"}

func tmWithEvents(more ...string) []string {
	return append(slices.Clone(tmFirstDecision), more...)
}

func TestActivityScheduleToStartTimeout(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.tmScheduled("s2s", scheduleActivity("a1")) // the type's default: 60 s to start
	if n := f.tmPending("activity", workerList); n != 1 {
		t.Fatalf("pending activity tasks before the timeout: %d", n)
	}

	f.advance(59 * time.Second)
	f.tmHistory(ex, tmWithEvents("ActivityTaskScheduled")...)
	if acts, _ := f.tmOpenCounts(ex); acts != 1 {
		t.Fatalf("open activity tasks before the timeout: %d", acts)
	}

	f.advance(time.Second)
	h := f.tmHistory(ex, tmWithEvents("ActivityTaskScheduled", "ActivityTaskTimedOut", "DecisionTaskScheduled")...)
	f.tmActivityTimedOut(f.tmEventAt(h, 6, types.EventTypeActivityTaskTimedOut, tmAt(60)), types.ActivityTaskTimeoutTypeScheduleToStart, 5, 0, nil)
	ds := f.tmEventAt(h, 7, types.EventTypeDecisionTaskScheduled, tmAt(60)).DecisionTaskScheduledEventAttributes
	if aws.ToString(ds.TaskList.Name) != deciderList || aws.ToString(ds.StartToCloseTimeout) != "30" {
		t.Fatalf("DecisionTaskScheduled after the timeout: %+v", ds)
	}

	// The task is gone from its list and never handed out.
	if n := f.tmPending("activity", workerList); n != 0 {
		t.Fatalf("pending activity tasks after the timeout: %d", n)
	}
	if n := f.tmPending("decision", deciderList); n != 1 {
		t.Fatalf("pending decision tasks after the timeout: %d", n)
	}
	if acts, decs := f.tmOpenCounts(ex); acts != 0 || decs != 1 {
		t.Fatalf("open counts after the timeout: %d activity tasks, %d decision tasks", acts, decs)
	}
	f.tmNoActivityTask(workerList)

	// Its other timers went with it: nothing more happens.
	f.advance(time.Hour - time.Minute - time.Second)
	f.tmHistory(ex, tmWithEvents("ActivityTaskScheduled", "ActivityTaskTimedOut", "DecisionTaskScheduled")...)

	// The decider sees the timeout and can go on.
	d := f.decision()
	if got := eventTypes(d.Events); !slices.Equal(got, tmWithEvents("ActivityTaskScheduled", "ActivityTaskTimedOut", "DecisionTaskScheduled", "DecisionTaskStarted")) {
		t.Fatalf("decision task history: %v", got)
	}
	if d.StartedEventId != 8 || d.PreviousStartedEventId != 3 {
		t.Fatalf("decision task: started %d previous %d", d.StartedEventId, d.PreviousStartedEventId)
	}
	// The activity id is free again: the decider may retry it (on another
	// list, which the poll above has never seen).
	f.decide(d.TaskToken, scheduleActivity("a1", func(a *types.ScheduleActivityTaskDecisionAttributes) {
		a.TaskList = &types.TaskList{Name: aws.String("retries")}
	}))
	h = f.tmHistory(ex, tmWithEvents("ActivityTaskScheduled", "ActivityTaskTimedOut", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted", "ActivityTaskScheduled")...)
	if s := h[9].ActivityTaskScheduledEventAttributes; aws.ToString(s.ActivityId) != "a1" || s.DecisionTaskCompletedEventId != 9 {
		t.Fatalf("retry: %+v", s)
	}
	a := f.tmActivityFrom("retries")
	if aws.ToString(a.ActivityId) != "a1" || a.StartedEventId != 11 {
		t.Fatalf("retried task: %s started %d", aws.ToString(a.ActivityId), a.StartedEventId)
	}
}

// An activity that times out while the decider is at work is news the
// decider has not seen: it cannot close the run on that decision task, and
// gets another one.
func TestActivityTimeoutDuringDecisionTask(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.tmScheduled("unhandled", scheduleActivity("a2", tmTimeouts("NONE", "", "", "NONE")), scheduleActivity("a1", tmTimeouts("20", "", "", "")))
	a2 := f.activity()
	if aws.ToString(a2.ActivityId) != "a2" {
		t.Fatalf("got activity %s first", aws.ToString(a2.ActivityId))
	}
	_, err := f.c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a2.TaskToken})
	must(t, err)
	d := f.decision() // 10, at 0 s
	f.advance(20 * time.Second)
	h := f.tmHistory(ex, tmWithEvents("ActivityTaskScheduled", "ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskCompleted", "DecisionTaskScheduled", "DecisionTaskStarted", "ActivityTaskTimedOut")...)
	f.tmActivityTimedOut(f.tmEventAt(h, 11, types.EventTypeActivityTaskTimedOut, tmAt(20)), types.ActivityTaskTimeoutTypeScheduleToStart, 6, 0, nil)
	if _, decs := f.tmOpenCounts(ex); decs != 1 {
		t.Fatalf("open decision tasks: %d", decs)
	}

	f.decide(d.TaskToken, completeWorkflow("too soon"))
	h = f.tmHistory(ex, tmWithEvents("ActivityTaskScheduled", "ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskCompleted", "DecisionTaskScheduled", "DecisionTaskStarted", "ActivityTaskTimedOut",
		"DecisionTaskCompleted", "CompleteWorkflowExecutionFailed", "DecisionTaskScheduled")...)
	if c := h[12].CompleteWorkflowExecutionFailedEventAttributes; c.Cause != types.CompleteWorkflowExecutionFailedCauseUnhandledDecision || c.DecisionTaskCompletedEventId != 12 {
		t.Fatalf("CompleteWorkflowExecutionFailed: %+v", c)
	}
	d = f.decision()
	if d.StartedEventId != 15 || d.PreviousStartedEventId != 10 {
		t.Fatalf("next decision task: started %d previous %d", d.StartedEventId, d.PreviousStartedEventId)
	}
	f.decide(d.TaskToken, completeWorkflow("now"))
	if st := f.describe(ex).ExecutionInfo.CloseStatus; st != types.CloseStatusCompleted {
		t.Fatalf("close status: %s", st)
	}
}

// A run that closed has no timeouts left: its own and its tasks' timers
// were dropped with it.
func TestTimeoutsOfClosedRunDoNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.start("closed", func(in *swf.StartWorkflowExecutionInput) { in.ExecutionStartToCloseTimeout = aws.String("100") })
	d := f.decision()
	f.decide(d.TaskToken, scheduleActivity("a1"), scheduleActivity("a2"))
	a1 := f.activity()
	_, err := f.c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a1.TaskToken})
	must(t, err)
	d = f.decision()
	f.decide(d.TaskToken, completeWorkflow("early"))
	done := tmWithEvents("ActivityTaskScheduled", "ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskCompleted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted", "WorkflowExecutionCompleted")
	f.tmHistory(ex, done...)
	if n := f.tmPending("activity", workerList); n != 0 {
		t.Fatalf("a2 is still pending after the run completed: %d", n)
	}

	// Past a2's schedule-to-start and the run's own timeout.
	f.advance(10 * time.Minute)
	f.tmHistory(ex, done...)
	if info := f.describe(ex).ExecutionInfo; info.CloseStatus != types.CloseStatusCompleted || !aws.ToTime(info.CloseTimestamp).Equal(tmAt(0)) {
		t.Fatalf("after the deadlines: close status %s at %v", info.CloseStatus, aws.ToTime(info.CloseTimestamp))
	}
}

func TestActivityScheduleToCloseTimeoutBeforeStart(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// Schedule-to-close shorter than schedule-to-start: it wins.
	ex := f.tmScheduled("s2c-waiting", scheduleActivity("a1", tmTimeouts("60", "45", "", "")))

	f.advance(44 * time.Second)
	f.tmHistory(ex, tmWithEvents("ActivityTaskScheduled")...)
	f.advance(time.Second)
	h := f.tmHistory(ex, tmWithEvents("ActivityTaskScheduled", "ActivityTaskTimedOut", "DecisionTaskScheduled")...)
	f.tmActivityTimedOut(f.tmEventAt(h, 6, types.EventTypeActivityTaskTimedOut, tmAt(45)), types.ActivityTaskTimeoutTypeScheduleToClose, 5, 0, nil)
	f.tmEventAt(h, 7, types.EventTypeDecisionTaskScheduled, tmAt(45))
	if n := f.tmPending("activity", workerList); n != 0 {
		t.Fatalf("pending activity tasks after the timeout: %d", n)
	}
	if acts, _ := f.tmOpenCounts(ex); acts != 0 {
		t.Fatalf("open activity tasks after the timeout: %d", acts)
	}
	f.tmNoActivityTask(workerList)

	// The schedule-to-start timer died with the task: one timeout only.
	f.advance(10 * time.Minute)
	f.tmHistory(ex, tmWithEvents("ActivityTaskScheduled", "ActivityTaskTimedOut", "DecisionTaskScheduled")...)
}

func TestActivityScheduleToCloseTimeoutAfterStart(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.tmScheduled("s2c-running", scheduleActivity("a1", tmTimeouts("60", "100", "300", "NONE")))

	f.advance(40 * time.Second)
	a := f.activity()
	if a.StartedEventId != 6 {
		t.Fatalf("activity started as event %d", a.StartedEventId)
	}
	f.advance(30 * time.Second)
	must(t, f.tmHeartbeat(a.TaskToken, aws.String("70%")))
	f.advance(29 * time.Second)
	f.tmHistory(ex, tmWithEvents("ActivityTaskScheduled", "ActivityTaskStarted")...)

	// 100 s after it was scheduled, not after it started.
	f.advance(time.Second)
	h := f.tmHistory(ex, tmWithEvents("ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskTimedOut", "DecisionTaskScheduled")...)
	f.tmActivityTimedOut(f.tmEventAt(h, 7, types.EventTypeActivityTaskTimedOut, tmAt(100)), types.ActivityTaskTimeoutTypeScheduleToClose, 5, 6, aws.String("70%"))
	f.tmEventAt(h, 8, types.EventTypeDecisionTaskScheduled, tmAt(100))
	if acts, decs := f.tmOpenCounts(ex); acts != 0 || decs != 1 {
		t.Fatalf("open counts after the timeout: %d activity tasks, %d decision tasks", acts, decs)
	}
	f.tmTokenDead(a.TaskToken)

	// Its start-to-close timer died with it.
	f.advance(10 * time.Minute)
	f.tmHistory(ex, tmWithEvents("ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskTimedOut", "DecisionTaskScheduled")...)
}

func TestActivityStartToCloseTimeoutIgnoresHeartbeats(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.tmScheduled("s2c", scheduleActivity("a1", tmTimeouts("60", "600", "60", "20")))
	f.advance(5 * time.Second)
	a := f.activity() // started at 5 s: the deadline is 65 s

	// A heartbeat every 10 s, well within the heartbeat timeout.
	details := []string{"beat 1", "beat 2", "beat 3", "beat 4", "beat 5"}
	for _, d := range details {
		f.advance(10 * time.Second)
		hb, err := f.c.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: a.TaskToken, Details: aws.String(d)})
		must(t, err)
		if hb.CancelRequested {
			t.Fatal("heartbeat says cancel requested")
		}
	}
	f.advance(9 * time.Second) // 64 s
	f.tmHistory(ex, tmWithEvents("ActivityTaskScheduled", "ActivityTaskStarted")...)

	f.advance(time.Second) // 65 s
	h := f.tmHistory(ex, tmWithEvents("ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskTimedOut", "DecisionTaskScheduled")...)
	f.tmActivityTimedOut(f.tmEventAt(h, 7, types.EventTypeActivityTaskTimedOut, tmAt(65)), types.ActivityTaskTimeoutTypeStartToClose, 5, 6, aws.String("beat 5"))
	f.tmTokenDead(a.TaskToken)

	// Neither the heartbeat timer nor schedule-to-close fires afterwards.
	f.advance(10 * time.Minute)
	f.tmHistory(ex, tmWithEvents("ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskTimedOut", "DecisionTaskScheduled")...)
}

func TestActivityHeartbeatTimeout(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.tmScheduled("heartbeat", scheduleActivity("a1")) // heartbeat timeout 30 s
	a := f.activity()                                        // started at 0 s

	// Heartbeats every 20 s keep it alive for more than three heartbeat
	// periods.
	details := []string{"step 1", "step 2", "step 3", "step 4", "step 5"}
	for i, d := range details {
		f.advance(20 * time.Second)
		must(t, f.tmHeartbeat(a.TaskToken, aws.String(d)))
		f.tmHistory(ex, tmWithEvents("ActivityTaskScheduled", "ActivityTaskStarted")...)
		if acts, _ := f.tmOpenCounts(ex); acts != 1 {
			t.Fatalf("after heartbeat %d: %d open activity tasks", i+1, acts)
		}
	}

	// The last heartbeat came at 100 s: the timeout is due at 130 s.
	f.advance(29 * time.Second)
	f.tmHistory(ex, tmWithEvents("ActivityTaskScheduled", "ActivityTaskStarted")...)
	f.advance(time.Second)
	h := f.tmHistory(ex, tmWithEvents("ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskTimedOut", "DecisionTaskScheduled")...)
	f.tmActivityTimedOut(f.tmEventAt(h, 7, types.EventTypeActivityTaskTimedOut, tmAt(130)), types.ActivityTaskTimeoutTypeHeartbeat, 5, 6, aws.String("step 5"))
	f.tmEventAt(h, 8, types.EventTypeDecisionTaskScheduled, tmAt(130))
	if acts, decs := f.tmOpenCounts(ex); acts != 0 || decs != 1 {
		t.Fatalf("open counts after the timeout: %d activity tasks, %d decision tasks", acts, decs)
	}
	f.tmTokenDead(a.TaskToken)

	d := f.decision()
	if last := d.Events[len(d.Events)-3]; last.EventType != types.EventTypeActivityTaskTimedOut || aws.ToString(last.ActivityTaskTimedOutEventAttributes.Details) != "step 5" {
		t.Fatalf("the decider sees %v", eventTypes(d.Events))
	}
}

func TestActivityHeartbeatTimeoutRightAfterStart(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.tmScheduled("no-heartbeat", scheduleActivity("a1"))
	f.advance(10 * time.Second)
	a := f.activity() // started at 10 s, never heartbeats
	f.advance(29 * time.Second)
	f.tmHistory(ex, tmWithEvents("ActivityTaskScheduled", "ActivityTaskStarted")...)
	f.advance(time.Second)
	h := f.tmHistory(ex, tmWithEvents("ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskTimedOut", "DecisionTaskScheduled")...)
	f.tmActivityTimedOut(f.tmEventAt(h, 7, types.EventTypeActivityTaskTimedOut, tmAt(40)), types.ActivityTaskTimeoutTypeHeartbeat, 5, 6, nil)
	f.tmTokenDead(a.TaskToken)
}

// The timed-out event carries the details of the last heartbeat, even
// when that heartbeat had none.
func TestActivityHeartbeatTimeoutKeepsLastCallDetails(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.tmScheduled("last-details", scheduleActivity("a1"), scheduleActivity("a2"))
	a1 := f.activity()
	a2 := f.activity()
	if aws.ToString(a1.ActivityId) != "a1" || aws.ToString(a2.ActivityId) != "a2" {
		t.Fatalf("activities handed out: %s, %s", aws.ToString(a1.ActivityId), aws.ToString(a2.ActivityId))
	}
	f.advance(10 * time.Second)
	must(t, f.tmHeartbeat(a1.TaskToken, aws.String("half done")))
	must(t, f.tmHeartbeat(a2.TaskToken, aws.String("first")))
	f.advance(10 * time.Second)
	must(t, f.tmHeartbeat(a1.TaskToken, nil))
	must(t, f.tmHeartbeat(a2.TaskToken, aws.String("second")))

	f.advance(30 * time.Second)
	h := f.tmHistory(ex, tmWithEvents("ActivityTaskScheduled", "ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskStarted",
		"ActivityTaskTimedOut", "DecisionTaskScheduled", "ActivityTaskTimedOut")...)
	f.tmActivityTimedOut(f.tmEventAt(h, 9, types.EventTypeActivityTaskTimedOut, tmAt(50)), types.ActivityTaskTimeoutTypeHeartbeat, 5, 7, nil)
	f.tmActivityTimedOut(f.tmEventAt(h, 11, types.EventTypeActivityTaskTimedOut, tmAt(50)), types.ActivityTaskTimeoutTypeHeartbeat, 6, 8, aws.String("second"))
}

// "NONE" disables each timeout: nothing times out however long it takes.
func TestTimeoutsNoneDisableTimeouts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const month = 30 * 24 * time.Hour
	ex := f.start("none", func(in *swf.StartWorkflowExecutionInput) {
		in.ExecutionStartToCloseTimeout = aws.String("31536000") // the longest there is: a year
		in.TaskStartToCloseTimeout = aws.String("NONE")
	})
	d := f.decision()
	f.decide(d.TaskToken, scheduleActivity("a1", tmTimeouts("NONE", "NONE", "NONE", "NONE")))
	h := f.tmHistory(ex, tmWithEvents("ActivityTaskScheduled")...)
	s := h[4].ActivityTaskScheduledEventAttributes
	if aws.ToString(s.ScheduleToStartTimeout) != "NONE" || aws.ToString(s.ScheduleToCloseTimeout) != "NONE" ||
		aws.ToString(s.StartToCloseTimeout) != "NONE" || aws.ToString(s.HeartbeatTimeout) != "NONE" {
		t.Fatalf("ActivityTaskScheduled timeouts: %+v", s)
	}

	// Waiting for a worker.
	f.advance(month)
	f.tmHistory(ex, tmWithEvents("ActivityTaskScheduled")...)
	if n := f.tmPending("activity", workerList); n != 1 {
		t.Fatalf("pending activity tasks after a month: %d", n)
	}

	// Running without heartbeats.
	a := f.activity()
	f.advance(month)
	f.tmHistory(ex, tmWithEvents("ActivityTaskScheduled", "ActivityTaskStarted")...)
	must(t, f.tmHeartbeat(a.TaskToken, aws.String("still here")))
	f.advance(month)
	_, err := f.c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a.TaskToken, Result: aws.String("slow")})
	must(t, err)

	// A decider that takes its time.
	d = f.decision()
	f.advance(month)
	f.tmHistory(ex, tmWithEvents("ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskCompleted", "DecisionTaskScheduled", "DecisionTaskStarted")...)
	f.decide(d.TaskToken, completeWorkflow("done"))
	h = f.tmHistory(ex, tmWithEvents("ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskCompleted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted", "WorkflowExecutionCompleted")...)
	f.tmEventAt(h, 11, types.EventTypeWorkflowExecutionCompleted, tmAt(0).Add(4*month))
}

func TestDecisionTaskStartToCloseTimeout(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.start("decision-timeout") // task start-to-close: 30 s
	f.advance(5 * time.Second)
	old := f.decision() // started at 5 s
	if old.StartedEventId != 3 {
		t.Fatalf("first decision task started as event %d", old.StartedEventId)
	}
	f.advance(29 * time.Second)
	f.tmHistory(ex, "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted")

	f.advance(time.Second)
	h := f.tmHistory(ex, "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskTimedOut", "DecisionTaskScheduled")
	to := f.tmEventAt(h, 4, types.EventTypeDecisionTaskTimedOut, tmAt(35)).DecisionTaskTimedOutEventAttributes
	if to.TimeoutType != types.DecisionTaskTimeoutTypeStartToClose || to.ScheduledEventId != 2 || to.StartedEventId != 3 {
		t.Fatalf("DecisionTaskTimedOut: %+v", to)
	}
	f.tmEventAt(h, 5, types.EventTypeDecisionTaskScheduled, tmAt(35))
	if n := f.tmPending("decision", deciderList); n != 1 {
		t.Fatalf("pending decision tasks after the timeout: %d", n)
	}
	if _, decs := f.tmOpenCounts(ex); decs != 1 {
		t.Fatalf("open decision tasks after the timeout: %d", decs)
	}

	// The late decider is refused and nothing it decided is recorded.
	_, err := f.c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: old.TaskToken, Decisions: []types.Decision{scheduleActivity("late")}})
	wantFault[*types.UnknownResourceFault](t, err)
	f.tmHistory(ex, "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskTimedOut", "DecisionTaskScheduled")

	// The new task has a timer of its own: it times out 30 s after it
	// started, too.
	f.advance(10 * time.Second)
	second := f.decision() // started at 45 s
	if second.StartedEventId != 6 || second.PreviousStartedEventId != 0 {
		t.Fatalf("second decision task: started %d previous %d", second.StartedEventId, second.PreviousStartedEventId)
	}
	if got := eventTypes(second.Events); !slices.Equal(got, []string{"WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskTimedOut", "DecisionTaskScheduled", "DecisionTaskStarted"}) {
		t.Fatalf("second decision task history: %v", got)
	}
	f.advance(29 * time.Second)
	f.tmHistory(ex, "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskTimedOut", "DecisionTaskScheduled", "DecisionTaskStarted")
	f.advance(time.Second)
	h = f.tmHistory(ex, "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskTimedOut", "DecisionTaskScheduled", "DecisionTaskStarted",
		"DecisionTaskTimedOut", "DecisionTaskScheduled")
	to = f.tmEventAt(h, 7, types.EventTypeDecisionTaskTimedOut, tmAt(75)).DecisionTaskTimedOutEventAttributes
	if to.TimeoutType != types.DecisionTaskTimeoutTypeStartToClose || to.ScheduledEventId != 5 || to.StartedEventId != 6 {
		t.Fatalf("second DecisionTaskTimedOut: %+v", to)
	}
	_, err = f.c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: second.TaskToken})
	wantFault[*types.UnknownResourceFault](t, err)

	// The third is answered in time; its timer is disarmed.
	third := f.decision()
	if third.StartedEventId != 9 {
		t.Fatalf("third decision task started as event %d", third.StartedEventId)
	}
	f.decide(third.TaskToken, scheduleActivity("a1", tmTimeouts("NONE", "NONE", "NONE", "NONE")))
	f.advance(time.Hour - 76*time.Second) // just short of the run's own timeout
	h = f.tmHistory(ex, "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskTimedOut", "DecisionTaskScheduled", "DecisionTaskStarted",
		"DecisionTaskTimedOut", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted", "ActivityTaskScheduled")
	if c := h[9].DecisionTaskCompletedEventAttributes; c.ScheduledEventId != 8 || c.StartedEventId != 9 {
		t.Fatalf("DecisionTaskCompleted: %+v", c)
	}
}

// A decision task put on a temporary task list goes back to the run's own
// list when nobody takes it in time.
func TestDecisionTaskScheduleToStartTimeout(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.start("override")
	d := f.decision()
	_, err := f.c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{
		TaskToken: d.TaskToken, TaskList: &types.TaskList{Name: aws.String("urgent")}, TaskListScheduleToStartTimeout: aws.String("20"),
	})
	must(t, err)
	f.advance(5 * time.Second)
	_, err = f.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: f.domain, WorkflowId: ex.WorkflowId, SignalName: aws.String("wake")})
	must(t, err)
	h := f.tmHistory(ex, "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted", "WorkflowExecutionSignaled", "DecisionTaskScheduled")
	s := h[5].DecisionTaskScheduledEventAttributes
	if aws.ToString(s.TaskList.Name) != "urgent" || aws.ToString(s.ScheduleToStartTimeout) != "20" {
		t.Fatalf("DecisionTaskScheduled on the override: %+v", s)
	}
	if n := f.tmPending("decision", "urgent"); n != 1 {
		t.Fatalf("pending on the override list: %d", n)
	}

	f.advance(19 * time.Second)
	f.tmHistory(ex, "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted", "WorkflowExecutionSignaled", "DecisionTaskScheduled")
	f.advance(time.Second)
	h = f.tmHistory(ex, "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted", "WorkflowExecutionSignaled", "DecisionTaskScheduled",
		"DecisionTaskTimedOut", "DecisionTaskScheduled")
	to := f.tmEventAt(h, 7, types.EventTypeDecisionTaskTimedOut, tmAt(25)).DecisionTaskTimedOutEventAttributes
	if to.TimeoutType != types.DecisionTaskTimeoutTypeScheduleToStart || to.ScheduledEventId != 6 || to.StartedEventId != 0 {
		t.Fatalf("DecisionTaskTimedOut: %+v", to)
	}
	s = f.tmEventAt(h, 8, types.EventTypeDecisionTaskScheduled, tmAt(25)).DecisionTaskScheduledEventAttributes
	if aws.ToString(s.TaskList.Name) != deciderList || s.ScheduleToStartTimeout != nil {
		t.Fatalf("DecisionTaskScheduled back on the run's list: %+v", s)
	}
	if n := f.tmPending("decision", "urgent"); n != 0 {
		t.Fatalf("pending on the override list after the timeout: %d", n)
	}
	if n := f.tmPending("decision", deciderList); n != 1 {
		t.Fatalf("pending on the run's list after the timeout: %d", n)
	}
	d = f.decision()
	if d.StartedEventId != 9 || d.PreviousStartedEventId != 3 {
		t.Fatalf("decision task: started %d previous %d", d.StartedEventId, d.PreviousStartedEventId)
	}
	f.decide(d.TaskToken, completeWorkflow("ok"))
}

// A decision task started from a temporary task list that times out also
// sends the run back to its own list.
func TestDecisionTaskOnOverrideListStartToCloseTimeout(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.start("override-started")
	d := f.decision()
	_, err := f.c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{
		TaskToken: d.TaskToken, TaskList: &types.TaskList{Name: aws.String("urgent")}, TaskListScheduleToStartTimeout: aws.String("20"),
		Decisions: []types.Decision{scheduleActivity("a1", tmTimeouts("NONE", "NONE", "NONE", "NONE"))},
	})
	must(t, err)
	a := f.activity()
	_, err = f.c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a.TaskToken})
	must(t, err)
	out, err := f.c.PollForDecisionTask(pollCtx(t), &swf.PollForDecisionTaskInput{Domain: f.domain, TaskList: &types.TaskList{Name: aws.String("urgent")}})
	must(t, err)
	if out.StartedEventId != 9 {
		t.Fatalf("decision task on the override list started as event %d", out.StartedEventId)
	}
	// Started in time: its schedule-to-start no longer applies.
	f.advance(29 * time.Second)
	f.tmHistory(ex, tmWithEvents("ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskCompleted", "DecisionTaskScheduled", "DecisionTaskStarted")...)
	f.advance(time.Second)
	h := f.tmHistory(ex, tmWithEvents("ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskCompleted", "DecisionTaskScheduled", "DecisionTaskStarted",
		"DecisionTaskTimedOut", "DecisionTaskScheduled")...)
	to := f.tmEventAt(h, 10, types.EventTypeDecisionTaskTimedOut, tmAt(30)).DecisionTaskTimedOutEventAttributes
	if to.TimeoutType != types.DecisionTaskTimeoutTypeStartToClose || to.ScheduledEventId != 8 || to.StartedEventId != 9 {
		t.Fatalf("DecisionTaskTimedOut: %+v", to)
	}
	if s := h[10].DecisionTaskScheduledEventAttributes; aws.ToString(s.TaskList.Name) != deciderList || s.ScheduleToStartTimeout != nil {
		t.Fatalf("DecisionTaskScheduled after the timeout: %+v", s)
	}
	if n := f.tmPending("decision", deciderList); n != 1 {
		t.Fatalf("pending on the run's list: %d", n)
	}
	_, err = f.c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: out.TaskToken})
	wantFault[*types.UnknownResourceFault](t, err)
}

func TestWorkflowExecutionStartToCloseTimeout(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.start("run-timeout", func(in *swf.StartWorkflowExecutionInput) {
		in.ExecutionStartToCloseTimeout = aws.String("120")
		in.ChildPolicy = types.ChildPolicyAbandon
	})
	d := f.decision()
	long := tmTimeouts("NONE", "NONE", "NONE", "NONE")
	f.decide(d.TaskToken, scheduleActivity("a1", long), scheduleActivity("a2", long), scheduleActivity("a3", long))
	a1 := f.activity() // 8: started, left running
	a2 := f.activity() // 9: started and completed, which asks for a decision
	if aws.ToString(a1.ActivityId) != "a1" || aws.ToString(a2.ActivityId) != "a2" {
		t.Fatalf("activities handed out: %s, %s", aws.ToString(a1.ActivityId), aws.ToString(a2.ActivityId))
	}
	f.advance(10 * time.Second)
	_, err := f.c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a2.TaskToken})
	must(t, err)
	d = f.decision() // 12, answered in time
	f.advance(20 * time.Second)
	_, err = f.c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: d.TaskToken})
	must(t, err)
	f.advance(80 * time.Second)
	_, err = f.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: f.domain, WorkflowId: ex.WorkflowId, SignalName: aws.String("ping")})
	must(t, err)
	d = f.decision() // started at 110 s; a3 still waits on the list
	open := tmWithEvents("ActivityTaskScheduled", "ActivityTaskScheduled", "ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskStarted",
		"ActivityTaskCompleted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted", "WorkflowExecutionSignaled", "DecisionTaskScheduled", "DecisionTaskStarted")
	f.advance(9 * time.Second)
	f.tmHistory(ex, open...)
	if acts, decs := f.tmOpenCounts(ex); acts != 2 || decs != 1 {
		t.Fatalf("open counts before the timeout: %d activity tasks, %d decision tasks", acts, decs)
	}

	f.advance(time.Second)
	h := f.tmHistory(ex, append(open, "WorkflowExecutionTimedOut")...)
	to := f.tmEventAt(h, 17, types.EventTypeWorkflowExecutionTimedOut, tmAt(120)).WorkflowExecutionTimedOutEventAttributes
	if to.TimeoutType != types.WorkflowExecutionTimeoutTypeStartToClose || to.ChildPolicy != types.ChildPolicyAbandon {
		t.Fatalf("WorkflowExecutionTimedOut: %+v", to)
	}

	desc := f.describe(ex)
	info := desc.ExecutionInfo
	if info.ExecutionStatus != types.ExecutionStatusClosed || info.CloseStatus != types.CloseStatusTimedOut || !aws.ToTime(info.CloseTimestamp).Equal(tmAt(120)) {
		t.Fatalf("describe after the timeout: status %s close status %s at %v", info.ExecutionStatus, info.CloseStatus, aws.ToTime(info.CloseTimestamp))
	}
	if c := desc.OpenCounts; c.OpenActivityTasks != 0 || c.OpenDecisionTasks != 0 {
		t.Fatalf("open counts after the timeout: %+v", c)
	}
	if n := f.tmPending("activity", workerList); n != 0 {
		t.Fatalf("pending activity tasks after the timeout: %d", n)
	}
	if n := f.tmPending("decision", deciderList); n != 0 {
		t.Fatalf("pending decision tasks after the timeout: %d", n)
	}
	f.tmNoActivityTask(workerList)
	f.tmTokenDead(a1.TaskToken)
	_, err = f.c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: d.TaskToken, Decisions: []types.Decision{completeWorkflow("too late")}})
	wantFault[*types.UnknownResourceFault](t, err)
	_, err = f.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: f.domain, WorkflowId: ex.WorkflowId, RunId: ex.RunId, SignalName: aws.String("late")})
	wantFault[*types.UnknownResourceFault](t, err)

	closed := func(status types.CloseStatus) []types.WorkflowExecutionInfo {
		out, err := f.c.ListClosedWorkflowExecutions(ctx, &swf.ListClosedWorkflowExecutionsInput{
			Domain: f.domain, StartTimeFilter: &types.ExecutionTimeFilter{OldestDate: aws.Time(swftest.Epoch)},
			CloseStatusFilter: &types.CloseStatusFilter{Status: status},
		})
		must(t, err)
		return out.ExecutionInfos
	}
	got := closed(types.CloseStatusTimedOut)
	if len(got) != 1 || aws.ToString(got[0].Execution.RunId) != aws.ToString(ex.RunId) || got[0].CloseStatus != types.CloseStatusTimedOut || !aws.ToTime(got[0].CloseTimestamp).Equal(tmAt(120)) {
		t.Fatalf("closed runs that timed out: %+v", got)
	}
	if got := closed(types.CloseStatusCompleted); len(got) != 0 {
		t.Fatalf("closed runs that completed: %+v", got)
	}
	open2, err := f.c.ListOpenWorkflowExecutions(ctx, &swf.ListOpenWorkflowExecutionsInput{Domain: f.domain, StartTimeFilter: &types.ExecutionTimeFilter{OldestDate: aws.Time(swftest.Epoch)}})
	must(t, err)
	if len(open2.ExecutionInfos) != 0 {
		t.Fatalf("open runs after the timeout: %+v", open2.ExecutionInfos)
	}

	// No timer of the closed run fires any more.
	f.advance(10 * time.Minute)
	f.tmHistory(ex, append(open, "WorkflowExecutionTimedOut")...)

	// The workflow id is free for a new run.
	again := f.start("run-timeout")
	if aws.ToString(again.RunId) == aws.ToString(ex.RunId) {
		t.Fatal("the new run has the old run's id")
	}
}

// Timers, tasks and tokens live in the database: a restart in the middle
// of a run loses none of them, and fires none twice.
func TestTimersAndTasksSurviveRestart(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.tmScheduled("restart",
		scheduleActivity("a1"), // heartbeat timeout 30 s
		scheduleActivity("a2", tmTimeouts("", "", "", "NONE"), func(a *types.ScheduleActivityTaskDecisionAttributes) {
			a.TaskList = &types.TaskList{Name: aws.String("later")}
		}),
		scheduleActivity("a3", tmTimeouts("", "", "", "NONE")),
	)
	a1 := f.activity() // 8
	a3 := f.activity() // 9
	if aws.ToString(a1.ActivityId) != "a1" || aws.ToString(a3.ActivityId) != "a3" || a1.StartedEventId != 8 || a3.StartedEventId != 9 {
		t.Fatalf("activities handed out: %s (%d), %s (%d)", aws.ToString(a1.ActivityId), a1.StartedEventId, aws.ToString(a3.ActivityId), a3.StartedEventId)
	}
	f.advance(10 * time.Second)
	must(t, f.tmHeartbeat(a1.TaskToken, aws.String("before restart"))) // a1 now times out at 40 s

	f.restart()

	before := tmWithEvents("ActivityTaskScheduled", "ActivityTaskScheduled", "ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskStarted")
	f.tmHistory(ex, before...)
	if acts, decs := f.tmOpenCounts(ex); acts != 3 || decs != 0 {
		t.Fatalf("open counts after the restart: %d activity tasks, %d decision tasks", acts, decs)
	}

	// A task scheduled before the restart is handed out after it.
	if n := f.tmPending("activity", "later"); n != 1 {
		t.Fatalf("pending on later after the restart: %d", n)
	}
	a2 := f.tmActivityFrom("later")
	if aws.ToString(a2.ActivityId) != "a2" || a2.StartedEventId != 10 || aws.ToString(a2.Input) != "input of a2" {
		t.Fatalf("task scheduled before the restart: %s started %d input %q", aws.ToString(a2.ActivityId), a2.StartedEventId, aws.ToString(a2.Input))
	}
	// A token issued before the restart still works.
	_, err := f.c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a3.TaskToken, Result: aws.String("a3 done")})
	must(t, err)
	withA3 := append(slices.Clone(before), "ActivityTaskStarted", "ActivityTaskCompleted", "DecisionTaskScheduled")
	h := f.tmHistory(ex, withA3...)
	if c := h[10].ActivityTaskCompletedEventAttributes; c.ScheduledEventId != 7 || c.StartedEventId != 9 || aws.ToString(c.Result) != "a3 done" {
		t.Fatalf("ActivityTaskCompleted: %+v", c)
	}

	// The heartbeat timer armed before the restart fires on time.
	f.advance(29 * time.Second)
	f.tmHistory(ex, withA3...)
	f.advance(time.Second)
	timedOut := append(slices.Clone(withA3), "ActivityTaskTimedOut")
	h = f.tmHistory(ex, timedOut...)
	f.tmActivityTimedOut(f.tmEventAt(h, 13, types.EventTypeActivityTaskTimedOut, tmAt(40)), types.ActivityTaskTimeoutTypeHeartbeat, 5, 8, aws.String("before restart"))
	f.tmTokenDead(a1.TaskToken)

	// Exactly once: firing again, and after another restart, adds nothing.
	must(t, f.FireDueTimers(ctx))
	f.restart()
	f.advance(0)
	f.tmHistory(ex, timedOut...)

	// The decision task scheduled before that restart is handed out, and
	// the run completes.
	_, err = f.c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a2.TaskToken, Result: aws.String("a2 done")})
	must(t, err)
	d := f.decision()
	if d.StartedEventId != 15 || d.PreviousStartedEventId != 3 {
		t.Fatalf("decision task after the restarts: started %d previous %d", d.StartedEventId, d.PreviousStartedEventId)
	}
	// A decision token survives a restart too.
	f.restart()
	f.decide(d.TaskToken, completeWorkflow("survived"))
	f.tmHistory(ex, append(timedOut, "ActivityTaskCompleted", "DecisionTaskStarted", "DecisionTaskCompleted", "WorkflowExecutionCompleted")...)
	if st := f.describe(ex).ExecutionInfo.CloseStatus; st != types.CloseStatusCompleted {
		t.Fatalf("close status: %s", st)
	}
}

// tmDownFor shuts the server down, lets the clock run for d while no
// server is there to fire anything, and starts a server again on the same
// database file and clock, as after an outage.
func (f *fixture) tmDownFor(d time.Duration) {
	f.t.Helper()
	db := f.Config().Database
	stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	must(f.t, f.Server.Server.Shutdown(stopCtx))
	f.Server.Server = nil
	f.Clock.Advance(d)
	srv, err := server.Start(ctx, server.Config{Listen: "127.0.0.1:0", Database: db, Clock: f.Clock})
	must(f.t, err)
	f.Server.Server = srv // swftest shuts it down when the test ends
	f.Server.Client = f.NewClient()
	f.c = f.Server.Client
}

// Timers that fell due while no server was running fire when one starts.
func TestTimeoutsDueDuringOutageFireOnRestart(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.tmScheduled("outage", scheduleActivity("a2"), scheduleActivity("a1")) // heartbeat 30 s; schedule-to-start 60 s
	a2 := f.activity()
	if aws.ToString(a2.ActivityId) != "a2" || a2.StartedEventId != 7 {
		t.Fatalf("activity handed out: %s started %d", aws.ToString(a2.ActivityId), a2.StartedEventId)
	}

	f.tmDownFor(100 * time.Second)
	must(t, f.FireDueTimers(ctx))

	h := f.tmHistory(ex, tmWithEvents("ActivityTaskScheduled", "ActivityTaskScheduled", "ActivityTaskStarted",
		"ActivityTaskTimedOut", "DecisionTaskScheduled", "ActivityTaskTimedOut")...)
	// In the order of their deadlines, at the time they fired.
	f.tmActivityTimedOut(f.tmEventAt(h, 8, types.EventTypeActivityTaskTimedOut, tmAt(100)), types.ActivityTaskTimeoutTypeHeartbeat, 5, 7, nil)
	f.tmEventAt(h, 9, types.EventTypeDecisionTaskScheduled, tmAt(100))
	f.tmActivityTimedOut(f.tmEventAt(h, 10, types.EventTypeActivityTaskTimedOut, tmAt(100)), types.ActivityTaskTimeoutTypeScheduleToStart, 6, 0, nil)
	if n := f.tmPending("activity", workerList); n != 0 {
		t.Fatalf("pending activity tasks: %d", n)
	}
	f.tmTokenDead(a2.TaskToken)
	d := f.decision()
	f.decide(d.TaskToken, completeWorkflow("after the outage"))
	f.tmHistory(ex, tmWithEvents("ActivityTaskScheduled", "ActivityTaskScheduled", "ActivityTaskStarted",
		"ActivityTaskTimedOut", "DecisionTaskScheduled", "ActivityTaskTimedOut", "DecisionTaskStarted", "DecisionTaskCompleted", "WorkflowExecutionCompleted")...)
}

// The decision task's and the run's timers also fire after a restart.
func TestDecisionAndRunTimeoutsAfterRestart(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.start("restart-run", func(in *swf.StartWorkflowExecutionInput) { in.ExecutionStartToCloseTimeout = aws.String("100") })
	f.advance(10 * time.Second)
	d := f.decision() // times out at 40 s

	f.restart()

	f.advance(29 * time.Second)
	f.tmHistory(ex, "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted")
	f.advance(time.Second)
	h := f.tmHistory(ex, "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskTimedOut", "DecisionTaskScheduled")
	to := f.tmEventAt(h, 4, types.EventTypeDecisionTaskTimedOut, tmAt(40)).DecisionTaskTimedOutEventAttributes
	if to.TimeoutType != types.DecisionTaskTimeoutTypeStartToClose || to.ScheduledEventId != 2 || to.StartedEventId != 3 {
		t.Fatalf("DecisionTaskTimedOut: %+v", to)
	}
	_, err := f.c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: d.TaskToken})
	wantFault[*types.UnknownResourceFault](t, err)

	f.restart()

	f.advance(59 * time.Second)
	f.tmHistory(ex, "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskTimedOut", "DecisionTaskScheduled")
	f.advance(time.Second)
	h = f.tmHistory(ex, "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskTimedOut", "DecisionTaskScheduled", "WorkflowExecutionTimedOut")
	f.tmEventAt(h, 6, types.EventTypeWorkflowExecutionTimedOut, tmAt(100))
	if n := f.tmPending("decision", deciderList); n != 0 {
		t.Fatalf("pending decision tasks after the run timed out: %d", n)
	}
	if st := f.describe(ex).ExecutionInfo.CloseStatus; st != types.CloseStatusTimedOut {
		t.Fatalf("close status: %s", st)
	}
}

// Each timeout event is stamped with the time the clock showed when it
// fired, and takes the next event id.
func TestTimeoutTimeline(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.tmScheduled("timeline",
		scheduleActivity("a1"),                                    // schedule-to-start 60 s
		scheduleActivity("a2", tmTimeouts("90", "", "", "")),      // schedule-to-start 90 s
		scheduleActivity("a3", tmTimeouts("NONE", "200", "", "")), // schedule-to-close 200 s
	)
	f.advance(60 * time.Second)
	// The clock passes a2's deadline (90 s) by 15 s before timers fire.
	f.advance(45 * time.Second)
	d := f.decision() // started at 105 s
	f.advance(30 * time.Second)
	f.advance(65 * time.Second)

	h := f.tmHistory(ex, tmWithEvents("ActivityTaskScheduled", "ActivityTaskScheduled", "ActivityTaskScheduled",
		"ActivityTaskTimedOut", "DecisionTaskScheduled", "ActivityTaskTimedOut", "DecisionTaskStarted",
		"DecisionTaskTimedOut", "DecisionTaskScheduled", "ActivityTaskTimedOut")...)
	for id := 1; id <= 7; id++ {
		if ts := aws.ToTime(h[id-1].EventTimestamp); !ts.Equal(tmAt(0)) {
			t.Fatalf("event %d (%s) at %v, want %v", id, h[id-1].EventType, ts, tmAt(0))
		}
	}
	f.tmActivityTimedOut(f.tmEventAt(h, 8, types.EventTypeActivityTaskTimedOut, tmAt(60)), types.ActivityTaskTimeoutTypeScheduleToStart, 5, 0, nil)
	f.tmEventAt(h, 9, types.EventTypeDecisionTaskScheduled, tmAt(60))
	f.tmActivityTimedOut(f.tmEventAt(h, 10, types.EventTypeActivityTaskTimedOut, tmAt(105)), types.ActivityTaskTimeoutTypeScheduleToStart, 6, 0, nil)
	f.tmEventAt(h, 11, types.EventTypeDecisionTaskStarted, tmAt(105))
	if d.StartedEventId != 11 {
		t.Fatalf("decision task started as event %d", d.StartedEventId)
	}
	to := f.tmEventAt(h, 12, types.EventTypeDecisionTaskTimedOut, tmAt(135)).DecisionTaskTimedOutEventAttributes
	if to.ScheduledEventId != 9 || to.StartedEventId != 11 {
		t.Fatalf("DecisionTaskTimedOut: %+v", to)
	}
	f.tmEventAt(h, 13, types.EventTypeDecisionTaskScheduled, tmAt(135))
	f.tmActivityTimedOut(f.tmEventAt(h, 14, types.EventTypeActivityTaskTimedOut, tmAt(200)), types.ActivityTaskTimeoutTypeScheduleToClose, 7, 0, nil)

	// The next decider sees all of it, and the next event takes id 16.
	d = f.decision()
	if d.StartedEventId != 15 || d.PreviousStartedEventId != 3 || len(d.Events) != 15 {
		t.Fatalf("decision task: started %d previous %d, %d events", d.StartedEventId, d.PreviousStartedEventId, len(d.Events))
	}
	f.decide(d.TaskToken, completeWorkflow("late"))
	h = f.tmHistory(ex, tmWithEvents("ActivityTaskScheduled", "ActivityTaskScheduled", "ActivityTaskScheduled",
		"ActivityTaskTimedOut", "DecisionTaskScheduled", "ActivityTaskTimedOut", "DecisionTaskStarted",
		"DecisionTaskTimedOut", "DecisionTaskScheduled", "ActivityTaskTimedOut", "DecisionTaskStarted",
		"DecisionTaskCompleted", "WorkflowExecutionCompleted")...)
	f.tmEventAt(h, 17, types.EventTypeWorkflowExecutionCompleted, tmAt(200))
}
