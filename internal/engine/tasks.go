package engine

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/openswf/openswf/internal/auth"
	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/internal/matching"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/tasktoken"
	"github.com/openswf/openswf/internal/workflow"
)

// claimFunc starts a task taken off a list, inside the transaction that
// took it. It reports false when the task turned out stale (its run moved
// on), so that the poller looks at the next one.
type claimFunc func(w *world, task *store.Task) (started bool, err error)

// pollTaskList is the long poll: it waits up to the configured time for a
// task on the list and starts it with claim. It reports whether a task was
// started; a poll whose client has gone starts none.
func (e *Engine) pollTaskList(ctx context.Context, key matching.Key, claim claimFunc) (bool, error) {
	user := ""
	if c := auth.FromContext(ctx); c != nil {
		user = c.Principal.User
	}
	release, err := e.polls.take(user)
	if err != nil {
		return false, err
	}
	defer release()
	w, err := e.matcher.Register(key)
	if errors.Is(err, matching.ErrTooManyPollers) {
		return false, fault(swfapi.CodeLimitExceededFault, "Task list %s already has %d pollers waiting", key.TaskList, e.cfg.Limits.PollersPerTaskList)
	}
	if err != nil {
		return false, err
	}
	defer w.Done()
	deadline := e.cfg.CallClock.NewTimer(e.cfg.LongPollWait)
	defer deadline.Stop()
	// A poll looks with a reader before it takes with the writer, so that
	// idle polls leave the writer alone; on a shared store, a poll of a
	// list whose last claim found a task skips the look, which would
	// likely find one again (one round trip fewer per task under load).
	_, busy := e.busyLists.Load(key)
	look := !(busy && e.announcer != nil)
	// On a shared store, a poll that comes while other pollers of the list
	// here wait idle waits behind them without looking or taking: they
	// found nothing, and a task queued since woke one of them (or this
	// poll), oldest first, or went to a poller of another server, so it
	// would only find nothing too (one wasted round trip fewer per task
	// under load). A lost announcement it waits out as they do, until its
	// re-look.
	wait := e.announcer != nil && w.IdleOthers() > 0
	for {
		if ctx.Err() != nil {
			return false, nil
		}
		if !wait {
			started, err := e.claim(ctx, key, claim, look)
			if err != nil || started {
				return started, err
			}
		}
		wait = false
		// Idle from here until the wait ends.
		w.Waiting(true)
		// On a shared store the poll also looks again now and then: an
		// announcement from another server can be lost (it died between
		// its commit and telling), and this bounds what that costs.
		var relook <-chan time.Time
		var relookTimer clock.Timer
		if e.pollRelook > 0 {
			relookTimer = e.wall.NewTimer(e.pollRelook)
			relook = relookTimer.C()
		}
		select {
		case <-w.C:
			look = false
		case <-relook:
			look = true
		case <-deadline.C():
			return false, nil
		case <-ctx.Done():
			return false, nil
		case <-e.stopping:
			return false, nil
		}
		w.Waiting(false)
		if relookTimer != nil {
			relookTimer.Stop()
		}
	}
}

// WaitingPolls is the number of long polls waiting for a task on this
// server, for its metrics.
func (e *Engine) WaitingPolls() int { return e.matcher.Waiting() }

// claim takes the next task off a list and starts it, all in one write
// transaction, so that no two pollers ever get the same task. With look, it
// first looks with a reader, so that idle polls leave the writer alone; a
// poller woken for a new task goes straight to the writer.
func (e *Engine) claim(ctx context.Context, key matching.Key, claim claimFunc, look bool) (bool, error) {
	k := store.TaskListKey{DomainID: key.DomainID, Kind: key.Kind, TaskList: key.TaskList}
	if look {
		var found bool
		if err := store.ReadOne(ctx, e.store, func(tx store.Tx) error {
			_, err := tx.TaskNext(ctx, k)
			found = err == nil
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			return err
		}); err != nil || !found {
			return false, err
		}
	}
	var started bool
	var w wakeups
	f := e.newFacts(nil)
	err := e.store.Write(ctx, func(tx store.Tx) error {
		// A shared store may run this again after a conflict: start over.
		started, w = false, wakeups{}
		at := e.begin(f)
		for {
			task, err := tx.TaskTake(ctx, k)
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			wd := e.newWorld(ctx, tx, at)
			ok, err := claim(wd, task)
			if err != nil {
				return err
			}
			// A task that did not start may still have changed its run:
			// starting it filled the history, and terminated the run.
			if err := wd.settle(); err != nil {
				return err
			}
			wk, err := wd.save()
			if err != nil {
				return err
			}
			w.add(wk)
			if ok {
				started = true
				return nil
			}
		}
	})
	if err != nil {
		return false, err
	}
	if started {
		e.busyLists.Store(key, struct{}{})
	} else {
		e.busyLists.Delete(key)
	}
	e.wake(w)
	return started, nil
}

