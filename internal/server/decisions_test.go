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
	d := swftest.NewDomain(t)
	_, err := d.Client.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{
		Domain: aws.String(d.Name), Name: aws.String("prio"), Version: aws.String("1"),
		DefaultTaskList:                   &types.TaskList{Name: aws.String(swftest.WorkerList)},
		DefaultTaskPriority:               aws.String("7"),
		DefaultTaskScheduleToStartTimeout: aws.String("11"),
		DefaultTaskScheduleToCloseTimeout: aws.String("12"),
		DefaultTaskStartToCloseTimeout:    aws.String("13"),
		DefaultTaskHeartbeatTimeout:       aws.String("14"),
	})
	must(t, err)
	ex := d.Start("resolve")
	if detail := d.Describe(ex); detail.LatestActivityTaskTimestamp != nil {
		t.Fatalf("latestActivityTaskTimestamp before any activity: %v", detail.LatestActivityTaskTimestamp)
	}
	task := d.PollDecision()
	d.Clock.Advance(5 * time.Second)
	scheduledAt := swftest.Epoch.Add(5 * time.Second)
	d.Decide(task.TaskToken,
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
	h := d.WantHistoryFrom(ex, 4, types.EventTypeDecisionTaskCompleted,
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

	desc := d.Describe(ex)
	if desc.LatestActivityTaskTimestamp == nil || !desc.LatestActivityTaskTimestamp.Equal(scheduledAt) {
		t.Errorf("latestActivityTaskTimestamp = %v, want %v", desc.LatestActivityTaskTimestamp, scheduledAt)
	}
	if desc.OpenCounts.OpenActivityTasks != 4 || desc.OpenCounts.OpenDecisionTasks != 0 {
		t.Errorf("open counts: %+v", desc.OpenCounts)
	}
	if n := d.PendingActivities(swftest.WorkerList); n != 3 {
		t.Errorf("%d activity tasks on %s, want 3", n, swftest.WorkerList)
	}
	if n := d.PendingActivities("special"); n != 1 {
		t.Errorf("%d activity tasks on special, want 1", n)
	}

	// The task goes to the list the decision named, as scheduled.
	a := d.PollActivityOn("special")
	if aws.ToString(a.ActivityId) != "overrides" || aws.ToString(a.Input) != "input of overrides" || a.StartedEventId != 9 ||
		aws.ToString(a.ActivityType.Name) != "work" || aws.ToString(a.WorkflowExecution.RunId) != aws.ToString(ex.RunId) {
		t.Fatalf("activity task: %+v", a)
	}
	if st := d.LastEvent(ex, types.EventTypeActivityTaskStarted).ActivityTaskStartedEventAttributes; st.ScheduledEventId != 6 || aws.ToString(st.Identity) != "worker" {
		t.Fatalf("ActivityTaskStarted: %+v", st)
	}
}

func TestScheduleActivityTaskFailureCauses(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	full := func(name string) *swf.RegisterActivityTypeInput {
		return &swf.RegisterActivityTypeInput{
			Domain: aws.String(d.Name), Name: aws.String(name), Version: aws.String("1"),
			DefaultTaskList:                   &types.TaskList{Name: aws.String(swftest.WorkerList)},
			DefaultTaskScheduleToStartTimeout: aws.String("60"),
			DefaultTaskScheduleToCloseTimeout: aws.String("600"),
			DefaultTaskStartToCloseTimeout:    aws.String("300"),
			DefaultTaskHeartbeatTimeout:       aws.String("30"),
		}
	}
	_, err := d.Client.RegisterActivityType(ctx, full("old"))
	must(t, err)
	_, err = d.Client.DeprecateActivityType(ctx, &swf.DeprecateActivityTypeInput{Domain: aws.String(d.Name), ActivityType: swftest.ActivityType("old", "1")})
	must(t, err)
	_, err = d.Client.RegisterActivityType(ctx, full("gone"))
	must(t, err)
	_, err = d.Client.DeprecateActivityType(ctx, &swf.DeprecateActivityTypeInput{Domain: aws.String(d.Name), ActivityType: swftest.ActivityType("gone", "1")})
	must(t, err)
	_, err = d.Client.DeleteActivityType(ctx, &swf.DeleteActivityTypeInput{Domain: aws.String(d.Name), ActivityType: swftest.ActivityType("gone", "1")})
	must(t, err)
	// A type registered without any default.
	_, err = d.Client.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{Domain: aws.String(d.Name), Name: aws.String("bare"), Version: aws.String("1")})
	must(t, err)

	ex := d.Start("causes")
	task := d.PollDecision()
	d.Decide(task.TaskToken, swftest.ScheduleActivity("busy"))

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
	d.Signal(ex, "go") // 6, 7: a decision task for the first case
	next := int64(8)
	for _, tc := range cases {
		task = d.PollDecision()
		if task.StartedEventId != next {
			t.Fatalf("%s: decision task started as event %d, want %d", tc.name, task.StartedEventId, next)
		}
		d.Decide(task.TaskToken, tc.decision)
		h := d.WantHistoryFrom(ex, next+1, types.EventTypeDecisionTaskCompleted, types.EventTypeScheduleActivityTaskFailed, types.EventTypeDecisionTaskScheduled)
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
	task = d.PollDecision()
	d.Decide(task.TaskToken, swftest.ScheduleActivity("x10", bare(hb)))
	h := d.WantHistoryFrom(ex, task.StartedEventId+1, types.EventTypeDecisionTaskCompleted, types.EventTypeActivityTaskScheduled)
	want := fmt.Sprintf(`type=bare/1 id="x10" input="input of x10" control=<nil> list=bare-list priority="0" s2s="NONE" s2c="100" stc="50" hb="NONE" completed=%d`, task.StartedEventId+1)
	if got := scheduled(h[task.StartedEventId+1].ActivityTaskScheduledEventAttributes); got != want {
		t.Errorf("scheduled:\n got %s\nwant %s", got, want)
	}

	// Once the activity that held an id closes, the id is free again.
	a := d.PollActivity()
	if aws.ToString(a.ActivityId) != "busy" {
		t.Fatalf("got activity %s", aws.ToString(a.ActivityId))
	}
	_, err = d.Client.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a.TaskToken})
	must(t, err)
	task = d.PollDecision()
	d.Decide(task.TaskToken, swftest.ScheduleActivity("busy"))
	d.WantHistoryFrom(ex, task.StartedEventId+1, types.EventTypeDecisionTaskCompleted, types.EventTypeActivityTaskScheduled)
	if n, _ := d.OpenCounts(ex); n != 2 {
		t.Fatalf("%d open activities, want 2 (x10 and the second busy)", n)
	}
}

