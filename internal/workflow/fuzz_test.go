package workflow

import (
	"maps"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/swfapi"
)

// bytes reads a fuzzer's input a byte at a time; past its end every byte
// is 0.
type bytes struct {
	data []byte
	i    int
}

func (b *bytes) next() byte {
	if b.i >= len(b.data) {
		return 0
	}
	c := b.data[b.i]
	b.i++
	return c
}

func (b *bytes) done() bool { return b.i >= len(b.data) }

// pick returns one of the choices.
func pick[T any](b *bytes, choices ...T) T { return choices[int(b.next())%len(choices)] }

// pickID returns one of the sorted keys of a map, or false if it is empty.
func pickID[V any](b *bytes, m map[int64]V) (int64, bool) {
	if len(m) == 0 {
		return 0, false
	}
	ids := slices.Sorted(maps.Keys(m))
	return ids[int(b.next())%len(ids)], true
}

// fuzzRates refuses the decision types whose bit is set.
type fuzzRates uint16

func (r fuzzRates) Allow(decisionType string, _ time.Time) bool {
	return r&(1<<(len(decisionType)%16)) == 0
}

// fuzzPermit refuses the decision types whose bit is set, and every role
// but "role".
type fuzzPermit uint16

func (p fuzzPermit) Decision(dt swfapi.DecisionType, _ map[string][]string) bool {
	return p&(1<<(len(dt)%16)) == 0
}

func (fuzzPermit) PassRole(role string) bool { return role == "role" }

// fuzzTimeout returns a duration a decision may carry.
func fuzzTimeout(b *bytes, none bool) *string {
	switch c := b.next() % 6; {
	case c == 0:
		return nil
	case c == 1 && none:
		return swfapi.Ptr("NONE")
	default:
		return swfapi.Ptr(strconv.Itoa(int(c) * 7 % 60))
	}
}

