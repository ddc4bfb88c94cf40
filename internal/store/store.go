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
	// ErrUnavailable: the database could not do the work for a reason
	// outside the request: it cannot be reached, it is shutting down, its
	// disk is full or failing. Asking again later may succeed. A write
	// that fails with it was not committed, except when the connection was
	// lost during the COMMIT itself, whose outcome nobody can know.
	ErrUnavailable = errors.New("store: the database is unavailable")
)

// Unavailable marks err, the cause of an outage, as ErrUnavailable; the
// cause stays in the chain (errors.Is, errors.As) and in the message. Its
// Unavailable method lets packages that do not import store, the wire,
// tell an outage from a bug.
func Unavailable(err error) error {
	if err == nil || errors.Is(err, ErrUnavailable) {
		return err
	}
	return &unavailableError{cause: err}
}

type unavailableError struct{ cause error }

func (e *unavailableError) Error() string { return ErrUnavailable.Error() + ": " + e.cause.Error() }

func (e *unavailableError) Unwrap() []error { return []error{ErrUnavailable, e.cause} }

// Unavailable reports that the error is an outage, not a bug.
func (e *unavailableError) Unavailable() bool { return true }

// Store opens transactions. A Write that returns nil has been committed
// durably: it survives a crash of the process or the machine.
type Store interface {
	// Write runs fn in a read-write transaction and commits it when fn
	// returns nil; any error rolls back everything fn did. A store shared
	// by several processes may run fn more than once (its transaction
	// conflicted with another's and was rolled back): fn must start from
	// scratch each time, setting what it reports rather than adding to it.
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
	// DomainGetByID returns the domain or ErrNotFound.
	DomainGetByID(ctx context.Context, id int64) (*Domain, error)
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
	// TypeGetAhead tells the store that the transaction will likely ask
	// TypeGet for these types: a store to which a read costs a round trip
	// may read them with its next statement, after it, so that TypeGet
	// then costs none. It reads nothing itself, and TypeGet answers as
	// always (what the transaction changed of the types included).
	TypeGetAhead(ctx context.Context, keys []TypeKey)
	// TypeCount counts a domain's types of one kind, of every status.
	TypeCount(ctx context.Context, domainID int64, kind TypeKind) (int, error)
	TypeList(ctx context.Context, p TypeListParams) ([]*Type, error)
	TypeSetStatus(ctx context.Context, k TypeKey, c StatusChange) error
	// TypeDeprecateAll deprecates every registered type of the domain.
	TypeDeprecateAll(ctx context.Context, domainID int64, at time.Time) error
	// TypeDelete removes the type; ErrNotFound if there is none.
	TypeDelete(ctx context.Context, k TypeKey) error

	// StartLookup makes the reads that a start of a run decides on, at
	// once: in one round trip on a store that can (see StartLookup).
	StartLookup(ctx context.Context, l StartLookup) (*StartFound, error)

	ExecutionTx
	TaskTx

	// DeleteAll removes every domain and all it holds (types, tags, runs,
	// histories, tasks, timers), keeping the server's own settings (Meta):
	// the reset of a development server between tests.
	DeleteAll(ctx context.Context) error

	// MetaGet returns a server-wide setting, or ErrNotFound.
	MetaGet(ctx context.Context, key string) ([]byte, error)
	// MetaPutIfAbsent stores value under key unless the key has one, and
	// returns the value that is stored afterwards.
	MetaPutIfAbsent(ctx context.Context, key string, value []byte) ([]byte, error)
	// MetaPut stores value under key, replacing what it held.
	MetaPut(ctx context.Context, key string, value []byte) error
}

// StartLookup names what a start of a run reads before it decides: a
// domain by name, a type of it, its open run of a workflowId, and its
// open-run count. Each is read as its own Tx method reads it, with the
// same locks in a write (DomainGetByName, TypeGet, ExecutionFind of the
// open run, ExecutionCountOpen), in that order; they depend only on the
// request, so that a store may send them together.
type StartLookup struct {
	Domain        string
	Kind          TypeKind
	Name, Version string
	WorkflowID    string
}