func TestDecisionsAfterAFailedOneAreStillApplied(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("mixed")
	task := d.PollDecision()
	d.Decide(task.TaskToken,
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
	h := d.WantHistoryFrom(ex, 4,
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
	if n, dn := d.OpenCounts(ex); n != 3 || dn != 1 {
		t.Errorf("open counts: %d activities, %d decision tasks", n, dn)
	}
	task = d.PollDecision()
	if task.StartedEventId != 13 || task.PreviousStartedEventId != 3 || len(task.Events) != 13 {
		t.Fatalf("next decision task: started %d previous %d, %d events", task.StartedEventId, task.PreviousStartedEventId, len(task.Events))
	}
}

func TestOpenActivitiesLimit(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t, swftest.WithConfig(func(c *server.Config) { c.Limits.Run.OpenActivities = 2 }))
	ex := d.Start("limit")
	task := d.PollDecision()
	d.Decide(task.TaskToken, swftest.ScheduleActivity("a1"), swftest.ScheduleActivity("a2"), swftest.ScheduleActivity("a3"))
	h := d.WantHistoryFrom(ex, 4, types.EventTypeDecisionTaskCompleted, types.EventTypeActivityTaskScheduled, types.EventTypeActivityTaskScheduled,
		types.EventTypeScheduleActivityTaskFailed, types.EventTypeDecisionTaskScheduled)
	if got := scheduleFailed(h[6].ScheduleActivityTaskFailedEventAttributes); got != `type=work/1 id="a3" cause=OPEN_ACTIVITIES_LIMIT_EXCEEDED completed=4` {
		t.Errorf("third activity: %s", got)
	}

	// A started activity counts as open as a scheduled one does.
	a1 := d.PollActivity() // event 9
	if aws.ToString(a1.ActivityId) != "a1" {
		t.Fatalf("got %s, want a1", aws.ToString(a1.ActivityId))
	}
	task = d.PollDecision() // event 10
	d.Decide(task.TaskToken, swftest.ScheduleActivity("a3"))
	h = d.WantHistoryFrom(ex, 11, types.EventTypeDecisionTaskCompleted, types.EventTypeScheduleActivityTaskFailed, types.EventTypeDecisionTaskScheduled)
	if got := scheduleFailed(h[11].ScheduleActivityTaskFailedEventAttributes); got != `type=work/1 id="a3" cause=OPEN_ACTIVITIES_LIMIT_EXCEEDED completed=11` {
		t.Errorf("a3 with a1 started and a2 scheduled: %s", got)
	}

	// One closes: one more fits, the next does not.
	_, err := d.Client.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a1.TaskToken}) // event 14
	must(t, err)
	task = d.PollDecision() // event 15
	d.Decide(task.TaskToken, swftest.ScheduleActivity("a3"), swftest.ScheduleActivity("a4"))
	h = d.WantHistoryFrom(ex, 14, types.EventTypeActivityTaskCompleted, types.EventTypeDecisionTaskStarted, types.EventTypeDecisionTaskCompleted,
		types.EventTypeActivityTaskScheduled, types.EventTypeScheduleActivityTaskFailed, types.EventTypeDecisionTaskScheduled)
	if got := aws.ToString(h[16].ActivityTaskScheduledEventAttributes.ActivityId); got != "a3" {
		t.Errorf("scheduled %s, want a3", got)
	}
	if got := scheduleFailed(h[17].ScheduleActivityTaskFailedEventAttributes); got != `type=work/1 id="a4" cause=OPEN_ACTIVITIES_LIMIT_EXCEEDED completed=16` {
		t.Errorf("a4: %s", got)
	}
	if n, _ := d.OpenCounts(ex); n != 2 {
		t.Errorf("%d open activities, want 2", n)
	}
}

