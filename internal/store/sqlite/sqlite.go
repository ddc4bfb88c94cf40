// Package sqlite is the embedded store of openswf: one SQLite file, written
// through a single connection in WAL mode with synchronous=FULL, so that a
// committed transaction is on disk before the caller hears of it. Readers
// use a separate pool and never wait for the writer.
//
// It uses modernc.org/sqlite, a pure-Go SQLite, so openswf builds without a
// C toolchain.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/store/sqlfile"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

//go:embed queries.sql
var queriesSQL string

//go:embed migrations/*.sql
var migrationsFS embed.FS

// queries holds each named query of queries.sql, and the multi-row forms
// of EventInsert (EventInsertN, for N events at once), with numbered
// parameters (see params).
var queries = numberAll(withEventInserts(sqlfile.MustParse(queriesSQL)))

func numberAll(q map[string]string) map[string]string {
	for name, query := range q {
		q[name], params[name] = numbered(query)
	}
	return q
}

// maxEventsPerInsert is the most events one INSERT statement writes.
const maxEventsPerInsert = 8

func withEventInserts(q map[string]string) map[string]string {
	for n := 2; n <= maxEventsPerInsert; n++ {
		rows := make([]string, n)
		for i := range rows {
			rows[i] = fmt.Sprintf("(:execution_id, :event_id%d, :data%d)", i, i)
		}
		q[fmt.Sprintf("EventInsert%d", n)] = "INSERT INTO events (execution_id, event_id, data) VALUES " + strings.Join(rows, ", ")
	}
	return q
}

// Store is the SQLite implementation of store.Store.
type Store struct {
	path   string
	writer *sql.DB
	reader *sql.DB

	// writes queue for the writer goroutine; mu guards isClosed, so that
	// nothing is queued once Close has closed the queue.
	writes     chan *writeReq
	writerDone chan struct{}
	mu         sync.RWMutex
	isClosed   bool
	// beforeCommit, when set (by tests), runs before each batch commits.
	beforeCommit func()
	// writeStmts are prepared on the writer's connection as the writer
	// first needs them; readStmts on the reader pool when the store opens
	// (each connection prepares them once).
	writeStmts, readStmts map[string]*sql.Stmt
	// control holds the writer's prepared transaction statements.
	control map[string]*sql.Stmt
}

var _ store.Store = (*Store)(nil)

// LoosePermissions lists the database's files (path and its -wal and -shm)
// that users other than the owner may read or write: a database created
// before openswf made them private, or whose mode was changed since.
func LoosePermissions(path string) []string {
	var loose []string
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if fi, err := os.Stat(p); err == nil && fi.Mode().Perm()&0o077 != 0 {
			loose = append(loose, fmt.Sprintf("%s (%v)", p, fi.Mode().Perm()))
		}
	}
	return loose
}

// fileURI is the SQLite URI of the file at path with the query q. In a
// URI, SQLite takes '?' and '#' as the end of the path and decodes %HH:
// they are escaped, so that a directory named "run#2" (as Go names a
// repeated subtest's temporary directory) is not read as a file "run".
func fileURI(path string, q url.Values) string {
	return "file:" + strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(path) + "?" + q.Encode()
}

