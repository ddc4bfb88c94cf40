package server_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/swftest"
)

// Helpers of decisions_test.go and tasks_test.go start with dt.

// dtStr shows an optional string, telling nil from "".
func dtStr(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%q", *s)
}

// dtSignal signals a run.
func dtSignal(f *fixture, ex *types.WorkflowExecution, name string) {
	f.t.Helper()
	_, err := f.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: f.domain, WorkflowId: ex.WorkflowId, RunId: ex.RunId, SignalName: aws.String(name), Input: aws.String("input of " + name)})
	must(f.t, err)
}

// dtHistory returns a run's whole history, checking that event ids run
// 1, 2, 3, ...
func dtHistory(f *fixture, ex *types.WorkflowExecution) []types.HistoryEvent {
	f.t.Helper()
	h := f.history(ex)
	for i, ev := range h {
		if ev.EventId != int64(i+1) {
			f.t.Fatalf("event %d of the history has id %d", i+1, ev.EventId)
		}
	}
	return h
}

// dtWantHistory asserts the types of a run's events from id first on, and
// returns the whole history.
func dtWantHistory(f *fixture, ex *types.WorkflowExecution, first int64, want ...types.EventType) []types.HistoryEvent {
	f.t.Helper()
	h := dtHistory(f, ex)
	var got []string
	if int(first-1) <= len(h) {
		got = eventTypes(h[first-1:])
	}
	var w []string
	for _, t := range want {
		w = append(w, string(t))
	}
	if !slices.Equal(got, w) {
		f.t.Fatalf("events from %d on:\n got %v\nwant %v", first, got, w)
	}
	return h
}

// dtDecideErr answers a decision task and returns the error.
func dtDecideErr(f *fixture, token *string, decisions ...types.Decision) error {
	_, err := f.c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: token, Decisions: decisions})
	return err
}

// dtPollDecision polls a decision task list and fails the test if no task
// is there.
func dtPollDecision(f *fixture, list string, mod ...func(*swf.PollForDecisionTaskInput)) *swf.PollForDecisionTaskOutput {
	f.t.Helper()
	in := &swf.PollForDecisionTaskInput{Domain: f.domain, TaskList: &types.TaskList{Name: aws.String(list)}, Identity: aws.String("decider-2")}
	for _, m := range mod {
		m(in)
	}
	out, err := f.c.PollForDecisionTask(pollCtx(f.t), in)
	must(f.t, err)
	if out.TaskToken == nil {
		f.t.Fatalf("no decision task on %s", list)
	}
	return out
}

// dtPollActivity polls an activity task list and fails the test if no task
// is there.
func dtPollActivity(f *fixture, list string) *swf.PollForActivityTaskOutput {
	f.t.Helper()
	out, err := f.c.PollForActivityTask(pollCtx(f.t), &swf.PollForActivityTaskInput{Domain: f.domain, TaskList: &types.TaskList{Name: aws.String(list)}, Identity: aws.String("worker-2")})
	must(f.t, err)
	if out.TaskToken == nil {
		f.t.Fatalf("no activity task on %s", list)
	}
	return out
}

// dtPendingActivities and dtPendingDecisions count the tasks waiting on a
// list.
func dtPendingActivities(f *fixture, list string) int32 {
	f.t.Helper()
	out, err := f.c.CountPendingActivityTasks(ctx, &swf.CountPendingActivityTasksInput{Domain: f.domain, TaskList: &types.TaskList{Name: aws.String(list)}})
	must(f.t, err)
	if out.Truncated {
		f.t.Fatalf("count of %s truncated", list)
	}
	return out.Count
}

func dtPendingDecisions(f *fixture, list string) int32 {
	f.t.Helper()
	out, err := f.c.CountPendingDecisionTasks(ctx, &swf.CountPendingDecisionTasksInput{Domain: f.domain, TaskList: &types.TaskList{Name: aws.String(list)}})
	must(f.t, err)
	if out.Truncated {
		f.t.Fatalf("count of %s truncated", list)
	}
	return out.Count
}

// dtOpenCounts returns a run's open activity and decision tasks.
func dtOpenCounts(f *fixture, ex *types.WorkflowExecution) (activities, decisions int32) {
	f.t.Helper()
	c := f.describe(ex).OpenCounts
	return c.OpenActivityTasks, c.OpenDecisionTasks
}

func dtRecordMarker(name string, details *string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeRecordMarker, RecordMarkerDecisionAttributes: &types.RecordMarkerDecisionAttributes{MarkerName: aws.String(name), Details: details}}
}

func dtCancelActivity(id string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeRequestCancelActivityTask, RequestCancelActivityTaskDecisionAttributes: &types.RequestCancelActivityTaskDecisionAttributes{ActivityId: aws.String(id)}}
}

func dtFailWorkflow(reason, details string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeFailWorkflowExecution, FailWorkflowExecutionDecisionAttributes: &types.FailWorkflowExecutionDecisionAttributes{Reason: aws.String(reason), Details: aws.String(details)}}
}

func dtCancelWorkflow(details string) types.Decision {
	return types.Decision{DecisionType: types.DecisionTypeCancelWorkflowExecution, CancelWorkflowExecutionDecisionAttributes: &types.CancelWorkflowExecutionDecisionAttributes{Details: aws.String(details)}}
}

// dtScheduled shows every attribute of an ActivityTaskScheduled event.
func dtScheduled(a *types.ActivityTaskScheduledEventAttributes) string {
	return fmt.Sprintf("type=%s/%s id=%s input=%s control=%s list=%s priority=%s s2s=%s s2c=%s stc=%s hb=%s completed=%d",
		aws.ToString(a.ActivityType.Name), aws.ToString(a.ActivityType.Version), dtStr(a.ActivityId), dtStr(a.Input), dtStr(a.Control),
		aws.ToString(a.TaskList.Name), dtStr(a.TaskPriority), dtStr(a.ScheduleToStartTimeout), dtStr(a.ScheduleToCloseTimeout),
		dtStr(a.StartToCloseTimeout), dtStr(a.HeartbeatTimeout), a.DecisionTaskCompletedEventId)
}

// dtScheduleFailed shows every attribute of a ScheduleActivityTaskFailed
// event.
func dtScheduleFailed(a *types.ScheduleActivityTaskFailedEventAttributes) string {
	return fmt.Sprintf("type=%s/%s id=%s cause=%s completed=%d", aws.ToString(a.ActivityType.Name), aws.ToString(a.ActivityType.Version), dtStr(a.ActivityId), a.Cause, a.DecisionTaskCompletedEventId)
}

