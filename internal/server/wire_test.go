package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"

	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/swftest"
)

func TestSuccessfulAnswers(t *testing.T) {
	t.Parallel()
	s := swftest.Start(t)

	// An operation without output answers 200 with an empty body.
	status, h, body := s.Post("SimpleWorkflowService.RegisterDomain", "application/x-amz-json-1.0", `{"name":"d","workflowExecutionRetentionPeriodInDays":"1"}`)
	if status != 200 || len(body) != 0 || h.Get("Content-Length") != "0" {
		t.Fatalf("RegisterDomain: %d %q (Content-Length %q)", status, body, h.Get("Content-Length"))
	}
	if len(h.Get("x-amzn-RequestId")) != 36 {
		t.Errorf("x-amzn-RequestId = %q, want a UUID", h.Get("x-amzn-RequestId"))
	}
	if d, err := http.ParseTime(h.Get("Date")); err != nil || time.Since(d) > time.Minute {
		t.Errorf("Date header %q: SDKs correct their clock skew from it", h.Get("Date"))
	}

	status, h, body = s.Post("SimpleWorkflowService.DescribeDomain", "application/x-amz-json-1.0", `{"name":"d"}`)
	want := `{"domainInfo":{"name":"d","status":"REGISTERED","arn":"arn:aws:swf:us-east-1:123456789012:/domain/d"},"configuration":{"workflowExecutionRetentionPeriodInDays":"1"}}`
	if status != 200 || string(body) != want || h.Get("Content-Type") != "application/x-amz-json-1.0" {
		t.Fatalf("DescribeDomain: %d %s %s", status, h.Get("Content-Type"), body)
	}

	// Older clients send application/json, boto 2 its own target prefix;
	// members the server does not know are ignored.
	status, _, body = s.Post("com.amazonaws.swf.service.model.SimpleWorkflowService.DescribeDomain", "application/json; charset=UTF-8", `{"name":"d","somethingNew":[1,2]}`)
	if status != 200 || string(body) != want {
		t.Fatalf("legacy request: %d %s", status, body)
	}

	// Timestamps are seconds since the epoch with milliseconds.
	s.Clock.Advance(1234 * time.Millisecond)
	status, _, _ = s.Post("SimpleWorkflowService.RegisterActivityType", "", `{"domain":"d","name":"a","version":"1"}`)
	if status != 200 {
		t.Fatalf("RegisterActivityType: %d", status)
	}
	_, _, body = s.Post("SimpleWorkflowService.DescribeActivityType", "", `{"domain":"d","activityType":{"name":"a","version":"1"}}`)
	if !strings.Contains(string(body), `"creationDate":1767323046.234`) {
		t.Errorf("creationDate is not epoch seconds with milliseconds: %s", body)
	}
}