// StartFound is what a StartLookup found. When there is no such domain,
// Domain is nil and so is the rest.
type StartFound struct {
	Domain *Domain
	// Type is nil when the domain has no such type.
	Type *Type
	// Open is the domain's open run of the workflowId, nil when none.
	Open *Execution
	// OpenCount is ExecutionCountOpen of the domain.
	OpenCount int
}

// StartLookupInTurn makes a StartLookup with one Tx call after another:
// the StartLookup of a store that gains nothing by sending them together.
func StartLookupInTurn(ctx context.Context, tx Tx, l StartLookup) (*StartFound, error) {
	var f StartFound
	d, err := tx.DomainGetByName(ctx, l.Domain)
	if errors.Is(err, ErrNotFound) {
		return &f, nil
	}
	if err != nil {
		return nil, err
	}
	f.Domain = d
	ty, err := tx.TypeGet(ctx, TypeKey{DomainID: d.ID, Kind: l.Kind, Name: l.Name, Version: l.Version})
	switch {
	case err == nil:
		f.Type = ty
	case !errors.Is(err, ErrNotFound):
		return nil, err
	}
	open, err := tx.ExecutionFind(ctx, d.ID, l.WorkflowID, "")
	switch {
	case err == nil:
		f.Open = open
	case !errors.Is(err, ErrNotFound):
		return nil, err
	}
	if f.OpenCount, err = tx.ExecutionCountOpen(ctx, d.ID); err != nil {
		return nil, err
	}
	return &f, nil
}

// Execution is a run of a workflow: the columns that lookups and listings
// use, and the JSON of the rest of its state.
type Execution struct {
	ID               int64
	DomainID         int64
	WorkflowID       string
	RunID            string
	TypeName         string
	TypeVersion      string
	Open             bool
	CloseStatus      *string
	StartedAt        time.Time
	ClosedAt         *time.Time
	ParentWorkflowID *string
	ParentRunID      *string
	CancelRequested  bool
	Tags             []string
	State            []byte
}

// Event is a history event: its id and its JSON.
type Event struct {
	ID   int64
	Data []byte
}

// EventListParams selects a page of a run's history.
type EventListParams struct {
	ExecutionID int64
	// After is the id of the last event of the previous page (0 to start);
	// with Reverse, the page starts before it (0: from the end).
	After int64
	// Upto, when not 0, is the last event id the history is read to.
	Upto    int64
	Reverse bool
	Limit   int
}

// Activity is an open activity task of a run.
type Activity struct {
	ExecutionID      int64
	ScheduledEventID int64
	ActivityID       string
	StartedEventID   int64
	CancelRequested  bool
	HeartbeatDetails *string
	LastHeartbeat    *time.Time
	Data             []byte
}

// Heartbeat is a RecordActivityTaskHeartbeat for a started activity.
type Heartbeat struct {
	ExecutionID      int64
	ScheduledEventID int64
	StartedEventID   int64
	Details          *string
	At               time.Time
}

// ExecutionFilter selects runs of a domain for listing and counting; unset
// fields do not filter.
type ExecutionFilter struct {
	DomainID int64
	Open     bool
	// Time ranges are inclusive.
	StartedFrom, StartedTo *time.Time
	ClosedFrom, ClosedTo   *time.Time
	TypeName               *string
	TypeVersion            *string
	Tag                    *string
	WorkflowID             *string
	CloseStatus            *string
}

// ExecutionListParams selects a page of runs, newest first unless Reverse.
type ExecutionListParams struct {
	ExecutionFilter
	// ByCloseTime orders by close time instead of start time.
	ByCloseTime bool
	Reverse     bool
	// AfterTime and AfterID, when AfterTime is set, start the page after
	// that run in the listing's order.
	AfterTime *time.Time
	AfterID   int64
	Limit     int
}

