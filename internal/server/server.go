// Package server assembles openswf: it opens the store, builds the engine
// and serves the SWF API over HTTP. cmd/openswf and the tests start servers
// through it.
package server

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/openswf/openswf/internal/archive"
	"github.com/openswf/openswf/internal/auth"
	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/internal/console"
	"github.com/openswf/openswf/internal/engine"
	"github.com/openswf/openswf/internal/lambda"
	"github.com/openswf/openswf/internal/metrics"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/store/postgres"
	"github.com/openswf/openswf/internal/store/sqlite"
	"github.com/openswf/openswf/internal/throttle"
	"github.com/openswf/openswf/internal/timers"
	"github.com/openswf/openswf/internal/wire"
)

// Defaults of the settings.
const (
	DefaultListen    = "127.0.0.1:7930" // "SWF" on a phone keypad is 793
	DefaultRegion    = "us-east-1"
	DefaultAccountID = "123456789012" // the placeholder account AWS emulators use
)

// DefaultDatabasePath is where the embedded database lives when no database
// is configured: $XDG_DATA_HOME/openswf/openswf.db, or
// ~/.local/share/openswf/openswf.db.
func DefaultDatabasePath() string {
	dir := os.Getenv("XDG_DATA_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "openswf.db"
		}
		dir = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(dir, "openswf", "openswf.db")
}

// Config is the whole configuration of a server.
type Config struct {
	// Listen is the TCP address to serve on; port 0 picks a free port.
	Listen string
	// Database says where the state lives: a path to an SQLite file
	// (optionally written sqlite:PATH or file:PATH).
	Database string
	// Region and AccountID appear in the ARNs of domains.
	Region    string
	AccountID string
	// Limits are SWF's quotas; zero fields take Amazon SWF's values.
	Limits engine.Limits
	// LongPollWait is how long a poll waits for a task (SWF: 60 s).
	LongPollWait time.Duration
	// Lambda says where Lambda tasks' functions are invoked; without an
	// endpoint the server has no Lambda service.
	Lambda LambdaConfig
	// DecisionRates limits how often decisions that create things may be
	// made (engine.SWFDecisionRates are Amazon SWF's); nil limits nothing.
	DecisionRates map[string]throttle.Rate
	// APIRates limit how often each operation may be called, and
	// ExecutionAPIRates how often some may be called on one execution
	// (engine.SWFAPIRates and engine.SWFExecutionAPIRates are Amazon
	// SWF's); nil limits nothing.
	APIRates, ExecutionAPIRates map[string]throttle.Rate
	// Auth checks callers' signatures and policies (auth.Load reads a
	// users file); nil accepts every request, signed or not.
	Auth *auth.Authenticator
	// ConsoleActions lets the web console act on executions (signal,
	// request cancel, terminate, re-run) as its signed-in user may.
	ConsoleActions bool
	// Archive receives closed runs when their retention ends (an openswf
	// extension); nil deletes them. Without it, ArchiveURL names one to
	// open (archive.Open, with ArchiveEndpoint).
	Archive                     archive.Archive
	ArchiveURL, ArchiveEndpoint string
	// Clock tells the time; nil means the wall clock (or, with
	// ManualClock, a clock.Fake that starts at the wall-clock time).
	Clock clock.Clock
	// ManualClock makes the clock move only when told (POST /openswf/clock,
	// AdvanceClock): every timer, timeout, retention and history time
	// follows it, while long polls wait on real time. Clock, if set, must
	// then be a *clock.Fake.
	ManualClock bool
	// Dev marks a development server: POST /openswf/reset (and moto's
	// POST /moto-api/reset) empty its store.
	Dev bool
	// Version is the server's version, shown at GET /.
	Version string
	// Logger receives the server's logs; nil discards them.
	Logger *slog.Logger

	// ReadHeaderTimeout bounds how long a client may take to send a
	// request's headers, BodyTimeout its body (long polls then wait their
	// full time), and IdleTimeout how long a keep-alive connection may sit
	// idle. Zero takes the Default* values.
	ReadHeaderTimeout, BodyTimeout, IdleTimeout time.Duration
	// MaxHeaderBytes bounds the size of a request's headers (zero:
	// DefaultMaxHeaderBytes).
	MaxHeaderBytes int
	// MaxConnections bounds the connections open at once; more wait to be
	// accepted (zero: DefaultMaxConnections).
	MaxConnections int
	// MaxBodyReads bounds the request bodies read at once before their
	// signature is verified (zero: DefaultMaxBodyReads).
	MaxBodyReads int
	// MaxPolls bounds the long polls waiting on the server, and
	// MaxPollsPerUser those of one user of the users file; more answer
	// LimitExceededFault (zero: three quarters of MaxConnections, and
	// DefaultMaxPollsPerUser).
	MaxPolls, MaxPollsPerUser int
	// AllowedHosts are host names, besides loopback ones, that a server
	// without Auth answers requests for (see hostCheck); with Auth every
	// host is answered.
	AllowedHosts []string

	// Set by the package's tests only (export_test.go): the clock of the
	// engine's housekeeping on a shared database (engine.Config.Wall), and
	// a wrapper of the store, which sees what the server does with it.
	wall      clock.Clock
	wrapStore func(store.Store) store.Store
}

