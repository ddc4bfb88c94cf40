// Package swftest starts an openswf server inside a test, on a loopback
// port with its own database file and a fake clock, and gives the test an
// official aws-sdk-go-v2 SWF client pointed at it: every test goes through
// the real wire.
package swftest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/swf"

	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/store/postgres/pgtest"
	"github.com/openswf/openswf/internal/store/sqlite/sqlitetest"
	"github.com/openswf/openswf/internal/swfapi"
)

// The access key the clients of test servers sign with.
const (
	AccessKeyID     = "AKIDOPENSWFTEST"
	SecretAccessKey = "openswf-test-secret"
)

// Epoch is where the fake clock of every test server starts.
var Epoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// Server is a server running for one test.
type Server struct {
	*server.Server
	// Client is an SWF client of the server, signing with test keys; it
	// does not retry, so that tests see every error.
	Client *swf.Client
	// Clock is the server's clock; tests move it (nil if the test gave the
	// server another).
	Clock *clock.Fake

	t   testing.TB
	cfg server.Config
}

// Option changes the configuration of a test server.
type Option func(*server.Config)

// WithConfig applies f to the server's configuration before it starts.
func WithConfig(f func(*server.Config)) Option { return Option(f) }

// Start starts a server that is shut down when the test ends. Its state is
// in a fresh SQLite file (a copy of one migrated once per test binary); with OPENSWF_TEST_DATABASE=postgres, in a fresh
// schema of the PostgreSQL database at OPENSWF_TEST_POSTGRES_URL, dropped
// when the test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	cfg := server.Config{
		Listen:   "127.0.0.1:0",
		Database: testDatabase(t),
		Clock:    clock.NewFake(Epoch),
	}
	if testing.Verbose() {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{t: t, cfg: cfg}
	s.Clock, _ = cfg.Clock.(*clock.Fake) // nil when a test chose the wall clock
	s.start()
	t.Cleanup(func() {
		if s.Server != nil {
			s.stop()
		}
	})
	return s
}

// testDatabase is where a test server keeps its state.
func testDatabase(t testing.TB) string {
	switch kind := os.Getenv("OPENSWF_TEST_DATABASE"); kind {
	case "", "sqlite":
		return sqlitetest.File(t)
	case "postgres":
		if os.Getenv(pgtest.URLVar) == "" {
			t.Fatal("OPENSWF_TEST_DATABASE=postgres needs OPENSWF_TEST_POSTGRES_URL")
		}
		return PostgresDatabase(t)
	default:
		t.Fatalf("OPENSWF_TEST_DATABASE is %q: sqlite or postgres", kind)
		return ""
	}
}

// PostgresDatabase returns the Database setting of a fresh schema in the
// PostgreSQL database at OPENSWF_TEST_POSTGRES_URL, dropped when the test
// ends; without that variable it skips the test.
func PostgresDatabase(t testing.TB) string {
	t.Helper()
	url, schema := pgtest.Schema(t)
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + "schema=" + schema
}

func (s *Server) start() {
	s.t.Helper()
	srv, err := server.Start(context.Background(), s.cfg)
	if err != nil {
		s.t.Fatalf("start openswf: %v", err)
	}
	s.Server = srv
	s.Client = s.NewClient()
}

func (s *Server) stop() {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Server.Shutdown(ctx); err != nil {
		s.t.Errorf("shut down openswf: %v", err)
	}
	s.Server = nil
}

// Restart shuts the server down and starts it again on the same database
// file and clock, as an operator restarting the process would. Client
// points at the new server afterwards.
func (s *Server) Restart() {
	s.t.Helper()
	s.stop()
	s.start()
}

// Config is the configuration the server was started with.
func (s *Server) Config() server.Config { return s.cfg }

// NewClient returns another SWF client of the server.
func (s *Server) NewClient() *swf.Client {
	return s.client(&answerChecker{t: s.t, next: http.DefaultTransport})
}

// PlainClient returns an SWF client that does not check the server's
// answers against the model, for benchmarks: the check costs more than the
// calls.
func (s *Server) PlainClient() *swf.Client {
	return s.client(&http.Transport{MaxIdleConnsPerHost: 64})
}

