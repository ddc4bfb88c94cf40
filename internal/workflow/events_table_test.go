package workflow

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/swfapi"
)

// activityRun returns a run with one activity of type act scheduled, and
// its scheduled event id; with start, a worker has it.
func activityRun(t *testing.T, start bool, mods ...func(*swfapi.ScheduleActivityTaskDecisionAttributes)) (*sim, int64) {
	s := startedSim(t, Options{})
	d := dSchedule("a", "act")
	for _, mod := range mods {
		mod(d.ScheduleActivityTaskDecisionAttributes)
	}
	eff := s.decide(d)
	id := *eff.Events[1].EventId
	if start {
		s.startActivity(id)
	}
	return s, id
}

// What a worker reports of its activity: each answer closes it with its
// event and asks for a decision; a second answer is stale.
func TestActivityResults(t *testing.T) {
	for _, c := range []struct {
		name   string
		report func(m *Machine, id, started int64) error
		want   string
	}{
		{"completed", func(m *Machine, id, started int64) error { return m.CompleteActivityTask(id, started, swfapi.Ptr("r")) }, "ActivityTaskCompleted"},
		{"failed", func(m *Machine, id, started int64) error {
			return m.FailActivityTask(id, started, swfapi.Ptr("why"), swfapi.Ptr("d"))
		}, "ActivityTaskFailed"},
		{"canceled", func(m *Machine, id, started int64) error { return m.CancelActivityTask(id, started, nil) }, "ActivityTaskCanceled"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, id := activityRun(t, true)
			started := s.acts[id].StartedEventID
			var err error
			eff := s.step(func(m *Machine) { err = c.report(m, id, started) })
			if err != nil || !slices.Equal(types(eff.Events), []string{c.want, "DecisionTaskScheduled"}) {
				t.Fatalf("%v: events %v", err, types(eff.Events))
			}
			if !slices.Equal(eff.DeleteActivities, []int64{id}) || !slices.Contains(eff.DeleteTimers, TimerRef{Kind: TimerActivity, Ref: id}) {
				t.Fatalf("dropped %v, disarmed %v", eff.DeleteActivities, eff.DeleteTimers)
			}
			s.stale("a second answer", func(m *Machine) error { return c.report(m, id, started) })
		})
	}
	// An answer for an attempt that is not the one started is stale.
	s, id := activityRun(t, false)
	s.stale("an answer before the task started", func(m *Machine) error { return m.CompleteActivityTask(id, 0, nil) })
	started := s.startActivity(id)
	s.stale("an answer for another attempt", func(m *Machine) error { return m.FailActivityTask(id, started+1, nil, nil) })
	s.stale("starting a started task", func(m *Machine) error { _, err := m.StartActivityTask(id, nil); return err })
}

