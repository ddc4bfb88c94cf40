package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"

	"github.com/openswf/openswf/internal/matching"
	"github.com/openswf/openswf/internal/store"
)

// announcer passes this process's wake-ups to the other processes that
// share its store, coalescing those that pile up while one is being sent.
type announcer struct {
	shared  store.Shared
	node    string
	mu      sync.Mutex
	pending wakeups
	ready   chan struct{}
}

func newAnnouncer(s store.Shared) *announcer {
	var b [8]byte
	rand.Read(b[:])
	return &announcer{shared: s, node: hex.EncodeToString(b[:]), ready: make(chan struct{}, 1)}
}

func (a *announcer) add(w wakeups) {
	if len(w.tasks) == 0 && !w.timers {
		return
	}
	a.mu.Lock()
	a.pending.add(w)
	a.mu.Unlock()
	select {
	case a.ready <- struct{}{}:
	default:
	}
}

// RunAnnouncements tells the other processes sharing the store of the
// tasks and timers this one commits, until ctx ends. It does nothing for a
// store only one process uses.
func (e *Engine) RunAnnouncements(ctx context.Context) {
	a := e.announcer
	if a == nil {
		return
	}
	for {
		select {
		case <-ctx.Done():
			// Stopping: what is still to tell is told, briefly.
			flush, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			e.announce(flush)
			cancel()
			return
		case <-a.ready:
		}
		e.announce(ctx)
	}
}

// announce sends what the announcer holds, if anything.
func (e *Engine) announce(ctx context.Context) {
	a := e.announcer
	a.mu.Lock()
	w := a.pending
	a.pending = wakeups{}
	a.mu.Unlock()
	if len(w.tasks) == 0 && !w.timers {
		return
	}
	n := store.Announcement{From: a.node, Timers: w.timers}
	for k, count := range w.tasks {
		n.Tasks = append(n.Tasks, store.TaskListCount{TaskListKey: store.TaskListKey{DomainID: k.DomainID, Kind: k.Kind, TaskList: k.TaskList}, N: count})
	}
	if err := a.shared.Announce(ctx, n); err != nil && ctx.Err() == nil {
		// The others' pollers find the tasks when their polls look
		// again, and their timer loops look now and then: the loss
		// costs latency, not work.
		e.log.Warn("announcing to the other servers", "err", err)
	}
}

// Hear applies news from another process sharing the store: its pollers
// and timer loop wake for what that process committed.
func (e *Engine) Hear(n store.Announcement) {
	if e.announcer != nil && n.From == e.announcer.node {
		return
	}
	if n.Resync {
		e.matcher.NotifyAll()
	}
	for _, t := range n.Tasks {
		e.matcher.Notify(matching.Key{DomainID: t.DomainID, Kind: t.Kind, TaskList: t.TaskList}, t.N)
	}
	if (n.Timers || n.Resync) && e.timerWake != nil {
		e.timerWake()
	}
}
