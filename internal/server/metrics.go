package server

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/openswf/openswf/internal/engine"
	"github.com/openswf/openswf/internal/metrics"
	"github.com/openswf/openswf/internal/swfapi"
)

// serverMetrics are what GET /metrics tells about the server.
type serverMetrics struct {
	registry *metrics.Registry
	requests *metrics.CounterVec
	duration *metrics.HistogramVec
	// endpointRequests and endpointDuration count openswf's own endpoints
	// (the extensions and the development tools) as requests and duration
	// count the API's calls: a family apart, so that neither the API's
	// rates nor its latencies mix with a gigabyte's import or a reset.
	endpointRequests *metrics.CounterVec
	endpointDuration *metrics.HistogramVec
}

// newMetrics registers the metrics of requests and of the process on the
// server's registry, beside those of the work (newWorkMetrics).
func (s *Server) newMetrics() *serverMetrics {
	r := s.registry
	m := &serverMetrics{
		registry: r,
		requests: r.NewCounterVec("openswf_requests_total", "API requests answered, by operation and error code (OK for a success).", "operation", "code"),
		duration: r.NewHistogramVec("openswf_request_duration_seconds", "Time to answer API requests, by operation; long polls count their wait.",
			requestBuckets, "operation"),
		endpointRequests: r.NewCounterVec("openswf_endpoint_requests_total",
			"Requests to openswf's own endpoints (the extensions, the clock and the resets), by endpoint and error code (OK for a success).", "endpoint", "code"),
		endpointDuration: r.NewHistogramVec("openswf_endpoint_request_duration_seconds",
			"Time to answer requests to openswf's own endpoints, by endpoint.", requestBuckets, "endpoint"),
	}
	r.NewGaugeFunc("openswf_polls_waiting", "Long polls waiting for a task on this server.", func() float64 { return float64(s.engine.WaitingPolls()) })
	r.NewGaugeFunc("openswf_servers", "Servers sharing the database that this one knows to be alive, itself included; each takes this share of the API and decision rates and of the pollers a task list may have.",
		func() float64 { return float64(s.engine.Servers()) })
	r.NewGaugeFunc("openswf_goroutines", "Goroutines of the server process.", func() float64 { return float64(runtime.NumGoroutine()) })
	r.NewGaugeFunc("openswf_heap_bytes", "Bytes of the Go heap in use (live objects and garbage not yet collected).", func() float64 {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return float64(ms.HeapAlloc)
	})
	version, revision := buildVersion()
	r.NewInfo("openswf_build_info", "The openswf build: its version, VCS revision and Go version; always 1.",
		[]string{"version", "revision", "goversion"}, []string{version, revision, runtime.Version()})
	r.NewGaugeVecFunc("openswf_pending_tasks", fmt.Sprintf("Tasks waiting on a task list for a poller, by domain, kind (decision or activity) and task list: the %d lists with most.", PendingTaskListsShown),
		func() []metrics.Sample {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			lists, err := s.engine.PendingTaskLists(ctx, "", PendingTaskListsShown)
			if err != nil {
				s.cfg.Logger.Warn("metrics: reading the task lists", "err", err)
				return nil
			}
			out := make([]metrics.Sample, len(lists))
			for i, l := range lists {
				out[i] = metrics.Sample{Values: []string{l.Domain, l.Kind, l.TaskList}, Value: float64(l.Count)}
			}
			return out
		}, "domain", "kind", "task_list")
	if c, ok := s.store.(writeCounter); ok {
		r.NewCounterFunc("openswf_store_writes_total", "Write transactions the store was asked for since the server started.", func() float64 { return float64(c.Writes()) })
		r.NewCounterFunc("openswf_store_write_retries_total", "Attempts of write transactions run again (a write that ran alone out of its batch, deadlocks, lost races, the open-run quota found full at commit) since the server started.", func() float64 { return float64(c.Retries()) })
	}
	r.RegisterRuntime()
	return m
}

// requestBuckets are the bounds, in seconds, of the time to answer a
// request: from half a millisecond to past a long poll's minute.
var requestBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10, 30, 60, 120}

// PendingTaskListsShown bounds the series of openswf_pending_tasks: the
// task lists with most tasks waiting, so that a domain with many lists
// does not swamp Prometheus.
const PendingTaskListsShown = 50

// buildVersion is the main module's version and VCS revision, as the
// build recorded them.
func buildVersion() (version, revision string) {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown", ""
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" {
			revision = s.Value
		}
	}
	return info.Main.Version, revision
}

// writeCounter is a store that counts its writes and their reruns (PostgreSQL).
type writeCounter interface {
	Writes() int64
	Retries() int64
}

// observe records one answered request.
func (m *serverMetrics) observe(op, code string, d time.Duration) {
	m.requests.Inc(op, code)
	m.duration.Observe(d.Seconds(), op)
}

// endpoint counts the requests h answers as the named endpoint, with the
// error code its answer carries (see answered).
func (m *serverMetrics) endpoint(name string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		cw := &codeWriter{ResponseWriter: w, code: "OK"}
		h.ServeHTTP(cw, r)
		m.endpointRequests.Inc(name, cw.code)
		m.endpointDuration.Observe(time.Since(start).Seconds(), name)
	})
}