// Open opens (creating it if needed, readable by its owner only) the
// database file at path and brings its schema up to date.
func Open(ctx context.Context, path string) (*Store, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create the database directory: %w", err)
		}
	}
	// The file holds the keys that sign task and page tokens: only its
	// owner may read it. SQLite creates the -wal and -shm files with the
	// database file's mode, so they are private too.
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		f.Close()
	} else if !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("create the database file: %w", err)
	}
	pragmas := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(FULL)", "busy_timeout(10000)", "foreign_keys(ON)"} {
		pragmas.Add("_pragma", p)
	}
	// The writer runs BEGIN IMMEDIATE itself (see Write).
	writer, err := sql.Open("sqlite", fileURI(path, pragmas))
	if err != nil {
		return nil, err
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	writer.SetConnMaxIdleTime(0)
	s := &Store{path: path, writer: writer}
	if err := s.migrate(ctx); err != nil {
		writer.Close()
		return nil, err
	}

	rp := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "query_only(1)"} {
		rp.Add("_pragma", p)
	}
	rp.Set("_txlock", "deferred")
	reader, err := sql.Open("sqlite", fileURI(path, rp))
	if err != nil {
		writer.Close()
		return nil, err
	}
	n := max(4, runtime.GOMAXPROCS(0))
	reader.SetMaxOpenConns(n)
	reader.SetMaxIdleConns(n)
	s.reader = reader

	conn, err := writer.Conn(ctx)
	if err != nil {
		reader.Close()
		writer.Close()
		return nil, err
	}
	// Before any statement is prepared: ANALYZE changes the schema, and
	// SQLite prepares again each statement prepared before a change.
	optimize(ctx, conn)
	// The writer prepares each statement on its first use (writeStmt):
	// a server uses a part of them, and preparing costs more than a start
	// otherwise does.
	s.writeStmts = map[string]*sql.Stmt{}
	if s.readStmts, err = prepareAll(ctx, reader.PrepareContext); err == nil {
		s.control = map[string]*sql.Stmt{}
		for _, c := range []string{"BEGIN IMMEDIATE", "SAVEPOINT w", "ROLLBACK TO w", "RELEASE w", "COMMIT", "ROLLBACK"} {
			if s.control[c], err = conn.PrepareContext(ctx, c); err != nil {
				break
			}
		}
	}
	if err != nil {
		conn.Close()
		reader.Close()
		writer.Close()
		return nil, err
	}
	s.writes = make(chan *writeReq, maxBatch)
	s.writerDone = make(chan struct{})
	go s.writeLoop(conn)
	return s, nil
}

// optimize refreshes the statistics SQLite's query planner uses (which
// index serves a tag filter best, say), within a bounded effort, on the
// writer's connection. It runs when the store opens: the statistics change
// slowly.
func optimize(ctx context.Context, conn *sql.Conn) {
	// Planner statistics only help: a failure changes nothing else.
	if _, err := conn.ExecContext(ctx, "PRAGMA analysis_limit=1000"); err != nil {
		return
	}
	// A database never analyzed gets its statistics now; later, optimize
	// decides what needs them again.
	analyze := "PRAGMA optimize=0x10002"
	var n int
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").Scan(&n); err == nil && n == 0 {
		analyze = "ANALYZE"
	}
	conn.ExecContext(ctx, analyze)
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Close stops the writer, once the writes queued before have been
// answered, and closes both connection pools.
func (s *Store) Close() error {
	s.mu.Lock()
	if !s.isClosed {
		s.isClosed = true
		close(s.writes)
	}
	s.mu.Unlock()
	<-s.writerDone
	// SQLite keeps a connection, and its files, open while a statement
	// prepared on it is: close them first.
	var errs []error
	for _, stmts := range []map[string]*sql.Stmt{s.readStmts, s.writeStmts, s.control} {
		for _, st := range stmts {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(append(errs, s.reader.Close(), s.writer.Close())...)
}

// migrate applies, in order and each in its own transaction, the migrations
// that the database has not seen yet.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.writer.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	all, err := sqlfile.Migrations(migrationsFS, "migrations")
	if err != nil {
		return err
	}

	var current int
	if err := s.writer.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return err
	}
	if len(all) > 0 && current > all[len(all)-1].Version {
		return fmt.Errorf("the database schema (version %d) is newer than this openswf knows (%d)", current, all[len(all)-1].Version)
	}
	for _, m := range all {
		if m.Version <= current {
			continue
		}
		tx, err := s.writer.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
			m.Version, m.Name, time.Now().UnixMilli()); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	return nil
}

// Write runs fn in a transaction of its own, and returns once it is
// committed to disk (or rolled back, if fn failed).
//
// Writes are group-committed: one goroutine owns the writer connection and
// runs the writes that wait, each inside its own SAVEPOINT of one
// transaction, then commits them all with one COMMIT, and so one fsync,
// before it answers any of them. A write whose fn fails is rolled back to
// its savepoint alone. Durability is that of each write committing alone;
// the fsync is shared.
//
// Once queued, a write runs to its end even if ctx is canceled, so that a
// caller that gives up never leaves half a change behind. fn runs on the
// writer goroutine and must not call Write.
func (s *Store) Write(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	req := &writeReq{fn: fn, done: make(chan error, 1)}
	s.mu.RLock()
	if s.isClosed {
		s.mu.RUnlock()
		return outage(errClosed)
	}
	s.writes <- req
	s.mu.RUnlock()
	return outage(<-req.done)
}

