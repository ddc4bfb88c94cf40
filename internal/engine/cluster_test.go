package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/internal/matching"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/store/sqlite"
	"github.com/openswf/openswf/internal/store/sqlite/sqlitetest"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/throttle"
)

// These tests run several engines on one store, as servers sharing a
// PostgreSQL database do, with the store's announcements carried by an
// in-process bus that a test can make lose them: what the engines do with
// announcements, and without them, is what is tested, on a real (SQLite)
// store.

// bus carries announcements between the engines of a test.
type bus struct {
	mu        sync.Mutex
	listeners []func(store.Announcement)
	sent      []store.Announcement
	// lose drops every announcement: servers that die between their
	// commits and their announcements.
	lose bool
}

// node is one engine's view of the shared store: the store, the bus, and
// what the engine does with the store.
type node struct {
	store.Store
	bus *bus
	io  *nodeIO
}

// nodeIO counts one engine's transactions on the store, and can hold its
// writes.
type nodeIO struct {
	reads, writes atomic.Int64
	// held counts the writes that waited at a gate.
	held atomic.Int64
	mu   sync.Mutex
	// gate, when set, holds each write until it is closed.
	gate chan struct{}
	// share is what the engine last gave SetShare.
	share atomic.Int64
}

func (n node) Read(ctx context.Context, fn func(store.Tx) error) error {
	n.io.reads.Add(1)
	return n.Store.Read(ctx, fn)
}

func (n node) Write(ctx context.Context, fn func(store.Tx) error) error {
	n.io.writes.Add(1)
	n.io.mu.Lock()
	gate := n.io.gate
	n.io.mu.Unlock()
	if gate != nil {
		n.io.held.Add(1)
		<-gate
	}
	return n.Store.Write(ctx, fn)
}

// holdWrites makes the engine's writes wait until release is called, or
// the test ends.
func (n *nodeIO) holdWrites(t *testing.T) (release func()) {
	n.mu.Lock()
	defer n.mu.Unlock()
	gate := make(chan struct{})
	n.gate = gate
	release = sync.OnceFunc(func() {
		n.mu.Lock()
		n.gate = nil
		n.mu.Unlock()
		close(gate)
	})
	t.Cleanup(release)
	return release
}

func (n node) Announce(_ context.Context, a store.Announcement) error {
	b := n.bus
	b.mu.Lock()
	b.sent = append(b.sent, a)
	ls := slices.Clone(b.listeners)
	lose := b.lose
	b.mu.Unlock()
	if !lose {
		for _, fn := range ls {
			fn(a)
		}
	}
	return nil
}

func (n node) Listen(ctx context.Context, fn func(store.Announcement)) {
	n.bus.mu.Lock()
	n.bus.listeners = append(n.bus.listeners, fn)
	n.bus.mu.Unlock()
	fn(store.Announcement{Resync: true})
	<-ctx.Done()
}

func (b *bus) listening() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.listeners)
}

// taskAnnouncements counts the announcements that told of tasks.
func (b *bus) taskAnnouncements() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, a := range b.sent {
		if len(a.Tasks) > 0 {
			n++
		}
	}
	return n
}

// SetShare records the engine's share (store.Divided).
func (n node) SetShare(k int) { n.io.share.Store(int64(k)) }

var (
	_ store.Shared  = node{}
	_ store.Divided = node{}
)

type cluster struct {
	// clock is SWF's time (poll deadlines); wall that of the servers'
	// housekeeping (re-looks, what they tell each other).
	clock   *clock.Fake
	wall    *clock.Fake
	bus     *bus
	engines []*Engine
	// io is what each engine does with the store.
	io    []*nodeIO
	stops []context.CancelFunc
}

