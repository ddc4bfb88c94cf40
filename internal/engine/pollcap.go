package engine

import (
	"sync"

	"github.com/openswf/openswf/internal/swfapi"
)

// pollCaps counts the long polls waiting on this server, in all and per
// user, so that one client cannot hold the server with polls on many task
// lists (the per-list bound, PollersPerTaskList, does not stop that).
type pollCaps struct {
	max, maxPerUser int // 0: no bound

	mu     sync.Mutex
	total  int
	byUser map[string]int
}

// take counts a poll by user ("" when requests are not authenticated)
// and returns the function that uncounts it, or LimitExceededFault when a
// bound is reached.
func (p *pollCaps) take(user string) (release func(), err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.max > 0 && p.total >= p.max:
		return nil, fault(swfapi.CodeLimitExceededFault, "This server already has %d long polls waiting: the most it takes", p.max)
	case user != "" && p.maxPerUser > 0 && p.byUser[user] >= p.maxPerUser:
		return nil, fault(swfapi.CodeLimitExceededFault, "User %s already has %d long polls waiting: the most one user may have", user, p.maxPerUser)
	}
	p.total++
	if user != "" {
		if p.byUser == nil {
			p.byUser = map[string]int{}
		}
		p.byUser[user]++
	}
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.total--
		if user != "" {
			if p.byUser[user]--; p.byUser[user] == 0 {
				delete(p.byUser, user)
			}
		}
	}, nil
}
