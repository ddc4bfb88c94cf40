package workflow

import (
	"slices"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/swfapi"
)

// Decision builders for the tables.

func dStartTimer(id string, seconds string) swfapi.Decision {
	return swfapi.Decision{DecisionType: swfapi.DecisionTypeStartTimer.Ptr(), StartTimerDecisionAttributes: &swfapi.StartTimerDecisionAttributes{
		TimerId: swfapi.Ptr(id), StartToFireTimeout: swfapi.Ptr(seconds), Control: swfapi.Ptr("c-" + id)}}
}

func dCancelTimer(id string) swfapi.Decision {
	return swfapi.Decision{DecisionType: swfapi.DecisionTypeCancelTimer.Ptr(), CancelTimerDecisionAttributes: &swfapi.CancelTimerDecisionAttributes{TimerId: swfapi.Ptr(id)}}
}

func dSchedule(id, typeName string) swfapi.Decision {
	return swfapi.Decision{DecisionType: swfapi.DecisionTypeScheduleActivityTask.Ptr(), ScheduleActivityTaskDecisionAttributes: &swfapi.ScheduleActivityTaskDecisionAttributes{
		ActivityId: swfapi.Ptr(id), ActivityType: &swfapi.ActivityType{Name: swfapi.Ptr(typeName), Version: swfapi.Ptr("1")}}}
}

func dCancelActivity(id string) swfapi.Decision {
	return swfapi.Decision{DecisionType: swfapi.DecisionTypeRequestCancelActivityTask.Ptr(), RequestCancelActivityTaskDecisionAttributes: &swfapi.RequestCancelActivityTaskDecisionAttributes{ActivityId: swfapi.Ptr(id)}}
}

func dMarker(name string) swfapi.Decision {
	return swfapi.Decision{DecisionType: swfapi.DecisionTypeRecordMarker.Ptr(), RecordMarkerDecisionAttributes: &swfapi.RecordMarkerDecisionAttributes{MarkerName: swfapi.Ptr(name), Details: swfapi.Ptr("d")}}
}

func dComplete(result string) swfapi.Decision {
	return swfapi.Decision{DecisionType: swfapi.DecisionTypeCompleteWorkflowExecution.Ptr(), CompleteWorkflowExecutionDecisionAttributes: &swfapi.CompleteWorkflowExecutionDecisionAttributes{Result: swfapi.Ptr(result)}}
}

func dFail(reason string) swfapi.Decision {
	return swfapi.Decision{DecisionType: swfapi.DecisionTypeFailWorkflowExecution.Ptr(), FailWorkflowExecutionDecisionAttributes: &swfapi.FailWorkflowExecutionDecisionAttributes{Reason: swfapi.Ptr(reason), Details: swfapi.Ptr("details")}}
}

func dCancel() swfapi.Decision {
	return swfapi.Decision{DecisionType: swfapi.DecisionTypeCancelWorkflowExecution.Ptr(), CancelWorkflowExecutionDecisionAttributes: &swfapi.CancelWorkflowExecutionDecisionAttributes{Details: swfapi.Ptr("bye")}}
}

func dContinue(mod func(*swfapi.ContinueAsNewWorkflowExecutionDecisionAttributes)) swfapi.Decision {
	a := &swfapi.ContinueAsNewWorkflowExecutionDecisionAttributes{Input: swfapi.Ptr("again")}
	if mod != nil {
		mod(a)
	}
	return swfapi.Decision{DecisionType: swfapi.DecisionTypeContinueAsNewWorkflowExecution.Ptr(), ContinueAsNewWorkflowExecutionDecisionAttributes: a}
}

func dSignal(workflowID, runID string) swfapi.Decision {
	a := &swfapi.SignalExternalWorkflowExecutionDecisionAttributes{WorkflowId: swfapi.Ptr(workflowID), SignalName: swfapi.Ptr("poke"), Input: swfapi.Ptr("in"), Control: swfapi.Ptr("ctl")}
	if runID != "" {
		a.RunId = swfapi.Ptr(runID)
	}
	return swfapi.Decision{DecisionType: swfapi.DecisionTypeSignalExternalWorkflowExecution.Ptr(), SignalExternalWorkflowExecutionDecisionAttributes: a}
}

func dCancelExternal(workflowID string) swfapi.Decision {
	return swfapi.Decision{DecisionType: swfapi.DecisionTypeRequestCancelExternalWorkflowExecution.Ptr(), RequestCancelExternalWorkflowExecutionDecisionAttributes: &swfapi.RequestCancelExternalWorkflowExecutionDecisionAttributes{
		WorkflowId: swfapi.Ptr(workflowID), Control: swfapi.Ptr("ctl")}}
}

func dChild(workflowID, typeName string, mod func(*swfapi.StartChildWorkflowExecutionDecisionAttributes)) swfapi.Decision {
	a := &swfapi.StartChildWorkflowExecutionDecisionAttributes{WorkflowId: swfapi.Ptr(workflowID), WorkflowType: &swfapi.WorkflowType{Name: swfapi.Ptr(typeName), Version: swfapi.Ptr("1")}}
	if mod != nil {
		mod(a)
	}
	return swfapi.Decision{DecisionType: swfapi.DecisionTypeStartChildWorkflowExecution.Ptr(), StartChildWorkflowExecutionDecisionAttributes: a}
}