// fuzzDecision builds one decision from the input: every decision type,
// with ids from a small set so that they collide, and types that exist,
// lack defaults, are deprecated or do not exist.
func fuzzDecision(b *bytes) swfapi.Decision {
	id := func(prefix string) *string { return swfapi.Ptr(prefix + strconv.Itoa(int(b.next()%4))) }
	opt := func(v string) *string {
		if b.next()%2 == 0 {
			return nil
		}
		return &v
	}
	list := func() *swfapi.TaskList {
		if b.next()%3 == 0 {
			return nil
		}
		return &swfapi.TaskList{Name: swfapi.Ptr(pick(b, "workers", "other"))}
	}
	t := pick(b, decisionTypes...)
	d := swfapi.Decision{DecisionType: &t}
	switch t {
	case swfapi.DecisionTypeScheduleActivityTask:
		d.ScheduleActivityTaskDecisionAttributes = &swfapi.ScheduleActivityTaskDecisionAttributes{
			ActivityType: &swfapi.ActivityType{Name: swfapi.Ptr(pick(b, "act", "act", "bare", "old", "missing")), Version: swfapi.Ptr("1")},
			ActivityId:   id("a"), TaskList: list(), ScheduleToStartTimeout: fuzzTimeout(b, true), ScheduleToCloseTimeout: fuzzTimeout(b, true),
			StartToCloseTimeout: fuzzTimeout(b, true), HeartbeatTimeout: fuzzTimeout(b, true), TaskPriority: opt("7"),
		}
	case swfapi.DecisionTypeRequestCancelActivityTask:
		d.RequestCancelActivityTaskDecisionAttributes = &swfapi.RequestCancelActivityTaskDecisionAttributes{ActivityId: id("a")}
	case swfapi.DecisionTypeRecordMarker:
		d.RecordMarkerDecisionAttributes = &swfapi.RecordMarkerDecisionAttributes{MarkerName: id("m"), Details: opt("d")}
	case swfapi.DecisionTypeCompleteWorkflowExecution:
		if b.next()%2 == 0 {
			d.CompleteWorkflowExecutionDecisionAttributes = &swfapi.CompleteWorkflowExecutionDecisionAttributes{Result: opt("r")}
		}
	case swfapi.DecisionTypeFailWorkflowExecution:
		d.FailWorkflowExecutionDecisionAttributes = &swfapi.FailWorkflowExecutionDecisionAttributes{Reason: opt("why"), Details: opt("d")}
	case swfapi.DecisionTypeCancelWorkflowExecution:
		d.CancelWorkflowExecutionDecisionAttributes = &swfapi.CancelWorkflowExecutionDecisionAttributes{Details: opt("d")}
	case swfapi.DecisionTypeContinueAsNewWorkflowExecution:
		d.ContinueAsNewWorkflowExecutionDecisionAttributes = &swfapi.ContinueAsNewWorkflowExecutionDecisionAttributes{
			WorkflowTypeVersion: pick(b, nil, swfapi.Ptr("1"), swfapi.Ptr("2"), swfapi.Ptr("3")), TaskList: list(),
			ExecutionStartToCloseTimeout: fuzzTimeout(b, true), TaskStartToCloseTimeout: fuzzTimeout(b, true),
			ChildPolicy: pick(b, nil, swfapi.ChildPolicyAbandon.Ptr()), LambdaRole: pick(b, nil, swfapi.Ptr("role"), swfapi.Ptr("other")),
		}
	case swfapi.DecisionTypeStartTimer:
		d.StartTimerDecisionAttributes = &swfapi.StartTimerDecisionAttributes{TimerId: id("t"), StartToFireTimeout: swfapi.Ptr(strconv.Itoa(int(b.next() % 50)))}
	case swfapi.DecisionTypeCancelTimer:
		d.CancelTimerDecisionAttributes = &swfapi.CancelTimerDecisionAttributes{TimerId: id("t")}
	case swfapi.DecisionTypeSignalExternalWorkflowExecution:
		d.SignalExternalWorkflowExecutionDecisionAttributes = &swfapi.SignalExternalWorkflowExecutionDecisionAttributes{
			WorkflowId: id("w"), RunId: opt("r"), SignalName: id("s"), Control: opt("c"),
		}
	case swfapi.DecisionTypeRequestCancelExternalWorkflowExecution:
		d.RequestCancelExternalWorkflowExecutionDecisionAttributes = &swfapi.RequestCancelExternalWorkflowExecutionDecisionAttributes{
			WorkflowId: id("w"), RunId: opt("r"), Control: opt("c"),
		}
	case swfapi.DecisionTypeStartChildWorkflowExecution:
		d.StartChildWorkflowExecutionDecisionAttributes = &swfapi.StartChildWorkflowExecutionDecisionAttributes{
			WorkflowType: &swfapi.WorkflowType{Name: swfapi.Ptr(pick(b, "wf", "wf", "barewf", "oldwf", "missing")), Version: swfapi.Ptr("1")},
			WorkflowId:   id("c"), TaskList: list(), ExecutionStartToCloseTimeout: fuzzTimeout(b, true),
			ChildPolicy: pick(b, nil, swfapi.ChildPolicyAbandon.Ptr()), LambdaRole: pick(b, nil, swfapi.Ptr("role"), swfapi.Ptr("other")),
		}
	case swfapi.DecisionTypeScheduleLambdaFunction:
		d.ScheduleLambdaFunctionDecisionAttributes = &swfapi.ScheduleLambdaFunctionDecisionAttributes{
			Id: id("l"), Name: swfapi.Ptr("fn"), StartToCloseTimeout: pick(b, nil, swfapi.Ptr("1"), swfapi.Ptr("30")),
		}
	default:
		panic("unknown decision type " + t)
	}
	return d
}

