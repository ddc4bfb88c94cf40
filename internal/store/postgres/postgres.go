// Package postgres is the shared store of openswf: PostgreSQL, which
// several stateless openswf servers behind a load balancer use at once.
//
// Every Write runs at READ COMMITTED isolation and takes explicit locks on
// what its checks depend on, so that the check-then-change transactions of
// the engine behave as if they ran one after another, as they do on SQLite,
// however many servers run them, without the reruns that serializable
// isolation costs when unrelated writes touch neighbouring index pages:
//
//   - a run read in a write is locked (FOR UPDATE): every transition of a
//     run, and everything it changes (history, activities, tasks, timers),
//     happens under its row lock, so two transitions of one run queue
//     rather than fail, and the second reads what the first committed;
//   - a run is started by an insert that a unique index keeps to one open
//     run per workflowId (a start that loses that race runs again, and
//     finds the winner);
//   - a domain's open-run count is one row, changed at COMMIT by the one
//     statement that applies what the write opened and closed, and that
//     the row's check holds to the quota (see migration 0003): starts in
//     one domain wait for each other only for the length of a commit;
//   - the counts that registrations check (domains, types, tags) are read
//     under transaction-level advisory locks;
//   - task lists are taken with FOR UPDATE SKIP LOCKED, so that pollers on
//     every server take different tasks instead of queueing for the same
//     one; the package tests show that each task goes to exactly one.
//
// Writes are group-committed, as on SQLite (batch.go): those that wait run
// one after another in one transaction, which one COMMIT ends; a batch locks
// runs SKIP LOCKED and waits for none, and a write whose run is busy runs
// alone, in a transaction of its own.
//
// A Write that returns nil has been committed (synchronous_commit,
// PostgreSQL's default, is left alone). Write runs its function again only
// when PostgreSQL detects a deadlock, or when a start lost the race for its
// workflowId or for its domain's quota at commit; the few writes that keep
// failing run alone.
//
// Reads run on a REPEATABLE READ, READ ONLY snapshot; a read of one
// statement (ReadOne) runs outside any transaction, on the statement's own.
//
// The servers sharing the database wake each other's long polls and timer
// loops with LISTEN and NOTIFY (store.Shared).
//
// The schema lives in migrations/*.sql, applied in order and recorded in
// schema_migrations; the statements are in queries.sql, by name, with $n
// parameters (only the listings whose filters vary per call are composed
// in Go).
package postgres

import (
	"context"
	"embed"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/openswf/openswf/internal/store"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Store is the PostgreSQL implementation of store.Store, and of
// store.Shared: the servers that share a database tell each other of the
// tasks and timers they commit with LISTEN and NOTIFY.
type Store struct {
	pool   *pgxpool.Pool
	schema string
	// channel is the NOTIFY channel of the schema.
	channel string
	// closed is closed by Close, which ends Listen.
	closed    chan struct{}
	closeOnce sync.Once
	// writes counts the Writes, retries the attempts run again after a
	// deadlock or a lost race, alone those run alone, for tests and
	// diagnostics.
	writes, retries, alone atomic.Int64
	// roundTrips counts the round trips of Writes, Reads and heartbeats
	// (see RoundTrips).
	roundTrips atomic.Int64
	// openLimit is the most open runs a domain may have, checked at every
	// commit that adds some; 0 checks nothing.
	openLimit atomic.Int64
	// heartbeats gathers heartbeats recorded together (heartbeats.go).
	heartbeats heartbeats
	// batches gathers the writes committed together (batch.go).
	batches writeQueue
}

var (
	_ store.Store  = (*Store)(nil)
	_ store.Shared = (*Store)(nil)
)

// Open connects to the database at url (a postgres:// URL or key=value
// connection string, as pgx reads them) and brings the schema up to date.
// The tables are those of the connection's search_path (normally public);
// see OpenSchema to keep them elsewhere.
//
// The pgxpool settings may be added to url: pool_max_conns bounds the
// connections, and so the transactions under way, of this server (by
// default defaultMaxConns).
func Open(ctx context.Context, url string) (*Store, error) {
	return OpenSchema(ctx, url, "")
}

// OpenSchema is Open with the tables in the named schema, which it creates
// if needed: several openswf installations, or tests running in parallel,
// can share one database. Every pooled connection has its search_path set
// to the schema. An empty schema is Open.
//
// Opening is safe while other processes open the same schema: the
// migrations run under an advisory lock, each at most once.
func OpenSchema(ctx context.Context, url, schema string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = defaultMaxConns()
	}
	if schema != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{schema}.Sanitize()
	}
	if cfg.ConnConfig.RuntimeParams["application_name"] == "" {
		cfg.ConnConfig.RuntimeParams["application_name"] = "openswf"
	}
	s := &Store{schema: schema, channel: channelName(schema), closed: make(chan struct{})}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s.pool = pool
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// defaultMaxConns is the default size of a server's pool: the larger of 16
// and four per CPU. A transaction spends most of its time waiting for
// round trips and commits, not computing, and transactions of different
// runs do not conflict: the pool, not PostgreSQL, would otherwise bound a
// server's throughput (pgxpool's own default, the larger of 4 and the
// CPUs, did on a 2-core machine).
func defaultMaxConns() int32 { return int32(max(16, 4*runtime.NumCPU())) }

// Close closes every connection of the store, once the transactions under
// way have ended, and ends Listen.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.closed)
		s.pool.Close()
	})
	return nil
}

// Schema is the schema the store was opened on; empty for the connection's
// search_path.
func (s *Store) Schema() string { return s.schema }

// DropSchema removes a schema and every table in it, for good: what tests
// that each opened a store on a schema of their own leave behind, or an
// installation being taken down.
func DropSchema(ctx context.Context, url, schema string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
		return fmt.Errorf("postgres: drop schema %s: %w", schema, err)
	}
	return nil
}
