package workflow

import (
	"encoding/json"
	"errors"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/swfapi"
)

// sim plays the engine's part around the state machine, as the engine does
// it: it keeps the run, its open activities, its queued tasks and its armed
// timers as the store would, runs one transition per step on a fresh
// Machine, applies the effects the way engine.save does, and after every
// step checks the invariants of a run against the whole history. Table
// tests drive it by hand; FuzzDecisions drives it from random bytes.
type sim struct {
	t       testing.TB
	x       *Execution
	acts    map[int64]*Activity
	tasks   map[TaskRef]Task
	timers  map[TimerRef]time.Time
	history []swfapi.HistoryEvent
	now     time.Time
	opts    Options
	types   Types
	permit  Permit
	// out is the outbound work of the last step.
	out []Outbound
	// resolve answers the outbound work of a step inside that step, as the
	// engine's world does in the same transaction; nil leaves it unanswered.
	resolve func(m *Machine, o Outbound)
	// runIDs is the supply of runIds the steps hand out from, as one
	// write's would be.
	runIDs RunIDs
	// in, if set, is the input that step functions and resolve read: it is
	// read again from the same place for a step's second attempt.
	in *bytes
}

// simSeed is the seed of a simulation's runIds.
var simSeed = [32]byte{1, 2, 3}

// simRunID returns the nth runId (from 1) a simulation hands out.
func simRunID(n int) string {
	ids := NewRunIDs(simSeed)
	for range n - 1 {
		ids.Next()
	}
	return ids.Next()
}

// simTypes are the registered types the simulated domain has: "act" and
// "wf" with every default, "bare" and "barewf" with none, "old" and
// "oldwf" deprecated.
var simTypes = activityTypes{
	"act@1": {Activity: &swfapi.ActivityTypeConfiguration{
		DefaultTaskList: &swfapi.TaskList{Name: swfapi.Ptr("workers")}, DefaultTaskScheduleToCloseTimeout: swfapi.Ptr("100"),
		DefaultTaskScheduleToStartTimeout: swfapi.Ptr("40"), DefaultTaskStartToCloseTimeout: swfapi.Ptr("50"),
		DefaultTaskHeartbeatTimeout: swfapi.Ptr("20"), DefaultTaskPriority: swfapi.Ptr("5"),
	}},
	"bare@1": {Activity: &swfapi.ActivityTypeConfiguration{}},
	"old@1":  {Deprecated: true, Activity: &swfapi.ActivityTypeConfiguration{}},
	"workflow:wf@1": {Workflow: &swfapi.WorkflowTypeConfiguration{
		DefaultTaskList: &swfapi.TaskList{Name: swfapi.Ptr("deciders")}, DefaultExecutionStartToCloseTimeout: swfapi.Ptr("3600"),
		DefaultTaskStartToCloseTimeout: swfapi.Ptr("30"), DefaultChildPolicy: swfapi.ChildPolicyTerminate.Ptr(),
	}},
	"workflow:t@1":      {Workflow: &swfapi.WorkflowTypeConfiguration{}},
	"workflow:t@2":      {Deprecated: true, Workflow: &swfapi.WorkflowTypeConfiguration{}},
	"workflow:barewf@1": {Workflow: &swfapi.WorkflowTypeConfiguration{}},
	"workflow:oldwf@1":  {Deprecated: true, Workflow: &swfapi.WorkflowTypeConfiguration{}},
}

// newSim returns a simulation of a run that has not started yet.
func newSim(t testing.TB, x *Execution, opts Options) *sim {
	s := &sim{
		t: t, x: x, acts: map[int64]*Activity{}, tasks: map[TaskRef]Task{}, timers: map[TimerRef]time.Time{},
		now: t0, opts: opts, types: simTypes, runIDs: *NewRunIDs(simSeed),
	}
	return s
}

// startedSim returns a simulation of newRun after Start.
func startedSim(t testing.TB, opts Options) *sim {
	if opts.Retention == 0 {
		opts.Retention = 24 * time.Hour
	}
	s := newSim(t, newRun(), opts)
	s.step(func(m *Machine) {
		m.Start(&swfapi.WorkflowExecutionStartedEventAttributes{ChildPolicy: swfapi.ChildPolicyTerminate.Ptr(), TaskList: &swfapi.TaskList{Name: swfapi.Ptr("deciders")}, WorkflowType: s.x.Type()})
	})
	return s
}

