// Package engine carries out the SWF operations: it checks what the model
// cannot (existence, status, quotas), runs each change in one store
// transaction and builds the answers. It implements swfapi.Service. The
// state machine of runs is package workflow: the engine loads runs, applies
// their transitions and writes the effects.
package engine

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/openswf/openswf/internal/archive"
	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/internal/lambda"
	"github.com/openswf/openswf/internal/matching"
	"github.com/openswf/openswf/internal/pagetoken"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/tasktoken"
	"github.com/openswf/openswf/internal/throttle"
	"github.com/openswf/openswf/internal/workflow"
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
	// OpenExecutions bounds the open runs of a domain.
	OpenExecutions int
	// PollersPerTaskList bounds the long polls waiting on one task list.
	PollersPerTaskList int
	// RetentionDays is the longest workflowExecutionRetentionPeriodInDays
	// a domain may be registered with (an openswf extension: Amazon SWF's
	// is 90).
	RetentionDays int
	// Run holds the quotas of a single run.
	Run workflow.Limits
	// Sizes bounds the data members of requests.
	Sizes swfapi.SizeLimits
}

// WithDefaults fills the zero fields of l with Amazon SWF's values.
func (l Limits) WithDefaults() Limits {
	d := DefaultLimits
	l.Domains = cmp.Or(l.Domains, d.Domains)
	l.TypesPerDomain = cmp.Or(l.TypesPerDomain, d.TypesPerDomain)
	l.DomainTags = cmp.Or(l.DomainTags, d.DomainTags)
	l.OpenExecutions = cmp.Or(l.OpenExecutions, d.OpenExecutions)
	l.PollersPerTaskList = cmp.Or(l.PollersPerTaskList, d.PollersPerTaskList)
	l.RetentionDays = cmp.Or(l.RetentionDays, d.RetentionDays)
	r, dr := &l.Run, d.Run
	r.OpenActivities = cmp.Or(r.OpenActivities, dr.OpenActivities)
	r.OpenTimers = cmp.Or(r.OpenTimers, dr.OpenTimers)
	r.OpenChildren = cmp.Or(r.OpenChildren, dr.OpenChildren)
	r.OpenLambdas = cmp.Or(r.OpenLambdas, dr.OpenLambdas)
	r.HistoryEvents = cmp.Or(r.HistoryEvents, dr.HistoryEvents)
	r.MaxExecutionSeconds = cmp.Or(r.MaxExecutionSeconds, dr.MaxExecutionSeconds)
	z, dz := &l.Sizes, d.Sizes
	z.Data = cmp.Or(z.Data, dz.Data)
	z.LimitedData = cmp.Or(z.LimitedData, dz.LimitedData)
	z.FunctionInput = cmp.Or(z.FunctionInput, dz.FunctionInput)
	return l
}

// DefaultLimits are Amazon SWF's quotas.
var DefaultLimits = Limits{
	Domains:            100,
	TypesPerDomain:     10000,
	DomainTags:         50,
	OpenExecutions:     100000,
	PollersPerTaskList: 1000,
	RetentionDays:      90,
	Run:                workflow.DefaultLimits,
	Sizes:              swfapi.DefaultSizeLimits,
}

// DefaultLongPollWait is how long SWF holds a poll that finds no task.
const DefaultLongPollWait = 60 * time.Second

// Config is what the engine needs to know about the deployment.
type Config struct {
	// Partition, Region and AccountID make up the ARNs of domains.
	Partition string
	Region    string
	AccountID string
	Limits    Limits
	// LongPollWait is how long a poll waits for a task before answering
	// that there is none.
	LongPollWait time.Duration
	// CallClock times what callers live through in their own time: how
	// long a long poll waits, how fast API throttles refill. nil: the
	// engine's clock. A server whose clock moves only when told (a manual
	// clock) still answers empty polls after LongPollWait of real time.
	CallClock clock.Clock
	// Lambda invokes functions for Lambda tasks; nil means the server has
	// no Lambda service (ScheduleLambdaFunction then fails with
	// LAMBDA_SERVICE_NOT_AVAILABLE_IN_REGION).
	Lambda lambda.Invoker
	// DecisionRates are the token buckets that limit, across the server,
	// how often each kind of decision that creates things may be made
	// (keyed by decision type); nil limits nothing.
	DecisionRates map[string]throttle.Rate
	// APIRates limit, across the server, how often each operation may be
	// called (keyed by operation), and ExecutionAPIRates how often some
	// may be called on one workflow execution; nil limits nothing. Calls
	// beyond them answer ThrottlingException.
	APIRates, ExecutionAPIRates map[string]throttle.Rate
	// Wall is the clock of the engine's housekeeping on a shared store —
	// how often polls look again, how often servers tell each other what
	// they wait on and how long that holds — which, unlike SWF's
	// timeouts, has no meaning to clients (nil: the real clock).
	Wall clock.Clock
	// PollRelook is how often, at the least, a waiting long poll looks for
	// a task again on a store that several servers share (default
	// DefaultPollRelook); on a store of one server, polls look when woken.
	PollRelook time.Duration
	// Archive, when set, receives each closed run when its retention
	// ends, before the run is deleted (an openswf extension).
	Archive archive.Archive
	// MaxPolls bounds the long polls waiting on this server, and
	// MaxPollsPerUser those of one user (with a users file); beyond them a
	// poll answers LimitExceededFault. Zero bounds nothing.
	MaxPolls, MaxPollsPerUser int
	// Logger receives what goes wrong in the background, and an audit
	// line (at info) for each call a user's policies deny.
	Logger *slog.Logger
	// Observe, when set, hears after each commit what it recorded in each
	// run, for metrics. It must be quick and must not call the engine.
	Observe func(Observation)
}