func TestRequestCancelUnknownActivity(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("ghost")
	task := d.PollDecision()
	d.Decide(task.TaskToken, swftest.RequestCancelActivity("ghost"))
	h := d.WantHistoryFrom(ex, 4, types.EventTypeDecisionTaskCompleted, types.EventTypeRequestCancelActivityTaskFailed, types.EventTypeDecisionTaskScheduled)
	if c := h[4].RequestCancelActivityTaskFailedEventAttributes; aws.ToString(c.ActivityId) != "ghost" || c.Cause != types.RequestCancelActivityTaskFailedCauseActivityIdUnknown || c.DecisionTaskCompletedEventId != 4 {
		t.Fatalf("RequestCancelActivityTaskFailed: %+v", c)
	}

	// An activity that has closed is unknown too.
	task = d.PollDecision() // 7
	d.Decide(task.TaskToken, swftest.ScheduleActivity("a1"))
	a := d.PollActivity() // 10
	d.Complete(a.TaskToken, "r")
	task = d.PollDecision() // 13
	d.Decide(task.TaskToken, swftest.RequestCancelActivity("a1"))
	h = d.WantHistoryFrom(ex, 11, types.EventTypeActivityTaskCompleted, types.EventTypeDecisionTaskScheduled, types.EventTypeDecisionTaskStarted,
		types.EventTypeDecisionTaskCompleted, types.EventTypeRequestCancelActivityTaskFailed, types.EventTypeDecisionTaskScheduled)
	if c := h[14].RequestCancelActivityTaskFailedEventAttributes; aws.ToString(c.ActivityId) != "a1" || c.Cause != types.RequestCancelActivityTaskFailedCauseActivityIdUnknown || c.DecisionTaskCompletedEventId != 14 {
		t.Fatalf("RequestCancelActivityTaskFailed: %+v", c)
	}
}

func TestRequestCancelScheduledActivity(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("cancel-scheduled")
	task := d.PollDecision()
	d.Decide(task.TaskToken, swftest.ScheduleActivity("a1"), swftest.ScheduleActivity("a2")) // 5, 6
	if n := d.PendingActivities(swftest.WorkerList); n != 2 {
		t.Fatalf("%d pending activity tasks, want 2", n)
	}
	d.Signal(ex, "cancel a1") // 7, 8
	task = d.PollDecision()   // 9
	d.Decide(task.TaskToken, swftest.RequestCancelActivity("a1"))
	h := d.WantHistoryFrom(ex, 10, types.EventTypeDecisionTaskCompleted, types.EventTypeActivityTaskCancelRequested, types.EventTypeActivityTaskCanceled, types.EventTypeDecisionTaskScheduled)
	if r := h[10].ActivityTaskCancelRequestedEventAttributes; aws.ToString(r.ActivityId) != "a1" || r.DecisionTaskCompletedEventId != 10 {
		t.Errorf("ActivityTaskCancelRequested: %+v", r)
	}
	if c := h[11].ActivityTaskCanceledEventAttributes; c.ScheduledEventId != 5 || c.StartedEventId != 0 || c.LatestCancelRequestedEventId != 11 || c.Details != nil {
		t.Errorf("ActivityTaskCanceled: %+v", c)
	}
	if n, dn := d.OpenCounts(ex); n != 1 || dn != 1 {
		t.Errorf("open counts: %d activities, %d decision tasks", n, dn)
	}

	// The canceled task is gone from its list: the next one is a2.
	if n := d.PendingActivities(swftest.WorkerList); n != 1 {
		t.Fatalf("%d pending activity tasks, want 1", n)
	}
	if a := d.PollActivity(); aws.ToString(a.ActivityId) != "a2" {
		t.Fatalf("got %s, want a2", aws.ToString(a.ActivityId))
	}
	if n := d.PendingActivities(swftest.WorkerList); n != 0 {
		t.Fatalf("%d pending activity tasks, want 0", n)
	}
	task = d.PollDecision()
	if task.PreviousStartedEventId != 9 || task.StartedEventId != 15 || swftest.EventTypes(task.Events)[11] != types.EventTypeActivityTaskCanceled {
		t.Fatalf("next decision task: previous %d started %d events %v", task.PreviousStartedEventId, task.StartedEventId, swftest.EventTypes(task.Events))
	}
}

func TestRequestCancelActivityScheduledByTheSameDecisions(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("schedule-and-cancel")
	task := d.PollDecision()
	d.Decide(task.TaskToken, swftest.ScheduleActivity("a1"), swftest.RequestCancelActivity("a1"))
	h := d.WantHistoryFrom(ex, 4, types.EventTypeDecisionTaskCompleted, types.EventTypeActivityTaskScheduled,
		types.EventTypeActivityTaskCancelRequested, types.EventTypeActivityTaskCanceled, types.EventTypeDecisionTaskScheduled)
	if c := h[6].ActivityTaskCanceledEventAttributes; c.ScheduledEventId != 5 || c.StartedEventId != 0 || c.LatestCancelRequestedEventId != 6 {
		t.Errorf("ActivityTaskCanceled: %+v", c)
	}
	if n, _ := d.OpenCounts(ex); n != 0 {
		t.Errorf("%d open activities, want 0", n)
	}
	if n := d.PendingActivities(swftest.WorkerList); n != 0 {
		t.Errorf("%d pending activity tasks, want 0: the canceled task stayed on its list", n)
	}

	// The id is free again, and only the new activity is delivered.
	task = d.PollDecision()
	d.Decide(task.TaskToken, swftest.ScheduleActivity("a1", func(a *types.ScheduleActivityTaskDecisionAttributes) { a.Input = aws.String("second") }))
	if n := d.PendingActivities(swftest.WorkerList); n != 1 {
		t.Errorf("%d pending activity tasks, want 1", n)
	}
	if a := d.PollActivity(); aws.ToString(a.Input) != "second" || a.StartedEventId != 12 {
		t.Fatalf("activity task: %+v", a)
	}
}

