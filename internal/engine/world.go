package engine

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"slices"

	"github.com/openswf/openswf/internal/matching"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/workflow"
)

// run is one run loaded into a transaction, with its domain.
type run struct {
	domain  *store.Domain
	machine *workflow.Machine
	// created: the run is new in this transaction and not stored yet.
	created bool
	// wasOpen: the run was open when the transaction loaded it.
	wasOpen bool
	// activityTimes are when the activities open at load were scheduled
	// and started, for the latencies Config.Observe hears of.
	activityTimes map[int64]ActivityTimes
}

func (r *run) exec() *workflow.Execution { return r.machine.Exec }

// world is every run one transaction touches. Each run is loaded once;
// what runs ask of each other (start a child, deliver a signal, tell a
// parent, apply a child policy, continue as new) is carried out in the same
// transaction; at the end every run is saved. A crash therefore never
// leaves half of it done: no child that its policy should have ended, no
// signal recorded on one side only.
type world struct {
	e     *Engine
	ctx   context.Context
	tx    store.Tx
	runs  []*run
	byID  map[int64]*run
	types map[lookupKey]*workflow.TypeInfo
	err   error
	// at is the attempt of the write the world is part of: its time, the
	// runIds it hands out and the answers of the decision rates.
	at attempt
}

type lookupKey struct {
	domainID      int64
	kind          store.TypeKind
	name, version string
}

func (e *Engine) newWorld(ctx context.Context, tx store.Tx, at attempt) *world {
	return &world{e: e, ctx: ctx, tx: tx, byID: map[int64]*run{}, types: map[lookupKey]*workflow.TypeInfo{}, at: at}
}

func (w *world) domain(id int64) (*store.Domain, error) {
	return w.e.domainByID(w.ctx, w.tx, id)
}

// options are the surroundings the state machine is told of.
func (w *world) options(d *store.Domain) workflow.Options {
	return workflow.Options{Limits: w.e.cfg.Limits.Run, Retention: retention(d), RunIDs: w.at.runIDs, LambdaAvailable: w.e.lambda != nil, Rates: w.at.rates}
}

// add loads a stored run and its open activities into the world.
func (w *world) add(d *store.Domain, row *store.Execution) (*run, error) {
	if r, ok := w.byID[row.ID]; ok {
		return r, nil
	}
	exec, err := workflow.DecodeExecution(row)
	if err != nil {
		return nil, err
	}
	var rows []*store.Activity
	if exec.OpenActivities == nil || *exec.OpenActivities > 0 {
		if rows, err = w.tx.ActivityList(w.ctx, row.ID); err != nil {
			return nil, err
		}
	}
	acts := make([]*workflow.Activity, 0, len(rows))
	var times map[int64]ActivityTimes
	for _, r := range rows {
		a, err := workflow.DecodeActivity(r)
		if err != nil {
			return nil, err
		}
		acts = append(acts, a)
		if w.e.cfg.Observe != nil {
			if times == nil {
				times = map[int64]ActivityTimes{}
			}
			times[a.ScheduledEventID] = ActivityTimes{ScheduledAt: a.ScheduledAt, StartedAt: a.StartedAt}
		}
	}
	r := &run{domain: d, machine: workflow.New(exec, acts, w.at.now, w.options(d)), wasOpen: exec.Open, activityTimes: times}
	w.runs = append(w.runs, r)
	w.byID[row.ID] = r
	return r, nil
}

// create adds a new run, stored when the world is saved.
func (w *world) create(d *store.Domain, exec *workflow.Execution) *run {
	r := &run{domain: d, machine: workflow.New(exec, nil, w.at.now, w.options(d)), created: true}
	w.runs = append(w.runs, r)
	return r
}

// byExecID loads the run a task names; ErrStale if it is gone or belongs to
// another domain than the task says.
func (w *world) byExecID(domainID, executionID int64) (*run, error) {
	if r, ok := w.byID[executionID]; ok {
		return r, nil
	}
	row, err := w.tx.ExecutionGet(w.ctx, executionID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && domainID != 0 && row.DomainID != domainID) {
		return nil, workflow.ErrStale
	}
	if err != nil {
		return nil, err
	}
	d, err := w.domain(row.DomainID)
	if err != nil {
		return nil, err
	}
	return w.add(d, row)
}