// step runs one transition and applies and checks its effects. The machine
// gets the run and copies of its open activities through the codec, as it
// would get them from the store: a change it does not report is lost, as it
// would be. Every step runs twice, as a store may run a write again after
// a conflict: from the same state, input, time and options (the same
// supply of runIds), the second attempt must decide exactly what the first
// did — the same run, effects, outbound work and runIds handed out.
func (s *sim) step(fn func(m *Machine)) Effects {
	s.t.Helper()
	wasOpen := s.x.Open
	before := s.x.NextEventID
	mark := 0
	if s.in != nil {
		mark = s.in.i
	}
	prev := s.x
	first := s.attempt(prev, fn)
	if s.in != nil {
		s.in.i = mark
	}
	second := s.attempt(prev, fn)
	if !reflect.DeepEqual(first, second) {
		s.t.Fatalf("a transition run again decided otherwise:\n%s\n%s", s.describe(first), s.describe(second))
	}
	s.x, s.out, s.runIDs = second.x, second.out, second.runIDs
	eff := second.eff
	s.apply(eff)
	if wasOpen || before == 0 {
		s.checkOutbound(wasOpen && !s.x.Open)
		s.check(eff, before)
	} else if len(eff.Events)+len(eff.AddTasks)+len(eff.AddTimers)+len(eff.PutActivities)+len(eff.Outbound) > 0 || eff.Closed {
		s.t.Fatalf("a closed run changed: %+v", eff)
	}
	return eff
}

// outcome is what one attempt of a step decided.
type outcome struct {
	x      *Execution
	acts   map[int64]*Activity
	eff    Effects
	out    []Outbound
	runIDs RunIDs
}

// attempt runs a step's transition on a machine of its own, from the run
// as it was before the step (prev), and answers its outbound work in the
// same step, as the engine's world does. While it runs, s.x is the
// machine's run, as the step function may look at it.
func (s *sim) attempt(prev *Execution, fn func(m *Machine)) outcome {
	s.t.Helper()
	s.x = prev
	var acts []*Activity
	for _, id := range slices.Sorted(maps.Keys(s.acts)) {
		acts = append(acts, s.stored(s.acts[id]))
	}
	o := outcome{x: s.load(prev), runIDs: s.runIDs}
	s.x = o.x
	opts := s.opts
	opts.RunIDs = &o.runIDs
	m := New(o.x, acts, s.now, opts)
	fn(m)
	for {
		out := m.TakeOutbound()
		if len(out) == 0 {
			break
		}
		o.out = append(o.out, out...)
		for _, ob := range out {
			if s.resolve != nil {
				s.resolve(m, ob)
			}
		}
	}
	o.eff, o.acts = m.Effects(), m.Activities
	return o
}

// describe shows an outcome for a failure message.
func (s *sim) describe(o outcome) string {
	row, err := EncodeExecution(o.x)
	if err != nil {
		s.t.Fatal(err)
	}
	state := json.RawMessage(row.State)
	row.State = nil
	data, err := json.Marshal(struct {
		Run      any
		State    json.RawMessage
		Effects  Effects
		Outbound []Outbound
		NextID   string
	}{row, state, o.eff, o.out, o.runIDs.Next()})
	if err != nil {
		s.t.Fatal(err)
	}
	return string(data)
}

// load returns the run as the engine would load it after storing it,
// through the codec (EncodeExecution, DecodeExecution): what the machine
// keeps in a member the store does not keep is lost, as it would be.
func (s *sim) load(x *Execution) *Execution {
	s.t.Helper()
	row, err := EncodeExecution(x)
	if err != nil {
		s.t.Fatal(err)
	}
	y, err := DecodeExecution(row)
	if err != nil {
		s.t.Fatal(err)
	}
	return y
}

// stored returns an activity as the engine would load it after storing it
// (EncodeActivity, DecodeActivity).
func (s *sim) stored(a *Activity) *Activity {
	s.t.Helper()
	row, err := EncodeActivity(s.x.ID, a)
	if err != nil {
		s.t.Fatal(err)
	}
	b, err := DecodeActivity(row)
	if err != nil {
		s.t.Fatal(err)
	}
	return b
}

