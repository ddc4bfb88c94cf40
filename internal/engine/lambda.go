package engine

import (
	"context"
	"errors"

	"github.com/openswf/openswf/internal/lambda"
	"github.com/openswf/openswf/internal/matching"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/workflow"
)

// lambdaKey is the one task list of Lambda tasks, which the server itself
// works through, whatever their domain.
var lambdaKey = matching.Key{Kind: string(workflow.LambdaTaskKind)}

// RunLambdas invokes Lambda tasks with n workers until ctx ends. Each
// invocation is recorded as started, made outside any transaction, and its
// outcome recorded after; if the server stops in between, the task's
// start-to-close timeout closes it.
func (e *Engine) RunLambdas(ctx context.Context, n int) {
	if e.lambda == nil {
		return
	}
	done := make(chan struct{})
	for range n {
		go func() {
			defer func() { done <- struct{}{} }()
			for ctx.Err() == nil {
				if err := e.invokeNext(ctx); err != nil && ctx.Err() == nil {
					e.log.Error("Lambda task", "err", err)
				}
			}
		}()
	}
	for range n {
		<-done
	}
}

// roleNeeded stops a claim (leaving the task on its list) until the
// invoker has the credentials of the task's role.
type roleNeeded struct {
	executionID, scheduledEventID int64
	role                          string
}

func (r *roleNeeded) Error() string { return "the credentials of role " + r.role + " are needed" }

// invokeNext waits for a Lambda task, starts it and invokes its function.
// An invoker that acts as the run's role gets its credentials first, so
// that a role it cannot assume fails the task before it starts.
func (e *Engine) invokeNext(ctx context.Context) error {
	var inv *workflow.LambdaInvocation
	var executionID int64
	assumer, _ := e.lambda.(lambda.RoleAssumer)
	assumed := ""
	for {
		started, err := e.pollTaskList(ctx, lambdaKey, func(w *world, task *store.Task) (bool, error) {
			r, err := w.byExecID(0, task.ExecutionID)
			if errors.Is(err, workflow.ErrStale) {
				return false, nil
			}
			if err != nil {
				return false, err
			}
			x := r.exec()
			if l, ok := x.Lambdas[task.ScheduledEventID]; ok && x.Open && l.StartedEventID == 0 && x.Config.LambdaRole != nil &&
				assumer != nil && *x.Config.LambdaRole != assumed && !assumer.HasRole(*x.Config.LambdaRole) {
				return false, &roleNeeded{executionID: task.ExecutionID, scheduledEventID: task.ScheduledEventID, role: *x.Config.LambdaRole}
			}
			inv, err = r.machine.StartLambda(task.ScheduledEventID)
			if errors.Is(err, workflow.ErrStale) {
				return false, nil
			}
			executionID = task.ExecutionID
			return err == nil, err
		})
		var need *roleNeeded
		if !errors.As(err, &need) {
			if err != nil || !started || inv == nil {
				return err
			}
			break
		}
		if rerr := assumer.GetRole(ctx, need.role); rerr != nil {
			if ctx.Err() != nil {
				return nil
			}
			err = e.transition(context.WithoutCancel(ctx), func(w *world) (*run, error) {
				return w.byExecID(0, need.executionID)
			}, func(_ *world, r *run) error {
				r.machine.LambdaStartFailed(need.scheduledEventID, rerr.Error())
				return nil
			})
			if errors.Is(err, workflow.ErrStale) {
				return nil
			}
			return err
		}
		assumed = need.role
	}
	callCtx, cancel := context.WithTimeout(ctx, inv.StartToClose.Duration())
	defer cancel()
	res := e.lambda.Invoke(callCtx, lambda.Call{Function: inv.Name, Input: inv.Input, Role: inv.Role})
	if ctx.Err() != nil {
		return nil
	}
	err := e.transition(context.WithoutCancel(ctx), func(w *world) (*run, error) {
		return w.byExecID(0, executionID)
	}, func(_ *world, r *run) error {
		switch {
		case res.RoleFailed:
			// The role's credentials were lost after the task started.
			return r.machine.FailLambda(inv.ScheduledEventID, inv.StartedEventID, swfapi.Ptr(string(swfapi.StartLambdaFunctionFailedCauseAssumeRoleFailed)), &res.Message)
		case res.Failed:
			return r.machine.FailLambda(inv.ScheduledEventID, inv.StartedEventID, res.Reason, res.Details)
		}
		return r.machine.CompleteLambda(inv.ScheduledEventID, inv.StartedEventID, res.Output)
	})
	if errors.Is(err, workflow.ErrStale) {
		// It timed out, or its run closed, while the function ran.
		return nil
	}
	return err
}