// checkPollTaskList applies the rule SWF adds for the task list a poller
// names: no white space at either end.
func checkPollTaskList(tl *swfapi.TaskList) error {
	if swfapi.HasOuterSpace(*tl.Name) {
		return swfapi.NewValidationError("taskList.name", *tl.Name, "Member must not start or end with whitespace")
	}
	return nil
}

// openToken reads a task token of the given kind, opened by Authorize or
// Throttle when ctx carries it. A string that is not a token this server
// issued is a validation error; the caller turns a token whose task is gone
// into UnknownResourceFault, as this does a token from before a Reset.
func (e *Engine) openToken(ctx context.Context, s string, kind tasktoken.Kind) (tasktoken.Token, error) {
	_, t, err := e.openCallToken(ctx, s)
	if errors.Is(err, tasktoken.ErrRetired) {
		return tasktoken.Token{}, fault(swfapi.CodeUnknownResourceFault, "Unknown execution: the run of this task is gone (the server was reset)")
	}
	if err != nil || t.Kind != kind {
		return tasktoken.Token{}, swfapi.NewValidationError("taskToken", s, "Member must be a task token issued by this server")
	}
	return t, nil
}

// callToken is a call's task token, opened (its HMAC checked) once:
// Authorize opens it to find the task's domain, and Throttle and the
// operation take it from the call's context.
type callToken struct {
	s   string // the token as the request has it
	t   tasktoken.Token
	err error
}

// callTokenKey is the context key of a call's callToken.
type callTokenKey struct{}

// openCallToken opens the task token s, unless ctx carries it opened
// already, and returns ctx carrying it. Only the engine puts a callToken
// in a context: no caller can hand it an opened token of its own.
func (e *Engine) openCallToken(ctx context.Context, s string) (context.Context, tasktoken.Token, error) {
	if c, ok := ctx.Value(callTokenKey{}).(*callToken); ok && c.s == s {
		return ctx, c.t, c.err
	}
	if e.tokenOpened != nil {
		e.tokenOpened()
	}
	t, err := e.tokens.Open(s)
	return context.WithValue(ctx, callTokenKey{}, &callToken{s: s, t: t, err: err}), t, err
}

// staleTask turns ErrStale, met by a call with the token t, into the answer
// Amazon SWF gives for a task that is no longer open. Workers act on its
// words: swfsm stops an activity whose heartbeat answers "Unknown activity"
// or "Unknown execution", simpleflow reads the missing resource out of it.
// While the run is open, the task is named by its scheduled event; once the
// run has closed, the run is.
func (e *Engine) staleTask(ctx context.Context, t tasktoken.Token, err error) error {
	if !errors.Is(err, workflow.ErrStale) {
		return err
	}
	var row *store.Execution
	err = e.store.Read(ctx, func(tx store.Tx) error {
		var err error
		row, err = tx.ExecutionGet(ctx, t.ExecutionID)
		return err
	})
	switch {
	case errors.Is(err, store.ErrNotFound) || err == nil && row.DomainID != t.DomainID:
		// The run closed and its domain's retention is over: nothing is
		// left to name it by.
		return fault(swfapi.CodeUnknownResourceFault, "Unknown execution: the run of this task has closed and is no longer kept")
	case err != nil:
		return err
	case !row.Open:
		return unknownExecution(row.WorkflowID, row.RunID)
	case t.Kind == tasktoken.Decision:
		return fault(swfapi.CodeUnknownResourceFault, "Unknown decision task, scheduledEventId = %d", t.ScheduledEventID)
	}
	return fault(swfapi.CodeUnknownResourceFault, "Unknown activity, scheduledEventId = %d", t.ScheduledEventID)
}

// byToken loads the run a task token names, inside a transaction.
func (e *Engine) byToken(t tasktoken.Token) func(*world) (*run, error) {
	return func(w *world) (*run, error) {
		return w.byExecID(t.DomainID, t.ExecutionID)
	}
}

func (e *Engine) domainID(ctx context.Context, name string) (int64, error) {
	e.domainsMu.RLock()
	d, ok := e.byName[name]
	e.domainsMu.RUnlock()
	if ok {
		return d.ID, nil
	}
	var id int64
	err := e.store.Read(ctx, func(tx store.Tx) error {
		d, err := e.domain(ctx, tx, name)
		if err != nil {
			return err
		}
		id = d.ID
		return nil
	})
	return id, err
}

