package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
)

// DomainARN is the ARN of a domain, as DescribeDomain reports it and the
// tagging operations take it.
func (e *Engine) DomainARN(name string) string {
	return e.domainARNPrefix() + name
}

func (e *Engine) domainARNPrefix() string {
	return "arn:" + e.cfg.Partition + ":swf:" + e.cfg.Region + ":" + e.cfg.AccountID + ":/domain/"
}

func (e *Engine) domainInfo(d *store.Domain) swfapi.DomainInfo {
	status := swfapi.RegistrationStatus(d.Status)
	return swfapi.DomainInfo{
		Name:        &d.Name,
		Status:      &status,
		Description: d.Description,
		Arn:         swfapi.Ptr(e.DomainARN(d.Name)),
	}
}

// RegisterDomain creates a domain, with its tags, in one transaction.
func (e *Engine) RegisterDomain(ctx context.Context, in *swfapi.RegisterDomainInput) error {
	retention := *in.WorkflowExecutionRetentionPeriodInDays
	if days, none, _ := swfapi.ParseDuration(retention); !none && days > int64(e.cfg.Limits.RetentionDays) {
		return swfapi.NewValidationError("workflowExecutionRetentionPeriodInDays", retention, fmt.Sprintf("Member must be NONE or a number of days from 0 to %d", e.cfg.Limits.RetentionDays))
	}
	tags := mergeTags(nil, in.Tags)
	if len(tags) > e.cfg.Limits.DomainTags {
		return fault(swfapi.CodeTooManyTagsFault, "A domain can have at most %d tags; %d were given", e.cfg.Limits.DomainTags, len(tags))
	}
	now := e.now()
	return e.store.Write(ctx, func(tx store.Tx) error {
		n, err := tx.DomainCount(ctx)
		if err != nil {
			return err
		}
		if _, err := tx.DomainGetByName(ctx, *in.Name); err == nil {
			return fault(swfapi.CodeDomainAlreadyExistsFault, "%s", *in.Name)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if n >= e.cfg.Limits.Domains {
			return fault(swfapi.CodeLimitExceededFault, "The account has reached its limit of %d domains (registered and deprecated)", e.cfg.Limits.Domains)
		}
		id, err := tx.DomainInsert(ctx, &store.Domain{
			Name:        *in.Name,
			Status:      store.StatusRegistered,
			Description: in.Description,
			Retention:   retention,
			CreatedAt:   now,
		})
		if errors.Is(err, store.ErrExists) {
			return fault(swfapi.CodeDomainAlreadyExistsFault, "%s", *in.Name)
		}
		if err != nil {
			return err
		}
		return tx.DomainTagPut(ctx, id, tags)
	})
}

// DescribeDomain returns a domain's information and configuration.
func (e *Engine) DescribeDomain(ctx context.Context, in *swfapi.DescribeDomainInput) (*swfapi.DomainDetail, error) {
	var out *swfapi.DomainDetail
	err := e.store.Read(ctx, func(tx store.Tx) error {
		d, err := getDomain(ctx, tx, *in.Name)
		if err != nil {
			return err
		}
		info := e.domainInfo(d)
		out = &swfapi.DomainDetail{
			DomainInfo:    &info,
			Configuration: &swfapi.DomainConfiguration{WorkflowExecutionRetentionPeriodInDays: &d.Retention},
		}
		return nil
	})
	return out, err
}

// ListDomains pages through the domains of one status, by name.
func (e *Engine) ListDomains(ctx context.Context, in *swfapi.ListDomainsInput) (*swfapi.DomainInfos, error) {
	status := string(*in.RegistrationStatus)
	reverse := swfapi.Deref(in.ReverseOrder)
	scope := scopeOf("ListDomains", status, reverse)
	cursor, err := e.openPageToken(in.NextPageToken, scope)
	if err != nil {
		return nil, err
	}
	p := store.DomainListParams{Status: status, Reverse: reverse, Limit: pageSize(in.MaximumPageSize) + 1}
	if len(cursor) == 1 {
		p.After = &cursor[0]
	}
	var domains []*store.Domain
	if err := e.store.Read(ctx, func(tx store.Tx) error {
		var err error
		domains, err = tx.DomainList(ctx, p)
		return err
	}); err != nil {
		return nil, err
	}
	out := &swfapi.DomainInfos{DomainInfos: []swfapi.DomainInfo{}}
	if len(domains) == p.Limit {
		domains = domains[:len(domains)-1]
		last := domains[len(domains)-1]
		out.NextPageToken = swfapi.Ptr(e.pages.Seal(scope, []string{last.Name}, e.clock.Now()))
	}
	for _, d := range domains {
		out.DomainInfos = append(out.DomainInfos, e.domainInfo(d))
	}
	return out, nil
}

// DeprecateDomain deprecates a domain and every type registered in it.
// Executions running in it go on.
func (e *Engine) DeprecateDomain(ctx context.Context, in *swfapi.DeprecateDomainInput) error {
	now := e.now()
	return e.store.Write(ctx, func(tx store.Tx) error {
		d, err := getDomain(ctx, tx, *in.Name)
		if err != nil {
			return err
		}
		if d.Status == store.StatusDeprecated {
			return fault(swfapi.CodeDomainDeprecatedFault, "%s", d.Name)
		}
		if err := tx.DomainSetStatus(ctx, d.ID, store.StatusChange{Status: store.StatusDeprecated, DeprecatedAt: &now}); err != nil {
			return err
		}
		return tx.TypeDeprecateAll(ctx, d.ID, now)
	})
}

// UndeprecateDomain makes a deprecated domain usable again. Its types stay
// deprecated until each is undeprecated.
func (e *Engine) UndeprecateDomain(ctx context.Context, in *swfapi.UndeprecateDomainInput) error {
	return e.store.Write(ctx, func(tx store.Tx) error {
		d, err := getDomain(ctx, tx, *in.Name)
		if err != nil {
			return err
		}
		if d.Status == store.StatusRegistered {
			return fault(swfapi.CodeDomainAlreadyExistsFault, "%s", d.Name)
		}
		return tx.DomainSetStatus(ctx, d.ID, store.StatusChange{Status: store.StatusRegistered})
	})
}