func (c *Config) setDefaults() {
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.Database == "" {
		c.Database = DefaultDatabasePath()
	}
	if c.Region == "" {
		c.Region = DefaultRegion
	}
	if c.AccountID == "" {
		c.AccountID = DefaultAccountID
	}
	c.Limits = c.Limits.WithDefaults()
	if c.LongPollWait == 0 {
		c.LongPollWait = engine.DefaultLongPollWait
	}
	if c.Clock == nil {
		c.Clock = clock.Real{}
		if c.ManualClock {
			c.Clock = clock.NewFake(time.Now().UTC().Truncate(time.Millisecond))
		}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	c.ReadHeaderTimeout = cmp.Or(c.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	c.BodyTimeout = cmp.Or(c.BodyTimeout, DefaultBodyTimeout)
	c.IdleTimeout = cmp.Or(c.IdleTimeout, DefaultIdleTimeout)
	c.MaxHeaderBytes = cmp.Or(c.MaxHeaderBytes, DefaultMaxHeaderBytes)
	c.MaxConnections = cmp.Or(c.MaxConnections, DefaultMaxConnections)
	c.MaxBodyReads = cmp.Or(c.MaxBodyReads, DefaultMaxBodyReads)
	if c.MaxPolls == 0 {
		// A quarter of the connections stay free for other calls.
		c.MaxPolls = c.MaxConnections * 3 / 4
	}
	c.MaxPollsPerUser = cmp.Or(c.MaxPollsPerUser, DefaultMaxPollsPerUser)
}

// LambdaConfig is how the server invokes Lambda functions.
type LambdaConfig struct {
	// Endpoint is the Lambda Invoke API's base URL; empty disables Lambda
	// tasks.
	Endpoint string
	// Region signs requests (default: the server's region).
	Region string
	// Credentials are the server's own AWS credentials (nil: unsigned);
	// lambda.DefaultCredentials finds them as the AWS SDKs do.
	Credentials aws.CredentialsProvider
	// AssumeRole invokes each function as its run's lambdaRole, assumed
	// through STS at STSEndpoint (default https://sts.REGION.amazonaws.com).
	AssumeRole  bool
	STSEndpoint string
	// Workers is how many invocations run at once (default 16).
	Workers int
}

// sharedTimerLook is how often, at the least, a server sharing its store
// looks for due timers that no announcement told it of.
const sharedTimerLook = 2 * time.Second

// Server is a running openswf.
type Server struct {
	cfg    Config
	store  store.Store
	where  string
	engine *engine.Engine
	// registry holds the metrics of GET /metrics.
	registry *metrics.Registry
	http     *http.Server
	ln       net.Listener
	done     chan error
	// stopLoop and loopDone stop the timer loop and tell it has stopped.
	stopLoop func()
	loopDone chan struct{}
	// manual is the clock when it is manual; clockMu makes one move of it
	// at a time.
	manual  *clock.Fake
	clockMu sync.Mutex
	// tempDir holds the database of a MemoryDatabase server, removed at
	// Shutdown.
	tempDir string
}

// MemoryDatabase is the Database setting of a throwaway store: an SQLite
// file in a temporary directory, removed when the server shuts down.
const MemoryDatabase = ":memory:"

// IsPostgres reports whether the Database setting is a PostgreSQL URL.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// DatabasePath resolves the Database setting to the SQLite file it names.
func DatabasePath(dsn string) (string, error) {
	switch {
	case IsPostgres(dsn):
		return "", errors.New("a PostgreSQL URL names no SQLite file")
	case strings.HasPrefix(dsn, "sqlite://"):
		return strings.TrimPrefix(dsn, "sqlite://"), nil
	case strings.HasPrefix(dsn, "sqlite:"):
		return strings.TrimPrefix(dsn, "sqlite:"), nil
	case strings.HasPrefix(dsn, "file:"):
		return strings.TrimPrefix(dsn, "file:"), nil
	}
	return dsn, nil
}

// Start opens the database, binds the listener and serves in the
// background until Shutdown.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	cfg.setDefaults()
	if err := cfg.openArchive(ctx); err != nil {
		return nil, err
	}
	var manual *clock.Fake
	if cfg.ManualClock {
		var ok bool
		if manual, ok = cfg.Clock.(*clock.Fake); !ok {
			return nil, fmt.Errorf("a manual clock must be a *clock.Fake, not %T", cfg.Clock)
		}
	}
	st, where, keys, tempDir, err := openDatabase(ctx, &cfg)
	if err != nil {
		return nil, err
	}
	if cfg.wrapStore != nil {
		st = cfg.wrapStore(st)
	}
	registry := &metrics.Registry{}
	eng := engine.New(cfg.engineConfig(registry, manual != nil), st, cfg.Clock, keys)
	loopCtx, stopLoop := context.WithCancel(context.Background())
	loop := timers.New(cfg.Clock, eng, cfg.Logger)
	eng.OnTimersArmed(loop.Notify)
	if _, ok := st.(store.Shared); ok {
		// A server that arms a timer and stops before telling the others
		// leaves it to them: they look now and then.
		loop.LookEvery(sharedTimerLook)
	}

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		stopLoop()
		st.Close()
		if tempDir != "" {
			os.RemoveAll(tempDir)
		}
		return nil, err
	}
	ln = newLimitListener(ln, cfg.MaxConnections)
	s := &Server{cfg: cfg, store: st, where: where, engine: eng, registry: registry, ln: ln, done: make(chan error, 1), stopLoop: stopLoop, loopDone: make(chan struct{}),
		manual: manual, tempDir: tempDir}
	go func() {
		defer close(s.loopDone)
		var wg sync.WaitGroup
		wg.Go(func() { eng.RunLambdas(loopCtx, cmp.Or(cfg.Lambda.Workers, 16)) })
		if shared, ok := st.(store.Shared); ok {
			// Other servers on the same database hear of this one's
			// tasks and timers, and it of theirs.
			wg.Go(func() { eng.RunAnnouncements(loopCtx) })
			wg.Go(func() { shared.Listen(loopCtx, eng.Hear) })
		}
		loop.Run(loopCtx)
		wg.Wait()
	}()
	s.http = &http.Server{
		Handler:           s.routes(),
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    cfg.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
	}
	go func() { s.done <- s.http.Serve(ln) }()
	cfg.Logger.Info("openswf is serving the Amazon SWF API", "endpoint", s.URL(), "console", s.URL()+"/console/", "database", where, "authentication", cfg.Auth != nil,
		"region", cfg.Region, "account", cfg.AccountID, "clock", map[bool]string{true: "manual", false: "real"}[manual != nil])
	return s, nil
}

