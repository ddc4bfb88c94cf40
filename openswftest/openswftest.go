// Package openswftest runs an openswf server inside a Go test: on a free
// loopback port, with a throwaway store and a manual clock, so that a test
// of SWF code can fast-forward through a heartbeat timeout, a 7-day timer or
// a run's retention in milliseconds. It hands the test a ready SWF client
// of the official AWS SDK for Go v2 and the endpoint for any other client.
//
//	srv := openswftest.Start(t, openswftest.WithDomain("orders"))
//	// ... start a run with srv.Client, poll, schedule an activity ...
//	srv.Advance(time.Hour) // every timeout due within the hour has fired
package openswftest

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/swf"

	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/swfapi"
)

// Region is the region of the test server and its client.
const Region = server.DefaultRegion

// DefaultLongPollWait is how long the test server holds a poll that finds
// no task, in real time: short, so a test's pollers end promptly.
const DefaultLongPollWait = 2 * time.Second

// Server is an openswf server running in the test's process.
type Server struct {
	// Endpoint is the URL to give any SWF client (an SDK's endpoint URL).
	Endpoint string
	// Client is an SWF client of the server (aws-sdk-go-v2).
	Client *swf.Client

	srv    *server.Server
	clock  *clock.Fake
	t      testing.TB // nil for a server from New
	closed sync.Once
}

// Option changes how the server is set up.
type Option func(*options)

type options struct {
	domains []string
	start   time.Time
	wait    time.Duration
	logger  *slog.Logger
}

// WithDomain registers a domain (retention 1 day) before the server is
// handed over.
func WithDomain(name string) Option {
	return func(o *options) { o.domains = append(o.domains, name) }
}

// WithStartTime sets where the clock starts (default: the real time).
func WithStartTime(t time.Time) Option { return func(o *options) { o.start = t } }

// WithLongPollWait sets how long polls wait for a task, in real time
// (default DefaultLongPollWait).
func WithLongPollWait(d time.Duration) Option { return func(o *options) { o.wait = d } }

// WithLogger sends the server's logs to l (default: discarded).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// Start starts a server for the test t and shuts it down when the test
// ends; a failure to start fails the test.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := New(opts...)
	if err != nil {
		t.Fatalf("openswftest: %v", err)
	}
	s.t = t
	t.Cleanup(s.Close)
	return s
}

// New starts a server outside of a test's life (a TestMain, an Example);
// the caller must Close it.
func New(opts ...Option) (*Server, error) {
	o := options{start: time.Now(), wait: DefaultLongPollWait}
	for _, opt := range opts {
		opt(&o)
	}
	fake := clock.NewFake(o.start.UTC().Truncate(time.Millisecond))
	srv, err := server.Start(context.Background(), server.Config{
		Listen:       "127.0.0.1:0",
		Database:     server.MemoryDatabase,
		LongPollWait: o.wait,
		Clock:        fake,
		ManualClock:  true,
		Dev:          true,
		Logger:       o.logger,
	})
	if err != nil {
		return nil, err
	}
	s := &Server{Endpoint: srv.URL(), srv: srv, clock: fake}
	s.Client = s.NewClient()
	for _, name := range o.domains {
		if err := s.registerDomain(name); err != nil {
			s.Close()
			return nil, fmt.Errorf("register domain %s: %w", name, err)
		}
	}
	return s, nil
}

func (s *Server) registerDomain(name string) error {
	return s.srv.Service().RegisterDomain(context.Background(), &swfapi.RegisterDomainInput{Name: &name, WorkflowExecutionRetentionPeriodInDays: aws.String("1")})
}

// NewClient returns another SWF client of the server. Any access keys
// work; these are fixed ones.
func (s *Server) NewClient() *swf.Client {
	return swf.New(swf.Options{
		Region:       Region,
		BaseEndpoint: aws.String(s.Endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("openswftest", "openswftest", ""),
		HTTPClient:   &http.Client{},
	})
}

// Now is the time on the server's clock.
func (s *Server) Now() time.Time { return s.clock.Now() }

// Advance moves the server's clock forward by d. Every timer and timeout
// that falls due on the way fires, in order, each at its own due time,
// before Advance returns: the test can look at the histories at once. It
// returns the new time.
func (s *Server) Advance(d time.Duration) time.Time {
	s.AdvanceTo(s.clock.Now().Add(d))
	return s.clock.Now()
}

// AdvanceTo moves the server's clock forward to t, as Advance does. A t
// before the clock's time fails (the clock never goes back).
func (s *Server) AdvanceTo(t time.Time) {
	if err := s.srv.AdvanceClock(context.Background(), t); err != nil {
		s.fail("advance the clock: %v", err)
	}
}

// Reset empties the server: every domain and all it holds, so that tests
// sharing one server start clean.
func (s *Server) Reset() {
	if err := s.srv.Reset(context.Background()); err != nil {
		s.fail("reset: %v", err)
	}
}

// Close shuts the server down and removes its store; closing it again
// does nothing.
func (s *Server) Close() {
	s.closed.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.srv.Shutdown(ctx); err != nil {
			s.fail("shut down: %v", err)
		}
	})
}

// fail reports a failure of the server's own: to the test when there is
// one, or else as a panic (a server from New has no test to tell).
func (s *Server) fail(format string, args ...any) {
	if s.t != nil {
		s.t.Helper()
		s.t.Fatalf("openswftest: "+format, args...)
	}
	panic(fmt.Sprintf("openswftest: "+format, args...))
}