func TestScheduleActivityTaskResolvesEachValue(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, err := f.c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{
		Domain: f.domain, Name: aws.String("prio"), Version: aws.String("1"),
		DefaultTaskList:                   &types.TaskList{Name: aws.String(workerList)},
		DefaultTaskPriority:               aws.String("7"),
		DefaultTaskScheduleToStartTimeout: aws.String("11"),
		DefaultTaskScheduleToCloseTimeout: aws.String("12"),
		DefaultTaskStartToCloseTimeout:    aws.String("13"),
		DefaultTaskHeartbeatTimeout:       aws.String("14"),
	})
	must(t, err)
	ex := f.start("resolve")
	if d := f.describe(ex); d.LatestActivityTaskTimestamp != nil {
		t.Fatalf("latestActivityTaskTimestamp before any activity: %v", d.LatestActivityTaskTimestamp)
	}
	d := f.decision()
	f.Clock.Advance(5 * time.Second)
	scheduledAt := swftest.Epoch.Add(5 * time.Second)
	f.decide(d.TaskToken,
		scheduleActivity("defaults"),
		scheduleActivity("overrides", func(a *types.ScheduleActivityTaskDecisionAttributes) {
			a.TaskList = &types.TaskList{Name: aws.String("special")}
			a.ScheduleToStartTimeout = aws.String("5")
			a.ScheduleToCloseTimeout = aws.String("NONE")
			a.StartToCloseTimeout = aws.String("7")
			a.HeartbeatTimeout = aws.String("NONE")
			a.TaskPriority = aws.String("-3")
			a.Control = aws.String("ctl")
		}),
		scheduleActivity("typed", func(a *types.ScheduleActivityTaskDecisionAttributes) {
			a.ActivityType = activityType("prio", "1")
			a.StartToCloseTimeout = aws.String("99")
		}),
		scheduleActivity("typed-zero", func(a *types.ScheduleActivityTaskDecisionAttributes) {
			a.ActivityType = activityType("prio", "1")
			a.TaskPriority = aws.String("0")
			a.Input = nil
		}),
	)

	// Scheduling activities asks for no decision.
	h := dtWantHistory(f, ex, 4, types.EventTypeDecisionTaskCompleted,
		types.EventTypeActivityTaskScheduled, types.EventTypeActivityTaskScheduled, types.EventTypeActivityTaskScheduled, types.EventTypeActivityTaskScheduled)
	want := []string{
		`type=work/1 id="defaults" input="input of defaults" control=<nil> list=workers priority="0" s2s="60" s2c="600" stc="300" hb="30" completed=4`,
		`type=work/1 id="overrides" input="input of overrides" control="ctl" list=special priority="-3" s2s="5" s2c="NONE" stc="7" hb="NONE" completed=4`,
		`type=prio/1 id="typed" input="input of typed" control=<nil> list=workers priority="7" s2s="11" s2c="12" stc="99" hb="14" completed=4`,
		`type=prio/1 id="typed-zero" input=<nil> control=<nil> list=workers priority="0" s2s="11" s2c="12" stc="13" hb="14" completed=4`,
	}
	for i, w := range want {
		ev := h[4+i]
		if got := dtScheduled(ev.ActivityTaskScheduledEventAttributes); got != w {
			t.Errorf("event %d:\n got %s\nwant %s", ev.EventId, got, w)
		}
		if !ev.EventTimestamp.Equal(scheduledAt) {
			t.Errorf("event %d at %v, want %v", ev.EventId, ev.EventTimestamp, scheduledAt)
		}
	}

	desc := f.describe(ex)
	if desc.LatestActivityTaskTimestamp == nil || !desc.LatestActivityTaskTimestamp.Equal(scheduledAt) {
		t.Errorf("latestActivityTaskTimestamp = %v, want %v", desc.LatestActivityTaskTimestamp, scheduledAt)
	}
	if desc.OpenCounts.OpenActivityTasks != 4 || desc.OpenCounts.OpenDecisionTasks != 0 {
		t.Errorf("open counts: %+v", desc.OpenCounts)
	}
	if n := dtPendingActivities(f, workerList); n != 3 {
		t.Errorf("%d activity tasks on %s, want 3", n, workerList)
	}
	if n := dtPendingActivities(f, "special"); n != 1 {
		t.Errorf("%d activity tasks on special, want 1", n)
	}

	// The task goes to the list the decision named, as scheduled.
	a := dtPollActivity(f, "special")
	if aws.ToString(a.ActivityId) != "overrides" || aws.ToString(a.Input) != "input of overrides" || a.StartedEventId != 9 ||
		aws.ToString(a.ActivityType.Name) != "work" || aws.ToString(a.WorkflowExecution.RunId) != aws.ToString(ex.RunId) {
		t.Fatalf("activity task: %+v", a)
	}
	if st := f.lastEvent(ex, types.EventTypeActivityTaskStarted).ActivityTaskStartedEventAttributes; st.ScheduledEventId != 6 || aws.ToString(st.Identity) != "worker-2" {
		t.Fatalf("ActivityTaskStarted: %+v", st)
	}
}

