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

	"github.com/openswf/openswf/internal/swftest"
)

// Tests of every timeout (SWF-API.md §7) and of timers across restarts.
// Time only moves through the fake clock: d.Advance moves it and fires,
// before it returns, every durable timer that fell due. The helpers below
// say what these tests check of a timeout: when and what the server
// recorded, and that the timed-out task is gone.

// eventAt asserts that event id (1-based) of h has the type and the
// timestamp given, and returns it.
func eventAt(d *swftest.Domain, h []types.HistoryEvent, id int, typ types.EventType, when time.Time) types.HistoryEvent {
	t := d.T()
	t.Helper()
	if id < 1 || id > len(h) {
		t.Fatalf("no event %d in a history of %d events", id, len(h))
	}
	e := h[id-1]
	if e.EventType != typ {
		t.Fatalf("event %d is %s, want %s", id, e.EventType, typ)
	}
	if ts := aws.ToTime(e.EventTimestamp); !ts.Equal(when) {
		t.Fatalf("event %d (%s) at %v, want %v", id, typ, ts, when)
	}
	return e
}

// activityTimedOut asserts an ActivityTaskTimedOut event's attributes.
func activityTimedOut(d *swftest.Domain, e types.HistoryEvent, timeout types.ActivityTaskTimeoutType, scheduled, started int64, details *string) {
	t := d.T()
	t.Helper()
	a := e.ActivityTaskTimedOutEventAttributes
	if e.EventType != types.EventTypeActivityTaskTimedOut || a == nil {
		t.Fatalf("event %d is %s, want ActivityTaskTimedOut with its attributes", e.EventId, e.EventType)
	}
	if a.TimeoutType != timeout || a.ScheduledEventId != scheduled || a.StartedEventId != started {
		t.Fatalf("ActivityTaskTimedOut: timeoutType %s scheduledEventId %d startedEventId %d, want %s %d %d",
			a.TimeoutType, a.ScheduledEventId, a.StartedEventId, timeout, scheduled, started)
	}
	if (a.Details == nil) != (details == nil) || aws.ToString(a.Details) != aws.ToString(details) {
		t.Fatalf("ActivityTaskTimedOut details %q (set %v), want %q (set %v)", aws.ToString(a.Details), a.Details != nil, aws.ToString(details), details != nil)
	}
}

// noActivityTask asserts that a poll of an activity list gets no task. A
// task on the list would be handed out at once; the poll is given a short
// time to find one and then given up, so it must end without a task.
func noActivityTask(d *swftest.Domain, list string) {
	t := d.T()
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	out, err := d.Client.PollForActivityTask(c, &swf.PollForActivityTaskInput{Domain: aws.String(d.Name), TaskList: &types.TaskList{Name: aws.String(list)}, Identity: aws.String("late-worker")})
	switch {
	case err == nil && out.TaskToken != nil:
		t.Fatalf("a poll of %s got activity task %s (started event %d)", list, aws.ToString(out.ActivityId), out.StartedEventId)
	case err != nil && !errors.Is(err, context.DeadlineExceeded):
		t.Fatalf("poll of %s: %v", list, err)
	}
}

// heartbeat records a heartbeat with details and returns the error.
func heartbeat(d *swftest.Domain, token *string, details *string) error {
	_, err := d.Heartbeat(token, details)
	return err
}

// tokenDead asserts that a worker can do nothing more with an activity
// token: heartbeat, complete, fail and cancel all answer UnknownResourceFault.
func tokenDead(d *swftest.Domain, token *string) {
	t := d.T()
	t.Helper()
	wantFault[*types.UnknownResourceFault](t, heartbeat(d, token, aws.String("late")))
	_, err := d.Client.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: token, Result: aws.String("late")})
	wantFault[*types.UnknownResourceFault](t, err)
	_, err = d.Client.RespondActivityTaskFailed(ctx, &swf.RespondActivityTaskFailedInput{TaskToken: token, Reason: aws.String("late")})
	wantFault[*types.UnknownResourceFault](t, err)
	_, err = d.Client.RespondActivityTaskCanceled(ctx, &swf.RespondActivityTaskCanceledInput{TaskToken: token})
	wantFault[*types.UnknownResourceFault](t, err)
}

