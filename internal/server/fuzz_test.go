package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/openswf/openswf/internal/auth"
	"github.com/openswf/openswf/internal/engine"
	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/swftest"
	"github.com/openswf/openswf/internal/throttle"
)

// FuzzRequests sends arbitrary bodies to every operation of a server with
// every check on (signatures, policies that read domain tags, the
// API throttles), signed as a real client signs them: whatever the body, the
// answer is a success or an AWS error with a known code, never a crash or
// an internal failure.
func FuzzRequests(f *testing.F) {
	seeds := map[string]string{
		"RegisterDomain":                 `{"name":"d","workflowExecutionRetentionPeriodInDays":"1","tags":[{"key":"env","value":"prod"}]}`,
		"RegisterWorkflowType":           `{"domain":"d","name":"w","version":"1","defaultTaskList":{"name":"l"},"defaultExecutionStartToCloseTimeout":"60","defaultTaskStartToCloseTimeout":"10","defaultChildPolicy":"TERMINATE","defaultLambdaRole":"arn:aws:iam::1:role/r"}`,
		"StartWorkflowExecution":         `{"domain":"d","workflowId":"x","workflowType":{"name":"w","version":"1"},"tagList":["a","b"]}`,
		"CountPendingDecisionTasks":      `{"domain":"d","taskList":{"name":"l"}}`,
		"RespondDecisionTaskCompleted":   `{"taskToken":"AQ","decisions":[{"decisionType":"StartTimer","startTimerDecisionAttributes":{"timerId":"t","startToFireTimeout":"5"}}]}`,
		"RecordActivityTaskHeartbeat":    `{"taskToken":"AQIDBA"}`,
		"GetWorkflowExecutionHistory":    `{"domain":"d","execution":{"workflowId":"x","runId":"r"}}`,
		"ListClosedWorkflowExecutions":   `{"domain":"d","startTimeFilter":{"oldestDate":0},"tagFilter":{"tag":"a"}}`,
		"TagResource":                    `{"resourceArn":"arn:aws:swf:us-east-1:123456789012:/domain/d","tags":[{"key":"k"}]}`,
		"SignalWorkflowExecution":        `{"domain":"d","workflowId":"x","signalName":"s"}`,
		"RequestCancelWorkflowExecution": `{"domain":"d","workflowId":"x"}`,
		"ListDomains":                    `{"registrationStatus":"REGISTERED"}`,
	}
	for op, body := range seeds {
		f.Add(op, body)
	}
	var file auth.File
	if err := json.Unmarshal([]byte(`{"users": [{"name": "u", "accessKeys": [{"accessKeyId": "AKIDFUZZ", "secretAccessKey": "s"}], "policies": [
	  {"Statement": [{"Effect": "Allow", "Action": ["swf:*", "iam:PassRole"], "Resource": "*"},
	                 {"Effect": "Deny", "Action": "swf:DeprecateDomain", "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/env": "prod"}}}]}]}]}`), &file); err != nil {
		f.Fatal(err)
	}
	a, err := auth.New(&file, server.DefaultRegion, server.DefaultAccountID)
	if err != nil {
		f.Fatal(err)
	}
	s := swftest.Start(f, swftest.WithConfig(func(c *server.Config) {
		c.Auth = a
		// Buckets so large that they never run dry (the clock stands still):
		// the throttles look at every request without refusing any.
		c.APIRates, c.ExecutionAPIRates = huge(engine.SWFAPIRates), huge(engine.SWFExecutionAPIRates)
	}))
	known := map[string]bool{}
	for _, c := range []string{"OK", swfapi.CodeValidationException, swfapi.CodeSerializationException, swfapi.CodeThrottlingException,
		swfapi.CodeRequestEntityTooLarge, swfapi.CodeUnknownOperationException} {
		known[c] = true
	}
	f.Fuzz(func(t *testing.T, op, body string) {
		if strings.ContainsFunc(op, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			t.Skip("not a header value a client can send")
		}
		if strings.HasPrefix(op, "PollFor") {
			// On the test's stopped clock a poll that finds nothing
			// waits until the server stops: look at the task lists with
			// the counts instead.
			op = strings.Replace(op, "PollFor", "CountPending", 1) + "s"
		}
		status, code := signedPost(t, s.URL(), "AKIDFUZZ", "s", op, body)
		if status >= 500 || (code != "OK" && !known[code] && !strings.HasSuffix(code, "Fault")) {
			t.Fatalf("%s %q: %d %s", op, body, status, code)
		}
	})
}

// huge is rates of the same operations with buckets that never run dry.
func huge(rates map[string]throttle.Rate) map[string]throttle.Rate {
	out := map[string]throttle.Rate{}
	for op := range rates {
		out[op] = throttle.Rate{Burst: 1e15, PerSecond: 1}
	}
	return out
}

// signedPost sends a request signed with a key and returns the status and
// the error code ("OK" for a success).
func signedPost(t *testing.T, url, key, secret, op, body string) (int, string) {
	req, err := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Target", "SimpleWorkflowService."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}, req, hex.EncodeToString(sum[:]), "swf", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK {
		return resp.StatusCode, "OK"
	}
	var e struct {
		Type string `json:"__type"`
	}
	json.NewDecoder(bytes.NewReader(b)).Decode(&e)
	_, code, _ := strings.Cut(e.Type, "#")
	return resp.StatusCode, code
}
