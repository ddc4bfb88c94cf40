package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"

	"github.com/openswf/openswf/internal/swftest"
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

// /metrics and /healthz carry no error text and echo nothing a client
// sent: a request with a made-up operation is counted under no operation.
func TestMetricsAndHealthRevealNothing(t *testing.T) {
	s := swftest.Start(t)
	s.Post("SimpleWorkflowService.<script>secret-op", "application/x-amz-json-1.0", "{}")
	s.Post("SimpleWorkflowService.ListDomains", "application/x-amz-json-1.0", `{"registrationStatus": 7}`)
	for _, path := range []string{"/metrics", "/healthz"} {
		resp, err := http.Get(s.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, leak := range []string{"secret-op", "script", "registrationStatus", "Cannot read", "expected"} {
			if strings.Contains(string(b), leak) {
				t.Errorf("%s shows %q:\n%s", path, leak, b)
			}
		}
	}
}
