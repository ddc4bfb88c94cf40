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

// show shows an optional string, telling nil from "".
func show(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%q", *s)
}

// scheduled shows every attribute of an ActivityTaskScheduled event.
func scheduled(a *types.ActivityTaskScheduledEventAttributes) string {
	return fmt.Sprintf("type=%s/%s id=%s input=%s control=%s list=%s priority=%s s2s=%s s2c=%s stc=%s hb=%s completed=%d",
		aws.ToString(a.ActivityType.Name), aws.ToString(a.ActivityType.Version), show(a.ActivityId), show(a.Input), show(a.Control),
		aws.ToString(a.TaskList.Name), show(a.TaskPriority), show(a.ScheduleToStartTimeout), show(a.ScheduleToCloseTimeout),
		show(a.StartToCloseTimeout), show(a.HeartbeatTimeout), a.DecisionTaskCompletedEventId)
}

// scheduleFailed shows every attribute of a ScheduleActivityTaskFailed
// event.
func scheduleFailed(a *types.ScheduleActivityTaskFailedEventAttributes) string {
	return fmt.Sprintf("type=%s/%s id=%s cause=%s completed=%d", aws.ToString(a.ActivityType.Name), aws.ToString(a.ActivityType.Version), show(a.ActivityId), a.Cause, a.DecisionTaskCompletedEventId)
}

func TestScheduleActivityTaskResolvesEachValue(t *testing.T) {
	t.Parallel()
	f := swftest.NewDomain(t)
	_, err := f.Client.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{
		Domain: aws.String(f.Name), Name: aws.String("prio"), Version: aws.String("1"),
		DefaultTaskList:                   &types.TaskList{Name: aws.String(swftest.WorkerList)},
		DefaultTaskPriority:               aws.String("7"),
		DefaultTaskScheduleToStartTimeout: aws.String("11"),
		DefaultTaskScheduleToCloseTimeout: aws.String("12"),
		DefaultTaskStartToCloseTimeout:    aws.String("13"),
		DefaultTaskHeartbeatTimeout:       aws.String("14"),
	})
	must(t, err)
	ex := f.Start("resolve")
	if d := f.Describe(ex); d.LatestActivityTaskTimestamp != nil {
		t.Fatalf("latestActivityTaskTimestamp before any activity: %v", d.LatestActivityTaskTimestamp)
	}
	d := f.PollDecision()
	f.Clock.Advance(5 * time.Second)
	scheduledAt := swftest.Epoch.Add(5 * time.Second)
	f.Decide(d.TaskToken,
		swftest.ScheduleActivity("defaults"),
		swftest.ScheduleActivity("overrides", func(a *types.ScheduleActivityTaskDecisionAttributes) {
			a.TaskList = &types.TaskList{Name: aws.String("special")}
			a.ScheduleToStartTimeout = aws.String("5")
			a.ScheduleToCloseTimeout = aws.String("NONE")
			a.StartToCloseTimeout = aws.String("7")
			a.HeartbeatTimeout = aws.String("NONE")
			a.TaskPriority = aws.String("-3")
			a.Control = aws.String("ctl")
		}),
		swftest.ScheduleActivity("typed", func(a *types.ScheduleActivityTaskDecisionAttributes) {
			a.ActivityType = swftest.ActivityType("prio", "1")
			a.StartToCloseTimeout = aws.String("99")
		}),
		swftest.ScheduleActivity("typed-zero", func(a *types.ScheduleActivityTaskDecisionAttributes) {
			a.ActivityType = swftest.ActivityType("prio", "1")
			a.TaskPriority = aws.String("0")
			a.Input = nil
		}),
	)

	// Scheduling activities asks for no decision.
	h := f.WantHistoryFrom(ex, 4, types.EventTypeDecisionTaskCompleted,
		types.EventTypeActivityTaskScheduled, types.EventTypeActivityTaskScheduled, types.EventTypeActivityTaskScheduled, types.EventTypeActivityTaskScheduled)
	want := []string{
		`type=work/1 id="defaults" input="input of defaults" control=<nil> list=workers priority="0" s2s="60" s2c="600" stc="300" hb="30" completed=4`,
		`type=work/1 id="overrides" input="input of overrides" control="ctl" list=special priority="-3" s2s="5" s2c="NONE" stc="7" hb="NONE" completed=4`,
		`type=prio/1 id="typed" input="input of typed" control=<nil> list=workers priority="7" s2s="11" s2c="12" stc="99" hb="14" completed=4`,
		`type=prio/1 id="typed-zero" input=<nil> control=<nil> list=workers priority="0" s2s="11" s2c="12" stc="13" hb="14" completed=4`,
	}
	for i, w := range want {
		ev := h[4+i]
		if got := scheduled(ev.ActivityTaskScheduledEventAttributes); got != w {
			t.Errorf("event %d:\n got %s\nwant %s", ev.EventId, got, w)
		}
		if !ev.EventTimestamp.Equal(scheduledAt) {
			t.Errorf("event %d at %v, want %v", ev.EventId, ev.EventTimestamp, scheduledAt)
		}
	}

	desc := f.Describe(ex)
	if desc.LatestActivityTaskTimestamp == nil || !desc.LatestActivityTaskTimestamp.Equal(scheduledAt) {
		t.Errorf("latestActivityTaskTimestamp = %v, want %v", desc.LatestActivityTaskTimestamp, scheduledAt)
	}
	if desc.OpenCounts.OpenActivityTasks != 4 || desc.OpenCounts.OpenDecisionTasks != 0 {
		t.Errorf("open counts: %+v", desc.OpenCounts)
	}
	if n := f.PendingActivities(swftest.WorkerList); n != 3 {
		t.Errorf("%d activity tasks on %s, want 3", n, swftest.WorkerList)
	}
	if n := f.PendingActivities("special"); n != 1 {
		t.Errorf("%d activity tasks on special, want 1", n)
	}

	// The task goes to the list the decision named, as scheduled.
	a := f.PollActivityOn("special")
	if aws.ToString(a.ActivityId) != "overrides" || aws.ToString(a.Input) != "input of overrides" || a.StartedEventId != 9 ||
		aws.ToString(a.ActivityType.Name) != "work" || aws.ToString(a.WorkflowExecution.RunId) != aws.ToString(ex.RunId) {
		t.Fatalf("activity task: %+v", a)
	}
	if st := f.LastEvent(ex, types.EventTypeActivityTaskStarted).ActivityTaskStartedEventAttributes; st.ScheduledEventId != 6 || aws.ToString(st.Identity) != "worker" {
		t.Fatalf("ActivityTaskStarted: %+v", st)
	}
}