// openDatabase opens the store cfg.Database names and loads its keys; for
// MemoryDatabase, it makes a temporary directory (tempDir) for a file, and
// sets cfg.Database to it. where says where the store is, for logs. A
// SQLite file that others may read is logged as a warning.
func openDatabase(ctx context.Context, cfg *Config) (st store.Store, where string, keys engine.Keys, tempDir string, err error) {
	if cfg.Database == MemoryDatabase {
		dir, err := os.MkdirTemp("", "openswf-")
		if err != nil {
			return nil, "", keys, "", err
		}
		tempDir, cfg.Database = dir, filepath.Join(dir, "openswf.db")
	}
	st, where, err = openStore(ctx, cfg.Database)
	if err == nil && tempDir != "" {
		where = "memory (" + where + ", removed when the server stops)"
	}
	if err == nil {
		if keys, err = loadKeys(ctx, st); err != nil {
			st.Close()
		}
	}
	if err != nil {
		if tempDir != "" {
			os.RemoveAll(tempDir)
		}
		return nil, "", keys, "", fmt.Errorf("open database %s: %w", where, err)
	}
	if !IsPostgres(cfg.Database) {
		if p, err := DatabasePath(cfg.Database); err == nil {
			if loose := sqlite.LoosePermissions(p); loose != nil {
				cfg.Logger.Warn("the database holds the keys that sign task tokens, but others may read it: chmod 600 these files", "files", loose)
			}
		}
	}
	return st, where, keys, tempDir, nil
}

