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

// Helpers of the old fixture that files of the other branch still use;
// the files of this branch speak swftest. Delete this file with the old
// fixture once no file calls these.

func dtFailWorkflow(reason, details string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeFailWorkflowExecution, FailWorkflowExecutionDecisionAttributes: &types.FailWorkflowExecutionDecisionAttributes{Reason: aws.String(reason), Details: aws.String(details)}}
}

// dtResult is what a call made in another goroutine returned.
type dtResult[T any] struct {
	out T
	err error
}

// dtAsync makes a call in another goroutine, for long polls.
func dtAsync[T any](fn func() (T, error)) <-chan dtResult[T] {
	ch := make(chan dtResult[T], 1)
	go func() {
		out, err := fn()
		ch <- dtResult[T]{out, err}
	}()
	return ch
}

// dtAwait waits for a call made with dtAsync; the real-time bound only
// keeps a broken server from hanging the test.
func dtAwait[T any](t *testing.T, ch <-chan dtResult[T]) T {
	t.Helper()
	select {
	case r := <-ch:
		must(t, r.err)
		return r.out
	case <-time.After(10 * time.Second):
		t.Fatal("the call did not return")
	}
	panic("unreachable")
}

// dtPending asserts that a call made with dtAsync has not returned.
func dtPending[T any](t *testing.T, ch <-chan dtResult[T], what string) {
	t.Helper()
	select {
	case r := <-ch:
		t.Fatalf("%s returned early: %+v %v", what, r.out, r.err)
	default:
	}
}

// dtWaitWaiters waits until n timers wait on the fake clock: every long
// poll arms one when it starts to wait, and the server's timer loop one
// while any durable timer is armed. It is how a test knows its polls wait.
func dtWaitWaiters(t *testing.T, f *fixture, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for f.Clock.Waiters() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d timers wait on the clock, want %d", f.Clock.Waiters(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func dtPollDecisionIn(c *swf.Client, f *fixture, list string) func() (*swf.PollForDecisionTaskOutput, error) {
	return func() (*swf.PollForDecisionTaskOutput, error) {
		return c.PollForDecisionTask(context.Background(), &swf.PollForDecisionTaskInput{Domain: f.domain, TaskList: &types.TaskList{Name: aws.String(list)}})
	}
}

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

// exAllTime is a time filter that lets every run through.
func exAllTime() *types.ExecutionTimeFilter {
	return &types.ExecutionTimeFilter{OldestDate: aws.Time(time.Unix(0, 0))}
}

// exStarted returns the WorkflowExecutionStarted event of a run, checking
// that it is the first one.
func (f *fixture) exStarted(ex *types.WorkflowExecution) *types.WorkflowExecutionStartedEventAttributes {
	f.t.Helper()
	h := f.history(ex)
	if len(h) == 0 || h[0].EventType != types.EventTypeWorkflowExecutionStarted || h[0].EventId != 1 {
		f.t.Fatalf("history does not begin with WorkflowExecutionStarted: %v", eventTypes(h))
	}
	a := h[0].WorkflowExecutionStartedEventAttributes
	if a == nil {
		f.t.Fatal("WorkflowExecutionStarted without its attributes")
	}
	return a
}

func activityType(name, version string) *types.ActivityType {
	return &types.ActivityType{Name: aws.String(name), Version: aws.String(version)}
}

func workflowType(name, version string) *types.WorkflowType {
	return &types.WorkflowType{Name: aws.String(name), Version: aws.String(version)}
}