func TestScheduleActivityTaskFailureCauses(t *testing.T) {
	t.Parallel()
	f := swftest.NewDomain(t)
	full := func(name string) *swf.RegisterActivityTypeInput {
		return &swf.RegisterActivityTypeInput{
			Domain: aws.String(f.Name), Name: aws.String(name), Version: aws.String("1"),
			DefaultTaskList:                   &types.TaskList{Name: aws.String(swftest.WorkerList)},
			DefaultTaskScheduleToStartTimeout: aws.String("60"),
			DefaultTaskScheduleToCloseTimeout: aws.String("600"),
			DefaultTaskStartToCloseTimeout:    aws.String("300"),
			DefaultTaskHeartbeatTimeout:       aws.String("30"),
		}
	}
	_, err := f.Client.RegisterActivityType(ctx, full("old"))
	must(t, err)
	_, err = f.Client.DeprecateActivityType(ctx, &swf.DeprecateActivityTypeInput{Domain: aws.String(f.Name), ActivityType: swftest.ActivityType("old", "1")})
	must(t, err)
	_, err = f.Client.RegisterActivityType(ctx, full("gone"))
	must(t, err)
	_, err = f.Client.DeprecateActivityType(ctx, &swf.DeprecateActivityTypeInput{Domain: aws.String(f.Name), ActivityType: swftest.ActivityType("gone", "1")})
	must(t, err)
	_, err = f.Client.DeleteActivityType(ctx, &swf.DeleteActivityTypeInput{Domain: aws.String(f.Name), ActivityType: swftest.ActivityType("gone", "1")})
	must(t, err)
	// A type registered without any default.
	_, err = f.Client.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{Domain: aws.String(f.Name), Name: aws.String("bare"), Version: aws.String("1")})
	must(t, err)

	ex := f.Start("causes")
	d := f.PollDecision()
	f.Decide(d.TaskToken, swftest.ScheduleActivity("busy"))

	bare := func(mod func(*types.ScheduleActivityTaskDecisionAttributes)) func(*types.ScheduleActivityTaskDecisionAttributes) {
		return func(a *types.ScheduleActivityTaskDecisionAttributes) {
			a.ActivityType = swftest.ActivityType("bare", "1")
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
		return func(a *types.ScheduleActivityTaskDecisionAttributes) {
			a.ActivityType = swftest.ActivityType(name, version)
		}
	}
	cases := []struct {
		name     string
		decision types.Decision
		want     string
	}{
		{"unknown type", swftest.ScheduleActivity("x1", typed("nope", "1")), `type=nope/1 id="x1" cause=ACTIVITY_TYPE_DOES_NOT_EXIST`},
		{"unknown version", swftest.ScheduleActivity("x2", typed("work", "2")), `type=work/2 id="x2" cause=ACTIVITY_TYPE_DOES_NOT_EXIST`},
		{"deleted type", swftest.ScheduleActivity("x3", typed("gone", "1")), `type=gone/1 id="x3" cause=ACTIVITY_TYPE_DOES_NOT_EXIST`},
		{"deprecated type", swftest.ScheduleActivity("x4", typed("old", "1")), `type=old/1 id="x4" cause=ACTIVITY_TYPE_DEPRECATED`},
		{"deprecated before id in use", swftest.ScheduleActivity("busy", typed("old", "1")), `type=old/1 id="busy" cause=ACTIVITY_TYPE_DEPRECATED`},
		{"id in use", swftest.ScheduleActivity("busy"), `type=work/1 id="busy" cause=ACTIVITY_ID_ALREADY_IN_USE`},
		{"id in use before defaults", swftest.ScheduleActivity("busy", bare(nil)), `type=bare/1 id="busy" cause=ACTIVITY_ID_ALREADY_IN_USE`},
		{"no schedule-to-close", swftest.ScheduleActivity("x5", bare(nil)), `type=bare/1 id="x5" cause=DEFAULT_SCHEDULE_TO_CLOSE_TIMEOUT_UNDEFINED`},
		{"no task list", swftest.ScheduleActivity("x6", bare(s2c)), `type=bare/1 id="x6" cause=DEFAULT_TASK_LIST_UNDEFINED`},
		{"no schedule-to-start", swftest.ScheduleActivity("x7", bare(list)), `type=bare/1 id="x7" cause=DEFAULT_SCHEDULE_TO_START_TIMEOUT_UNDEFINED`},
		{"no start-to-close", swftest.ScheduleActivity("x8", bare(s2s)), `type=bare/1 id="x8" cause=DEFAULT_START_TO_CLOSE_TIMEOUT_UNDEFINED`},
		{"no heartbeat", swftest.ScheduleActivity("x9", bare(stc)), `type=bare/1 id="x9" cause=DEFAULT_HEARTBEAT_TIMEOUT_UNDEFINED`},
	}
	// Each failure is the only decision of its task, and asks for a new
	// decision task, which the next case answers.
	f.Signal(ex, "go") // 6, 7: a decision task for the first case
	next := int64(8)
	for _, tc := range cases {
		d = f.PollDecision()
		if d.StartedEventId != next {
			t.Fatalf("%s: decision task started as event %d, want %d", tc.name, d.StartedEventId, next)
		}
		f.Decide(d.TaskToken, tc.decision)
		h := f.WantHistoryFrom(ex, next+1, types.EventTypeDecisionTaskCompleted, types.EventTypeScheduleActivityTaskFailed, types.EventTypeDecisionTaskScheduled)
		want := fmt.Sprintf("%s completed=%d", tc.want, next+1)
		if got := scheduleFailed(h[next+1].ScheduleActivityTaskFailedEventAttributes); got != want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, want)
		}
		if s := h[next+2].DecisionTaskScheduledEventAttributes; aws.ToString(s.TaskList.Name) != swftest.DeciderList || aws.ToString(s.StartToCloseTimeout) != "30" {
			t.Errorf("%s: DecisionTaskScheduled %+v", tc.name, s)
		}
		next += 4 // DecisionTaskCompleted, the failure, DecisionTaskScheduled, then the next DecisionTaskStarted
	}

	// With every default given, the type without defaults schedules; NONE
	// counts as given.
	d = f.PollDecision()
	f.Decide(d.TaskToken, swftest.ScheduleActivity("x10", bare(hb)))
	h := f.WantHistoryFrom(ex, d.StartedEventId+1, types.EventTypeDecisionTaskCompleted, types.EventTypeActivityTaskScheduled)
	want := fmt.Sprintf(`type=bare/1 id="x10" input="input of x10" control=<nil> list=bare-list priority="0" s2s="NONE" s2c="100" stc="50" hb="NONE" completed=%d`, d.StartedEventId+1)
	if got := scheduled(h[d.StartedEventId+1].ActivityTaskScheduledEventAttributes); got != want {
		t.Errorf("scheduled:\n got %s\nwant %s", got, want)
	}

	// Once the activity that held an id closes, the id is free again.
	a := f.PollActivity()
	if aws.ToString(a.ActivityId) != "busy" {
		t.Fatalf("got activity %s", aws.ToString(a.ActivityId))
	}
	_, err = f.Client.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a.TaskToken})
	must(t, err)
	d = f.PollDecision()
	f.Decide(d.TaskToken, swftest.ScheduleActivity("busy"))
	f.WantHistoryFrom(ex, d.StartedEventId+1, types.EventTypeDecisionTaskCompleted, types.EventTypeActivityTaskScheduled)
	if n, _ := f.OpenCounts(ex); n != 2 {
		t.Fatalf("%d open activities, want 2 (x10 and the second busy)", n)
	}
}