func TestRequestCancelStartedActivity(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("cancel-started")
	task := d.PollDecision()
	d.Decide(task.TaskToken, swftest.ScheduleActivity("a1")) // 5
	a := d.PollActivity()                                    // 6
	hb, err := d.Client.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: a.TaskToken})
	must(t, err)
	if hb.CancelRequested {
		t.Fatal("cancelRequested before any request")
	}
	d.Signal(ex, "stop it") // 7, 8
	task = d.PollDecision() // 9
	d.Decide(task.TaskToken, swftest.RequestCancelActivity("a1"))

	// The request alone asks for no decision.
	h := d.WantHistoryFrom(ex, 10, types.EventTypeDecisionTaskCompleted, types.EventTypeActivityTaskCancelRequested)
	if r := h[10].ActivityTaskCancelRequestedEventAttributes; aws.ToString(r.ActivityId) != "a1" || r.DecisionTaskCompletedEventId != 10 {
		t.Errorf("ActivityTaskCancelRequested: %+v", r)
	}
	if n, dn := d.OpenCounts(ex); n != 1 || dn != 0 {
		t.Errorf("open counts: %d activities, %d decision tasks", n, dn)
	}
	hb, err = d.Client.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: a.TaskToken, Details: aws.String("cleaning up")})
	must(t, err)
	if !hb.CancelRequested {
		t.Fatal("heartbeat after the request: cancelRequested false")
	}
	_, err = d.Client.RespondActivityTaskCanceled(ctx, &swf.RespondActivityTaskCanceledInput{TaskToken: a.TaskToken, Details: aws.String("rolled back")})
	must(t, err)
	h = d.WantHistoryFrom(ex, 12, types.EventTypeActivityTaskCanceled, types.EventTypeDecisionTaskScheduled)
	if c := h[11].ActivityTaskCanceledEventAttributes; aws.ToString(c.Details) != "rolled back" || c.ScheduledEventId != 5 || c.StartedEventId != 6 || c.LatestCancelRequestedEventId != 11 {
		t.Errorf("ActivityTaskCanceled: %+v", c)
	}
	if n, dn := d.OpenCounts(ex); n != 0 || dn != 1 {
		t.Errorf("open counts: %d activities, %d decision tasks", n, dn)
	}
	_, err = d.Client.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: a.TaskToken})
	wantFault[*types.UnknownResourceFault](t, err)
	task = d.PollDecision()
	if task.PreviousStartedEventId != 9 || task.StartedEventId != 14 {
		t.Fatalf("next decision task: previous %d started %d", task.PreviousStartedEventId, task.StartedEventId)
	}
}

func TestCancelRequestedActivityMayStillCompleteOrFail(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("ignore-cancel")
	task := d.PollDecision()
	d.Decide(task.TaskToken, swftest.ScheduleActivity("a1"), swftest.ScheduleActivity("a2"))           // 5, 6
	a1 := d.PollActivity()                                                                             // 7
	a2 := d.PollActivity()                                                                             // 8
	d.Signal(ex, "cancel both")                                                                        // 9, 10
	task = d.PollDecision()                                                                            // 11
	d.Decide(task.TaskToken, swftest.RequestCancelActivity("a1"), swftest.RequestCancelActivity("a2")) // 12, 13, 14
	d.Signal(ex, "again")                                                                              // 15, 16
	task = d.PollDecision()                                                                            // 17
	d.Decide(task.TaskToken, swftest.RequestCancelActivity("a2"))                                      // 18, 19
	d.WantHistoryFrom(ex, 12, types.EventTypeDecisionTaskCompleted, types.EventTypeActivityTaskCancelRequested, types.EventTypeActivityTaskCancelRequested,
		types.EventTypeWorkflowExecutionSignaled, types.EventTypeDecisionTaskScheduled, types.EventTypeDecisionTaskStarted,
		types.EventTypeDecisionTaskCompleted, types.EventTypeActivityTaskCancelRequested)
	for _, a := range []*swf.PollForActivityTaskOutput{a1, a2} {
		hb, err := d.Client.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: a.TaskToken})
		must(t, err)
		if !hb.CancelRequested {
			t.Fatalf("%s: cancelRequested false", aws.ToString(a.ActivityId))
		}
	}
	d.Complete(a1.TaskToken, "done anyway")
	_, err := d.Client.RespondActivityTaskFailed(ctx, &swf.RespondActivityTaskFailedInput{TaskToken: a2.TaskToken, Reason: aws.String("nope"), Details: aws.String("could not stop")})
	must(t, err)
	h := d.WantHistoryFrom(ex, 20, types.EventTypeActivityTaskCompleted, types.EventTypeDecisionTaskScheduled, types.EventTypeActivityTaskFailed)
	if c := h[19].ActivityTaskCompletedEventAttributes; aws.ToString(c.Result) != "done anyway" || c.ScheduledEventId != 5 || c.StartedEventId != 7 {
		t.Errorf("ActivityTaskCompleted: %+v", c)
	}
	if c := h[21].ActivityTaskFailedEventAttributes; aws.ToString(c.Reason) != "nope" || aws.ToString(c.Details) != "could not stop" || c.ScheduledEventId != 6 || c.StartedEventId != 8 {
		t.Errorf("ActivityTaskFailed: %+v", c)
	}
}