func TestErrorAnswers(t *testing.T) {
	t.Parallel()
	s := swftest.Start(t)
	s.BareDomain("d")
	cases := []struct {
		name, target, body string
		status             int
		errType            string
		messageHas         string
	}{
		{"unknown operation", "SimpleWorkflowService.LaunchRocket", `{}`, 400, "com.amazon.coral.service#UnknownOperationException", "LaunchRocket"},
		{"no target", "", `{}`, 400, "com.amazon.coral.service#UnknownOperationException", ""},
		{"other service", "DynamoDB_20120810.ListTables", `{}`, 400, "com.amazon.coral.service#UnknownOperationException", ""},
		{"malformed JSON", "SimpleWorkflowService.DescribeDomain", `{"name":`, 400, "com.amazon.coral.service#SerializationException", "not valid JSON"},
		{"trailing garbage", "SimpleWorkflowService.DescribeDomain", `{"name":"d"} x`, 400, "com.amazon.coral.service#SerializationException", ""},
		{"not an object", "SimpleWorkflowService.DescribeDomain", `["d"]`, 400, "com.amazon.coral.service#SerializationException", "JSON object"},
		{"wrong type", "SimpleWorkflowService.DescribeDomain", `{"name":7}`, 400, "com.amazon.coral.service#SerializationException", "'name'"},
		{"wrong nested type", "SimpleWorkflowService.DescribeActivityType", `{"domain":"d","activityType":{"name":"a","version":1}}`, 400, "com.amazon.coral.service#SerializationException", "activityType.version"},
		{"number too large", "SimpleWorkflowService.ListDomains", `{"registrationStatus":"REGISTERED","maximumPageSize":99999999999}`, 400, "com.amazon.coral.service#SerializationException", "maximumPageSize"},
		{"bad timestamp", "SimpleWorkflowService.CountOpenWorkflowExecutions", `{"domain":"d","startTimeFilter":{"oldestDate":"yesterday"}}`, 400, "com.amazon.coral.service#SerializationException", "timestamp"},
		{"missing member", "SimpleWorkflowService.DescribeDomain", `{}`, 400, "com.amazon.coral.validate#ValidationException", "Value null at 'name' failed to satisfy constraint: Member must not be null"},
		{"null member", "SimpleWorkflowService.DescribeDomain", `{"name":null}`, 400, "com.amazon.coral.validate#ValidationException", "Value null at 'name'"},
		{"empty body", "SimpleWorkflowService.DescribeDomain", ``, 400, "com.amazon.coral.validate#ValidationException", "'name'"},
		{"missing nested member", "SimpleWorkflowService.DescribeActivityType", `{"domain":"d","activityType":{"name":"a"}}`, 400, "com.amazon.coral.validate#ValidationException", "Value null at 'activityType.version'"},
		{"enum", "SimpleWorkflowService.ListDomains", `{"registrationStatus":"GONE"}`, 400, "com.amazon.coral.validate#ValidationException", "Member must satisfy enum value set: [REGISTERED, DEPRECATED]"},
		{"modeled fault", "SimpleWorkflowService.DescribeDomain", `{"name":"nope"}`, 400, "com.amazonaws.swf.base.model#UnknownResourceFault", "Unknown domain: nope"},
		{"too large", "SimpleWorkflowService.RegisterDomain", `{"name":"big","workflowExecutionRetentionPeriodInDays":"1","description":"` + strings.Repeat("x", 1<<20) + `"}`, 413, "com.amazon.coral.service#RequestEntityTooLargeException", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, h, body := s.Post(tc.target, "application/x-amz-json-1.0", tc.body)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			if h.Get("X-Amzn-ErrorType") != "" {
				t.Errorf("X-Amzn-ErrorType is set; some SDKs prefer it to __type")
			}
			got := string(body)
			if !strings.HasPrefix(got, `{"__type":"`+tc.errType+`","message":"`) || !strings.Contains(got, tc.messageHas) {
				t.Fatalf("body %s, want __type %s and a message with %q", got, tc.errType, tc.messageHas)
			}
		})
	}
	if _, err := s.Client.DescribeDomain(ctx, &swf.DescribeDomainInput{Name: aws.String("big")}); err == nil {
		t.Fatal("the request that was too large registered its domain")
	}
}

func TestGetRequests(t *testing.T) {
	t.Parallel()
	s := swftest.Start(t)
	for path, want := range map[string]string{"/": "Amazon SWF API", "/healthz": "ok"} {
		resp, err := http.Get(s.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), want) {
			t.Errorf("GET %s: %d %s", path, resp.StatusCode, b)
		}
	}
}

// Every operation of the model is routed: none answers "unknown operation",
// whatever else it answers to an empty request.
func TestEveryOperationIsRouted(t *testing.T) {
	t.Parallel()
	s := swftest.Start(t)
	names := swfapi.OperationNames()
	if len(names) != 39 {
		t.Fatalf("%d operations, want 39", len(names))
	}
	for _, op := range names {
		status, _, body := s.Post("SimpleWorkflowService."+op, "application/x-amz-json-1.0", `{}`)
		if strings.Contains(string(body), "UnknownOperationException") {
			t.Errorf("%s is not routed: %d %s", op, status, body)
		}
	}
}