// find returns a domain's run by workflowId and runId, or its open run when
// runID is empty; nil when there is none.
func (w *world) find(d *store.Domain, workflowID, runID string) (*run, error) {
	for _, r := range w.runs {
		x := r.exec()
		if x.DomainID == d.ID && x.WorkflowID == workflowID && (x.RunID == runID || runID == "" && x.Open) {
			return r, nil
		}
	}
	row, err := w.tx.ExecutionFind(w.ctx, d.ID, workflowID, runID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if _, loaded := w.byID[row.ID]; loaded {
		// The stored open run is closed in this transaction.
		return nil, nil
	}
	return w.add(d, row)
}

// openRun loads the open run an API call names, or answers
// UnknownResourceFault.
func (w *world) openRun(domain, workflowID string, runID *string) (*run, error) {
	d, err := w.e.domain(w.ctx, w.tx, domain)
	if err != nil {
		return nil, err
	}
	r, err := w.find(d, workflowID, swfapi.Deref(runID))
	if err != nil {
		return nil, err
	}
	if r == nil || !r.exec().Open {
		return nil, unknownExecution(workflowID, swfapi.Deref(runID))
	}
	return r, nil
}

// typesOf answers a run's type lookups from the store.
func (w *world) typesOf(domainID int64) workflow.Types { return domainTypes{w, domainID} }

type domainTypes struct {
	w        *world
	domainID int64
}

func (t domainTypes) ActivityType(name, version string) *workflow.TypeInfo {
	return t.w.lookupType(lookupKey{t.domainID, store.ActivityType, name, version})
}

func (t domainTypes) WorkflowType(name, version string) *workflow.TypeInfo {
	return t.w.lookupType(lookupKey{t.domainID, store.WorkflowType, name, version})
}

func (w *world) lookupType(k lookupKey) *workflow.TypeInfo {
	if info, ok := w.types[k]; ok {
		return info
	}
	var info *workflow.TypeInfo
	t, err := w.tx.TypeGet(w.ctx, store.TypeKey{DomainID: k.domainID, Kind: k.kind, Name: k.name, Version: k.version})
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		w.err = err
	default:
		info = &workflow.TypeInfo{Deprecated: t.Status == store.StatusDeprecated}
		if k.kind == store.ActivityType {
			info.Activity = &swfapi.ActivityTypeConfiguration{}
			err = json.Unmarshal(t.Config, info.Activity)
		} else {
			info.Workflow = &swfapi.WorkflowTypeConfiguration{}
			err = json.Unmarshal(t.Config, info.Workflow)
		}
		if err != nil {
			w.err = err
		}
	}
	w.types[k] = info
	return info
}

