package lambda_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/openswf/openswf/internal/lambda"
)

var ctx = context.Background()

// request is what a fake endpoint received.
type request struct {
	Method, Path, Body string
	Header             http.Header
	// Verified: the request carries a SigV4 signature that checks out for
	// the credentials, region and service it was verified against.
	Verified bool
	Form     url.Values
}

// recorder is a fake AWS endpoint that keeps every request.
type recorder struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []request
}

func (r *recorder) requests() []request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]request(nil), r.reqs...)
}

// newRecorder starts an endpoint answering with answer; creds, region and
// service are what signatures are checked against.
func newRecorder(t *testing.T, creds aws.Credentials, region, service string, answer func(w http.ResponseWriter, r *http.Request, body string)) *recorder {
	t.Helper()
	rec := &recorder{}
	rec.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got := request{Method: r.Method, Path: r.URL.Path, Body: string(b), Header: r.Header.Clone()}
		got.Verified = verifySigV4(r, b, creds, region, service)
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			got.Form, _ = url.ParseQuery(string(b))
		}
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, got)
		rec.mu.Unlock()
		answer(w, r, string(b))
	}))
	t.Cleanup(rec.Close)
	return rec
}

// verifySigV4 signs a copy of the request again, with the headers it says
// it signed and at the time it says it was signed, and compares.
func verifySigV4(r *http.Request, body []byte, creds aws.Credentials, region, service string) bool {
	auth := r.Header.Get("Authorization")
	_, signed, ok := strings.Cut(auth, "SignedHeaders=")
	if !ok {
		return false
	}
	signed, _, _ = strings.Cut(signed, ",")
	when, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return false
	}
	cp, err := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), strings.NewReader(string(body)))
	if err != nil {
		return false
	}
	for _, h := range strings.Split(signed, ";") {
		if h == "host" || h == "content-length" || h == "x-amz-date" || h == "x-amz-security-token" {
			continue
		}
		cp.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, cp, hex.EncodeToString(sum[:]), service, region, when); err != nil {
		return false
	}
	return cp.Header.Get("Authorization") == auth
}

var serverCreds = aws.Credentials{AccessKeyID: "AKIDSERVER", SecretAccessKey: "server-secret"}

// static provides fixed credentials, as the server's credential chain would.
func static(c aws.Credentials) aws.CredentialsProvider {
	return credentials.StaticCredentialsProvider{Value: c}
}

func echo(w http.ResponseWriter, r *http.Request, body string) { io.WriteString(w, body) }