// Each of an activity's timeouts ends it with ActivityTaskTimedOut of its
// type; heartbeats hold the heartbeat timeout off without moving the timer.
func TestActivityTimeouts(t *testing.T) {
	for _, c := range []struct {
		name  string
		run   func(s *sim, id int64)
		want  swfapi.ActivityTaskTimeoutType
		after time.Duration // since scheduling
		mod   func(*swfapi.ScheduleActivityTaskDecisionAttributes)
	}{
		{"schedule-to-start", func(s *sim, id int64) { s.advance(time.Minute) }, swfapi.ActivityTaskTimeoutTypeScheduleToStart, 40 * time.Second, nil},
		{"heartbeat", func(s *sim, id int64) { s.startActivity(id); s.advance(time.Minute) }, swfapi.ActivityTaskTimeoutTypeHeartbeat, 20 * time.Second, nil},
		{"start-to-close", func(s *sim, id int64) {
			s.startActivity(id)
			for range 5 { // beats every 15 s keep the 20 s heartbeat timeout off
				s.advance(15 * time.Second)
				if len(s.acts) > 0 {
					s.heartbeat(id, "alive")
				}
			}
		}, swfapi.ActivityTaskTimeoutTypeStartToClose, 50 * time.Second, nil},
		{"schedule-to-close", func(s *sim, id int64) {
			s.advance(10 * time.Second)
			s.startActivity(id)
			for range 6 {
				s.advance(10 * time.Second)
				if len(s.acts) > 0 {
					s.heartbeat(id, "alive")
				}
			}
		}, swfapi.ActivityTaskTimeoutTypeScheduleToClose, 45 * time.Second, func(a *swfapi.ScheduleActivityTaskDecisionAttributes) {
			a.ScheduleToCloseTimeout = swfapi.Ptr("45")
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var mods []func(*swfapi.ScheduleActivityTaskDecisionAttributes)
			if c.mod != nil {
				mods = append(mods, c.mod)
			}
			s, id := activityRun(t, false, mods...)
			scheduledAt := s.now
			c.run(s, id)
			out := s.find(swfapi.EventTypeActivityTaskTimedOut)
			if len(out) != 1 {
				t.Fatalf("history %v", types(s.history))
			}
			a := out[0].ActivityTaskTimedOutEventAttributes
			if *a.TimeoutType != c.want || *a.ScheduledEventId != id || !out[0].EventTimestamp.Time.Equal(scheduledAt.Add(c.after)) {
				t.Fatalf("timed out %s at %v, want %s at %v", *a.TimeoutType, out[0].EventTimestamp.Time.Sub(scheduledAt), c.want, c.after)
			}
			if c.want == swfapi.ActivityTaskTimeoutTypeStartToClose && swfapi.Deref(a.Details) != "alive" {
				t.Fatalf("details %v: the last heartbeat's", a.Details)
			}
		})
	}
}

// A decision task that its decider does not complete in time times out,
// and another is scheduled.
func TestDecisionTaskTimesOut(t *testing.T) {
	s := startedSim(t, Options{})
	started := s.startDecision()
	s.advance(30 * time.Second)
	if got := s.last(2); !slices.Equal(got, []string{"DecisionTaskTimedOut", "DecisionTaskScheduled"}) {
		t.Fatalf("events %v", got)
	}
	a := s.find(swfapi.EventTypeDecisionTaskTimedOut)[0].DecisionTaskTimedOutEventAttributes
	if *a.TimeoutType != swfapi.DecisionTaskTimeoutTypeStartToClose || *a.StartedEventId != started {
		t.Fatalf("timed out %+v", a)
	}
	s.stale("completing the timed-out task", func(m *Machine) error {
		return m.CompleteDecisionTask(started, &swfapi.RespondDecisionTaskCompletedInput{}, s.types, nil)
	})
}

// A run that outlives its timeout times out; its child policy goes to its
// children and its parent hears.
func TestExecutionTimesOut(t *testing.T) {
	s := startedSim(t, Options{})
	s.x.Parent = &Parent{WorkflowID: "p", RunID: "pr", InitiatedEventID: 4}
	eff := s.decide(dChild("c1", "wf", nil), dChild("c2", "wf", nil))
	c1 := *eff.Events[1].EventId
	s.step(func(m *Machine) { m.ChildStarted(c1, "c1r") })
	s.advance(time.Hour)
	to := s.find(swfapi.EventTypeWorkflowExecutionTimedOut)
	if len(to) != 1 || s.x.CloseStatus != swfapi.CloseStatusTimedOut || *to[0].WorkflowExecutionTimedOutEventAttributes.ChildPolicy != swfapi.ChildPolicyTerminate {
		t.Fatalf("history %v", types(s.history))
	}
	if len(s.out) != 2 {
		t.Fatalf("outbound %+v", s.out)
	}
	policy := s.out[0].(*ApplyChildPolicy)
	if policy.Policy != swfapi.ChildPolicyTerminate || len(policy.Children) != 2 || *policy.Children[0].RunId != "c1r" || *policy.Children[1].RunId != "" {
		t.Fatalf("policy %+v", policy)
	}
	if n := s.out[1].(*NotifyParent); n.Status != swfapi.CloseStatusTimedOut || n.Parent.InitiatedEventID != 4 {
		t.Fatalf("notice %+v", n)
	}
}

