package workflow

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/swfapi"
)

var t0 = time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)

func newRun() *Execution {
	return &Execution{
		ID: 7, DomainID: 1, WorkflowID: "w", RunID: "r", TypeName: "t", TypeVersion: "1",
		Config: Config{TaskList: "deciders", TaskPriority: "3", TaskStartToCloseTimeout: "30", ExecutionStartToCloseTimeout: "3600", ChildPolicy: swfapi.ChildPolicyTerminate},
	}
}

// started returns a machine on a run that has started, and its effects.
func started(t *testing.T) (*Execution, Effects) {
	t.Helper()
	x := newRun()
	m := New(x, nil, t0, Options{Retention: 24 * time.Hour})
	m.Start(&swfapi.WorkflowExecutionStartedEventAttributes{ChildPolicy: swfapi.ChildPolicyTerminate.Ptr(), TaskList: &swfapi.TaskList{Name: swfapi.Ptr("deciders")}, WorkflowType: x.Type()})
	return x, m.Effects()
}

func types(events []swfapi.HistoryEvent) []string {
	var out []string
	for _, e := range events {
		out = append(out, string(*e.EventType))
	}
	return out
}

func ids(events []swfapi.HistoryEvent) []int64 {
	var out []int64
	for _, e := range events {
		out = append(out, *e.EventId)
	}
	return out
}

func TestStart(t *testing.T) {
	x, eff := started(t)
	if got := types(eff.Events); !slices.Equal(got, []string{"WorkflowExecutionStarted", "DecisionTaskScheduled"}) {
		t.Fatalf("events %v", got)
	}
	if !slices.Equal(ids(eff.Events), []int64{1, 2}) || x.NextEventID != 3 {
		t.Fatalf("ids %v, next %d", ids(eff.Events), x.NextEventID)
	}
	sched := eff.Events[1].DecisionTaskScheduledEventAttributes
	if *sched.TaskList.Name != "deciders" || *sched.TaskPriority != "3" || *sched.StartToCloseTimeout != "30" || sched.ScheduleToStartTimeout != nil {
		t.Fatalf("DecisionTaskScheduled %+v", sched)
	}
	if !slices.Equal(eff.AddTasks, []Task{{Kind: DecisionTaskKind, TaskList: "deciders", Priority: 3, ScheduledEventID: 2}}) {
		t.Fatalf("tasks %+v", eff.AddTasks)
	}
	if !slices.Equal(eff.AddTimers, []Timer{{Kind: TimerExecutionTimeout, Due: t0.Add(time.Hour)}}) {
		t.Fatalf("timers %+v", eff.AddTimers)
	}
	if !x.Open || x.Decision.State != DecisionScheduled || x.Decision.ScheduledEventID != 2 || !x.StartedAt.Equal(t0) {
		t.Fatalf("state %+v", x)
	}
}

func step(x *Execution, acts []*Activity, at time.Duration, fn func(m *Machine)) (*Machine, Effects) {
	m := New(x, acts, t0.Add(at), Options{Retention: 24 * time.Hour})
	fn(m)
	return m, m.Effects()
}