func TestScheduleActivityTaskFailureCauses(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	full := func(name string) *swf.RegisterActivityTypeInput {
		return &swf.RegisterActivityTypeInput{
			Domain: f.domain, Name: aws.String(name), Version: aws.String("1"),
			DefaultTaskList:                   &types.TaskList{Name: aws.String(workerList)},
			DefaultTaskScheduleToStartTimeout: aws.String("60"),
			DefaultTaskScheduleToCloseTimeout: aws.String("600"),
			DefaultTaskStartToCloseTimeout:    aws.String("300"),
			DefaultTaskHeartbeatTimeout:       aws.String("30"),
		}
	}
	_, err := f.c.RegisterActivityType(ctx, full("old"))
	must(t, err)
	_, err = f.c.DeprecateActivityType(ctx, &swf.DeprecateActivityTypeInput{Domain: f.domain, ActivityType: activityType("old", "1")})
	must(t, err)
	_, err = f.c.RegisterActivityType(ctx, full("gone"))
	must(t, err)
	_, err = f.c.DeprecateActivityType(ctx, &swf.DeprecateActivityTypeInput{Domain: f.domain, ActivityType: activityType("gone", "1")})
	must(t, err)
	_, err = f.c.DeleteActivityType(ctx, &swf.DeleteActivityTypeInput{Domain: f.domain, ActivityType: activityType("gone", "1")})
	must(t, err)
	// A type registered without any default.
	_, err = f.c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{Domain: f.domain, Name: aws.String("bare"), Version: aws.String("1")})
	must(t, err)

	ex := f.start("causes")
	d := f.decision()
	f.decide(d.TaskToken, scheduleActivity("busy"))

	bare := func(mod func(*types.ScheduleActivityTaskDecisionAttributes)) func(*types.ScheduleActivityTaskDecisionAttributes) {
		return func(a *types.ScheduleActivityTaskDecisionAttributes) {
			a.ActivityType = activityType("bare", "1")
			if mod != nil {
				mod(a)
			}
		}
	}
	s2c := func(a *types.ScheduleActivityTaskDecisionAttributes) { a.ScheduleToCloseTimeout = aws.String("100") }
	list := func(a *types.ScheduleActivityTaskDecisionAttributes) {
		s2c(a)
		a.TaskList = &types.TaskList{Name: aws.String("bare-list")}
	}
	s2s := func(a *types.ScheduleActivityTaskDecisionAttributes) {
		list(a)
		a.ScheduleToStartTimeout = aws.String("NONE")
	}
	stc := func(a *types.ScheduleActivityTaskDecisionAttributes) {
		s2s(a)
		a.StartToCloseTimeout = aws.String("50")
	}
	hb := func(a *types.ScheduleActivityTaskDecisionAttributes) { stc(a); a.HeartbeatTimeout = aws.String("NONE") }
	typed := func(name, version string) func(*types.ScheduleActivityTaskDecisionAttributes) {
		return func(a *types.ScheduleActivityTaskDecisionAttributes) { a.ActivityType = activityType(name, version) }
	}
	cases := []struct {
		name     string
		decision types.Decision
		want     string
	}{
		{"unknown type", scheduleActivity("x1", typed("nope", "1")), `type=nope/1 id="x1" cause=ACTIVITY_TYPE_DOES_NOT_EXIST`},
		{"unknown version", scheduleActivity("x2", typed("work", "2")), `type=work/2 id="x2" cause=ACTIVITY_TYPE_DOES_NOT_EXIST`},
		{"deleted type", scheduleActivity("x3", typed("gone", "1")), `type=gone/1 id="x3" cause=ACTIVITY_TYPE_DOES_NOT_EXIST`},
		{"deprecated type", scheduleActivity("x4", typed("old", "1")), `type=old/1 id="x4" cause=ACTIVITY_TYPE_DEPRECATED`},
		{"deprecated before id in use", scheduleActivity("busy", typed("old", "1")), `type=old/1 id="busy" cause=ACTIVITY_TYPE_DEPRECATED`},
		{"id in use", scheduleActivity("busy"), `type=work/1 id="busy" cause=ACTIVITY_ID_ALREADY_IN_USE`},
		{"id in use before defaults", scheduleActivity("busy", bare(nil)), `type=bare/1 id="busy" cause=ACTIVITY_ID_ALREADY_IN_USE`},
		{"no schedule-to-close", scheduleActivity("x5", bare(nil)), `type=bare/1 id="x5" cause=DEFAULT_SCHEDULE_TO_CLOSE_TIMEOUT_UNDEFINED`},
		{"no task list", scheduleActivity("x6", bare(s2c)), `type=bare/1 id="x6" cause=DEFAULT_TASK_LIST_UNDEFINED`},
		{"no schedule-to-start", scheduleActivity("x7", bare(list)), `type=bare/1 id="x7" cause=DEFAULT_SCHEDULE_TO_START_TIMEOUT_UNDEFINED`},
		{"no start-to-close", scheduleActivity("x8", bare(s2s)), `type=bare/1 id="x8" cause=DEFAULT_START_TO_CLOSE_TIMEOUT_UNDEFINED`},
		{"no heartbeat", scheduleActivity("x9", bare(stc)), `type=bare/1 id="x9" cause=DEFAULT_HEARTBEAT_TIMEOUT_UNDEFINED`},
	}
	// Each failure is the only decision of its task, and asks for a new
	// decision task, which the next case answers.
	dtSignal(f, ex, "go") // 6, 7: a decision task for the first case
	next := int64(8)
	for _, tc := range cases {
		d = f.decision()
		if d.StartedEventId != next {
			t.Fatalf("%s: decision task started as event %d, want %d", tc.name, d.StartedEventId, next)
		}
		f.decide(d.TaskToken, tc.decision)
		h := dtWantHistory(f, ex, next+1, types.EventTypeDecisionTaskCompleted, types.EventTypeScheduleActivityTaskFailed, types.EventTypeDecisionTaskScheduled)
		want := fmt.Sprintf("%s completed=%d", tc.want, next+1)
		if got := dtScheduleFailed(h[next+1].ScheduleActivityTaskFailedEventAttributes); got != want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, want)
		}
		if s := h[next+2].DecisionTaskScheduledEventAttributes; aws.ToString(s.TaskList.Name) != deciderList || aws.ToString(s.StartToCloseTimeout) != "30" {
			t.Errorf("%s: DecisionTaskScheduled %+v", tc.name, s)
		}
		next += 4 // DecisionTaskCompleted, the failure, DecisionTaskScheduled, then the next DecisionTaskStarted
	}

	// With every default given, the type without defaults schedules; NONE
	// counts as given.
	d = f.decision()
	f.decide(d.TaskToken, scheduleActivity("x10", bare(hb)))
	h := dtWantHistory(f, ex, d.StartedEventId+1, types.EventTypeDecisionTaskCompleted, types.EventTypeActivityTaskScheduled)
	want := fmt.Sprintf(`type=bare/1 id="x10" input="input of x10" control=<nil> list=bare-list priority="0" s2s="NONE" s2c="100" stc="50" hb="NONE" completed=%d`, d.StartedEventId+1)
	if got := dtScheduled(h[d.StartedEventId+1].ActivityTaskScheduledEventAttributes); got != want {
		t.Errorf("scheduled:\n got %s\nwant %s", got, want)
	}

	// Once the activity that held an id closes, the id is free again.
	a := f.activity()
	if aws.ToString(a.ActivityId) != "busy" {
		t.Fatalf("got activity %s", aws.ToString(a.ActivityId))
	}
	_, err = f.c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a.TaskToken})
	must(t, err)
	d = f.decision()
	f.decide(d.TaskToken, scheduleActivity("busy"))
	dtWantHistory(f, ex, d.StartedEventId+1, types.EventTypeDecisionTaskCompleted, types.EventTypeActivityTaskScheduled)
	if n, _ := dtOpenCounts(f, ex); n != 2 {
		t.Fatalf("%d open activities, want 2 (x10 and the second busy)", n)
	}
}

func TestDecisionsAfterAFailedOneAreStillApplied(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.start("mixed")
	d := f.decision()
	f.decide(d.TaskToken,
		scheduleActivity("ok-1"),
		scheduleActivity("x1", func(a *types.ScheduleActivityTaskDecisionAttributes) { a.ActivityType = activityType("nope", "1") }),
		scheduleActivity("ok-1"),
		scheduleActivity("ok-2"),
		dtRecordMarker("m", aws.String("after failures")),
		dtCancelActivity("nobody"),
		scheduleActivity("ok-3"),
	)
	h := dtWantHistory(f, ex, 4,
		types.EventTypeDecisionTaskCompleted,
		types.EventTypeActivityTaskScheduled,
		types.EventTypeScheduleActivityTaskFailed,
		types.EventTypeScheduleActivityTaskFailed,
		types.EventTypeActivityTaskScheduled,
		types.EventTypeMarkerRecorded,
		types.EventTypeRequestCancelActivityTaskFailed,
		types.EventTypeActivityTaskScheduled,
		// One decision task for all the failures, after the last decision.
		types.EventTypeDecisionTaskScheduled,
	)
	if got := dtScheduleFailed(h[5].ScheduleActivityTaskFailedEventAttributes); got != `type=nope/1 id="x1" cause=ACTIVITY_TYPE_DOES_NOT_EXIST completed=4` {
		t.Errorf("event 6: %s", got)
	}
	if got := dtScheduleFailed(h[6].ScheduleActivityTaskFailedEventAttributes); got != `type=work/1 id="ok-1" cause=ACTIVITY_ID_ALREADY_IN_USE completed=4` {
		t.Errorf("event 7: %s", got)
	}
	for _, i := range []int{4, 7, 10} {
		if a := h[i].ActivityTaskScheduledEventAttributes; a.DecisionTaskCompletedEventId != 4 {
			t.Errorf("event %d: %s", i+1, dtScheduled(a))
		}
	}
	if m := h[8].MarkerRecordedEventAttributes; aws.ToString(m.MarkerName) != "m" || aws.ToString(m.Details) != "after failures" || m.DecisionTaskCompletedEventId != 4 {
		t.Errorf("MarkerRecorded: %+v", m)
	}
	if c := h[9].RequestCancelActivityTaskFailedEventAttributes; aws.ToString(c.ActivityId) != "nobody" || c.Cause != types.RequestCancelActivityTaskFailedCauseActivityIdUnknown || c.DecisionTaskCompletedEventId != 4 {
		t.Errorf("RequestCancelActivityTaskFailed: %+v", c)
	}
	if n, dn := dtOpenCounts(f, ex); n != 3 || dn != 1 {
		t.Errorf("open counts: %d activities, %d decision tasks", n, dn)
	}
	d = f.decision()
	if d.StartedEventId != 13 || d.PreviousStartedEventId != 3 || len(d.Events) != 13 {
		t.Fatalf("next decision task: started %d previous %d, %d events", d.StartedEventId, d.PreviousStartedEventId, len(d.Events))
	}
}