func (e *Engine) countPending(ctx context.Context, domain string, kind workflow.TaskKind, tl *swfapi.TaskList) (*swfapi.PendingTaskCount, error) {
	var n int
	err := e.store.Read(ctx, func(tx store.Tx) error {
		d, err := e.domain(ctx, tx, domain)
		if err != nil {
			return err
		}
		n, err = tx.TaskCount(ctx, store.TaskListKey{DomainID: d.ID, Kind: string(kind), TaskList: *tl.Name})
		return err
	})
	if err != nil {
		return nil, err
	}
	return &swfapi.PendingTaskCount{Count: swfapi.Ptr(int32(n)), Truncated: swfapi.Ptr(false)}, nil
}

// CountPendingDecisionTasks counts the decision tasks waiting on a list.
func (e *Engine) CountPendingDecisionTasks(ctx context.Context, in *swfapi.CountPendingDecisionTasksInput) (*swfapi.PendingTaskCount, error) {
	return e.countPending(ctx, *in.Domain, workflow.DecisionTaskKind, in.TaskList)
}

// CountPendingActivityTasks counts the activity tasks waiting on a list.
func (e *Engine) CountPendingActivityTasks(ctx context.Context, in *swfapi.CountPendingActivityTasksInput) (*swfapi.PendingTaskCount, error) {
	return e.countPending(ctx, *in.Domain, workflow.ActivityTaskKind, in.TaskList)
}

// PollForActivityTask hands the next activity task of a list to a worker,
// waiting for one up to the long-poll time.
func (e *Engine) PollForActivityTask(ctx context.Context, in *swfapi.PollForActivityTaskInput) (*swfapi.ActivityTask, error) {
	if err := checkPollTaskList(in.TaskList); err != nil {
		return nil, err
	}
	domainID, err := e.domainID(ctx, *in.Domain)
	if err != nil {
		return nil, err
	}
	var out *swfapi.ActivityTask
	started, err := e.pollTaskList(ctx, matching.Key{DomainID: domainID, Kind: string(workflow.ActivityTaskKind), TaskList: *in.TaskList.Name},
		func(w *world, task *store.Task) (bool, error) {
			r, err := w.byExecID(task.DomainID, task.ExecutionID)
			if errors.Is(err, workflow.ErrStale) {
				return false, nil
			}
			if err != nil {
				return false, err
			}
			startedID, err := r.machine.StartActivityTask(task.ScheduledEventID, in.Identity)
			if errors.Is(err, workflow.ErrStale) {
				return false, nil
			}
			if err != nil {
				return false, err
			}
			x := r.exec()
			a := r.machine.Activities[task.ScheduledEventID]
			out = &swfapi.ActivityTask{
				TaskToken: swfapi.Ptr(e.tokens.Seal(tasktoken.Token{
					Kind: tasktoken.Activity, DomainID: x.DomainID, ExecutionID: x.ID,
					ScheduledEventID: task.ScheduledEventID, StartedEventID: startedID,
				})),
				ActivityId:        &a.ActivityID,
				StartedEventId:    &startedID,
				WorkflowExecution: x.Ref(),
				ActivityType:      a.Type(),
				Input:             a.Input,
			}
			return true, nil
		})
	if err != nil {
		return nil, err
	}
	if !started {
		// No task: Amazon SWF's idle answer, which leaves taskToken out
		// though its reference says "" (docs/ARCHITECTURE.md says why).
		return &swfapi.ActivityTask{StartedEventId: swfapi.Ptr(int64(0))}, nil
	}
	return out, nil
}

// RecordActivityTaskHeartbeat tells SWF a worker is still at its task. It
// writes no history event: it keeps the details and the time, which the
// heartbeat timer looks at when it falls due, and answers whether the
// decider asked to cancel the task.
func (e *Engine) RecordActivityTaskHeartbeat(ctx context.Context, in *swfapi.RecordActivityTaskHeartbeatInput) (*swfapi.ActivityTaskStatus, error) {
	t, err := e.openToken(ctx, *in.TaskToken, tasktoken.Activity)
	if err != nil {
		return nil, err
	}
	h := store.Heartbeat{
		ExecutionID: t.ExecutionID, ScheduledEventID: t.ScheduledEventID, StartedEventID: t.StartedEventID,
		Details: in.Details, At: e.now(),
	}
	var cancel bool
	if hb, ok := e.store.(store.Heartbeater); ok {
		cancel, err = hb.ActivityHeartbeatNow(ctx, h)
	} else {
		err = e.store.Write(ctx, func(tx store.Tx) error {
			var err error
			cancel, err = tx.ActivityHeartbeat(ctx, h)
			return err
		})
	}
	if errors.Is(err, store.ErrNotFound) {
		err = workflow.ErrStale
	}
	if err != nil {
		return nil, e.staleTask(ctx, t, err)
	}
	return &swfapi.ActivityTaskStatus{CancelRequested: &cancel}, nil
}