var errClosed = errors.New("sqlite: the store is closed")

// maxBatch bounds how many writes share one commit.
const maxBatch = 256

type writeReq struct {
	fn   func(store.Tx) error
	done chan error
	err  error
}

// writeLoop is the goroutine that owns the writer connection. It ends when
// the store is closed and every write queued before has been answered.
func (s *Store) writeLoop(conn *sql.Conn) {
	defer close(s.writerDone)
	defer conn.Close()
	batch := make([]*writeReq, 0, maxBatch)
	for {
		first, ok := <-s.writes
		if !ok {
			return
		}
		batch = append(batch[:0], first)
	more:
		for len(batch) < maxBatch {
			select {
			case r, ok := <-s.writes:
				if !ok {
					break more
				}
				batch = append(batch, r)
			default:
				break more
			}
		}
		s.runBatch(conn, batch)
	}
}

// runBatch runs a batch of writes in one transaction and answers them all
// after its commit.
func (s *Store) runBatch(conn *sql.Conn, batch []*writeReq) {
	ctx := context.Background()
	answer := func(err error) {
		for _, r := range batch {
			if err != nil {
				r.done <- err
			} else {
				r.done <- r.err
			}
		}
	}
	ctl := s.control
	if _, err := ctl["BEGIN IMMEDIATE"].ExecContext(ctx); err != nil {
		answer(err)
		return
	}
	t := &tx{t: conn, s: s, stmt: func(_ context.Context, name string) *sql.Stmt { return s.writeStmt(conn, name) }}
	for _, r := range batch {
		if _, err := ctl["SAVEPOINT w"].ExecContext(ctx); err != nil {
			r.err = err
			continue
		}
		r.err = run(r, t)
		if r.err != nil {
			if _, err := ctl["ROLLBACK TO w"].ExecContext(ctx); err != nil {
				// The savepoint cannot be undone (SQLite rolls the whole
				// transaction back on some errors, a full disk among
				// them): give the whole batch up, for the write's reason.
				ctl["ROLLBACK"].ExecContext(ctx)
				answer(errors.Join(r.err, err))
				return
			}
		}
		if _, err := ctl["RELEASE w"].ExecContext(ctx); err != nil {
			ctl["ROLLBACK"].ExecContext(ctx)
			answer(err)
			return
		}
	}
	if s.beforeCommit != nil {
		s.beforeCommit()
	}
	if _, err := ctl["COMMIT"].ExecContext(ctx); err != nil {
		ctl["ROLLBACK"].ExecContext(ctx)
		answer(err)
		return
	}
	answer(nil)
}

// run calls a write's fn, turning a panic into its error so that one bad
// write cannot stop the writer. A panic with an error (a statement that
// could not be prepared) keeps it, so that an outage is still told apart.
func run(r *writeReq, t *tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			if e, ok := p.(error); ok {
				err = fmt.Errorf("sqlite: write panicked: %w", e)
			} else {
				err = fmt.Errorf("sqlite: write panicked: %v", p)
			}
		}
	}()
	return r.fn(t)
}

// writeStmt returns the statement of a named query, which must exist, on
// the writer's connection, preparing it on first use. Only the writer
// goroutine calls it. A statement that cannot be prepared panics with the
// error, which run turns back into the write's error.
func (s *Store) writeStmt(conn *sql.Conn, name string) *sql.Stmt {
	if st, ok := s.writeStmts[name]; ok {
		return st
	}
	query, ok := queries[name]
	if !ok {
		panic("sqlite: no query named " + name)
	}
	st, err := conn.PrepareContext(context.Background(), query)
	if err != nil {
		panic(fmt.Errorf("prepare %s: %w", name, err))
	}
	s.writeStmts[name] = st
	return st
}