// engineConfig is the engine's configuration from the server's, with the
// metrics of its work in registry; with a manual clock, calls still wait
// on real time.
func (cfg *Config) engineConfig(registry *metrics.Registry, manual bool) engine.Config {
	ecfg := engine.Config{Region: cfg.Region, AccountID: cfg.AccountID, Limits: cfg.Limits, LongPollWait: cfg.LongPollWait, DecisionRates: cfg.DecisionRates,
		APIRates: cfg.APIRates, ExecutionAPIRates: cfg.ExecutionAPIRates, Logger: cfg.Logger,
		MaxPolls: cfg.MaxPolls, MaxPollsPerUser: cfg.MaxPollsPerUser, Observe: newWorkMetrics(registry).observe,
		Archive: cfg.Archive, Wall: cfg.wall}
	if manual {
		ecfg.CallClock = clock.Real{} // long polls wait, and API throttles refill, on real time
	}
	if l := cfg.Lambda; l.Endpoint != "" {
		region := cmp.Or(l.Region, cfg.Region)
		ecfg.Lambda = &lambda.HTTPInvoker{
			Endpoint: l.Endpoint, Region: region, Credentials: l.Credentials, AssumeRole: l.AssumeRole,
			STSEndpoint: cmp.Or(l.STSEndpoint, "https://sts."+region+".amazonaws.com"),
			MaxOutput:   int(cfg.Limits.Sizes.Data),
		}
	}
	return ecfg
}

// openStore opens the store the Database setting names, and says where it
// is for logs (a URL without its password).
func openStore(ctx context.Context, dsn string) (store.Store, string, error) {
	if IsPostgres(dsn) {
		u, err := url.Parse(dsn)
		if err != nil {
			return nil, "the PostgreSQL URL", err
		}
		// schema=NAME keeps openswf's tables in a schema of their own,
		// created if missing.
		q := u.Query()
		schema := q.Get("schema")
		q.Del("schema")
		u.RawQuery = q.Encode()
		where := RedactURL(u.String())
		if schema != "" {
			where += " (schema " + schema + ")"
		}
		st, err := postgres.OpenSchema(ctx, u.String(), schema)
		if err != nil {
			return nil, where, err
		}
		return st, where, nil
	}
	path, err := DatabasePath(dsn)
	if err != nil {
		return nil, dsn, err
	}
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, path, err
	}
	return st, path, nil
}