// checkOutbound: only a run that closed in the step tells its parent (unless
// it continued as new: the new run carries the link), starts the run that
// continues it, or applies its child policy (only when terminated or timed
// out).
func (s *sim) checkOutbound(closed bool) {
	s.t.Helper()
	count := map[string]int{}
	for _, o := range s.out {
		switch o := o.(type) {
		case *NotifyParent:
			count["notify"]++
			if o.Status != s.x.CloseStatus || *o.Child.RunId != s.x.RunID {
				s.t.Fatalf("notice %+v for a run closed %s", o, s.x.CloseStatus)
			}
		case *ContinueAsNew:
			count["continue"]++
		case *ApplyChildPolicy:
			count["policy"]++
			if o.Policy == swfapi.ChildPolicyAbandon {
				s.t.Fatal("ABANDON applied")
			}
		}
	}
	status := s.x.CloseStatus
	want := map[string]int{}
	if closed {
		if s.x.Parent != nil && status != swfapi.CloseStatusContinuedAsNew {
			want["notify"] = 1
		}
		if status == swfapi.CloseStatusContinuedAsNew {
			want["continue"] = 1
		}
		if status != swfapi.CloseStatusTerminated && status != swfapi.CloseStatusTimedOut {
			want["policy"] = 0
		} else {
			want["policy"] = count["policy"] // depends on the children and the policy
		}
	}
	for _, k := range []string{"notify", "continue", "policy"} {
		if count[k] != want[k] {
			s.t.Fatalf("%s outbound %d times, want %d (closed in the step %v as %s): %+v", k, count[k], want[k], closed, status, s.out)
		}
	}
}

// apply writes the effects as engine.save does.
func (s *sim) apply(eff Effects) {
	s.history = append(s.history, eff.Events...)
	if eff.Closed {
		clear(s.tasks)
		clear(s.timers)
		clear(s.acts)
	} else {
		for _, t := range eff.DeleteTasks {
			delete(s.tasks, t)
		}
		for _, t := range eff.DeleteTimers {
			delete(s.timers, t)
		}
		for _, id := range eff.DeleteActivities {
			delete(s.acts, id)
		}
	}
	for _, a := range eff.PutActivities {
		c := *a
		s.acts[a.ScheduledEventID] = &c
	}
	for _, t := range eff.AddTasks {
		s.tasks[TaskRef{Kind: t.Kind, ScheduledEventID: t.ScheduledEventID}] = t
	}
	for _, t := range eff.AddTimers {
		s.timers[TimerRef{Kind: t.Kind, Ref: t.Ref}] = t.Due
	}
}

// poll takes the task of a kind and scheduled event id off its list, as a
// poll does before it starts the task.
func (s *sim) poll(kind TaskKind, id int64) bool {
	ref := TaskRef{Kind: kind, ScheduledEventID: id}
	_, ok := s.tasks[ref]
	delete(s.tasks, ref)
	return ok
}

// fire fires a timer as the timer loop does: the time is its due time (or
// later), and the transition deletes it.
func (s *sim) fire(ref TimerRef) Effects {
	s.t.Helper()
	if due := s.timers[ref]; due.After(s.now) {
		s.now = due
	}
	delete(s.timers, ref)
	return s.step(func(m *Machine) { m.FireTimer(ref) })
}

// due returns the earliest armed timer, if any is due by the time limit.
func (s *sim) due(limit time.Time) (TimerRef, bool) {
	var best TimerRef
	var at time.Time
	found := false
	for ref, due := range s.timers {
		if due.After(limit) {
			continue
		}
		if !found || due.Before(at) || due.Equal(at) && (ref.Kind < best.Kind || ref.Kind == best.Kind && ref.Ref < best.Ref) {
			best, at, found = ref, due, true
		}
	}
	return best, found
}

// advance moves the clock on by d, firing every timer that falls due on
// the way, in order.
func (s *sim) advance(d time.Duration) {
	s.t.Helper()
	limit := s.now.Add(d)
	for n := 0; ; n++ {
		if n > 10000 {
			s.t.Fatalf("timers keep falling due before %v: %v", limit, s.timers)
		}
		ref, ok := s.due(limit)
		if !ok {
			break
		}
		s.fire(ref)
	}
	s.now = limit
}