func str(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

func wantOutput(t *testing.T, res lambda.Result, want string) {
	t.Helper()
	if res.Failed || res.RoleFailed || res.Output == nil || *res.Output != want {
		t.Fatalf("result %+v (output %q, reason %q, details %q), want output %q", res, str(res.Output), str(res.Reason), str(res.Details), want)
	}
}

func wantFailed(t *testing.T, res lambda.Result, reason, details string) {
	t.Helper()
	if !res.Failed || res.RoleFailed || res.Output != nil || str(res.Reason) != reason || str(res.Details) != details {
		t.Fatalf("result %+v (reason %q, details %q), want failed %q %q", res, str(res.Reason), str(res.Details), reason, details)
	}
}

// A function's result comes back as the output; the request is the Lambda
// Invoke API's, signed with SigV4 for lambda in the invoker's region.
func TestInvokeSuccess(t *testing.T) {
	t.Parallel()
	ep := newRecorder(t, serverCreds, "eu-west-1", "lambda", echo)
	h := &lambda.HTTPInvoker{Endpoint: ep.URL + "/", Region: "eu-west-1", Credentials: static(serverCreds)}
	res := h.Invoke(ctx, lambda.Call{Function: "resize", Input: aws.String(`{"size":"é"}`), Role: "arn:aws:iam::123456789012:role/r"})
	wantOutput(t, res, `{"size":"é"}`)

	// A function named by its ARN, and no input.
	res = h.Invoke(ctx, lambda.Call{Function: "arn:aws:lambda:eu-west-1:123456789012:function:resize"})
	wantOutput(t, res, "")

	reqs := ep.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	r := reqs[0]
	if r.Method != http.MethodPost || r.Path != "/2015-03-31/functions/resize/invocations" || r.Body != `{"size":"é"}` ||
		r.Header.Get("X-Amz-Invocation-Type") != "RequestResponse" {
		t.Fatalf("request %+v", r)
	}
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDSERVER/") || !strings.Contains(auth, "/eu-west-1/lambda/aws4_request") || !r.Verified {
		t.Fatalf("not signed for lambda in eu-west-1 (verified %v): %s", r.Verified, auth)
	}
	if r.Header.Get("X-Amz-Security-Token") != "" {
		t.Fatalf("a session token without one: %v", r.Header)
	}
	r = reqs[1]
	if r.Path != "/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:resize/invocations" || r.Body != "" || !r.Verified {
		t.Fatalf("request by ARN %+v", r)
	}

	// Without credentials, requests go unsigned.
	plain := &lambda.HTTPInvoker{Endpoint: ep.URL, Region: "eu-west-1"}
	wantOutput(t, plain.Invoke(ctx, lambda.Call{Function: "f", Input: aws.String("x")}), "x")
	if r := ep.requests()[2]; r.Header.Get("Authorization") != "" || r.Header.Get("X-Amz-Date") != "" {
		t.Fatalf("an unsigned invoker signed: %v", r.Header)
	}

	// The server's session token goes with its signature.
	withToken := aws.Credentials{AccessKeyID: "ASIASERVER", SecretAccessKey: "s", SessionToken: "server-token"}
	ep2 := newRecorder(t, withToken, "eu-west-1", "lambda", echo)
	h2 := &lambda.HTTPInvoker{Endpoint: ep2.URL, Region: "eu-west-1", Credentials: static(withToken)}
	wantOutput(t, h2.Invoke(ctx, lambda.Call{Function: "f", Input: aws.String("y")}), "y")
	if r := ep2.requests()[0]; r.Header.Get("X-Amz-Security-Token") != "server-token" || !r.Verified {
		t.Fatalf("session token %q, verified %v", r.Header.Get("X-Amz-Security-Token"), r.Verified)
	}
}

