// Package lambda invokes AWS Lambda functions for SWF's Lambda tasks,
// through the Lambda Invoke API at an endpoint the operator chooses: AWS
// Lambda itself, or any service that speaks its API.
package lambda

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Call is one invocation of a function.
type Call struct {
	// Function is the function's name or ARN.
	Function string
	Input    *string
	// Role is the IAM role the run gave (its lambdaRole).
	Role string
}

// Result is how an invocation went: a result, a failure of the function,
// or a role that could not be assumed.
type Result struct {
	Output          *string
	Failed          bool
	Reason, Details *string
	// RoleFailed: the role could not be assumed; Message says why.
	RoleFailed bool
	Message    string
}

// Invoker invokes functions.
type Invoker interface {
	Invoke(ctx context.Context, c Call) Result
}

// RoleAssumer is an Invoker that invokes functions as the run's role: the
// role's credentials must be at hand before a task starts, so that a role
// that cannot be assumed fails the task to start (StartLambdaFunctionFailed)
// rather than after LambdaFunctionStarted.
type RoleAssumer interface {
	// HasRole reports whether the role's credentials are at hand, or not
	// needed.
	HasRole(role string) bool
	// GetRole gets the role's credentials; its error says why it could
	// not.
	GetRole(ctx context.Context, role string) error
}

// Credentials sign requests to AWS (empty: requests go unsigned, for local
// Lambda-compatible endpoints).
type Credentials struct {
	AccessKeyID, SecretAccessKey, SessionToken string
}

// HTTPInvoker calls the Lambda Invoke API over HTTP.
type HTTPInvoker struct {
	// Endpoint is the Lambda API's base URL (https://lambda.us-east-1.amazonaws.com).
	Endpoint string
	Region   string
	// Credentials are the server's own.
	Credentials Credentials
	// AssumeRole makes each invocation run as the run's lambdaRole, assumed
	// through STS at STSEndpoint, as Amazon SWF does; otherwise the
	// server's own credentials invoke the function.
	AssumeRole  bool
	STSEndpoint string
	Client      *http.Client
	// MaxOutput is the largest result a Lambda task may record.
	MaxOutput int

	mu    sync.Mutex
	roles map[string]assumed
}

type assumed struct {
	creds   Credentials
	expires time.Time
}

var signer = v4.NewSigner()

func (h *HTTPInvoker) client() *http.Client {
	if h.Client != nil {
		return h.Client
	}
	return http.DefaultClient
}

// sign signs r for service with creds, unless there are none.
func (h *HTTPInvoker) sign(ctx context.Context, r *http.Request, body []byte, service string, creds Credentials) error {
	if creds.AccessKeyID == "" {
		return nil
	}
	sum := sha256.Sum256(body)
	return signer.SignHTTP(ctx, aws.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey, SessionToken: creds.SessionToken},
		r, hex.EncodeToString(sum[:]), service, h.Region, time.Now())
}

// Invoke calls the function and waits for its answer.
func (h *HTTPInvoker) Invoke(ctx context.Context, c Call) Result {
	creds := h.Credentials
	if h.AssumeRole {
		var err error
		if creds, err = h.assume(ctx, c.Role); err != nil {
			return Result{RoleFailed: true, Message: cut(err.Error(), 1728)}
		}
	}
	body := []byte(aws.ToString(c.Input))
	u := strings.TrimSuffix(h.Endpoint, "/") + "/2015-03-31/functions/" + url.PathEscape(c.Function) + "/invocations"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return failed("InvalidRequest", err.Error())
	}
	req.Header.Set("X-Amz-Invocation-Type", "RequestResponse")
	req.Header.Set("Content-Type", "application/json")
	if err := h.sign(ctx, req, body, "lambda", creds); err != nil {
		return failed("SigningFailed", err.Error())
	}
	resp, err := h.client().Do(req)
	if err != nil {
		return failed("ServiceException", err.Error())
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return failed("ServiceException", err.Error())
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Type    string `json:"__type"`
			Kind    string `json:"Type"`
			Message string `json:"message"`
			Msg     string `json:"Message"`
		}
		json.Unmarshal(out, &e)
		// AWS Lambda names the error in a header (its body's Type is only
		// "User" or "Service"); "code:namespace" keeps the code.
		code, _, _ := strings.Cut(resp.Header.Get("X-Amzn-Errortype"), ":")
		reason := firstOf(code, e.Type, e.Kind, resp.Status)
		if i := strings.LastIndex(reason, "#"); i >= 0 {
			reason = reason[i+1:]
		}
		return failed(reason, firstOf(e.Message, e.Msg, string(out)))
	}
	if fe := resp.Header.Get("X-Amz-Function-Error"); fe != "" {
		return failed(fe, string(out))
	}
	if h.MaxOutput > 0 && len([]rune(string(out))) > h.MaxOutput {
		return failed("ResultTooLarge", fmt.Sprintf("the function returned %d bytes; a Lambda task's result may have %d characters", len(out), h.MaxOutput))
	}
	s := string(out)
	return Result{Output: &s}
}