// activityTimeouts sets an activity's four timeouts ("" keeps the type's
// default).
func activityTimeouts(scheduleToStart, scheduleToClose, startToClose, heartbeat string) func(*types.ScheduleActivityTaskDecisionAttributes) {
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

// scheduleOnStart starts a run and has its first decision schedule the
// activities: events 1–4 are WorkflowExecutionStarted, DecisionTaskScheduled,
// DecisionTaskStarted and DecisionTaskCompleted, then one
// ActivityTaskScheduled per activity, from event 5 on.
func scheduleOnStart(d *swftest.Domain, workflowID string, activities ...types.Decision) *types.WorkflowExecution {
	d.T().Helper()
	ex := d.Start(workflowID)
	d.Decide(d.PollDecision().TaskToken, activities...)
	return ex
}

func TestActivityScheduleToStartTimeout(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := scheduleOnStart(d, "s2s", swftest.ScheduleActivity("a1")) // the type's default: 60 s to start
	if n := d.PendingActivities(swftest.WorkerList); n != 1 {
		t.Fatalf("pending activity tasks before the timeout: %d", n)
	}

	d.Advance(59 * time.Second)
	d.WantHistory(ex, afterFirst("ActivityTaskScheduled")...)
	if acts, _ := d.OpenCounts(ex); acts != 1 {
		t.Fatalf("open activity tasks before the timeout: %d", acts)
	}

	d.Advance(time.Second)
	h := d.WantHistory(ex, afterFirst("ActivityTaskScheduled", "ActivityTaskTimedOut", "DecisionTaskScheduled")...)
	activityTimedOut(d, eventAt(d, h, 6, types.EventTypeActivityTaskTimedOut, swftest.At(60*time.Second)), types.ActivityTaskTimeoutTypeScheduleToStart, 5, 0, nil)
	ds := eventAt(d, h, 7, types.EventTypeDecisionTaskScheduled, swftest.At(60*time.Second)).DecisionTaskScheduledEventAttributes
	if aws.ToString(ds.TaskList.Name) != swftest.DeciderList || aws.ToString(ds.StartToCloseTimeout) != "30" {
		t.Fatalf("DecisionTaskScheduled after the timeout: %+v", ds)
	}

	// The task is gone from its list and never handed out.
	if n := d.PendingActivities(swftest.WorkerList); n != 0 {
		t.Fatalf("pending activity tasks after the timeout: %d", n)
	}
	if n := d.PendingDecisions(swftest.DeciderList); n != 1 {
		t.Fatalf("pending decision tasks after the timeout: %d", n)
	}
	if acts, decs := d.OpenCounts(ex); acts != 0 || decs != 1 {
		t.Fatalf("open counts after the timeout: %d activity tasks, %d decision tasks", acts, decs)
	}
	noActivityTask(d, swftest.WorkerList)

	// Its other timers went with it: nothing more happens.
	d.Advance(time.Hour - time.Minute - time.Second)
	d.WantHistory(ex, afterFirst("ActivityTaskScheduled", "ActivityTaskTimedOut", "DecisionTaskScheduled")...)

	// The decider sees the timeout and can go on.
	task := d.PollDecision()
	if got := swftest.EventTypes(task.Events); !slices.Equal(got, afterFirst("ActivityTaskScheduled", "ActivityTaskTimedOut", "DecisionTaskScheduled", "DecisionTaskStarted")) {
		t.Fatalf("decision task history: %v", got)
	}
	if task.StartedEventId != 8 || task.PreviousStartedEventId != 3 {
		t.Fatalf("decision task: started %d previous %d", task.StartedEventId, task.PreviousStartedEventId)
	}
	// The activity id is free again: the decider may retry it (on another
	// list, which the poll above has never seen).
	d.Decide(task.TaskToken, swftest.ScheduleActivity("a1", func(a *types.ScheduleActivityTaskDecisionAttributes) {
		a.TaskList = &types.TaskList{Name: aws.String("retries")}
	}))
	h = d.WantHistory(ex, afterFirst("ActivityTaskScheduled", "ActivityTaskTimedOut", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted", "ActivityTaskScheduled")...)
	if s := h[9].ActivityTaskScheduledEventAttributes; aws.ToString(s.ActivityId) != "a1" || s.DecisionTaskCompletedEventId != 9 {
		t.Fatalf("retry: %+v", s)
	}
	a := d.PollActivityOn("retries")
	if aws.ToString(a.ActivityId) != "a1" || a.StartedEventId != 11 {
		t.Fatalf("retried task: %s started %d", aws.ToString(a.ActivityId), a.StartedEventId)
	}
}

// An activity that times out while the decider is at work is news the
// decider has not seen: it cannot close the run on that decision task, and
// gets another one.
func TestActivityTimeoutDuringDecisionTask(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := scheduleOnStart(d, "unhandled", swftest.ScheduleActivity("a2", activityTimeouts("NONE", "", "", "NONE")), swftest.ScheduleActivity("a1", activityTimeouts("20", "", "", "")))
	a2 := d.PollActivity()
	if aws.ToString(a2.ActivityId) != "a2" {
		t.Fatalf("got activity %s first", aws.ToString(a2.ActivityId))
	}
	_, err := d.Client.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a2.TaskToken})
	must(t, err)
	task := d.PollDecision() // 10, at 0 s
	d.Advance(20 * time.Second)
	h := d.WantHistory(ex, afterFirst("ActivityTaskScheduled", "ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskCompleted", "DecisionTaskScheduled", "DecisionTaskStarted", "ActivityTaskTimedOut")...)
	activityTimedOut(d, eventAt(d, h, 11, types.EventTypeActivityTaskTimedOut, swftest.At(20*time.Second)), types.ActivityTaskTimeoutTypeScheduleToStart, 6, 0, nil)
	if _, decs := d.OpenCounts(ex); decs != 1 {
		t.Fatalf("open decision tasks: %d", decs)
	}

	d.Decide(task.TaskToken, swftest.CompleteWorkflow("too soon"))
	h = d.WantHistory(ex, afterFirst("ActivityTaskScheduled", "ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskCompleted", "DecisionTaskScheduled", "DecisionTaskStarted", "ActivityTaskTimedOut",
		"DecisionTaskCompleted", "CompleteWorkflowExecutionFailed", "DecisionTaskScheduled")...)
	if c := h[12].CompleteWorkflowExecutionFailedEventAttributes; c.Cause != types.CompleteWorkflowExecutionFailedCauseUnhandledDecision || c.DecisionTaskCompletedEventId != 12 {
		t.Fatalf("CompleteWorkflowExecutionFailed: %+v", c)
	}
	task = d.PollDecision()
	if task.StartedEventId != 15 || task.PreviousStartedEventId != 10 {
		t.Fatalf("next decision task: started %d previous %d", task.StartedEventId, task.PreviousStartedEventId)
	}
	d.Decide(task.TaskToken, swftest.CompleteWorkflow("now"))
	if st := d.Describe(ex).ExecutionInfo.CloseStatus; st != types.CloseStatusCompleted {
		t.Fatalf("close status: %s", st)
	}
}

// A run that closed has no timeouts left: its own and its tasks' timers
// were dropped with it.
func TestTimeoutsOfClosedRunDoNothing(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("closed", func(in *swf.StartWorkflowExecutionInput) { in.ExecutionStartToCloseTimeout = aws.String("100") })
	task := d.PollDecision()
	d.Decide(task.TaskToken, swftest.ScheduleActivity("a1"), swftest.ScheduleActivity("a2"))
	a1 := d.PollActivity()
	_, err := d.Client.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a1.TaskToken})
	must(t, err)
	task = d.PollDecision()
	d.Decide(task.TaskToken, swftest.CompleteWorkflow("early"))
	done := afterFirst("ActivityTaskScheduled", "ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskCompleted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted", "WorkflowExecutionCompleted")
	d.WantHistory(ex, done...)
	if n := d.PendingActivities(swftest.WorkerList); n != 0 {
		t.Fatalf("a2 is still pending after the run completed: %d", n)
	}

	// Past a2's schedule-to-start and the run's own timeout.
	d.Advance(10 * time.Minute)
	d.WantHistory(ex, done...)
	if info := d.Describe(ex).ExecutionInfo; info.CloseStatus != types.CloseStatusCompleted || !aws.ToTime(info.CloseTimestamp).Equal(swftest.At(0*time.Second)) {
		t.Fatalf("after the deadlines: close status %s at %v", info.CloseStatus, aws.ToTime(info.CloseTimestamp))
	}
}

