package engine

import "sync/atomic"

// CountTokenOpens makes e count in n each task token it opens (checks the
// HMAC of) from now on.
func CountTokenOpens(e *Engine, n *atomic.Int64) {
	e.tokenOpened = func() { n.Add(1) }
}