// decisionStarted starts the scheduled decision task and returns the id
// of its DecisionTaskStarted.
func (s *sim) startDecision() int64 {
	s.t.Helper()
	if s.x.Decision.State != DecisionScheduled {
		s.t.Fatalf("no decision task scheduled: %+v", s.x.Decision)
	}
	id := s.x.Decision.ScheduledEventID
	if !s.poll(DecisionTaskKind, id) {
		s.t.Fatalf("decision task %d is not queued", id)
	}
	var started int64
	s.step(func(m *Machine) {
		var err error
		started, err = m.StartDecisionTask(id, swfapi.Ptr("decider"))
		s.startErr("StartDecisionTask", err)
	})
	return started
}

// decide starts the scheduled decision task and completes it with the
// decisions, which must be valid; it returns the effects of completing.
func (s *sim) decide(decisions ...swfapi.Decision) Effects {
	s.t.Helper()
	started := s.startDecision()
	return s.respond(started, &swfapi.RespondDecisionTaskCompletedInput{Decisions: decisions})
}

// respond completes the started decision task.
func (s *sim) respond(started int64, in *swfapi.RespondDecisionTaskCompletedInput) Effects {
	s.t.Helper()
	in.TaskToken = swfapi.Ptr("token")
	if err := in.Validate(nil); err != nil {
		s.t.Fatalf("invalid decisions: %v", err)
	}
	if err := ValidateDecisions(in.Decisions, s.opts.Limits); err != nil {
		s.t.Fatalf("invalid decisions: %v", err)
	}
	return s.step(func(m *Machine) {
		if err := m.CompleteDecisionTask(started, in, s.types, s.permit); err != nil {
			s.t.Fatalf("CompleteDecisionTask: %v", err)
		}
	})
}

// startActivity gives the queued activity task to a worker.
func (s *sim) startActivity(id int64) int64 {
	s.t.Helper()
	if !s.poll(ActivityTaskKind, id) {
		s.t.Fatalf("activity task %d is not queued", id)
	}
	var started int64
	s.step(func(m *Machine) {
		var err error
		started, err = m.StartActivityTask(id, swfapi.Ptr("worker"))
		s.startErr("StartActivityTask", err)
	})
	return started
}

// startErr checks the error of starting a task that is waiting: none,
// unless the history had no room for the start, and the run was terminated
// instead (then the task is stale).
func (s *sim) startErr(what string, err error) {
	s.t.Helper()
	if err == nil {
		return
	}
	if !errors.Is(err, ErrStale) || s.x.Open || s.x.CloseStatus != swfapi.CloseStatusTerminated || s.x.NextEventID-1 != s.opts.Limits.withDefaults().HistoryEvents {
		s.t.Fatalf("%s: %v", what, err)
	}
}

// heartbeat records a heartbeat as the store does, outside the machine.
func (s *sim) heartbeat(id int64, details string) {
	now := s.now
	a := s.acts[id]
	a.LastHeartbeat, a.HeartbeatDetails = &now, &details
}

// signal signals the run.
func (s *sim) signal(name string) Effects {
	s.t.Helper()
	open := s.x.Open
	return s.step(func(m *Machine) {
		if err := m.Signal(&swfapi.WorkflowExecutionSignaledEventAttributes{SignalName: swfapi.Ptr(name)}); (err == nil) != open {
			s.t.Fatalf("Signal on a run open %v: %v", open, err)
		}
	})
}

// find returns the events of a type in the history.
func (s *sim) find(t swfapi.EventType) []swfapi.HistoryEvent {
	var out []swfapi.HistoryEvent
	for _, e := range s.history {
		if *e.EventType == t {
			out = append(out, e)
		}
	}
	return out
}

// last returns the event types of the last n events of the history.
func (s *sim) last(n int) []string {
	return types(s.history[max(0, len(s.history)-n):])
}