func TestDecisionsAfterAFailedOneAreStillApplied(t *testing.T) {
	t.Parallel()
	f := swftest.NewDomain(t)
	ex := f.Start("mixed")
	d := f.PollDecision()
	f.Decide(d.TaskToken,
		swftest.ScheduleActivity("ok-1"),
		swftest.ScheduleActivity("x1", func(a *types.ScheduleActivityTaskDecisionAttributes) {
			a.ActivityType = swftest.ActivityType("nope", "1")
		}),
		swftest.ScheduleActivity("ok-1"),
		swftest.ScheduleActivity("ok-2"),
		swftest.RecordMarker("m", aws.String("after failures")),
		swftest.RequestCancelActivity("nobody"),
		swftest.ScheduleActivity("ok-3"),
	)
	h := f.WantHistoryFrom(ex, 4,
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
	if got := scheduleFailed(h[5].ScheduleActivityTaskFailedEventAttributes); got != `type=nope/1 id="x1" cause=ACTIVITY_TYPE_DOES_NOT_EXIST completed=4` {
		t.Errorf("event 6: %s", got)
	}
	if got := scheduleFailed(h[6].ScheduleActivityTaskFailedEventAttributes); got != `type=work/1 id="ok-1" cause=ACTIVITY_ID_ALREADY_IN_USE completed=4` {
		t.Errorf("event 7: %s", got)
	}
	for _, i := range []int{4, 7, 10} {
		if a := h[i].ActivityTaskScheduledEventAttributes; a.DecisionTaskCompletedEventId != 4 {
			t.Errorf("event %d: %s", i+1, scheduled(a))
		}
	}
	if m := h[8].MarkerRecordedEventAttributes; aws.ToString(m.MarkerName) != "m" || aws.ToString(m.Details) != "after failures" || m.DecisionTaskCompletedEventId != 4 {
		t.Errorf("MarkerRecorded: %+v", m)
	}
	if c := h[9].RequestCancelActivityTaskFailedEventAttributes; aws.ToString(c.ActivityId) != "nobody" || c.Cause != types.RequestCancelActivityTaskFailedCauseActivityIdUnknown || c.DecisionTaskCompletedEventId != 4 {
		t.Errorf("RequestCancelActivityTaskFailed: %+v", c)
	}
	if n, dn := f.OpenCounts(ex); n != 3 || dn != 1 {
		t.Errorf("open counts: %d activities, %d decision tasks", n, dn)
	}
	d = f.PollDecision()
	if d.StartedEventId != 13 || d.PreviousStartedEventId != 3 || len(d.Events) != 13 {
		t.Fatalf("next decision task: started %d previous %d, %d events", d.StartedEventId, d.PreviousStartedEventId, len(d.Events))
	}
}

func TestOpenActivitiesLimit(t *testing.T) {
	t.Parallel()
	f := swftest.NewDomain(t, swftest.WithConfig(func(c *server.Config) { c.Limits.Run.OpenActivities = 2 }))
	ex := f.Start("limit")
	d := f.PollDecision()
	f.Decide(d.TaskToken, swftest.ScheduleActivity("a1"), swftest.ScheduleActivity("a2"), swftest.ScheduleActivity("a3"))
	h := f.WantHistoryFrom(ex, 4, types.EventTypeDecisionTaskCompleted, types.EventTypeActivityTaskScheduled, types.EventTypeActivityTaskScheduled,
		types.EventTypeScheduleActivityTaskFailed, types.EventTypeDecisionTaskScheduled)
	if got := scheduleFailed(h[6].ScheduleActivityTaskFailedEventAttributes); got != `type=work/1 id="a3" cause=OPEN_ACTIVITIES_LIMIT_EXCEEDED completed=4` {
		t.Errorf("third activity: %s", got)
	}

	// A started activity counts as open as a scheduled one does.
	a1 := f.PollActivity() // event 9
	if aws.ToString(a1.ActivityId) != "a1" {
		t.Fatalf("got %s, want a1", aws.ToString(a1.ActivityId))
	}
	d = f.PollDecision() // event 10
	f.Decide(d.TaskToken, swftest.ScheduleActivity("a3"))
	h = f.WantHistoryFrom(ex, 11, types.EventTypeDecisionTaskCompleted, types.EventTypeScheduleActivityTaskFailed, types.EventTypeDecisionTaskScheduled)
	if got := scheduleFailed(h[11].ScheduleActivityTaskFailedEventAttributes); got != `type=work/1 id="a3" cause=OPEN_ACTIVITIES_LIMIT_EXCEEDED completed=11` {
		t.Errorf("a3 with a1 started and a2 scheduled: %s", got)
	}

	// One closes: one more fits, the next does not.
	_, err := f.Client.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a1.TaskToken}) // event 14
	must(t, err)
	d = f.PollDecision() // event 15
	f.Decide(d.TaskToken, swftest.ScheduleActivity("a3"), swftest.ScheduleActivity("a4"))
	h = f.WantHistoryFrom(ex, 14, types.EventTypeActivityTaskCompleted, types.EventTypeDecisionTaskStarted, types.EventTypeDecisionTaskCompleted,
		types.EventTypeActivityTaskScheduled, types.EventTypeScheduleActivityTaskFailed, types.EventTypeDecisionTaskScheduled)
	if got := aws.ToString(h[16].ActivityTaskScheduledEventAttributes.ActivityId); got != "a3" {
		t.Errorf("scheduled %s, want a3", got)
	}
	if got := scheduleFailed(h[17].ScheduleActivityTaskFailedEventAttributes); got != `type=work/1 id="a4" cause=OPEN_ACTIVITIES_LIMIT_EXCEEDED completed=16` {
		t.Errorf("a4: %s", got)
	}
	if n, _ := f.OpenCounts(ex); n != 2 {
		t.Errorf("%d open activities, want 2", n)
	}
}