func TestActivityScheduleToCloseTimeoutBeforeStart(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	// Schedule-to-close shorter than schedule-to-start: it wins.
	ex := scheduleOnStart(d, "s2c-waiting", swftest.ScheduleActivity("a1", activityTimeouts("60", "45", "", "")))

	d.Advance(44 * time.Second)
	d.WantHistory(ex, afterFirst("ActivityTaskScheduled")...)
	d.Advance(time.Second)
	h := d.WantHistory(ex, afterFirst("ActivityTaskScheduled", "ActivityTaskTimedOut", "DecisionTaskScheduled")...)
	activityTimedOut(d, eventAt(d, h, 6, types.EventTypeActivityTaskTimedOut, swftest.At(45*time.Second)), types.ActivityTaskTimeoutTypeScheduleToClose, 5, 0, nil)
	eventAt(d, h, 7, types.EventTypeDecisionTaskScheduled, swftest.At(45*time.Second))
	if n := d.PendingActivities(swftest.WorkerList); n != 0 {
		t.Fatalf("pending activity tasks after the timeout: %d", n)
	}
	if acts, _ := d.OpenCounts(ex); acts != 0 {
		t.Fatalf("open activity tasks after the timeout: %d", acts)
	}
	noActivityTask(d, swftest.WorkerList)

	// The schedule-to-start timer died with the task: one timeout only.
	d.Advance(10 * time.Minute)
	d.WantHistory(ex, afterFirst("ActivityTaskScheduled", "ActivityTaskTimedOut", "DecisionTaskScheduled")...)
}

func TestActivityScheduleToCloseTimeoutAfterStart(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := scheduleOnStart(d, "s2c-running", swftest.ScheduleActivity("a1", activityTimeouts("60", "100", "300", "NONE")))

	d.Advance(40 * time.Second)
	a := d.PollActivity()
	if a.StartedEventId != 6 {
		t.Fatalf("activity started as event %d", a.StartedEventId)
	}
	d.Advance(30 * time.Second)
	must(t, heartbeat(d, a.TaskToken, aws.String("70%")))
	d.Advance(29 * time.Second)
	d.WantHistory(ex, afterFirst("ActivityTaskScheduled", "ActivityTaskStarted")...)

	// 100 s after it was scheduled, not after it started.
	d.Advance(time.Second)
	h := d.WantHistory(ex, afterFirst("ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskTimedOut", "DecisionTaskScheduled")...)
	activityTimedOut(d, eventAt(d, h, 7, types.EventTypeActivityTaskTimedOut, swftest.At(100*time.Second)), types.ActivityTaskTimeoutTypeScheduleToClose, 5, 6, aws.String("70%"))
	eventAt(d, h, 8, types.EventTypeDecisionTaskScheduled, swftest.At(100*time.Second))
	if acts, decs := d.OpenCounts(ex); acts != 0 || decs != 1 {
		t.Fatalf("open counts after the timeout: %d activity tasks, %d decision tasks", acts, decs)
	}
	tokenDead(d, a.TaskToken)

	// Its start-to-close timer died with it.
	d.Advance(10 * time.Minute)
	d.WantHistory(ex, afterFirst("ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskTimedOut", "DecisionTaskScheduled")...)
}

func TestActivityStartToCloseTimeoutIgnoresHeartbeats(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := scheduleOnStart(d, "s2c", swftest.ScheduleActivity("a1", activityTimeouts("60", "600", "60", "20")))
	d.Advance(5 * time.Second)
	a := d.PollActivity() // started at 5 s: the deadline is 65 s

	// A heartbeat every 10 s, well within the heartbeat timeout.
	details := []string{"beat 1", "beat 2", "beat 3", "beat 4", "beat 5"}
	for _, name := range details {
		d.Advance(10 * time.Second)
		hb, err := d.Client.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: a.TaskToken, Details: aws.String(name)})
		must(t, err)
		if hb.CancelRequested {
			t.Fatal("heartbeat says cancel requested")
		}
	}
	d.Advance(9 * time.Second) // 64 s
	d.WantHistory(ex, afterFirst("ActivityTaskScheduled", "ActivityTaskStarted")...)

	d.Advance(time.Second) // 65 s
	h := d.WantHistory(ex, afterFirst("ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskTimedOut", "DecisionTaskScheduled")...)
	activityTimedOut(d, eventAt(d, h, 7, types.EventTypeActivityTaskTimedOut, swftest.At(65*time.Second)), types.ActivityTaskTimeoutTypeStartToClose, 5, 6, aws.String("beat 5"))
	tokenDead(d, a.TaskToken)

	// Neither the heartbeat timer nor schedule-to-close fires afterwards.
	d.Advance(10 * time.Minute)
	d.WantHistory(ex, afterFirst("ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskTimedOut", "DecisionTaskScheduled")...)
}

func TestActivityHeartbeatTimeout(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := scheduleOnStart(d, "heartbeat", swftest.ScheduleActivity("a1")) // heartbeat timeout 30 s
	a := d.PollActivity()                                                 // started at 0 s

	// Heartbeats every 20 s keep it alive for more than three heartbeat
	// periods.
	details := []string{"step 1", "step 2", "step 3", "step 4", "step 5"}
	for i, name := range details {
		d.Advance(20 * time.Second)
		must(t, heartbeat(d, a.TaskToken, aws.String(name)))
		d.WantHistory(ex, afterFirst("ActivityTaskScheduled", "ActivityTaskStarted")...)
		if acts, _ := d.OpenCounts(ex); acts != 1 {
			t.Fatalf("after heartbeat %d: %d open activity tasks", i+1, acts)
		}
	}

	// The last heartbeat came at 100 s: the timeout is due at 130 s.
	d.Advance(29 * time.Second)
	d.WantHistory(ex, afterFirst("ActivityTaskScheduled", "ActivityTaskStarted")...)
	d.Advance(time.Second)
	h := d.WantHistory(ex, afterFirst("ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskTimedOut", "DecisionTaskScheduled")...)
	activityTimedOut(d, eventAt(d, h, 7, types.EventTypeActivityTaskTimedOut, swftest.At(130*time.Second)), types.ActivityTaskTimeoutTypeHeartbeat, 5, 6, aws.String("step 5"))
	eventAt(d, h, 8, types.EventTypeDecisionTaskScheduled, swftest.At(130*time.Second))
	if acts, decs := d.OpenCounts(ex); acts != 0 || decs != 1 {
		t.Fatalf("open counts after the timeout: %d activity tasks, %d decision tasks", acts, decs)
	}
	tokenDead(d, a.TaskToken)

	task := d.PollDecision()
	if last := task.Events[len(task.Events)-3]; last.EventType != types.EventTypeActivityTaskTimedOut || aws.ToString(last.ActivityTaskTimedOutEventAttributes.Details) != "step 5" {
		t.Fatalf("the decider sees %v", swftest.EventTypes(task.Events))
	}
}