func TestOneDecisionTaskAtATime(t *testing.T) {
	x, _ := started(t)
	signal := func(m *Machine) {
		if err := m.Signal(&swfapi.WorkflowExecutionSignaledEventAttributes{SignalName: swfapi.Ptr("s")}); err != nil {
			t.Fatal(err)
		}
	}
	// A signal while a decision task is scheduled schedules no other.
	_, eff := step(x, nil, time.Second, signal)
	if got := types(eff.Events); !slices.Equal(got, []string{"WorkflowExecutionSignaled"}) || len(eff.AddTasks) != 0 {
		t.Fatalf("signal while scheduled: %v, tasks %v", got, eff.AddTasks)
	}

	var startedID int64
	_, eff = step(x, nil, 2*time.Second, func(m *Machine) {
		var err error
		startedID, err = m.StartDecisionTask(2, swfapi.Ptr("decider"))
		if err != nil {
			t.Fatal(err)
		}
	})
	if startedID != 4 || x.Decision.State != DecisionStarted || !slices.Equal(eff.AddTimers, []Timer{{Kind: TimerDecisionStartToClose, Ref: 4, Due: t0.Add(32 * time.Second)}}) {
		t.Fatalf("started %d, state %+v, timers %+v", startedID, x.Decision, eff.AddTimers)
	}
	if _, err := New(x, nil, t0, Options{}).StartDecisionTask(2, nil); !errors.Is(err, ErrStale) {
		t.Fatalf("starting a started task: %v", err)
	}

	// A signal while it is started marks it; completing it schedules one.
	step(x, nil, 3*time.Second, signal)
	if !x.Decision.Unhandled {
		t.Fatal("signal while started did not mark the task")
	}
	_, eff = step(x, nil, 4*time.Second, func(m *Machine) {
		if err := m.CompleteDecisionTask(4, &swfapi.RespondDecisionTaskCompletedInput{
			Decisions: []swfapi.Decision{{DecisionType: swfapi.DecisionTypeCompleteWorkflowExecution.Ptr()}},
		}, nil, nil); err != nil {
			t.Fatal(err)
		}
	})
	want := []string{"DecisionTaskCompleted", "CompleteWorkflowExecutionFailed", "DecisionTaskScheduled"}
	if got := types(eff.Events); !slices.Equal(got, want) {
		t.Fatalf("completing with an unseen signal: %v", got)
	}
	if c := eff.Events[1].CompleteWorkflowExecutionFailedEventAttributes; *c.Cause != swfapi.CompleteWorkflowExecutionFailedCauseUnhandledDecision || *c.DecisionTaskCompletedEventId != 6 {
		t.Fatalf("failure %+v", c)
	}
	if !slices.Equal(eff.DeleteTimers, []TimerRef{{Kind: TimerDecisionStartToClose, Ref: 4}}) {
		t.Fatalf("start-to-close timer not disarmed: %+v", eff.DeleteTimers)
	}
	if x.PreviousStartedEventID != 4 || x.Decision.State != DecisionScheduled || !x.Open {
		t.Fatalf("state after completion %+v", x)
	}
}

// activityType answers lookups from a map.
type activityTypes map[string]*TypeInfo

func (a activityTypes) ActivityType(name, version string) *TypeInfo { return a[name+"@"+version] }

func (a activityTypes) WorkflowType(name, version string) *TypeInfo {
	return a["workflow:"+name+"@"+version]
}

func complete(t *testing.T, x *Execution, acts []*Activity, at time.Duration, decisions ...swfapi.Decision) (*Machine, Effects) {
	t.Helper()
	return completePermitted(t, x, acts, at, nil, decisions...)
}

// completePermitted is complete with the decisions checked by permit.
func completePermitted(t *testing.T, x *Execution, acts []*Activity, at time.Duration, permit Permit, decisions ...swfapi.Decision) (*Machine, Effects) {
	t.Helper()
	if x.Decision.State == DecisionNone {
		// Something for the decider to decide about.
		step(x, acts, at, func(m *Machine) {
			if err := m.Signal(&swfapi.WorkflowExecutionSignaledEventAttributes{SignalName: swfapi.Ptr("go")}); err != nil {
				t.Fatal(err)
			}
		})
	}
	var startedID int64
	step(x, acts, at, func(m *Machine) {
		var err error
		if startedID, err = m.StartDecisionTask(x.Decision.ScheduledEventID, nil); err != nil {
			t.Fatal(err)
		}
	})
	types := activityTypes{
		"full@1": {Activity: &swfapi.ActivityTypeConfiguration{
			DefaultTaskList: &swfapi.TaskList{Name: swfapi.Ptr("workers")}, DefaultTaskScheduleToCloseTimeout: swfapi.Ptr("600"),
			DefaultTaskScheduleToStartTimeout: swfapi.Ptr("60"), DefaultTaskStartToCloseTimeout: swfapi.Ptr("300"), DefaultTaskHeartbeatTimeout: swfapi.Ptr("NONE"),
		}},
		"bare@1": {Activity: &swfapi.ActivityTypeConfiguration{}},
		"old@1":  {Deprecated: true, Activity: &swfapi.ActivityTypeConfiguration{}},
	}
	return step(x, acts, at, func(m *Machine) {
		if err := m.CompleteDecisionTask(startedID, &swfapi.RespondDecisionTaskCompletedInput{Decisions: decisions}, types, permit); err != nil {
			t.Fatal(err)
		}
	})
}

