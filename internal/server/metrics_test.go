package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
)

// GET /metrics tells, in Prometheus's format, how many requests of each
// operation were answered with which code, how long they took, and how many
// polls wait.
func TestMetrics(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, err := f.c.DescribeDomain(ctx, &swf.DescribeDomainInput{Name: aws.String("missing")})
	wantCode(t, err, "UnknownResourceFault")
	polling := dtAsync(dtPollDecisionIn(f.NewClient(), f, deciderList))
	dtWaitWaiters(t, f, 1)

	resp, err := http.Get(f.URL() + "/metrics")
	must(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	must(t, err)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type %q", ct)
	}
	for _, line := range []string{
		`openswf_requests_total{operation="RegisterDomain",code="OK"} 1`,
		`openswf_requests_total{operation="RegisterWorkflowType",code="OK"} 1`,
		`openswf_requests_total{operation="DescribeDomain",code="UnknownResourceFault"} 1`,
		`openswf_request_duration_seconds_count{operation="DescribeDomain"} 1`,
		`openswf_request_duration_seconds_bucket{operation="RegisterDomain",le="+Inf"} 1`,
		"openswf_polls_waiting 1",
		"# TYPE openswf_heap_bytes gauge",
	} {
		if !strings.Contains(string(body), line+"\n") {
			t.Errorf("/metrics lacks %q:\n%s", line, body)
		}
	}
	f.start("w")
	dtAwait(t, polling)
}