func TestActivityHeartbeatTimeoutRightAfterStart(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := scheduleOnStart(d, "no-heartbeat", swftest.ScheduleActivity("a1"))
	d.Advance(10 * time.Second)
	a := d.PollActivity() // started at 10 s, never heartbeats
	d.Advance(29 * time.Second)
	d.WantHistory(ex, afterFirst("ActivityTaskScheduled", "ActivityTaskStarted")...)
	d.Advance(time.Second)
	h := d.WantHistory(ex, afterFirst("ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskTimedOut", "DecisionTaskScheduled")...)
	activityTimedOut(d, eventAt(d, h, 7, types.EventTypeActivityTaskTimedOut, swftest.At(40*time.Second)), types.ActivityTaskTimeoutTypeHeartbeat, 5, 6, nil)
	tokenDead(d, a.TaskToken)
}

// The timed-out event carries the details of the last heartbeat, even
// when that heartbeat had none.
func TestActivityHeartbeatTimeoutKeepsLastCallDetails(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := scheduleOnStart(d, "last-details", swftest.ScheduleActivity("a1"), swftest.ScheduleActivity("a2"))
	a1 := d.PollActivity()
	a2 := d.PollActivity()
	if aws.ToString(a1.ActivityId) != "a1" || aws.ToString(a2.ActivityId) != "a2" {
		t.Fatalf("activities handed out: %s, %s", aws.ToString(a1.ActivityId), aws.ToString(a2.ActivityId))
	}
	d.Advance(10 * time.Second)
	must(t, heartbeat(d, a1.TaskToken, aws.String("half done")))
	must(t, heartbeat(d, a2.TaskToken, aws.String("first")))
	d.Advance(10 * time.Second)
	must(t, heartbeat(d, a1.TaskToken, nil))
	must(t, heartbeat(d, a2.TaskToken, aws.String("second")))

	d.Advance(30 * time.Second)
	h := d.WantHistory(ex, afterFirst("ActivityTaskScheduled", "ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskStarted",
		"ActivityTaskTimedOut", "DecisionTaskScheduled", "ActivityTaskTimedOut")...)
	activityTimedOut(d, eventAt(d, h, 9, types.EventTypeActivityTaskTimedOut, swftest.At(50*time.Second)), types.ActivityTaskTimeoutTypeHeartbeat, 5, 7, nil)
	activityTimedOut(d, eventAt(d, h, 11, types.EventTypeActivityTaskTimedOut, swftest.At(50*time.Second)), types.ActivityTaskTimeoutTypeHeartbeat, 6, 8, aws.String("second"))
}

// "NONE" disables each timeout: nothing times out however long it takes.
func TestTimeoutsNoneDisableTimeouts(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	const month = 30 * 24 * time.Hour
	ex := d.Start("none", func(in *swf.StartWorkflowExecutionInput) {
		in.ExecutionStartToCloseTimeout = aws.String("31536000") // the longest there is: a year
		in.TaskStartToCloseTimeout = aws.String("NONE")
	})
	task := d.PollDecision()
	d.Decide(task.TaskToken, swftest.ScheduleActivity("a1", activityTimeouts("NONE", "NONE", "NONE", "NONE")))
	h := d.WantHistory(ex, afterFirst("ActivityTaskScheduled")...)
	s := h[4].ActivityTaskScheduledEventAttributes
	if aws.ToString(s.ScheduleToStartTimeout) != "NONE" || aws.ToString(s.ScheduleToCloseTimeout) != "NONE" ||
		aws.ToString(s.StartToCloseTimeout) != "NONE" || aws.ToString(s.HeartbeatTimeout) != "NONE" {
		t.Fatalf("ActivityTaskScheduled timeouts: %+v", s)
	}

	// Waiting for a worker.
	d.Advance(month)
	d.WantHistory(ex, afterFirst("ActivityTaskScheduled")...)
	if n := d.PendingActivities(swftest.WorkerList); n != 1 {
		t.Fatalf("pending activity tasks after a month: %d", n)
	}

	// Running without heartbeats.
	a := d.PollActivity()
	d.Advance(month)
	d.WantHistory(ex, afterFirst("ActivityTaskScheduled", "ActivityTaskStarted")...)
	must(t, heartbeat(d, a.TaskToken, aws.String("still here")))
	d.Advance(month)
	d.Complete(a.TaskToken, "slow")

	// A decider that takes its time.
	task = d.PollDecision()
	d.Advance(month)
	d.WantHistory(ex, afterFirst("ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskCompleted", "DecisionTaskScheduled", "DecisionTaskStarted")...)
	d.Decide(task.TaskToken, swftest.CompleteWorkflow("done"))
	h = d.WantHistory(ex, afterFirst("ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskCompleted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted", "WorkflowExecutionCompleted")...)
	eventAt(d, h, 11, types.EventTypeWorkflowExecutionCompleted, swftest.At(0*time.Second).Add(4*month))
}