// decisionTypes are every type of decision.
var decisionTypes = []swfapi.DecisionType{
	swfapi.DecisionTypeScheduleActivityTask, swfapi.DecisionTypeRequestCancelActivityTask, swfapi.DecisionTypeRecordMarker,
	swfapi.DecisionTypeCompleteWorkflowExecution, swfapi.DecisionTypeFailWorkflowExecution, swfapi.DecisionTypeCancelWorkflowExecution,
	swfapi.DecisionTypeContinueAsNewWorkflowExecution, swfapi.DecisionTypeStartTimer, swfapi.DecisionTypeCancelTimer,
	swfapi.DecisionTypeSignalExternalWorkflowExecution, swfapi.DecisionTypeRequestCancelExternalWorkflowExecution,
	swfapi.DecisionTypeStartChildWorkflowExecution, swfapi.DecisionTypeScheduleLambdaFunction,
}

// resolveFuzz answers a run's outbound work as the engine would in the same
// transaction, each way the input picks: a child starts or cannot, a signal
// or cancellation request is delivered or has nowhere to go.
func resolveFuzz(b *bytes) func(m *Machine, o Outbound) {
	return func(m *Machine, o Outbound) {
		switch o := o.(type) {
		case *StartChild:
			if b.next()%3 == 0 {
				m.ChildStartFailed(o.InitiatedEventID, swfapi.StartChildWorkflowExecutionFailedCauseWorkflowAlreadyRunning)
			} else {
				m.ChildStarted(o.InitiatedEventID, "child-"+strconv.FormatInt(o.InitiatedEventID, 10))
			}
		case *SignalExternal:
			if b.next()%2 == 0 {
				m.SignalExternalFailed(o, swfapi.SignalExternalWorkflowExecutionFailedCauseUnknownExternalWorkflowExecution)
			} else {
				m.ExternalSignaled(o, &swfapi.WorkflowExecution{WorkflowId: swfapi.Ptr(o.WorkflowID), RunId: swfapi.Ptr("target")})
			}
		case *CancelExternal:
			if b.next()%2 == 0 {
				m.CancelExternalFailed(o, swfapi.RequestCancelExternalWorkflowExecutionFailedCauseUnknownExternalWorkflowExecution)
			} else {
				m.ExternalCancelRequested(o, &swfapi.WorkflowExecution{WorkflowId: swfapi.Ptr(o.WorkflowID), RunId: swfapi.Ptr("target")})
			}
		}
	}
}

// fuzzRun builds the run and its options from the head of the input.
func fuzzRun(t *testing.T, b *bytes) *sim {
	x := newRun()
	x.Config.TaskStartToCloseTimeout = pick(b, "30", "NONE", "5")
	x.Config.ExecutionStartToCloseTimeout = pick(b, "3600", "NONE", "100")
	x.Config.LambdaRole = pick(b, nil, swfapi.Ptr("role"))
	x.Parent = pick(b, nil, &Parent{WorkflowID: "p", RunID: "pr", InitiatedEventID: 5})
	opts := Options{
		Limits: Limits{
			OpenActivities: 1 + int(b.next()%3), OpenTimers: 1 + int(b.next()%3), OpenChildren: 1 + int(b.next()%2),
			OpenLambdas: 1 + int(b.next()%2), HistoryEvents: 12 + int64(b.next()),
		},
		Retention:       time.Duration(b.next()) * time.Hour,
		LambdaAvailable: b.next()%4 != 0,
	}
	if c := b.next(); c%3 == 0 {
		opts.Rates = fuzzRates(uint16(c) | uint16(b.next())<<8)
	}
	s := newSim(t, x, opts)
	if c := b.next(); c%3 == 0 {
		s.permit = fuzzPermit(uint16(c) | uint16(b.next())<<8)
	}
	s.resolve = resolveFuzz(b)
	s.in = b
	s.step(func(m *Machine) {
		m.Start(&swfapi.WorkflowExecutionStartedEventAttributes{ChildPolicy: swfapi.Ptr(x.Config.ChildPolicy), TaskList: &swfapi.TaskList{Name: swfapi.Ptr(x.Config.TaskList)}, WorkflowType: x.Type()})
	})
	return s
}