// newCluster starts n engines on one SQLite store, each announcing and
// listening as a server does.
func newCluster(t *testing.T, n int, cfg Config) *cluster {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, sqlitetest.File(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := &cluster{clock: clock.NewFake(time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)), wall: clock.NewFake(time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)), bus: &bus{}}
	cfg.Wall = c.wall
	keys := Keys{PageToken: []byte("0123456789abcdef0123456789abcdef"), TaskToken: []byte("fedcba9876543210fedcba9876543210")}
	for range n {
		nd := node{st, c.bus, &nodeIO{}}
		e := New(cfg, nd, c.clock, keys)
		runCtx, stop := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Go(func() { e.RunAnnouncements(runCtx) })
		wg.Go(func() { nd.Listen(runCtx, e.Hear) })
		t.Cleanup(func() { e.StopPolls(); stop(); wg.Wait() })
		c.engines = append(c.engines, e)
		c.io = append(c.io, nd.io)
		c.stops = append(c.stops, stop)
	}
	waitFor(t, "every engine listening", func() bool { return c.bus.listening() == n })
	// Each engine's announcer waits on the clock to repeat what it says.
	waitFor(t, "every announcer waiting", func() bool { return c.wall.Waiters() >= n })
	registerW(t, c.engines[0])
	return c
}

// registerW registers domain "d" and its workflow type "w", whose decision
// tasks go to "deciders".
func registerW(t *testing.T, e *Engine) {
	t.Helper()
	ctx := context.Background()
	if err := e.RegisterDomain(ctx, &swfapi.RegisterDomainInput{Name: swfapi.Ptr("d"), WorkflowExecutionRetentionPeriodInDays: swfapi.Ptr("1")}); err != nil {
		t.Fatal(err)
	}
	if err := e.RegisterWorkflowType(ctx, &swfapi.RegisterWorkflowTypeInput{Domain: swfapi.Ptr("d"), Name: swfapi.Ptr("w"), Version: swfapi.Ptr("1"),
		DefaultTaskList: &swfapi.TaskList{Name: swfapi.Ptr("deciders")}, DefaultChildPolicy: swfapi.ChildPolicyTerminate.Ptr(),
		DefaultTaskStartToCloseTimeout: swfapi.Ptr("60"), DefaultExecutionStartToCloseTimeout: swfapi.Ptr("3600")}); err != nil {
		t.Fatal(err)
	}
}

// waitFor waits (in real time, briefly) for what another goroutine does.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func (c *cluster) start(t *testing.T, e *Engine, workflowID string) string {
	t.Helper()
	run, err := e.StartWorkflowExecution(context.Background(), &swfapi.StartWorkflowExecutionInput{Domain: swfapi.Ptr("d"),
		WorkflowId: swfapi.Ptr(workflowID), WorkflowType: &swfapi.WorkflowType{Name: swfapi.Ptr("w"), Version: swfapi.Ptr("1")}})
	if err != nil {
		t.Fatal(err)
	}
	return *run.RunId
}

type pollResult struct {
	task *swfapi.DecisionTask
	err  error
}

// poll starts a decider's long poll on e, and waits until it waits: it
// has looked, found nothing, and set the deadline of its wait and the time
// it looks again, on the clock.
func poll(t *testing.T, c *cluster, e *Engine) <-chan pollResult {
	t.Helper()
	timers, wall := c.clock.Waiters(), c.wall.Waiters()
	out := make(chan pollResult, 1)
	go func() {
		task, err := e.PollForDecisionTask(context.Background(), &swfapi.PollForDecisionTaskInput{Domain: swfapi.Ptr("d"), TaskList: &swfapi.TaskList{Name: swfapi.Ptr("deciders")}})
		out <- pollResult{task, err}
	}()
	waitFor(t, "the poll to wait", func() bool { return c.clock.Waiters() > timers && c.wall.Waiters() > wall })
	return out
}

// acquainted starts two engines and waits until each knows the other is
// alive, past the time after connecting when every list is announced.
func acquainted(t *testing.T) (c *cluster, a, b *Engine) {
	t.Helper()
	c = newCluster(t, 2, Config{})
	a, b = c.engines[0], c.engines[1]
	c.wall.Advance(wantTTL + time.Second)
	waitFor(t, "the servers to know each other", func() bool { return a.announcer.live() == 2 && b.announcer.live() == 2 })
	return c, a, b
}