// Terminate closes the run at once; the child policy it gives overrides
// the run's, and ABANDON sends nothing to the children.
func TestTerminate(t *testing.T) {
	for _, c := range []struct {
		policy *swfapi.ChildPolicy
		want   int
	}{{nil, 1}, {swfapi.ChildPolicyAbandon.Ptr(), 0}, {swfapi.ChildPolicyRequestCancel.Ptr(), 1}} {
		s := startedSim(t, Options{})
		s.decide(dChild("c", "wf", nil))
		s.step(func(m *Machine) {
			if err := m.Terminate(swfapi.Ptr("why"), swfapi.Ptr("d"), c.policy, nil); err != nil {
				t.Fatal(err)
			}
		})
		a := s.find(swfapi.EventTypeWorkflowExecutionTerminated)[0].WorkflowExecutionTerminatedEventAttributes
		if *a.Reason != "why" || (c.policy != nil && *a.ChildPolicy != *c.policy) || (c.policy == nil && *a.ChildPolicy != swfapi.ChildPolicyTerminate) || len(s.out) != c.want {
			t.Fatalf("policy %v: terminated %+v, outbound %v", c.policy, a, s.out)
		}
	}
}

// A history has room for so many events; the last place is kept for the
// event that closes the run, and an event that would take it terminates
// the run (EVENT_LIMIT_EXCEEDED) instead.
func TestHistoryLimit(t *testing.T) {
	s := startedSim(t, Options{Limits: Limits{HistoryEvents: 8}})
	s.decide(dMarker("1"), dMarker("2")) // events 3–6
	s.signal("a")                        // 7, 8: no room for DecisionTaskScheduled
	if s.x.Open || s.x.NextEventID != 9 {
		t.Fatalf("run open %v with %d events: %v", s.x.Open, len(s.history), types(s.history))
	}
	last := s.history[len(s.history)-1].WorkflowExecutionTerminatedEventAttributes
	if last == nil || *last.Cause != swfapi.WorkflowExecutionTerminatedCauseEventLimitExceeded {
		t.Fatalf("history %v", types(s.history))
	}

	// A decision task that cannot start for lack of room is stale.
	s = startedSim(t, Options{Limits: Limits{HistoryEvents: 3}})
	id := s.x.Decision.ScheduledEventID
	s.poll(DecisionTaskKind, id)
	var err error
	s.step(func(m *Machine) { _, err = m.StartDecisionTask(id, nil) })
	if !errors.Is(err, ErrStale) || s.x.Open || s.x.CloseStatus != swfapi.CloseStatusTerminated {
		t.Fatalf("%v, run %+v", err, s.x)
	}
}