// A function that raised an error is a failure with the error as details;
// so is an answer of the Lambda service that is not a success.
func TestInvokeErrors(t *testing.T) {
	t.Parallel()
	ep := newRecorder(t, serverCreds, "us-east-1", "lambda", func(w http.ResponseWriter, r *http.Request, body string) {
		switch fn := strings.Split(r.URL.Path, "/")[3]; fn {
		case "boom":
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			io.WriteString(w, `{"errorMessage":"it broke","errorType":"Error"}`)
		case "handled":
			w.Header().Set("X-Amz-Function-Error", "Handled")
			io.WriteString(w, `{"errorMessage":"no"}`)
		case "missing":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"__type":"ResourceNotFoundException","message":"Function not found: missing"}`)
		case "aws-missing":
			// What AWS Lambda itself answers: the code in a header, the
			// body only says whose fault it is.
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-Amzn-Errortype", "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.awslambda/")
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"Type":"User","Message":"Function not found: arn:aws:lambda:us-east-1:123456789012:function:aws-missing"}`)
		case "throttled":
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"__type":"com.amazonaws.lambda#TooManyRequestsException","Message":"Rate exceeded"}`)
		case "gateway":
			w.WriteHeader(http.StatusBadGateway)
			io.WriteString(w, "upstream is down")
		}
	})
	h := &lambda.HTTPInvoker{Endpoint: ep.URL, Region: "us-east-1", Credentials: static(serverCreds)}
	call := func(fn string) lambda.Result {
		return h.Invoke(ctx, lambda.Call{Function: fn, Input: aws.String("{}")})
	}
	wantFailed(t, call("boom"), "Unhandled", `{"errorMessage":"it broke","errorType":"Error"}`)
	wantFailed(t, call("handled"), "Handled", `{"errorMessage":"no"}`)
	wantFailed(t, call("missing"), "ResourceNotFoundException", "Function not found: missing")
	wantFailed(t, call("aws-missing"), "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:123456789012:function:aws-missing")
	wantFailed(t, call("throttled"), "TooManyRequestsException", "Rate exceeded")
	// An answer that is not the service's own (a proxy's) names its status.
	if res := call("gateway"); !res.Failed || str(res.Reason) != "502 Bad Gateway" || !strings.Contains(str(res.Details), "StatusCode: 502") {
		t.Fatalf("gateway: reason %q details %q", str(res.Reason), str(res.Details))
	}
	if n := len(ep.requests()); n != 6 {
		t.Fatalf("%d requests for 6 calls: an invocation is never retried", n)
	}

	// Nobody listening.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	down := &lambda.HTTPInvoker{Endpoint: "http://" + addr, Region: "us-east-1"}
	res := down.Invoke(ctx, lambda.Call{Function: "f"})
	if !res.Failed || str(res.Reason) != "ServiceException" || !strings.Contains(str(res.Details), addr) {
		t.Fatalf("unreachable endpoint: reason %q details %q", str(res.Reason), str(res.Details))
	}
}

// What a failure records fits SWF's fields: a reason of at most 256
// characters and details of at most 32,768, cut between characters.
func TestInvokeErrorIsCut(t *testing.T) {
	t.Parallel()
	longReason := strings.Repeat("€", 300)
	longDetails := strings.Repeat("€", 40000)
	ep := newRecorder(t, aws.Credentials{}, "us-east-1", "lambda", func(w http.ResponseWriter, r *http.Request, body string) {
		w.Header().Set("X-Amz-Function-Error", longReason)
		io.WriteString(w, longDetails)
	})
	h := &lambda.HTTPInvoker{Endpoint: ep.URL, Region: "us-east-1"}
	res := h.Invoke(ctx, lambda.Call{Function: "f"})
	if !res.Failed {
		t.Fatalf("result %+v", res)
	}
	reason, details := str(res.Reason), str(res.Details)
	if !utf8.ValidString(reason) || !utf8.ValidString(details) {
		t.Fatalf("cut inside a character: reason ends %q, details end %q", reason[len(reason)-4:], details[len(details)-4:])
	}
	if n := utf8.RuneCountInString(reason); n != 256 || !strings.HasPrefix(longReason, reason) {
		t.Fatalf("reason of %d characters", n)
	}
	if n := utf8.RuneCountInString(details); n != 32768 || !strings.HasPrefix(longDetails, details) {
		t.Fatalf("details of %d characters", n)
	}
}

// A result larger than a Lambda task may record fails the task; one of the
// largest size, counted in characters, is a result.
func TestInvokeOversizedResult(t *testing.T) {
	t.Parallel()
	ep := newRecorder(t, aws.Credentials{}, "us-east-1", "lambda", echo)
	h := &lambda.HTTPInvoker{Endpoint: ep.URL, Region: "us-east-1", MaxOutput: 10}
	wantOutput(t, h.Invoke(ctx, lambda.Call{Function: "f", Input: aws.String(strings.Repeat("é", 10))}), strings.Repeat("é", 10))
	res := h.Invoke(ctx, lambda.Call{Function: "f", Input: aws.String(strings.Repeat("é", 11))})
	if !res.Failed || str(res.Reason) != "ResultTooLarge" || !strings.Contains(str(res.Details), "10 characters") || res.Output != nil {
		t.Fatalf("oversized: %+v reason %q details %q", res, str(res.Reason), str(res.Details))
	}
	// Without a bound, anything goes.
	free := &lambda.HTTPInvoker{Endpoint: ep.URL, Region: "us-east-1"}
	wantOutput(t, free.Invoke(ctx, lambda.Call{Function: "f", Input: aws.String(strings.Repeat("x", 100000))}), strings.Repeat("x", 100000))
}

// A function that outlasts the call's context is given up.
func TestInvokeCanceled(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	ep := newRecorder(t, aws.Credentials{}, "us-east-1", "lambda", func(w http.ResponseWriter, r *http.Request, body string) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	h := &lambda.HTTPInvoker{Endpoint: ep.URL, Region: "us-east-1"}
	c, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	res := h.Invoke(c, lambda.Call{Function: "slow"})
	if !res.Failed || str(res.Reason) != "ServiceException" || !strings.Contains(str(res.Details), "deadline") {
		t.Fatalf("result %+v reason %q details %q", res, str(res.Reason), str(res.Details))
	}
}

const stsAnswer = `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser>
      <AssumedRoleId>AROA3XFRBF535PLBIFPI4:openswf-lambda</AssumedRoleId>
      <Arn>%[1]s/openswf-lambda</Arn>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>%[2]s</AccessKeyId>
      <SecretAccessKey>secret-of-%[2]s</SecretAccessKey>
      <SessionToken>token-of-%[2]s</SessionToken>
      <Expiration>%[3]s</Expiration>
    </Credentials>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>`

// fakeSTS answers AssumeRole for the roles it knows: each with its own key
// and an expiry; other roles are refused.
func fakeSTS(t *testing.T, roles map[string]struct {
	key     string
	expires time.Time
}) *recorder {
	return newRecorder(t, serverCreds, "us-east-1", "sts", func(w http.ResponseWriter, r *http.Request, body string) {
		form, _ := url.ParseQuery(body)
		role, ok := roles[form.Get("RoleArn")]
		if !ok || form.Get("Action") != "AssumeRole" {
			w.Header().Set("Content-Type", "text/xml")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintf(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized to perform sts:AssumeRole on %s</Message></Error></ErrorResponse>`, form.Get("RoleArn"))
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, stsAnswer, form.Get("RoleArn"), role.key, role.expires.UTC().Format(time.RFC3339))
	})
}