// waitHeard waits until e has heard that a poller of another engine waits.
func waitHeard(t *testing.T, e *Engine) {
	t.Helper()
	waitFor(t, "to hear that the other server waits", func() bool {
		e.announcer.mu.Lock()
		defer e.announcer.mu.Unlock()
		return len(e.announcer.remote) == 1
	})
}

// wantTask waits for a poll to answer with the first decision task of
// runID; who names the poller, and late says what it means if none comes.
func wantTask(t *testing.T, polled <-chan pollResult, runID, who, late string) {
	t.Helper()
	select {
	case r := <-polled:
		if r.err != nil || r.task.TaskToken == nil || *r.task.WorkflowExecution.RunId != runID {
			t.Fatalf("%s got %+v, %v", who, r.task, r.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal(late)
	}
}

// A server that dies between its commit and its announcement costs a
// poller on another server at most one re-look: the poll looks again after
// DefaultPollRelook, and finds the task.
func TestLostAnnouncementCostsOneRelook(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 2, Config{})
	a, b := c.engines[0], c.engines[1]
	c.bus.mu.Lock()
	c.bus.lose = true
	c.bus.mu.Unlock()
	polled := poll(t, c, b)
	runID := c.start(t, a, "lost")
	select {
	case r := <-polled:
		t.Fatalf("the poll answered before it looked again: %+v, %v", r.task, r.err)
	case <-time.After(50 * time.Millisecond):
	}
	c.wall.Advance(DefaultPollRelook)
	wantTask(t, polled, runID, "after a re-look the poller", "the poll did not find the task when it looked again")
}

// Tasks are announced only for lists that a poller on another server waits
// on; when one does, it is woken at once.
func TestAnnouncementsOnlyForListsSomeoneWaitsOn(t *testing.T) {
	t.Parallel()
	c, a, b := acquainted(t)
	before := c.bus.taskAnnouncements()
	c.start(t, a, "nobody-waits")
	if n := c.bus.taskAnnouncements() - before; n != 0 {
		t.Fatalf("%d announcements of tasks no one waits for", n)
	}
	// B polls: its first poll takes the queued task at once; its second
	// waits, and B has told A that it waits on the list.
	first, err := b.PollForDecisionTask(context.Background(), &swfapi.PollForDecisionTaskInput{Domain: swfapi.Ptr("d"), TaskList: &swfapi.TaskList{Name: swfapi.Ptr("deciders")}})
	if err != nil || first.TaskToken == nil {
		t.Fatalf("the first poll got %+v, %v", first, err)
	}
	polled := poll(t, c, b)
	waitHeard(t, a)
	runID := c.start(t, a, "b-waits")
	wantTask(t, polled, runID, "the waiting poller", "the waiting poller on the other server was not woken")
	if n := c.bus.taskAnnouncements() - before; n != 1 {
		t.Fatalf("%d announcements of tasks, want 1", n)
	}
}

// A task that a poller of the server that queued it is woken for is not
// announced, though a poller elsewhere waits on the list too: that poller,
// woken, would only find the task gone. A task no poller here is woken for
// is announced, and so is one whose poller here leaves without taking it.
func TestTasksForLocalPollersAreNotAnnounced(t *testing.T) {
	c, a, b := acquainted(t)
	remote := poll(t, c, b)
	waitHeard(t, a)
	before := c.bus.taskAnnouncements()
	local := poll(t, c, a)
	runID := c.start(t, a, "local")
	wantTask(t, local, runID, "the poller on A", "the poller on A was not woken for A's task")
	if n := c.bus.taskAnnouncements() - before; n != 0 {
		t.Fatalf("%d announcements of a task a poller on A was woken for", n)
	}
	// No poller waits on A now: A's next task is for B's.
	runID = c.start(t, a, "remote")
	wantTask(t, remote, runID, "the poller on B", "the poller on B was not woken for a task no poller on A was")
	if n := c.bus.taskAnnouncements() - before; n != 1 {
		t.Fatalf("%d announcements of tasks, want 1", n)
	}
}

// A poller that leaves with a wake-up it did not act on hands it to the
// others when no poller of its own server can take it.
func TestUnclaimedWakeUpIsAnnounced(t *testing.T) {
	c, a, b := acquainted(t)
	remote := poll(t, c, b)
	waitHeard(t, a)
	before := c.bus.taskAnnouncements()
	w, err := a.matcher.Register(b.matcher.Keys()[0])
	if err != nil {
		t.Fatal(err)
	}
	runID := c.start(t, a, "left")
	if n := c.bus.taskAnnouncements() - before; n != 0 {
		t.Fatalf("%d announcements of a task a waiter on A was woken for", n)
	}
	w.Done() // leaves without looking
	wantTask(t, remote, runID, "the poller on B", "the wake-up the waiter on A left was not passed on to B")
}

// The limits that hold for the whole service are shared by the servers
// alive: each keeps its part of the API rates and of the pollers a task list
// may have, and takes the whole again when the other stops.
func TestLimitsAreSharedByTheLiveServers(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 2, Config{
		Limits:   Limits{PollersPerTaskList: 4},
		APIRates: map[string]throttle.Rate{"DescribeDomain": {Burst: 4, PerSecond: 0.001}},
	})
	a := c.engines[0]
	c.wall.Advance(wantRefresh)
	waitFor(t, "A to share its limits with B", func() bool { return a.share.Load() == 2 })
	if n := c.io[0].share.Load(); n != 2 {
		t.Fatalf("A's store was told to keep 1/%d of its budget, want 1/2", n)
	}

	ctx := context.Background()
	describe := func() error {
		_, err := a.Throttle(ctx, "DescribeDomain", &swfapi.DescribeDomainInput{Name: swfapi.Ptr("d")})
		return err
	}
	for i := range 2 {
		if err := describe(); err != nil {
			t.Fatalf("call %d of A's half of the burst: %v", i+1, err)
		}
	}
	if err := describe(); !isFault(err, swfapi.CodeThrottlingException) {
		t.Fatalf("the call past A's half: %v", err)
	}
	poll(t, c, a)
	poll(t, c, a)
	_, err := a.PollForDecisionTask(ctx, &swfapi.PollForDecisionTaskInput{Domain: swfapi.Ptr("d"), TaskList: &swfapi.TaskList{Name: swfapi.Ptr("deciders")}})
	if !isFault(err, swfapi.CodeLimitExceededFault) {
		t.Fatalf("a third poller on A, of four for the service: %v", err)
	}

	// B stops, saying so: A takes the whole limits again.
	c.stops[1]()
	waitFor(t, "A to take the whole limits", func() bool { return a.share.Load() == 1 })
	if n := c.io[0].share.Load(); n != 1 {
		t.Fatalf("alone, A's store was told to keep 1/%d of its budget, want all", n)
	}
	poll(t, c, a)
}

