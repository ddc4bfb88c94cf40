package server

import (
	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/internal/store"
)

// SetWall makes c's server keep its housekeeping on a shared database —
// how often polls look again, what the servers tell each other and for
// how long — on wall, so that a test moves it.
func SetWall(c *Config, wall clock.Clock) { c.wall = wall }

// WrapStore makes c's server use wrap(store) in place of the store it
// opens: a test sees, or changes, what the server does with its store.
func WrapStore(c *Config, wrap func(store.Store) store.Store) { c.wrapStore = wrap }