// FuzzDecisions drives a run with random decider answers, workers, timers,
// signals, children and Lambda tasks; after every step sim.check asserts
// the invariants of a run (dense increasing event ids, at most one decision
// task open, every scheduled activity closed at most once and open exactly
// until then, tasks queued and timers armed for exactly what is waiting,
// nothing after the run closed) and that a closed run accepts nothing.
func FuzzDecisions(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 0, 0, 3, 3, 3, 3, 200, 0, 0, 1, 1, 0, 1, 2, 0, 0, 1, 0, 0, 2, 0, 3, 0, 4, 10})
	f.Add([]byte("\x01\x01\x01\x01\x01\x01\x01\x05\x01\x01\x00\x01\x00\x01\x03\x07\x00\x01\x01\x09\x02\x04\x05\x30\x03\x00"))
	f.Add([]byte("scheduling activities and timers, then letting them time out while signals arrive"))
	f.Fuzz(func(t *testing.T, data []byte) {
		b := &bytes{data: data}
		s := fuzzRun(t, b)
		for steps := 0; !b.done() && steps < 200; steps++ {
			fuzzStep(s, b)
		}
		if s.x.Open {
			// A run left open can always be terminated, and then accepts
			// nothing more.
			s.step(func(m *Machine) {
				if err := m.Terminate(nil, nil, nil, nil); err != nil {
					t.Fatal(err)
				}
			})
		}
		closedAcceptsNothing(s, b)
	})
}

// fuzzStep takes one step the input chooses.
func fuzzStep(s *sim, b *bytes) {
	x := s.x
	switch op := b.next() % 16; op {
	case 0, 1:
		if x.Decision.State == DecisionScheduled {
			s.startDecision()
		}
	case 2, 3, 4:
		if x.Decision.State != DecisionStarted {
			return
		}
		in := &swfapi.RespondDecisionTaskCompletedInput{TaskToken: swfapi.Ptr("token")}
		for n := b.next() % 5; n > 0; n-- {
			in.Decisions = append(in.Decisions, fuzzDecision(b))
		}
		if c := b.next(); c%5 == 0 {
			in.TaskList = &swfapi.TaskList{Name: swfapi.Ptr(pick(b, "deciders", "urgent"))}
			in.TaskListScheduleToStartTimeout = pick(b, nil, swfapi.Ptr("NONE"), swfapi.Ptr("10"))
		}
		if in.Validate(nil) != nil || ValidateDecisions(in.Decisions, s.opts.Limits) != nil {
			// Refused whole at the door: no transition.
			return
		}
		s.respond(x.Decision.StartedEventID, in)
	case 5:
		var waiting []int64
		for ref := range s.tasks {
			if ref.Kind == ActivityTaskKind {
				waiting = append(waiting, ref.ScheduledEventID)
			}
		}
		if len(waiting) > 0 {
			slices.Sort(waiting)
			s.startActivity(waiting[int(b.next())%len(waiting)])
		}
	case 6, 7:
		fuzzFinishActivity(s, b)
	case 8:
		if id, ok := pickID(b, s.acts); ok && s.acts[id].Started() {
			s.heartbeat(id, "beat")
		}
	case 9, 10:
		s.advance(time.Duration(b.next()%64) * time.Second)
	case 11:
		s.signal(pick(b, "a", "b"))
	case 12:
		open := x.Open
		s.step(func(m *Machine) {
			if err := m.RequestCancel(&swfapi.WorkflowExecutionCancelRequestedEventAttributes{}); (err == nil) != open {
				s.t.Fatalf("RequestCancel on a run open %v: %v", open, err)
			}
		})
	case 13:
		fuzzChildClosed(s, b)
	case 14:
		fuzzLambda(s, b)
	case 15:
		if open := x.Open; b.next()%8 == 0 {
			s.step(func(m *Machine) {
				if err := m.Terminate(swfapi.Ptr("enough"), nil, pick(b, nil, swfapi.ChildPolicyAbandon.Ptr()), nil); (err == nil) != open {
					s.t.Fatalf("Terminate on a run open %v: %v", open, err)
				}
			})
		} else {
			fuzzStale(s, b)
		}
	}
}

