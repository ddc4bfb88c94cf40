package engine

import (
	"context"

	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/tasktoken"
	"github.com/openswf/openswf/internal/workflow"
)

// RespondDecisionTaskCompleted applies a decider's decisions to its run.
func (e *Engine) RespondDecisionTaskCompleted(ctx context.Context, in *swfapi.RespondDecisionTaskCompletedInput) error {
	t, err := e.openToken(*in.TaskToken, tasktoken.Decision)
	if err != nil {
		return err
	}
	if err := workflow.ValidateDecisions(in.Decisions, e.cfg.Limits.Run); err != nil {
		return err
	}
	return staleTask(e.transition(ctx, e.byToken(t), func(w *world, r *run) error {
		if r.exec().Decision.ScheduledEventID != t.ScheduledEventID {
			return workflow.ErrStale
		}
		if err := r.machine.CompleteDecisionTask(t.StartedEventID, in, w.typesOf(r.exec().DomainID)); err != nil {
			return err
		}
		return w.err
	}))
}
