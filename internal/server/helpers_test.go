package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
	"github.com/aws/smithy-go"

	"github.com/openswf/openswf/internal/swftest"
)

var ctx = context.Background()

// wantFault asserts that err is the modeled fault T, as the SDK parsed it.
func wantFault[T error](t testing.TB, err error) T {
	t.Helper()
	var target T
	if !errors.As(err, &target) {
		t.Fatalf("got error %v, want %T", err, target)
	}
	return target
}

// wantCode asserts that err is an API error with this code and returns its
// message.
func wantCode(t testing.TB, err error, code string) string {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("got %v, want an API error %s", err, code)
	}
	if apiErr.ErrorCode() != code {
		t.Fatalf("got %s (%s), want %s", apiErr.ErrorCode(), apiErr.ErrorMessage(), code)
	}
	return apiErr.ErrorMessage()
}

// wantValidation asserts a ValidationException whose message names every
// one of the fields.
func wantValidation(t testing.TB, err error, fields ...string) {
	t.Helper()
	msg := wantCode(t, err, "ValidationException")
	for _, f := range fields {
		if !strings.Contains(msg, "'"+f+"'") {
			t.Fatalf("validation message does not name %q: %s", f, msg)
		}
	}
}

// wantValidationMessage asserts err is a ValidationException that says
// exactly msg.
func wantValidationMessage(t testing.TB, err error, msg string) {
	t.Helper()
	if got := wantCode(t, err, "ValidationException"); got != msg {
		t.Fatalf("validation message %q, want %q", got, msg)
	}
}

// postJSON sends a raw request for an operation and returns the status and,
// for an error, its code (the __type after '#') and message.
func postJSON(t *testing.T, s *swftest.Server, op, body string) (status int, code, msg string) {
	t.Helper()
	status, _, b := s.Post("SimpleWorkflowService."+op, "application/x-amz-json-1.0", body)
	if status == 200 {
		return status, "", ""
	}
	var e struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("%s answered %d with a body that is not an error: %s", op, status, b)
	}
	_, code, _ = strings.Cut(e.Type, "#")
	return status, code, e.Message
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func registerDomain(t testing.TB, c *swf.Client, name string) {
	t.Helper()
	_, err := c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String(name), WorkflowExecutionRetentionPeriodInDays: aws.String("1")})
	must(t, err)
}

func describeDomain(t *testing.T, c *swf.Client, name string) *swf.DescribeDomainOutput {
	t.Helper()
	out, err := c.DescribeDomain(ctx, &swf.DescribeDomainInput{Name: aws.String(name)})
	must(t, err)
	return out
}

func domainNames(infos []types.DomainInfo) []string {
	var out []string
	for _, d := range infos {
		out = append(out, aws.ToString(d.Name))
	}
	return out
}