// check asserts every invariant of the run after a step whose first event
// id was to be first.
func (s *sim) check(eff Effects, first int64) {
	s.t.Helper()
	x := s.x
	if first == 0 {
		first = 1
	}
	// The step's time, or its last event's if that is later: a history
	// never goes back in time.
	at := s.now.UTC().Truncate(time.Millisecond)
	if n := len(s.history) - len(eff.Events); n > 0 && at.Before(s.history[n-1].EventTimestamp.Time) {
		at = s.history[n-1].EventTimestamp.Time
	}
	for i, e := range eff.Events {
		if *e.EventId != first+int64(i) {
			s.t.Fatalf("event %d of the step has id %d, want %d", i, *e.EventId, first+int64(i))
		}
		if !e.EventTimestamp.Time.Equal(at) {
			s.t.Fatalf("event %d at %v, the step ran at %v", *e.EventId, e.EventTimestamp.Time, at)
		}
	}
	if n := len(s.history); n > 0 && !x.LastEventAt.Equal(s.history[n-1].EventTimestamp.Time) {
		s.t.Fatalf("last event at %v, the run says %v", s.history[n-1].EventTimestamp.Time, x.LastEventAt)
	}
	if x.NextEventID != int64(len(s.history))+1 {
		s.t.Fatalf("nextEventId %d after %d events", x.NextEventID, len(s.history))
	}
	if int64(len(s.history)) > s.opts.Limits.withDefaults().HistoryEvents {
		s.t.Fatalf("history of %d events, limit %d", len(s.history), s.opts.Limits.withDefaults().HistoryEvents)
	}
	s.checkHistory()
	if !x.Open {
		s.checkClosed()
		return
	}
	s.checkDecision()
	s.checkUnseen()
	s.checkActivities()
	s.checkTimers()
	s.checkLambdas()
}