func schedule(id, typeName string, mod func(*swfapi.ScheduleActivityTaskDecisionAttributes)) swfapi.Decision {
	a := &swfapi.ScheduleActivityTaskDecisionAttributes{ActivityId: swfapi.Ptr(id), ActivityType: &swfapi.ActivityType{Name: swfapi.Ptr(typeName), Version: swfapi.Ptr("1")}}
	if mod != nil {
		mod(a)
	}
	return swfapi.Decision{DecisionType: swfapi.DecisionTypeScheduleActivityTask.Ptr(), ScheduleActivityTaskDecisionAttributes: a}
}

func TestScheduleActivityTaskCauses(t *testing.T) {
	all := func(a *swfapi.ScheduleActivityTaskDecisionAttributes) {
		a.TaskList = &swfapi.TaskList{Name: swfapi.Ptr("l")}
		a.ScheduleToCloseTimeout, a.ScheduleToStartTimeout, a.StartToCloseTimeout, a.HeartbeatTimeout = swfapi.Ptr("1"), swfapi.Ptr("1"), swfapi.Ptr("1"), swfapi.Ptr("1")
	}
	without := func(clear func(*swfapi.ScheduleActivityTaskDecisionAttributes)) func(*swfapi.ScheduleActivityTaskDecisionAttributes) {
		return func(a *swfapi.ScheduleActivityTaskDecisionAttributes) { all(a); clear(a) }
	}
	cases := []struct {
		decision swfapi.Decision
		cause    swfapi.ScheduleActivityTaskFailedCause
	}{
		{schedule("a", "missing", nil), swfapi.ScheduleActivityTaskFailedCauseActivityTypeDoesNotExist},
		{schedule("a", "old", all), swfapi.ScheduleActivityTaskFailedCauseActivityTypeDeprecated},
		{schedule("a", "bare", without(func(a *swfapi.ScheduleActivityTaskDecisionAttributes) { a.ScheduleToCloseTimeout = nil })), swfapi.ScheduleActivityTaskFailedCauseDefaultScheduleToCloseTimeoutUndefined},
		{schedule("a", "bare", without(func(a *swfapi.ScheduleActivityTaskDecisionAttributes) { a.TaskList = nil })), swfapi.ScheduleActivityTaskFailedCauseDefaultTaskListUndefined},
		{schedule("a", "bare", without(func(a *swfapi.ScheduleActivityTaskDecisionAttributes) { a.ScheduleToStartTimeout = nil })), swfapi.ScheduleActivityTaskFailedCauseDefaultScheduleToStartTimeoutUndefined},
		{schedule("a", "bare", without(func(a *swfapi.ScheduleActivityTaskDecisionAttributes) { a.StartToCloseTimeout = nil })), swfapi.ScheduleActivityTaskFailedCauseDefaultStartToCloseTimeoutUndefined},
		{schedule("a", "bare", without(func(a *swfapi.ScheduleActivityTaskDecisionAttributes) { a.HeartbeatTimeout = nil })), swfapi.ScheduleActivityTaskFailedCauseDefaultHeartbeatTimeoutUndefined},
	}
	for _, c := range cases {
		x, _ := started(t)
		_, eff := complete(t, x, nil, time.Second, c.decision)
		if got := types(eff.Events); !slices.Equal(got, []string{"DecisionTaskCompleted", "ScheduleActivityTaskFailed", "DecisionTaskScheduled"}) {
			t.Fatalf("%s: %v", c.cause, got)
		}
		if f := eff.Events[1].ScheduleActivityTaskFailedEventAttributes; *f.Cause != c.cause || *f.ActivityId != "a" || *f.DecisionTaskCompletedEventId != 4 {
			t.Errorf("want %s, got %+v", c.cause, f)
		}
	}

	// The id of an open activity is taken; the open-activities limit holds.
	x, _ := started(t)
	m, _ := complete(t, x, nil, time.Second, schedule("a", "full", nil))
	acts := slices.Collect(func(yield func(*Activity) bool) {
		for _, a := range m.Activities {
			yield(a)
		}
	})
	_, eff := complete(t, x, acts, 2*time.Second, schedule("a", "full", nil))
	if f := eff.Events[1].ScheduleActivityTaskFailedEventAttributes; f == nil || *f.Cause != swfapi.ScheduleActivityTaskFailedCauseActivityIdAlreadyInUse {
		t.Errorf("reused id: %v", types(eff.Events))
	}
	mm := New(x, acts, t0, Options{Limits: Limits{OpenActivities: 1}})
	mm.Exec.Decision = DecisionTask{State: DecisionStarted, StartedEventID: 99, ScheduledEventID: 98}
	if err := mm.CompleteDecisionTask(99, &swfapi.RespondDecisionTaskCompletedInput{Decisions: []swfapi.Decision{schedule("b", "full", nil)}}, activityTypes{"full@1": {Activity: &swfapi.ActivityTypeConfiguration{}}}, nil); err != nil {
		t.Fatal(err)
	}
	if f := mm.Effects().Events[1].ScheduleActivityTaskFailedEventAttributes; f == nil || *f.Cause != swfapi.ScheduleActivityTaskFailedCauseOpenActivitiesLimitExceeded {
		t.Errorf("over the limit: %v", types(mm.Effects().Events))
	}
}