func isFault(err error, code string) bool {
	var f *swfapi.Error
	return errors.As(err, &f) && f.Code == code
}

// idlePollers is the number of the pollers of k on e that wait idle, as a
// new poll would see them (counted by a waiter registered for the count).
func idlePollers(t *testing.T, e *Engine, k matching.Key) int {
	t.Helper()
	w, err := e.matcher.Register(k)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Done()
	return w.IdleOthers()
}

// On a shared store, a poll that comes while another poller of its list
// waits idle on the same server waits behind it without a look or a take
// (it would only find nothing); tasks then go to the pollers oldest first.
func TestPollBehindAnIdlePollerWaits(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 2, Config{})
	b, io := c.engines[1], c.io[1]
	reads := io.reads.Load()
	first := poll(t, c, b)
	if io.reads.Load() == reads {
		t.Fatal("the first poll did not look")
	}
	key := b.matcher.Keys()[0]
	waitFor(t, "the first poll to wait idle", func() bool { return idlePollers(t, b, key) == 1 })
	reads, writes := io.reads.Load(), io.writes.Load()
	second := poll(t, c, b)
	if r, w := io.reads.Load()-reads, io.writes.Load()-writes; r != 0 || w != 0 {
		t.Fatalf("a poll behind an idle poller made %d reads and %d writes, want none", r, w)
	}
	runID := c.start(t, b, "first")
	wantTask(t, first, runID, "the first poller", "the oldest poller was not woken for a task")
	runID = c.start(t, b, "second")
	wantTask(t, second, runID, "the second poller", "the poll that waited behind the first was not woken for a task")
}