// A Lambda task waits for the invoker, starts (or cannot: no role), and
// ends as the function did or by its timeout.
func TestLambdaLifecycle(t *testing.T) {
	run := func(t *testing.T, role *string) (*sim, int64) {
		s := newSim(t, newRun(), Options{LambdaAvailable: true})
		s.x.Config.LambdaRole = role
		s.step(func(m *Machine) { m.Start(&swfapi.WorkflowExecutionStartedEventAttributes{}) })
		eff := s.decide(dLambda("l", swfapi.Ptr("30")))
		id := *eff.Events[1].EventId
		s.poll(LambdaTaskKind, id)
		return s, id
	}
	start := func(s *sim, id int64) *LambdaInvocation {
		var inv *LambdaInvocation
		s.step(func(m *Machine) {
			var err error
			if inv, err = m.StartLambda(id); err != nil {
				s.t.Fatal(err)
			}
		})
		return inv
	}
	t.Run("no role", func(t *testing.T) {
		s, id := run(t, nil)
		if inv := start(s, id); inv != nil {
			t.Fatalf("invocation %+v without a role", inv)
		}
		if got := s.last(2); !slices.Equal(got, []string{"StartLambdaFunctionFailed", "DecisionTaskScheduled"}) {
			t.Fatalf("events %v", got)
		}
	})
	t.Run("role refused", func(t *testing.T) {
		s, id := run(t, swfapi.Ptr("role"))
		s.step(func(m *Machine) { m.LambdaStartFailed(id, "denied") })
		f := s.find(swfapi.EventTypeStartLambdaFunctionFailed)[0].StartLambdaFunctionFailedEventAttributes
		if *f.Message != "denied" || *f.Cause != swfapi.StartLambdaFunctionFailedCauseAssumeRoleFailed || len(s.x.Lambdas) != 0 {
			t.Fatalf("failed %+v", f)
		}
	})
	for _, c := range []struct {
		name string
		end  func(s *sim, inv *LambdaInvocation)
		want string
	}{
		{"completed", func(s *sim, inv *LambdaInvocation) {
			s.step(func(m *Machine) { _ = m.CompleteLambda(inv.ScheduledEventID, inv.StartedEventID, swfapi.Ptr("out")) })
		}, "LambdaFunctionCompleted"},
		{"failed", func(s *sim, inv *LambdaInvocation) {
			s.step(func(m *Machine) { _ = m.FailLambda(inv.ScheduledEventID, inv.StartedEventID, swfapi.Ptr("why"), nil) })
		}, "LambdaFunctionFailed"},
		{"timed out", func(s *sim, inv *LambdaInvocation) { s.advance(30 * time.Second) }, "LambdaFunctionTimedOut"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, id := run(t, swfapi.Ptr("role"))
			inv := start(s, id)
			if inv == nil || inv.Name != "fn" || *inv.Input != "{}" || inv.Role != "role" || inv.StartToClose != 30 || s.last(1)[0] != "LambdaFunctionStarted" {
				t.Fatalf("invocation %+v, events %v", inv, s.last(1))
			}
			c.end(s, inv)
			if got := s.last(2); !slices.Equal(got, []string{c.want, "DecisionTaskScheduled"}) || len(s.x.Lambdas) != 0 {
				t.Fatalf("events %v", got)
			}
			s.stale("a late result", func(m *Machine) error { return m.CompleteLambda(inv.ScheduledEventID, inv.StartedEventID, nil) })
			s.stale("a late failure", func(m *Machine) error { return m.FailLambda(inv.ScheduledEventID, inv.StartedEventID, nil, nil) })
		})
	}
}

// permitRecorder allows what allow says and keeps the keys it was asked
// about, by decision type.
type permitRecorder struct {
	allow func(swfapi.DecisionType) bool
	roles []string
	keys  map[swfapi.DecisionType]map[string][]string
}

func (p *permitRecorder) Decision(dt swfapi.DecisionType, keys map[string][]string) bool {
	p.keys[dt] = keys
	return p.allow(dt)
}

func (p *permitRecorder) PassRole(role string) bool {
	p.roles = append(p.roles, role)
	return role == "ok-role"
}

// A decision the decider may not make records its *Failed event with
// cause OPERATION_NOT_PERMITTED, for every decision type.
func TestEveryDecisionNotPermitted(t *testing.T) {
	for _, d := range []swfapi.Decision{
		dSchedule("a", "act"), dCancelActivity("a"), dMarker("m"), dStartTimer("t", "1"), dCancelTimer("t"),
		dSignal("o", ""), dCancelExternal("o"), dChild("c", "wf", nil), dComplete("x"), dFail("x"), dCancel(), dContinue(nil),
	} {
		t.Run(string(*d.DecisionType), func(t *testing.T) {
			s := startedSim(t, Options{})
			s.permit = &permitRecorder{allow: func(swfapi.DecisionType) bool { return false }, keys: map[swfapi.DecisionType]map[string][]string{}}
			eff := s.decide(d)
			if len(eff.Events) != 3 || failCause(t, eff.Events[1]) != "OPERATION_NOT_PERMITTED" || eff.Events[2].DecisionTaskScheduledEventAttributes == nil || !s.x.Open {
				t.Fatalf("events %v", types(eff.Events))
			}
		})
	}
	// ScheduleLambdaFunction has no permission-only action.
	s := startedSim(t, Options{LambdaAvailable: true})
	s.permit = &permitRecorder{allow: func(swfapi.DecisionType) bool { return false }, keys: map[swfapi.DecisionType]map[string][]string{}}
	if eff := s.decide(dLambda("l", nil)); types(eff.Events)[1] != "LambdaFunctionScheduled" {
		t.Fatalf("events %v", types(eff.Events))
	}
}