func dLambda(id string, timeout *string) swfapi.Decision {
	return swfapi.Decision{DecisionType: swfapi.DecisionTypeScheduleLambdaFunction.Ptr(), ScheduleLambdaFunctionDecisionAttributes: &swfapi.ScheduleLambdaFunctionDecisionAttributes{
		Id: swfapi.Ptr(id), Name: swfapi.Ptr("fn"), Input: swfapi.Ptr("{}"), StartToCloseTimeout: timeout}}
}

// denyRates refuses the decision types it holds.
type denyRates map[swfapi.DecisionType]bool

func (d denyRates) Allow(t string, _ time.Time) bool { return !d[swfapi.DecisionType(t)] }

// decisionCase is one row of the decision tables: a run started with opts,
// set up, then a decision task completed with the decisions; want are the
// event types that follow DecisionTaskCompleted.
type decisionCase struct {
	name      string
	opts      Options
	setup     func(t *testing.T, s *sim)
	decisions []swfapi.Decision
	want      []string
	check     func(t *testing.T, s *sim, eff Effects)
}

func runDecisionCases(t *testing.T, cases []decisionCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := c.opts
			opts.Retention = cmpOr(opts.Retention, 24*time.Hour)
			s := startedSim(t, opts)
			if c.setup != nil {
				c.setup(t, s)
			}
			eff := s.decide(c.decisions...)
			got := types(eff.Events)
			if got[0] != "DecisionTaskCompleted" || !slices.Equal(got[1:], c.want) {
				t.Fatalf("events %v, want DecisionTaskCompleted then %v", got, c.want)
			}
			if c.check != nil {
				c.check(t, s, eff)
			}
		})
	}
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// failCause returns the cause member of a *Failed event's attributes.
func failCause(t *testing.T, e swfapi.HistoryEvent) string {
	t.Helper()
	switch a := e.Attributes().(type) {
	case *swfapi.ScheduleActivityTaskFailedEventAttributes:
		return string(*a.Cause)
	case *swfapi.RequestCancelActivityTaskFailedEventAttributes:
		return string(*a.Cause)
	case *swfapi.StartTimerFailedEventAttributes:
		return string(*a.Cause)
	case *swfapi.CancelTimerFailedEventAttributes:
		return string(*a.Cause)
	case *swfapi.StartChildWorkflowExecutionFailedEventAttributes:
		return string(*a.Cause)
	case *swfapi.ContinueAsNewWorkflowExecutionFailedEventAttributes:
		return string(*a.Cause)
	case *swfapi.SignalExternalWorkflowExecutionFailedEventAttributes:
		return string(*a.Cause)
	case *swfapi.RequestCancelExternalWorkflowExecutionFailedEventAttributes:
		return string(*a.Cause)
	case *swfapi.ScheduleLambdaFunctionFailedEventAttributes:
		return string(*a.Cause)
	case *swfapi.CompleteWorkflowExecutionFailedEventAttributes:
		return string(*a.Cause)
	case *swfapi.FailWorkflowExecutionFailedEventAttributes:
		return string(*a.Cause)
	case *swfapi.CancelWorkflowExecutionFailedEventAttributes:
		return string(*a.Cause)
	case *swfapi.RecordMarkerFailedEventAttributes:
		return string(*a.Cause)
	}
	t.Fatalf("event %s has no cause", *e.EventType)
	return ""
}

// wantCause checks the cause of the step's *Failed event (its second).
func wantCause(cause string) func(t *testing.T, s *sim, eff Effects) {
	return func(t *testing.T, s *sim, eff Effects) {
		t.Helper()
		if got := failCause(t, eff.Events[1]); got != cause {
			t.Fatalf("cause %s, want %s", got, cause)
		}
	}
}

