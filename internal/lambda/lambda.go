// Package lambda invokes AWS Lambda functions for SWF's Lambda tasks,
// through the Lambda Invoke API at an endpoint the operator chooses: AWS
// Lambda itself, or any service that speaks its API. The calls are made with
// aws-sdk-go-v2's Lambda and STS clients.
package lambda

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
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

// HTTPInvoker calls the Lambda Invoke API with aws-sdk-go-v2.
type HTTPInvoker struct {
	// Endpoint is the Lambda API's base URL (https://lambda.us-east-1.amazonaws.com).
	Endpoint string
	Region   string
	// Credentials are the server's own (nil: requests go unsigned, for
	// local Lambda-compatible endpoints). DefaultCredentials finds them as
	// the AWS SDKs and CLI do.
	Credentials aws.CredentialsProvider
	// AssumeRole makes each invocation run as the run's lambdaRole, assumed
	// through STS at STSEndpoint, as Amazon SWF does; otherwise the
	// server's own credentials invoke the function.
	AssumeRole  bool
	STSEndpoint string
	// Client carries the requests (nil: the SDK's default).
	Client *http.Client
	// MaxOutput is the largest result a Lambda task may record.
	MaxOutput int

	once   sync.Once
	lambda *awslambda.Client
	sts    *sts.Client

	mu    sync.Mutex
	roles map[string]aws.Credentials
	// asking holds, per role, a channel closed when the AssumeRole call
	// under way for it ends: the others that need the role wait for it.
	asking map[string]chan struct{}
}

// DefaultCredentials finds the server's AWS credentials through the SDK's
// standard chain: environment variables, the shared config and credentials
// files (AWS_PROFILE), web identity (EKS, AWS_WEB_IDENTITY_TOKEN_FILE), and
// the container or instance role. It returns nil when the chain has none,
// so that requests to a local Lambda-compatible endpoint go unsigned.
func DefaultCredentials(ctx context.Context, region string) (aws.CredentialsProvider, error) {
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(region))
	if err != nil {
		return nil, fmt.Errorf("AWS configuration: %w", err)
	}
	if cfg.Credentials == nil {
		return nil, nil
	}
	look, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := cfg.Credentials.Retrieve(look); err != nil {
		return nil, nil
	}
	return cfg.Credentials, nil
}

// clients makes the SDK clients once, from the invoker's settings.
func (h *HTTPInvoker) clients() (*awslambda.Client, *sts.Client) {
	h.once.Do(func() {
		cfg := aws.Config{Region: h.Region, Credentials: h.Credentials}
		if cfg.Credentials == nil {
			cfg.Credentials = aws.AnonymousCredentials{}
		}
		if h.Client != nil {
			cfg.HTTPClient = h.Client
		}
		h.lambda = awslambda.NewFromConfig(cfg, func(o *awslambda.Options) {
			o.BaseEndpoint = aws.String(h.Endpoint)
			// An invocation that failed on the way back may have run:
			// running it again is not the invoker's call to make.
			o.Retryer = aws.NopRetryer{}
		})
		if h.AssumeRole {
			h.sts = sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = aws.String(h.STSEndpoint) })
		}
	})
	return h.lambda, h.sts
}

// Invoke calls the function and waits for its answer.
func (h *HTTPInvoker) Invoke(ctx context.Context, c Call) Result {
	client, _ := h.clients()
	var opts []func(*awslambda.Options)
	if h.AssumeRole {
		creds, err := h.assume(ctx, c.Role)
		if err != nil {
			return Result{RoleFailed: true, Message: cut(err.Error(), 1728)}
		}
		opts = append(opts, func(o *awslambda.Options) { o.Credentials = credentials.StaticCredentialsProvider{Value: creds} })
	}
	in := &awslambda.InvokeInput{FunctionName: aws.String(c.Function), InvocationType: lambdatypes.InvocationTypeRequestResponse}
	if c.Input != nil {
		in.Payload = []byte(*c.Input)
	}
	out, err := client.Invoke(ctx, in, opts...)
	if err != nil {
		return invokeFailed(err)
	}
	if fe := aws.ToString(out.FunctionError); fe != "" {
		return failed(fe, string(out.Payload))
	}
	if n := len([]rune(string(out.Payload))); h.MaxOutput > 0 && n > h.MaxOutput {
		return failed("ResultTooLarge", fmt.Sprintf("the function returned %d bytes; a Lambda task's result may have %d characters", len(out.Payload), h.MaxOutput))
	}
	s := string(out.Payload)
	return Result{Output: &s}
}