// The condition keys a decision is checked with, defaults filled in; a
// Lambda role needs iam:PassRole first.
func TestDecisionConditionKeys(t *testing.T) {
	s := startedSim(t, Options{})
	p := &permitRecorder{allow: func(swfapi.DecisionType) bool { return true }, keys: map[swfapi.DecisionType]map[string][]string{}}
	s.permit = p
	s.decide(dSchedule("a", "act"), dChild("c", "wf", func(a *swfapi.StartChildWorkflowExecutionDecisionAttributes) {
		a.TagList = []string{"t0", "t1"}
		a.LambdaRole = swfapi.Ptr("ok-role")
	}), dChild("d", "wf", func(a *swfapi.StartChildWorkflowExecutionDecisionAttributes) {
		a.LambdaRole = swfapi.Ptr("bad-role")
	}), dContinue(func(a *swfapi.ContinueAsNewWorkflowExecutionDecisionAttributes) {
		a.WorkflowTypeVersion = swfapi.Ptr("3")
		a.TaskList = &swfapi.TaskList{Name: swfapi.Ptr("next")}
		a.TagList = []string{"n"}
	}))
	want := map[swfapi.DecisionType]map[string][]string{
		swfapi.DecisionTypeScheduleActivityTask: {"swf:activityType.name": {"act"}, "swf:activityType.version": {"1"}, "swf:taskList.name": {"workers"}},
		swfapi.DecisionTypeStartChildWorkflowExecution: {"swf:workflowType.name": {"wf"}, "swf:workflowType.version": {"1"}, "swf:taskList.name": {"deciders"},
			"swf:tagList.member.0": {"t0"}, "swf:tagList.member.1": {"t1"}},
		swfapi.DecisionTypeContinueAsNewWorkflowExecution: {"swf:workflowType.version": {"3"}, "swf:workflowTypeVersion": {"3"}, "swf:taskList.name": {"next"},
			"swf:tagList.member.0": {"n"}},
	}
	for dt, keys := range want {
		got := p.keys[dt]
		if len(got) != len(keys) {
			t.Fatalf("%s keys %v, want %v", dt, got, keys)
		}
		for k, v := range keys {
			if !slices.Equal(got[k], v) {
				t.Fatalf("%s key %s = %v, want %v", dt, k, got[k], v)
			}
		}
	}
	// Both attempts of the step ask (sim.step runs every transition twice).
	if !slices.Equal(p.roles, []string{"ok-role", "bad-role", "ok-role", "bad-role"}) {
		t.Fatalf("roles asked about %v", p.roles)
	}
	failed := s.find(swfapi.EventTypeStartChildWorkflowExecutionFailed)
	if len(failed) != 1 || *failed[0].StartChildWorkflowExecutionFailedEventAttributes.WorkflowId != "d" ||
		*failed[0].StartChildWorkflowExecutionFailedEventAttributes.Cause != swfapi.StartChildWorkflowExecutionFailedCauseOperationNotPermitted {
		t.Fatalf("history %v", types(s.history))
	}
}

