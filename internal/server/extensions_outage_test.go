package server_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/client"
	"github.com/openswf/openswf/internal/engine"
	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/swftest"
)

// proxiedDevFixture is a development server (manual clock, resets) on a
// PostgreSQL database reached through a proxy the test can cut, with the
// log the test reads.
func proxiedDevFixture(t *testing.T) (*swftest.Domain, *proxy, *swftest.Log) {
	t.Helper()
	u, err := url.Parse(swftest.PostgresDatabase(t))
	must(t, err)
	p := startProxy(t, u.Host)
	u.Host = p.ln.Addr().String()
	log := &swftest.Log{}
	f := manualDomain(t, swftest.WithConfig(func(c *server.Config) {
		c.Database = u.String()
		c.Logger = slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}))
	return f, p, log
}

// openswf's own endpoints that need the database answer its outage as the
// API does: ServiceUnavailableException (503, which clients retry), in the
// shape of their other errors, logged as a warning, counted in
// openswf_endpoint_requests_total; they change nothing, and work again
// once the database is back.
func TestEndpointsOnDatabaseOutage(t *testing.T) {
	t.Parallel()
	f, p, log := proxiedDevFixture(t)
	c := extClient(f.Server)
	orig := runToCompletion(f, "orig")
	exported := export(t, c, "wf", orig)
	imp := &engine.ImportHistoryInput{}
	must(t, json.Unmarshal(exported, imp))
	imp.Domain, imp.WorkflowID = "wf", "imported"
	completed := f.LastEvent(orig, types.EventTypeDecisionTaskCompleted)
	reset := &engine.ResetInput{Domain: "wf", WorkflowID: "orig", DecisionTaskCompletedEventID: completed.EventId}
	clockBefore := f.Now()

	p.cut()
	_, err := c.ImportHistory(ctx, imp)
	wantOutage(t, "ImportHistory", err)
	_, err = c.Reset(ctx, reset)
	wantOutage(t, "ResetWorkflowExecution", err)
	for _, path := range []string{server.ResetPath, server.MotoResetPath} {
		status, out := devPost(t, f.URL(), path, "")
		if status != http.StatusServiceUnavailable || out["__type"] != "ServiceUnavailableException" || out["message"] == "" {
			t.Errorf("POST %s with the database down: %d %v", path, status, out)
		}
	}
	status, out := devPost(t, f.URL(), server.ClockPath, `{"advance": "1h"}`)
	if status != http.StatusServiceUnavailable || out["__type"] != "ServiceUnavailableException" {
		t.Errorf("POST %s with the database down: %d %v", server.ClockPath, status, out)
	}
	if !f.Now().Equal(clockBefore) {
		t.Errorf("the clock moved to %v though its timers could not be read", f.Now())
	}
	if n := strings.Count(log.String(), `msg="service unavailable"`); n < 5 {
		t.Errorf("%d outages logged as such, want 5:\n%s", n, log)
	}
	if strings.Contains(log.String(), "level=ERROR") {
		t.Errorf("an outage is logged as a bug:\n%s", log)
	}
	_, samples := scrape(t, f.URL())
	for endpoint, want := range map[string]float64{"ImportHistory": 1, "ResetWorkflowExecution": 1, "Reset": 2, "AdvanceClock": 1} {
		if got := samples[fmt.Sprintf(`openswf_endpoint_requests_total{endpoint=%q,code="ServiceUnavailableException"}`, endpoint)]; got != want {
			t.Errorf("%s answered ServiceUnavailableException %v times by the metrics, want %v", endpoint, got, want)
		}
		if got := samples[fmt.Sprintf(`openswf_endpoint_request_duration_seconds_count{endpoint=%q}`, endpoint)]; got != want {
			t.Errorf("%s took time %v times by the metrics, want %v", endpoint, got, want)
		}
	}

	// Back: nothing the outage refused was done, and the same calls work
	// (the pool may first hand out a connection that died with the
	// outage: a client retries a 503, as this one does).
	p.down.Store(false)
	described := retryOutage(t, func() (*swf.DescribeWorkflowExecutionOutput, error) {
		return f.Client.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String(f.Name), Execution: orig})
	})
	if described.ExecutionInfo.CloseStatus != types.CloseStatusCompleted || runExists(f, "orig") {
		t.Errorf("the reset answered 503 was done: the run it named is %+v", described.ExecutionInfo)
	}
	if runExists(f, "imported") || closedRuns(t, f, "imported") != 0 {
		t.Error("the import answered 503 was done")
	}
	retryOutage(t, func() (*swfapi.WorkflowExecution, error) { return c.ImportHistory(ctx, imp) })
	if closedRuns(t, f, "imported") != 1 {
		t.Error("the import did not happen once the database was back")
	}
	retryOutage(t, func() (*swfapi.WorkflowExecution, error) { return c.Reset(ctx, reset) })
	if !runExists(f, "orig") {
		t.Error("the reset did not start a run once the database was back")
	}
	moveClock(f, `{"advance": "1h"}`, clockBefore.Add(time.Hour))
	_, samples = scrape(t, f.URL())
	for _, endpoint := range []string{"ImportHistory", "ResetWorkflowExecution", "AdvanceClock"} {
		if got := samples[fmt.Sprintf(`openswf_endpoint_requests_total{endpoint=%q,code="OK"}`, endpoint)]; got != 1 {
			t.Errorf("%s answered OK %v times by the metrics, want 1", endpoint, got)
		}
	}
}

// wantOutage asserts that an extension answered ServiceUnavailableException
// with a 503, as the API answers an outage.
func wantOutage(t *testing.T, op string, err error) {
	t.Helper()
	var e *client.Error
	if !errors.As(err, &e) || e.Status != http.StatusServiceUnavailable || e.Code != "ServiceUnavailableException" || e.Message == "" {
		t.Errorf("%s with the database down: %v, want a 503 ServiceUnavailableException", op, err)
	}
}

// retryOutage calls call until it does not fail with a 503, at most a few
// times, as a client retries ServiceUnavailable, and fails the test on any
// other error.
func retryOutage[T any](t *testing.T, call func() (T, error)) T {
	t.Helper()
	for i := 0; ; i++ {
		out, err := call()
		var e *client.Error
		unavailable := errors.As(err, &e) && e.Status == http.StatusServiceUnavailable
		if err == nil || !unavailable && !strings.Contains(err.Error(), "ServiceUnavailable") || i == 4 {
			must(t, err)
			return out
		}
	}
}

// closedRuns counts the closed runs of workflowId.
func closedRuns(t *testing.T, d *swftest.Domain, workflowID string) int32 {
	t.Helper()
	out, err := d.Client.CountClosedWorkflowExecutions(ctx, &swf.CountClosedWorkflowExecutionsInput{Domain: aws.String(d.Name),
		StartTimeFilter: swftest.AllTime(), ExecutionFilter: &types.WorkflowExecutionFilter{WorkflowId: aws.String(workflowID)}})
	must(t, err)
	return out.Count
}