// fuzzFinishActivity completes, fails or cancels a started activity.
func fuzzFinishActivity(s *sim, b *bytes) {
	id, ok := pickID(b, s.acts)
	if !ok || !s.acts[id].Started() {
		return
	}
	started := s.acts[id].StartedEventID
	s.step(func(m *Machine) {
		var err error
		switch b.next() % 3 {
		case 0:
			err = m.CompleteActivityTask(id, started, swfapi.Ptr("done"))
		case 1:
			err = m.FailActivityTask(id, started, swfapi.Ptr("why"), nil)
		default:
			err = m.CancelActivityTask(id, started, nil)
		}
		if err != nil {
			s.t.Fatalf("finishing activity %d: %v", id, err)
		}
	})
}

// fuzzChildClosed tells the run that one of its started children closed.
func fuzzChildClosed(s *sim, b *bytes) {
	started := map[int64]*Child{}
	for id, c := range s.x.Children {
		if c.RunID != "" {
			started[id] = c
		}
	}
	id, ok := pickID(b, started)
	if !ok {
		return
	}
	c := started[id]
	status := pick(b, swfapi.CloseStatusCompleted, swfapi.CloseStatusFailed, swfapi.CloseStatusCanceled, swfapi.CloseStatusTerminated,
		swfapi.CloseStatusTimedOut, swfapi.CloseStatusContinuedAsNew)
	if status == swfapi.CloseStatusContinuedAsNew {
		return // the run that continues the child closes for it
	}
	before := len(s.history)
	s.step(func(m *Machine) {
		m.ChildClosed(&NotifyParent{
			Parent: Parent{WorkflowID: s.x.WorkflowID, RunID: s.x.RunID, InitiatedEventID: id},
			Child:  &swfapi.WorkflowExecution{WorkflowId: swfapi.Ptr(c.WorkflowID), RunId: swfapi.Ptr(c.RunID)}, Status: status,
		})
	})
	if _, open := s.x.Children[id]; open || len(s.history) == before {
		s.t.Fatalf("child %d closed: still open %v, history %v", id, open, s.last(2))
	}
}

// fuzzLambda starts a queued Lambda task (or fails to assume its role), or
// finishes a started one.
func fuzzLambda(s *sim, b *bytes) {
	id, ok := pickID(b, s.x.Lambdas)
	if !ok {
		return
	}
	l := s.x.Lambdas[id]
	if l.StartedEventID == 0 {
		s.poll(LambdaTaskKind, id)
		if b.next()%4 == 0 {
			s.step(func(m *Machine) { m.LambdaStartFailed(id, "no role") })
			return
		}
		s.step(func(m *Machine) {
			inv, err := m.StartLambda(id)
			s.startErr("StartLambda", err)
			if err == nil && (inv == nil) != (s.x.Config.LambdaRole == nil) {
				s.t.Fatalf("StartLambda: %+v, %v", inv, err)
			}
		})
		return
	}
	started := l.StartedEventID
	s.step(func(m *Machine) {
		var err error
		if b.next()%2 == 0 {
			err = m.CompleteLambda(id, started, swfapi.Ptr("out"))
		} else {
			err = m.FailLambda(id, started, swfapi.Ptr("why"), nil)
		}
		if err != nil {
			s.t.Fatalf("finishing lambda %d: %v", id, err)
		}
	})
}