func TestDecisionTaskStartToCloseTimeout(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("decision-timeout") // task start-to-close: 30 s
	d.Advance(5 * time.Second)
	old := d.PollDecision() // started at 5 s
	if old.StartedEventId != 3 {
		t.Fatalf("first decision task started as event %d", old.StartedEventId)
	}
	d.Advance(29 * time.Second)
	d.WantHistory(ex, "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted")

	d.Advance(time.Second)
	h := d.WantHistory(ex, "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskTimedOut", "DecisionTaskScheduled")
	to := eventAt(d, h, 4, types.EventTypeDecisionTaskTimedOut, swftest.At(35*time.Second)).DecisionTaskTimedOutEventAttributes
	if to.TimeoutType != types.DecisionTaskTimeoutTypeStartToClose || to.ScheduledEventId != 2 || to.StartedEventId != 3 {
		t.Fatalf("DecisionTaskTimedOut: %+v", to)
	}
	eventAt(d, h, 5, types.EventTypeDecisionTaskScheduled, swftest.At(35*time.Second))
	if n := d.PendingDecisions(swftest.DeciderList); n != 1 {
		t.Fatalf("pending decision tasks after the timeout: %d", n)
	}
	if _, decs := d.OpenCounts(ex); decs != 1 {
		t.Fatalf("open decision tasks after the timeout: %d", decs)
	}

	// The late decider is refused and nothing it decided is recorded.
	_, err := d.Client.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: old.TaskToken, Decisions: []types.Decision{swftest.ScheduleActivity("late")}})
	wantFault[*types.UnknownResourceFault](t, err)
	d.WantHistory(ex, "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskTimedOut", "DecisionTaskScheduled")

	// The new task has a timer of its own: it times out 30 s after it
	// started, too.
	d.Advance(10 * time.Second)
	second := d.PollDecision() // started at 45 s
	if second.StartedEventId != 6 || second.PreviousStartedEventId != 0 {
		t.Fatalf("second decision task: started %d previous %d", second.StartedEventId, second.PreviousStartedEventId)
	}
	if got := swftest.EventTypes(second.Events); !slices.Equal(got, []types.EventType{"WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskTimedOut", "DecisionTaskScheduled", "DecisionTaskStarted"}) {
		t.Fatalf("second decision task history: %v", got)
	}
	d.Advance(29 * time.Second)
	d.WantHistory(ex, "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskTimedOut", "DecisionTaskScheduled", "DecisionTaskStarted")
	d.Advance(time.Second)
	h = d.WantHistory(ex, "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskTimedOut", "DecisionTaskScheduled", "DecisionTaskStarted",
		"DecisionTaskTimedOut", "DecisionTaskScheduled")
	to = eventAt(d, h, 7, types.EventTypeDecisionTaskTimedOut, swftest.At(75*time.Second)).DecisionTaskTimedOutEventAttributes
	if to.TimeoutType != types.DecisionTaskTimeoutTypeStartToClose || to.ScheduledEventId != 5 || to.StartedEventId != 6 {
		t.Fatalf("second DecisionTaskTimedOut: %+v", to)
	}
	_, err = d.Client.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: second.TaskToken})
	wantFault[*types.UnknownResourceFault](t, err)

	// The third is answered in time; its timer is disarmed.
	third := d.PollDecision()
	if third.StartedEventId != 9 {
		t.Fatalf("third decision task started as event %d", third.StartedEventId)
	}
	d.Decide(third.TaskToken, swftest.ScheduleActivity("a1", activityTimeouts("NONE", "NONE", "NONE", "NONE")))
	d.Advance(time.Hour - 76*time.Second) // just short of the run's own timeout
	h = d.WantHistory(ex, "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskTimedOut", "DecisionTaskScheduled", "DecisionTaskStarted",
		"DecisionTaskTimedOut", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted", "ActivityTaskScheduled")
	if c := h[9].DecisionTaskCompletedEventAttributes; c.ScheduledEventId != 8 || c.StartedEventId != 9 {
		t.Fatalf("DecisionTaskCompleted: %+v", c)
	}
}

// A decision task put on a temporary task list goes back to the run's own
// list when nobody takes it in time.
func TestDecisionTaskScheduleToStartTimeout(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("override")
	task := d.PollDecision()
	_, err := d.Client.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{
		TaskToken: task.TaskToken, TaskList: &types.TaskList{Name: aws.String("urgent")}, TaskListScheduleToStartTimeout: aws.String("20"),
	})
	must(t, err)
	d.Advance(5 * time.Second)
	_, err = d.Client.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: ex.WorkflowId, SignalName: aws.String("wake")})
	must(t, err)
	h := d.WantHistory(ex, "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted", "WorkflowExecutionSignaled", "DecisionTaskScheduled")
	s := h[5].DecisionTaskScheduledEventAttributes
	if aws.ToString(s.TaskList.Name) != "urgent" || aws.ToString(s.ScheduleToStartTimeout) != "20" {
		t.Fatalf("DecisionTaskScheduled on the override: %+v", s)
	}
	if n := d.PendingDecisions("urgent"); n != 1 {
		t.Fatalf("pending on the override list: %d", n)
	}

	d.Advance(19 * time.Second)
	d.WantHistory(ex, "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted", "WorkflowExecutionSignaled", "DecisionTaskScheduled")
	d.Advance(time.Second)
	h = d.WantHistory(ex, "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted", "WorkflowExecutionSignaled", "DecisionTaskScheduled",
		"DecisionTaskTimedOut", "DecisionTaskScheduled")
	to := eventAt(d, h, 7, types.EventTypeDecisionTaskTimedOut, swftest.At(25*time.Second)).DecisionTaskTimedOutEventAttributes
	if to.TimeoutType != types.DecisionTaskTimeoutTypeScheduleToStart || to.ScheduledEventId != 6 || to.StartedEventId != 0 {
		t.Fatalf("DecisionTaskTimedOut: %+v", to)
	}
	s = eventAt(d, h, 8, types.EventTypeDecisionTaskScheduled, swftest.At(25*time.Second)).DecisionTaskScheduledEventAttributes
	if aws.ToString(s.TaskList.Name) != swftest.DeciderList || s.ScheduleToStartTimeout != nil {
		t.Fatalf("DecisionTaskScheduled back on the run's list: %+v", s)
	}
	if n := d.PendingDecisions("urgent"); n != 0 {
		t.Fatalf("pending on the override list after the timeout: %d", n)
	}
	if n := d.PendingDecisions(swftest.DeciderList); n != 1 {
		t.Fatalf("pending on the run's list after the timeout: %d", n)
	}
	task = d.PollDecision()
	if task.StartedEventId != 9 || task.PreviousStartedEventId != 3 {
		t.Fatalf("decision task: started %d previous %d", task.StartedEventId, task.PreviousStartedEventId)
	}
	d.Decide(task.TaskToken, swftest.CompleteWorkflow("ok"))
}