func TestRequestCancelUnknownActivity(t *testing.T) {
	t.Parallel()
	f := swftest.NewDomain(t)
	ex := f.Start("ghost")
	d := f.PollDecision()
	f.Decide(d.TaskToken, swftest.RequestCancelActivity("ghost"))
	h := f.WantHistoryFrom(ex, 4, types.EventTypeDecisionTaskCompleted, types.EventTypeRequestCancelActivityTaskFailed, types.EventTypeDecisionTaskScheduled)
	if c := h[4].RequestCancelActivityTaskFailedEventAttributes; aws.ToString(c.ActivityId) != "ghost" || c.Cause != types.RequestCancelActivityTaskFailedCauseActivityIdUnknown || c.DecisionTaskCompletedEventId != 4 {
		t.Fatalf("RequestCancelActivityTaskFailed: %+v", c)
	}

	// An activity that has closed is unknown too.
	d = f.PollDecision() // 7
	f.Decide(d.TaskToken, swftest.ScheduleActivity("a1"))
	a := f.PollActivity() // 10
	f.Complete(a.TaskToken, "r")
	d = f.PollDecision() // 13
	f.Decide(d.TaskToken, swftest.RequestCancelActivity("a1"))
	h = f.WantHistoryFrom(ex, 11, types.EventTypeActivityTaskCompleted, types.EventTypeDecisionTaskScheduled, types.EventTypeDecisionTaskStarted,
		types.EventTypeDecisionTaskCompleted, types.EventTypeRequestCancelActivityTaskFailed, types.EventTypeDecisionTaskScheduled)
	if c := h[14].RequestCancelActivityTaskFailedEventAttributes; aws.ToString(c.ActivityId) != "a1" || c.Cause != types.RequestCancelActivityTaskFailedCauseActivityIdUnknown || c.DecisionTaskCompletedEventId != 14 {
		t.Fatalf("RequestCancelActivityTaskFailed: %+v", c)
	}
}

func TestRequestCancelScheduledActivity(t *testing.T) {
	t.Parallel()
	f := swftest.NewDomain(t)
	ex := f.Start("cancel-scheduled")
	d := f.PollDecision()
	f.Decide(d.TaskToken, swftest.ScheduleActivity("a1"), swftest.ScheduleActivity("a2")) // 5, 6
	if n := f.PendingActivities(swftest.WorkerList); n != 2 {
		t.Fatalf("%d pending activity tasks, want 2", n)
	}
	f.Signal(ex, "cancel a1") // 7, 8
	d = f.PollDecision()      // 9
	f.Decide(d.TaskToken, swftest.RequestCancelActivity("a1"))
	h := f.WantHistoryFrom(ex, 10, types.EventTypeDecisionTaskCompleted, types.EventTypeActivityTaskCancelRequested, types.EventTypeActivityTaskCanceled, types.EventTypeDecisionTaskScheduled)
	if r := h[10].ActivityTaskCancelRequestedEventAttributes; aws.ToString(r.ActivityId) != "a1" || r.DecisionTaskCompletedEventId != 10 {
		t.Errorf("ActivityTaskCancelRequested: %+v", r)
	}
	if c := h[11].ActivityTaskCanceledEventAttributes; c.ScheduledEventId != 5 || c.StartedEventId != 0 || c.LatestCancelRequestedEventId != 11 || c.Details != nil {
		t.Errorf("ActivityTaskCanceled: %+v", c)
	}
	if n, dn := f.OpenCounts(ex); n != 1 || dn != 1 {
		t.Errorf("open counts: %d activities, %d decision tasks", n, dn)
	}

	// The canceled task is gone from its list: the next one is a2.
	if n := f.PendingActivities(swftest.WorkerList); n != 1 {
		t.Fatalf("%d pending activity tasks, want 1", n)
	}
	if a := f.PollActivity(); aws.ToString(a.ActivityId) != "a2" {
		t.Fatalf("got %s, want a2", aws.ToString(a.ActivityId))
	}
	if n := f.PendingActivities(swftest.WorkerList); n != 0 {
		t.Fatalf("%d pending activity tasks, want 0", n)
	}
	d = f.PollDecision()
	if d.PreviousStartedEventId != 9 || d.StartedEventId != 15 || swftest.EventTypes(d.Events)[11] != types.EventTypeActivityTaskCanceled {
		t.Fatalf("next decision task: previous %d started %d events %v", d.PreviousStartedEventId, d.StartedEventId, swftest.EventTypes(d.Events))
	}
}

func TestRequestCancelActivityScheduledByTheSameDecisions(t *testing.T) {
	t.Parallel()
	f := swftest.NewDomain(t)
	ex := f.Start("schedule-and-cancel")
	d := f.PollDecision()
	f.Decide(d.TaskToken, swftest.ScheduleActivity("a1"), swftest.RequestCancelActivity("a1"))
	h := f.WantHistoryFrom(ex, 4, types.EventTypeDecisionTaskCompleted, types.EventTypeActivityTaskScheduled,
		types.EventTypeActivityTaskCancelRequested, types.EventTypeActivityTaskCanceled, types.EventTypeDecisionTaskScheduled)
	if c := h[6].ActivityTaskCanceledEventAttributes; c.ScheduledEventId != 5 || c.StartedEventId != 0 || c.LatestCancelRequestedEventId != 6 {
		t.Errorf("ActivityTaskCanceled: %+v", c)
	}
	if n, _ := f.OpenCounts(ex); n != 0 {
		t.Errorf("%d open activities, want 0", n)
	}
	if n := f.PendingActivities(swftest.WorkerList); n != 0 {
		t.Errorf("%d pending activity tasks, want 0: the canceled task stayed on its list", n)
	}

	// The id is free again, and only the new activity is delivered.
	d = f.PollDecision()
	f.Decide(d.TaskToken, swftest.ScheduleActivity("a1", func(a *types.ScheduleActivityTaskDecisionAttributes) { a.Input = aws.String("second") }))
	if n := f.PendingActivities(swftest.WorkerList); n != 1 {
		t.Errorf("%d pending activity tasks, want 1", n)
	}
	if a := f.PollActivity(); aws.ToString(a.Input) != "second" || a.StartedEventId != 12 {
		t.Fatalf("activity task: %+v", a)
	}
}

func TestRequestCancelStartedActivity(t *testing.T) {
	t.Parallel()
	f := swftest.NewDomain(t)
	ex := f.Start("cancel-started")
	d := f.PollDecision()
	f.Decide(d.TaskToken, swftest.ScheduleActivity("a1")) // 5
	a := f.PollActivity()                                 // 6
	hb, err := f.Client.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: a.TaskToken})
	must(t, err)
	if hb.CancelRequested {
		t.Fatal("cancelRequested before any request")
	}
	f.Signal(ex, "stop it") // 7, 8
	d = f.PollDecision()    // 9
	f.Decide(d.TaskToken, swftest.RequestCancelActivity("a1"))

	// The request alone asks for no decision.
	h := f.WantHistoryFrom(ex, 10, types.EventTypeDecisionTaskCompleted, types.EventTypeActivityTaskCancelRequested)
	if r := h[10].ActivityTaskCancelRequestedEventAttributes; aws.ToString(r.ActivityId) != "a1" || r.DecisionTaskCompletedEventId != 10 {
		t.Errorf("ActivityTaskCancelRequested: %+v", r)
	}
	if n, dn := f.OpenCounts(ex); n != 1 || dn != 0 {
		t.Errorf("open counts: %d activities, %d decision tasks", n, dn)
	}
	hb, err = f.Client.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: a.TaskToken, Details: aws.String("cleaning up")})
	must(t, err)
	if !hb.CancelRequested {
		t.Fatal("heartbeat after the request: cancelRequested false")
	}
	_, err = f.Client.RespondActivityTaskCanceled(ctx, &swf.RespondActivityTaskCanceledInput{TaskToken: a.TaskToken, Details: aws.String("rolled back")})
	must(t, err)
	h = f.WantHistoryFrom(ex, 12, types.EventTypeActivityTaskCanceled, types.EventTypeDecisionTaskScheduled)
	if c := h[11].ActivityTaskCanceledEventAttributes; aws.ToString(c.Details) != "rolled back" || c.ScheduledEventId != 5 || c.StartedEventId != 6 || c.LatestCancelRequestedEventId != 11 {
		t.Errorf("ActivityTaskCanceled: %+v", c)
	}
	if n, dn := f.OpenCounts(ex); n != 0 || dn != 1 {
		t.Errorf("open counts: %d activities, %d decision tasks", n, dn)
	}
	_, err = f.Client.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: a.TaskToken})
	wantFault[*types.UnknownResourceFault](t, err)
	d = f.PollDecision()
	if d.PreviousStartedEventId != 9 || d.StartedEventId != 14 {
		t.Fatalf("next decision task: previous %d started %d", d.PreviousStartedEventId, d.StartedEventId)
	}
}

