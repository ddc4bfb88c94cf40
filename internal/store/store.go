// Package store is the persistence seam of openswf: the records it keeps and
// the transactional operations on them, independent of any database. The
// SQLite and PostgreSQL packages implement it; storetest checks that they
// behave alike.
//
// Methods are named NounVerb and take their arguments in *Params structs
// when there are more than a few. Times are passed in by the caller (from the
// injected clock), never read by the store.
package store

import (
	"context"
	"errors"
	"time"
)

// Errors the store reports; callers turn them into API faults.
var (
	// ErrNotFound: the record does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrExists: a record with the same key exists already.
	ErrExists = errors.New("store: already exists")
)

// Store opens transactions. A Write that returns nil has been committed
// durably: it survives a crash of the process or the machine.
type Store interface {
	// Write runs fn in a read-write transaction and commits it when fn
	// returns nil; any error rolls back everything fn did.
	Write(ctx context.Context, fn func(Tx) error) error
	// Read runs fn on a consistent read-only snapshot.
	Read(ctx context.Context, fn func(Tx) error) error
	// Close releases the database.
	Close() error
}

// Registration statuses of domains and types, as the API spells them.
const (
	StatusRegistered = "REGISTERED"
	StatusDeprecated = "DEPRECATED"
)

// Domain is a registered (or deprecated) domain.
type Domain struct {
	ID          int64
	Name        string
	Status      string
	Description *string
	// Retention is workflowExecutionRetentionPeriodInDays as registered.
	Retention    string
	CreatedAt    time.Time
	DeprecatedAt *time.Time
}

// TypeKind tells activity types from workflow types, which live side by
// side with the same rules.
type TypeKind string

// The two kinds of registered types.
const (
	ActivityType TypeKind = "activity"
	WorkflowType TypeKind = "workflow"
)

// Type is a registered activity or workflow type.
type Type struct {
	DomainID     int64
	Kind         TypeKind
	Name         string
	Version      string
	Status       string
	Description  *string
	CreatedAt    time.Time
	DeprecatedAt *time.Time
	// Config is the JSON of the type's configuration (its registration
	// defaults) exactly as it was given.
	Config []byte
}

// Tag is a resource tag on a domain.
type Tag struct {
	Key   string
	Value string
}

// DomainListParams selects a page of domains, ordered by name.
type DomainListParams struct {
	Status string
	// After, when set, starts the page after this name (before it when
	// Reverse).
	After   *string
	Reverse bool
	Limit   int
}

// TypeKey identifies a type within a domain.
type TypeKey struct {
	DomainID int64
	Kind     TypeKind
	Name     string
	Version  string
}

// TypeListParams selects a page of types, ordered by name then version.
type TypeListParams struct {
	DomainID int64
	Kind     TypeKind
	Status   string
	// Name, when set, keeps only the versions of that type name.
	Name *string
	// AfterName and AfterVersion, when AfterName is set, start the page after
	// that type (before it when Reverse).
	AfterName    *string
	AfterVersion string
	Reverse      bool
	Limit        int
}

// StatusChange moves a domain or type between REGISTERED and DEPRECATED;
// DeprecatedAt is set when deprecating and cleared otherwise.
type StatusChange struct {
	Status       string
	DeprecatedAt *time.Time
}

// Tx is what can be done inside a transaction.
type Tx interface {
	// DomainInsert adds d and returns its id; ErrExists if the name is taken.
	DomainInsert(ctx context.Context, d *Domain) (int64, error)
	// DomainGetByName returns the domain or ErrNotFound.
	DomainGetByName(ctx context.Context, name string) (*Domain, error)
	// DomainCount counts domains of every status.
	DomainCount(ctx context.Context) (int, error)
	DomainList(ctx context.Context, p DomainListParams) ([]*Domain, error)
	DomainSetStatus(ctx context.Context, id int64, c StatusChange) error

	// DomainTagList returns a domain's tags ordered by key.
	DomainTagList(ctx context.Context, domainID int64) ([]Tag, error)
	// DomainTagPut adds tags, replacing the values of existing keys.
	DomainTagPut(ctx context.Context, domainID int64, tags []Tag) error
	// DomainTagDelete removes the tags with these keys; absent keys are
	// ignored.
	DomainTagDelete(ctx context.Context, domainID int64, keys []string) error

	// TypeInsert adds t; ErrExists if its name and version are taken.
	TypeInsert(ctx context.Context, t *Type) error
	// TypeGet returns the type or ErrNotFound.
	TypeGet(ctx context.Context, k TypeKey) (*Type, error)
	// TypeCount counts a domain's types of one kind, of every status.
	TypeCount(ctx context.Context, domainID int64, kind TypeKind) (int, error)
	TypeList(ctx context.Context, p TypeListParams) ([]*Type, error)
	TypeSetStatus(ctx context.Context, k TypeKey, c StatusChange) error
	// TypeDeprecateAll deprecates every registered type of the domain.
	TypeDeprecateAll(ctx context.Context, domainID int64, at time.Time) error
	// TypeDelete removes the type; ErrNotFound if there is none.
	TypeDelete(ctx context.Context, k TypeKey) error

	// MetaGet returns a server-wide setting, or ErrNotFound.
	MetaGet(ctx context.Context, key string) ([]byte, error)
	// MetaPutIfAbsent stores value under key unless the key has one, and
	// returns the value that is stored afterwards.
	MetaPutIfAbsent(ctx context.Context, key string, value []byte) ([]byte, error)
}
