package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"

	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/internal/matching"
	"github.com/openswf/openswf/internal/store"
)

// How the processes sharing a store keep each other informed (see
// announcer).
const (
	// wantTTL is how long a process's word that it has pollers waiting on a
	// list, or that it is alive, holds.
	wantTTL = 10 * time.Second
	// wantRefresh is how often a process repeats it: well within wantTTL,
	// so that one lost announcement changes nothing.
	wantRefresh = 3 * time.Second
	// DefaultPollRelook is how often, at the least, a waiting long poll
	// looks for a task again on a store that several processes share: the
	// most a lost announcement (a process that died between a commit and
	// its announcement) delays a task.
	DefaultPollRelook = 2 * time.Second
)

// announcer passes this process's news to the other processes that share
// its store, and keeps what they told it.
//
// Announcements cost a NOTIFY, which PostgreSQL serializes across the
// database, so they are sent outside the transactions they tell of,
// coalesced (what piles up while one is sent goes in the next), and only
// when someone listens for them: a process tells which task lists it has
// pollers waiting on (when a list gets its first, and every wantRefresh),
// and the others announce tasks queued on a list only while a process
// waits on it. A process whose listener has just (re)connected announces
// every list for wantTTL, since it may have missed what the others wait
// on. Armed timers are not announced: the process that armed one fires it,
// and the others look for due timers every couple of seconds anyway, in
// case it died; a process that stops tells them to look at once.
//
// The same announcements tell each process how many share the store, so
// that it takes its share of the limits that hold for all of them (see
// cluster).
type announcer struct {
	shared store.Shared
	node   string
	clock  clock.Clock
	ready  chan struct{}

	mu      sync.Mutex
	pending wakeups
	// want are the lists to tell the others this process now waits on;
	// told is when it last told each.
	want map[matching.Key]bool
	told map[matching.Key]time.Time
	// remote holds, per list, until when another process waits on it;
	// peers until when each other process is known to be alive.
	remote map[matching.Key]time.Time
	peers  map[string]time.Time
	// everyUntil: announce every list until then. listening is set once
	// the listener has connected; until then every list is announced.
	everyUntil time.Time
	listening  bool
}

func newAnnouncer(s store.Shared, c clock.Clock) *announcer {
	var b [8]byte
	rand.Read(b[:])
	return &announcer{
		shared: s, node: hex.EncodeToString(b[:]), clock: c, ready: make(chan struct{}, 1),
		want: map[matching.Key]bool{}, told: map[matching.Key]time.Time{},
		remote: map[matching.Key]time.Time{}, peers: map[string]time.Time{},
	}
}

func (a *announcer) signal() {
	select {
	case a.ready <- struct{}{}:
	default:
	}
}

// add queues the tasks a commit queued, for the lists someone waits on.
func (a *announcer) add(w wakeups) {
	if len(w.tasks) == 0 {
		return
	}
	now := a.clock.Now()
	a.mu.Lock()
	n := 0
	for k, count := range w.tasks {
		if a.wantedLocked(k, now) {
			if a.pending.tasks == nil {
				a.pending.tasks = map[matching.Key]int{}
			}
			a.pending.tasks[k] += count
			n++
		}
	}
	a.mu.Unlock()
	if n > 0 {
		a.signal()
	}
}

// wantedLocked reports whether tasks queued on k are worth announcing.
func (a *announcer) wantedLocked(k matching.Key, now time.Time) bool {
	if !a.listening || now.Before(a.everyUntil) {
		return true
	}
	until, ok := a.remote[k]
	return ok && now.Before(until)
}

// waiting is told that a list got its first waiting poller on this
// process: the others hear of it, unless they did a moment ago.
func (a *announcer) waiting(k matching.Key) {
	now := a.clock.Now()
	a.mu.Lock()
	fresh := now.Sub(a.told[k]) < wantRefresh
	if !fresh {
		a.want[k] = true
	}
	a.mu.Unlock()
	if !fresh {
		a.signal()
	}
}

// live is how many processes share the store, this one included, as far
// as this one knows.
func (a *announcer) live() int {
	now := a.clock.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 1
	for node, until := range a.peers {
		if now.Before(until) {
			n++
		} else {
			delete(a.peers, node)
		}
	}
	return n
}