func TestCancelRequestedActivityMayStillCompleteOrFail(t *testing.T) {
	t.Parallel()
	f := swftest.NewDomain(t)
	ex := f.Start("ignore-cancel")
	d := f.PollDecision()
	f.Decide(d.TaskToken, swftest.ScheduleActivity("a1"), swftest.ScheduleActivity("a2"))           // 5, 6
	a1 := f.PollActivity()                                                                          // 7
	a2 := f.PollActivity()                                                                          // 8
	f.Signal(ex, "cancel both")                                                                     // 9, 10
	d = f.PollDecision()                                                                            // 11
	f.Decide(d.TaskToken, swftest.RequestCancelActivity("a1"), swftest.RequestCancelActivity("a2")) // 12, 13, 14
	f.Signal(ex, "again")                                                                           // 15, 16
	d = f.PollDecision()                                                                            // 17
	f.Decide(d.TaskToken, swftest.RequestCancelActivity("a2"))                                      // 18, 19
	f.WantHistoryFrom(ex, 12, types.EventTypeDecisionTaskCompleted, types.EventTypeActivityTaskCancelRequested, types.EventTypeActivityTaskCancelRequested,
		types.EventTypeWorkflowExecutionSignaled, types.EventTypeDecisionTaskScheduled, types.EventTypeDecisionTaskStarted,
		types.EventTypeDecisionTaskCompleted, types.EventTypeActivityTaskCancelRequested)
	for _, a := range []*swf.PollForActivityTaskOutput{a1, a2} {
		hb, err := f.Client.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: a.TaskToken})
		must(t, err)
		if !hb.CancelRequested {
			t.Fatalf("%s: cancelRequested false", aws.ToString(a.ActivityId))
		}
	}
	f.Complete(a1.TaskToken, "done anyway")
	_, err := f.Client.RespondActivityTaskFailed(ctx, &swf.RespondActivityTaskFailedInput{TaskToken: a2.TaskToken, Reason: aws.String("nope"), Details: aws.String("could not stop")})
	must(t, err)
	h := f.WantHistoryFrom(ex, 20, types.EventTypeActivityTaskCompleted, types.EventTypeDecisionTaskScheduled, types.EventTypeActivityTaskFailed)
	if c := h[19].ActivityTaskCompletedEventAttributes; aws.ToString(c.Result) != "done anyway" || c.ScheduledEventId != 5 || c.StartedEventId != 7 {
		t.Errorf("ActivityTaskCompleted: %+v", c)
	}
	if c := h[21].ActivityTaskFailedEventAttributes; aws.ToString(c.Reason) != "nope" || aws.ToString(c.Details) != "could not stop" || c.ScheduledEventId != 6 || c.StartedEventId != 8 {
		t.Errorf("ActivityTaskFailed: %+v", c)
	}
}

func TestWorkerMayCancelWithoutARequest(t *testing.T) {
	t.Parallel()
	f := swftest.NewDomain(t)
	ex := f.Start("self-cancel")
	d := f.PollDecision()
	f.Decide(d.TaskToken, swftest.ScheduleActivity("a1")) // 5
	a := f.PollActivity()                                 // 6
	_, err := f.Client.RespondActivityTaskCanceled(ctx, &swf.RespondActivityTaskCanceledInput{TaskToken: a.TaskToken})
	must(t, err)
	h := f.WantHistoryFrom(ex, 7, types.EventTypeActivityTaskCanceled, types.EventTypeDecisionTaskScheduled)
	if c := h[6].ActivityTaskCanceledEventAttributes; c.Details != nil || c.ScheduledEventId != 5 || c.StartedEventId != 6 || c.LatestCancelRequestedEventId != 0 {
		t.Errorf("ActivityTaskCanceled: %+v", c)
	}
}