func TestDecisionTimers(t *testing.T) {
	runDecisionCases(t, []decisionCase{
		{name: "StartTimer arms the timer", decisions: []swfapi.Decision{dStartTimer("t", "60")}, want: []string{"TimerStarted"},
			check: func(t *testing.T, s *sim, eff Effects) {
				id := *eff.Events[1].EventId
				if ut := s.x.Timers["t"]; ut == nil || ut.StartedEventID != id || *ut.Control != "c-t" {
					t.Fatalf("timers %+v", s.x.Timers)
				}
				if due := s.timers[TimerRef{Kind: TimerUser, Ref: id}]; !due.Equal(s.now.Add(time.Minute)) {
					t.Fatalf("due %v", due)
				}
				// It fires once, as TimerFired, and asks for a decision.
				s.advance(time.Minute)
				if got := s.last(2); !slices.Equal(got, []string{"TimerFired", "DecisionTaskScheduled"}) || len(s.x.Timers) != 0 {
					t.Fatalf("after a minute %v, timers %v", got, s.x.Timers)
				}
				if f := s.find(swfapi.EventTypeTimerFired)[0].TimerFiredEventAttributes; *f.TimerId != "t" || *f.StartedEventId != id {
					t.Fatalf("TimerFired %+v", f)
				}
			}},
		{name: "StartTimer of an id in use", setup: startTimer("t"), decisions: []swfapi.Decision{dStartTimer("t", "5")},
			want: []string{"StartTimerFailed", "DecisionTaskScheduled"}, check: wantCause("TIMER_ID_ALREADY_IN_USE")},
		{name: "StartTimer past the open timers limit", opts: Options{Limits: Limits{OpenTimers: 1}}, setup: startTimer("t"),
			decisions: []swfapi.Decision{dStartTimer("u", "5")}, want: []string{"StartTimerFailed", "DecisionTaskScheduled"}, check: wantCause("OPEN_TIMERS_LIMIT_EXCEEDED")},
		{name: "StartTimer over the rate", opts: Options{Rates: denyRates{swfapi.DecisionTypeStartTimer: true}},
			decisions: []swfapi.Decision{dStartTimer("t", "5")}, want: []string{"StartTimerFailed", "DecisionTaskScheduled"}, check: wantCause("TIMER_CREATION_RATE_EXCEEDED")},
		{name: "StartTimer of 0 seconds fires at once", decisions: []swfapi.Decision{dStartTimer("t", "0")}, want: []string{"TimerStarted"},
			check: func(t *testing.T, s *sim, eff Effects) {
				s.advance(0)
				if got := s.last(2); !slices.Equal(got, []string{"TimerFired", "DecisionTaskScheduled"}) {
					t.Fatalf("events %v", got)
				}
			}},
		{name: "CancelTimer disarms it", setup: startTimer("t"), decisions: []swfapi.Decision{dCancelTimer("t")}, want: []string{"TimerCanceled"},
			check: func(t *testing.T, s *sim, eff Effects) {
				started := s.find(swfapi.EventTypeTimerStarted)[0].EventId
				if c := eff.Events[1].TimerCanceledEventAttributes; *c.StartedEventId != *started || *c.DecisionTaskCompletedEventId != *eff.Events[0].EventId {
					t.Fatalf("TimerCanceled %+v", c)
				}
				if len(s.x.Timers) != 0 || !slices.Contains(eff.DeleteTimers, TimerRef{Kind: TimerUser, Ref: *started}) {
					t.Fatalf("timers %v, disarmed %v", s.x.Timers, eff.DeleteTimers)
				}
				// Nothing fires later.
				s.advance(time.Hour)
				if len(s.find(swfapi.EventTypeTimerFired)) != 0 {
					t.Fatal("a canceled timer fired")
				}
			}},
		{name: "CancelTimer of an unknown id", decisions: []swfapi.Decision{dCancelTimer("nope")},
			want: []string{"CancelTimerFailed", "DecisionTaskScheduled"}, check: wantCause("TIMER_ID_UNKNOWN")},
		{name: "RecordMarker", decisions: []swfapi.Decision{dMarker("m")}, want: []string{"MarkerRecorded"},
			check: func(t *testing.T, s *sim, eff Effects) {
				if a := eff.Events[1].MarkerRecordedEventAttributes; *a.MarkerName != "m" || *a.Details != "d" || s.x.Decision.State != DecisionNone {
					t.Fatalf("marker %+v, decision %+v", a, s.x.Decision)
				}
			}},
		{name: "no decisions", want: nil, check: func(t *testing.T, s *sim, eff Effects) {
			if s.x.Decision.State != DecisionNone || !s.x.Open || s.x.PreviousStartedEventID != 3 {
				t.Fatalf("state %+v", s.x)
			}
		}},
	})
}

// startTimer returns a setup that starts a timer of an hour.
func startTimer(id string) func(t *testing.T, s *sim) {
	return func(t *testing.T, s *sim) { s.decide(dStartTimer(id, "3600")); s.signal("go") }
}

// scheduleActivity returns a setup that schedules an activity of type act.
func scheduleActivity(id string) func(t *testing.T, s *sim) {
	return func(t *testing.T, s *sim) { s.decide(dSchedule(id, "act")); s.signal("go") }
}