// RespondActivityTaskCompleted records an activity's result.
func (e *Engine) RespondActivityTaskCompleted(ctx context.Context, in *swfapi.RespondActivityTaskCompletedInput) error {
	t, err := e.openToken(ctx, *in.TaskToken, tasktoken.Activity)
	if err != nil {
		return err
	}
	return e.staleTask(ctx, t, e.transition(ctx, e.byToken(t), func(_ *world, r *run) error {
		return r.machine.CompleteActivityTask(t.ScheduledEventID, t.StartedEventID, in.Result)
	}))
}

// RespondActivityTaskFailed records an activity's failure.
func (e *Engine) RespondActivityTaskFailed(ctx context.Context, in *swfapi.RespondActivityTaskFailedInput) error {
	t, err := e.openToken(ctx, *in.TaskToken, tasktoken.Activity)
	if err != nil {
		return err
	}
	return e.staleTask(ctx, t, e.transition(ctx, e.byToken(t), func(_ *world, r *run) error {
		return r.machine.FailActivityTask(t.ScheduledEventID, t.StartedEventID, in.Reason, in.Details)
	}))
}

// RespondActivityTaskCanceled records that a worker canceled its task.
func (e *Engine) RespondActivityTaskCanceled(ctx context.Context, in *swfapi.RespondActivityTaskCanceledInput) error {
	t, err := e.openToken(ctx, *in.TaskToken, tasktoken.Activity)
	if err != nil {
		return err
	}
	return e.staleTask(ctx, t, e.transition(ctx, e.byToken(t), func(_ *world, r *run) error {
		return r.machine.CancelActivityTask(t.ScheduledEventID, t.StartedEventID, in.Details)
	}))
}

// decisionTask is what a decider's poll returns besides the history page.
type decisionTask struct {
	token                  string
	executionID            int64
	startedEventID         int64
	previousStartedEventID int64
	execution              *swfapi.WorkflowExecution
	workflowType           *swfapi.WorkflowType
}

// PollForDecisionTask hands the next decision task of a list to a decider,
// with the first page of its run's history; with a nextPageToken it returns
// the next page of the same task at once.
func (e *Engine) PollForDecisionTask(ctx context.Context, in *swfapi.PollForDecisionTaskInput) (*swfapi.DecisionTask, error) {
	if err := checkPollTaskList(in.TaskList); err != nil {
		return nil, err
	}
	reverse := swfapi.Deref(in.ReverseOrder)
	fromPrevious := swfapi.Deref(in.StartAtPreviousStartedEvent)
	scope := scopeOf("PollForDecisionTask", *in.Domain, *in.TaskList.Name, reverse, fromPrevious)
	if in.NextPageToken != nil && *in.NextPageToken != "" {
		cursor, err := e.openPageToken(in.NextPageToken, scope)
		if err != nil {
			return nil, err
		}
		return e.decisionTaskPage(ctx, in, scope, cursor)
	}

	domainID, err := e.domainID(ctx, *in.Domain)
	if err != nil {
		return nil, err
	}
	var dt decisionTask
	var page func() ([]store.Event, error)
	started, err := e.pollTaskList(ctx, matching.Key{DomainID: domainID, Kind: string(workflow.DecisionTaskKind), TaskList: *in.TaskList.Name},
		func(w *world, task *store.Task) (bool, error) {
			r, err := w.byExecID(task.DomainID, task.ExecutionID)
			if errors.Is(err, workflow.ErrStale) {
				return false, nil
			}
			if err != nil {
				return false, err
			}
			previous := r.exec().PreviousStartedEventID
			startedID, err := r.machine.StartDecisionTask(task.ScheduledEventID, in.Identity)
			if errors.Is(err, workflow.ErrStale) {
				return false, nil
			}
			if err != nil {
				return false, err
			}
			x := r.exec()
			dt = decisionTask{
				token: e.tokens.Seal(tasktoken.Token{
					Kind: tasktoken.Decision, DomainID: x.DomainID, ExecutionID: x.ID,
					ScheduledEventID: task.ScheduledEventID, StartedEventID: startedID,
				}),
				executionID: x.ID, startedEventID: startedID, previousStartedEventID: previous,
				execution: x.Ref(), workflowType: x.Type(),
			}
			// The first page of the history, up to the event that starts
			// the task, goes with the commit (in its round trip on
			// PostgreSQL).
			p, _ := decisionHistory(in, dt, 0)
			page = w.tx.EventListAtCommit(ctx, pageQuery(p))
			return true, nil
		})
	if err != nil {
		return nil, err
	}
	if !started {
		// No task: as PollForActivityTask, no taskToken.
		return &swfapi.DecisionTask{StartedEventId: swfapi.Ptr(int64(0)), PreviousStartedEventId: swfapi.Ptr(int64(0))}, nil
	}
	return e.decisionTaskResponse(ctx, in, scope, dt, 0, page)
}