// RedactURL returns a URL fit for logs: its password, whether in the user
// information (postgres://user:pass@host) or a query parameter
// (?password=, ?sslpassword=), replaced by "xxxxx". A string that does not
// parse as a URL is replaced whole, as it may hold one.
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(a URL that does not parse)"
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			if strings.Contains(strings.ToLower(k), "password") {
				q[k] = []string{"xxxxx"}
			}
		}
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// loadKeys returns the keys that sign page and task tokens, making them on
// the first start, so that tokens stay valid across restarts.
func loadKeys(ctx context.Context, st store.Store) (engine.Keys, error) {
	var keys engine.Keys
	err := st.Write(ctx, func(tx store.Tx) error {
		for name, dst := range map[string]*[]byte{"page_token_key": &keys.PageToken, engine.TaskTokenKeyName: &keys.TaskToken} {
			fresh := make([]byte, 32)
			rand.Read(fresh)
			key, err := tx.MetaPutIfAbsent(ctx, name, fresh)
			if err != nil {
				return err
			}
			*dst = key
		}
		return nil
	})
	return keys, err
}

// FireDueTimers fires, before it returns, every timer due at the clock's
// time. The server's timer loop does this by itself; tests that move a
// fake clock call it to know the timers have fired.
func (s *Server) FireDueTimers(ctx context.Context) error {
	return s.engine.FireDue(ctx, s.cfg.Clock.Now())
}

func (s *Server) routes() http.Handler {
	m := s.newMetrics()
	api := wire.NewHandler(s.engine, s.cfg.Logger, wire.Options{Sizes: &s.cfg.Limits.Sizes, Authenticator: s.cfg.Auth,
		Authorize: s.engine.Authorize, Throttle: s.engine.Throttle, Observe: m.observe,
		MaxBodyReads: s.cfg.MaxBodyReads, BodyTimeout: s.cfg.BodyTimeout})
	mux := http.NewServeMux()
	mux.Handle("POST /", api)
	s.extensionRoutes(mux, m)
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", metrics.ContentType)
		m.registry.WriteText(w)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok\n")
	})
	// The web console reads through the engine itself. With a users file
	// (authentication on) it asks people to sign in with an access key and
	// checks each call it makes against that user's policies.
	opts := []console.Option{console.WithNow(s.cfg.Clock.Now), console.WithLogger(s.cfg.Logger)}
	if s.cfg.ConsoleActions {
		opts = append(opts, console.WithActions())
	}
	if s.cfg.Auth != nil {
		opts = append(opts, console.WithSignIn(s.cfg.Auth, s.engine.Authorize))
	}
	c := console.New(s.engine, opts...)
	mux.Handle("GET /console/", c)
	// POSTs to its paths reach the console (its forms, or a 405), rather
	// than the API ("POST /" takes every path).
	mux.Handle("POST /console/", c)
	mux.HandleFunc("GET /{$}", s.serveIndex)
	s.devRoutes(mux, m)
	var h http.Handler = mux
	if s.cfg.Auth == nil {
		h = hostCheck(s.cfg.AllowedHosts, h)
	}
	return bodyDeadline(s.cfg.BodyTimeout, h)
}

// URL is the endpoint URL clients use.
func (s *Server) URL() string {
	return "http://" + s.ln.Addr().String()
}

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Database is where the server keeps its state: the SQLite file, or the
// PostgreSQL URL without its password.
func (s *Server) Database() string { return s.where }

// Shutdown stops accepting requests, answers waiting long polls that there
// is no task, lets other requests in flight finish (until ctx ends) and
// closes the database.
func (s *Server) Shutdown(ctx context.Context) error {
	s.engine.StopPolls()
	err := s.http.Shutdown(ctx)
	if serr := <-s.done; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	s.stopLoop()
	<-s.loopDone
	err = errors.Join(err, s.store.Close())
	if s.tempDir != "" {
		err = errors.Join(err, os.RemoveAll(s.tempDir))
	}
	s.cfg.Logger.Info("openswf stopped")
	return err
}