func TestWorkerMayCancelWithoutARequest(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("self-cancel")
	task := d.PollDecision()
	d.Decide(task.TaskToken, swftest.ScheduleActivity("a1")) // 5
	a := d.PollActivity()                                    // 6
	_, err := d.Client.RespondActivityTaskCanceled(ctx, &swf.RespondActivityTaskCanceledInput{TaskToken: a.TaskToken})
	must(t, err)
	h := d.WantHistoryFrom(ex, 7, types.EventTypeActivityTaskCanceled, types.EventTypeDecisionTaskScheduled)
	if c := h[6].ActivityTaskCanceledEventAttributes; c.Details != nil || c.ScheduledEventId != 5 || c.StartedEventId != 6 || c.LatestCancelRequestedEventId != 0 {
		t.Errorf("ActivityTaskCanceled: %+v", c)
	}
}

func TestCloseDecisions(t *testing.T) {
	t.Parallel()
	t.Run("complete", func(t *testing.T) {
		t.Parallel()
		d := swftest.NewDomain(t)
		ex := d.Start("complete")
		task := d.PollDecision()
		d.Decide(task.TaskToken, swftest.ScheduleActivity("a1"), swftest.ScheduleActivity("a2")) // 5, 6
		a1 := d.PollActivity()                                                                   // 7
		d.Signal(ex, "finish")                                                                   // 8, 9
		task = d.PollDecision()                                                                  // 10
		d.Clock.Advance(time.Second)
		d.Decide(task.TaskToken, swftest.CompleteWorkflow("the result"))
		h := d.WantHistoryFrom(ex, 11, types.EventTypeDecisionTaskCompleted, types.EventTypeWorkflowExecutionCompleted)
		if c := h[11].WorkflowExecutionCompletedEventAttributes; aws.ToString(c.Result) != "the result" || c.DecisionTaskCompletedEventId != 11 {
			t.Errorf("WorkflowExecutionCompleted: %+v", c)
		}
		desc := d.Describe(ex)
		info := desc.ExecutionInfo
		if info.ExecutionStatus != types.ExecutionStatusClosed || info.CloseStatus != types.CloseStatusCompleted ||
			info.CloseTimestamp == nil || !info.CloseTimestamp.Equal(swftest.Epoch.Add(time.Second)) {
			t.Errorf("execution info: %+v", info)
		}
		if desc.OpenCounts.OpenActivityTasks != 0 || desc.OpenCounts.OpenDecisionTasks != 0 {
			t.Errorf("open counts: %+v", desc.OpenCounts)
		}
		// The run's activities went with it, without events.
		if n := d.PendingActivities(swftest.WorkerList); n != 0 {
			t.Errorf("%d pending activity tasks after the close", n)
		}
		_, err := d.Client.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: a1.TaskToken})
		wantFault[*types.UnknownResourceFault](t, err)
		_, err = d.Client.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a1.TaskToken})
		wantFault[*types.UnknownResourceFault](t, err)
		if h := d.History(ex); len(h) != 12 {
			t.Errorf("events after the close: %v", swftest.EventTypes(h[12:]))
		}
	})
	t.Run("fail", func(t *testing.T) {
		t.Parallel()
		d := swftest.NewDomain(t)
		ex := d.Start("fail")
		task := d.PollDecision()
		d.Decide(task.TaskToken, swftest.RecordMarker("m", nil), swftest.FailWorkflow("broken", "all the details"))
		h := d.WantHistoryFrom(ex, 4, types.EventTypeDecisionTaskCompleted, types.EventTypeMarkerRecorded, types.EventTypeWorkflowExecutionFailed)
		if c := h[5].WorkflowExecutionFailedEventAttributes; aws.ToString(c.Reason) != "broken" || aws.ToString(c.Details) != "all the details" || c.DecisionTaskCompletedEventId != 4 {
			t.Errorf("WorkflowExecutionFailed: %+v", c)
		}
		if info := d.Describe(ex).ExecutionInfo; info.ExecutionStatus != types.ExecutionStatusClosed || info.CloseStatus != types.CloseStatusFailed {
			t.Errorf("execution info: %+v", info)
		}
	})
	t.Run("cancel after a request", func(t *testing.T) {
		t.Parallel()
		d := swftest.NewDomain(t)
		ex := d.Start("cancel")
		_, err := d.Client.RequestCancelWorkflowExecution(ctx, &swf.RequestCancelWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: ex.WorkflowId}) // 3
		must(t, err)
		task := d.PollDecision() // 4
		if got := swftest.EventTypes(task.Events); !slices.Equal(got, []types.EventType{"WorkflowExecutionStarted", "DecisionTaskScheduled", "WorkflowExecutionCancelRequested", "DecisionTaskStarted"}) {
			t.Fatalf("decision task history: %v", got)
		}
		d.Decide(task.TaskToken, swftest.CancelWorkflow("bye"))
		h := d.WantHistoryFrom(ex, 5, types.EventTypeDecisionTaskCompleted, types.EventTypeWorkflowExecutionCanceled)
		if c := h[5].WorkflowExecutionCanceledEventAttributes; aws.ToString(c.Details) != "bye" || c.DecisionTaskCompletedEventId != 5 {
			t.Errorf("WorkflowExecutionCanceled: %+v", c)
		}
		if info := d.Describe(ex).ExecutionInfo; info.ExecutionStatus != types.ExecutionStatusClosed || info.CloseStatus != types.CloseStatusCanceled || !info.CancelRequested {
			t.Errorf("execution info: %+v", info)
		}
	})
	t.Run("cancel without a request", func(t *testing.T) {
		t.Parallel()
		d := swftest.NewDomain(t)
		ex := d.Start("cancel")
		task := d.PollDecision()
		d.Decide(task.TaskToken, types.Decision{DecisionType: types.DecisionTypeCancelWorkflowExecution})
		h := d.WantHistoryFrom(ex, 4, types.EventTypeDecisionTaskCompleted, types.EventTypeWorkflowExecutionCanceled)
		if c := h[4].WorkflowExecutionCanceledEventAttributes; c.Details != nil || c.DecisionTaskCompletedEventId != 4 {
			t.Errorf("WorkflowExecutionCanceled: %+v", c)
		}
		if info := d.Describe(ex).ExecutionInfo; info.CloseStatus != types.CloseStatusCanceled || info.CancelRequested {
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
			d := swftest.NewDomain(t)
			ex := d.Start("unhandled-" + tc.name)
			task := d.PollDecision() // 3
			d.Signal(ex, "late")     // 4: after the task started
			if n, dn := d.OpenCounts(ex); n != 0 || dn != 1 {
				t.Fatalf("open counts: %d activities, %d decision tasks", n, dn)
			}
			d.Decide(task.TaskToken, swftest.RecordMarker("before", nil), tc.close)
			h := d.WantHistoryFrom(ex, 4, types.EventTypeWorkflowExecutionSignaled, types.EventTypeDecisionTaskCompleted,
				types.EventTypeMarkerRecorded, tc.failed, types.EventTypeDecisionTaskScheduled)
			if cause, completed := tc.cause(h[6]); cause != "UNHANDLED_DECISION" || completed != 5 {
				t.Errorf("%s: cause %s, decisionTaskCompletedEventId %d", tc.failed, cause, completed)
			}
			if info := d.Describe(ex).ExecutionInfo; info.ExecutionStatus != types.ExecutionStatusOpen {
				t.Fatalf("execution info: %+v", info)
			}

			// The new task shows the signal the decider missed.
			task = d.PollDecision()
			if task.StartedEventId != 9 || task.PreviousStartedEventId != 3 {
				t.Fatalf("next decision task: started %d previous %d", task.StartedEventId, task.PreviousStartedEventId)
			}
			if s := task.Events[3]; s.EventType != types.EventTypeWorkflowExecutionSignaled || aws.ToString(s.WorkflowExecutionSignaledEventAttributes.SignalName) != "late" {
				t.Fatalf("event 4 of the task: %+v", s)
			}
			d.Decide(task.TaskToken, tc.close)
			d.WantHistoryFrom(ex, 10, types.EventTypeDecisionTaskCompleted, tc.closed)
			if info := d.Describe(ex).ExecutionInfo; info.ExecutionStatus != types.ExecutionStatusClosed || info.CloseStatus != tc.status {
				t.Fatalf("execution info: %+v", info)
			}
		})
	}
	t.Run("activity completed", func(t *testing.T) {
		t.Parallel()
		d := swftest.NewDomain(t)
		ex := d.Start("unhandled-activity")
		task := d.PollDecision()
		d.Decide(task.TaskToken, swftest.ScheduleActivity("a1")) // 5
		a := d.PollActivity()                                    // 6
		d.Signal(ex, "s")                                        // 7, 8
		task = d.PollDecision()                                  // 9
		_, err := d.Client.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a.TaskToken})
		must(t, err) // 10
		d.Decide(task.TaskToken, swftest.CompleteWorkflow("r"))
		d.WantHistoryFrom(ex, 10, types.EventTypeActivityTaskCompleted, types.EventTypeDecisionTaskCompleted,
			types.EventTypeCompleteWorkflowExecutionFailed, types.EventTypeDecisionTaskScheduled)
	})
	t.Run("failed decision before it", func(t *testing.T) {
		t.Parallel()
		d := swftest.NewDomain(t)
		ex := d.Start("unhandled-failure")
		task := d.PollDecision()
		d.Decide(task.TaskToken, swftest.ScheduleActivity("x", func(a *types.ScheduleActivityTaskDecisionAttributes) {
			a.ActivityType = swftest.ActivityType("nope", "1")
		}), swftest.CompleteWorkflow("r"))
		d.WantHistoryFrom(ex, 4, types.EventTypeDecisionTaskCompleted, types.EventTypeScheduleActivityTaskFailed,
			types.EventTypeCompleteWorkflowExecutionFailed, types.EventTypeDecisionTaskScheduled)
	})
	t.Run("signal before the task started", func(t *testing.T) {
		t.Parallel()
		d := swftest.NewDomain(t)
		ex := d.Start("handled")
		d.Signal(ex, "early")    // 3, while the task is scheduled: the decider sees it
		task := d.PollDecision() // 4
		d.Decide(task.TaskToken, swftest.CompleteWorkflow("r"))
		d.WantHistoryFrom(ex, 5, types.EventTypeDecisionTaskCompleted, types.EventTypeWorkflowExecutionCompleted)
	})
}