// decisionHistory is the page of history that a decision task's answer
// holds, its events after after (0: the first page), and the event a page
// read backwards stops at (0: none).
func decisionHistory(in *swfapi.PollForDecisionTaskInput, dt decisionTask, after int64) (p store.EventListParams, from int64) {
	reverse := swfapi.Deref(in.ReverseOrder)
	p = store.EventListParams{ExecutionID: dt.executionID, After: after, Upto: dt.startedEventID, Reverse: reverse, Limit: pageSize(in.MaximumPageSize)}
	if !reverse && after == 0 && swfapi.Deref(in.StartAtPreviousStartedEvent) && dt.previousStartedEventID > 0 {
		p.After = dt.previousStartedEventID - 1
	}
	if swfapi.Deref(in.StartAtPreviousStartedEvent) {
		from = dt.previousStartedEventID
	}
	return p, from
}

// decisionTaskResponse reads a page of history for a started decision
// task: events up to its DecisionTaskStarted, which no longer change. The
// page was read already when read is not nil (it gives what pageQuery
// read).
func (e *Engine) decisionTaskResponse(ctx context.Context, in *swfapi.PollForDecisionTaskInput, scope string, dt decisionTask, after int64, read func() ([]store.Event, error)) (*swfapi.DecisionTask, error) {
	p, from := decisionHistory(in, dt, after)
	out := &swfapi.DecisionTask{
		TaskToken:              &dt.token,
		StartedEventId:         &dt.startedEventID,
		PreviousStartedEventId: &dt.previousStartedEventID,
		WorkflowExecution:      dt.execution,
		WorkflowType:           dt.workflowType,
	}
	var last int64
	var more bool
	var err error
	if read != nil {
		var rows []store.Event
		if rows, err = read(); err != nil {
			return nil, err
		}
		out.Events, last, more = pageOf(rows, p, from)
	} else {
		// One page of the history: one statement.
		err = store.ReadOne(ctx, e.store, func(tx store.Tx) error {
			var err error
			out.Events, last, more, err = historyPage(ctx, tx, p, from)
			return err
		})
	}
	if err == nil && more {
		out.NextPageToken = swfapi.Ptr(e.pages.Seal(scope, []string{
			strconv.FormatInt(dt.executionID, 10), strconv.FormatInt(dt.startedEventID, 10),
			strconv.FormatInt(dt.previousStartedEventID, 10), strconv.FormatInt(last, 10),
			dt.token, *dt.execution.WorkflowId, *dt.execution.RunId, *dt.workflowType.Name, *dt.workflowType.Version,
		}, e.clock.Now()))
	}
	return out, err
}

// decisionTaskPage answers a poll that asks for the next page of the task it
// already has.
func (e *Engine) decisionTaskPage(ctx context.Context, in *swfapi.PollForDecisionTaskInput, scope string, cursor []string) (*swfapi.DecisionTask, error) {
	if len(cursor) != 9 {
		return nil, swfapi.NewValidationError("nextPageToken", *in.NextPageToken, "invalid nextPageToken")
	}
	num := func(s string) int64 { n, _ := strconv.ParseInt(s, 10, 64); return n }
	dt := decisionTask{
		executionID: num(cursor[0]), startedEventID: num(cursor[1]), previousStartedEventID: num(cursor[2]),
		token:        cursor[4],
		execution:    &swfapi.WorkflowExecution{WorkflowId: &cursor[5], RunId: &cursor[6]},
		workflowType: &swfapi.WorkflowType{Name: &cursor[7], Version: &cursor[8]},
	}
	return e.decisionTaskResponse(ctx, in, scope, dt, num(cursor[3]), nil)
}