// invokeFailed is the failure an error of the Lambda service makes: its
// code and message when it sent them, else the HTTP status, else
// ServiceException (the service could not be reached).
func invokeFailed(err error) Result {
	var api smithy.APIError
	var resp *awshttp.ResponseError
	switch {
	case errors.As(err, &api) && api.ErrorCode() != "" && api.ErrorCode() != "UnknownError":
		return failed(api.ErrorCode(), firstOf(api.ErrorMessage(), err.Error()))
	case errors.As(err, &resp) && resp.HTTPStatusCode() != 0:
		return failed(resp.Response.Status, err.Error())
	}
	return failed("ServiceException", err.Error())
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
	return fresh(h.roles[role])
}

// fresh reports whether credentials are good for another minute at least.
func fresh(c aws.Credentials) bool {
	return c.HasKeys() && (!c.CanExpire || time.Now().Before(c.Expires.Add(-time.Minute)))
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

// assume returns credentials of the role, from STS AssumeRole, kept until
// shortly before they expire. One call at a time asks STS for a role:
// invokers that need it meanwhile (several Lambda tasks of one run's role
// at once) wait for that call's credentials rather than ask again.
func (h *HTTPInvoker) assume(ctx context.Context, role string) (aws.Credentials, error) {
	for {
		h.mu.Lock()
		if c := h.roles[role]; fresh(c) {
			h.mu.Unlock()
			return c, nil
		}
		wait, asking := h.asking[role]
		if !asking {
			if h.asking == nil {
				h.asking = map[string]chan struct{}{}
			}
			done := make(chan struct{})
			h.asking[role] = done
			h.mu.Unlock()
			c, err := h.assumeNow(ctx, role)
			h.mu.Lock()
			delete(h.asking, role)
			h.mu.Unlock()
			close(done)
			return c, err
		}
		h.mu.Unlock()
		// Then look again: the call may have failed, or given
		// credentials too short-lived to keep.
		select {
		case <-wait:
		case <-ctx.Done():
			return aws.Credentials{}, fmt.Errorf("assume role %s: %w", role, ctx.Err())
		}
	}
}

// assumeNow asks STS for the role's credentials, and keeps them.
func (h *HTTPInvoker) assumeNow(ctx context.Context, role string) (aws.Credentials, error) {
	_, client := h.clients()
	out, err := client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("openswf-lambda")})
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("assume role %s: %w", role, err)
	}
	if out.Credentials == nil || aws.ToString(out.Credentials.AccessKeyId) == "" {
		return aws.Credentials{}, fmt.Errorf("assume role %s: STS answered without credentials", role)
	}
	c := aws.Credentials{
		AccessKeyID: aws.ToString(out.Credentials.AccessKeyId), SecretAccessKey: aws.ToString(out.Credentials.SecretAccessKey),
		SessionToken: aws.ToString(out.Credentials.SessionToken), Source: "STS AssumeRole",
	}
	if out.Credentials.Expiration != nil {
		c.CanExpire, c.Expires = true, *out.Credentials.Expiration
	}
	h.mu.Lock()
	if h.roles == nil {
		h.roles = map[string]aws.Credentials{}
	}
	h.roles[role] = c
	h.mu.Unlock()
	return c, nil
}