func TestCloseDecisionMustBeLast(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("last")
	task := d.PollDecision()
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
		err := d.DecideErr(task.TaskToken, tc.decisions...)
		if err == nil {
			t.Fatalf("%s: accepted", tc.name)
		}
		wantValidationMessage(t, err, closeNotLast)
		// Nothing was recorded and the task is still started.
		d.WantHistoryFrom(ex, 1, types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled, types.EventTypeDecisionTaskStarted)
		if n, dn := d.OpenCounts(ex); n != 0 || dn != 1 {
			t.Fatalf("%s: open counts %d activities, %d decision tasks", tc.name, n, dn)
		}
		if n := d.PendingDecisions(swftest.DeciderList); n != 0 {
			t.Fatalf("%s: %d pending decision tasks", tc.name, n)
		}
	}
	// The same task can be answered again.
	d.Decide(task.TaskToken, swftest.RecordMarker("m", nil), swftest.CompleteWorkflow("r"))
	d.WantHistoryFrom(ex, 4, types.EventTypeDecisionTaskCompleted, types.EventTypeMarkerRecorded, types.EventTypeWorkflowExecutionCompleted)
}

func TestDecisionWithoutItsAttributes(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("bare-decisions")
	task := d.PollDecision()
	token := aws.ToString(task.TaskToken)

	// Through the SDK, which does not check this. Amazon SWF's words for it:
	// "StartTimerDecisionAttributes must be specified for decision of type
	// StartTimer" (quoted from the service in ericabouaf/aws-swf#2).
	err := d.DecideErr(task.TaskToken, types.Decision{DecisionType: types.DecisionTypeScheduleActivityTask})
	wantValidationMessage(t, err, "ScheduleActivityTaskDecisionAttributes must be specified for decision of type ScheduleActivityTask")
	err = d.DecideErr(task.TaskToken, swftest.RecordMarker("m", nil), types.Decision{DecisionType: types.DecisionTypeRequestCancelActivityTask})
	wantValidationMessage(t, err, "RequestCancelActivityTaskDecisionAttributes must be specified for decision of type RequestCancelActivityTask")
	err = d.DecideErr(task.TaskToken, types.Decision{DecisionType: types.DecisionTypeStartTimer})
	wantValidationMessage(t, err, "StartTimerDecisionAttributes must be specified for decision of type StartTimer")
	// Attributes of another decision type do not count.
	err = d.DecideErr(task.TaskToken, types.Decision{DecisionType: types.DecisionTypeRecordMarker, ScheduleActivityTaskDecisionAttributes: swftest.ScheduleActivity("a1").ScheduleActivityTaskDecisionAttributes})
	wantValidationMessage(t, err, "RecordMarkerDecisionAttributes must be specified for decision of type RecordMarker")
	for _, raw := range []string{`[{"decisionType":"RecordMarker"}]`, `[{"decisionType":"RecordMarker","recordMarkerDecisionAttributes":null}]`} {
		status, code, msg := postJSON(t, d.Server, "RespondDecisionTaskCompleted", `{"taskToken":"`+token+`","decisions":`+raw+`}`)
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
		status, code, msg := postJSON(t, d.Server, "RespondDecisionTaskCompleted", `{"taskToken":"`+token+`","decisions":`+tc.decisions+`}`)
		if status != 400 || code != "ValidationException" || !strings.Contains(msg, "'"+tc.field+"'") {
			t.Errorf("%s: %d %s %q, want a ValidationException naming %s", tc.name, status, code, msg, tc.field)
		}
	}

	// Nothing was recorded; the task is still there to answer. The close
	// decisions' attributes are all optional.
	d.WantHistoryFrom(ex, 1, types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled, types.EventTypeDecisionTaskStarted)
	d.Decide(task.TaskToken, types.Decision{DecisionType: types.DecisionTypeCompleteWorkflowExecution})
	h := d.WantHistoryFrom(ex, 4, types.EventTypeDecisionTaskCompleted, types.EventTypeWorkflowExecutionCompleted)
	if c := h[4].WorkflowExecutionCompletedEventAttributes; c.Result != nil || c.DecisionTaskCompletedEventId != 4 {
		t.Errorf("WorkflowExecutionCompleted: %+v", c)
	}
}