// readCounter is a store of one server's own (not shared), whose reads
// are counted.
type readCounter struct {
	store.Store
	reads *atomic.Int64
}

func (r readCounter) Read(ctx context.Context, fn func(store.Tx) error) error {
	r.reads.Add(1)
	return r.Store.Read(ctx, fn)
}

// On a store of its own (SQLite), a poll looks on arrival as it did, even
// while another poller of its list waits idle: nothing is saved by waiting
// behind it, a look being local and cheap.
func TestPollOnAStoreOfItsOwnLooks(t *testing.T) {
	t.Parallel()
	st, err := sqlite.Open(context.Background(), sqlitetest.File(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var reads atomic.Int64
	clk := clock.NewFake(time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC))
	e := New(Config{}, readCounter{st, &reads}, clk, Keys{PageToken: []byte("0123456789abcdef0123456789abcdef"), TaskToken: []byte("fedcba9876543210fedcba9876543210")})
	t.Cleanup(e.StopPolls)
	if e.announcer != nil {
		t.Fatal("the store is taken for a shared one")
	}
	registerW(t, e)
	poll := func() {
		t.Helper()
		before := reads.Load()
		go e.PollForDecisionTask(context.Background(), &swfapi.PollForDecisionTaskInput{Domain: swfapi.Ptr("d"), TaskList: &swfapi.TaskList{Name: swfapi.Ptr("deciders")}})
		waitFor(t, "the poll to look", func() bool { return reads.Load() > before })
	}
	poll()
	waitFor(t, "the first poll to wait idle", func() bool {
		keys := e.matcher.Keys()
		return len(keys) == 1 && idlePollers(t, e, keys[0]) == 1
	})
	poll()
}

type activityResult struct {
	task *swfapi.ActivityTask
	err  error
}

// pollWorkers starts an activity worker's long poll of "workers" on e.
func pollWorkers(e *Engine) <-chan activityResult {
	out := make(chan activityResult, 1)
	go func() {
		task, err := e.PollForActivityTask(context.Background(), &swfapi.PollForActivityTaskInput{Domain: swfapi.Ptr("d"), TaskList: &swfapi.TaskList{Name: swfapi.Ptr("workers")}})
		out <- activityResult{task, err}
	}()
	return out
}

// Pollers that come while others of their server drain a backlog (woken,
// or looking again, and taking) do not wait behind them: those are not
// idle, and the new polls look and take too. Every task goes to one
// poller, and none is left.
func TestPollersTogetherDrainABacklog(t *testing.T) {
	t.Parallel()
	t.Run("announced", func(t *testing.T) { t.Parallel(); drainBacklog(t, false) })
	t.Run("lost, found on a re-look", func(t *testing.T) { t.Parallel(); drainBacklog(t, true) })
}

// drainBacklog queues six tasks at once on one server for the three
// pollers waiting on another, which learn of them from its announcement or,
// lost, when they look again; three more polls come while the three take.
func drainBacklog(t *testing.T, lost bool) {
	c, a, b := acquainted(t)
	bg := context.Background()
	if err := a.RegisterActivityType(bg, &swfapi.RegisterActivityTypeInput{Domain: swfapi.Ptr("d"), Name: swfapi.Ptr("act"), Version: swfapi.Ptr("1"),
		DefaultTaskList: &swfapi.TaskList{Name: swfapi.Ptr("workers")}}); err != nil {
		t.Fatal(err)
	}
	c.start(t, a, "backlog")
	dt, err := a.PollForDecisionTask(bg, &swfapi.PollForDecisionTaskInput{Domain: swfapi.Ptr("d"), TaskList: &swfapi.TaskList{Name: swfapi.Ptr("deciders")}})
	if err != nil || dt.TaskToken == nil {
		t.Fatalf("the decision poll got %+v, %v", dt, err)
	}

	// Three workers wait on B: the first looked, the others wait behind it.
	const first, later = 3, 3
	var polls []<-chan activityResult
	for range first {
		timers, wall := c.clock.Waiters(), c.wall.Waiters()
		polls = append(polls, pollWorkers(b))
		waitFor(t, "the poll to wait", func() bool { return c.clock.Waiters() > timers && c.wall.Waiters() > wall })
	}
	key := b.matcher.Keys()[0]
	waitFor(t, "B's pollers to wait idle", func() bool { return idlePollers(t, b, key) == first })
	waitHeard(t, a)
	if lost {
		c.bus.mu.Lock()
		c.bus.lose = true
		c.bus.mu.Unlock()
	}

	// A decision on A queues six tasks at once, for which A has no poller:
	// B's three pollers learn of them, and take, held at B's writer.
	held := c.io[1]
	release := held.holdWrites(t)
	var decisions []swfapi.Decision
	for i := range first + later {
		decisions = append(decisions, swfapi.Decision{DecisionType: swfapi.DecisionTypeScheduleActivityTask.Ptr(), ScheduleActivityTaskDecisionAttributes: &swfapi.ScheduleActivityTaskDecisionAttributes{
			ActivityId: swfapi.Ptr(fmt.Sprint("a", i)), ActivityType: &swfapi.ActivityType{Name: swfapi.Ptr("act"), Version: swfapi.Ptr("1")},
			ScheduleToStartTimeout: swfapi.Ptr("NONE"), ScheduleToCloseTimeout: swfapi.Ptr("NONE"), StartToCloseTimeout: swfapi.Ptr("NONE"), HeartbeatTimeout: swfapi.Ptr("NONE"),
		}})
	}
	in := &swfapi.RespondDecisionTaskCompletedInput{TaskToken: dt.TaskToken, Decisions: decisions}
	if err := in.Validate(nil); err != nil {
		t.Fatal(err)
	}
	if err := a.RespondDecisionTaskCompleted(bg, in); err != nil {
		t.Fatal(err)
	}
	if lost {
		if n := held.held.Load(); n != 0 {
			t.Fatalf("%d takes on B before its pollers looked again", n)
		}
		c.wall.Advance(DefaultPollRelook)
	}
	waitFor(t, "B's pollers to take", func() bool { return held.held.Load() == first })

	// Three more polls come while the three take: none of B's pollers waits
	// idle, so they look, find tasks, and take too.
	for range later {
		polls = append(polls, pollWorkers(b))
	}
	waitFor(t, "the later polls to take too", func() bool { return held.held.Load() == first+later })
	release()

	got := map[string]int{}
	for i, polled := range polls {
		select {
		case r := <-polled:
			if r.err != nil || r.task.TaskToken == nil {
				t.Fatalf("poller %d got %+v, %v", i, r.task, r.err)
			}
			got[*r.task.ActivityId]++
		case <-time.After(10 * time.Second):
			t.Fatalf("poller %d got no task", i)
		}
	}
	if len(got) != first+later {
		t.Fatalf("tasks delivered %v, want each of %d once", got, first+later)
	}
	err = store.ReadOne(bg, b.store, func(tx store.Tx) error {
		_, err := tx.TaskNext(bg, store.TaskListKey{DomainID: key.DomainID, Kind: key.Kind, TaskList: key.TaskList})
		return err
	})
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a task left on the list: %v", err)
	}
}