func TestDecisionActivities(t *testing.T) {
	runDecisionCases(t, []decisionCase{
		{name: "ScheduleActivityTask with the type's defaults", decisions: []swfapi.Decision{dSchedule("a", "act")}, want: []string{"ActivityTaskScheduled"},
			check: func(t *testing.T, s *sim, eff Effects) {
				id := *eff.Events[1].EventId
				a := s.acts[id]
				if a == nil || a.TaskList != "workers" || a.Priority != 5 || a.ScheduleToStart != 40 || a.ScheduleToClose != 100 || a.StartToClose != 50 || a.Heartbeat != 20 {
					t.Fatalf("activity %+v", a)
				}
				if !slices.Equal(eff.AddTasks, []Task{{Kind: ActivityTaskKind, TaskList: "workers", Priority: 5, ScheduledEventID: id}}) {
					t.Fatalf("tasks %+v", eff.AddTasks)
				}
				if due := s.timers[TimerRef{Kind: TimerActivity, Ref: id}]; !due.Equal(s.now.Add(40 * time.Second)) {
					t.Fatalf("first deadline %v, want schedule-to-start", due)
				}
				if s.x.LatestActivityTaskTimestamp == nil || !s.x.LatestActivityTaskTimestamp.Equal(s.now) {
					t.Fatalf("latestActivityTaskTimestamp %v", s.x.LatestActivityTaskTimestamp)
				}
			}},
		{name: "ScheduleActivityTask past the open activities limit", opts: Options{Limits: Limits{OpenActivities: 1}}, setup: scheduleActivity("a"),
			decisions: []swfapi.Decision{dSchedule("b", "act")}, want: []string{"ScheduleActivityTaskFailed", "DecisionTaskScheduled"}, check: wantCause("OPEN_ACTIVITIES_LIMIT_EXCEEDED")},
		{name: "ScheduleActivityTask over the rate", opts: Options{Rates: denyRates{swfapi.DecisionTypeScheduleActivityTask: true}},
			decisions: []swfapi.Decision{dSchedule("a", "act")}, want: []string{"ScheduleActivityTaskFailed", "DecisionTaskScheduled"}, check: wantCause("ACTIVITY_CREATION_RATE_EXCEEDED")},
		{name: "RequestCancelActivityTask of a waiting task cancels it", setup: scheduleActivity("a"), decisions: []swfapi.Decision{dCancelActivity("a")},
			want: []string{"ActivityTaskCancelRequested", "ActivityTaskCanceled", "DecisionTaskScheduled"},
			check: func(t *testing.T, s *sim, eff Effects) {
				c := eff.Events[2].ActivityTaskCanceledEventAttributes
				if *c.LatestCancelRequestedEventId != *eff.Events[1].EventId || len(s.acts) != 0 || len(eff.DeleteTasks) != 1 {
					t.Fatalf("canceled %+v, open %v, dropped %v", c, s.acts, eff.DeleteTasks)
				}
			}},
		{name: "RequestCancelActivityTask of a started task tells its worker", setup: func(t *testing.T, s *sim) {
			scheduleActivity("a")(t, s)
			s.startActivity(*s.find(swfapi.EventTypeActivityTaskScheduled)[0].EventId)
		}, decisions: []swfapi.Decision{dCancelActivity("a")}, want: []string{"ActivityTaskCancelRequested"},
			check: func(t *testing.T, s *sim, eff Effects) {
				id := *s.find(swfapi.EventTypeActivityTaskScheduled)[0].EventId
				a := s.acts[id]
				if !a.CancelRequested || a.LatestCancelRequestedEventID != *eff.Events[1].EventId {
					t.Fatalf("activity %+v", a)
				}
				// The worker gives up: ActivityTaskCanceled names the request.
				s.step(func(m *Machine) {
					if err := m.CancelActivityTask(id, a.StartedEventID, swfapi.Ptr("ok")); err != nil {
						t.Fatal(err)
					}
				})
				c := s.find(swfapi.EventTypeActivityTaskCanceled)[0].ActivityTaskCanceledEventAttributes
				if *c.LatestCancelRequestedEventId != *eff.Events[1].EventId || *c.Details != "ok" || *c.StartedEventId != a.StartedEventID {
					t.Fatalf("canceled %+v", c)
				}
			}},
		{name: "RequestCancelActivityTask of an unknown id", decisions: []swfapi.Decision{dCancelActivity("x")},
			want: []string{"RequestCancelActivityTaskFailed", "DecisionTaskScheduled"}, check: wantCause("ACTIVITY_ID_UNKNOWN")},
	})
}

func TestDecisionsThatClose(t *testing.T) {
	closed := func(status swfapi.CloseStatus, notice NotifyParent) func(t *testing.T, s *sim, eff Effects) {
		return func(t *testing.T, s *sim, eff Effects) {
			t.Helper()
			if s.x.Open || s.x.CloseStatus != status || !s.x.ClosedAt.Equal(s.now) || !eff.Closed {
				t.Fatalf("run %+v", s.x)
			}
			if !slices.Equal(eff.AddTimers, []Timer{{Kind: TimerRetention, Due: s.now.Add(24 * time.Hour)}}) {
				t.Fatalf("timers %+v", eff.AddTimers)
			}
			// Its parent hears how it closed.
			if len(s.out) != 1 {
				t.Fatalf("outbound %v", s.out)
			}
			n := s.out[0].(*NotifyParent)
			notice.Parent, notice.Child = *s.x.Parent, s.x.Ref()
			if n.Status != notice.Status || swfapi.Deref(n.Result) != swfapi.Deref(notice.Result) || swfapi.Deref(n.Reason) != swfapi.Deref(notice.Reason) ||
				swfapi.Deref(n.Details) != swfapi.Deref(notice.Details) || n.Parent != notice.Parent || *n.Child.RunId != "r" {
				t.Fatalf("notice %+v", n)
			}
		}
	}
	withParent := func(t *testing.T, s *sim) {
		s.x.Parent = &Parent{WorkflowID: "p", RunID: "pr", InitiatedEventID: 9}
		s.decide(dStartTimer("t", "60"), dSchedule("a", "act"))
		s.signal("go")
	}
	runDecisionCases(t, []decisionCase{
		{name: "CompleteWorkflowExecution", setup: withParent, decisions: []swfapi.Decision{dComplete("done")}, want: []string{"WorkflowExecutionCompleted"},
			check: closed(swfapi.CloseStatusCompleted, NotifyParent{Status: swfapi.CloseStatusCompleted, Result: swfapi.Ptr("done")})},
		{name: "FailWorkflowExecution", setup: withParent, decisions: []swfapi.Decision{dFail("why")}, want: []string{"WorkflowExecutionFailed"},
			check: closed(swfapi.CloseStatusFailed, NotifyParent{Status: swfapi.CloseStatusFailed, Reason: swfapi.Ptr("why"), Details: swfapi.Ptr("details")})},
		{name: "CancelWorkflowExecution", setup: withParent, decisions: []swfapi.Decision{dCancel()}, want: []string{"WorkflowExecutionCanceled"},
			check: closed(swfapi.CloseStatusCanceled, NotifyParent{Status: swfapi.CloseStatusCanceled, Details: swfapi.Ptr("bye")})},
	})

	// Each close decision fails with UNHANDLED_DECISION when an event came
	// in after the task started.
	for _, d := range []swfapi.Decision{dComplete("x"), dFail("x"), dCancel(), dContinue(nil)} {
		t.Run("unhandled "+string(*d.DecisionType), func(t *testing.T) {
			s := startedSim(t, Options{})
			started := s.startDecision()
			s.signal("late")
			eff := s.respond(started, &swfapi.RespondDecisionTaskCompletedInput{Decisions: []swfapi.Decision{d}})
			if got := types(eff.Events); len(got) != 3 || got[2] != "DecisionTaskScheduled" || failCause(t, eff.Events[1]) != "UNHANDLED_DECISION" || !s.x.Open {
				t.Fatalf("events %v", got)
			}
		})
	}
}