func TestCloseDecisions(t *testing.T) {
	t.Parallel()
	t.Run("complete", func(t *testing.T) {
		t.Parallel()
		f := swftest.NewDomain(t)
		ex := f.Start("complete")
		d := f.PollDecision()
		f.Decide(d.TaskToken, swftest.ScheduleActivity("a1"), swftest.ScheduleActivity("a2")) // 5, 6
		a1 := f.PollActivity()                                                                // 7
		f.Signal(ex, "finish")                                                                // 8, 9
		d = f.PollDecision()                                                                  // 10
		f.Clock.Advance(time.Second)
		f.Decide(d.TaskToken, swftest.CompleteWorkflow("the result"))
		h := f.WantHistoryFrom(ex, 11, types.EventTypeDecisionTaskCompleted, types.EventTypeWorkflowExecutionCompleted)
		if c := h[11].WorkflowExecutionCompletedEventAttributes; aws.ToString(c.Result) != "the result" || c.DecisionTaskCompletedEventId != 11 {
			t.Errorf("WorkflowExecutionCompleted: %+v", c)
		}
		desc := f.Describe(ex)
		info := desc.ExecutionInfo
		if info.ExecutionStatus != types.ExecutionStatusClosed || info.CloseStatus != types.CloseStatusCompleted ||
			info.CloseTimestamp == nil || !info.CloseTimestamp.Equal(swftest.Epoch.Add(time.Second)) {
			t.Errorf("execution info: %+v", info)
		}
		if desc.OpenCounts.OpenActivityTasks != 0 || desc.OpenCounts.OpenDecisionTasks != 0 {
			t.Errorf("open counts: %+v", desc.OpenCounts)
		}
		// The run's activities went with it, without events.
		if n := f.PendingActivities(swftest.WorkerList); n != 0 {
			t.Errorf("%d pending activity tasks after the close", n)
		}
		_, err := f.Client.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: a1.TaskToken})
		wantFault[*types.UnknownResourceFault](t, err)
		_, err = f.Client.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a1.TaskToken})
		wantFault[*types.UnknownResourceFault](t, err)
		if h := f.History(ex); len(h) != 12 {
			t.Errorf("events after the close: %v", swftest.EventTypes(h[12:]))
		}
	})
	t.Run("fail", func(t *testing.T) {
		t.Parallel()
		f := swftest.NewDomain(t)
		ex := f.Start("fail")
		d := f.PollDecision()
		f.Decide(d.TaskToken, swftest.RecordMarker("m", nil), swftest.FailWorkflow("broken", "all the details"))
		h := f.WantHistoryFrom(ex, 4, types.EventTypeDecisionTaskCompleted, types.EventTypeMarkerRecorded, types.EventTypeWorkflowExecutionFailed)
		if c := h[5].WorkflowExecutionFailedEventAttributes; aws.ToString(c.Reason) != "broken" || aws.ToString(c.Details) != "all the details" || c.DecisionTaskCompletedEventId != 4 {
			t.Errorf("WorkflowExecutionFailed: %+v", c)
		}
		if info := f.Describe(ex).ExecutionInfo; info.ExecutionStatus != types.ExecutionStatusClosed || info.CloseStatus != types.CloseStatusFailed {
			t.Errorf("execution info: %+v", info)
		}
	})
	t.Run("cancel after a request", func(t *testing.T) {
		t.Parallel()
		f := swftest.NewDomain(t)
		ex := f.Start("cancel")
		_, err := f.Client.RequestCancelWorkflowExecution(ctx, &swf.RequestCancelWorkflowExecutionInput{Domain: aws.String(f.Name), WorkflowId: ex.WorkflowId}) // 3
		must(t, err)
		d := f.PollDecision() // 4
		if got := swftest.EventTypes(d.Events); !slices.Equal(got, []types.EventType{"WorkflowExecutionStarted", "DecisionTaskScheduled", "WorkflowExecutionCancelRequested", "DecisionTaskStarted"}) {
			t.Fatalf("decision task history: %v", got)
		}
		f.Decide(d.TaskToken, swftest.CancelWorkflow("bye"))
		h := f.WantHistoryFrom(ex, 5, types.EventTypeDecisionTaskCompleted, types.EventTypeWorkflowExecutionCanceled)
		if c := h[5].WorkflowExecutionCanceledEventAttributes; aws.ToString(c.Details) != "bye" || c.DecisionTaskCompletedEventId != 5 {
			t.Errorf("WorkflowExecutionCanceled: %+v", c)
		}
		if info := f.Describe(ex).ExecutionInfo; info.ExecutionStatus != types.ExecutionStatusClosed || info.CloseStatus != types.CloseStatusCanceled || !info.CancelRequested {
			t.Errorf("execution info: %+v", info)
		}
	})
	t.Run("cancel without a request", func(t *testing.T) {
		t.Parallel()
		f := swftest.NewDomain(t)
		ex := f.Start("cancel")
		d := f.PollDecision()
		f.Decide(d.TaskToken, types.Decision{DecisionType: types.DecisionTypeCancelWorkflowExecution})
		h := f.WantHistoryFrom(ex, 4, types.EventTypeDecisionTaskCompleted, types.EventTypeWorkflowExecutionCanceled)
		if c := h[4].WorkflowExecutionCanceledEventAttributes; c.Details != nil || c.DecisionTaskCompletedEventId != 4 {
			t.Errorf("WorkflowExecutionCanceled: %+v", c)
		}
		if info := f.Describe(ex).ExecutionInfo; info.CloseStatus != types.CloseStatusCanceled || info.CancelRequested {
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
		{"complete", swftest.CompleteWorkflow("r"), types.EventTypeCompleteWorkflowExecutionFailed,
			func(e types.HistoryEvent) (string, int64) {
				a := e.CompleteWorkflowExecutionFailedEventAttributes
				return string(a.Cause), a.DecisionTaskCompletedEventId
			}, types.EventTypeWorkflowExecutionCompleted, types.CloseStatusCompleted},
		{"fail", swftest.FailWorkflow("r", "d"), types.EventTypeFailWorkflowExecutionFailed,
			func(e types.HistoryEvent) (string, int64) {
				a := e.FailWorkflowExecutionFailedEventAttributes
				return string(a.Cause), a.DecisionTaskCompletedEventId
			}, types.EventTypeWorkflowExecutionFailed, types.CloseStatusFailed},
		{"cancel", swftest.CancelWorkflow("d"), types.EventTypeCancelWorkflowExecutionFailed,
			func(e types.HistoryEvent) (string, int64) {
				a := e.CancelWorkflowExecutionFailedEventAttributes
				return string(a.Cause), a.DecisionTaskCompletedEventId
			}, types.EventTypeWorkflowExecutionCanceled, types.CloseStatusCanceled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := swftest.NewDomain(t)
			ex := f.Start("unhandled-" + tc.name)
			d := f.PollDecision() // 3
			f.Signal(ex, "late")  // 4: after the task started
			if n, dn := f.OpenCounts(ex); n != 0 || dn != 1 {
				t.Fatalf("open counts: %d activities, %d decision tasks", n, dn)
			}
			f.Decide(d.TaskToken, swftest.RecordMarker("before", nil), tc.close)
			h := f.WantHistoryFrom(ex, 4, types.EventTypeWorkflowExecutionSignaled, types.EventTypeDecisionTaskCompleted,
				types.EventTypeMarkerRecorded, tc.failed, types.EventTypeDecisionTaskScheduled)
			if cause, completed := tc.cause(h[6]); cause != "UNHANDLED_DECISION" || completed != 5 {
				t.Errorf("%s: cause %s, decisionTaskCompletedEventId %d", tc.failed, cause, completed)
			}
			if info := f.Describe(ex).ExecutionInfo; info.ExecutionStatus != types.ExecutionStatusOpen {
				t.Fatalf("execution info: %+v", info)
			}

			// The new task shows the signal the decider missed.
			d = f.PollDecision()
			if d.StartedEventId != 9 || d.PreviousStartedEventId != 3 {
				t.Fatalf("next decision task: started %d previous %d", d.StartedEventId, d.PreviousStartedEventId)
			}
			if s := d.Events[3]; s.EventType != types.EventTypeWorkflowExecutionSignaled || aws.ToString(s.WorkflowExecutionSignaledEventAttributes.SignalName) != "late" {
				t.Fatalf("event 4 of the task: %+v", s)
			}
			f.Decide(d.TaskToken, tc.close)
			f.WantHistoryFrom(ex, 10, types.EventTypeDecisionTaskCompleted, tc.closed)
			if info := f.Describe(ex).ExecutionInfo; info.ExecutionStatus != types.ExecutionStatusClosed || info.CloseStatus != tc.status {
				t.Fatalf("execution info: %+v", info)
			}
		})
	}
	t.Run("activity completed", func(t *testing.T) {
		t.Parallel()
		f := swftest.NewDomain(t)
		ex := f.Start("unhandled-activity")
		d := f.PollDecision()
		f.Decide(d.TaskToken, swftest.ScheduleActivity("a1")) // 5
		a := f.PollActivity()                                 // 6
		f.Signal(ex, "s")                                     // 7, 8
		d = f.PollDecision()                                  // 9
		_, err := f.Client.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a.TaskToken})
		must(t, err) // 10
		f.Decide(d.TaskToken, swftest.CompleteWorkflow("r"))
		f.WantHistoryFrom(ex, 10, types.EventTypeActivityTaskCompleted, types.EventTypeDecisionTaskCompleted,
			types.EventTypeCompleteWorkflowExecutionFailed, types.EventTypeDecisionTaskScheduled)
	})
	t.Run("failed decision before it", func(t *testing.T) {
		t.Parallel()
		f := swftest.NewDomain(t)
		ex := f.Start("unhandled-failure")
		d := f.PollDecision()
		f.Decide(d.TaskToken, swftest.ScheduleActivity("x", func(a *types.ScheduleActivityTaskDecisionAttributes) {
			a.ActivityType = swftest.ActivityType("nope", "1")
		}), swftest.CompleteWorkflow("r"))
		f.WantHistoryFrom(ex, 4, types.EventTypeDecisionTaskCompleted, types.EventTypeScheduleActivityTaskFailed,
			types.EventTypeCompleteWorkflowExecutionFailed, types.EventTypeDecisionTaskScheduled)
	})
	t.Run("signal before the task started", func(t *testing.T) {
		t.Parallel()
		f := swftest.NewDomain(t)
		ex := f.Start("handled")
		f.Signal(ex, "early") // 3, while the task is scheduled: the decider sees it
		d := f.PollDecision() // 4
		f.Decide(d.TaskToken, swftest.CompleteWorkflow("r"))
		f.WantHistoryFrom(ex, 5, types.EventTypeDecisionTaskCompleted, types.EventTypeWorkflowExecutionCompleted)
	})
}

