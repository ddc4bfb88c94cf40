package engine

import (
	"context"
	"slices"

	"github.com/openswf/openswf/internal/auth"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/tasktoken"
	"github.com/openswf/openswf/internal/workflow"
)

// RespondDecisionTaskCompleted applies a decider's decisions to its run.
func (e *Engine) RespondDecisionTaskCompleted(ctx context.Context, in *swfapi.RespondDecisionTaskCompletedInput) error {
	t, err := e.openToken(ctx, *in.TaskToken, tasktoken.Decision)
	if err != nil {
		return err
	}
	if err := workflow.ValidateDecisions(in.Decisions, e.cfg.Limits.Run); err != nil {
		return err
	}
	if in.TaskList != nil {
		// The run's decision tasks move to this list: it must be one that
		// a poller can name.
		if err := checkPollTaskList(in.TaskList); err != nil {
			return err
		}
	}
	res := e.reserveDecisions(in.Decisions)
	ahead := decidedTypes(t.DomainID, in.Decisions)
	load := func(w *world) (*run, error) {
		// The types the decisions name are read with the run (in its
		// round trip on PostgreSQL), rather than each after it.
		if len(ahead) > 0 {
			w.tx.TypeGetAhead(ctx, ahead)
		}
		return e.byToken(t)(w)
	}
	return e.staleTask(ctx, t, e.transitionWith(ctx, res, load, func(w *world, r *run) error {
		if r.exec().Decision.ScheduledEventID != t.ScheduledEventID {
			return workflow.ErrStale
		}
		permit, err := e.decisionPermit(ctx, w, r.exec().DomainID)
		if err != nil {
			return err
		}
		if err := r.machine.CompleteDecisionTask(t.StartedEventID, in, w.typesOf(r.exec().DomainID), permit); err != nil {
			return err
		}
		return w.err
	}))
}

// decidedTypes are the types that decisions name, of the domain of the
// task (none when its token does not say): those that applying them looks
// up, unless they fail first.
func decidedTypes(domainID int64, decisions []swfapi.Decision) []store.TypeKey {
	if domainID == 0 {
		return nil
	}
	var keys []store.TypeKey
	add := func(kind store.TypeKind, name, version *string) {
		if name == nil || version == nil {
			return
		}
		k := store.TypeKey{DomainID: domainID, Kind: kind, Name: *name, Version: *version}
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	for _, d := range decisions {
		if a := d.ScheduleActivityTaskDecisionAttributes; a != nil && a.ActivityType != nil {
			add(store.ActivityType, a.ActivityType.Name, a.ActivityType.Version)
		}
		if a := d.StartChildWorkflowExecutionDecisionAttributes; a != nil && a.WorkflowType != nil {
			add(store.WorkflowType, a.WorkflowType.Name, a.WorkflowType.Version)
		}
	}
	return keys
}

// decisionPermit checks the decider's decisions against its policies: the
// permission-only actions swf:<DecisionType> on the run's domain. Without
// a caller in ctx every decision is permitted.
func (e *Engine) decisionPermit(ctx context.Context, w *world, domainID int64) (workflow.Permit, error) {
	c := auth.FromContext(ctx)
	if c == nil {
		return nil, nil
	}
	d, err := w.domain(domainID)
	if err != nil {
		return nil, err
	}
	p := &decisionPermit{caller: c, resource: e.DomainARN(d.Name)}
	if c.Principal.NeedsResourceTags() {
		if p.tags, err = w.tx.DomainTagList(ctx, domainID); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// decisionPermit is a decider's permission to make decisions on a domain.
type decisionPermit struct {
	caller   *auth.Caller
	resource string
	// tags are the domain's, when a policy tests aws:ResourceTag/*.
	tags []store.Tag
}

func (p *decisionPermit) Decision(dt swfapi.DecisionType, keys map[string][]string) bool {
	addResourceTags(keys, p.tags)
	return p.caller.Permits("swf:"+string(dt), p.resource, keys)
}

func (p *decisionPermit) PassRole(role string) bool { return p.caller.MayPassRole(role) }