// codeWriter remembers the error code of the answer written through it,
// for the endpoint's metrics.
type codeWriter struct {
	http.ResponseWriter
	code string
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *codeWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// answered notes, for the metrics, that the answer written on w carries
// code; an answer that notes none is a success ("OK").
func answered(w http.ResponseWriter, code string) {
	if cw, ok := w.(*codeWriter); ok {
		cw.code = code
	}
}

// workMetrics count what runs record: executions started and closed,
// task timeouts, and how long activity tasks wait and run.
type workMetrics struct {
	started, closed                    *metrics.CounterVec
	activityTimeouts, decisionTimeouts *metrics.CounterVec
	scheduleToStart, startToClose      *metrics.HistogramVec
}

// latencyBuckets are the bounds, in seconds, of task latencies: from a
// millisecond to a day.
var latencyBuckets = []float64{.001, .005, .01, .05, .1, .5, 1, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 86400}

func newWorkMetrics(r *metrics.Registry) *workMetrics {
	return &workMetrics{
		started: r.NewCounterVec("openswf_workflow_executions_started_total", "Workflow executions started, by domain.", "domain"),
		closed: r.NewCounterVec("openswf_workflow_executions_closed_total",
			"Workflow executions closed, by domain and close status (COMPLETED, FAILED, CANCELED, TERMINATED, CONTINUED_AS_NEW, TIMED_OUT).", "domain", "close_status"),
		activityTimeouts: r.NewCounterVec("openswf_activity_task_timeouts_total", "Activity tasks timed out, by domain and timeout type.", "domain", "timeout_type"),
		decisionTimeouts: r.NewCounterVec("openswf_decision_task_timeouts_total", "Decision tasks timed out, by domain and timeout type.", "domain", "timeout_type"),
		scheduleToStart: r.NewHistogramVec("openswf_activity_schedule_to_start_seconds",
			"Time activity tasks waited on their task list before a worker started them.", latencyBuckets),
		startToClose: r.NewHistogramVec("openswf_activity_start_to_close_seconds",
			"Time from an activity task's start to its completion, failure, cancellation or time-out.", latencyBuckets),
	}
}

// closeStatuses are the close status each closing event records.
var closeStatuses = map[swfapi.EventType]swfapi.CloseStatus{
	swfapi.EventTypeWorkflowExecutionCompleted:      swfapi.CloseStatusCompleted,
	swfapi.EventTypeWorkflowExecutionFailed:         swfapi.CloseStatusFailed,
	swfapi.EventTypeWorkflowExecutionCanceled:       swfapi.CloseStatusCanceled,
	swfapi.EventTypeWorkflowExecutionTerminated:     swfapi.CloseStatusTerminated,
	swfapi.EventTypeWorkflowExecutionContinuedAsNew: swfapi.CloseStatusContinuedAsNew,
	swfapi.EventTypeWorkflowExecutionTimedOut:       swfapi.CloseStatusTimedOut,
}

// observe counts what a committed transaction recorded in a run.
func (m *workMetrics) observe(o engine.Observation) {
	for i := range o.Events {
		e := &o.Events[i]
		typ := swfapi.Deref(e.EventType)
		if status, ok := closeStatuses[typ]; ok {
			m.closed.Inc(o.Domain, string(status))
			continue
		}
		switch typ {
		case swfapi.EventTypeWorkflowExecutionStarted:
			m.started.Inc(o.Domain)
		case swfapi.EventTypeDecisionTaskTimedOut:
			m.decisionTimeouts.Inc(o.Domain, string(swfapi.Deref(e.DecisionTaskTimedOutEventAttributes.TimeoutType)))
		case swfapi.EventTypeActivityTaskStarted:
			if t, ok := o.Activities[swfapi.Deref(e.ActivityTaskStartedEventAttributes.ScheduledEventId)]; ok {
				m.scheduleToStart.Observe(since(t.ScheduledAt, e))
			}
		case swfapi.EventTypeActivityTaskTimedOut:
			a := e.ActivityTaskTimedOutEventAttributes
			m.activityTimeouts.Inc(o.Domain, string(swfapi.Deref(a.TimeoutType)))
			m.observeStartToClose(o, swfapi.Deref(a.ScheduledEventId), e)
		case swfapi.EventTypeActivityTaskCompleted:
			m.observeStartToClose(o, swfapi.Deref(e.ActivityTaskCompletedEventAttributes.ScheduledEventId), e)
		case swfapi.EventTypeActivityTaskFailed:
			m.observeStartToClose(o, swfapi.Deref(e.ActivityTaskFailedEventAttributes.ScheduledEventId), e)
		case swfapi.EventTypeActivityTaskCanceled:
			m.observeStartToClose(o, swfapi.Deref(e.ActivityTaskCanceledEventAttributes.ScheduledEventId), e)
		}
	}
}

// observeStartToClose records how long a started activity ran.
func (m *workMetrics) observeStartToClose(o engine.Observation, scheduledEventID int64, e *swfapi.HistoryEvent) {
	if t, ok := o.Activities[scheduledEventID]; ok && !t.StartedAt.IsZero() {
		m.startToClose.Observe(since(t.StartedAt, e))
	}
}

// since is the time from t to the event, in seconds.
func since(t time.Time, e *swfapi.HistoryEvent) float64 {
	if e.EventTimestamp == nil {
		return 0
	}
	return max(e.EventTimestamp.Sub(t).Seconds(), 0)
}