// Read runs fn in a read-only transaction, which sees one snapshot.
func (s *Store) Read(ctx context.Context, fn func(store.Tx) error) error {
	// The transaction itself is not tied to ctx (database/sql would watch
	// it with a goroutine per transaction); the queries that can run long,
	// visibility's, take ctx and stop when the caller goes.
	if err := ctx.Err(); err != nil {
		return err
	}
	sqlTx, err := s.reader.BeginTx(context.WithoutCancel(ctx), &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return outage(err)
	}
	defer sqlTx.Rollback()
	return outage(fn(&tx{t: sqlTx, s: s, stmt: func(ctx context.Context, name string) *sql.Stmt {
		return sqlTx.StmtContext(ctx, named(s.readStmts, name))
	}}))
}

// querier is what statements run on: a read transaction, or the writer's
// connection inside its batch transaction.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// tx runs statements in a transaction: the named queries of queries.sql
// as statements prepared once, and dynamic SQL as it comes.
type tx struct {
	t querier
	// s is the store, whose readers read what is asked for once the
	// transaction has committed (EventListAtCommit).
	s *Store
	// stmt returns the prepared statement of a named query for this
	// transaction.
	stmt func(ctx context.Context, name string) *sql.Stmt
}

// Named queries are short, indexed and never interrupted: they run with a
// context that cannot be canceled. (The driver watches a cancelable one
// with a goroutine per statement; and on the writer's connection an
// interruption must never reach another caller's statement of the batch.)

func (t *tx) exec(_ context.Context, name string, args ...any) (sql.Result, error) {
	ctx := context.Background()
	return t.stmt(ctx, name).ExecContext(ctx, bind(name, args)...)
}

func (t *tx) query(_ context.Context, name string, args ...any) (*sql.Rows, error) {
	ctx := context.Background()
	return t.stmt(ctx, name).QueryContext(ctx, bind(name, args)...)
}

func (t *tx) queryRow(_ context.Context, name string, args ...any) *sql.Row {
	ctx := context.Background()
	return t.stmt(ctx, name).QueryRowContext(ctx, bind(name, args)...)
}

// params holds, for each named query, the position of each of its :named
// parameters: the queries are prepared with numbered parameters (?1, ?2,
// …), which SQLite binds without looking names up on every call.
var params = map[string]map[string]int{}

// numbered rewrites a query's :named parameters as ?N and returns the
// positions of the names.
func numbered(query string) (string, map[string]int) {
	pos := map[string]int{}
	var b strings.Builder
	for i := 0; i < len(query); i++ {
		c := query[i]
		if c != ':' || i+1 >= len(query) || !isNameByte(query[i+1]) {
			b.WriteByte(c)
			continue
		}
		j := i + 1
		for j < len(query) && isNameByte(query[j]) {
			j++
		}
		name := query[i+1 : j]
		n, ok := pos[name]
		if !ok {
			n = len(pos) + 1
			pos[name] = n
		}
		fmt.Fprintf(&b, "?%d", n)
		i = j - 1
	}
	return b.String(), pos
}

func isNameByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// bind orders the sql.Named arguments of a named query by position; names
// the query does not use are dropped.
func bind(name string, args []any) []any {
	pos := params[name]
	out := make([]any, len(pos))
	for _, a := range args {
		if na, ok := a.(sql.NamedArg); ok {
			if i, ok := pos[na.Name]; ok {
				out[i-1] = na.Value
			}
		}
	}
	return out
}

// prepareAll prepares every named query with prepare.
func prepareAll(ctx context.Context, prepare func(context.Context, string) (*sql.Stmt, error)) (map[string]*sql.Stmt, error) {
	stmts := make(map[string]*sql.Stmt, len(queries))
	for name, query := range queries {
		st, err := prepare(ctx, query)
		if err != nil {
			return nil, fmt.Errorf("prepare %s: %w", name, err)
		}
		stmts[name] = st
	}
	return stmts, nil
}

// named returns the statement of a named query, which must exist.
func named(stmts map[string]*sql.Stmt, name string) *sql.Stmt {
	st, ok := stmts[name]
	if !ok {
		panic("sqlite: no query named " + name)
	}
	return st
}

func millis(t time.Time) int64 { return t.UnixMilli() }

func nullMillis(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

func nullString(s *string) sql.NullString {
	if s == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: *s, Valid: true}
}

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func fromNullMillis(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := fromMillis(n.Int64)
	return &t
}

func fromNullString(n sql.NullString) *string {
	if !n.Valid {
		return nil
	}
	return &n.String
}

