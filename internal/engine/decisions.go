package engine

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/tasktoken"
	"github.com/openswf/openswf/internal/workflow"
)

// typeCache answers the state machine's type lookups from the store, inside
// the decision's transaction.
type typeCache struct {
	ctx      context.Context
	tx       store.Tx
	domainID int64
	err      error
	seen     map[[2]string]*workflow.TypeInfo
}

func (c *typeCache) ActivityType(name, version string) *workflow.TypeInfo {
	key := [2]string{name, version}
	if info, ok := c.seen[key]; ok {
		return info
	}
	var info *workflow.TypeInfo
	t, err := c.tx.TypeGet(c.ctx, store.TypeKey{DomainID: c.domainID, Kind: store.ActivityType, Name: name, Version: version})
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		c.err = err
	default:
		var cfg swfapi.ActivityTypeConfiguration
		if err := json.Unmarshal(t.Config, &cfg); err != nil {
			c.err = err
			break
		}
		info = &workflow.TypeInfo{Deprecated: t.Status == store.StatusDeprecated, Activity: &cfg}
	}
	if c.seen == nil {
		c.seen = map[[2]string]*workflow.TypeInfo{}
	}
	c.seen[key] = info
	return info
}

// RespondDecisionTaskCompleted applies a decider's decisions to its run.
func (e *Engine) RespondDecisionTaskCompleted(ctx context.Context, in *swfapi.RespondDecisionTaskCompletedInput) error {
	t, err := e.openToken(*in.TaskToken, tasktoken.Decision)
	if err != nil {
		return err
	}
	if err := workflow.ValidateDecisions(in.Decisions); err != nil {
		return err
	}
	return staleTask(e.transition(ctx, e.byToken(ctx, t), func(tx store.Tx, r *run) error {
		if r.exec().Decision.ScheduledEventID != t.ScheduledEventID {
			return workflow.ErrStale
		}
		types := &typeCache{ctx: ctx, tx: tx, domainID: t.DomainID}
		if err := r.machine.CompleteDecisionTask(t.StartedEventID, in, types); err != nil {
			return err
		}
		return types.err
	}))
}