// ClientWith returns an SWF client of the server that signs with creds
// (aws.AnonymousCredentials{} does not sign at all), to act as another user.
func (s *Server) ClientWith(creds aws.CredentialsProvider) *swf.Client {
	return s.clientWith(&answerChecker{t: s.t, next: http.DefaultTransport}, creds)
}

func (s *Server) client(transport http.RoundTripper) *swf.Client {
	return s.clientWith(transport, credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, ""))
}

func (s *Server) clientWith(transport http.RoundTripper, creds aws.CredentialsProvider) *swf.Client {
	cfg := aws.Config{
		Region:      "us-east-1",
		Credentials: creds,
		HTTPClient:  &http.Client{Transport: transport},
		Retryer:     func() aws.Retryer { return aws.NopRetryer{} },
	}
	return swf.NewFromConfig(cfg, func(o *swf.Options) {
		o.BaseEndpoint = aws.String(s.URL())
	})
}

// answerChecker fails the test when a successful answer breaks the model:
// a JSON null (the server leaves out what it does not set, as AWS does) or a
// required member left out. The one exception is a poll that found no task,
// which Amazon SWF answers without a taskToken (and the members that go with
// it); such an answer must be exactly the idle one (idleAnswers).
type answerChecker struct {
	t    testing.TB
	next http.RoundTripper
}

func (c *answerChecker) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(r)
	if err != nil || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	target := r.Header.Get("X-Amz-Target")
	if len(body) == 0 {
		return resp, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		c.t.Errorf("%s answered with invalid JSON: %v: %s", target, err, body)
		return resp, nil
	}
	if path := findNull(v, ""); path != "" {
		c.t.Errorf("%s answered with null at %s: %s", target, path, body)
	}
	op := swfapi.LookupOperation(strings.TrimPrefix(target, swfapi.TargetPrefix+"."))
	if op == nil || op.NewOutput == nil {
		return resp, nil
	}
	out := op.NewOutput()
	if err := json.Unmarshal(body, out); err != nil {
		c.t.Errorf("%s answered with JSON that does not fit its output shape: %v: %s", target, err, body)
		return resp, nil
	}
	if m, ok := v.(map[string]any); ok && strings.HasPrefix(op.Name, "PollFor") && m["taskToken"] == nil {
		if want := idleAnswers[op.Name]; !reflect.DeepEqual(m, want) {
			c.t.Errorf("%s answered without a taskToken, but not as a poll that found no task is answered (%v): %s", target, want, body)
		}
		return resp, nil
	}
	if missing := missingRequired(reflect.ValueOf(out), ""); missing != "" {
		c.t.Errorf("%s answered without the required member %s: %s", target, missing, body)
	}
	return resp, nil
}

// idleAnswers are the bodies of polls that found no task, as Amazon SWF
// sends them (docs/ARCHITECTURE.md says why there is no empty taskToken).
var idleAnswers = map[string]map[string]any{
	"PollForDecisionTask": {"startedEventId": json.Number("0"), "previousStartedEventId": json.Number("0")},
	"PollForActivityTask": {"startedEventId": json.Number("0")},
}

// missingRequired returns the path of the first member tagged
// swf:"required" that v leaves unset, or "".
func missingRequired(v reflect.Value, path string) string {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return ""
		}
		return missingRequired(v.Elem(), path)
	case reflect.Slice:
		for i := range v.Len() {
			if p := missingRequired(v.Index(i), fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				continue
			}
			fv := v.Field(i)
			if f.Tag.Get("swf") == "required" && (fv.Kind() == reflect.Pointer || fv.Kind() == reflect.Slice) && fv.IsNil() {
				return path + "." + name
			}
			if p := missingRequired(fv, path+"."+name); p != "" {
				return p
			}
		}
	}
	return ""
}

// findNull returns the path of the first null inside v, or "".
func findNull(v any, path string) string {
	switch x := v.(type) {
	case nil:
		if path == "" {
			return "(top)"
		}
		return path
	case map[string]any:
		for k, e := range x {
			if p := findNull(e, path+"."+k); p != "" {
				return p
			}
		}
	case []any:
		for i, e := range x {
			if p := findNull(e, fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p
			}
		}
	}
	return ""
}

// Post sends a raw API request, for tests of what the SDKs never send.
// It returns the status, the headers and the body.
func (s *Server) Post(target, contentType, body string) (int, http.Header, []byte) {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL()+"/", strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}