// ExecutionTx is what can be done to runs, their histories and activities.
type ExecutionTx interface {
	// ExecutionInsert adds a run and returns its id, one the store has
	// never handed out before (task tokens name runs by id: a token of a
	// deleted run must not name a new one); ErrExists if the domain
	// already has an open run with the same workflowId.
	ExecutionInsert(ctx context.Context, e *Execution) (int64, error)
	// ExecutionGet returns the run with this id, or ErrNotFound.
	ExecutionGet(ctx context.Context, id int64) (*Execution, error)
	// ExecutionFind returns a domain's run by workflowId and runId, or its
	// open run when runID is empty; ErrNotFound if there is none.
	ExecutionFind(ctx context.Context, domainID int64, workflowID, runID string) (*Execution, error)
	// ExecutionUpdate writes a run's status, flags and state.
	ExecutionUpdate(ctx context.Context, e *Execution) error
	// ExecutionDelete removes a run with its history, for good.
	ExecutionDelete(ctx context.Context, id int64) error
	// ExecutionCountOpen counts a domain's open runs.
	ExecutionCountOpen(ctx context.Context, domainID int64) (int, error)
	ExecutionList(ctx context.Context, p ExecutionListParams) ([]*Execution, error)
	ExecutionCount(ctx context.Context, f ExecutionFilter) (int, error)

	// EventInsert appends events to a run's history.
	EventInsert(ctx context.Context, executionID int64, events []Event) error
	EventList(ctx context.Context, p EventListParams) ([]Event, error)
	// EventListAtCommit is EventList of the history as the transaction
	// leaves it, read at its end or once it has committed: a store may
	// send the read with the commit, in its round trip, or make it after.
	// It is for events that no later write changes (those up to a started
	// decision task). The function it returns gives the page once Write
	// (or Read) has returned nil.
	EventListAtCommit(ctx context.Context, p EventListParams) func() ([]Event, error)

	// ActivityList returns a run's open activities by scheduled event id.
	ActivityList(ctx context.Context, executionID int64) ([]*Activity, error)
	// ActivityCount counts a run's open activities.
	ActivityCount(ctx context.Context, executionID int64) (int, error)
	// ActivityPut adds or replaces an open activity.
	ActivityPut(ctx context.Context, a *Activity) error
	ActivityDelete(ctx context.Context, executionID, scheduledEventID int64) error
	ActivityDeleteAll(ctx context.Context, executionID int64) error
	// ActivityHeartbeat records a heartbeat of a started activity and
	// reports whether its cancellation was requested; ErrNotFound if no
	// open activity has that scheduled and started event.
	ActivityHeartbeat(ctx context.Context, h Heartbeat) (cancelRequested bool, err error)
}

// Task is a decision or activity task waiting on a task list.
type Task struct {
	ID               int64
	DomainID         int64
	Kind             string
	TaskList         string
	Priority         int32
	ExecutionID      int64
	ScheduledEventID int64
}

// TaskListKey names a task list of one kind in a domain.
type TaskListKey struct {
	DomainID int64
	Kind     string
	TaskList string
}

// Timer is a durable deadline of a run.
type Timer struct {
	ID          int64
	Due         time.Time
	ExecutionID int64
	Kind        string
	Ref         int64
}

// TaskTx is what can be done to task lists and timers.
type TaskTx interface {
	TaskInsert(ctx context.Context, t *Task) error
	// TaskDelete takes a run's task off its list, if it is there.
	TaskDelete(ctx context.Context, executionID int64, kind string, scheduledEventID int64) error
	TaskDeleteAll(ctx context.Context, executionID int64) error
	// TaskNext returns the task a poller of the list gets next (highest
	// priority, then oldest), or ErrNotFound.
	TaskNext(ctx context.Context, k TaskListKey) (*Task, error)
	// TaskTake takes the task a poller of the list gets next off the list
	// and returns it, or ErrNotFound.
	TaskTake(ctx context.Context, k TaskListKey) (*Task, error)
	TaskCount(ctx context.Context, k TaskListKey) (int, error)
	// TaskListCounts returns the task lists that have tasks waiting, with
	// how many, most first (then by domain, kind and name), at most limit
	// of them; of one domain, or of all when domainID is 0.
	TaskListCounts(ctx context.Context, domainID int64, limit int) ([]TaskListCount, error)

	// TimerPut arms a timer, replacing the run's timer of the same kind and
	// ref.
	TimerPut(ctx context.Context, t *Timer) error
	TimerDelete(ctx context.Context, executionID int64, kind string, ref int64) error
	TimerDeleteAll(ctx context.Context, executionID int64) error
	// TimerNext returns the timer due first, or ErrNotFound.
	TimerNext(ctx context.Context) (*Timer, error)
	// TimerDue returns up to limit timers due at now, earliest first.
	TimerDue(ctx context.Context, now time.Time, limit int) ([]*Timer, error)
	// TimerDeleteByID removes a timer and reports whether it was there.
	TimerDeleteByID(ctx context.Context, id int64) (bool, error)
}