// SWFDecisionRates are Amazon SWF's decision throttles (per account). The
// two it does not publish, for ContinueAsNewWorkflowExecution and
// ScheduleLambdaFunction, take those of StartChildWorkflowExecution and
// ScheduleActivityTask.
var SWFDecisionRates = map[string]throttle.Rate{
	string(swfapi.DecisionTypeScheduleActivityTask):                   {Burst: 1000, PerSecond: 200},
	string(swfapi.DecisionTypeStartTimer):                             {Burst: 2000, PerSecond: 200},
	string(swfapi.DecisionTypeStartChildWorkflowExecution):            {Burst: 500, PerSecond: 12},
	string(swfapi.DecisionTypeSignalExternalWorkflowExecution):        {Burst: 1200, PerSecond: 120},
	string(swfapi.DecisionTypeRequestCancelExternalWorkflowExecution): {Burst: 1200, PerSecond: 120},
	string(swfapi.DecisionTypeContinueAsNewWorkflowExecution):         {Burst: 500, PerSecond: 12},
	string(swfapi.DecisionTypeScheduleLambdaFunction):                 {Burst: 1000, PerSecond: 200},
}

// TaskTokenKeyName is the Meta entry that holds the key of task tokens.
const TaskTokenKeyName = "task_token_key"

// Keys are the secrets that authenticate what the server hands out;
// servers sharing a database must share them.
type Keys struct {
	// PageToken signs nextPageToken values.
	PageToken []byte
	// TaskToken signs task tokens.
	TaskToken []byte
}

// Engine implements the SWF API on a store.
type Engine struct {
	cfg     Config
	store   store.Store
	clock   clock.Clock
	pages   *pagetoken.Codec
	tokens  *tasktoken.Codec
	matcher *matching.Matcher
	polls   pollCaps
	// busyLists holds the task lists (matching.Key) whose last claim on
	// this server started a task: on a shared store, a poll of one goes
	// straight to the writer, without looking first (see pollTaskList).
	busyLists sync.Map
	lambda    lambda.Invoker
	log       *slog.Logger
	// rates limits decisions; nil when there are no limits.
	rates workflow.RateLimiter
	// decisionRates is rates, when there are limits.
	decisionRates *throttle.Limiter
	// share is the number of servers the shared limits are divided by.
	share atomic.Int64
	// pollRelook is how often, on the wall clock, a waiting poll looks
	// again; 0: only when woken.
	pollRelook time.Duration
	wall       clock.Clock
	// apiRates and execRates limit calls, across the server and per
	// execution; nil when there are no limits.
	apiRates, execRates *throttle.Limiter
	// timerWake tells the timer loop that timers were armed, the earliest
	// due at the time given (zero: not known).
	timerWake func(due time.Time)
	// tokenOpened, when set (by tests), is told of each task token the
	// engine opens.
	tokenOpened func()
	// announcer tells other processes sharing the store of what this one
	// commits; nil when the store is not shared.
	announcer *announcer
	// fireMu makes firing due timers one pass at a time.
	fireMu sync.Mutex
	// domains caches the parts of domains that never change (id, name,
	// retention): domains are never deleted, and most calls only need to
	// know that theirs exists.
	domainsMu sync.RWMutex
	byName    map[string]*store.Domain
	byID      map[int64]*store.Domain
	// domainsGen counts Resets, which empty the cache.
	domainsGen uint64
	// stopping is closed when the server shuts down: long polls answer
	// at once that there is no task.
	stopping  chan struct{}
	closeOnce sync.Once
}

// StopPolls makes waiting long polls, and those that come later, answer
// at once that there is no task, so that a server can shut down without
// holding its clients for the rest of a poll.
func (e *Engine) StopPolls() {
	e.closeOnce.Do(func() { close(e.stopping) })
}

var _ swfapi.Service = (*Engine)(nil)