// A decision task started from a temporary task list that times out also
// sends the run back to its own list.
func TestDecisionTaskOnOverrideListStartToCloseTimeout(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("override-started")
	task := d.PollDecision()
	_, err := d.Client.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{
		TaskToken: task.TaskToken, TaskList: &types.TaskList{Name: aws.String("urgent")}, TaskListScheduleToStartTimeout: aws.String("20"),
		Decisions: []types.Decision{swftest.ScheduleActivity("a1", activityTimeouts("NONE", "NONE", "NONE", "NONE"))},
	})
	must(t, err)
	a := d.PollActivity()
	_, err = d.Client.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a.TaskToken})
	must(t, err)
	out := d.PollDecisionOn("urgent")
	if out.StartedEventId != 9 {
		t.Fatalf("decision task on the override list started as event %d", out.StartedEventId)
	}
	// Started in time: its schedule-to-start no longer applies.
	d.Advance(29 * time.Second)
	d.WantHistory(ex, afterFirst("ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskCompleted", "DecisionTaskScheduled", "DecisionTaskStarted")...)
	d.Advance(time.Second)
	h := d.WantHistory(ex, afterFirst("ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskCompleted", "DecisionTaskScheduled", "DecisionTaskStarted",
		"DecisionTaskTimedOut", "DecisionTaskScheduled")...)
	to := eventAt(d, h, 10, types.EventTypeDecisionTaskTimedOut, swftest.At(30*time.Second)).DecisionTaskTimedOutEventAttributes
	if to.TimeoutType != types.DecisionTaskTimeoutTypeStartToClose || to.ScheduledEventId != 8 || to.StartedEventId != 9 {
		t.Fatalf("DecisionTaskTimedOut: %+v", to)
	}
	if s := h[10].DecisionTaskScheduledEventAttributes; aws.ToString(s.TaskList.Name) != swftest.DeciderList || s.ScheduleToStartTimeout != nil {
		t.Fatalf("DecisionTaskScheduled after the timeout: %+v", s)
	}
	if n := d.PendingDecisions(swftest.DeciderList); n != 1 {
		t.Fatalf("pending on the run's list: %d", n)
	}
	_, err = d.Client.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: out.TaskToken})
	wantFault[*types.UnknownResourceFault](t, err)
}

func TestWorkflowExecutionStartToCloseTimeout(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("run-timeout", func(in *swf.StartWorkflowExecutionInput) {
		in.ExecutionStartToCloseTimeout = aws.String("120")
		in.ChildPolicy = types.ChildPolicyAbandon
	})
	task := d.PollDecision()
	long := activityTimeouts("NONE", "NONE", "NONE", "NONE")
	d.Decide(task.TaskToken, swftest.ScheduleActivity("a1", long), swftest.ScheduleActivity("a2", long), swftest.ScheduleActivity("a3", long))
	a1 := d.PollActivity() // 8: started, left running
	a2 := d.PollActivity() // 9: started and completed, which asks for a decision
	if aws.ToString(a1.ActivityId) != "a1" || aws.ToString(a2.ActivityId) != "a2" {
		t.Fatalf("activities handed out: %s, %s", aws.ToString(a1.ActivityId), aws.ToString(a2.ActivityId))
	}
	d.Advance(10 * time.Second)
	_, err := d.Client.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a2.TaskToken})
	must(t, err)
	task = d.PollDecision() // 12, answered in time
	d.Advance(20 * time.Second)
	_, err = d.Client.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: task.TaskToken})
	must(t, err)
	d.Advance(80 * time.Second)
	_, err = d.Client.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: ex.WorkflowId, SignalName: aws.String("ping")})
	must(t, err)
	task = d.PollDecision() // started at 110 s; a3 still waits on the list
	open := afterFirst("ActivityTaskScheduled", "ActivityTaskScheduled", "ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskStarted",
		"ActivityTaskCompleted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted", "WorkflowExecutionSignaled", "DecisionTaskScheduled", "DecisionTaskStarted")
	d.Advance(9 * time.Second)
	d.WantHistory(ex, open...)
	if acts, decs := d.OpenCounts(ex); acts != 2 || decs != 1 {
		t.Fatalf("open counts before the timeout: %d activity tasks, %d decision tasks", acts, decs)
	}

	d.Advance(time.Second)
	h := d.WantHistory(ex, append(open, "WorkflowExecutionTimedOut")...)
	to := eventAt(d, h, 17, types.EventTypeWorkflowExecutionTimedOut, swftest.At(120*time.Second)).WorkflowExecutionTimedOutEventAttributes
	if to.TimeoutType != types.WorkflowExecutionTimeoutTypeStartToClose || to.ChildPolicy != types.ChildPolicyAbandon {
		t.Fatalf("WorkflowExecutionTimedOut: %+v", to)
	}

	desc := d.Describe(ex)
	info := desc.ExecutionInfo
	if info.ExecutionStatus != types.ExecutionStatusClosed || info.CloseStatus != types.CloseStatusTimedOut || !aws.ToTime(info.CloseTimestamp).Equal(swftest.At(120*time.Second)) {
		t.Fatalf("describe after the timeout: status %s close status %s at %v", info.ExecutionStatus, info.CloseStatus, aws.ToTime(info.CloseTimestamp))
	}
	if c := desc.OpenCounts; c.OpenActivityTasks != 0 || c.OpenDecisionTasks != 0 {
		t.Fatalf("open counts after the timeout: %+v", c)
	}
	if n := d.PendingActivities(swftest.WorkerList); n != 0 {
		t.Fatalf("pending activity tasks after the timeout: %d", n)
	}
	if n := d.PendingDecisions(swftest.DeciderList); n != 0 {
		t.Fatalf("pending decision tasks after the timeout: %d", n)
	}
	noActivityTask(d, swftest.WorkerList)
	tokenDead(d, a1.TaskToken)
	_, err = d.Client.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: task.TaskToken, Decisions: []types.Decision{swftest.CompleteWorkflow("too late")}})
	wantFault[*types.UnknownResourceFault](t, err)
	_, err = d.Client.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: ex.WorkflowId, RunId: ex.RunId, SignalName: aws.String("late")})
	wantFault[*types.UnknownResourceFault](t, err)

	closed := func(status types.CloseStatus) []types.WorkflowExecutionInfo {
		out, err := d.Client.ListClosedWorkflowExecutions(ctx, &swf.ListClosedWorkflowExecutionsInput{
			Domain: aws.String(d.Name), StartTimeFilter: &types.ExecutionTimeFilter{OldestDate: aws.Time(swftest.Epoch)},
			CloseStatusFilter: &types.CloseStatusFilter{Status: status},
		})
		must(t, err)
		return out.ExecutionInfos
	}
	got := closed(types.CloseStatusTimedOut)
	if len(got) != 1 || aws.ToString(got[0].Execution.RunId) != aws.ToString(ex.RunId) || got[0].CloseStatus != types.CloseStatusTimedOut || !aws.ToTime(got[0].CloseTimestamp).Equal(swftest.At(120*time.Second)) {
		t.Fatalf("closed runs that timed out: %+v", got)
	}
	if got := closed(types.CloseStatusCompleted); len(got) != 0 {
		t.Fatalf("closed runs that completed: %+v", got)
	}
	open2, err := d.Client.ListOpenWorkflowExecutions(ctx, &swf.ListOpenWorkflowExecutionsInput{Domain: aws.String(d.Name), StartTimeFilter: &types.ExecutionTimeFilter{OldestDate: aws.Time(swftest.Epoch)}})
	must(t, err)
	if len(open2.ExecutionInfos) != 0 {
		t.Fatalf("open runs after the timeout: %+v", open2.ExecutionInfos)
	}

	// No timer of the closed run fires any more.
	d.Advance(10 * time.Minute)
	d.WantHistory(ex, append(open, "WorkflowExecutionTimedOut")...)

	// The workflow id is free for a new run.
	again := d.Start("run-timeout")
	if aws.ToString(again.RunId) == aws.ToString(ex.RunId) {
		t.Fatal("the new run has the old run's id")
	}
}