func TestOpenActivitiesLimit(t *testing.T) {
	t.Parallel()
	f := newFixture(t, swftest.WithConfig(func(c *server.Config) { c.Limits.Run.OpenActivities = 2 }))
	ex := f.start("limit")
	d := f.decision()
	f.decide(d.TaskToken, scheduleActivity("a1"), scheduleActivity("a2"), scheduleActivity("a3"))
	h := dtWantHistory(f, ex, 4, types.EventTypeDecisionTaskCompleted, types.EventTypeActivityTaskScheduled, types.EventTypeActivityTaskScheduled,
		types.EventTypeScheduleActivityTaskFailed, types.EventTypeDecisionTaskScheduled)
	if got := dtScheduleFailed(h[6].ScheduleActivityTaskFailedEventAttributes); got != `type=work/1 id="a3" cause=OPEN_ACTIVITIES_LIMIT_EXCEEDED completed=4` {
		t.Errorf("third activity: %s", got)
	}

	// A started activity counts as open as a scheduled one does.
	a1 := f.activity() // event 9
	if aws.ToString(a1.ActivityId) != "a1" {
		t.Fatalf("got %s, want a1", aws.ToString(a1.ActivityId))
	}
	d = f.decision() // event 10
	f.decide(d.TaskToken, scheduleActivity("a3"))
	h = dtWantHistory(f, ex, 11, types.EventTypeDecisionTaskCompleted, types.EventTypeScheduleActivityTaskFailed, types.EventTypeDecisionTaskScheduled)
	if got := dtScheduleFailed(h[11].ScheduleActivityTaskFailedEventAttributes); got != `type=work/1 id="a3" cause=OPEN_ACTIVITIES_LIMIT_EXCEEDED completed=11` {
		t.Errorf("a3 with a1 started and a2 scheduled: %s", got)
	}

	// One closes: one more fits, the next does not.
	_, err := f.c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a1.TaskToken}) // event 14
	must(t, err)
	d = f.decision() // event 15
	f.decide(d.TaskToken, scheduleActivity("a3"), scheduleActivity("a4"))
	h = dtWantHistory(f, ex, 14, types.EventTypeActivityTaskCompleted, types.EventTypeDecisionTaskStarted, types.EventTypeDecisionTaskCompleted,
		types.EventTypeActivityTaskScheduled, types.EventTypeScheduleActivityTaskFailed, types.EventTypeDecisionTaskScheduled)
	if got := aws.ToString(h[16].ActivityTaskScheduledEventAttributes.ActivityId); got != "a3" {
		t.Errorf("scheduled %s, want a3", got)
	}
	if got := dtScheduleFailed(h[17].ScheduleActivityTaskFailedEventAttributes); got != `type=work/1 id="a4" cause=OPEN_ACTIVITIES_LIMIT_EXCEEDED completed=16` {
		t.Errorf("a4: %s", got)
	}
	if n, _ := dtOpenCounts(f, ex); n != 2 {
		t.Errorf("%d open activities, want 2", n)
	}
}

func TestRequestCancelUnknownActivity(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.start("ghost")
	d := f.decision()
	f.decide(d.TaskToken, dtCancelActivity("ghost"))
	h := dtWantHistory(f, ex, 4, types.EventTypeDecisionTaskCompleted, types.EventTypeRequestCancelActivityTaskFailed, types.EventTypeDecisionTaskScheduled)
	if c := h[4].RequestCancelActivityTaskFailedEventAttributes; aws.ToString(c.ActivityId) != "ghost" || c.Cause != types.RequestCancelActivityTaskFailedCauseActivityIdUnknown || c.DecisionTaskCompletedEventId != 4 {
		t.Fatalf("RequestCancelActivityTaskFailed: %+v", c)
	}

	// An activity that has closed is unknown too.
	d = f.decision() // 7
	f.decide(d.TaskToken, scheduleActivity("a1"))
	a := f.activity() // 10
	_, err := f.c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a.TaskToken, Result: aws.String("r")})
	must(t, err)
	d = f.decision() // 13
	f.decide(d.TaskToken, dtCancelActivity("a1"))
	h = dtWantHistory(f, ex, 11, types.EventTypeActivityTaskCompleted, types.EventTypeDecisionTaskScheduled, types.EventTypeDecisionTaskStarted,
		types.EventTypeDecisionTaskCompleted, types.EventTypeRequestCancelActivityTaskFailed, types.EventTypeDecisionTaskScheduled)
	if c := h[14].RequestCancelActivityTaskFailedEventAttributes; aws.ToString(c.ActivityId) != "a1" || c.Cause != types.RequestCancelActivityTaskFailedCauseActivityIdUnknown || c.DecisionTaskCompletedEventId != 14 {
		t.Fatalf("RequestCancelActivityTaskFailed: %+v", c)
	}
}

func TestRequestCancelScheduledActivity(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.start("cancel-scheduled")
	d := f.decision()
	f.decide(d.TaskToken, scheduleActivity("a1"), scheduleActivity("a2")) // 5, 6
	if n := dtPendingActivities(f, workerList); n != 2 {
		t.Fatalf("%d pending activity tasks, want 2", n)
	}
	dtSignal(f, ex, "cancel a1") // 7, 8
	d = f.decision()             // 9
	f.decide(d.TaskToken, dtCancelActivity("a1"))
	h := dtWantHistory(f, ex, 10, types.EventTypeDecisionTaskCompleted, types.EventTypeActivityTaskCancelRequested, types.EventTypeActivityTaskCanceled, types.EventTypeDecisionTaskScheduled)
	if r := h[10].ActivityTaskCancelRequestedEventAttributes; aws.ToString(r.ActivityId) != "a1" || r.DecisionTaskCompletedEventId != 10 {
		t.Errorf("ActivityTaskCancelRequested: %+v", r)
	}
	if c := h[11].ActivityTaskCanceledEventAttributes; c.ScheduledEventId != 5 || c.StartedEventId != 0 || c.LatestCancelRequestedEventId != 11 || c.Details != nil {
		t.Errorf("ActivityTaskCanceled: %+v", c)
	}
	if n, dn := dtOpenCounts(f, ex); n != 1 || dn != 1 {
		t.Errorf("open counts: %d activities, %d decision tasks", n, dn)
	}

	// The canceled task is gone from its list: the next one is a2.
	if n := dtPendingActivities(f, workerList); n != 1 {
		t.Fatalf("%d pending activity tasks, want 1", n)
	}
	if a := f.activity(); aws.ToString(a.ActivityId) != "a2" {
		t.Fatalf("got %s, want a2", aws.ToString(a.ActivityId))
	}
	if n := dtPendingActivities(f, workerList); n != 0 {
		t.Fatalf("%d pending activity tasks, want 0", n)
	}
	d = f.decision()
	if d.PreviousStartedEventId != 9 || d.StartedEventId != 15 || eventTypes(d.Events)[11] != string(types.EventTypeActivityTaskCanceled) {
		t.Fatalf("next decision task: previous %d started %d events %v", d.PreviousStartedEventId, d.StartedEventId, eventTypes(d.Events))
	}
}

func TestRequestCancelActivityScheduledByTheSameDecisions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.start("schedule-and-cancel")
	d := f.decision()
	f.decide(d.TaskToken, scheduleActivity("a1"), dtCancelActivity("a1"))
	h := dtWantHistory(f, ex, 4, types.EventTypeDecisionTaskCompleted, types.EventTypeActivityTaskScheduled,
		types.EventTypeActivityTaskCancelRequested, types.EventTypeActivityTaskCanceled, types.EventTypeDecisionTaskScheduled)
	if c := h[6].ActivityTaskCanceledEventAttributes; c.ScheduledEventId != 5 || c.StartedEventId != 0 || c.LatestCancelRequestedEventId != 6 {
		t.Errorf("ActivityTaskCanceled: %+v", c)
	}
	if n, _ := dtOpenCounts(f, ex); n != 0 {
		t.Errorf("%d open activities, want 0", n)
	}
	if n := dtPendingActivities(f, workerList); n != 0 {
		t.Errorf("%d pending activity tasks, want 0: the canceled task stayed on its list", n)
	}

	// The id is free again, and only the new activity is delivered.
	d = f.decision()
	f.decide(d.TaskToken, scheduleActivity("a1", func(a *types.ScheduleActivityTaskDecisionAttributes) { a.Input = aws.String("second") }))
	if n := dtPendingActivities(f, workerList); n != 1 {
		t.Errorf("%d pending activity tasks, want 1", n)
	}
	if a := f.activity(); aws.ToString(a.Input) != "second" || a.StartedEventId != 12 {
		t.Fatalf("activity task: %+v", a)
	}
}