// checkHistory replays the history: ids dense from 1, at most one decision
// task open at a time, every reference to an earlier event, every activity,
// timer and Lambda task closed at most once, and nothing after a closing
// event.
func (s *sim) checkHistory() {
	s.t.Helper()
	open := int64(0) // the open decision task's scheduled id
	closedBy := map[int64]int64{}
	scheduled := map[int64]swfapi.EventType{}
	for i, e := range s.history {
		id := *e.EventId
		if id != int64(i)+1 {
			s.t.Fatalf("event %d has id %d", i+1, id)
		}
		if i > 0 && closingEvent(s.history[i-1].Attributes()) {
			s.t.Fatalf("event %d (%s) after the run closed", id, *e.EventType)
		}
		ref := func(what string, r *int64, want ...swfapi.EventType) {
			if r == nil || *r <= 0 || *r >= id {
				s.t.Fatalf("event %d (%s): %s %v is not an earlier event", id, *e.EventType, what, r)
			}
			if got := *s.history[*r-1].EventType; len(want) > 0 && !slices.Contains(want, got) {
				s.t.Fatalf("event %d (%s): %s %d is a %s, want %v", id, *e.EventType, what, *r, got, want)
			}
		}
		closes := func(r *int64, kind swfapi.EventType) {
			ref("scheduledEventId", r, kind)
			if prev, ok := closedBy[*r]; ok {
				s.t.Fatalf("event %d (%s) closes %d, which event %d closed already", id, *e.EventType, *r, prev)
			}
			closedBy[*r] = id
		}
		switch a := e.Attributes().(type) {
		case *swfapi.DecisionTaskScheduledEventAttributes:
			if open != 0 {
				s.t.Fatalf("event %d schedules a decision task while %d is open", id, open)
			}
			open = id
		case *swfapi.DecisionTaskStartedEventAttributes:
			if *a.ScheduledEventId != open {
				s.t.Fatalf("event %d starts decision task %d, the open one is %d", id, *a.ScheduledEventId, open)
			}
		case *swfapi.DecisionTaskCompletedEventAttributes:
			if *a.ScheduledEventId != open {
				s.t.Fatalf("event %d completes decision task %d, the open one is %d", id, *a.ScheduledEventId, open)
			}
			ref("startedEventId", a.StartedEventId, swfapi.EventTypeDecisionTaskStarted)
			open = 0
		case *swfapi.DecisionTaskTimedOutEventAttributes:
			if *a.ScheduledEventId != open {
				s.t.Fatalf("event %d times out decision task %d, the open one is %d", id, *a.ScheduledEventId, open)
			}
			open = 0
		case *swfapi.ActivityTaskScheduledEventAttributes:
			scheduled[id] = *e.EventType
			ref("decisionTaskCompletedEventId", a.DecisionTaskCompletedEventId, swfapi.EventTypeDecisionTaskCompleted)
		case *swfapi.ActivityTaskStartedEventAttributes:
			ref("scheduledEventId", a.ScheduledEventId, swfapi.EventTypeActivityTaskScheduled)
		case *swfapi.ActivityTaskCompletedEventAttributes:
			closes(a.ScheduledEventId, swfapi.EventTypeActivityTaskScheduled)
			ref("startedEventId", a.StartedEventId, swfapi.EventTypeActivityTaskStarted)
		case *swfapi.ActivityTaskFailedEventAttributes:
			closes(a.ScheduledEventId, swfapi.EventTypeActivityTaskScheduled)
			ref("startedEventId", a.StartedEventId, swfapi.EventTypeActivityTaskStarted)
		case *swfapi.ActivityTaskTimedOutEventAttributes:
			closes(a.ScheduledEventId, swfapi.EventTypeActivityTaskScheduled)
		case *swfapi.ActivityTaskCanceledEventAttributes:
			closes(a.ScheduledEventId, swfapi.EventTypeActivityTaskScheduled)
		case *swfapi.TimerFiredEventAttributes:
			closes(a.StartedEventId, swfapi.EventTypeTimerStarted)
		case *swfapi.TimerCanceledEventAttributes:
			closes(a.StartedEventId, swfapi.EventTypeTimerStarted)
		case *swfapi.LambdaFunctionCompletedEventAttributes:
			closes(a.ScheduledEventId, swfapi.EventTypeLambdaFunctionScheduled)
		case *swfapi.LambdaFunctionFailedEventAttributes:
			closes(a.ScheduledEventId, swfapi.EventTypeLambdaFunctionScheduled)
		case *swfapi.LambdaFunctionTimedOutEventAttributes:
			closes(a.ScheduledEventId, swfapi.EventTypeLambdaFunctionScheduled)
		case *swfapi.StartLambdaFunctionFailedEventAttributes:
			closes(a.ScheduledEventId, swfapi.EventTypeLambdaFunctionScheduled)
		case *swfapi.ChildWorkflowExecutionStartedEventAttributes:
			ref("initiatedEventId", a.InitiatedEventId, swfapi.EventTypeStartChildWorkflowExecutionInitiated)
		case *swfapi.WorkflowExecutionCompletedEventAttributes:
			ref("decisionTaskCompletedEventId", a.DecisionTaskCompletedEventId, swfapi.EventTypeDecisionTaskCompleted)
		}
	}
	if s.x.Open {
		// Every activity scheduled and not closed is open, and no other.
		var want []int64
		for id := range scheduled {
			if _, ok := closedBy[id]; !ok {
				want = append(want, id)
			}
		}
		slices.Sort(want)
		if got := slices.Sorted(maps.Keys(s.acts)); !slices.Equal(got, want) {
			s.t.Fatalf("open activities %v, the history leaves %v open", got, want)
		}
	}
}

// checkClosed: a closed run keeps nothing but its purge, and its history
// ends with the one event that closed it.
func (s *sim) checkClosed() {
	s.t.Helper()
	x := s.x
	last := s.history[len(s.history)-1]
	if !closingEvent(last.Attributes()) {
		s.t.Fatalf("closed run's last event is %s", *last.EventType)
	}
	if len(s.tasks) > 0 || len(s.acts) > 0 || len(x.Timers)+len(x.Children)+len(x.Lambdas) > 0 || x.Decision != (DecisionTask{}) {
		s.t.Fatalf("closed run keeps tasks %v, activities %v, state %+v", s.tasks, s.acts, x)
	}
	for ref := range s.timers {
		if ref.Kind != TimerRetention {
			s.t.Fatalf("closed run keeps timer %+v", ref)
		}
	}
	if _, ok := s.timers[TimerRef{Kind: TimerRetention}]; !ok {
		s.t.Fatal("closed run has no retention timer")
	}
}