func firstOf(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

func failed(reason, details string) Result {
	reason, details = cut(reason, 256), cut(details, 32768)
	return Result{Failed: true, Reason: &reason, Details: &details}
}

// cut keeps the first n characters of s.
func cut(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// HasRole reports whether the role's credentials are kept, or not needed.
func (h *HTTPInvoker) HasRole(role string) bool {
	if !h.AssumeRole {
		return true
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	a, ok := h.roles[role]
	return ok && time.Now().Before(a.expires.Add(-time.Minute))
}

// GetRole gets the role's credentials from STS, if they are needed.
func (h *HTTPInvoker) GetRole(ctx context.Context, role string) error {
	if !h.AssumeRole {
		return nil
	}
	if _, err := h.assume(ctx, role); err != nil {
		return errors.New(cut(err.Error(), 1728))
	}
	return nil
}

// assume returns credentials of the role, from STS AssumeRole, cached
// until shortly before they expire.
func (h *HTTPInvoker) assume(ctx context.Context, role string) (Credentials, error) {
	h.mu.Lock()
	if a, ok := h.roles[role]; ok && time.Now().Before(a.expires.Add(-time.Minute)) {
		h.mu.Unlock()
		return a.creds, nil
	}
	h.mu.Unlock()

	form := url.Values{
		"Action": {"AssumeRole"}, "Version": {"2011-06-15"},
		"RoleArn": {role}, "RoleSessionName": {"openswf-lambda"},
	}
	body := []byte(form.Encode())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.STSEndpoint, bytes.NewReader(body))
	if err != nil {
		return Credentials{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if err := h.sign(ctx, req, body, "sts", h.Credentials); err != nil {
		return Credentials{}, err
	}
	resp, err := h.client().Do(req)
	if err != nil {
		return Credentials{}, fmt.Errorf("assume role %s: %w", role, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return Credentials{}, fmt.Errorf("assume role %s: %s: %s", role, resp.Status, strings.TrimSpace(string(out)))
	}
	var r struct {
		Credentials struct {
			AccessKeyID     string    `xml:"AccessKeyId"`
			SecretAccessKey string    `xml:"SecretAccessKey"`
			SessionToken    string    `xml:"SessionToken"`
			Expiration      time.Time `xml:"Expiration"`
		} `xml:"AssumeRoleResult>Credentials"`
	}
	if err := xml.Unmarshal(out, &r); err != nil || r.Credentials.AccessKeyID == "" {
		return Credentials{}, fmt.Errorf("assume role %s: unreadable answer from STS", role)
	}
	c := Credentials{AccessKeyID: r.Credentials.AccessKeyID, SecretAccessKey: r.Credentials.SecretAccessKey, SessionToken: r.Credentials.SessionToken}
	h.mu.Lock()
	if h.roles == nil {
		h.roles = map[string]assumed{}
	}
	h.roles[role] = assumed{creds: c, expires: r.Credentials.Expiration}
	h.mu.Unlock()
	return c, nil
}