// permitFunc permits decisions by a function, and passes no role.
type permitFunc func(swfapi.DecisionType, map[string][]string) bool

func (f permitFunc) Decision(dt swfapi.DecisionType, keys map[string][]string) bool {
	return f(dt, keys)
}
func (f permitFunc) PassRole(string) bool { return false }

func TestDecisionsNotPermitted(t *testing.T) {
	x, _ := started(t)
	var asked []map[string][]string
	// The decider may schedule activities only on the task list "allowed",
	// may record markers, and may not start timers.
	permit := permitFunc(func(dt swfapi.DecisionType, keys map[string][]string) bool {
		asked = append(asked, keys)
		switch dt {
		case swfapi.DecisionTypeScheduleActivityTask:
			return slices.Equal(keys["swf:taskList.name"], []string{"allowed"})
		case swfapi.DecisionTypeRecordMarker:
			return true
		}
		return false
	})
	_, eff := completePermitted(t, x, nil, time.Second, permit,
		schedule("a", "full", nil), // default task list "workers": denied
		schedule("b", "full", func(a *swfapi.ScheduleActivityTaskDecisionAttributes) {
			a.TaskList = &swfapi.TaskList{Name: swfapi.Ptr("allowed")}
		}),
		swfapi.Decision{DecisionType: swfapi.DecisionTypeRecordMarker.Ptr(), RecordMarkerDecisionAttributes: &swfapi.RecordMarkerDecisionAttributes{MarkerName: swfapi.Ptr("m")}},
		swfapi.Decision{DecisionType: swfapi.DecisionTypeStartTimer.Ptr(), StartTimerDecisionAttributes: &swfapi.StartTimerDecisionAttributes{TimerId: swfapi.Ptr("t"), StartToFireTimeout: swfapi.Ptr("5")}},
	)
	want := []string{"DecisionTaskCompleted", "ScheduleActivityTaskFailed", "ActivityTaskScheduled", "MarkerRecorded", "StartTimerFailed", "DecisionTaskScheduled"}
	if got := types(eff.Events[len(eff.Events)-len(want):]); !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	if c := eff.Events[len(eff.Events)-5].ScheduleActivityTaskFailedEventAttributes.Cause; *c != swfapi.ScheduleActivityTaskFailedCauseOperationNotPermitted {
		t.Errorf("schedule cause %s", *c)
	}
	if c := eff.Events[len(eff.Events)-2].StartTimerFailedEventAttributes.Cause; *c != swfapi.StartTimerFailedCauseOperationNotPermitted {
		t.Errorf("timer cause %s", *c)
	}
	if got := asked[0]; !slices.Equal(got["swf:activityType.name"], []string{"full"}) || !slices.Equal(got["swf:activityType.version"], []string{"1"}) || !slices.Equal(got["swf:taskList.name"], []string{"workers"}) {
		t.Errorf("keys of a schedule with the default task list: %v", got)
	}
}