func TestCloseDecisionMustBeLast(t *testing.T) {
	t.Parallel()
	f := swftest.NewDomain(t)
	ex := f.Start("last")
	d := f.PollDecision()
	cases := []struct {
		name      string
		decisions []types.Decision
	}{
		{"complete then marker", []types.Decision{swftest.CompleteWorkflow("r"), swftest.RecordMarker("m", nil)}},
		{"two closes", []types.Decision{swftest.CompleteWorkflow("r"), swftest.FailWorkflow("r", "d")}},
		{"close in the middle", []types.Decision{swftest.RecordMarker("m", nil), swftest.CancelWorkflow("d"), swftest.CompleteWorkflow("r")}},
		{"fail then schedule", []types.Decision{swftest.FailWorkflow("r", "d"), swftest.ScheduleActivity("a1")}},
	}
	for _, tc := range cases {
		err := f.DecideErr(d.TaskToken, tc.decisions...)
		if err == nil {
			t.Fatalf("%s: accepted", tc.name)
		}
		wantValidationMessage(t, err, closeNotLast)
		// Nothing was recorded and the task is still started.
		f.WantHistoryFrom(ex, 1, types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled, types.EventTypeDecisionTaskStarted)
		if n, dn := f.OpenCounts(ex); n != 0 || dn != 1 {
			t.Fatalf("%s: open counts %d activities, %d decision tasks", tc.name, n, dn)
		}
		if n := f.PendingDecisions(swftest.DeciderList); n != 0 {
			t.Fatalf("%s: %d pending decision tasks", tc.name, n)
		}
	}
	// The same task can be answered again.
	f.Decide(d.TaskToken, swftest.RecordMarker("m", nil), swftest.CompleteWorkflow("r"))
	f.WantHistoryFrom(ex, 4, types.EventTypeDecisionTaskCompleted, types.EventTypeMarkerRecorded, types.EventTypeWorkflowExecutionCompleted)
}

func TestDecisionWithoutItsAttributes(t *testing.T) {
	t.Parallel()
	f := swftest.NewDomain(t)
	ex := f.Start("bare-decisions")
	d := f.PollDecision()
	token := aws.ToString(d.TaskToken)

	// Through the SDK, which does not check this. Amazon SWF's words for it:
	// "StartTimerDecisionAttributes must be specified for decision of type
	// StartTimer" (quoted from the service in ericabouaf/aws-swf#2).
	err := f.DecideErr(d.TaskToken, types.Decision{DecisionType: types.DecisionTypeScheduleActivityTask})
	wantValidationMessage(t, err, "ScheduleActivityTaskDecisionAttributes must be specified for decision of type ScheduleActivityTask")
	err = f.DecideErr(d.TaskToken, swftest.RecordMarker("m", nil), types.Decision{DecisionType: types.DecisionTypeRequestCancelActivityTask})
	wantValidationMessage(t, err, "RequestCancelActivityTaskDecisionAttributes must be specified for decision of type RequestCancelActivityTask")
	err = f.DecideErr(d.TaskToken, types.Decision{DecisionType: types.DecisionTypeStartTimer})
	wantValidationMessage(t, err, "StartTimerDecisionAttributes must be specified for decision of type StartTimer")
	// Attributes of another decision type do not count.
	err = f.DecideErr(d.TaskToken, types.Decision{DecisionType: types.DecisionTypeRecordMarker, ScheduleActivityTaskDecisionAttributes: swftest.ScheduleActivity("a1").ScheduleActivityTaskDecisionAttributes})
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
	f.WantHistoryFrom(ex, 1, types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled, types.EventTypeDecisionTaskStarted)
	f.Decide(d.TaskToken, types.Decision{DecisionType: types.DecisionTypeCompleteWorkflowExecution})
	h := f.WantHistoryFrom(ex, 4, types.EventTypeDecisionTaskCompleted, types.EventTypeWorkflowExecutionCompleted)
	if c := h[4].WorkflowExecutionCompletedEventAttributes; c.Result != nil || c.DecisionTaskCompletedEventId != 4 {
		t.Errorf("WorkflowExecutionCompleted: %+v", c)
	}
}

func TestRecordMarker(t *testing.T) {
	t.Parallel()
	f := swftest.NewDomain(t)
	ex := f.Start("markers")
	d := f.PollDecision()
	f.Decide(d.TaskToken, swftest.RecordMarker("checkpoint", aws.String("step 1")), swftest.RecordMarker("bare", nil), swftest.RecordMarker("checkpoint", aws.String("step 2")))
	h := f.WantHistoryFrom(ex, 4, types.EventTypeDecisionTaskCompleted, types.EventTypeMarkerRecorded, types.EventTypeMarkerRecorded, types.EventTypeMarkerRecorded)
	want := []string{`"checkpoint" "step 1" 4`, `"bare" <nil> 4`, `"checkpoint" "step 2" 4`}
	for i, w := range want {
		m := h[4+i].MarkerRecordedEventAttributes
		if got := fmt.Sprintf("%s %s %d", show(m.MarkerName), show(m.Details), m.DecisionTaskCompletedEventId); got != w {
			t.Errorf("marker %d: %s, want %s", i+1, got, w)
		}
	}
	// Markers ask for no decision.
	if _, dn := f.OpenCounts(ex); dn != 0 {
		t.Errorf("%d open decision tasks", dn)
	}
	if n := f.PendingDecisions(swftest.DeciderList); n != 0 {
		t.Errorf("%d pending decision tasks", n)
	}
}