// With AssumeRole, each function is invoked with the credentials STS gives
// for the run's role, kept until shortly before they expire.
func TestInvokeAssumeRole(t *testing.T) {
	t.Parallel()
	const roleA, roleB, roleShort = "arn:aws:iam::123456789012:role/a", "arn:aws:iam::123456789012:role/b", "arn:aws:iam::123456789012:role/short"
	sts := fakeSTS(t, map[string]struct {
		key     string
		expires time.Time
	}{
		roleA:     {"ASIAROLEA", time.Now().Add(time.Hour)},
		roleB:     {"ASIAROLEB", time.Now().Add(time.Hour)},
		roleShort: {"ASIASHORT", time.Now().Add(30 * time.Second)},
	})
	var mu sync.Mutex
	keys := map[string]string{} // access key -> secret, token
	ep := newRecorder(t, aws.Credentials{}, "us-east-1", "lambda", func(w http.ResponseWriter, r *http.Request, body string) {
		_, cred, _ := strings.Cut(r.Header.Get("Authorization"), "Credential=")
		key, _, _ := strings.Cut(cred, "/")
		mu.Lock()
		keys[key] = r.Header.Get("X-Amz-Security-Token")
		mu.Unlock()
		ok := verifySigV4(r, []byte(body), aws.Credentials{AccessKeyID: key, SecretAccessKey: "secret-of-" + key, SessionToken: "token-of-" + key}, "us-east-1", "lambda")
		fmt.Fprintf(w, "%s %v", key, ok)
	})
	h := &lambda.HTTPInvoker{Endpoint: ep.URL, Region: "us-east-1", Credentials: static(serverCreds), AssumeRole: true, STSEndpoint: sts.URL}
	call := func(role string) lambda.Result {
		return h.Invoke(ctx, lambda.Call{Function: "f", Input: aws.String("{}"), Role: role})
	}

	if h.HasRole(roleA) {
		t.Fatal("HasRole before the role was assumed")
	}
	wantOutput(t, call(roleA), "ASIAROLEA true")
	if !h.HasRole(roleA) || h.HasRole(roleB) {
		t.Fatalf("HasRole(a) = %v, HasRole(b) = %v after a was assumed", h.HasRole(roleA), h.HasRole(roleB))
	}
	wantOutput(t, call(roleA), "ASIAROLEA true")
	if err := h.GetRole(ctx, roleB); err != nil || !h.HasRole(roleB) {
		t.Fatalf("GetRole(b) = %v; HasRole(b) = %v", err, h.HasRole(roleB))
	}
	wantOutput(t, call(roleB), "ASIAROLEB true")
	wantOutput(t, call(roleA), "ASIAROLEA true")
	if n := len(sts.requests()); n != 2 {
		t.Fatalf("%d AssumeRole calls for two roles, want 2 (credentials are kept)", n)
	}
	r := sts.requests()[0]
	if r.Method != http.MethodPost || r.Form.Get("Action") != "AssumeRole" || r.Form.Get("Version") != "2011-06-15" ||
		r.Form.Get("RoleArn") != roleA || r.Form.Get("RoleSessionName") == "" {
		t.Fatalf("AssumeRole request %+v", r)
	}
	if auth := r.Header.Get("Authorization"); !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDSERVER/") || !strings.Contains(auth, "/us-east-1/sts/aws4_request") || !r.Verified {
		t.Fatalf("AssumeRole not signed with the server's credentials for sts (verified %v): %s", r.Verified, auth)
	}
	mu.Lock()
	if keys["ASIAROLEA"] != "token-of-ASIAROLEA" || keys["ASIAROLEB"] != "token-of-ASIAROLEB" || keys["AKIDSERVER"] != "" {
		t.Fatalf("keys and session tokens the function saw: %v", keys)
	}
	mu.Unlock()

	// Credentials that expire within a minute are not kept.
	wantOutput(t, call(roleShort), "ASIASHORT true")
	if h.HasRole(roleShort) {
		t.Fatal("HasRole of credentials that expire within a minute")
	}
	wantOutput(t, call(roleShort), "ASIASHORT true")
	if n := len(sts.requests()); n != 4 {
		t.Fatalf("%d AssumeRole calls, want 4: short-lived credentials are asked for again", n)
	}
	if n := len(ep.requests()); n != 6 {
		t.Fatalf("%d invocations, want 6", n)
	}

	// Without AssumeRole, no role is needed.
	own := &lambda.HTTPInvoker{Endpoint: ep.URL, Region: "us-east-1", Credentials: static(serverCreds), STSEndpoint: sts.URL}
	if !own.HasRole(roleA) || own.GetRole(ctx, "arn:aws:iam::123456789012:role/unknown") != nil {
		t.Fatal("an invoker that does not assume roles needs one")
	}
	if n := len(sts.requests()); n != 4 {
		t.Fatalf("%d AssumeRole calls, want still 4", n)
	}
}