func TestDecisionContinueAsNew(t *testing.T) {
	runDecisionCases(t, []decisionCase{
		{name: "continues with the run's settings", decisions: []swfapi.Decision{dContinue(func(a *swfapi.ContinueAsNewWorkflowExecutionDecisionAttributes) {
			a.TagList = []string{"x"}
			a.ExecutionStartToCloseTimeout = swfapi.Ptr("NONE")
			a.TaskList = &swfapi.TaskList{Name: swfapi.Ptr("next")}
			a.TaskStartToCloseTimeout = swfapi.Ptr("10")
			a.ChildPolicy = swfapi.ChildPolicyAbandon.Ptr()
		})}, want: []string{"WorkflowExecutionContinuedAsNew"},
			check: func(t *testing.T, s *sim, eff Effects) {
				c := eff.Events[1].WorkflowExecutionContinuedAsNewEventAttributes
				if *c.NewExecutionRunId != simRunID(1) || *c.ExecutionStartToCloseTimeout != "31536000" || *c.TaskList.Name != "next" || *c.WorkflowType.Version != "1" {
					t.Fatalf("continued %+v", c)
				}
				if s.x.Open || s.x.CloseStatus != swfapi.CloseStatusContinuedAsNew || len(s.out) != 1 {
					t.Fatalf("run %+v, outbound %v", s.x, s.out)
				}
				next := s.out[0].(*ContinueAsNew)
				a := next.StartedAttributes()
				if next.RunID != simRunID(1) || next.PreviousRunID != "r" || *a.ContinuedExecutionRunId != "r" || *a.Input != "again" || *a.ChildPolicy != swfapi.ChildPolicyAbandon ||
					*a.TaskStartToCloseTimeout != "10" || *a.TaskPriority != "0" || !slices.Equal(a.TagList, []string{"x"}) || *a.ParentInitiatedEventId != 0 {
					t.Fatalf("next run %+v, started %+v", next, a)
				}
			}},
		{name: "to a version that does not exist", decisions: []swfapi.Decision{dContinue(func(a *swfapi.ContinueAsNewWorkflowExecutionDecisionAttributes) {
			a.WorkflowTypeVersion = swfapi.Ptr("3")
		})}, want: []string{"ContinueAsNewWorkflowExecutionFailed", "DecisionTaskScheduled"}, check: wantCause("WORKFLOW_TYPE_DOES_NOT_EXIST")},
		{name: "to a deprecated version", decisions: []swfapi.Decision{dContinue(func(a *swfapi.ContinueAsNewWorkflowExecutionDecisionAttributes) {
			a.WorkflowTypeVersion = swfapi.Ptr("2")
		})}, want: []string{"ContinueAsNewWorkflowExecutionFailed", "DecisionTaskScheduled"}, check: wantCause("WORKFLOW_TYPE_DEPRECATED")},
		{name: "without a timeout and no default", decisions: []swfapi.Decision{dContinue(nil)},
			want: []string{"ContinueAsNewWorkflowExecutionFailed", "DecisionTaskScheduled"}, check: wantCause("DEFAULT_EXECUTION_START_TO_CLOSE_TIMEOUT_UNDEFINED")},
		{name: "without a task list and no default", decisions: []swfapi.Decision{dContinue(func(a *swfapi.ContinueAsNewWorkflowExecutionDecisionAttributes) {
			a.ExecutionStartToCloseTimeout = swfapi.Ptr("60")
		})}, want: []string{"ContinueAsNewWorkflowExecutionFailed", "DecisionTaskScheduled"}, check: wantCause("DEFAULT_TASK_LIST_UNDEFINED")},
		{name: "without a task timeout and no default", decisions: []swfapi.Decision{dContinue(func(a *swfapi.ContinueAsNewWorkflowExecutionDecisionAttributes) {
			a.ExecutionStartToCloseTimeout = swfapi.Ptr("60")
			a.TaskList = &swfapi.TaskList{Name: swfapi.Ptr("l")}
		})}, want: []string{"ContinueAsNewWorkflowExecutionFailed", "DecisionTaskScheduled"}, check: wantCause("DEFAULT_TASK_START_TO_CLOSE_TIMEOUT_UNDEFINED")},
		{name: "without a child policy and no default", decisions: []swfapi.Decision{dContinue(func(a *swfapi.ContinueAsNewWorkflowExecutionDecisionAttributes) {
			a.ExecutionStartToCloseTimeout = swfapi.Ptr("60")
			a.TaskList = &swfapi.TaskList{Name: swfapi.Ptr("l")}
			a.TaskStartToCloseTimeout = swfapi.Ptr("5")
		})}, want: []string{"ContinueAsNewWorkflowExecutionFailed", "DecisionTaskScheduled"}, check: wantCause("DEFAULT_CHILD_POLICY_UNDEFINED")},
		{name: "over the rate", opts: Options{Rates: denyRates{swfapi.DecisionTypeContinueAsNewWorkflowExecution: true}}, decisions: []swfapi.Decision{dContinue(nil)},
			want: []string{"ContinueAsNewWorkflowExecutionFailed", "DecisionTaskScheduled"}, check: wantCause("CONTINUE_AS_NEW_WORKFLOW_EXECUTION_RATE_EXCEEDED")},
	})
}

