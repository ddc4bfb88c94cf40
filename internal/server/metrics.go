package server

import (
	"runtime"
	"time"

	"github.com/openswf/openswf/internal/metrics"
)

// serverMetrics are what GET /metrics tells about the server.
type serverMetrics struct {
	registry *metrics.Registry
	requests *metrics.CounterVec
	duration *metrics.HistogramVec
}

func (s *Server) newMetrics() *serverMetrics {
	r := &metrics.Registry{}
	m := &serverMetrics{
		registry: r,
		requests: r.NewCounterVec("openswf_requests_total", "API requests answered, by operation and error code (OK for a success).", "operation", "code"),
		duration: r.NewHistogramVec("openswf_request_duration_seconds", "Time to answer API requests, by operation; long polls count their wait.",
			[]float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10, 30, 60, 120}, "operation"),
	}
	r.NewGaugeFunc("openswf_polls_waiting", "Long polls waiting for a task on this server.", func() float64 { return float64(s.engine.WaitingPolls()) })
	r.NewGaugeFunc("openswf_goroutines", "Goroutines of the server process.", func() float64 { return float64(runtime.NumGoroutine()) })
	r.NewGaugeFunc("openswf_heap_bytes", "Bytes of the Go heap in use (live objects and garbage not yet collected).", func() float64 {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return float64(ms.HeapAlloc)
	})
	if c, ok := s.store.(writeCounter); ok {
		r.NewGaugeFunc("openswf_store_writes_total", "Write transactions the store was asked for since the server started.", func() float64 { return float64(c.Writes()) })
		r.NewGaugeFunc("openswf_store_write_retries_total", "Attempts of write transactions run again (deadlocks, lost races, the open-run quota found full at commit) since the server started.", func() float64 { return float64(c.Retries()) })
	}
	return m
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