func TestRecordMarker(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("markers")
	task := d.PollDecision()
	d.Decide(task.TaskToken, swftest.RecordMarker("checkpoint", aws.String("step 1")), swftest.RecordMarker("bare", nil), swftest.RecordMarker("checkpoint", aws.String("step 2")))
	h := d.WantHistoryFrom(ex, 4, types.EventTypeDecisionTaskCompleted, types.EventTypeMarkerRecorded, types.EventTypeMarkerRecorded, types.EventTypeMarkerRecorded)
	want := []string{`"checkpoint" "step 1" 4`, `"bare" <nil> 4`, `"checkpoint" "step 2" 4`}
	for i, w := range want {
		m := h[4+i].MarkerRecordedEventAttributes
		if got := fmt.Sprintf("%s %s %d", show(m.MarkerName), show(m.Details), m.DecisionTaskCompletedEventId); got != w {
			t.Errorf("marker %d: %s, want %s", i+1, got, w)
		}
	}
	// Markers ask for no decision.
	if _, dn := d.OpenCounts(ex); dn != 0 {
		t.Errorf("%d open decision tasks", dn)
	}
	if n := d.PendingDecisions(swftest.DeciderList); n != 0 {
		t.Errorf("%d pending decision tasks", n)
	}
}

func TestExecutionContext(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("context")
	if c := d.Describe(ex).LatestExecutionContext; c != nil {
		t.Fatalf("latestExecutionContext before any decision: %q", *c)
	}
	task := d.PollDecision()
	_, err := d.Client.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: task.TaskToken, ExecutionContext: aws.String("step-1"), Decisions: []types.Decision{swftest.ScheduleActivity("a1")}})
	must(t, err)
	if c := d.Describe(ex).LatestExecutionContext; aws.ToString(c) != "step-1" {
		t.Fatalf("latestExecutionContext = %s", show(c))
	}
	if c := d.LastEvent(ex, types.EventTypeDecisionTaskCompleted).DecisionTaskCompletedEventAttributes; aws.ToString(c.ExecutionContext) != "step-1" || c.ScheduledEventId != 2 || c.StartedEventId != 3 {
		t.Fatalf("DecisionTaskCompleted: %+v", c)
	}

	// A task answered without a context leaves the latest one.
	a := d.PollActivity()
	_, err = d.Client.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a.TaskToken})
	must(t, err)
	task = d.PollDecision()
	d.Decide(task.TaskToken)
	if c := d.Describe(ex).LatestExecutionContext; aws.ToString(c) != "step-1" {
		t.Fatalf("latestExecutionContext = %s after a task without one", show(c))
	}
	if c := d.LastEvent(ex, types.EventTypeDecisionTaskCompleted).DecisionTaskCompletedEventAttributes; c.ExecutionContext != nil {
		t.Fatalf("DecisionTaskCompleted without a context: %+v", c)
	}

	d.Signal(ex, "s")
	task = d.PollDecision()
	_, err = d.Client.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: task.TaskToken, ExecutionContext: aws.String("step-3")})
	must(t, err)
	if c := d.Describe(ex).LatestExecutionContext; aws.ToString(c) != "step-3" {
		t.Fatalf("latestExecutionContext = %s", show(c))
	}
}

