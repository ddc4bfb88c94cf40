package engine

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
)

// domainFromARN finds the domain an ARN names. Only domains can be tagged,
// and only those of this server's region and account.
func (e *Engine) domainFromARN(ctx context.Context, tx store.Tx, arn string) (*store.Domain, error) {
	name, ok := strings.CutPrefix(arn, e.domainARNPrefix())
	if !ok || name == "" {
		return nil, fault(swfapi.CodeUnknownResourceFault, "Unknown resource: %s", arn)
	}
	d, err := tx.DomainGetByName(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fault(swfapi.CodeUnknownResourceFault, "Unknown resource: %s", arn)
	}
	return d, err
}

// mergeTags applies tags over existing ones, a later value of a key
// replacing an earlier one, and returns the result ordered by key.
func mergeTags(existing []store.Tag, tags []swfapi.ResourceTag) []store.Tag {
	byKey := map[string]string{}
	for _, t := range existing {
		byKey[t.Key] = t.Value
	}
	for _, t := range tags {
		byKey[*t.Key] = swfapi.Deref(t.Value)
	}
	out := make([]store.Tag, 0, len(byKey))
	for k, v := range byKey {
		out = append(out, store.Tag{Key: k, Value: v})
	}
	slices.SortFunc(out, func(a, b store.Tag) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// TagResource adds tags to a domain, replacing the values of keys it has.
func (e *Engine) TagResource(ctx context.Context, in *swfapi.TagResourceInput) error {
	return e.store.Write(ctx, func(tx store.Tx) error {
		d, err := e.domainFromARN(ctx, tx, *in.ResourceArn)
		if err != nil {
			return err
		}
		existing, err := tx.DomainTagList(ctx, d.ID)
		if err != nil {
			return err
		}
		if merged := mergeTags(existing, in.Tags); len(merged) > e.cfg.Limits.DomainTags {
			return fault(swfapi.CodeTooManyTagsFault, "A domain can have at most %d tags; this would make %d", e.cfg.Limits.DomainTags, len(merged))
		}
		return tx.DomainTagPut(ctx, d.ID, mergeTags(nil, in.Tags))
	})
}

// UntagResource removes tags from a domain; keys it does not have are
// ignored.
func (e *Engine) UntagResource(ctx context.Context, in *swfapi.UntagResourceInput) error {
	return e.store.Write(ctx, func(tx store.Tx) error {
		d, err := e.domainFromARN(ctx, tx, *in.ResourceArn)
		if err != nil {
			return err
		}
		return tx.DomainTagDelete(ctx, d.ID, in.TagKeys)
	})
}

// ListTagsForResource returns a domain's tags, ordered by key.
func (e *Engine) ListTagsForResource(ctx context.Context, in *swfapi.ListTagsForResourceInput) (*swfapi.ListTagsForResourceOutput, error) {
	out := &swfapi.ListTagsForResourceOutput{Tags: []swfapi.ResourceTag{}}
	err := e.store.Read(ctx, func(tx store.Tx) error {
		d, err := e.domainFromARN(ctx, tx, *in.ResourceArn)
		if err != nil {
			return err
		}
		tags, err := tx.DomainTagList(ctx, d.ID)
		for _, t := range tags {
			out.Tags = append(out.Tags, swfapi.ResourceTag{Key: swfapi.Ptr(t.Key), Value: swfapi.Ptr(t.Value)})
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