func TestRequestCancelStartedActivity(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.start("cancel-started")
	d := f.decision()
	f.decide(d.TaskToken, scheduleActivity("a1")) // 5
	a := f.activity()                             // 6
	hb, err := f.c.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: a.TaskToken})
	must(t, err)
	if hb.CancelRequested {
		t.Fatal("cancelRequested before any request")
	}
	dtSignal(f, ex, "stop it") // 7, 8
	d = f.decision()           // 9
	f.decide(d.TaskToken, dtCancelActivity("a1"))

	// The request alone asks for no decision.
	h := dtWantHistory(f, ex, 10, types.EventTypeDecisionTaskCompleted, types.EventTypeActivityTaskCancelRequested)
	if r := h[10].ActivityTaskCancelRequestedEventAttributes; aws.ToString(r.ActivityId) != "a1" || r.DecisionTaskCompletedEventId != 10 {
		t.Errorf("ActivityTaskCancelRequested: %+v", r)
	}
	if n, dn := dtOpenCounts(f, ex); n != 1 || dn != 0 {
		t.Errorf("open counts: %d activities, %d decision tasks", n, dn)
	}
	hb, err = f.c.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: a.TaskToken, Details: aws.String("cleaning up")})
	must(t, err)
	if !hb.CancelRequested {
		t.Fatal("heartbeat after the request: cancelRequested false")
	}
	_, err = f.c.RespondActivityTaskCanceled(ctx, &swf.RespondActivityTaskCanceledInput{TaskToken: a.TaskToken, Details: aws.String("rolled back")})
	must(t, err)
	h = dtWantHistory(f, ex, 12, types.EventTypeActivityTaskCanceled, types.EventTypeDecisionTaskScheduled)
	if c := h[11].ActivityTaskCanceledEventAttributes; aws.ToString(c.Details) != "rolled back" || c.ScheduledEventId != 5 || c.StartedEventId != 6 || c.LatestCancelRequestedEventId != 11 {
		t.Errorf("ActivityTaskCanceled: %+v", c)
	}
	if n, dn := dtOpenCounts(f, ex); n != 0 || dn != 1 {
		t.Errorf("open counts: %d activities, %d decision tasks", n, dn)
	}
	_, err = f.c.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: a.TaskToken})
	wantFault[*types.UnknownResourceFault](t, err)
	d = f.decision()
	if d.PreviousStartedEventId != 9 || d.StartedEventId != 14 {
		t.Fatalf("next decision task: previous %d started %d", d.PreviousStartedEventId, d.StartedEventId)
	}
}

func TestCancelRequestedActivityMayStillCompleteOrFail(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.start("ignore-cancel")
	d := f.decision()
	f.decide(d.TaskToken, scheduleActivity("a1"), scheduleActivity("a2")) // 5, 6
	a1 := f.activity()                                                    // 7
	a2 := f.activity()                                                    // 8
	dtSignal(f, ex, "cancel both")                                        // 9, 10
	d = f.decision()                                                      // 11
	f.decide(d.TaskToken, dtCancelActivity("a1"), dtCancelActivity("a2")) // 12, 13, 14
	dtSignal(f, ex, "again")                                              // 15, 16
	d = f.decision()                                                      // 17
	f.decide(d.TaskToken, dtCancelActivity("a2"))                         // 18, 19
	dtWantHistory(f, ex, 12, types.EventTypeDecisionTaskCompleted, types.EventTypeActivityTaskCancelRequested, types.EventTypeActivityTaskCancelRequested,
		types.EventTypeWorkflowExecutionSignaled, types.EventTypeDecisionTaskScheduled, types.EventTypeDecisionTaskStarted,
		types.EventTypeDecisionTaskCompleted, types.EventTypeActivityTaskCancelRequested)
	for _, a := range []*swf.PollForActivityTaskOutput{a1, a2} {
		hb, err := f.c.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: a.TaskToken})
		must(t, err)
		if !hb.CancelRequested {
			t.Fatalf("%s: cancelRequested false", aws.ToString(a.ActivityId))
		}
	}
	_, err := f.c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a1.TaskToken, Result: aws.String("done anyway")})
	must(t, err)
	_, err = f.c.RespondActivityTaskFailed(ctx, &swf.RespondActivityTaskFailedInput{TaskToken: a2.TaskToken, Reason: aws.String("nope"), Details: aws.String("could not stop")})
	must(t, err)
	h := dtWantHistory(f, ex, 20, types.EventTypeActivityTaskCompleted, types.EventTypeDecisionTaskScheduled, types.EventTypeActivityTaskFailed)
	if c := h[19].ActivityTaskCompletedEventAttributes; aws.ToString(c.Result) != "done anyway" || c.ScheduledEventId != 5 || c.StartedEventId != 7 {
		t.Errorf("ActivityTaskCompleted: %+v", c)
	}
	if c := h[21].ActivityTaskFailedEventAttributes; aws.ToString(c.Reason) != "nope" || aws.ToString(c.Details) != "could not stop" || c.ScheduledEventId != 6 || c.StartedEventId != 8 {
		t.Errorf("ActivityTaskFailed: %+v", c)
	}
}

func TestWorkerMayCancelWithoutARequest(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.start("self-cancel")
	d := f.decision()
	f.decide(d.TaskToken, scheduleActivity("a1")) // 5
	a := f.activity()                             // 6
	_, err := f.c.RespondActivityTaskCanceled(ctx, &swf.RespondActivityTaskCanceledInput{TaskToken: a.TaskToken})
	must(t, err)
	h := dtWantHistory(f, ex, 7, types.EventTypeActivityTaskCanceled, types.EventTypeDecisionTaskScheduled)
	if c := h[6].ActivityTaskCanceledEventAttributes; c.Details != nil || c.ScheduledEventId != 5 || c.StartedEventId != 6 || c.LatestCancelRequestedEventId != 0 {
		t.Errorf("ActivityTaskCanceled: %+v", c)
	}
}