func TestDecisionTaskListChange(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("moves")
	task := d.PollDecision()
	_, err := d.Client.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: task.TaskToken, TaskList: &types.TaskList{Name: aws.String("deciders-2")}, Decisions: []types.Decision{swftest.ScheduleActivity("a1")}})
	must(t, err)
	if c := d.LastEvent(ex, types.EventTypeDecisionTaskCompleted).DecisionTaskCompletedEventAttributes; aws.ToString(c.TaskList.Name) != "deciders-2" || c.TaskListScheduleToStartTimeout != nil {
		t.Fatalf("DecisionTaskCompleted: %+v", c)
	}
	a := d.PollActivity()
	_, err = d.Client.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a.TaskToken})
	must(t, err)
	s := d.LastEvent(ex, types.EventTypeDecisionTaskScheduled).DecisionTaskScheduledEventAttributes
	if aws.ToString(s.TaskList.Name) != "deciders-2" || s.ScheduleToStartTimeout != nil || aws.ToString(s.StartToCloseTimeout) != "30" || aws.ToString(s.TaskPriority) != "0" {
		t.Fatalf("DecisionTaskScheduled: %+v", s)
	}
	if n, m := d.PendingDecisions(swftest.DeciderList), d.PendingDecisions("deciders-2"); n != 0 || m != 1 {
		t.Fatalf("pending decision tasks: %d on %s, %d on deciders-2", n, swftest.DeciderList, m)
	}
	task = d.PollDecisionOn("deciders-2")
	d.Decide(task.TaskToken)

	// The change is for good: later tasks go to the new list too.
	d.Signal(ex, "s")
	if n, m := d.PendingDecisions(swftest.DeciderList), d.PendingDecisions("deciders-2"); n != 0 || m != 1 {
		t.Fatalf("pending decision tasks: %d on %s, %d on deciders-2", n, swftest.DeciderList, m)
	}
	task = d.PollDecisionOn("deciders-2")
	d.Decide(task.TaskToken, swftest.CompleteWorkflow("done"))
	if info := d.Describe(ex).ExecutionInfo; info.CloseStatus != types.CloseStatusCompleted {
		t.Fatalf("execution info: %+v", info)
	}
}

func TestDecisionTaskListChangeForAWhile(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("visits")
	task := d.PollDecision()
	_, err := d.Client.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: task.TaskToken, TaskList: &types.TaskList{Name: aws.String("elsewhere")}, TaskListScheduleToStartTimeout: aws.String("10")})
	must(t, err)
	if c := d.LastEvent(ex, types.EventTypeDecisionTaskCompleted).DecisionTaskCompletedEventAttributes; aws.ToString(c.TaskList.Name) != "elsewhere" || aws.ToString(c.TaskListScheduleToStartTimeout) != "10" {
		t.Fatalf("DecisionTaskCompleted: %+v", c)
	}
	d.Signal(ex, "s") // 5, 6
	s := d.LastEvent(ex, types.EventTypeDecisionTaskScheduled).DecisionTaskScheduledEventAttributes
	if aws.ToString(s.TaskList.Name) != "elsewhere" || aws.ToString(s.ScheduleToStartTimeout) != "10" {
		t.Fatalf("DecisionTaskScheduled: %+v", s)
	}
	// Nobody takes it in time: it times out and the run goes back to its
	// own list.
	d.Advance(10 * time.Second)
	h := d.WantHistoryFrom(ex, 6, types.EventTypeDecisionTaskScheduled, types.EventTypeDecisionTaskTimedOut, types.EventTypeDecisionTaskScheduled)
	if o := h[6].DecisionTaskTimedOutEventAttributes; o.TimeoutType != types.DecisionTaskTimeoutTypeScheduleToStart || o.ScheduledEventId != 6 || o.StartedEventId != 0 {
		t.Fatalf("DecisionTaskTimedOut: %+v", o)
	}
	if s := h[7].DecisionTaskScheduledEventAttributes; aws.ToString(s.TaskList.Name) != swftest.DeciderList || s.ScheduleToStartTimeout != nil {
		t.Fatalf("DecisionTaskScheduled: %+v", s)
	}
	if n, m := d.PendingDecisions(swftest.DeciderList), d.PendingDecisions("elsewhere"); n != 1 || m != 0 {
		t.Fatalf("pending decision tasks: %d on %s, %d on elsewhere", n, swftest.DeciderList, m)
	}
	task = d.PollDecision()
	if task.StartedEventId != 9 {
		t.Fatalf("decision task started as %d", task.StartedEventId)
	}
}