// fuzzStale makes a call that names a task or attempt the run does not
// have: it must answer ErrStale and record nothing; a timer that is not
// armed must fire without effect.
func fuzzStale(s *sim, b *bytes) {
	n := int64(b.next())
	// Ids the run has not used yet are never valid.
	bad := s.x.NextEventID + n
	switch b.next() % 8 {
	case 0:
		s.stale("StartDecisionTask", func(m *Machine) error { _, err := m.StartDecisionTask(bad, nil); return err })
	case 1:
		s.stale("CompleteDecisionTask", func(m *Machine) error {
			return m.CompleteDecisionTask(bad, &swfapi.RespondDecisionTaskCompletedInput{}, s.types, nil)
		})
	case 2:
		s.stale("StartActivityTask", func(m *Machine) error { _, err := m.StartActivityTask(bad, nil); return err })
	case 3:
		// A started activity answered with the wrong attempt.
		if id, ok := pickID(b, s.acts); ok {
			s.stale("CompleteActivityTask", func(m *Machine) error { return m.CompleteActivityTask(id, bad, nil) })
		}
	case 4:
		s.stale("FailActivityTask", func(m *Machine) error { return m.FailActivityTask(bad, bad, nil, nil) })
	case 5:
		s.stale("CompleteLambda", func(m *Machine) error { return m.CompleteLambda(bad, bad, nil) })
	case 6:
		s.stale("StartLambda", func(m *Machine) error { _, err := m.StartLambda(bad); return err })
	default:
		kind := pick(b, TimerDecisionStartToClose, TimerDecisionScheduleToStart, TimerActivity, TimerUser, TimerLambdaStartToClose)
		ref := TimerRef{Kind: kind, Ref: bad}
		before := len(s.history)
		s.step(func(m *Machine) { m.FireTimer(ref) })
		if len(s.history) != before {
			s.t.Fatalf("timer %+v that was not armed recorded %v", ref, s.last(len(s.history)-before))
		}
	}
}

// closedAcceptsNothing: every call on a closed run answers ErrStale or does
// nothing (sim.step fails the test if a closed run records anything).
func closedAcceptsNothing(s *sim, b *bytes) {
	if s.x.Open {
		s.t.Fatal("run still open")
	}
	s.stale("Signal", func(m *Machine) error {
		return m.Signal(&swfapi.WorkflowExecutionSignaledEventAttributes{SignalName: swfapi.Ptr("s")})
	})
	s.stale("RequestCancel", func(m *Machine) error {
		return m.RequestCancel(&swfapi.WorkflowExecutionCancelRequestedEventAttributes{})
	})
	s.stale("Terminate", func(m *Machine) error { return m.Terminate(nil, nil, nil, nil) })
	for i := 0; i < 6; i++ {
		id := 1 + int64(b.next())%s.x.NextEventID
		s.stale("StartDecisionTask", func(m *Machine) error { _, err := m.StartDecisionTask(id, nil); return err })
		s.stale("CompleteDecisionTask", func(m *Machine) error {
			return m.CompleteDecisionTask(id, &swfapi.RespondDecisionTaskCompletedInput{}, s.types, nil)
		})
		s.stale("StartActivityTask", func(m *Machine) error { _, err := m.StartActivityTask(id, nil); return err })
		s.stale("CompleteActivityTask", func(m *Machine) error { return m.CompleteActivityTask(id, id+1, nil) })
		s.stale("StartLambda", func(m *Machine) error { _, err := m.StartLambda(id); return err })
		for _, kind := range []TimerKind{TimerExecutionTimeout, TimerDecisionStartToClose, TimerDecisionScheduleToStart, TimerActivity, TimerUser, TimerLambdaStartToClose} {
			s.step(func(m *Machine) { m.FireTimer(TimerRef{Kind: kind, Ref: id}) })
		}
		s.step(func(m *Machine) {
			m.ChildStarted(id, "late")
			m.ChildStartFailed(id, swfapi.StartChildWorkflowExecutionFailedCauseWorkflowAlreadyRunning)
			m.ChildClosed(&NotifyParent{Parent: Parent{InitiatedEventID: id}, Status: swfapi.CloseStatusCompleted})
			m.ExternalSignaled(&SignalExternal{InitiatedEventID: id}, nil)
			m.SignalExternalFailed(&SignalExternal{InitiatedEventID: id}, swfapi.SignalExternalWorkflowExecutionFailedCauseUnknownExternalWorkflowExecution)
			m.ExternalCancelRequested(&CancelExternal{InitiatedEventID: id}, nil)
			m.CancelExternalFailed(&CancelExternal{InitiatedEventID: id}, swfapi.RequestCancelExternalWorkflowExecutionFailedCauseUnknownExternalWorkflowExecution)
			m.LambdaStartFailed(id, "late")
		})
	}
}
