package auth_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/openswf/openswf/internal/auth"
	"github.com/openswf/openswf/internal/sigv4"
)

func load(t *testing.T, body string) (*auth.Authenticator, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "users.json")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return auth.Load(path, "us-east-1", "123456789012")
}

func TestLoadRefusesBadFiles(t *testing.T) {
	const allowAll = `{"Statement": {"Effect": "Allow", "Action": "swf:*", "Resource": "*"}}`
	cases := map[string]string{
		`{"users": []}`: "no users",
		`{"users": [{"accessKeys": [{"accessKeyId": "A", "secretAccessKey": "s"}]}]}`: "needs a name",
		`{"users": [{"name": "a", "accessKeys": []}]}`:                                "no accessKeys",
		`{"users": [{"name": "a", "accessKeys": [{"accessKeyId": "A"}]}]}`:            "needs accessKeyId and secretAccessKey",
		`{"users": [{"name": "a", "accessKeys": [{"accessKeyId": "A", "secretAccessKey": "s"}]}, {"name": "a", "accessKeys": [{"accessKeyId": "B", "secretAccessKey": "s"}]}]}`: "named twice",
		`{"users": [{"name": "a", "accessKeys": [{"accessKeyId": "A", "secretAccessKey": "s"}]}, {"name": "b", "accessKeys": [{"accessKeyId": "A", "secretAccessKey": "s"}]}]}`: "given twice",
		`{"users": [{"name": "a", "accesKeys": []}]}`: "unknown field",
		`{"users": [{"name": "a", "accessKeys": [{"accessKeyId": "A", "secretAccessKey": "s"}], "policies": [{"Statement": {"Effect": "Alow", "Action": "*", "Resource": "*"}}]}]}`: "Alow",
		`{"users": [{"name": "a", "accessKeys": [{"accessKeyId": "A", "secretAccessKey": "s"}], "policies": [` + allowAll + `, null]}]}`:                                            "null",
	}
	for body, want := range cases {
		if _, err := load(t, body); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want an error saying %q", body, err, want)
		}
	}
	if _, err := load(t, `{"users": [{"name": "a", "accessKeys": [{"accessKeyId": "A", "secretAccessKey": "s"}], "policies": [`+allowAll+`]}]}`); err != nil {
		t.Fatal(err)
	}
}

func TestCallerConditionKeys(t *testing.T) {
	a, err := load(t, `{"users": [{"name": "ci", "accessKeys": [{"accessKeyId": "AKIDCI", "secretAccessKey": "s"}], "policies": [
	  {"Statement": [
	    {"Effect": "Allow", "Action": "swf:*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
	    {"Effect": "Allow", "Action": "swf:ListDomains", "Resource": "*", "Condition": {"StringEquals": {"aws:username": "ci"}}}
	  ]}]}]}`)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	r := httptest.NewRequest("POST", "/", nil)
	r.RemoteAddr = "10.1.2.3:5555"
	p := principal(t, a)
	c := auth.NewCaller(p, r, time.Now())
	if !c.Allowed("swf:DescribeDomain", "arn:aws:swf:us-east-1:123456789012:/domain/d", nil) {
		t.Error("a caller from 10.1.2.3 is refused under aws:SourceIp 10.0.0.0/8")
	}
	// Decisions know no source address (as in Amazon SWF).
	if c.Permits("swf:StartTimer", "arn:aws:swf:us-east-1:123456789012:/domain/d", nil) {
		t.Error("a decision was permitted by an aws:SourceIp condition")
	}
	r.RemoteAddr = "192.168.0.1:5555"
	c = auth.NewCaller(p, r, time.Now())
	if c.Allowed("swf:DescribeDomain", "arn:aws:swf:us-east-1:123456789012:/domain/d", nil) {
		t.Error("a caller from 192.168.0.1 is allowed under aws:SourceIp 10.0.0.0/8")
	}
	if !c.Allowed("swf:ListDomains", "*", nil) {
		t.Error("aws:username is not the user's name")
	}
	if auth.FromContext(context.Background()) != nil || auth.FromContext(auth.NewContext(context.Background(), c)) != c {
		t.Error("the caller does not travel in the context")
	}
	var nobody *auth.Caller
	if !nobody.Allowed("swf:DeleteWorkflowType", "*", nil) || !nobody.Permits("swf:StartTimer", "*", nil) {
		t.Error("without a users file everything is allowed")
	}
}

// signed signs a request with a key and authenticates it.
func signed(t *testing.T, a *auth.Authenticator, id, secret string) (*auth.Principal, error) {
	t.Helper()
	body := []byte("{}")
	r := httptest.NewRequest("POST", "http://127.0.0.1:7930/", strings.NewReader(string(body)))
	r.Header.Set("X-Amz-Target", "SimpleWorkflowService.ListDomains")
	sum := sha256.Sum256(body)
	now := time.Now()
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: id, SecretAccessKey: secret}, r, hex.EncodeToString(sum[:]), "swf", "us-east-1", now); err != nil {
		t.Fatal(err)
	}
	return a.Authenticate(r, body, now)
}