func TestExecutionContext(t *testing.T) {
	t.Parallel()
	f := swftest.NewDomain(t)
	ex := f.Start("context")
	if c := f.Describe(ex).LatestExecutionContext; c != nil {
		t.Fatalf("latestExecutionContext before any decision: %q", *c)
	}
	d := f.PollDecision()
	_, err := f.Client.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: d.TaskToken, ExecutionContext: aws.String("step-1"), Decisions: []types.Decision{swftest.ScheduleActivity("a1")}})
	must(t, err)
	if c := f.Describe(ex).LatestExecutionContext; aws.ToString(c) != "step-1" {
		t.Fatalf("latestExecutionContext = %s", show(c))
	}
	if c := f.LastEvent(ex, types.EventTypeDecisionTaskCompleted).DecisionTaskCompletedEventAttributes; aws.ToString(c.ExecutionContext) != "step-1" || c.ScheduledEventId != 2 || c.StartedEventId != 3 {
		t.Fatalf("DecisionTaskCompleted: %+v", c)
	}

	// A task answered without a context leaves the latest one.
	a := f.PollActivity()
	_, err = f.Client.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a.TaskToken})
	must(t, err)
	d = f.PollDecision()
	f.Decide(d.TaskToken)
	if c := f.Describe(ex).LatestExecutionContext; aws.ToString(c) != "step-1" {
		t.Fatalf("latestExecutionContext = %s after a task without one", show(c))
	}
	if c := f.LastEvent(ex, types.EventTypeDecisionTaskCompleted).DecisionTaskCompletedEventAttributes; c.ExecutionContext != nil {
		t.Fatalf("DecisionTaskCompleted without a context: %+v", c)
	}

	f.Signal(ex, "s")
	d = f.PollDecision()
	_, err = f.Client.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: d.TaskToken, ExecutionContext: aws.String("step-3")})
	must(t, err)
	if c := f.Describe(ex).LatestExecutionContext; aws.ToString(c) != "step-3" {
		t.Fatalf("latestExecutionContext = %s", show(c))
	}
}

func TestDecisionTaskListChange(t *testing.T) {
	t.Parallel()
	f := swftest.NewDomain(t)
	ex := f.Start("moves")
	d := f.PollDecision()
	_, err := f.Client.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: d.TaskToken, TaskList: &types.TaskList{Name: aws.String("deciders-2")}, Decisions: []types.Decision{swftest.ScheduleActivity("a1")}})
	must(t, err)
	if c := f.LastEvent(ex, types.EventTypeDecisionTaskCompleted).DecisionTaskCompletedEventAttributes; aws.ToString(c.TaskList.Name) != "deciders-2" || c.TaskListScheduleToStartTimeout != nil {
		t.Fatalf("DecisionTaskCompleted: %+v", c)
	}
	a := f.PollActivity()
	_, err = f.Client.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a.TaskToken})
	must(t, err)
	s := f.LastEvent(ex, types.EventTypeDecisionTaskScheduled).DecisionTaskScheduledEventAttributes
	if aws.ToString(s.TaskList.Name) != "deciders-2" || s.ScheduleToStartTimeout != nil || aws.ToString(s.StartToCloseTimeout) != "30" || aws.ToString(s.TaskPriority) != "0" {
		t.Fatalf("DecisionTaskScheduled: %+v", s)
	}
	if n, m := f.PendingDecisions(swftest.DeciderList), f.PendingDecisions("deciders-2"); n != 0 || m != 1 {
		t.Fatalf("pending decision tasks: %d on %s, %d on deciders-2", n, swftest.DeciderList, m)
	}
	d = f.PollDecisionOn("deciders-2")
	f.Decide(d.TaskToken)

	// The change is for good: later tasks go to the new list too.
	f.Signal(ex, "s")
	if n, m := f.PendingDecisions(swftest.DeciderList), f.PendingDecisions("deciders-2"); n != 0 || m != 1 {
		t.Fatalf("pending decision tasks: %d on %s, %d on deciders-2", n, swftest.DeciderList, m)
	}
	d = f.PollDecisionOn("deciders-2")
	f.Decide(d.TaskToken, swftest.CompleteWorkflow("done"))
	if info := f.Describe(ex).ExecutionInfo; info.CloseStatus != types.CloseStatusCompleted {
		t.Fatalf("execution info: %+v", info)
	}
}

func TestDecisionTaskListChangeForAWhile(t *testing.T) {
	t.Parallel()
	f := swftest.NewDomain(t)
	ex := f.Start("visits")
	d := f.PollDecision()
	_, err := f.Client.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: d.TaskToken, TaskList: &types.TaskList{Name: aws.String("elsewhere")}, TaskListScheduleToStartTimeout: aws.String("10")})
	must(t, err)
	if c := f.LastEvent(ex, types.EventTypeDecisionTaskCompleted).DecisionTaskCompletedEventAttributes; aws.ToString(c.TaskList.Name) != "elsewhere" || aws.ToString(c.TaskListScheduleToStartTimeout) != "10" {
		t.Fatalf("DecisionTaskCompleted: %+v", c)
	}
	f.Signal(ex, "s") // 5, 6
	s := f.LastEvent(ex, types.EventTypeDecisionTaskScheduled).DecisionTaskScheduledEventAttributes
	if aws.ToString(s.TaskList.Name) != "elsewhere" || aws.ToString(s.ScheduleToStartTimeout) != "10" {
		t.Fatalf("DecisionTaskScheduled: %+v", s)
	}
	// Nobody takes it in time: it times out and the run goes back to its
	// own list.
	f.Advance(10 * time.Second)
	h := f.WantHistoryFrom(ex, 6, types.EventTypeDecisionTaskScheduled, types.EventTypeDecisionTaskTimedOut, types.EventTypeDecisionTaskScheduled)
	if o := h[6].DecisionTaskTimedOutEventAttributes; o.TimeoutType != types.DecisionTaskTimeoutTypeScheduleToStart || o.ScheduledEventId != 6 || o.StartedEventId != 0 {
		t.Fatalf("DecisionTaskTimedOut: %+v", o)
	}
	if s := h[7].DecisionTaskScheduledEventAttributes; aws.ToString(s.TaskList.Name) != swftest.DeciderList || s.ScheduleToStartTimeout != nil {
		t.Fatalf("DecisionTaskScheduled: %+v", s)
	}
	if n, m := f.PendingDecisions(swftest.DeciderList), f.PendingDecisions("elsewhere"); n != 1 || m != 0 {
		t.Fatalf("pending decision tasks: %d on %s, %d on elsewhere", n, swftest.DeciderList, m)
	}
	d = f.PollDecision()
	if d.StartedEventId != 9 {
		t.Fatalf("decision task started as %d", d.StartedEventId)
	}
}