func TestCloseDecisions(t *testing.T) {
	t.Parallel()
	t.Run("complete", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		ex := f.start("complete")
		d := f.decision()
		f.decide(d.TaskToken, scheduleActivity("a1"), scheduleActivity("a2")) // 5, 6
		a1 := f.activity()                                                    // 7
		dtSignal(f, ex, "finish")                                             // 8, 9
		d = f.decision()                                                      // 10
		f.Clock.Advance(time.Second)
		f.decide(d.TaskToken, completeWorkflow("the result"))
		h := dtWantHistory(f, ex, 11, types.EventTypeDecisionTaskCompleted, types.EventTypeWorkflowExecutionCompleted)
		if c := h[11].WorkflowExecutionCompletedEventAttributes; aws.ToString(c.Result) != "the result" || c.DecisionTaskCompletedEventId != 11 {
			t.Errorf("WorkflowExecutionCompleted: %+v", c)
		}
		desc := f.describe(ex)
		info := desc.ExecutionInfo
		if info.ExecutionStatus != types.ExecutionStatusClosed || info.CloseStatus != types.CloseStatusCompleted ||
			info.CloseTimestamp == nil || !info.CloseTimestamp.Equal(swftest.Epoch.Add(time.Second)) {
			t.Errorf("execution info: %+v", info)
		}
		if desc.OpenCounts.OpenActivityTasks != 0 || desc.OpenCounts.OpenDecisionTasks != 0 {
			t.Errorf("open counts: %+v", desc.OpenCounts)
		}
		// The run's activities went with it, without events.
		if n := dtPendingActivities(f, workerList); n != 0 {
			t.Errorf("%d pending activity tasks after the close", n)
		}
		_, err := f.c.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: a1.TaskToken})
		wantFault[*types.UnknownResourceFault](t, err)
		_, err = f.c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a1.TaskToken})
		wantFault[*types.UnknownResourceFault](t, err)
		if h := dtHistory(f, ex); len(h) != 12 {
			t.Errorf("events after the close: %v", eventTypes(h[12:]))
		}
	})
	t.Run("fail", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		ex := f.start("fail")
		d := f.decision()
		f.decide(d.TaskToken, dtRecordMarker("m", nil), dtFailWorkflow("broken", "all the details"))
		h := dtWantHistory(f, ex, 4, types.EventTypeDecisionTaskCompleted, types.EventTypeMarkerRecorded, types.EventTypeWorkflowExecutionFailed)
		if c := h[5].WorkflowExecutionFailedEventAttributes; aws.ToString(c.Reason) != "broken" || aws.ToString(c.Details) != "all the details" || c.DecisionTaskCompletedEventId != 4 {
			t.Errorf("WorkflowExecutionFailed: %+v", c)
		}
		if info := f.describe(ex).ExecutionInfo; info.ExecutionStatus != types.ExecutionStatusClosed || info.CloseStatus != types.CloseStatusFailed {
			t.Errorf("execution info: %+v", info)
		}
	})
	t.Run("cancel after a request", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		ex := f.start("cancel")
		_, err := f.c.RequestCancelWorkflowExecution(ctx, &swf.RequestCancelWorkflowExecutionInput{Domain: f.domain, WorkflowId: ex.WorkflowId}) // 3
		must(t, err)
		d := f.decision() // 4
		if got := eventTypes(d.Events); !slices.Equal(got, []string{"WorkflowExecutionStarted", "DecisionTaskScheduled", "WorkflowExecutionCancelRequested", "DecisionTaskStarted"}) {
			t.Fatalf("decision task history: %v", got)
		}
		f.decide(d.TaskToken, dtCancelWorkflow("bye"))
		h := dtWantHistory(f, ex, 5, types.EventTypeDecisionTaskCompleted, types.EventTypeWorkflowExecutionCanceled)
		if c := h[5].WorkflowExecutionCanceledEventAttributes; aws.ToString(c.Details) != "bye" || c.DecisionTaskCompletedEventId != 5 {
			t.Errorf("WorkflowExecutionCanceled: %+v", c)
		}
		if info := f.describe(ex).ExecutionInfo; info.ExecutionStatus != types.ExecutionStatusClosed || info.CloseStatus != types.CloseStatusCanceled || !info.CancelRequested {
			t.Errorf("execution info: %+v", info)
		}
	})
	t.Run("cancel without a request", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		ex := f.start("cancel")
		d := f.decision()
		f.decide(d.TaskToken, types.Decision{DecisionType: types.DecisionTypeCancelWorkflowExecution})
		h := dtWantHistory(f, ex, 4, types.EventTypeDecisionTaskCompleted, types.EventTypeWorkflowExecutionCanceled)
		if c := h[4].WorkflowExecutionCanceledEventAttributes; c.Details != nil || c.DecisionTaskCompletedEventId != 4 {
			t.Errorf("WorkflowExecutionCanceled: %+v", c)
		}
		if info := f.describe(ex).ExecutionInfo; info.CloseStatus != types.CloseStatusCanceled || info.CancelRequested {
			t.Errorf("execution info: %+v", info)
		}
	})
}

func TestCloseDecisionFailsWithUnhandledEvents(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		close  types.Decision
		failed types.EventType
		cause  func(types.HistoryEvent) (string, int64)
		closed types.EventType
		status types.CloseStatus
	}{
		{"complete", completeWorkflow("r"), types.EventTypeCompleteWorkflowExecutionFailed,
			func(e types.HistoryEvent) (string, int64) {
				a := e.CompleteWorkflowExecutionFailedEventAttributes
				return string(a.Cause), a.DecisionTaskCompletedEventId
			}, types.EventTypeWorkflowExecutionCompleted, types.CloseStatusCompleted},
		{"fail", dtFailWorkflow("r", "d"), types.EventTypeFailWorkflowExecutionFailed,
			func(e types.HistoryEvent) (string, int64) {
				a := e.FailWorkflowExecutionFailedEventAttributes
				return string(a.Cause), a.DecisionTaskCompletedEventId
			}, types.EventTypeWorkflowExecutionFailed, types.CloseStatusFailed},
		{"cancel", dtCancelWorkflow("d"), types.EventTypeCancelWorkflowExecutionFailed,
			func(e types.HistoryEvent) (string, int64) {
				a := e.CancelWorkflowExecutionFailedEventAttributes
				return string(a.Cause), a.DecisionTaskCompletedEventId
			}, types.EventTypeWorkflowExecutionCanceled, types.CloseStatusCanceled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			ex := f.start("unhandled-" + tc.name)
			d := f.decision()       // 3
			dtSignal(f, ex, "late") // 4: after the task started
			if n, dn := dtOpenCounts(f, ex); n != 0 || dn != 1 {
				t.Fatalf("open counts: %d activities, %d decision tasks", n, dn)
			}
			f.decide(d.TaskToken, dtRecordMarker("before", nil), tc.close)
			h := dtWantHistory(f, ex, 4, types.EventTypeWorkflowExecutionSignaled, types.EventTypeDecisionTaskCompleted,
				types.EventTypeMarkerRecorded, tc.failed, types.EventTypeDecisionTaskScheduled)
			if cause, completed := tc.cause(h[6]); cause != "UNHANDLED_DECISION" || completed != 5 {
				t.Errorf("%s: cause %s, decisionTaskCompletedEventId %d", tc.failed, cause, completed)
			}
			if info := f.describe(ex).ExecutionInfo; info.ExecutionStatus != types.ExecutionStatusOpen {
				t.Fatalf("execution info: %+v", info)
			}

			// The new task shows the signal the decider missed.
			d = f.decision()
			if d.StartedEventId != 9 || d.PreviousStartedEventId != 3 {
				t.Fatalf("next decision task: started %d previous %d", d.StartedEventId, d.PreviousStartedEventId)
			}
			if s := d.Events[3]; s.EventType != types.EventTypeWorkflowExecutionSignaled || aws.ToString(s.WorkflowExecutionSignaledEventAttributes.SignalName) != "late" {
				t.Fatalf("event 4 of the task: %+v", s)
			}
			f.decide(d.TaskToken, tc.close)
			dtWantHistory(f, ex, 10, types.EventTypeDecisionTaskCompleted, tc.closed)
			if info := f.describe(ex).ExecutionInfo; info.ExecutionStatus != types.ExecutionStatusClosed || info.CloseStatus != tc.status {
				t.Fatalf("execution info: %+v", info)
			}
		})
	}
	t.Run("activity completed", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		ex := f.start("unhandled-activity")
		d := f.decision()
		f.decide(d.TaskToken, scheduleActivity("a1")) // 5
		a := f.activity()                             // 6
		dtSignal(f, ex, "s")                          // 7, 8
		d = f.decision()                              // 9
		_, err := f.c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a.TaskToken})
		must(t, err) // 10
		f.decide(d.TaskToken, completeWorkflow("r"))
		dtWantHistory(f, ex, 10, types.EventTypeActivityTaskCompleted, types.EventTypeDecisionTaskCompleted,
			types.EventTypeCompleteWorkflowExecutionFailed, types.EventTypeDecisionTaskScheduled)
	})
	t.Run("failed decision before it", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		ex := f.start("unhandled-failure")
		d := f.decision()
		f.decide(d.TaskToken, scheduleActivity("x", func(a *types.ScheduleActivityTaskDecisionAttributes) { a.ActivityType = activityType("nope", "1") }), completeWorkflow("r"))
		dtWantHistory(f, ex, 4, types.EventTypeDecisionTaskCompleted, types.EventTypeScheduleActivityTaskFailed,
			types.EventTypeCompleteWorkflowExecutionFailed, types.EventTypeDecisionTaskScheduled)
	})
	t.Run("signal before the task started", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		ex := f.start("handled")
		dtSignal(f, ex, "early") // 3, while the task is scheduled: the decider sees it
		d := f.decision()        // 4
		f.decide(d.TaskToken, completeWorkflow("r"))
		dtWantHistory(f, ex, 5, types.EventTypeDecisionTaskCompleted, types.EventTypeWorkflowExecutionCompleted)
	})
}

