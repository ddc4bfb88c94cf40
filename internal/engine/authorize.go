package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/openswf/openswf/internal/auth"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
)

// Authorize checks that the caller in ctx may call the operation op with
// in, as IAM does for Amazon SWF (SWF-API.md §12): the action swf:<op> on
// the domain the call acts on, with the operation's condition keys (see
// authRules). It answers OperationNotPermittedFault when the caller may
// not. Without a caller (no users file) everything is allowed.
//
// The context it returns is the call's from then on: for an operation that
// takes a task token it carries the token Authorize opened to find the
// task's domain, which Throttle and the operation then use rather than
// check the token's HMAC again.
func (e *Engine) Authorize(ctx context.Context, op string, in swfapi.Input) (context.Context, error) {
	c := auth.FromContext(ctx)
	if c == nil {
		return ctx, nil
	}
	rule, ok := authRules[op]
	if !ok {
		// An operation with no rule cannot be authorized, so it is
		// refused (an internal failure), never allowed.
		return ctx, fmt.Errorf("authorize: no rule for %s", op)
	}
	if rule.on == onToken {
		ctx, _, _ = e.openCallToken(ctx, rule.resource(in))
	}
	return ctx, e.authorize(ctx, c, op, rule, in)
}

// authorize checks the caller c's call of op by its rule.
func (e *Engine) authorize(ctx context.Context, c *auth.Caller, op string, rule authRule, in swfapi.Input) error {
	action := "swf:" + op
	if rule.on == onAccount {
		// Documented as arn:aws:swf::ACCOUNT:domain/*; the ARN form of
		// the other actions is accepted too.
		for _, r := range []string{"arn:" + e.cfg.Partition + ":swf::" + e.cfg.AccountID + ":domain/*", e.DomainARN("*")} {
			if c.Allowed(action, r, nil) {
				return nil
			}
		}
		return e.notPermitted(op, c, action, e.DomainARN("*"))
	}
	domain, keys, err := e.authRequest(ctx, rule, in)
	if err != nil {
		return err
	}
	if domain == "" {
		// A task token this server did not issue, or a resource that is
		// not a domain: the operation answers for it.
		return nil
	}
	resource := e.DomainARN(domain)
	if _, ok := in.(*swfapi.RegisterDomainInput); !ok && c.Principal.NeedsResourceTags() {
		if err := e.addDomainTags(ctx, domain, keys); err != nil {
			return err
		}
	}
	if !c.Allowed(action, resource, keys) {
		return e.notPermitted(op, c, action, resource)
	}
	return e.authorizeMore(op, c, in, resource, keys)
}

// authorizeMore checks the permissions a call takes beyond its own action:
// iam:PassRole on a Lambda role it names for SWF to assume, and
// swf:TagResource to tag a domain as it is registered.
func (e *Engine) authorizeMore(op string, c *auth.Caller, in swfapi.Input, resource string, keys map[string][]string) error {
	var role *string
	switch in := in.(type) {
	case *swfapi.StartWorkflowExecutionInput:
		role = in.LambdaRole
	case *swfapi.RegisterWorkflowTypeInput:
		role = in.DefaultLambdaRole
	}
	if role != nil && !c.MayPassRole(*role) {
		return e.notPermitted(op, c, "iam:PassRole", *role)
	}
	if d, ok := in.(*swfapi.RegisterDomainInput); ok && len(d.Tags) > 0 && !c.Allowed("swf:TagResource", resource, keys) {
		return e.notPermitted(op, c, "swf:TagResource", resource)
	}
	return nil
}

// notPermitted refuses the call op, which needs action on resource, and
// leaves an audit line of it: who, with which key, what and where.
func (e *Engine) notPermitted(op string, c *auth.Caller, action, resource string) error {
	e.log.Info("call denied", "user", c.Principal.User, "accessKeyId", c.Principal.AccessKeyID, "operation", op,
		"action", action, "resource", resource, "sourceIp", c.SourceIP, "reason", "no policy allows it, or one denies it")
	return fault(swfapi.CodeOperationNotPermittedFault, "User: %s is not authorized to perform: %s on resource: %s", c.Principal.ARN, action, resource)
}