// New returns an engine on a store.
func New(cfg Config, s store.Store, c clock.Clock, keys Keys) *Engine {
	if cfg.Partition == "" {
		cfg.Partition = "aws"
	}
	if cfg.LongPollWait == 0 {
		cfg.LongPollWait = DefaultLongPollWait
	}
	if cfg.CallClock == nil {
		cfg.CallClock = c
	}
	cfg.Limits = cfg.Limits.WithDefaults()
	e := &Engine{
		cfg: cfg, store: s, clock: c,
		pages:    pagetoken.New(keys.PageToken),
		tokens:   tasktoken.New(keys.TaskToken),
		matcher:  matching.New(cfg.Limits.PollersPerTaskList),
		polls:    pollCaps{max: cfg.MaxPolls, maxPerUser: cfg.MaxPollsPerUser},
		stopping: make(chan struct{}),
		byName:   map[string]*store.Domain{},
		byID:     map[int64]*store.Domain{},
		lambda:   cfg.Lambda,
		log:      cmp.Or(cfg.Logger, slog.New(slog.DiscardHandler)),
	}
	if cfg.DecisionRates != nil {
		e.decisionRates = throttle.New(cfg.DecisionRates)
		e.rates = e.decisionRates
	}
	if cfg.APIRates != nil {
		e.apiRates = throttle.New(cfg.APIRates)
	}
	if cfg.ExecutionAPIRates != nil {
		e.execRates = throttle.New(cfg.ExecutionAPIRates)
	}
	e.share.Store(1)
	e.wall = cfg.Wall
	if e.wall == nil {
		e.wall = clock.Real{}
	}
	if shared, ok := s.(store.Shared); ok {
		e.announcer = newAnnouncer(shared, e.wall)
		e.matcher.OnFirst(e.announcer.waiting)
		e.matcher.OnUnclaimed(func(k matching.Key) { e.announcer.add(wakeups{tasks: map[matching.Key]int{k: 1}}) })
		e.pollRelook = cmp.Or(cfg.PollRelook, DefaultPollRelook)
	}
	if q, ok := s.(store.OpenRunQuota); ok {
		q.EnforceOpenExecutions(cfg.Limits.OpenExecutions)
	}
	return e
}

// OnTimersArmed sets what the engine calls after committing new timers:
// the timer loop's Notify, told when the earliest of them falls due (zero
// when not known) so that it wakes only for a timer due before the one it
// waits for, each wake costing a look at the store.
func (e *Engine) OnTimersArmed(fn func(due time.Time)) { e.timerWake = fn }

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

// domain returns a domain by name from the cache, or the store, answering
// UnknownResourceFault when there is none. Its Status may be stale: what
// depends on the status reads the domain with getDomain.
func (e *Engine) domain(ctx context.Context, tx store.Tx, name string) (*store.Domain, error) {
	e.domainsMu.RLock()
	d, ok := e.byName[name]
	gen := e.domainsGen
	e.domainsMu.RUnlock()
	if ok {
		return d, nil
	}
	d, err := getDomain(ctx, tx, name)
	if err != nil {
		return nil, err
	}
	e.cacheDomain(d, gen)
	return d, nil
}

// domainByID returns a domain by id, from the cache or the store (Status
// may be stale).
func (e *Engine) domainByID(ctx context.Context, tx store.Tx, id int64) (*store.Domain, error) {
	e.domainsMu.RLock()
	d, ok := e.byID[id]
	gen := e.domainsGen
	e.domainsMu.RUnlock()
	if ok {
		return d, nil
	}
	d, err := tx.DomainGetByID(ctx, id)
	if err != nil {
		return nil, err
	}
	e.cacheDomain(d, gen)
	return d, nil
}

// cacheDomain remembers a domain read while the cache was at generation
// gen; a domain read before a Reset is not remembered after it.
func (e *Engine) cacheDomain(d *store.Domain, gen uint64) {
	e.domainsMu.Lock()
	if gen == e.domainsGen {
		e.byName[d.Name] = d
		e.byID[d.ID] = d
	}
	e.domainsMu.Unlock()
}

// Reset empties the store: every domain and all it holds, as if the server
// were new. Task tokens issued before answer UnknownResourceFault. It is the reset of a development server
// between tests. Other servers sharing the store keep the domains they
// cached until they restart: reset a server that shares its store with none.
func (e *Engine) Reset(ctx context.Context) error {
	e.fireMu.Lock() // no timer fires half before, half after
	defer e.fireMu.Unlock()
	// A new task-token key: the ids of runs start again, and a token from
	// before must not name a run from after.
	key := make([]byte, 32)
	rand.Read(key)
	err := e.store.Write(ctx, func(tx store.Tx) error {
		if err := tx.DeleteAll(ctx); err != nil {
			return err
		}
		return tx.MetaPut(ctx, TaskTokenKeyName, key)
	})
	if err != nil {
		return err
	}
	e.tokens.Rekey(key)
	e.domainsMu.Lock()
	clear(e.byName)
	clear(e.byID)
	e.domainsGen++
	e.domainsMu.Unlock()
	return nil
}

// getRegisteredDomain loads a domain in which new things may be created:
// a deprecated domain accepts no new types or executions.
func getRegisteredDomain(ctx context.Context, tx store.Tx, name string) (*store.Domain, error) {
	d, err := getDomain(ctx, tx, name)
	if err != nil {
		return nil, err
	}
	if err := registered(d); err != nil {
		return nil, err
	}
	return d, nil
}

// registered answers UnknownResourceFault for a deprecated domain, in
// which nothing new may be created.
func registered(d *store.Domain) error {
	if d.Status != store.StatusRegistered {
		return fault(swfapi.CodeUnknownResourceFault, "Domain is deprecated: %s", d.Name)
	}
	return nil
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