func TestCloseDecisionMustBeLast(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.start("last")
	d := f.decision()
	cases := []struct {
		name      string
		decisions []types.Decision
	}{
		{"complete then marker", []types.Decision{completeWorkflow("r"), dtRecordMarker("m", nil)}},
		{"two closes", []types.Decision{completeWorkflow("r"), dtFailWorkflow("r", "d")}},
		{"close in the middle", []types.Decision{dtRecordMarker("m", nil), dtCancelWorkflow("d"), completeWorkflow("r")}},
		{"fail then schedule", []types.Decision{dtFailWorkflow("r", "d"), scheduleActivity("a1")}},
	}
	for _, tc := range cases {
		err := dtDecideErr(f, d.TaskToken, tc.decisions...)
		if err == nil {
			t.Fatalf("%s: accepted", tc.name)
		}
		wantValidationMessage(t, err, closeNotLast)
		// Nothing was recorded and the task is still started.
		dtWantHistory(f, ex, 1, types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled, types.EventTypeDecisionTaskStarted)
		if n, dn := dtOpenCounts(f, ex); n != 0 || dn != 1 {
			t.Fatalf("%s: open counts %d activities, %d decision tasks", tc.name, n, dn)
		}
		if n := dtPendingDecisions(f, deciderList); n != 0 {
			t.Fatalf("%s: %d pending decision tasks", tc.name, n)
		}
	}
	// The same task can be answered again.
	f.decide(d.TaskToken, dtRecordMarker("m", nil), completeWorkflow("r"))
	dtWantHistory(f, ex, 4, types.EventTypeDecisionTaskCompleted, types.EventTypeMarkerRecorded, types.EventTypeWorkflowExecutionCompleted)
}

func TestDecisionWithoutItsAttributes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.start("bare-decisions")
	d := f.decision()
	token := aws.ToString(d.TaskToken)

	// Through the SDK, which does not check this. Amazon SWF's words for it:
	// "StartTimerDecisionAttributes must be specified for decision of type
	// StartTimer" (quoted from the service in ericabouaf/aws-swf#2).
	err := dtDecideErr(f, d.TaskToken, types.Decision{DecisionType: types.DecisionTypeScheduleActivityTask})
	wantValidationMessage(t, err, "ScheduleActivityTaskDecisionAttributes must be specified for decision of type ScheduleActivityTask")
	err = dtDecideErr(f, d.TaskToken, dtRecordMarker("m", nil), types.Decision{DecisionType: types.DecisionTypeRequestCancelActivityTask})
	wantValidationMessage(t, err, "RequestCancelActivityTaskDecisionAttributes must be specified for decision of type RequestCancelActivityTask")
	err = dtDecideErr(f, d.TaskToken, types.Decision{DecisionType: types.DecisionTypeStartTimer})
	wantValidationMessage(t, err, "StartTimerDecisionAttributes must be specified for decision of type StartTimer")
	// Attributes of another decision type do not count.
	err = dtDecideErr(f, d.TaskToken, types.Decision{DecisionType: types.DecisionTypeRecordMarker, ScheduleActivityTaskDecisionAttributes: scheduleActivity("a1").ScheduleActivityTaskDecisionAttributes})
	wantValidationMessage(t, err, "RecordMarkerDecisionAttributes must be specified for decision of type RecordMarker")
	for _, raw := range []string{`[{"decisionType":"RecordMarker"}]`, `[{"decisionType":"RecordMarker","recordMarkerDecisionAttributes":null}]`} {
		status, code, msg := postJSON(t, f.Server, "RespondDecisionTaskCompleted", `{"taskToken":"`+token+`","decisions":`+raw+`}`)
		if status != 400 || code != "ValidationException" || msg != "RecordMarkerDecisionAttributes must be specified for decision of type RecordMarker" {
			t.Errorf("%s: %d %s %q", raw, status, code, msg)
		}
	}

	// Raw, with what the SDK would refuse to send: a member missing inside
	// the attributes is named as the model's validation names it ("Value
	// null at 'decisions.1.member.recordMarkerDecisionAttributes.markerName'",
	// quoted from Amazon SWF in botify-labs/python-simple-workflow#29).
	cases := []struct{ name, decisions, field string }{
		{"no activityId", `[{"decisionType":"ScheduleActivityTask","scheduleActivityTaskDecisionAttributes":{"activityType":{"name":"work","version":"1"}}}]`, "decisions.1.member.scheduleActivityTaskDecisionAttributes.activityId"},
		{"no activityId to cancel", `[{"decisionType":"RecordMarker","recordMarkerDecisionAttributes":{"markerName":"m"}},{"decisionType":"RequestCancelActivityTask","requestCancelActivityTaskDecisionAttributes":{}}]`, "decisions.2.member.requestCancelActivityTaskDecisionAttributes.activityId"},
		{"no markerName", `[{"decisionType":"RecordMarker","recordMarkerDecisionAttributes":{"details":"d"}}]`, "decisions.1.member.recordMarkerDecisionAttributes.markerName"},
		{"no decisionType", `[{"recordMarkerDecisionAttributes":{"markerName":"m"}}]`, "decisions.1.member.decisionType"},
		{"unknown decisionType", `[{"decisionType":"LaunchRocket"}]`, "decisions.1.member.decisionType"},
	}
	for _, tc := range cases {
		status, code, msg := postJSON(t, f.Server, "RespondDecisionTaskCompleted", `{"taskToken":"`+token+`","decisions":`+tc.decisions+`}`)
		if status != 400 || code != "ValidationException" || !strings.Contains(msg, "'"+tc.field+"'") {
			t.Errorf("%s: %d %s %q, want a ValidationException naming %s", tc.name, status, code, msg, tc.field)
		}
	}

	// Nothing was recorded; the task is still there to answer. The close
	// decisions' attributes are all optional.
	dtWantHistory(f, ex, 1, types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled, types.EventTypeDecisionTaskStarted)
	f.decide(d.TaskToken, types.Decision{DecisionType: types.DecisionTypeCompleteWorkflowExecution})
	h := dtWantHistory(f, ex, 4, types.EventTypeDecisionTaskCompleted, types.EventTypeWorkflowExecutionCompleted)
	if c := h[4].WorkflowExecutionCompletedEventAttributes; c.Result != nil || c.DecisionTaskCompletedEventId != 4 {
		t.Errorf("WorkflowExecutionCompleted: %+v", c)
	}
}