func TestScheduleActivityTaskResolvesDefaults(t *testing.T) {
	x, _ := started(t)
	m, eff := complete(t, x, nil, time.Second,
		schedule("a1", "full", func(a *swfapi.ScheduleActivityTaskDecisionAttributes) { a.StartToCloseTimeout = swfapi.Ptr("10") }),
		swfapi.Decision{DecisionType: swfapi.DecisionTypeRecordMarker.Ptr(), RecordMarkerDecisionAttributes: &swfapi.RecordMarkerDecisionAttributes{MarkerName: swfapi.Ptr("m")}})
	if got := types(eff.Events); !slices.Equal(got, []string{"DecisionTaskCompleted", "ActivityTaskScheduled", "MarkerRecorded"}) {
		t.Fatalf("events %v (a success schedules no decision task)", got)
	}
	s := eff.Events[1].ActivityTaskScheduledEventAttributes
	if *s.TaskList.Name != "workers" || *s.StartToCloseTimeout != "10" || *s.ScheduleToCloseTimeout != "600" || *s.HeartbeatTimeout != "NONE" || *s.TaskPriority != "0" {
		t.Fatalf("resolved %+v", s)
	}
	a := m.Activities[5]
	if a == nil || a.Heartbeat != None || a.StartToClose != 10 || a.TaskList != "workers" {
		t.Fatalf("activity %+v", a)
	}
	// One timer serves all the activity's timeouts: now the earliest,
	// schedule-to-start.
	wantTimers := []Timer{{Kind: TimerActivity, Ref: 5, Due: t0.Add(61 * time.Second)}}
	if !slices.Equal(eff.AddTimers, wantTimers) || len(eff.PutActivities) != 1 {
		t.Fatalf("timers %+v, activities %d", eff.AddTimers, len(eff.PutActivities))
	}
}

func TestHeartbeatTimerRearmsLazily(t *testing.T) {
	x, _ := started(t)
	m, _ := complete(t, x, nil, 0, schedule("a", "full", func(a *swfapi.ScheduleActivityTaskDecisionAttributes) { a.HeartbeatTimeout = swfapi.Ptr("10") }))
	a := m.Activities[5]
	step(x, []*Activity{a}, time.Second, func(m *Machine) {
		if _, err := m.StartActivityTask(5, nil); err != nil {
			t.Fatal(err)
		}
	})
	// A heartbeat at 5 s: the timer, due at 11 s, waits until 15 s.
	hb := t0.Add(5 * time.Second)
	a.LastHeartbeat, a.HeartbeatDetails = &hb, swfapi.Ptr("half")
	_, eff := step(x, []*Activity{a}, 11*time.Second, func(m *Machine) { m.FireTimer(TimerRef{Kind: TimerActivity, Ref: 5}) })
	if len(eff.Events) != 0 || !slices.Equal(eff.AddTimers, []Timer{{Kind: TimerActivity, Ref: 5, Due: t0.Add(15 * time.Second)}}) {
		t.Fatalf("re-arm: events %v, timers %+v", types(eff.Events), eff.AddTimers)
	}
	_, eff = step(x, []*Activity{a}, 15*time.Second, func(m *Machine) { m.FireTimer(TimerRef{Kind: TimerActivity, Ref: 5}) })
	if got := types(eff.Events); !slices.Equal(got, []string{"ActivityTaskTimedOut", "DecisionTaskScheduled"}) {
		t.Fatalf("timeout: %v", got)
	}
	to := eff.Events[0].ActivityTaskTimedOutEventAttributes
	if *to.TimeoutType != swfapi.ActivityTaskTimeoutTypeHeartbeat || *to.Details != "half" || *to.StartedEventId != 6 {
		t.Fatalf("timed out %+v", to)
	}
	if !slices.Equal(eff.DeleteActivities, []int64{5}) {
		t.Fatalf("activity not closed: %v", eff.DeleteActivities)
	}
}

