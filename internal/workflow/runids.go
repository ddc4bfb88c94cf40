package workflow

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
)

// RunIDs is the supply of runIds one write hands out: to the run that
// StartWorkflowExecution or a reset starts, to each child a decision starts
// and to the run that continues one as new. The engine draws its seed at
// random before the write runs and builds a fresh supply from it for each
// attempt, so that an attempt the store runs again (after a conflict)
// hands out the same ids in the same order: the write is a function of its
// inputs, and what a rerun decides is what the first attempt decided.
type RunIDs struct {
	seed [32]byte
	n    uint64
}

// NewRunIDs returns the supply of runIds drawn from seed.
func NewRunIDs(seed [32]byte) *RunIDs { return &RunIDs{seed: seed} }

// Next returns the next runId: the SHA-256 of the seed and of how many ids
// were handed out before, base64url without padding (43 characters). The
// ids are as hard to guess as the seed, and ids of different seeds or
// places in one supply collide no more often than 32 random bytes do.
func (r *RunIDs) Next() string {
	var b [40]byte
	copy(b[:32], r.seed[:])
	binary.BigEndian.PutUint64(b[32:], r.n)
	r.n++
	sum := sha256.Sum256(b[:])
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