func TestDecisionExternal(t *testing.T) {
	runDecisionCases(t, []decisionCase{
		{name: "SignalExternalWorkflowExecution", decisions: []swfapi.Decision{dSignal("other", "or")}, want: []string{"SignalExternalWorkflowExecutionInitiated"},
			check: func(t *testing.T, s *sim, eff Effects) {
				o := s.out[0].(*SignalExternal)
				if o.WorkflowID != "other" || o.RunID != "or" || o.SignalName != "poke" || *o.Input != "in" || o.InitiatedEventID != *eff.Events[1].EventId {
					t.Fatalf("signal %+v", o)
				}
				// Delivered: the run hears of it.
				s.step(func(m *Machine) {
					m.ExternalSignaled(o, &swfapi.WorkflowExecution{WorkflowId: swfapi.Ptr("other"), RunId: swfapi.Ptr("or")})
				})
				if got := s.last(2); !slices.Equal(got, []string{"ExternalWorkflowExecutionSignaled", "DecisionTaskScheduled"}) {
					t.Fatalf("events %v", got)
				}
			}},
		{name: "SignalExternalWorkflowExecution to nobody", decisions: []swfapi.Decision{dSignal("other", "")}, want: []string{"SignalExternalWorkflowExecutionInitiated"},
			check: func(t *testing.T, s *sim, eff Effects) {
				o := s.out[0].(*SignalExternal)
				s.step(func(m *Machine) {
					m.SignalExternalFailed(o, swfapi.SignalExternalWorkflowExecutionFailedCauseUnknownExternalWorkflowExecution)
				})
				f := s.find(swfapi.EventTypeSignalExternalWorkflowExecutionFailed)[0].SignalExternalWorkflowExecutionFailedEventAttributes
				if f.RunId != nil || *f.InitiatedEventId != o.InitiatedEventID || *f.Control != "ctl" || *f.DecisionTaskCompletedEventId != *eff.Events[0].EventId {
					t.Fatalf("failed %+v", f)
				}
			}},
		{name: "SignalExternalWorkflowExecution over the rate", opts: Options{Rates: denyRates{swfapi.DecisionTypeSignalExternalWorkflowExecution: true}},
			decisions: []swfapi.Decision{dSignal("other", "")}, want: []string{"SignalExternalWorkflowExecutionFailed", "DecisionTaskScheduled"},
			check: wantCause("SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_RATE_EXCEEDED")},
		{name: "RequestCancelExternalWorkflowExecution", decisions: []swfapi.Decision{dCancelExternal("other")}, want: []string{"RequestCancelExternalWorkflowExecutionInitiated"},
			check: func(t *testing.T, s *sim, eff Effects) {
				o := s.out[0].(*CancelExternal)
				s.step(func(m *Machine) {
					m.ExternalCancelRequested(o, &swfapi.WorkflowExecution{WorkflowId: swfapi.Ptr("other"), RunId: swfapi.Ptr("x")})
				})
				s.decide()
				s.signal("again")
				s.step(func(m *Machine) {
					m.CancelExternalFailed(o, swfapi.RequestCancelExternalWorkflowExecutionFailedCauseUnknownExternalWorkflowExecution)
				})
				if n := len(s.find(swfapi.EventTypeExternalWorkflowExecutionCancelRequested)) + len(s.find(swfapi.EventTypeRequestCancelExternalWorkflowExecutionFailed)); n != 2 {
					t.Fatalf("history %v", types(s.history))
				}
			}},
		{name: "RequestCancelExternalWorkflowExecution over the rate", opts: Options{Rates: denyRates{swfapi.DecisionTypeRequestCancelExternalWorkflowExecution: true}},
			decisions: []swfapi.Decision{dCancelExternal("other")}, want: []string{"RequestCancelExternalWorkflowExecutionFailed", "DecisionTaskScheduled"},
			check: wantCause("REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_RATE_EXCEEDED")},
	})
}

