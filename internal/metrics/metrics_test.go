package metrics

import (
	"strings"
	"sync"
	"testing"
)

func TestWriteText(t *testing.T) {
	var r Registry
	c := r.NewCounterVec("openswf_requests_total", "API requests.", "operation", "code")
	h := r.NewHistogramVec("openswf_request_duration_seconds", "Time to answer.", []float64{0.001, 0.01}, "operation")
	r.NewGaugeFunc("openswf_pollers", "Waiting polls.", func() float64 { return 3 })
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() { c.Inc("StartWorkflowExecution", "OK") })
	}
	wg.Wait()
	c.Inc("DescribeDomain", `Un"known`)
	h.Observe(0.0005, "StartWorkflowExecution")
	h.Observe(0.001, "StartWorkflowExecution")
	h.Observe(0.5, "StartWorkflowExecution")

	var b strings.Builder
	r.WriteText(&b)
	want := `# HELP openswf_requests_total API requests.
# TYPE openswf_requests_total counter
openswf_requests_total{operation="DescribeDomain",code="Un\"known"} 1
openswf_requests_total{operation="StartWorkflowExecution",code="OK"} 10
# HELP openswf_request_duration_seconds Time to answer.
# TYPE openswf_request_duration_seconds histogram
openswf_request_duration_seconds_bucket{operation="StartWorkflowExecution",le="0.001"} 2
openswf_request_duration_seconds_bucket{operation="StartWorkflowExecution",le="0.01"} 2
openswf_request_duration_seconds_bucket{operation="StartWorkflowExecution",le="+Inf"} 3
openswf_request_duration_seconds_sum{operation="StartWorkflowExecution"} 0.5015
openswf_request_duration_seconds_count{operation="StartWorkflowExecution"} 3
# HELP openswf_pollers Waiting polls.
# TYPE openswf_pollers gauge
openswf_pollers 3
`
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestRegisteringTwicePanics(t *testing.T) {
	var r Registry
	r.NewGaugeFunc("x", "", func() float64 { return 0 })
	defer func() {
		if recover() == nil {
			t.Fatal("a second metric named x was registered")
		}
	}()
	r.NewCounterVec("x", "")
}