// Timers, tasks and tokens live in the database: a restart in the middle
// of a run loses none of them, and fires none twice.
func TestTimersAndTasksSurviveRestart(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := scheduleOnStart(d, "restart",
		swftest.ScheduleActivity("a1"), // heartbeat timeout 30 s
		swftest.ScheduleActivity("a2", activityTimeouts("", "", "", "NONE"), func(a *types.ScheduleActivityTaskDecisionAttributes) {
			a.TaskList = &types.TaskList{Name: aws.String("later")}
		}),
		swftest.ScheduleActivity("a3", activityTimeouts("", "", "", "NONE")),
	)
	a1 := d.PollActivity() // 8
	a3 := d.PollActivity() // 9
	if aws.ToString(a1.ActivityId) != "a1" || aws.ToString(a3.ActivityId) != "a3" || a1.StartedEventId != 8 || a3.StartedEventId != 9 {
		t.Fatalf("activities handed out: %s (%d), %s (%d)", aws.ToString(a1.ActivityId), a1.StartedEventId, aws.ToString(a3.ActivityId), a3.StartedEventId)
	}
	d.Advance(10 * time.Second)
	must(t, heartbeat(d, a1.TaskToken, aws.String("before restart"))) // a1 now times out at 40 s

	d.Restart()

	before := afterFirst("ActivityTaskScheduled", "ActivityTaskScheduled", "ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskStarted")
	d.WantHistory(ex, before...)
	if acts, decs := d.OpenCounts(ex); acts != 3 || decs != 0 {
		t.Fatalf("open counts after the restart: %d activity tasks, %d decision tasks", acts, decs)
	}

	// A task scheduled before the restart is handed out after it.
	if n := d.PendingActivities("later"); n != 1 {
		t.Fatalf("pending on later after the restart: %d", n)
	}
	a2 := d.PollActivityOn("later")
	if aws.ToString(a2.ActivityId) != "a2" || a2.StartedEventId != 10 || aws.ToString(a2.Input) != "input of a2" {
		t.Fatalf("task scheduled before the restart: %s started %d input %q", aws.ToString(a2.ActivityId), a2.StartedEventId, aws.ToString(a2.Input))
	}
	// A token issued before the restart still works.
	d.Complete(a3.TaskToken, "a3 done")
	withA3 := append(slices.Clone(before), "ActivityTaskStarted", "ActivityTaskCompleted", "DecisionTaskScheduled")
	h := d.WantHistory(ex, withA3...)
	if c := h[10].ActivityTaskCompletedEventAttributes; c.ScheduledEventId != 7 || c.StartedEventId != 9 || aws.ToString(c.Result) != "a3 done" {
		t.Fatalf("ActivityTaskCompleted: %+v", c)
	}

	// The heartbeat timer armed before the restart fires on time.
	d.Advance(29 * time.Second)
	d.WantHistory(ex, withA3...)
	d.Advance(time.Second)
	timedOut := append(slices.Clone(withA3), "ActivityTaskTimedOut")
	h = d.WantHistory(ex, timedOut...)
	activityTimedOut(d, eventAt(d, h, 13, types.EventTypeActivityTaskTimedOut, swftest.At(40*time.Second)), types.ActivityTaskTimeoutTypeHeartbeat, 5, 8, aws.String("before restart"))
	tokenDead(d, a1.TaskToken)

	// Exactly once: firing again, and after another restart, adds nothing.
	must(t, d.FireDueTimers(ctx))
	d.Restart()
	d.Advance(0)
	d.WantHistory(ex, timedOut...)

	// The decision task scheduled before that restart is handed out, and
	// the run completes.
	d.Complete(a2.TaskToken, "a2 done")
	task := d.PollDecision()
	if task.StartedEventId != 15 || task.PreviousStartedEventId != 3 {
		t.Fatalf("decision task after the restarts: started %d previous %d", task.StartedEventId, task.PreviousStartedEventId)
	}
	// A decision token survives a restart too.
	d.Restart()
	d.Decide(task.TaskToken, swftest.CompleteWorkflow("survived"))
	d.WantHistory(ex, append(timedOut, "ActivityTaskCompleted", "DecisionTaskStarted", "DecisionTaskCompleted", "WorkflowExecutionCompleted")...)
	if st := d.Describe(ex).ExecutionInfo.CloseStatus; st != types.CloseStatusCompleted {
		t.Fatalf("close status: %s", st)
	}
}

// Timers that fell due while no server was running fire when one starts.
func TestTimeoutsDueDuringOutageFireOnRestart(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := scheduleOnStart(d, "outage", swftest.ScheduleActivity("a2"), swftest.ScheduleActivity("a1")) // heartbeat 30 s; schedule-to-start 60 s
	a2 := d.PollActivity()
	if aws.ToString(a2.ActivityId) != "a2" || a2.StartedEventId != 7 {
		t.Fatalf("activity handed out: %s started %d", aws.ToString(a2.ActivityId), a2.StartedEventId)
	}

	d.DownFor(100 * time.Second)
	must(t, d.FireDueTimers(ctx))

	h := d.WantHistory(ex, afterFirst("ActivityTaskScheduled", "ActivityTaskScheduled", "ActivityTaskStarted",
		"ActivityTaskTimedOut", "DecisionTaskScheduled", "ActivityTaskTimedOut")...)
	// In the order of their deadlines, at the time they fired.
	activityTimedOut(d, eventAt(d, h, 8, types.EventTypeActivityTaskTimedOut, swftest.At(100*time.Second)), types.ActivityTaskTimeoutTypeHeartbeat, 5, 7, nil)
	eventAt(d, h, 9, types.EventTypeDecisionTaskScheduled, swftest.At(100*time.Second))
	activityTimedOut(d, eventAt(d, h, 10, types.EventTypeActivityTaskTimedOut, swftest.At(100*time.Second)), types.ActivityTaskTimeoutTypeScheduleToStart, 6, 0, nil)
	if n := d.PendingActivities(swftest.WorkerList); n != 0 {
		t.Fatalf("pending activity tasks: %d", n)
	}
	tokenDead(d, a2.TaskToken)
	task := d.PollDecision()
	d.Decide(task.TaskToken, swftest.CompleteWorkflow("after the outage"))
	d.WantHistory(ex, afterFirst("ActivityTaskScheduled", "ActivityTaskScheduled", "ActivityTaskStarted",
		"ActivityTaskTimedOut", "DecisionTaskScheduled", "ActivityTaskTimedOut", "DecisionTaskStarted", "DecisionTaskCompleted", "WorkflowExecutionCompleted")...)
}

