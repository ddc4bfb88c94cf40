package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
)

// typeRef names a type in messages the way SWF does:
// ActivityType=[name=n, version=v].
func typeRef(kind store.TypeKind, name, version string) string {
	label := "ActivityType"
	if kind == store.WorkflowType {
		label = "WorkflowType"
	}
	return fmt.Sprintf("%s=[name=%s, version=%s]", label, name, version)
}

func unknownType(kind store.TypeKind, name, version string) error {
	return fault(swfapi.CodeUnknownResourceFault, "Unknown type: %s", typeRef(kind, name, version))
}

// registration is what Register*Type stores, whatever the kind.
type registration struct {
	kind        store.TypeKind
	domain      string
	name        string
	version     string
	description *string
	config      any
}

func (e *Engine) registerType(ctx context.Context, r registration) error {
	config, err := json.Marshal(r.config)
	if err != nil {
		return err
	}
	now := e.now()
	return e.store.Write(ctx, func(tx store.Tx) error {
		d, err := getRegisteredDomain(ctx, tx, r.domain)
		if err != nil {
			return err
		}
		key := store.TypeKey{DomainID: d.ID, Kind: r.kind, Name: r.name, Version: r.version}
		if _, err := tx.TypeGet(ctx, key); err == nil {
			return fault(swfapi.CodeTypeAlreadyExistsFault, "%s", typeRef(r.kind, r.name, r.version))
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		n, err := tx.TypeCount(ctx, d.ID, r.kind)
		if err != nil {
			return err
		}
		if n >= e.cfg.Limits.TypesPerDomain {
			return fault(swfapi.CodeLimitExceededFault, "Domain %s has reached its limit of %d %s types (registered and deprecated)", d.Name, e.cfg.Limits.TypesPerDomain, r.kind)
		}
		return tx.TypeInsert(ctx, &store.Type{
			DomainID:    d.ID,
			Kind:        r.kind,
			Name:        r.name,
			Version:     r.version,
			Status:      store.StatusRegistered,
			Description: r.description,
			CreatedAt:   now,
			Config:      config,
		})
	})
}

// getType loads a type of a domain, answering UnknownResourceFault when the
// domain or the type does not exist.
func getType(ctx context.Context, tx store.Tx, kind store.TypeKind, domain, name, version string) (*store.Type, error) {
	d, err := getDomain(ctx, tx, domain)
	if err != nil {
		return nil, err
	}
	t, err := tx.TypeGet(ctx, store.TypeKey{DomainID: d.ID, Kind: kind, Name: name, Version: version})
	if errors.Is(err, store.ErrNotFound) {
		return nil, unknownType(kind, name, version)
	}
	return t, err
}

func (e *Engine) readType(ctx context.Context, kind store.TypeKind, domain, name, version string) (*store.Type, error) {
	var t *store.Type
	err := e.store.Read(ctx, func(tx store.Tx) error {
		var err error
		t, err = getType(ctx, tx, kind, domain, name, version)
		return err
	})
	return t, err
}

func (e *Engine) deprecateType(ctx context.Context, kind store.TypeKind, domain, name, version string) error {
	now := e.now()
	return e.store.Write(ctx, func(tx store.Tx) error {
		t, err := getType(ctx, tx, kind, domain, name, version)
		if err != nil {
			return err
		}
		if t.Status == store.StatusDeprecated {
			return fault(swfapi.CodeTypeDeprecatedFault, "%s", typeRef(kind, name, version))
		}
		return tx.TypeSetStatus(ctx, typeKey(t), store.StatusChange{Status: store.StatusDeprecated, DeprecatedAt: &now})
	})
}

func (e *Engine) undeprecateType(ctx context.Context, kind store.TypeKind, domain, name, version string) error {
	return e.store.Write(ctx, func(tx store.Tx) error {
		t, err := getType(ctx, tx, kind, domain, name, version)
		if err != nil {
			return err
		}
		if t.Status == store.StatusRegistered {
			return fault(swfapi.CodeTypeAlreadyExistsFault, "%s", typeRef(kind, name, version))
		}
		return tx.TypeSetStatus(ctx, typeKey(t), store.StatusChange{Status: store.StatusRegistered})
	})
}

func (e *Engine) deleteType(ctx context.Context, kind store.TypeKind, domain, name, version string) error {
	return e.store.Write(ctx, func(tx store.Tx) error {
		t, err := getType(ctx, tx, kind, domain, name, version)
		if err != nil {
			return err
		}
		if t.Status != store.StatusDeprecated {
			return fault(swfapi.CodeTypeNotDeprecatedFault, "%s must be deprecated before it is deleted", typeRef(kind, name, version))
		}
		return tx.TypeDelete(ctx, typeKey(t))
	})
}

func typeKey(t *store.Type) store.TypeKey {
	return store.TypeKey{DomainID: t.DomainID, Kind: t.Kind, Name: t.Name, Version: t.Version}
}

// listing is the arguments of List*Types, whatever the kind.
type listing struct {
	kind      store.TypeKind
	domain    string
	status    string
	name      *string
	token     *string
	pageSize  *int32
	reverse   bool
	operation string
}

// listTypes returns a page of types and the token of the next page, if any.
func (e *Engine) listTypes(ctx context.Context, l listing) ([]*store.Type, *string, error) {
	scope := scopeOf(l.operation, l.domain, l.status, swfapi.Deref(l.name), l.name != nil, l.reverse)
	cursor, err := e.openPageToken(l.token, scope)
	if err != nil {
		return nil, nil, err
	}
	p := store.TypeListParams{Kind: l.kind, Status: l.status, Name: l.name, Reverse: l.reverse, Limit: pageSize(l.pageSize) + 1}
	if len(cursor) == 2 {
		p.AfterName, p.AfterVersion = &cursor[0], cursor[1]
	}
	var types []*store.Type
	err = e.store.Read(ctx, func(tx store.Tx) error {
		d, err := getDomain(ctx, tx, l.domain)
		if err != nil {
			return err
		}
		p.DomainID = d.ID
		types, err = tx.TypeList(ctx, p)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	var next *string
	if len(types) == p.Limit {
		types = types[:len(types)-1]
		last := types[len(types)-1]
		next = swfapi.Ptr(e.pages.Seal(scope, []string{last.Name, last.Version}, e.clock.Now()))
	}
	return types, next, nil
}

// checkWorkflowTimeout enforces what SWF asks of an execution's
// start-to-close timeout: a number of seconds (NONE is not allowed) of at
// most the longest a run may last (a year).
func (e *Engine) checkWorkflowTimeout(field string, v *string) error {
	if v == nil {
		return nil
	}
	max := e.cfg.Limits.Run.MaxExecutionSeconds
	secs, none, _ := swfapi.ParseDuration(*v)
	if none || secs > max {
		return swfapi.NewValidationError(field, *v, fmt.Sprintf("Member must be a number of seconds from 0 to %d (NONE is not allowed)", max))
	}
	return nil
}

// RegisterActivityType registers an activity type with its defaults.
func (e *Engine) RegisterActivityType(ctx context.Context, in *swfapi.RegisterActivityTypeInput) error {
	return e.registerType(ctx, registration{
		kind: store.ActivityType, domain: *in.Domain, name: *in.Name, version: *in.Version, description: in.Description,
		config: &swfapi.ActivityTypeConfiguration{
			DefaultTaskStartToCloseTimeout:    in.DefaultTaskStartToCloseTimeout,
			DefaultTaskHeartbeatTimeout:       in.DefaultTaskHeartbeatTimeout,
			DefaultTaskList:                   in.DefaultTaskList,
			DefaultTaskPriority:               in.DefaultTaskPriority,
			DefaultTaskScheduleToStartTimeout: in.DefaultTaskScheduleToStartTimeout,
			DefaultTaskScheduleToCloseTimeout: in.DefaultTaskScheduleToCloseTimeout,
		},
	})
}

// RegisterWorkflowType registers a workflow type with its defaults.
func (e *Engine) RegisterWorkflowType(ctx context.Context, in *swfapi.RegisterWorkflowTypeInput) error {
	if err := e.checkWorkflowTimeout("defaultExecutionStartToCloseTimeout", in.DefaultExecutionStartToCloseTimeout); err != nil {
		return err
	}
	return e.registerType(ctx, registration{
		kind: store.WorkflowType, domain: *in.Domain, name: *in.Name, version: *in.Version, description: in.Description,
		config: &swfapi.WorkflowTypeConfiguration{
			DefaultTaskStartToCloseTimeout:      in.DefaultTaskStartToCloseTimeout,
			DefaultExecutionStartToCloseTimeout: in.DefaultExecutionStartToCloseTimeout,
			DefaultTaskList:                     in.DefaultTaskList,
			DefaultTaskPriority:                 in.DefaultTaskPriority,
			DefaultChildPolicy:                  in.DefaultChildPolicy,
			DefaultLambdaRole:                   in.DefaultLambdaRole,
		},
	})
}

func activityTypeInfo(t *store.Type) swfapi.ActivityTypeInfo {
	status := swfapi.RegistrationStatus(t.Status)
	info := swfapi.ActivityTypeInfo{
		ActivityType: &swfapi.ActivityType{Name: &t.Name, Version: &t.Version},
		Status:       &status,
		Description:  t.Description,
		CreationDate: swfapi.At(t.CreatedAt),
	}
	if t.DeprecatedAt != nil {
		info.DeprecationDate = swfapi.At(*t.DeprecatedAt)
	}
	return info
}

func workflowTypeInfo(t *store.Type) swfapi.WorkflowTypeInfo {
	status := swfapi.RegistrationStatus(t.Status)
	info := swfapi.WorkflowTypeInfo{
		WorkflowType: &swfapi.WorkflowType{Name: &t.Name, Version: &t.Version},
		Status:       &status,
		Description:  t.Description,
		CreationDate: swfapi.At(t.CreatedAt),
	}
	if t.DeprecatedAt != nil {
		info.DeprecationDate = swfapi.At(*t.DeprecatedAt)
	}
	return info
}

// DescribeActivityType returns an activity type and its defaults.
func (e *Engine) DescribeActivityType(ctx context.Context, in *swfapi.DescribeActivityTypeInput) (*swfapi.ActivityTypeDetail, error) {
	t, err := e.readType(ctx, store.ActivityType, *in.Domain, *in.ActivityType.Name, *in.ActivityType.Version)
	if err != nil {
		return nil, err
	}
	var config swfapi.ActivityTypeConfiguration
	if err := json.Unmarshal(t.Config, &config); err != nil {
		return nil, fmt.Errorf("stored configuration of %s: %w", typeRef(t.Kind, t.Name, t.Version), err)
	}
	info := activityTypeInfo(t)
	return &swfapi.ActivityTypeDetail{TypeInfo: &info, Configuration: &config}, nil
}

// DescribeWorkflowType returns a workflow type and its defaults.
func (e *Engine) DescribeWorkflowType(ctx context.Context, in *swfapi.DescribeWorkflowTypeInput) (*swfapi.WorkflowTypeDetail, error) {
	t, err := e.readType(ctx, store.WorkflowType, *in.Domain, *in.WorkflowType.Name, *in.WorkflowType.Version)
	if err != nil {
		return nil, err
	}
	var config swfapi.WorkflowTypeConfiguration
	if err := json.Unmarshal(t.Config, &config); err != nil {
		return nil, fmt.Errorf("stored configuration of %s: %w", typeRef(t.Kind, t.Name, t.Version), err)
	}
	info := workflowTypeInfo(t)
	return &swfapi.WorkflowTypeDetail{TypeInfo: &info, Configuration: &config}, nil
}

// ListActivityTypes pages through a domain's activity types of one status.
func (e *Engine) ListActivityTypes(ctx context.Context, in *swfapi.ListActivityTypesInput) (*swfapi.ActivityTypeInfos, error) {
	types, next, err := e.listTypes(ctx, listing{
		kind: store.ActivityType, domain: *in.Domain, status: string(*in.RegistrationStatus), name: in.Name,
		token: in.NextPageToken, pageSize: in.MaximumPageSize, reverse: swfapi.Deref(in.ReverseOrder), operation: "ListActivityTypes",
	})
	if err != nil {
		return nil, err
	}
	out := &swfapi.ActivityTypeInfos{TypeInfos: make([]swfapi.ActivityTypeInfo, 0, len(types)), NextPageToken: next}
	for _, t := range types {
		out.TypeInfos = append(out.TypeInfos, activityTypeInfo(t))
	}
	return out, nil
}

// ListWorkflowTypes pages through a domain's workflow types of one status.
func (e *Engine) ListWorkflowTypes(ctx context.Context, in *swfapi.ListWorkflowTypesInput) (*swfapi.WorkflowTypeInfos, error) {
	types, next, err := e.listTypes(ctx, listing{
		kind: store.WorkflowType, domain: *in.Domain, status: string(*in.RegistrationStatus), name: in.Name,
		token: in.NextPageToken, pageSize: in.MaximumPageSize, reverse: swfapi.Deref(in.ReverseOrder), operation: "ListWorkflowTypes",
	})
	if err != nil {
		return nil, err
	}
	out := &swfapi.WorkflowTypeInfos{TypeInfos: make([]swfapi.WorkflowTypeInfo, 0, len(types)), NextPageToken: next}
	for _, t := range types {
		out.TypeInfos = append(out.TypeInfos, workflowTypeInfo(t))
	}
	return out, nil
}

// DeprecateActivityType stops new tasks of the type from being scheduled.
func (e *Engine) DeprecateActivityType(ctx context.Context, in *swfapi.DeprecateActivityTypeInput) error {
	return e.deprecateType(ctx, store.ActivityType, *in.Domain, *in.ActivityType.Name, *in.ActivityType.Version)
}

// DeprecateWorkflowType stops new executions of the type from starting.
func (e *Engine) DeprecateWorkflowType(ctx context.Context, in *swfapi.DeprecateWorkflowTypeInput) error {
	return e.deprecateType(ctx, store.WorkflowType, *in.Domain, *in.WorkflowType.Name, *in.WorkflowType.Version)
}

// UndeprecateActivityType makes a deprecated activity type usable again.
func (e *Engine) UndeprecateActivityType(ctx context.Context, in *swfapi.UndeprecateActivityTypeInput) error {
	return e.undeprecateType(ctx, store.ActivityType, *in.Domain, *in.ActivityType.Name, *in.ActivityType.Version)
}

// UndeprecateWorkflowType makes a deprecated workflow type usable again.
func (e *Engine) UndeprecateWorkflowType(ctx context.Context, in *swfapi.UndeprecateWorkflowTypeInput) error {
	return e.undeprecateType(ctx, store.WorkflowType, *in.Domain, *in.WorkflowType.Name, *in.WorkflowType.Version)
}

// DeleteActivityType removes a deprecated activity type for good.
func (e *Engine) DeleteActivityType(ctx context.Context, in *swfapi.DeleteActivityTypeInput) error {
	return e.deleteType(ctx, store.ActivityType, *in.Domain, *in.ActivityType.Name, *in.ActivityType.Version)
}

// DeleteWorkflowType removes a deprecated workflow type for good.
func (e *Engine) DeleteWorkflowType(ctx context.Context, in *swfapi.DeleteWorkflowTypeInput) error {
	return e.deleteType(ctx, store.WorkflowType, *in.Domain, *in.WorkflowType.Name, *in.WorkflowType.Version)
}