// checkDecision: the run's decision task is queued exactly while it is
// scheduled, and timed while started.
func (s *sim) checkDecision() {
	s.t.Helper()
	d := s.x.Decision
	var queued []int64
	for ref := range s.tasks {
		if ref.Kind == DecisionTaskKind {
			queued = append(queued, ref.ScheduledEventID)
		}
	}
	switch d.State {
	case DecisionScheduled:
		if !slices.Equal(queued, []int64{d.ScheduledEventID}) {
			s.t.Fatalf("decision task %d scheduled, queued %v", d.ScheduledEventID, queued)
		}
		_, armed := s.timers[TimerRef{Kind: TimerDecisionScheduleToStart, Ref: d.ScheduledEventID}]
		if want := d.OnOverride && s.x.Override != nil && s.x.Override.ScheduleToStart != None; armed != want {
			s.t.Fatalf("decision schedule-to-start timer armed %v, want %v (%+v)", armed, want, d)
		}
	case DecisionStarted:
		if len(queued) > 0 {
			s.t.Fatalf("decision task started, queued %v", queued)
		}
		_, armed := s.timers[TimerRef{Kind: TimerDecisionStartToClose, Ref: d.StartedEventID}]
		if want := s.x.Config.TaskStartToCloseTimeout != "NONE"; armed != want {
			s.t.Fatalf("decision start-to-close timer armed %v, want %v", armed, want)
		}
	default:
		if len(queued) > 0 {
			s.t.Fatalf("no decision task, queued %v", queued)
		}
	}
	for ref := range s.timers {
		switch {
		case ref.Kind == TimerDecisionStartToClose && (d.State != DecisionStarted || ref.Ref != d.StartedEventID),
			ref.Kind == TimerDecisionScheduleToStart && (d.State != DecisionScheduled || ref.Ref != d.ScheduledEventID):
			s.t.Fatalf("timer %+v armed for decision task %+v", ref, d)
		}
	}
}

// callsForDecision are the events the decider must see: each schedules a
// decision task, or marks the started one as having missed it.
var callsForDecision = map[swfapi.EventType]bool{}

func init() {
	for _, t := range []swfapi.EventType{
		swfapi.EventTypeWorkflowExecutionSignaled, swfapi.EventTypeWorkflowExecutionCancelRequested,
		swfapi.EventTypeActivityTaskCompleted, swfapi.EventTypeActivityTaskFailed, swfapi.EventTypeActivityTaskCanceled, swfapi.EventTypeActivityTaskTimedOut,
		swfapi.EventTypeTimerFired, swfapi.EventTypeChildWorkflowExecutionStarted, swfapi.EventTypeStartChildWorkflowExecutionFailed,
		swfapi.EventTypeChildWorkflowExecutionCompleted, swfapi.EventTypeChildWorkflowExecutionFailed, swfapi.EventTypeChildWorkflowExecutionCanceled,
		swfapi.EventTypeChildWorkflowExecutionTimedOut, swfapi.EventTypeChildWorkflowExecutionTerminated,
		swfapi.EventTypeExternalWorkflowExecutionSignaled, swfapi.EventTypeSignalExternalWorkflowExecutionFailed,
		swfapi.EventTypeExternalWorkflowExecutionCancelRequested, swfapi.EventTypeRequestCancelExternalWorkflowExecutionFailed,
		swfapi.EventTypeLambdaFunctionCompleted, swfapi.EventTypeLambdaFunctionFailed, swfapi.EventTypeLambdaFunctionTimedOut,
		swfapi.EventTypeStartLambdaFunctionFailed, swfapi.EventTypeScheduleLambdaFunctionFailed, swfapi.EventTypeScheduleActivityTaskFailed,
		swfapi.EventTypeRequestCancelActivityTaskFailed, swfapi.EventTypeStartTimerFailed, swfapi.EventTypeCancelTimerFailed,
		swfapi.EventTypeContinueAsNewWorkflowExecutionFailed, swfapi.EventTypeRecordMarkerFailed,
	} {
		callsForDecision[t] = true
	}
}

// checkUnseen: no event the decider must see is left without a decision
// task that will show it: with none scheduled, none came after the last
// task started; with one started, it is marked exactly when one came
// after it started.
func (s *sim) checkUnseen() {
	s.t.Helper()
	d := s.x.Decision
	if d.State == DecisionScheduled {
		return
	}
	unseen := int64(0)
	for i := len(s.history) - 1; i >= 0; i-- {
		e := s.history[i]
		if *e.EventType == swfapi.EventTypeDecisionTaskStarted {
			break
		}
		if callsForDecision[*e.EventType] {
			unseen = *e.EventId
		}
	}
	switch {
	case d.State == DecisionNone && unseen != 0:
		s.t.Fatalf("event %d (%s) calls for a decision, and no decision task is scheduled", unseen, *s.history[unseen-1].EventType)
	case d.State == DecisionStarted && d.Unhandled != (unseen != 0):
		s.t.Fatalf("decision task started at %d marked unhandled %v, unseen event %d", d.StartedEventID, d.Unhandled, unseen)
	}
}

