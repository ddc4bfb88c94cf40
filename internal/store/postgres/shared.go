package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/openswf/openswf/internal/store"
)

// This file implements store.Shared with PostgreSQL's LISTEN and NOTIFY:
// the servers sharing a database wake each other's long polls and timer
// loops.

// maxPayload bounds a NOTIFY payload (PostgreSQL takes fewer than 8000
// bytes).
const maxPayload = 7900

// channelName is the NOTIFY channel of the store in a schema, so that
// installations in different schemas of one database do not hear each
// other. Channel names are identifiers: at most 63 bytes.
func channelName(schema string) string {
	if schema == "" {
		return "openswf"
	}
	if ch := "openswf_" + schema; len(ch) <= 63 {
		return ch
	}
	h := fnv.New64a()
	h.Write([]byte(schema))
	return fmt.Sprintf("openswf_%016x", h.Sum64())
}

// Announce tells every server listening to the store (this one included)
// of tasks queued and timers armed by a committed transaction, with one
// NOTIFY, or several when the news is too long for one.
func (s *Store) Announce(ctx context.Context, a store.Announcement) error {
	payloads, err := payloads(a)
	if err != nil {
		return err
	}
	for _, p := range payloads {
		if _, err := s.pool.Exec(ctx, stmt("Notify"), s.channel, p); err != nil {
			return fmt.Errorf("postgres: notify: %w", err)
		}
	}
	return nil
}

// payloads splits an announcement into NOTIFY payloads that fit.
func payloads(a store.Announcement) ([]string, error) {
	b, err := json.Marshal(a)
	if err != nil {
		return nil, err
	}
	if len(b) <= maxPayload {
		return []string{string(b)}, nil
	}
	if len(a.Tasks) <= 1 {
		// Too long to tell (it cannot be, with SWF's limits on names):
		// tell the others to look at everything.
		return payloads(store.Announcement{From: a.From, Timers: a.Timers, Resync: true})
	}
	half := len(a.Tasks) / 2
	first, second := a, store.Announcement{From: a.From}
	first.Tasks, second.Tasks = a.Tasks[:half], a.Tasks[half:]
	p1, err := payloads(first)
	if err != nil {
		return nil, err
	}
	p2, err := payloads(second)
	return append(p1, p2...), err
}

// Listen calls fn with every announcement made on the store, by any
// server, until ctx ends or the store is closed. It listens on a
// connection of its own, outside the pool; when it connects, and again
// whenever it reconnects after losing the connection, it first calls fn
// with Resync set, since announcements made meanwhile were missed.
func (s *Store) Listen(ctx context.Context, fn func(store.Announcement)) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-s.closed:
			cancel()
		case <-ctx.Done():
		}
	}()
	failures := 0
	for ctx.Err() == nil {
		if s.listenOnce(ctx, fn) {
			failures = 0
		} else {
			failures++
		}
		pause := min(100*time.Millisecond<<min(failures, 6), 5*time.Second)
		t := time.NewTimer(pause)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
	}
}

// listenOnce connects, listens and calls fn until the connection fails or
// ctx ends. It reports whether it got as far as listening.
func (s *Store) listenOnce(ctx context.Context, fn func(store.Announcement)) bool {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig)
	if err != nil {
		return false
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{s.channel}.Sanitize()); err != nil {
		return false
	}
	fn(store.Announcement{Resync: true})
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return true
		}
		var a store.Announcement
		if err := json.Unmarshal([]byte(n.Payload), &a); err != nil {
			continue
		}
		fn(a)
	}
}