// principal signs a request with AKIDCI's key and authenticates it.
func principal(t *testing.T, a *auth.Authenticator) *auth.Principal {
	t.Helper()
	sign := func(secret string) (*auth.Principal, error) { return signed(t, a, "AKIDCI", secret) }
	if _, err := sign("wrong"); err == nil || err.(*sigv4.Error).Code != sigv4.CodeInvalidSignature {
		t.Fatalf("a wrong secret: %v", err)
	}
	p, err := sign("s")
	if err != nil {
		t.Fatal(err)
	}
	if p.User != "ci" || p.AccessKeyID != "AKIDCI" || p.ARN != "arn:aws:iam::123456789012:user/ci" {
		t.Fatalf("principal %+v", p)
	}
	return p
}

// Replacing the users takes effect for the next request: an old key is no
// longer known, a new one is.
func TestReplace(t *testing.T) {
	users := func(id string) string {
		return `{"users": [{"name": "u", "accessKeys": [{"accessKeyId": "` + id + `", "secretAccessKey": "s"}]}]}`
	}
	a, err := load(t, users("AKIDOLD"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := signed(t, a, "AKIDOLD", "s"); err != nil {
		t.Fatal(err)
	}
	b, err := load(t, users("AKIDNEW"))
	if err != nil {
		t.Fatal(err)
	}
	a.Replace(b)
	if _, err := signed(t, a, "AKIDOLD", "s"); err == nil || err.(*sigv4.Error).Code != sigv4.CodeUnrecognizedClient {
		t.Errorf("a replaced key: %v", err)
	}
	if p, err := signed(t, a, "AKIDNEW", "s"); err != nil || p.AccessKeyID != "AKIDNEW" {
		t.Errorf("the new key: %v, %v", p, err)
	}
}

// Behind trusted proxies, aws:SourceIp and aws:SecureTransport come from
// X-Forwarded-For and X-Forwarded-Proto; from anywhere else those headers
// count for nothing.
func TestTrustedProxies(t *testing.T) {
	if _, err := auth.ParseProxies("10.0.0.0/8, nonsense"); err == nil {
		t.Error("a bad proxy list was accepted")
	}
	proxies, err := auth.ParseProxies("10.0.0.0/8, 192.168.1.1")
	if err != nil {
		t.Fatal(err)
	}
	a, err := load(t, `{"users": [{"name": "u", "accessKeys": [{"accessKeyId": "AKIDU", "secretAccessKey": "s"}]}]}`)
	if err != nil {
		t.Fatal(err)
	}
	a.TrustProxies(proxies)
	p, _ := a.Password("AKIDU", "s")
	for _, c := range []struct {
		remote, forwardedFor, proto string
		wantIP                      string
		wantSecure                  bool
	}{
		{"10.0.0.5:1234", "203.0.113.9, 10.0.0.7", "https", "203.0.113.9", true},
		{"192.168.1.1:1234", "198.51.100.1, 203.0.113.9", "http", "203.0.113.9", false},
		{"10.0.0.5:1234", "", "", "10.0.0.5", false},
		{"203.0.113.50:1234", "10.9.9.9", "https", "203.0.113.50", false}, // not a proxy: headers ignored
		{"10.0.0.5:1234", "garbage, 10.0.0.8", "", "10.0.0.8", false},
		// The proxy appends its own value: the client's claim before it
		// counts for nothing.
		{"10.0.0.5:1234", "203.0.113.9", "https, http", "203.0.113.9", false},
		{"10.0.0.5:1234", "203.0.113.9", "http,https", "203.0.113.9", true},
	} {
		r := httptest.NewRequest("POST", "/", nil)
		r.RemoteAddr = c.remote
		if c.forwardedFor != "" {
			r.Header.Set("X-Forwarded-For", c.forwardedFor)
		}
		if c.proto != "" {
			r.Header.Set("X-Forwarded-Proto", c.proto)
		}
		got := a.NewCaller(p, r, time.Now())
		if got.SourceIP != c.wantIP || got.Secure != c.wantSecure {
			t.Errorf("from %s, X-Forwarded-For %q, proto %q: source %s secure %v; want %s %v", c.remote, c.forwardedFor, c.proto, got.SourceIP, got.Secure, c.wantIP, c.wantSecure)
		}
	}
	if _, ok := a.Password("AKIDU", "wrong"); ok {
		t.Error("a wrong secret signed in")
	}
}

// A users file that others may read is reported: it holds secret keys.
func TestReadableByOthers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users.json")
	if err := os.WriteFile(path, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if mode, loose := auth.ReadableByOthers(path); loose || mode != 0o600 {
		t.Errorf("0600: %v %v", mode, loose)
	}
	for _, mode := range []os.FileMode{0o640, 0o604, 0o660} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		if got, loose := auth.ReadableByOthers(path); !loose || got != mode {
			t.Errorf("%v: %v %v", mode, got, loose)
		}
	}
}