type scanner interface{ Scan(dest ...any) error }

func scanDomain(r scanner) (*store.Domain, error) {
	var d store.Domain
	var desc sql.NullString
	var created int64
	var deprecated sql.NullInt64
	if err := r.Scan(&d.ID, &d.Name, &d.Status, &desc, &d.Retention, &created, &deprecated); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, store.ErrNotFound
		}
		return nil, err
	}
	d.Description = fromNullString(desc)
	d.CreatedAt = fromMillis(created)
	d.DeprecatedAt = fromNullMillis(deprecated)
	return &d, nil
}

func (t *tx) DomainInsert(ctx context.Context, d *store.Domain) (int64, error) {
	res, err := t.exec(ctx, "DomainInsert",
		sql.Named("name", d.Name), sql.Named("status", d.Status), sql.Named("description", nullString(d.Description)),
		sql.Named("retention", d.Retention), sql.Named("created_at", millis(d.CreatedAt)),
		sql.Named("deprecated_at", nullMillis(d.DeprecatedAt)))
	if err != nil {
		return 0, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return 0, err
	} else if n == 0 {
		return 0, store.ErrExists
	}
	return res.LastInsertId()
}

func (t *tx) DomainGetByName(ctx context.Context, name string) (*store.Domain, error) {
	return scanDomain(t.queryRow(ctx, "DomainGetByName", sql.Named("name", name)))
}

func (t *tx) DomainGetByID(ctx context.Context, id int64) (*store.Domain, error) {
	return scanDomain(t.queryRow(ctx, "DomainGetByID", sql.Named("id", id)))
}

func (t *tx) DomainCount(ctx context.Context) (int, error) {
	var n int
	err := t.queryRow(ctx, "DomainCount").Scan(&n)
	return n, err
}