func TestCloseDropsEverything(t *testing.T) {
	x, _ := started(t)
	m, _ := complete(t, x, nil, 0, schedule("a", "full", nil))
	acts := []*Activity{m.Activities[5]}
	_, eff := step(x, acts, time.Minute, func(m *Machine) {
		if err := m.Terminate(swfapi.Ptr("why"), nil, nil, nil); err != nil {
			t.Fatal(err)
		}
	})
	if got := types(eff.Events); !slices.Equal(got, []string{"WorkflowExecutionTerminated"}) {
		t.Fatalf("events %v", got)
	}
	if term := eff.Events[0].WorkflowExecutionTerminatedEventAttributes; *term.ChildPolicy != swfapi.ChildPolicyTerminate || *term.Reason != "why" || term.Cause != nil {
		t.Fatalf("terminated %+v", term)
	}
	if !eff.Closed || !slices.Equal(eff.DeleteActivities, []int64{5}) || x.Open || x.CloseStatus != swfapi.CloseStatusTerminated {
		t.Fatalf("closed %v, deleted %v, state %+v", eff.Closed, eff.DeleteActivities, x)
	}
	if !slices.Equal(eff.AddTimers, []Timer{{Kind: TimerRetention, Due: t0.Add(time.Minute + 24*time.Hour)}}) {
		t.Fatalf("timers %+v", eff.AddTimers)
	}
	if err := New(x, nil, t0, Options{}).Signal(&swfapi.WorkflowExecutionSignaledEventAttributes{}); !errors.Is(err, ErrStale) {
		t.Fatalf("signal to a closed run: %v", err)
	}
}

func TestRequestCancelOfUnstartedActivityCancelsIt(t *testing.T) {
	x, _ := started(t)
	m, _ := complete(t, x, nil, 0, schedule("a", "full", nil))
	acts := []*Activity{m.Activities[5]}
	_, eff := complete(t, x, acts, time.Second, swfapi.Decision{
		DecisionType: swfapi.DecisionTypeRequestCancelActivityTask.Ptr(),
		RequestCancelActivityTaskDecisionAttributes: &swfapi.RequestCancelActivityTaskDecisionAttributes{ActivityId: swfapi.Ptr("a")},
	})
	want := []string{"DecisionTaskCompleted", "ActivityTaskCancelRequested", "ActivityTaskCanceled", "DecisionTaskScheduled"}
	if got := types(eff.Events); !slices.Equal(got, want) {
		t.Fatalf("events %v", got)
	}
	c := eff.Events[2].ActivityTaskCanceledEventAttributes
	if *c.StartedEventId != 0 || *c.LatestCancelRequestedEventId != *eff.Events[1].EventId || *c.ScheduledEventId != 5 {
		t.Fatalf("canceled %+v", c)
	}
	if !slices.Equal(eff.DeleteTasks, []TaskRef{{Kind: ActivityTaskKind, ScheduledEventID: 5}}) {
		t.Fatalf("task not taken off its list: %+v", eff.DeleteTasks)
	}
}

// A run's history never goes back in time: a transition given a time
// before the run's last event (a write that read the time before it waited
// for the run, a server whose clock is behind another's) happens at the
// time of that event, and its timers run from there.
func TestTimeNeverGoesBack(t *testing.T) {
	s := startedSim(t, Options{})
	s.now = t0.Add(-time.Minute)
	eff := s.decide(dStartTimer("t", "10"))
	if !eff.Events[0].EventTimestamp.Equal(t0) || !s.x.LastEventAt.Equal(t0) {
		t.Fatalf("decided at %v, last event at %v, want %v", eff.Events[0].EventTimestamp.Time, s.x.LastEventAt, t0)
	}
	if due := s.timers[TimerRef{Kind: TimerUser, Ref: *eff.Events[1].EventId}]; !due.Equal(t0.Add(10 * time.Second)) {
		t.Fatalf("timer due %v", due)
	}
	// Time that moves on is taken as it is.
	s.now = t0.Add(time.Minute)
	if eff := s.signal("s"); !eff.Events[0].EventTimestamp.Equal(s.now) || !s.x.LastEventAt.Equal(s.now) {
		t.Fatalf("signaled at %v", eff.Events[0].EventTimestamp.Time)
	}
	// A run stored before its last event's time was kept takes the time
	// it is given.
	x := newRun()
	m := New(x, nil, t0.Add(-time.Hour), Options{RunIDs: NewRunIDs(simSeed)})
	m.Start(&swfapi.WorkflowExecutionStartedEventAttributes{TaskList: &swfapi.TaskList{Name: swfapi.Ptr("deciders")}})
	if e := m.Effects().Events[0]; !e.EventTimestamp.Equal(t0.Add(-time.Hour)) {
		t.Fatalf("started at %v", e.EventTimestamp.Time)
	}
}