// ResolveConfig takes each setting from the request, else the type's
// default, and names the first required one that neither has.
func TestResolveConfig(t *testing.T) {
	full := &swfapi.WorkflowTypeConfiguration{
		DefaultExecutionStartToCloseTimeout: swfapi.Ptr("60"), DefaultTaskList: &swfapi.TaskList{Name: swfapi.Ptr("d")},
		DefaultTaskStartToCloseTimeout: swfapi.Ptr("5"), DefaultChildPolicy: swfapi.ChildPolicyAbandon.Ptr(),
		DefaultTaskPriority: swfapi.Ptr("2"), DefaultLambdaRole: swfapi.Ptr("def-role"),
	}
	c, missing := ResolveConfig(ConfigRequest{}, full)
	if missing != "" || c != (Config{TaskList: "d", TaskPriority: "2", TaskStartToCloseTimeout: "5", ExecutionStartToCloseTimeout: "60", ChildPolicy: swfapi.ChildPolicyAbandon, LambdaRole: c.LambdaRole}) || *c.LambdaRole != "def-role" {
		t.Fatalf("from defaults: %+v %q", c, missing)
	}
	c, _ = ResolveConfig(ConfigRequest{ExecutionStartToCloseTimeout: swfapi.Ptr("1"), TaskList: &swfapi.TaskList{Name: swfapi.Ptr("r")}, TaskStartToCloseTimeout: swfapi.Ptr("2"),
		ChildPolicy: swfapi.ChildPolicyTerminate.Ptr(), TaskPriority: swfapi.Ptr("-1"), LambdaRole: swfapi.Ptr("req-role")}, full)
	if c.ExecutionStartToCloseTimeout != "1" || c.TaskList != "r" || c.TaskStartToCloseTimeout != "2" || c.ChildPolicy != swfapi.ChildPolicyTerminate || c.TaskPriority != "-1" || *c.LambdaRole != "req-role" {
		t.Fatalf("from the request: %+v", c)
	}
	for _, want := range []string{"executionStartToCloseTimeout", "taskList", "taskStartToCloseTimeout", "childPolicy"} {
		r := ConfigRequest{ExecutionStartToCloseTimeout: swfapi.Ptr("1"), TaskList: &swfapi.TaskList{Name: swfapi.Ptr("r")}, TaskStartToCloseTimeout: swfapi.Ptr("2"), ChildPolicy: swfapi.ChildPolicyTerminate.Ptr()}
		switch want {
		case "executionStartToCloseTimeout":
			r.ExecutionStartToCloseTimeout = nil
		case "taskList":
			r.TaskList = nil
		case "taskStartToCloseTimeout":
			r.TaskStartToCloseTimeout = nil
		case "childPolicy":
			r.ChildPolicy = nil
		}
		if _, missing := ResolveConfig(r, &swfapi.WorkflowTypeConfiguration{}); missing != want {
			t.Fatalf("missing %q, want %q", missing, want)
		}
	}
	if c, _ := ResolveConfig(ConfigRequest{ExecutionStartToCloseTimeout: swfapi.Ptr("1"), TaskList: &swfapi.TaskList{Name: swfapi.Ptr("r")}, TaskStartToCloseTimeout: swfapi.Ptr("2"),
		ChildPolicy: swfapi.ChildPolicyTerminate.Ptr()}, &swfapi.WorkflowTypeConfiguration{}); c.TaskPriority != "0" || c.LambdaRole != nil {
		t.Fatalf("no priority anywhere: %+v", c)
	}
}

func TestTimeout(t *testing.T) {
	for s, want := range map[string]Timeout{"0": 0, "300": 300, "NONE": None} {
		if got := ParseTimeout(s); got != want || got.String() != s {
			t.Fatalf("ParseTimeout(%q) = %v (%s)", s, got, got.String())
		}
	}
	if ParseTimeout("junk") != None || Timeout(90).Duration() != 90*time.Second {
		t.Fatal("timeouts")
	}
	a := &Activity{TypeName: "n", TypeVersion: "v"}
	if at := a.Type(); *at.Name != "n" || *at.Version != "v" {
		t.Fatalf("type %+v", at)
	}
}