func (t *tx) DomainList(ctx context.Context, p store.DomainListParams) ([]*store.Domain, error) {
	query := "DomainListAsc"
	if p.Reverse {
		query = "DomainListDesc"
	}
	rows, err := t.query(ctx, query, sql.Named("status", p.Status), sql.Named("after", nullString(p.After)), sql.Named("limit", p.Limit))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*store.Domain
	for rows.Next() {
		d, err := scanDomain(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func (t *tx) DomainSetStatus(ctx context.Context, id int64, c store.StatusChange) error {
	_, err := t.exec(ctx, "DomainSetStatus", sql.Named("id", id), sql.Named("status", c.Status), sql.Named("deprecated_at", nullMillis(c.DeprecatedAt)))
	return err
}

func (t *tx) DomainTagList(ctx context.Context, domainID int64) ([]store.Tag, error) {
	rows, err := t.query(ctx, "DomainTagList", sql.Named("domain_id", domainID))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Tag
	for rows.Next() {
		var tag store.Tag
		if err := rows.Scan(&tag.Key, &tag.Value); err != nil {
			return nil, err
		}
		out = append(out, tag)
	}
	return out, rows.Err()
}

func (t *tx) DomainTagPut(ctx context.Context, domainID int64, tags []store.Tag) error {
	for _, tag := range tags {
		if _, err := t.exec(ctx, "DomainTagPut", sql.Named("domain_id", domainID), sql.Named("key", tag.Key), sql.Named("value", tag.Value)); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) DomainTagDelete(ctx context.Context, domainID int64, keys []string) error {
	for _, k := range keys {
		if _, err := t.exec(ctx, "DomainTagDelete", sql.Named("domain_id", domainID), sql.Named("key", k)); err != nil {
			return err
		}
	}
	return nil
}

func typeKeyArgs(k store.TypeKey) []any {
	return []any{sql.Named("domain_id", k.DomainID), sql.Named("kind", string(k.Kind)), sql.Named("name", k.Name), sql.Named("version", k.Version)}
}

func scanType(r scanner) (*store.Type, error) {
	var ty store.Type
	var kind string
	var desc sql.NullString
	var created int64
	var deprecated sql.NullInt64
	var config string
	if err := r.Scan(&ty.DomainID, &kind, &ty.Name, &ty.Version, &ty.Status, &desc, &created, &deprecated, &config); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, store.ErrNotFound
		}
		return nil, err
	}
	ty.Kind = store.TypeKind(kind)
	ty.Description = fromNullString(desc)
	ty.CreatedAt = fromMillis(created)
	ty.DeprecatedAt = fromNullMillis(deprecated)
	ty.Config = []byte(config)
	return &ty, nil
}

func (t *tx) TypeInsert(ctx context.Context, ty *store.Type) error {
	args := append(typeKeyArgs(store.TypeKey{DomainID: ty.DomainID, Kind: ty.Kind, Name: ty.Name, Version: ty.Version}),
		sql.Named("status", ty.Status), sql.Named("description", nullString(ty.Description)),
		sql.Named("created_at", millis(ty.CreatedAt)), sql.Named("deprecated_at", nullMillis(ty.DeprecatedAt)),
		sql.Named("config", string(ty.Config)))
	res, err := t.exec(ctx, "TypeInsert", args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return store.ErrExists
	}
	return nil
}

func (t *tx) TypeGet(ctx context.Context, k store.TypeKey) (*store.Type, error) {
	return scanType(t.queryRow(ctx, "TypeGet", typeKeyArgs(k)...))
}

// TypeGetAhead does nothing: on SQLite a TypeGet costs no round trip.
func (t *tx) TypeGetAhead(context.Context, []store.TypeKey) {}

func (t *tx) TypeCount(ctx context.Context, domainID int64, kind store.TypeKind) (int, error) {
	var n int
	err := t.queryRow(ctx, "TypeCount", sql.Named("domain_id", domainID), sql.Named("kind", string(kind))).Scan(&n)
	return n, err
}

func (t *tx) TypeList(ctx context.Context, p store.TypeListParams) ([]*store.Type, error) {
	query := "TypeListAsc"
	if p.Reverse {
		query = "TypeListDesc"
	}
	rows, err := t.query(ctx, query,
		sql.Named("domain_id", p.DomainID), sql.Named("kind", string(p.Kind)), sql.Named("status", p.Status),
		sql.Named("name", nullString(p.Name)), sql.Named("after_name", nullString(p.AfterName)),
		sql.Named("after_version", p.AfterVersion), sql.Named("limit", p.Limit))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*store.Type
	for rows.Next() {
		ty, err := scanType(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, ty)
	}
	return out, rows.Err()
}

func (t *tx) TypeSetStatus(ctx context.Context, k store.TypeKey, c store.StatusChange) error {
	args := append(typeKeyArgs(k), sql.Named("status", c.Status), sql.Named("deprecated_at", nullMillis(c.DeprecatedAt)))
	_, err := t.exec(ctx, "TypeSetStatus", args...)
	return err
}

func (t *tx) TypeDeprecateAll(ctx context.Context, domainID int64, at time.Time) error {
	_, err := t.exec(ctx, "TypeDeprecateAll", sql.Named("domain_id", domainID), sql.Named("deprecated_at", millis(at)))
	return err
}

func (t *tx) TypeDelete(ctx context.Context, k store.TypeKey) error {
	res, err := t.exec(ctx, "TypeDelete", typeKeyArgs(k)...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

func (t *tx) MetaGet(ctx context.Context, key string) ([]byte, error) {
	var v []byte
	err := t.queryRow(ctx, "MetaGet", sql.Named("key", key)).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	return v, err
}

func (t *tx) MetaPut(ctx context.Context, key string, value []byte) error {
	_, err := t.exec(ctx, "MetaPut", sql.Named("key", key), sql.Named("value", value))
	return err
}

func (t *tx) MetaPutIfAbsent(ctx context.Context, key string, value []byte) ([]byte, error) {
	if _, err := t.exec(ctx, "MetaPutIfAbsent", sql.Named("key", key), sql.Named("value", value)); err != nil {
		return nil, err
	}
	return t.MetaGet(ctx, key)
}

// tables are the tables DeleteAll empties, each before those it refers to.
var tables = []string{"timers", "tasks", "activities", "events", "execution_tags", "executions", "types", "domain_tags", "domains"}

// DeleteAll empties every table but meta.
func (t *tx) DeleteAll(ctx context.Context) error {
	for _, table := range tables {
		if _, err := t.t.ExecContext(ctx, "DELETE FROM "+table); err != nil {
			return fmt.Errorf("empty %s: %w", table, err)
		}
	}
	return nil
}