func TestRecordMarker(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.start("markers")
	d := f.decision()
	f.decide(d.TaskToken, dtRecordMarker("checkpoint", aws.String("step 1")), dtRecordMarker("bare", nil), dtRecordMarker("checkpoint", aws.String("step 2")))
	h := dtWantHistory(f, ex, 4, types.EventTypeDecisionTaskCompleted, types.EventTypeMarkerRecorded, types.EventTypeMarkerRecorded, types.EventTypeMarkerRecorded)
	want := []string{`"checkpoint" "step 1" 4`, `"bare" <nil> 4`, `"checkpoint" "step 2" 4`}
	for i, w := range want {
		m := h[4+i].MarkerRecordedEventAttributes
		if got := fmt.Sprintf("%s %s %d", dtStr(m.MarkerName), dtStr(m.Details), m.DecisionTaskCompletedEventId); got != w {
			t.Errorf("marker %d: %s, want %s", i+1, got, w)
		}
	}
	// Markers ask for no decision.
	if _, dn := dtOpenCounts(f, ex); dn != 0 {
		t.Errorf("%d open decision tasks", dn)
	}
	if n := dtPendingDecisions(f, deciderList); n != 0 {
		t.Errorf("%d pending decision tasks", n)
	}
}

func TestExecutionContext(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.start("context")
	if c := f.describe(ex).LatestExecutionContext; c != nil {
		t.Fatalf("latestExecutionContext before any decision: %q", *c)
	}
	d := f.decision()
	_, err := f.c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: d.TaskToken, ExecutionContext: aws.String("step-1"), Decisions: []types.Decision{scheduleActivity("a1")}})
	must(t, err)
	if c := f.describe(ex).LatestExecutionContext; aws.ToString(c) != "step-1" {
		t.Fatalf("latestExecutionContext = %s", dtStr(c))
	}
	if c := f.lastEvent(ex, types.EventTypeDecisionTaskCompleted).DecisionTaskCompletedEventAttributes; aws.ToString(c.ExecutionContext) != "step-1" || c.ScheduledEventId != 2 || c.StartedEventId != 3 {
		t.Fatalf("DecisionTaskCompleted: %+v", c)
	}

	// A task answered without a context leaves the latest one.
	a := f.activity()
	_, err = f.c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a.TaskToken})
	must(t, err)
	d = f.decision()
	f.decide(d.TaskToken)
	if c := f.describe(ex).LatestExecutionContext; aws.ToString(c) != "step-1" {
		t.Fatalf("latestExecutionContext = %s after a task without one", dtStr(c))
	}
	if c := f.lastEvent(ex, types.EventTypeDecisionTaskCompleted).DecisionTaskCompletedEventAttributes; c.ExecutionContext != nil {
		t.Fatalf("DecisionTaskCompleted without a context: %+v", c)
	}

	dtSignal(f, ex, "s")
	d = f.decision()
	_, err = f.c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: d.TaskToken, ExecutionContext: aws.String("step-3")})
	must(t, err)
	if c := f.describe(ex).LatestExecutionContext; aws.ToString(c) != "step-3" {
		t.Fatalf("latestExecutionContext = %s", dtStr(c))
	}
}

func TestDecisionTaskListChange(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.start("moves")
	d := f.decision()
	_, err := f.c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: d.TaskToken, TaskList: &types.TaskList{Name: aws.String("deciders-2")}, Decisions: []types.Decision{scheduleActivity("a1")}})
	must(t, err)
	if c := f.lastEvent(ex, types.EventTypeDecisionTaskCompleted).DecisionTaskCompletedEventAttributes; aws.ToString(c.TaskList.Name) != "deciders-2" || c.TaskListScheduleToStartTimeout != nil {
		t.Fatalf("DecisionTaskCompleted: %+v", c)
	}
	a := f.activity()
	_, err = f.c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a.TaskToken})
	must(t, err)
	s := f.lastEvent(ex, types.EventTypeDecisionTaskScheduled).DecisionTaskScheduledEventAttributes
	if aws.ToString(s.TaskList.Name) != "deciders-2" || s.ScheduleToStartTimeout != nil || aws.ToString(s.StartToCloseTimeout) != "30" || aws.ToString(s.TaskPriority) != "0" {
		t.Fatalf("DecisionTaskScheduled: %+v", s)
	}
	if n, m := dtPendingDecisions(f, deciderList), dtPendingDecisions(f, "deciders-2"); n != 0 || m != 1 {
		t.Fatalf("pending decision tasks: %d on %s, %d on deciders-2", n, deciderList, m)
	}
	d = dtPollDecision(f, "deciders-2")
	f.decide(d.TaskToken)

	// The change is for good: later tasks go to the new list too.
	dtSignal(f, ex, "s")
	if n, m := dtPendingDecisions(f, deciderList), dtPendingDecisions(f, "deciders-2"); n != 0 || m != 1 {
		t.Fatalf("pending decision tasks: %d on %s, %d on deciders-2", n, deciderList, m)
	}
	d = dtPollDecision(f, "deciders-2")
	f.decide(d.TaskToken, completeWorkflow("done"))
	if info := f.describe(ex).ExecutionInfo; info.CloseStatus != types.CloseStatusCompleted {
		t.Fatalf("execution info: %+v", info)
	}
}

func TestDecisionTaskListChangeForAWhile(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex := f.start("visits")
	d := f.decision()
	_, err := f.c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: d.TaskToken, TaskList: &types.TaskList{Name: aws.String("elsewhere")}, TaskListScheduleToStartTimeout: aws.String("10")})
	must(t, err)
	if c := f.lastEvent(ex, types.EventTypeDecisionTaskCompleted).DecisionTaskCompletedEventAttributes; aws.ToString(c.TaskList.Name) != "elsewhere" || aws.ToString(c.TaskListScheduleToStartTimeout) != "10" {
		t.Fatalf("DecisionTaskCompleted: %+v", c)
	}
	dtSignal(f, ex, "s") // 5, 6
	s := f.lastEvent(ex, types.EventTypeDecisionTaskScheduled).DecisionTaskScheduledEventAttributes
	if aws.ToString(s.TaskList.Name) != "elsewhere" || aws.ToString(s.ScheduleToStartTimeout) != "10" {
		t.Fatalf("DecisionTaskScheduled: %+v", s)
	}
	// Nobody takes it in time: it times out and the run goes back to its
	// own list.
	f.advance(10 * time.Second)
	h := dtWantHistory(f, ex, 6, types.EventTypeDecisionTaskScheduled, types.EventTypeDecisionTaskTimedOut, types.EventTypeDecisionTaskScheduled)
	if o := h[6].DecisionTaskTimedOutEventAttributes; o.TimeoutType != types.DecisionTaskTimeoutTypeScheduleToStart || o.ScheduledEventId != 6 || o.StartedEventId != 0 {
		t.Fatalf("DecisionTaskTimedOut: %+v", o)
	}
	if s := h[7].DecisionTaskScheduledEventAttributes; aws.ToString(s.TaskList.Name) != deciderList || s.ScheduleToStartTimeout != nil {
		t.Fatalf("DecisionTaskScheduled: %+v", s)
	}
	if n, m := dtPendingDecisions(f, deciderList), dtPendingDecisions(f, "elsewhere"); n != 1 || m != 0 {
		t.Fatalf("pending decision tasks: %d on %s, %d on elsewhere", n, deciderList, m)
	}
	d = f.decision()
	if d.StartedEventId != 9 {
		t.Fatalf("decision task started as %d", d.StartedEventId)
	}
}