// A role STS refuses, or an answer that is not credentials, fails the task
// before the function is invoked, with a message of at most 1,728
// characters (SWF's CauseMessage).
func TestInvokeAssumeRoleFails(t *testing.T) {
	t.Parallel()
	const role = "arn:aws:iam::123456789012:role/denied"
	sts := fakeSTS(t, nil)
	ep := newRecorder(t, aws.Credentials{}, "us-east-1", "lambda", echo)
	h := &lambda.HTTPInvoker{Endpoint: ep.URL, Region: "us-east-1", Credentials: static(serverCreds), AssumeRole: true, STSEndpoint: sts.URL}
	res := h.Invoke(ctx, lambda.Call{Function: "f", Input: aws.String("{}"), Role: role})
	if !res.RoleFailed || res.Failed || res.Output != nil || !strings.Contains(res.Message, role) || !strings.Contains(res.Message, "AccessDenied") {
		t.Fatalf("refused role: %+v", res)
	}
	// A refusal is not kept: the next call asks again.
	if err := h.GetRole(ctx, role); err == nil || err.Error() != res.Message || h.HasRole(role) {
		t.Fatalf("GetRole of a refused role: %v", err)
	}
	if n := len(sts.requests()); n != 2 {
		t.Fatalf("%d AssumeRole calls, want 2", n)
	}

	garbled := newRecorder(t, aws.Credentials{}, "us-east-1", "sts", func(w http.ResponseWriter, r *http.Request, body string) {
		io.WriteString(w, "<html>hello</html>")
	})
	h2 := &lambda.HTTPInvoker{Endpoint: ep.URL, Region: "us-east-1", AssumeRole: true, STSEndpoint: garbled.URL}
	if res := h2.Invoke(ctx, lambda.Call{Function: "f", Role: role}); !res.RoleFailed || !strings.Contains(res.Message, role) {
		t.Fatalf("unreadable STS answer: %+v", res)
	}

	chatty := newRecorder(t, aws.Credentials{}, "us-east-1", "sts", func(w http.ResponseWriter, r *http.Request, body string) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>%s</Message></Error></ErrorResponse>`, strings.Repeat("ü", 5000))
	})
	h3 := &lambda.HTTPInvoker{Endpoint: ep.URL, Region: "us-east-1", AssumeRole: true, STSEndpoint: chatty.URL}
	res = h3.Invoke(ctx, lambda.Call{Function: "f", Role: role})
	if !res.RoleFailed || utf8.RuneCountInString(res.Message) != 1728 || !utf8.ValidString(res.Message) || !strings.Contains(res.Message, role) {
		t.Fatalf("long refusal: message of %d characters (valid %v)", utf8.RuneCountInString(res.Message), utf8.ValidString(res.Message))
	}
	if err := h3.GetRole(ctx, role); err == nil || err.Error() != res.Message {
		t.Fatalf("GetRole after a long refusal: %v", err)
	}
	if n := len(ep.requests()); n != 0 {
		t.Fatalf("the function was invoked %d times without a role", n)
	}
}

// The server's own credentials come from the SDK's standard chain: the
// environment first, then the shared files (with their profiles); with
// none, DefaultCredentials returns nil and requests go unsigned.
func TestDefaultCredentialsChain(t *testing.T) {
	dir := t.TempDir()
	shared := dir + "/credentials"
	if err := os.WriteFile(shared, []byte("[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = file-secret\n\n[other]\naws_access_key_id = AKIDOTHER\naws_secret_access_key = other-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", dir+"/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", shared)
	key := func() string {
		t.Helper()
		p, err := lambda.DefaultCredentials(ctx, "us-east-1")
		if err != nil {
			t.Fatal(err)
		}
		if p == nil {
			return "<none>"
		}
		c, err := p.Retrieve(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return c.AccessKeyID
	}
	if got := key(); got != "AKIDFILE" {
		t.Fatalf("shared credentials file: %s", got)
	}
	t.Setenv("AWS_PROFILE", "other")
	if got := key(); got != "AKIDOTHER" {
		t.Fatalf("AWS_PROFILE=other: %s", got)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
	if got := key(); got != "AKIDENV" {
		t.Fatalf("environment before files: %s", got)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", dir+"/none")
	if got := key(); got != "<none>" {
		t.Fatalf("no credentials anywhere: %s", got)
	}
}

// Invokers that need a role while STS is being asked for it wait for that
// call: one AssumeRole, whatever the number of Lambda tasks of the role
// that start at once.
func TestConcurrentGetRoleAsksOnce(t *testing.T) {
	t.Parallel()
	const role, callers = "arn:aws:iam::123456789012:role/a", 4
	arrived := make(chan struct{}, callers)
	sts := newRecorder(t, serverCreds, "us-east-1", "sts", func(w http.ResponseWriter, r *http.Request, body string) {
		// Hold the answer until every caller has asked, or a moment has
		// passed in which they would have, had they not waited.
		arrived <- struct{}{}
		for deadline := time.Now().Add(300 * time.Millisecond); len(arrived) < callers && time.Now().Before(deadline); {
			time.Sleep(5 * time.Millisecond)
		}
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, stsAnswer, role, "ASIAROLEA", time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	})
	h := &lambda.HTTPInvoker{Region: "us-east-1", Credentials: static(serverCreds), AssumeRole: true, STSEndpoint: sts.URL}
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for range callers {
		wg.Go(func() { errs <- h.GetRole(ctx, role) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := len(sts.requests()); n != 1 || !h.HasRole(role) {
		t.Fatalf("%d AssumeRole calls for %d callers at once (HasRole %v), want 1", n, callers, h.HasRole(role))
	}
}