// OneStatementReader is implemented by stores that can run a read of one
// statement outside any transaction, on the statement's own snapshot,
// which costs them less than a Read (on PostgreSQL, no BEGIN and no
// ROLLBACK: one round trip instead of two). See ReadOne.
type OneStatementReader interface {
	// ReadOne is Read for an fn that makes one statement at most: a
	// second statement fails, and so does one that would write.
	ReadOne(ctx context.Context, fn func(Tx) error) error
}

// ReadOne runs fn, which reads with one statement at most (one Tx call
// that reads one thing: a run, a task, a page of history), on a consistent
// snapshot: the statement's own on stores that are OneStatementReaders,
// a Read on the others.
func ReadOne(ctx context.Context, s Store, fn func(Tx) error) error {
	if r, ok := s.(OneStatementReader); ok {
		return r.ReadOne(ctx, fn)
	}
	return s.Read(ctx, fn)
}

// Heartbeater is implemented by stores that record a heartbeat on their
// own, in one round trip, rather than in a Write: it is the call workers
// make most often. ActivityHeartbeatNow is Tx.ActivityHeartbeat in a write
// of its own, committed durably before it returns.
type Heartbeater interface {
	ActivityHeartbeatNow(ctx context.Context, h Heartbeat) (cancelRequested bool, err error)
}

// OpenRunQuota is implemented by stores that check a domain's open-run
// quota again when a write commits, because several processes may start
// runs in one domain at once and the engine's check, before the write,
// sees only what was committed. A write that would go over the quota fails
// at commit and runs again (its function then sees the runs that won).
type OpenRunQuota interface {
	// EnforceOpenExecutions sets the quota: the most open runs a domain
	// may have; 0 checks nothing.
	EnforceOpenExecutions(limit int)
}

// Shared is implemented by stores that several server processes use at
// once (PostgreSQL): what one process commits, the others must hear of, so
// that their long polls and timer loops wake without waiting for a
// deadline.
type Shared interface {
	// Announce tells every process listening to the store about tasks
	// queued and timers armed by a committed transaction.
	Announce(ctx context.Context, a Announcement) error
	// Listen calls fn with each announcement, from every process, until ctx
	// ends. When it may have missed some (it has just connected or
	// reconnected) it calls fn with Resync set.
	Listen(ctx context.Context, fn func(Announcement))
}

// Divided is implemented by shared stores that keep a budget of their own
// meant for all the processes sharing the store (PostgreSQL's heartbeat
// batches under way): the engine tells them how many processes are alive,
// as it does its limits, and each keeps its share.
type Divided interface {
	// SetShare makes the store keep 1/n of the budget (one unit at least).
	SetShare(n int)
}

// Announcement is news of committed changes, passed between the processes
// sharing a store.
type Announcement struct {
	// From names the process that made the changes, so that it can ignore
	// its own news.
	From string `json:"from,omitempty"`
	// Tasks are the lists that got tasks, and how many.
	Tasks []TaskListCount `json:"tasks,omitempty"`
	// Timers is set when timers were armed.
	Timers bool `json:"timers,omitempty"`
	// Resync means news may have been missed: look at every list and timer.
	Resync bool `json:"resync,omitempty"`
	// Want are task lists the sender has pollers waiting on: the others
	// announce the tasks they queue on those lists for a while.
	Want []TaskListKey `json:"want,omitempty"`
	// Bye: the sender is stopping.
	Bye bool `json:"bye,omitempty"`
}

// TaskListCount is a number of tasks queued on a task list.
type TaskListCount struct {
	TaskListKey
	N int `json:"n"`
}