func TestDecisionChildren(t *testing.T) {
	childFails := func(name, typeName, cause string, opts Options, setup func(*testing.T, *sim)) decisionCase {
		return decisionCase{name: name, opts: opts, setup: setup, decisions: []swfapi.Decision{dChild("c", typeName, nil)},
			want: []string{"StartChildWorkflowExecutionFailed", "DecisionTaskScheduled"}, check: wantCause(cause)}
	}
	runDecisionCases(t, []decisionCase{
		{name: "StartChildWorkflowExecution with the type's defaults", decisions: []swfapi.Decision{dChild("c", "wf", func(a *swfapi.StartChildWorkflowExecutionDecisionAttributes) {
			a.TagList = []string{"t1"}
			a.Input = swfapi.Ptr("in")
		})}, want: []string{"StartChildWorkflowExecutionInitiated"},
			check: func(t *testing.T, s *sim, eff Effects) {
				id := *eff.Events[1].EventId
				o := s.out[0].(*StartChild)
				want := Config{TaskList: "deciders", TaskPriority: "0", TaskStartToCloseTimeout: "30", ExecutionStartToCloseTimeout: "3600", ChildPolicy: swfapi.ChildPolicyTerminate}
				if o.InitiatedEventID != id || o.Config != want || *o.Input != "in" {
					t.Fatalf("start child %+v", o)
				}
				a := o.StartedAttributes(&Parent{WorkflowID: "w", RunID: "r", InitiatedEventID: id})
				if *a.ParentWorkflowExecution.RunId != "r" || *a.ParentInitiatedEventId != id || !slices.Equal(a.TagList, []string{"t1"}) {
					t.Fatalf("child started %+v", a)
				}
				// The child starts, then closes each way: its parent hears.
				s.step(func(m *Machine) { m.ChildStarted(id, "cr") })
				if got := s.last(2); !slices.Equal(got, []string{"ChildWorkflowExecutionStarted", "DecisionTaskScheduled"}) || s.x.Children[id].RunID != "cr" {
					t.Fatalf("events %v, children %+v", got, s.x.Children)
				}
				s.step(func(m *Machine) {
					m.ChildClosed(&NotifyParent{Parent: Parent{InitiatedEventID: id}, Child: &swfapi.WorkflowExecution{WorkflowId: swfapi.Ptr("c"), RunId: swfapi.Ptr("cr")},
						Status: swfapi.CloseStatusCompleted, Result: swfapi.Ptr("ok")})
				})
				c := s.find(swfapi.EventTypeChildWorkflowExecutionCompleted)[0].ChildWorkflowExecutionCompletedEventAttributes
				if *c.Result != "ok" || *c.InitiatedEventId != id || *c.StartedEventId != *s.find(swfapi.EventTypeChildWorkflowExecutionStarted)[0].EventId || len(s.x.Children) != 0 {
					t.Fatalf("completed %+v", c)
				}
			}},
		{name: "StartChildWorkflowExecution that cannot start", decisions: []swfapi.Decision{dChild("c", "wf", nil)}, want: []string{"StartChildWorkflowExecutionInitiated"},
			check: func(t *testing.T, s *sim, eff Effects) {
				id := *eff.Events[1].EventId
				s.step(func(m *Machine) {
					m.ChildStartFailed(id, swfapi.StartChildWorkflowExecutionFailedCauseWorkflowAlreadyRunning)
				})
				f := s.find(swfapi.EventTypeStartChildWorkflowExecutionFailed)[0].StartChildWorkflowExecutionFailedEventAttributes
				if *f.InitiatedEventId != id || *f.WorkflowId != "c" || *f.Cause != swfapi.StartChildWorkflowExecutionFailedCauseWorkflowAlreadyRunning || len(s.x.Children) != 0 {
					t.Fatalf("failed %+v", f)
				}
			}},
		childFails("of a type that does not exist", "missing", "WORKFLOW_TYPE_DOES_NOT_EXIST", Options{}, nil),
		childFails("of a deprecated type", "oldwf", "WORKFLOW_TYPE_DEPRECATED", Options{}, nil),
		childFails("of a type without defaults", "barewf", "DEFAULT_EXECUTION_START_TO_CLOSE_TIMEOUT_UNDEFINED", Options{}, nil),
		childFails("over the rate", "wf", "CHILD_CREATION_RATE_EXCEEDED", Options{Rates: denyRates{swfapi.DecisionTypeStartChildWorkflowExecution: true}}, nil),
		childFails("past the open children limit", "wf", "OPEN_CHILDREN_LIMIT_EXCEEDED", Options{Limits: Limits{OpenChildren: 1}}, func(t *testing.T, s *sim) {
			s.decide(dChild("first", "wf", nil))
			s.signal("go")
		}),
	})
}

// Each way a child closes records its event on the parent.
func TestChildClosedEvents(t *testing.T) {
	for status, want := range map[swfapi.CloseStatus]string{
		swfapi.CloseStatusCompleted: "ChildWorkflowExecutionCompleted", swfapi.CloseStatusFailed: "ChildWorkflowExecutionFailed",
		swfapi.CloseStatusCanceled: "ChildWorkflowExecutionCanceled", swfapi.CloseStatusTimedOut: "ChildWorkflowExecutionTimedOut",
		swfapi.CloseStatusTerminated: "ChildWorkflowExecutionTerminated",
	} {
		t.Run(want, func(t *testing.T) {
			s := startedSim(t, Options{})
			eff := s.decide(dChild("c", "wf", nil))
			id := *eff.Events[1].EventId
			s.step(func(m *Machine) { m.ChildStarted(id, "cr") })
			s.step(func(m *Machine) {
				m.ChildClosed(&NotifyParent{Parent: Parent{InitiatedEventID: id}, Child: &swfapi.WorkflowExecution{}, Status: status})
			})
			if got := s.last(1); got[0] != want {
				t.Fatalf("events %v", types(s.history))
			}
			// A second notice of the same child is ignored.
			before := len(s.history)
			s.step(func(m *Machine) { m.ChildClosed(&NotifyParent{Parent: Parent{InitiatedEventID: id}, Status: status}) })
			if len(s.history) != before {
				t.Fatal("a closed child closed twice")
			}
		})
	}
}