// settle carries out what the runs ask of each other until nothing is
// left; what it does may ask for more (a terminated child's own children).
func (w *world) settle() error {
	for busy := true; busy; {
		busy = false
		for i := 0; i < len(w.runs); i++ {
			r := w.runs[i]
			out := r.machine.TakeOutbound()
			// The run that continues this one starts first, so that what
			// the same decisions sent to this workflowId reaches it.
			slices.SortStableFunc(out, func(a, b workflow.Outbound) int {
				_, ca := a.(*workflow.ContinueAsNew)
				_, cb := b.(*workflow.ContinueAsNew)
				return cmp.Compare(btoi(!ca), btoi(!cb))
			})
			for _, o := range out {
				busy = true
				if err := w.carry(r, o); err != nil {
					return err
				}
			}
		}
	}
	return w.err
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// carry does one thing a run asked of others, and tells it how it went.
func (w *world) carry(src *run, o workflow.Outbound) error {
	d := src.domain
	switch o := o.(type) {
	case *workflow.StartChild:
		// The run's own workflowId was in use when it decided, even if the
		// same decisions closed the run (a continuation may need it).
		if open, err := w.find(d, o.WorkflowID, ""); err != nil {
			return err
		} else if open != nil || o.WorkflowID == src.exec().WorkflowID {
			src.machine.ChildStartFailed(o.InitiatedEventID, swfapi.StartChildWorkflowExecutionFailedCauseWorkflowAlreadyRunning)
			return nil
		}
		if full, err := w.domainFull(d); err != nil {
			return err
		} else if full {
			src.machine.ChildStartFailed(o.InitiatedEventID, swfapi.StartChildWorkflowExecutionFailedCauseOpenWorkflowsLimitExceeded)
			return nil
		}
		parent := &workflow.Parent{WorkflowID: src.exec().WorkflowID, RunID: src.exec().RunID, InitiatedEventID: o.InitiatedEventID}
		child := w.create(d, &workflow.Execution{
			DomainID: d.ID, WorkflowID: o.WorkflowID, RunID: w.at.runIDs.Next(), TypeName: o.TypeName, TypeVersion: o.TypeVersion,
			Tags: o.Tags, Config: o.Config, Parent: parent,
		})
		child.machine.Start(o.StartedAttributes(parent))
		src.machine.ChildStarted(o.InitiatedEventID, child.exec().RunID)

	case *workflow.ContinueAsNew:
		next := w.create(d, &workflow.Execution{
			DomainID: d.ID, WorkflowID: o.WorkflowID, RunID: o.RunID, TypeName: o.TypeName, TypeVersion: o.TypeVersion,
			Tags: o.Tags, Config: o.Config, Parent: o.Parent,
		})
		next.machine.Start(o.StartedAttributes())

	case *workflow.SignalExternal:
		target, err := w.find(d, o.WorkflowID, o.RunID)
		if err != nil {
			return err
		}
		if target == nil || !target.exec().Open {
			src.machine.SignalExternalFailed(o, swfapi.SignalExternalWorkflowExecutionFailedCauseUnknownExternalWorkflowExecution)
			return nil
		}
		target.machine.Signal(&swfapi.WorkflowExecutionSignaledEventAttributes{
			SignalName: swfapi.Ptr(o.SignalName), Input: o.Input,
			ExternalWorkflowExecution: src.exec().Ref(), ExternalInitiatedEventId: swfapi.Ptr(o.InitiatedEventID),
		})
		src.machine.ExternalSignaled(o, target.exec().Ref())

	case *workflow.CancelExternal:
		target, err := w.find(d, o.WorkflowID, o.RunID)
		if err != nil {
			return err
		}
		if target == nil || !target.exec().Open {
			src.machine.CancelExternalFailed(o, swfapi.RequestCancelExternalWorkflowExecutionFailedCauseUnknownExternalWorkflowExecution)
			return nil
		}
		target.machine.RequestCancel(&swfapi.WorkflowExecutionCancelRequestedEventAttributes{
			ExternalWorkflowExecution: src.exec().Ref(), ExternalInitiatedEventId: swfapi.Ptr(o.InitiatedEventID),
		})
		src.machine.ExternalCancelRequested(o, target.exec().Ref())

	case *workflow.NotifyParent:
		parent, err := w.find(d, o.Parent.WorkflowID, o.Parent.RunID)
		if err != nil || parent == nil {
			return err
		}
		parent.machine.ChildClosed(o)

	case *workflow.ApplyChildPolicy:
		for _, c := range o.Children {
			// A child that continued as new is found by its workflowId:
			// the open run that names this run as its parent.
			child, err := w.find(d, *c.WorkflowId, "")
			if err != nil {
				return err
			}
			if child == nil || child.exec().Parent == nil || child.exec().Parent.WorkflowID != src.exec().WorkflowID || child.exec().Parent.RunID != src.exec().RunID {
				continue
			}
			switch o.Policy {
			case swfapi.ChildPolicyTerminate:
				child.machine.Terminate(nil, nil, nil, swfapi.WorkflowExecutionTerminatedCauseChildPolicyApplied.Ptr())
			case swfapi.ChildPolicyRequestCancel:
				child.machine.RequestCancel(&swfapi.WorkflowExecutionCancelRequestedEventAttributes{Cause: swfapi.WorkflowExecutionCancelRequestedCauseChildPolicyApplied.Ptr()})
			}
		}
	}
	return nil
}

// domainFull reports whether the domain has as many open runs as it may.
func (w *world) domainFull(d *store.Domain) (bool, error) {
	n, err := w.tx.ExecutionCountOpen(w.ctx, d.ID)
	if err != nil {
		return false, err
	}
	for _, r := range w.runs {
		if r.exec().DomainID != d.ID {
			continue
		}
		switch {
		case r.created && r.exec().Open:
			n++
		case r.wasOpen && !r.exec().Open:
			n--
		}
	}
	return n >= w.e.cfg.Limits.OpenExecutions, nil
}

// save writes every run of the world: the stored ones first, so that a run
// closed here frees its workflowId for a run created here.
func (w *world) save() (wakeups, error) {
	var all wakeups
	for _, created := range []bool{false, true} {
		for _, r := range w.runs {
			if r.created != created {
				continue
			}
			wk, err := w.e.save(w.ctx, w.tx, r)
			if err != nil {
				return all, err
			}
			all.add(wk)
		}
	}
	return all, nil
}

// transition runs fn on a run inside one write transaction, carries out
// what it asks of other runs and saves them all; pollers and timers hear of
// it once it is committed.
func (e *Engine) transition(ctx context.Context, load func(*world) (*run, error), fn func(*world, *run) error) error {
	return e.transitionWith(ctx, nil, load, fn)
}

// transitionWith is transition with the decision rates reserved for the
// request (nil: the engine's own). The write's facts are drawn here,
// before it runs; each attempt begins from them.
func (e *Engine) transitionWith(ctx context.Context, res *reservation, load func(*world) (*run, error), fn func(*world, *run) error) error {
	var wk wakeups
	f := e.newFacts(res)
	err := e.store.Write(ctx, func(tx store.Tx) error {
		w := e.newWorld(ctx, tx, e.begin(f))
		r, err := load(w)
		if err != nil {
			return err
		}
		if err := fn(w, r); err != nil {
			return err
		}
		if err := w.settle(); err != nil {
			return err
		}
		wk, err = w.save()
		return err
	})
	if err != nil {
		return err
	}
	e.wake(wk)
	return nil
}

// observation is what Config.Observe hears of the events a run recorded,
// if it listens.
func (e *Engine) observation(r *run, events []swfapi.HistoryEvent) []Observation {
	if e.cfg.Observe == nil {
		return nil
	}
	return []Observation{{Domain: r.domain.Name, Events: events, Activities: r.activityTimes}}
}

// save writes a run's new state and the effects of its transitions.
func (e *Engine) save(ctx context.Context, tx store.Tx, r *run) (wakeups, error) {
	var w wakeups
	exec := r.exec()
	eff := r.machine.Effects()
	exec.OpenActivities = swfapi.Ptr(len(r.machine.Activities))
	if r.created {
		row, err := workflow.EncodeExecution(exec)
		if err != nil {
			return w, err
		}
		id, err := tx.ExecutionInsert(ctx, row)
		if errors.Is(err, store.ErrExists) {
			return w, fault(swfapi.CodeWorkflowExecutionAlreadyStartedFault, "Already Started: an open execution with workflowId %s exists", exec.WorkflowID)
		}
		if err != nil {
			return w, err
		}
		exec.ID = id
	}
	if len(eff.Events) > 0 {
		events, err := workflow.EncodeEvents(eff.Events)
		if err != nil {
			return w, err
		}
		if err := tx.EventInsert(ctx, exec.ID, events); err != nil {
			return w, err
		}
		w.observed = e.observation(r, eff.Events)
	}
	if eff.Closed {
		if err := tx.TaskDeleteAll(ctx, exec.ID); err != nil {
			return w, err
		}
		if err := tx.TimerDeleteAll(ctx, exec.ID); err != nil {
			return w, err
		}
		if err := tx.ActivityDeleteAll(ctx, exec.ID); err != nil {
			return w, err
		}
	} else {
		for _, t := range eff.DeleteTasks {
			if err := tx.TaskDelete(ctx, exec.ID, string(t.Kind), t.ScheduledEventID); err != nil {
				return w, err
			}
		}
		for _, t := range eff.DeleteTimers {
			if err := tx.TimerDelete(ctx, exec.ID, string(t.Kind), t.Ref); err != nil {
				return w, err
			}
		}
		for _, id := range eff.DeleteActivities {
			if err := tx.ActivityDelete(ctx, exec.ID, id); err != nil {
				return w, err
			}
		}
	}
	for _, a := range eff.PutActivities {
		row, err := workflow.EncodeActivity(exec.ID, a)
		if err != nil {
			return w, err
		}
		if err := tx.ActivityPut(ctx, row); err != nil {
			return w, err
		}
	}
	for _, t := range eff.AddTasks {
		// Lambda tasks wait on one list of the server's own, whatever
		// their domain.
		domainID := exec.DomainID
		if t.Kind == workflow.LambdaTaskKind {
			domainID = 0
		}
		if err := tx.TaskInsert(ctx, &store.Task{DomainID: domainID, Kind: string(t.Kind), TaskList: t.TaskList, Priority: t.Priority, ExecutionID: exec.ID, ScheduledEventID: t.ScheduledEventID}); err != nil {
			return w, err
		}
		if w.tasks == nil {
			w.tasks = map[matching.Key]int{}
		}
		w.tasks[matching.Key{DomainID: domainID, Kind: string(t.Kind), TaskList: t.TaskList}]++
	}
	for _, t := range eff.AddTimers {
		if err := tx.TimerPut(ctx, &store.Timer{Due: t.Due, ExecutionID: exec.ID, Kind: string(t.Kind), Ref: t.Ref}); err != nil {
			return w, err
		}
		w.armed(t.Due)
	}
	if r.created {
		return w, nil
	}
	row, err := workflow.EncodeExecution(exec)
	if err != nil {
		return w, err
	}
	return w, tx.ExecutionUpdate(ctx, row)
}