// The decision task's and the run's timers also fire after a restart.
func TestDecisionAndRunTimeoutsAfterRestart(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("restart-run", func(in *swf.StartWorkflowExecutionInput) { in.ExecutionStartToCloseTimeout = aws.String("100") })
	d.Advance(10 * time.Second)
	task := d.PollDecision() // times out at 40 s

	d.Restart()

	d.Advance(29 * time.Second)
	d.WantHistory(ex, "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted")
	d.Advance(time.Second)
	h := d.WantHistory(ex, "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskTimedOut", "DecisionTaskScheduled")
	to := eventAt(d, h, 4, types.EventTypeDecisionTaskTimedOut, swftest.At(40*time.Second)).DecisionTaskTimedOutEventAttributes
	if to.TimeoutType != types.DecisionTaskTimeoutTypeStartToClose || to.ScheduledEventId != 2 || to.StartedEventId != 3 {
		t.Fatalf("DecisionTaskTimedOut: %+v", to)
	}
	_, err := d.Client.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: task.TaskToken})
	wantFault[*types.UnknownResourceFault](t, err)

	d.Restart()

	d.Advance(59 * time.Second)
	d.WantHistory(ex, "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskTimedOut", "DecisionTaskScheduled")
	d.Advance(time.Second)
	h = d.WantHistory(ex, "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskTimedOut", "DecisionTaskScheduled", "WorkflowExecutionTimedOut")
	eventAt(d, h, 6, types.EventTypeWorkflowExecutionTimedOut, swftest.At(100*time.Second))
	if n := d.PendingDecisions(swftest.DeciderList); n != 0 {
		t.Fatalf("pending decision tasks after the run timed out: %d", n)
	}
	if st := d.Describe(ex).ExecutionInfo.CloseStatus; st != types.CloseStatusTimedOut {
		t.Fatalf("close status: %s", st)
	}
}

// Each timeout event is stamped with the time the clock showed when it
// fired, and takes the next event id.
func TestTimeoutTimeline(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := scheduleOnStart(d, "timeline",
		swftest.ScheduleActivity("a1"),                                          // schedule-to-start 60 s
		swftest.ScheduleActivity("a2", activityTimeouts("90", "", "", "")),      // schedule-to-start 90 s
		swftest.ScheduleActivity("a3", activityTimeouts("NONE", "200", "", "")), // schedule-to-close 200 s
	)
	d.Advance(60 * time.Second)
	// The clock passes a2's deadline (90 s) by 15 s before timers fire.
	d.Advance(45 * time.Second)
	task := d.PollDecision() // started at 105 s
	d.Advance(30 * time.Second)
	d.Advance(65 * time.Second)

	h := d.WantHistory(ex, afterFirst("ActivityTaskScheduled", "ActivityTaskScheduled", "ActivityTaskScheduled",
		"ActivityTaskTimedOut", "DecisionTaskScheduled", "ActivityTaskTimedOut", "DecisionTaskStarted",
		"DecisionTaskTimedOut", "DecisionTaskScheduled", "ActivityTaskTimedOut")...)
	for id := 1; id <= 7; id++ {
		if ts := aws.ToTime(h[id-1].EventTimestamp); !ts.Equal(swftest.At(0 * time.Second)) {
			t.Fatalf("event %d (%s) at %v, want %v", id, h[id-1].EventType, ts, swftest.At(0*time.Second))
		}
	}
	activityTimedOut(d, eventAt(d, h, 8, types.EventTypeActivityTaskTimedOut, swftest.At(60*time.Second)), types.ActivityTaskTimeoutTypeScheduleToStart, 5, 0, nil)
	eventAt(d, h, 9, types.EventTypeDecisionTaskScheduled, swftest.At(60*time.Second))
	activityTimedOut(d, eventAt(d, h, 10, types.EventTypeActivityTaskTimedOut, swftest.At(105*time.Second)), types.ActivityTaskTimeoutTypeScheduleToStart, 6, 0, nil)
	eventAt(d, h, 11, types.EventTypeDecisionTaskStarted, swftest.At(105*time.Second))
	if task.StartedEventId != 11 {
		t.Fatalf("decision task started as event %d", task.StartedEventId)
	}
	to := eventAt(d, h, 12, types.EventTypeDecisionTaskTimedOut, swftest.At(135*time.Second)).DecisionTaskTimedOutEventAttributes
	if to.ScheduledEventId != 9 || to.StartedEventId != 11 {
		t.Fatalf("DecisionTaskTimedOut: %+v", to)
	}
	eventAt(d, h, 13, types.EventTypeDecisionTaskScheduled, swftest.At(135*time.Second))
	activityTimedOut(d, eventAt(d, h, 14, types.EventTypeActivityTaskTimedOut, swftest.At(200*time.Second)), types.ActivityTaskTimeoutTypeScheduleToClose, 7, 0, nil)

	// The next decider sees all of it, and the next event takes id 16.
	task = d.PollDecision()
	if task.StartedEventId != 15 || task.PreviousStartedEventId != 3 || len(task.Events) != 15 {
		t.Fatalf("decision task: started %d previous %d, %d events", task.StartedEventId, task.PreviousStartedEventId, len(task.Events))
	}
	d.Decide(task.TaskToken, swftest.CompleteWorkflow("late"))
	h = d.WantHistory(ex, afterFirst("ActivityTaskScheduled", "ActivityTaskScheduled", "ActivityTaskScheduled",
		"ActivityTaskTimedOut", "DecisionTaskScheduled", "ActivityTaskTimedOut", "DecisionTaskStarted",
		"DecisionTaskTimedOut", "DecisionTaskScheduled", "ActivityTaskTimedOut", "DecisionTaskStarted",
		"DecisionTaskCompleted", "WorkflowExecutionCompleted")...)
	eventAt(d, h, 17, types.EventTypeWorkflowExecutionCompleted, swftest.At(200*time.Second))
}