func TestDecisionLambda(t *testing.T) {
	on := Options{LambdaAvailable: true}
	runDecisionCases(t, []decisionCase{
		{name: "ScheduleLambdaFunction", opts: on, decisions: []swfapi.Decision{dLambda("l", nil)}, want: []string{"LambdaFunctionScheduled"},
			check: func(t *testing.T, s *sim, eff Effects) {
				id := *eff.Events[1].EventId
				if a := eff.Events[1].LambdaFunctionScheduledEventAttributes; *a.StartToCloseTimeout != "900" {
					t.Fatalf("scheduled %+v", a)
				}
				if !slices.Equal(eff.AddTasks, []Task{{Kind: LambdaTaskKind, ScheduledEventID: id}}) || s.x.Lambdas[id].StartToClose != 900 {
					t.Fatalf("tasks %+v, lambdas %+v", eff.AddTasks, s.x.Lambdas)
				}
			}},
		{name: "ScheduleLambdaFunction without Lambda", decisions: []swfapi.Decision{dLambda("l", nil)},
			want: []string{"ScheduleLambdaFunctionFailed", "DecisionTaskScheduled"}, check: wantCause("LAMBDA_SERVICE_NOT_AVAILABLE_IN_REGION")},
		{name: "ScheduleLambdaFunction of an id in use", opts: on, setup: func(t *testing.T, s *sim) { s.decide(dLambda("l", nil)); s.signal("go") },
			decisions: []swfapi.Decision{dLambda("l", nil)}, want: []string{"ScheduleLambdaFunctionFailed", "DecisionTaskScheduled"}, check: wantCause("ID_ALREADY_IN_USE")},
		{name: "ScheduleLambdaFunction past the limit", opts: Options{LambdaAvailable: true, Limits: Limits{OpenLambdas: 1}}, setup: func(t *testing.T, s *sim) { s.decide(dLambda("l", nil)); s.signal("go") },
			decisions: []swfapi.Decision{dLambda("m", nil)}, want: []string{"ScheduleLambdaFunctionFailed", "DecisionTaskScheduled"}, check: wantCause("OPEN_LAMBDA_FUNCTIONS_LIMIT_EXCEEDED")},
		{name: "ScheduleLambdaFunction over the rate", opts: Options{LambdaAvailable: true, Rates: denyRates{swfapi.DecisionTypeScheduleLambdaFunction: true}},
			decisions: []swfapi.Decision{dLambda("l", nil)}, want: []string{"ScheduleLambdaFunctionFailed", "DecisionTaskScheduled"}, check: wantCause("LAMBDA_FUNCTION_CREATION_RATE_EXCEEDED")},
	})
}

// A decision task list given with a schedule-to-start timeout is a
// temporary override: the next decision task goes there, timed, and on a
// timeout the run's own list takes over again. Without a timeout it
// replaces the run's list.
func TestDecisionTaskListOverride(t *testing.T) {
	s := startedSim(t, Options{})
	started := s.startDecision()
	s.respond(started, &swfapi.RespondDecisionTaskCompletedInput{TaskList: &swfapi.TaskList{Name: swfapi.Ptr("urgent")}, TaskListScheduleToStartTimeout: swfapi.Ptr("10"),
		ExecutionContext: swfapi.Ptr("ctx"), Decisions: []swfapi.Decision{dStartTimer("t", "5")}})
	if *s.x.LatestExecutionContext != "ctx" || s.x.Override == nil || s.x.Config.TaskList != "deciders" {
		t.Fatalf("run %+v", s.x)
	}
	s.advance(5 * time.Second) // the timer fires: a decision task on the override list
	sched := s.find(swfapi.EventTypeDecisionTaskScheduled)
	a := sched[len(sched)-1].DecisionTaskScheduledEventAttributes
	if *a.TaskList.Name != "urgent" || *a.ScheduleToStartTimeout != "10" || !s.x.Decision.OnOverride {
		t.Fatalf("scheduled %+v", a)
	}
	s.advance(10 * time.Second) // nobody takes it: back to the run's list
	if got := s.last(2); !slices.Equal(got, []string{"DecisionTaskTimedOut", "DecisionTaskScheduled"}) || s.x.Override != nil || s.x.Decision.TaskList != "deciders" {
		t.Fatalf("events %v, run %+v", got, s.x)
	}
	to := s.find(swfapi.EventTypeDecisionTaskTimedOut)[0].DecisionTaskTimedOutEventAttributes
	if *to.TimeoutType != swfapi.DecisionTaskTimeoutTypeScheduleToStart || *to.StartedEventId != 0 {
		t.Fatalf("timed out %+v", to)
	}

	// Started on an override list and timed out there: the override goes too.
	started = s.startDecision()
	s.respond(started, &swfapi.RespondDecisionTaskCompletedInput{TaskList: &swfapi.TaskList{Name: swfapi.Ptr("urgent")}, TaskListScheduleToStartTimeout: swfapi.Ptr("10"),
		Decisions: []swfapi.Decision{dStartTimer("u", "1")}})
	s.advance(time.Second)
	s.startDecision()
	s.advance(30 * time.Second)
	if s.x.Override != nil || s.x.Decision.TaskList != "deciders" || s.last(2)[0] != "DecisionTaskTimedOut" {
		t.Fatalf("run %+v, events %v", s.x, s.last(2))
	}

	// Without a timeout the list replaces the run's own.
	started = s.startDecision()
	s.respond(started, &swfapi.RespondDecisionTaskCompletedInput{TaskList: &swfapi.TaskList{Name: swfapi.Ptr("moved")}, Decisions: []swfapi.Decision{dStartTimer("v", "1")}})
	s.advance(time.Second)
	if s.x.Config.TaskList != "moved" || s.x.Override != nil || s.x.Decision.TaskList != "moved" {
		t.Fatalf("run %+v", s.x)
	}
}
