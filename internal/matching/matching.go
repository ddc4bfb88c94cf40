// Package matching lets long polls wait for tasks. A poller registers on
// its task list before it looks for a task, so that a task queued between
// its look and its wait still wakes it; whoever queues tasks notifies the
// list after committing them. Waiters are woken oldest first, one per task.
//
// It only wakes pollers: which poller gets a task is decided by the store,
// where claiming a task is a transaction, so two pollers never get one task.
package matching

import (
	"errors"
	"sync"
	"sync/atomic"
)

// Key names a task list: a domain, a kind of task and the list's name.
type Key struct {
	DomainID int64
	Kind     string
	TaskList string
}

// ErrTooManyPollers is returned when a task list already has the most
// pollers allowed.
var ErrTooManyPollers = errors.New("too many pollers on the task list")

// Matcher keeps the waiting pollers of every task list.
type Matcher struct {
	mu         sync.Mutex
	lists      map[Key][]*Waiter
	maxPollers atomic.Int64
	// onFirst, when set, is told of each list that gets a waiting poller
	// when it had none; onUnclaimed of a wake-up that a leaving poller
	// held and no other poller here could take.
	onFirst, onUnclaimed func(Key)
}

// New returns a matcher that allows maxPollers waiting pollers per list.
func New(maxPollers int) *Matcher {
	m := &Matcher{lists: map[Key][]*Waiter{}}
	m.maxPollers.Store(int64(maxPollers))
	return m
}

// SetMaxPollers changes how many pollers may wait on one list; those
// waiting already stay.
func (m *Matcher) SetMaxPollers(n int) { m.maxPollers.Store(int64(n)) }

// OnFirst sets fn to be called, outside the matcher's lock, when a list
// that had no waiting poller gets one. It is set once, before polls come.
func (m *Matcher) OnFirst(fn func(Key)) { m.onFirst = fn }

// OnUnclaimed sets fn to be called, outside the matcher's lock, when a
// poller leaves with a wake-up it did not act on and no other poller of
// its list is here to take it: the task it stood for may be left for
// pollers elsewhere. It is set once, before polls come.
func (m *Matcher) OnUnclaimed(fn func(Key)) { m.onUnclaimed = fn }

// Keys returns the lists that have waiting pollers.
func (m *Matcher) Keys() []Key {
	m.mu.Lock()
	defer m.mu.Unlock()
	keys := make([]Key, 0, len(m.lists))
	for k := range m.lists {
		keys = append(keys, k)
	}
	return keys
}

// Waiter is one registered poller.
type Waiter struct {
	// C receives a value when a task may be there for this poller.
	C   chan struct{}
	key Key
	m   *Matcher
	// idle is set by Waiting while the poller waits, having looked and
	// found nothing; a wake-up sent on C clears it. Guarded by m.mu.
	idle bool
}

// Register adds a poller to a task list.
func (m *Matcher) Register(k Key) (*Waiter, error) {
	m.mu.Lock()
	n := len(m.lists[k])
	if n >= int(m.maxPollers.Load()) {
		m.mu.Unlock()
		return nil, ErrTooManyPollers
	}
	w := &Waiter{C: make(chan struct{}, 1), key: k, m: m}
	m.lists[k] = append(m.lists[k], w)
	m.mu.Unlock()
	if n == 0 && m.onFirst != nil {
		m.onFirst(k)
	}
	return w, nil
}

// Done removes the poller. A wake-up it received and did not act on goes
// to another poller of the list, or, with none here, to OnUnclaimed.
func (w *Waiter) Done() {
	m := w.m
	m.mu.Lock()
	ws := m.lists[w.key]
	for i, x := range ws {
		if x == w {
			ws = append(ws[:i], ws[i+1:]...)
			break
		}
	}
	if len(ws) == 0 {
		delete(m.lists, w.key)
	} else {
		m.lists[w.key] = ws
	}
	unclaimed := 0
	select {
	case <-w.C:
		unclaimed = m.notifyLocked(w.key, 1)
	default:
	}
	m.mu.Unlock()
	if unclaimed > 0 && m.onUnclaimed != nil {
		m.onUnclaimed(w.key)
	}
}

// Waiting marks the poller as waiting idle (on: it looked, found nothing,
// and is about to wait) or not (off: its wait is over and it may look
// again). A poller sets it on just before it waits and off as soon as its
// wait ends; a wake-up Notify sends clears it too, so that a poller that
// has taken its wake-up off C and not yet said so is not counted idle.
// IdleOthers counts the pollers that have it on.
func (w *Waiter) Waiting(on bool) {
	w.m.mu.Lock()
	w.idle = on
	w.m.mu.Unlock()
}

// IdleOthers is the number of the other pollers of w's task list that wait
// idle: marked Waiting and not woken since (no wake-up pending on their C).
// Such a poller looked and found no task, and each task notified here since
// then woke some other poller (w, once registered, among them): Notify
// wakes pollers oldest first, one per task, and would have woken this one
// before it left a task to no one here. So a poll that comes while another
// waits idle would only find nothing: on a store several servers share, it
// waits at once instead, and saves the store a look or a take (see the
// engine's pollTaskList). The flags and C are read under the matcher's
// lock, which Notify holds while it sends, so that a poller woken for a
// task is never counted idle.
func (w *Waiter) IdleOthers() int {
	m := w.m
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, x := range m.lists[w.key] {
		if x != w && x.idle && len(x.C) == 0 {
			n++
		}
	}
	return n
}

// Notify wakes up to n pollers of a task list, oldest first, because n
// tasks were queued on it, and returns how many of the n no poller here
// was woken for: those are for pollers elsewhere, if any.
func (m *Matcher) Notify(k Key, n int) (unclaimed int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.notifyLocked(k, n)
}

func (m *Matcher) notifyLocked(k Key, n int) (unclaimed int) {
	for _, w := range m.lists[k] {
		if n == 0 {
			return 0
		}
		select {
		case w.C <- struct{}{}:
			w.idle = false
			n--
		default:
			// Already woken and not yet looking: it will take one task
			// (one that was counted already).
		}
	}
	return n
}

// Pollers is the number of pollers waiting on a task list.
func (m *Matcher) Pollers(k Key) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.lists[k])
}

// NotifyAll wakes every waiting poller of every list, to look again: news
// of tasks may have been missed.
func (m *Matcher) NotifyAll() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, ws := range m.lists {
		m.notifyLocked(k, len(ws))
	}
}

// Waiting is the number of pollers waiting on every list.
func (m *Matcher) Waiting() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, ws := range m.lists {
		n += len(ws)
	}
	return n
}

// PollersOf returns the lists of a domain that have pollers waiting, and
// how many wait on each.
func (m *Matcher) PollersOf(domainID int64) map[Key]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[Key]int{}
	for k, ws := range m.lists {
		if k.DomainID == domainID && len(ws) > 0 {
			out[k] = len(ws)
		}
	}
	return out
}
