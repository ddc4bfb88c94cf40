// Package engine carries out the SWF operations: it checks what the model
// cannot (existence, status, quotas), runs each change in one store
// transaction and builds the answers. It implements swfapi.Service; the
// operations it does not implement yet answer that they are not
// implemented.
package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/internal/pagetoken"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
)

// Limits are the quotas SWF enforces; the defaults are Amazon SWF's
// published values, and an operator may raise them.
type Limits struct {
	// Domains is the most domains an account may have, registered and
	// deprecated together.
	Domains int
	// TypesPerDomain bounds the activity types, and separately the workflow
	// types, of one domain (registered and deprecated together).
	TypesPerDomain int
	// DomainTags is the most tags a domain may carry.
	DomainTags int
}

// DefaultLimits are Amazon SWF's quotas.
var DefaultLimits = Limits{
	Domains:        100,
	TypesPerDomain: 10000,
	DomainTags:     50,
}

// Config is what the engine needs to know about the deployment.
type Config struct {
	// Partition, Region and AccountID make up the ARNs of domains.
	Partition string
	Region    string
	AccountID string
	Limits    Limits
}

// Engine implements the SWF API on a store.
type Engine struct {
	swfapi.UnimplementedService

	cfg   Config
	store store.Store
	clock clock.Clock
	pages *pagetoken.Codec
}

var _ swfapi.Service = (*Engine)(nil)

// New returns an engine. pageKey signs page tokens; servers that share a
// database must share it.
func New(cfg Config, s store.Store, c clock.Clock, pageKey []byte) *Engine {
	if cfg.Partition == "" {
		cfg.Partition = "aws"
	}
	return &Engine{cfg: cfg, store: s, clock: c, pages: pagetoken.New(pageKey)}
}

// now is the current time at the millisecond precision SWF stores.
func (e *Engine) now() time.Time {
	return e.clock.Now().UTC().Truncate(time.Millisecond)
}

// fault builds an SWF fault with a formatted message.
func fault(code, format string, args ...any) error {
	return swfapi.Errorf(code, format, args...)
}

func unknownDomain(name string) error {
	return fault(swfapi.CodeUnknownResourceFault, "Unknown domain: %s", name)
}

// getDomain loads a domain by name, answering UnknownResourceFault when
// there is none.
func getDomain(ctx context.Context, tx store.Tx, name string) (*store.Domain, error) {
	d, err := tx.DomainGetByName(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, unknownDomain(name)
	}
	return d, err
}

// getRegisteredDomain loads a domain in which new things may be created:
// a deprecated domain accepts no new types or executions.
func getRegisteredDomain(ctx context.Context, tx store.Tx, name string) (*store.Domain, error) {
	d, err := getDomain(ctx, tx, name)
	if err != nil {
		return nil, err
	}
	if d.Status != store.StatusRegistered {
		return nil, fault(swfapi.CodeUnknownResourceFault, "Domain is deprecated: %s", name)
	}
	return d, nil
}

// pageSize turns maximumPageSize into a limit: absent or 0 means the
// maximum, 1000.
func pageSize(p *int32) int {
	if p == nil || *p <= 0 || *p > 1000 {
		return 1000
	}
	return int(*p)
}

// openPageToken returns the cursor inside a nextPageToken, or nil when the
// call starts from the beginning.
func (e *Engine) openPageToken(token *string, scope string) ([]string, error) {
	if token == nil || *token == "" {
		return nil, nil
	}
	cursor, err := e.pages.Open(*token, scope, e.clock.Now())
	if err != nil {
		return nil, swfapi.NewValidationError("nextPageToken", *token, err.Error())
	}
	return cursor, nil
}

// scopeOf describes a listing's arguments (plain values, not pointers)
// for binding page tokens to them.
func scopeOf(parts ...any) string {
	return fmt.Sprintf("%#v", parts)
}