// RunAnnouncements tells the other processes sharing the store of the
// tasks this one commits and of the lists it waits on, until ctx ends. It
// does nothing for a store only one process uses.
func (e *Engine) RunAnnouncements(ctx context.Context) {
	a := e.announcer
	if a == nil {
		return
	}
	refresh := e.wall.NewTimer(wantRefresh)
	for {
		select {
		case <-ctx.Done():
			refresh.Stop()
			// Stopping: what is still to tell is told, briefly, with a
			// word to look at the timers, which no one else armed.
			flush, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			e.announce(flush, false, true)
			cancel()
			return
		case <-a.ready:
			e.announce(ctx, false, false)
		case <-refresh.C():
			// Every wantRefresh, however busy: what this process waits on
			// and that it is alive must not expire while it announces.
			e.announce(ctx, true, false)
			e.shareLimits()
			refresh = e.wall.NewTimer(wantRefresh)
		}
	}
}

// announce sends what the announcer holds: the tasks for the lists that
// others wait on, and the lists this process waits on (all of them, and
// word that it is alive, with refresh). stopping says goodbye.
func (e *Engine) announce(ctx context.Context, refresh, stopping bool) {
	a := e.announcer
	now := e.wall.Now()
	var waiting []matching.Key
	if refresh {
		waiting = e.matcher.Keys()
	}
	a.mu.Lock()
	w := a.pending
	a.pending = wakeups{}
	for _, k := range waiting {
		a.want[k] = true
	}
	n := store.Announcement{From: a.node, Timers: stopping, Bye: stopping}
	for k := range a.want {
		n.Want = append(n.Want, store.TaskListKey{DomainID: k.DomainID, Kind: k.Kind, TaskList: k.TaskList})
		a.told[k] = now
	}
	clear(a.want)
	for k, t := range a.told {
		if now.Sub(t) >= wantTTL {
			delete(a.told, k)
		}
	}
	a.mu.Unlock()
	for k, count := range w.tasks {
		n.Tasks = append(n.Tasks, store.TaskListCount{TaskListKey: store.TaskListKey{DomainID: k.DomainID, Kind: k.Kind, TaskList: k.TaskList}, N: count})
	}
	if len(n.Tasks) == 0 && len(n.Want) == 0 && !refresh && !stopping {
		return
	}
	if err := a.shared.Announce(ctx, n); err != nil && ctx.Err() == nil {
		// The others' pollers find the tasks when their polls look
		// again, and their timer loops look now and then: the loss
		// costs latency, not work.
		e.log.Warn("announcing to the other servers", "err", err)
	}
}

// Hear applies news from another process sharing the store: its pollers
// and timer loop wake for what that process committed, and it learns who
// waits on which lists and who is alive.
func (e *Engine) Hear(n store.Announcement) {
	a := e.announcer
	if a != nil && n.From == a.node {
		return
	}
	if a != nil {
		now := e.wall.Now()
		a.mu.Lock()
		if n.Resync {
			// This process's listener (re)connected: it may have missed
			// who waits on what, and the others what it waits on.
			a.listening = true
			a.everyUntil = now.Add(wantTTL)
			clear(a.told)
		}
		if n.From != "" {
			if n.Bye {
				delete(a.peers, n.From)
			} else {
				a.peers[n.From] = now.Add(wantTTL)
			}
		}
		for _, k := range n.Want {
			a.remote[matching.Key{DomainID: k.DomainID, Kind: k.Kind, TaskList: k.TaskList}] = now.Add(wantTTL)
		}
		for k, until := range a.remote {
			if !now.Before(until) {
				delete(a.remote, k)
			}
		}
		a.mu.Unlock()
		if n.Resync {
			for _, k := range e.matcher.Keys() {
				a.waiting(k)
			}
		}
		e.shareLimits()
	}
	if n.Resync {
		e.matcher.NotifyAll()
	}
	for _, t := range n.Tasks {
		e.matcher.Notify(matching.Key{DomainID: t.DomainID, Kind: t.Kind, TaskList: t.TaskList}, t.N)
	}
	if (n.Timers || n.Resync) && e.timerWake != nil {
		// Another process asks for a look: it may have armed anything.
		e.timerWake(time.Time{})
	}
}