// authRequest returns the name of the domain a call acts on and the
// condition keys its request sets, by its operation's rule. Where a
// request leaves out a value that has a registered default, the default is
// what the keys hold, as in Amazon SWF.
func (e *Engine) authRequest(ctx context.Context, rule authRule, in swfapi.Input) (string, map[string][]string, error) {
	keys := rule.conditionKeys(in)
	if start, ok := in.(*swfapi.StartWorkflowExecutionInput); ok && start.TaskList == nil {
		tl, err := e.defaultWorkflowTaskList(ctx, *start.Domain, start.WorkflowType)
		if err != nil {
			return "", nil, err
		}
		if tl != nil && tl.Name != nil {
			keys["swf:taskList.name"] = []string{*tl.Name}
		}
	}
	name := rule.resource(in)
	switch rule.on {
	case onARN:
		return e.domainOfARN(name), keys, nil
	case onToken:
		d, err := e.domainOfToken(ctx, name)
		return d, keys, err
	}
	return name, keys, nil
}

// domainOfARN is the name of the domain an ARN names, or "" for an ARN
// that names none (the operation then answers for it).
func (e *Engine) domainOfARN(arn string) string {
	if name, ok := strings.CutPrefix(arn, e.domainARNPrefix()); ok {
		return name
	}
	return ""
}

// domainOfToken is the name of the domain a task token's task is in, or ""
// for a token this server did not issue.
func (e *Engine) domainOfToken(ctx context.Context, token string) (string, error) {
	_, t, err := e.openCallToken(ctx, token)
	if err != nil {
		return "", nil
	}
	e.domainsMu.RLock()
	d, ok := e.byID[t.DomainID]
	e.domainsMu.RUnlock()
	if ok {
		return d.Name, nil
	}
	var name string
	err = e.store.Read(ctx, func(tx store.Tx) error {
		d, err := e.domainByID(ctx, tx, t.DomainID)
		if err != nil {
			return err
		}
		name = d.Name
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	return name, err
}

// defaultWorkflowTaskList is the default task list of a workflow type, or
// nil when it has none or does not exist (the start fails for that).
func (e *Engine) defaultWorkflowTaskList(ctx context.Context, domain string, wt *swfapi.WorkflowType) (*swfapi.TaskList, error) {
	var tl *swfapi.TaskList
	err := e.store.Read(ctx, func(tx store.Tx) error {
		d, err := e.domain(ctx, tx, domain)
		if err != nil {
			return err
		}
		t, err := tx.TypeGet(ctx, store.TypeKey{DomainID: d.ID, Kind: store.WorkflowType, Name: *wt.Name, Version: *wt.Version})
		if err != nil {
			return err
		}
		var defaults swfapi.WorkflowTypeConfiguration
		if err := json.Unmarshal(t.Config, &defaults); err != nil {
			return err
		}
		tl = defaults.DefaultTaskList
		return nil
	})
	var apiErr *swfapi.Error
	if errors.Is(err, store.ErrNotFound) || errors.As(err, &apiErr) {
		return nil, nil
	}
	return tl, err
}

// addDomainTags sets aws:ResourceTag/KEY in keys for each tag of the
// domain (when it exists: otherwise the operation answers for it).
func (e *Engine) addDomainTags(ctx context.Context, domain string, keys map[string][]string) error {
	err := e.store.Read(ctx, func(tx store.Tx) error {
		d, err := e.domain(ctx, tx, domain)
		if err != nil {
			return err
		}
		tags, err := tx.DomainTagList(ctx, d.ID)
		addResourceTags(keys, tags)
		return err
	})
	var apiErr *swfapi.Error
	if errors.As(err, &apiErr) {
		return nil
	}
	return err
}

// addResourceTags sets aws:ResourceTag/KEY in keys for each tag.
func addResourceTags(keys map[string][]string, tags []store.Tag) {
	for _, t := range tags {
		keys["aws:ResourceTag/"+t.Key] = []string{t.Value}
	}
}
