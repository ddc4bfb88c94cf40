package engine

import (
	"crypto/rand"
	"time"

	"github.com/openswf/openswf/internal/workflow"
)

// facts are what a write is given besides what it reads from the store,
// settled before its function runs: the seed of the runIds it hands out
// and the decision rates' answers reserved for its request. A store may
// run a write function more than once (PostgreSQL runs it again after a
// deadlock or a lost race); every attempt starts from the same facts, so
// that from the same store and the same time it makes the same decisions,
// ids and events — nothing an attempt decides is drawn inside it.
type facts struct {
	// seed is the seed of the write's runIds (workflow.RunIDs).
	seed [32]byte
	// res are the decision rates' answers reserved for the request; nil:
	// the engine's own rates answer.
	res *reservation
}

// newFacts draws the facts of a write, before the write runs.
func (e *Engine) newFacts(res *reservation) *facts {
	f := &facts{res: res}
	rand.Read(f.seed[:])
	return f
}

// attempt is what one attempt of a write works with: the write's facts,
// made afresh from the start (the runIds from the first, the reserved
// answers from the first), and the time, read once as the attempt begins.
// Every run the attempt loads or creates, every event it records and every
// timer it arms is of that one time.
type attempt struct {
	now    time.Time
	runIDs *workflow.RunIDs
	rates  workflow.RateLimiter
}

// begin starts an attempt of a write with the facts f.
func (e *Engine) begin(f *facts) attempt {
	a := attempt{now: e.now(), runIDs: workflow.NewRunIDs(f.seed), rates: e.rates}
	if f.res != nil {
		f.res.rewind()
		a.rates = f.res
	}
	return a
}