// checkActivities: an activity is queued until it starts, and its timer is
// armed no later than its next deadline (a heartbeat moves the deadline,
// not the timer).
func (s *sim) checkActivities() {
	s.t.Helper()
	for id, a := range s.acts {
		_, queued := s.tasks[TaskRef{Kind: ActivityTaskKind, ScheduledEventID: id}]
		if queued == a.Started() {
			s.t.Fatalf("activity %d started %v, queued %v", id, a.Started(), queued)
		}
		at, _, ok := a.deadline()
		due, armed := s.timers[TimerRef{Kind: TimerActivity, Ref: id}]
		if ok != armed || armed && due.After(at) {
			s.t.Fatalf("activity %d deadline %v (%v), timer %v (%v)", id, at, ok, due, armed)
		}
	}
	for ref := range s.tasks {
		if a, ok := s.acts[ref.ScheduledEventID]; ref.Kind == ActivityTaskKind && (!ok || a.Started()) {
			s.t.Fatalf("activity task %d queued but not waiting", ref.ScheduledEventID)
		}
	}
	for ref := range s.timers {
		if _, ok := s.acts[ref.Ref]; ref.Kind == TimerActivity && !ok {
			s.t.Fatalf("timer of activity %d, which is not open", ref.Ref)
		}
	}
}

// checkTimers: each open user timer is armed, and nothing else of its kind;
// the run's own timeout is armed unless it has none.
func (s *sim) checkTimers() {
	s.t.Helper()
	byStart := map[int64]bool{}
	for _, t := range s.x.Timers {
		byStart[t.StartedEventID] = true
		if _, ok := s.timers[TimerRef{Kind: TimerUser, Ref: t.StartedEventID}]; !ok {
			s.t.Fatalf("user timer %d is not armed", t.StartedEventID)
		}
	}
	for ref := range s.timers {
		if ref.Kind == TimerUser && !byStart[ref.Ref] {
			s.t.Fatalf("armed user timer %d is not open", ref.Ref)
		}
		if ref.Kind == TimerRetention {
			s.t.Fatal("open run has a retention timer")
		}
	}
	_, armed := s.timers[TimerRef{Kind: TimerExecutionTimeout}]
	if want := s.x.Config.ExecutionStartToCloseTimeout != "NONE"; armed != want {
		s.t.Fatalf("execution timeout armed %v, want %v", armed, want)
	}
}

// checkLambdas: a Lambda task is queued until it starts, then timed.
func (s *sim) checkLambdas() {
	s.t.Helper()
	for id, l := range s.x.Lambdas {
		_, queued := s.tasks[TaskRef{Kind: LambdaTaskKind, ScheduledEventID: id}]
		_, armed := s.timers[TimerRef{Kind: TimerLambdaStartToClose, Ref: id}]
		if started := l.StartedEventID != 0; queued == started || armed != started {
			s.t.Fatalf("lambda %d started %v, queued %v, timed %v", id, started, queued, armed)
		}
	}
	for ref := range s.tasks {
		if l, ok := s.x.Lambdas[ref.ScheduledEventID]; ref.Kind == LambdaTaskKind && (!ok || l.StartedEventID != 0) {
			s.t.Fatalf("lambda task %d queued but not waiting", ref.ScheduledEventID)
		}
	}
}

// stale calls a transition that must find nothing to act on: ErrStale, and
// nothing recorded.
func (s *sim) stale(what string, fn func(m *Machine) error) {
	s.t.Helper()
	before := len(s.history)
	var err error
	s.step(func(m *Machine) { err = fn(m) })
	if !errors.Is(err, ErrStale) {
		s.t.Fatalf("%s: %v, want ErrStale", what, err)
	}
	if len(s.history) != before {
		s.t.Fatalf("%s recorded %v", what, types(s.history[before:]))
	}
}
