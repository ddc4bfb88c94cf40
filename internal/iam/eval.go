package iam

import "strconv"

// Request is one authorization question: may the caller perform Action on
// Resource, in the context Context?
type Request struct {
	// Action is the action asked for, "service:Action", such as
	// "swf:StartWorkflowExecution" or, for a decision inside
	// RespondDecisionTaskCompleted, "swf:ScheduleActivityTask".
	Action string
	// Resource is the ARN of the resource acted upon, such as
	// "arn:aws:swf:us-east-1:123456789012:/domain/orders", or "*" for an
	// action that acts on no particular resource (RegisterDomain,
	// ListDomains).
	Resource string
	// Context maps condition keys (such as "swf:taskList.name" or
	// "aws:username") to their values in this request. Keys are matched
	// case-insensitively, so a context must not hold two keys that differ
	// only in case. A key that is absent, or present with no values, is
	// absent. Context is only read.
	Context map[string][]string
}

// Decision is the outcome of an evaluation.
type Decision int

// The outcomes of an evaluation, in IAM's terms.
const (
	// ImplicitDeny: no statement allowed the request (nor denied it). The
	// request is refused, but another policy could allow it.
	ImplicitDeny Decision = iota
	// Allow: some statement allowed the request and none denied it.
	Allow
	// ExplicitDeny: some statement denied the request, which no Allow
	// anywhere overrides.
	ExplicitDeny
)

// String returns the name of the decision's constant, "ImplicitDeny",
// "Allow" or "ExplicitDeny", for logs and error messages.
func (d Decision) String() string {
	switch d {
	case ImplicitDeny:
		return "ImplicitDeny"
	case Allow:
		return "Allow"
	case ExplicitDeny:
		return "ExplicitDeny"
	}
	return "Decision(" + strconv.Itoa(int(d)) + ")"
}

// Evaluate decides req under all the policies together: an explicit Deny in
// any matching statement wins, else Allow if any matching statement allows,
// else ImplicitDeny. A statement matches when its Action (or NotAction)
// matches req.Action, its Resource (or NotResource) matches req.Resource and
// all its conditions hold in req.Context. Nil policies are skipped; no
// policies at all yield ImplicitDeny.
//
// This is IAM's evaluation logic restricted to identity-based policies
// within one account (no resource policies, permissions boundaries, session
// policies or SCPs).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
func Evaluate(policies []*Policy, req Request) Decision {
	allowed := false
	for _, p := range policies {
		if p == nil {
			continue
		}
		for i := range p.statements {
			s := &p.statements[i]
			if allowed && !s.deny {
				continue // once allowed, only a Deny can change the outcome
			}
			if !s.applies(&req) {
				continue
			}
			if s.deny {
				return ExplicitDeny
			}
			allowed = true
		}
	}
	if allowed {
		return Allow
	}
	return ImplicitDeny
}

// applies reports whether the statement matches the request.
func (s *statement) applies(req *Request) bool {
	if anyMatch(s.actions, req.Action, nil) == s.notAction {
		return false
	}
	if anyMatch(s.resources, req.Resource, req.Context) == s.notResource {
		return false
	}
	for i := range s.conditions {
		if !s.conditions[i].holds(req.Context) {
			return false
		}
	}
	return true
}

// anyMatch reports whether any of the patterns matches v.
func anyMatch(ps []pattern, v string, ctx map[string][]string) bool {
	for i := range ps {
		if ps[i].match(v, ctx) {
			return true
		}
	}
	return false
}
