package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	testKey    = "AKIDOPENSWFTEST"
	testSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	testBody   = `{"registrationStatus":"REGISTERED"}`
	endpoint   = "https://swf.us-east-1.amazonaws.com/"
)

// signTime is when the test requests are signed.
var signTime = time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)

func newVerifier() *Verifier {
	return &Verifier{Service: "swf", Region: "us-east-1", Required: []string{"x-amz-target"}, Secret: func(id string) (string, bool) {
		switch id {
		case testKey:
			return testSecret, true
		case "AKIDOTHER":
			return "another secret", true
		}
		return "", false
	}}
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// signing says how aws-sdk-go-v2's signer is to sign a test request.
type signing struct {
	method, url, body string
	header            http.Header // set before signing, besides the SWF ones
	creds             aws.Credentials
	service, region   string
	at                time.Time
	payloadHash       string // "" means the body's SHA-256
}

func defaults() signing {
	return signing{
		method: http.MethodPost, url: endpoint, body: testBody,
		creds:   aws.Credentials{AccessKeyID: testKey, SecretAccessKey: testSecret},
		service: "swf", region: "us-east-1", at: signTime,
	}
}

func (s signing) request(t testing.TB) *http.Request {
	t.Helper()
	r, err := http.NewRequest(s.method, s.url, strings.NewReader(s.body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/x-amz-json-1.0")
	r.Header.Set("X-Amz-Target", "SimpleWorkflowService.ListDomains")
	for k, v := range s.header {
		r.Header[k] = v
	}
	return r
}

func (s signing) hash() string {
	if s.payloadHash != "" {
		return s.payloadHash
	}
	return sha(s.body)
}

// sign returns the request as aws-sdk-go-v2 signs it, before it is sent.
func (s signing) sign(t testing.TB) *http.Request {
	t.Helper()
	r := s.request(t)
	if err := v4.NewSigner().SignHTTP(context.Background(), s.creds, r, s.hash(), s.service, s.region, s.at); err != nil {
		t.Fatal(err)
	}
	return r
}

// presign returns a request made from the URL and headers aws-sdk-go-v2's
// PresignHTTP gives, with X-Amz-Expires set when expires >= 0.
func (s signing) presign(t testing.TB, expires int) *http.Request {
	t.Helper()
	r := s.request(t)
	if expires >= 0 {
		q := r.URL.Query()
		q.Set("X-Amz-Expires", strconv.Itoa(expires))
		r.URL.RawQuery = q.Encode()
	}
	uri, header, err := v4.NewSigner().PresignHTTP(context.Background(), s.creds, r, s.hash(), s.service, s.region, s.at)
	if err != nil {
		t.Fatal(err)
	}
	out, err := http.NewRequest(s.method, uri, strings.NewReader(s.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		if k != "Host" {
			out.Header[k] = v
		}
	}
	return out
}

// overWire returns r as an http.Server hands it to a handler: Host moved to
// r.Host, Content-Length in the header, RequestURI set.
func overWire(t testing.TB, r *http.Request) *http.Request {
	t.Helper()
	var buf bytes.Buffer
	if err := r.Write(&buf); err != nil {
		t.Fatal(err)
	}
	sr, err := http.ReadRequest(bufio.NewReader(&buf))
	if err != nil {
		t.Fatal(err)
	}
	return sr
}

// check fails t unless err is an *Error with code ("" for success) and, if
// msg is not empty, that message.
func check(t *testing.T, id string, err error, code, msg string) {
	t.Helper()
	if code == "" {
		if err != nil || id != testKey {
			t.Fatalf("Verify = %q, %v; want %q, nil", id, err, testKey)
		}
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Verify = %q, %v; want *Error %s", id, err, code)
	}
	if id != "" || e.Code != code || msg != "" && e.Message != msg {
		t.Fatalf("Verify = %q, %v;\nwant code %s, message %q", id, err, code, msg)
	}
}

func TestVerifySDKSignatures(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*signing)
	}{
		{"swf call", func(*signing) {}},
		{"empty body", func(s *signing) { s.body = "" }},
		{"GET", func(s *signing) { s.method, s.body = http.MethodGet, "" }},
		{"query", func(s *signing) {
			s.url += "?b=2&a=1&a=0&a-=x&sp=a%20b&plus=a+b&slash=%2F~&empty=&bare&%C3%A9=%E2%82%AC"
		}},
		{"escaped path", func(s *signing) { s.url = "https://swf.us-east-1.amazonaws.com/a%20b/c%2Fd/%C3%A9/~x;y=1,z*('!)" }},
		{"unnormalized path", func(s *signing) { s.url = "https://swf.us-east-1.amazonaws.com/a//b/./c/../d/" }},
		{"port", func(s *signing) { s.url = "http://127.0.0.1:8080/" }},
		{"default port", func(s *signing) { s.url = "https://swf.us-east-1.amazonaws.com:443/" }},
		{"repeated and spaced header", func(s *signing) {
			s.header = http.Header{"X-Custom": {"  a   b  c ", "d"}}
		}},
		{"payload hash header", func(s *signing) {
			s.header = http.Header{"X-Amz-Content-Sha256": {sha(testBody)}}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := defaults()
			tc.edit(&s)
			v := newVerifier()
			now := signTime.Add(time.Minute)
			id, err := v.Verify(s.sign(t), []byte(s.body), now)
			check(t, id, err, "", "")
			id, err = v.Verify(overWire(t, s.sign(t)), []byte(s.body), now)
			check(t, id, err, "", "")
		})
	}
}

// resign signs the request again, as aws-sdk-go-v2 signs it after before
// changes it, then applies after: a header changed or added after signing
// is one the signature does not cover.
func resign(before, after func(*http.Request)) func(*http.Request, *string) {
	return func(r *http.Request, body *string) {
		s := defaults()
		req, _ := http.NewRequest(s.method, s.url, strings.NewReader(s.body))
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		req.Header.Set("X-Amz-Target", "SimpleWorkflowService.ListDomains")
		before(req)
		if err := v4.NewSigner().SignHTTP(context.Background(), s.creds, req, s.hash(), s.service, s.region, s.at); err != nil {
			panic(err)
		}
		r.Header = req.Header.Clone()
		after(r)
	}
}

// editAuth rewrites the Authorization header.
func editAuth(f func(string) string) func(*http.Request, *string) {
	return func(r *http.Request, _ *string) { r.Header.Set("Authorization", f(r.Header.Get("Authorization"))) }
}

// authParts splits a signed request's Authorization header into its credential,
// signed headers and signature.
var authParts = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=(\S+), SignedHeaders=(\S+), Signature=(\S+)$`)

func reauth(f func(cred, signed, sig string) string) func(*http.Request, *string) {
	return editAuth(func(a string) string {
		m := authParts.FindStringSubmatch(a)
		return f(m[1], m[2], m[3])
	})
}

func TestVerifyFailures(t *testing.T) {
	const (
		expired = "Signature expired: 20261206T100000Z is now earlier than 20261206T100001Z (20261206T101501Z - 15 min.)"
		future  = "Signature not yet current: 20261206T100000Z is still later than 20261206T095959Z (20261206T094459Z + 15 min.)"
	)
	for _, tc := range []struct {
		name string
		sign func(*signing)
		edit func(r *http.Request, body *string) // over the wire
		v    func(*Verifier)
		now  time.Duration // after signTime
		code string        // "" for success
		msg  string        // "" to leave unchecked
	}{
		{name: "untouched"},
		{name: "unsigned header changed", edit: func(r *http.Request, _ *string) { r.Header.Set("User-Agent", "x") }},
		{name: "tampered body", edit: func(_ *http.Request, b *string) { *b = `{"registrationStatus":"DEPRECATED"}` },
			code: CodeInvalidSignature, msg: msgMismatch},
		{name: "tampered signed header", edit: func(r *http.Request, _ *string) {
			r.Header.Set("X-Amz-Target", "SimpleWorkflowService.DeprecateDomain")
		}, code: CodeInvalidSignature, msg: msgMismatch},
		{name: "signed header removed", edit: func(r *http.Request, _ *string) { r.Header.Del("Content-Type") },
			code: CodeInvalidSignature},
		{name: "tampered host", edit: func(r *http.Request, _ *string) { r.Host = "evil.example.com" },
			code: CodeInvalidSignature},
		{name: "tampered path", edit: func(r *http.Request, _ *string) { r.RequestURI, r.URL.Path = "/x", "/x" },
			code: CodeInvalidSignature},
		{name: "tampered query", sign: func(s *signing) { s.url += "?a=1" },
			edit: func(r *http.Request, _ *string) { r.URL.RawQuery = "a=2" }, code: CodeInvalidSignature},
		{name: "added query", edit: func(r *http.Request, _ *string) { r.URL.RawQuery = "a=1" }, code: CodeInvalidSignature},
		{name: "wrong secret", sign: func(s *signing) { s.creds.SecretAccessKey = "guess" },
			code: CodeInvalidSignature, msg: msgMismatch},
		{name: "other key's secret", sign: func(s *signing) { s.creds.AccessKeyID = "AKIDOTHER" },
			code: CodeInvalidSignature, msg: msgMismatch},
		{name: "unknown key", sign: func(s *signing) { s.creds.AccessKeyID = "AKIDUNKNOWN" },
			code: CodeUnrecognizedClient, msg: "The security token included in the request is invalid."},
		{name: "no Secret func", v: func(v *Verifier) { v.Secret = nil }, code: CodeUnrecognizedClient},
		{name: "wrong region", sign: func(s *signing) { s.region = "eu-west-1" },
			code: CodeInvalidSignature, msg: "Credential should be scoped to a valid region. "},
		{name: "any region", sign: func(s *signing) { s.region = "eu-west-1" }, v: func(v *Verifier) { v.Region = "" }},
		{name: "wrong service", sign: func(s *signing) { s.service = "sqs" },
			code: CodeInvalidSignature, msg: "Credential should be scoped to correct service: 'swf'. "},
		{name: "old at the limit", now: 15 * time.Minute},
		{name: "too old", now: 15*time.Minute + time.Second, code: CodeInvalidSignature, msg: expired},
		{name: "too old by a nanosecond", now: 15*time.Minute + 1, code: CodeInvalidSignature},
		{name: "new at the limit", now: -15 * time.Minute},
		{name: "too new", now: -15*time.Minute - time.Second, code: CodeInvalidSignature, msg: future},
		{name: "MaxSkew", v: func(v *Verifier) { v.MaxSkew = time.Minute }, now: 61 * time.Second, code: CodeInvalidSignature,
			msg: "Signature expired: 20261206T100000Z is now earlier than 20261206T100001Z (20261206T100101Z - 1 min.)"},
		{name: "scope date mismatch", edit: editAuth(func(a string) string { return strings.Replace(a, "/20261206/", "/20261205/", 1) }),
			code: CodeInvalidSignature,
			msg:  "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261205' != '20261206', from '20261206T100000Z'."},
		{name: "host not signed", edit: editAuth(func(a string) string { return strings.Replace(a, ";host;", ";", 1) }),
			code: CodeIncompleteSignature, msg: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "no Authorization", edit: func(r *http.Request, _ *string) { r.Header.Del("Authorization") },
			code: CodeMissingAuthenticationToken, msg: "Request is missing Authentication Token"},
		{name: "empty Authorization", edit: editAuth(func(string) string { return "" }), code: CodeMissingAuthenticationToken},
		{name: "other algorithm", edit: editAuth(func(a string) string { return strings.Replace(a, "SHA256", "SHA512", 1) }),
			code: CodeMissingAuthenticationToken},
		{name: "bearer token", edit: editAuth(func(string) string { return "Bearer abc" }), code: CodeMissingAuthenticationToken},
		{name: "algorithm alone", edit: editAuth(func(string) string { return "AWS4-HMAC-SHA256" }), code: CodeIncompleteSignature},
		{name: "two Authorization headers", edit: func(r *http.Request, _ *string) { r.Header.Add("Authorization", r.Header.Get("Authorization")) },
			code: CodeIncompleteSignature},
		{name: "whitespace variations", edit: reauth(func(c, h, s string) string {
			return "AWS4-HMAC-SHA256   Credential=" + c + " ,SignedHeaders=" + h + ",\t Signature=" + s + "  "
		})},
		{name: "components reordered", edit: reauth(func(c, h, s string) string {
			return "AWS4-HMAC-SHA256 Signature=" + s + ", Credential=" + c + ", SignedHeaders=" + h
		})},
		{name: "upper-case signature", edit: reauth(func(c, h, s string) string {
			return "AWS4-HMAC-SHA256 Credential=" + c + ", SignedHeaders=" + h + ", Signature=" + strings.ToUpper(s)
		})},
		{name: "no Credential", edit: reauth(func(c, h, s string) string {
			return "AWS4-HMAC-SHA256 SignedHeaders=" + h + ", Signature=" + s
		}), code: CodeIncompleteSignature},
		{name: "no SignedHeaders", edit: reauth(func(c, h, s string) string {
			return "AWS4-HMAC-SHA256 Credential=" + c + ", Signature=" + s
		}), code: CodeIncompleteSignature},
		{name: "no Signature", edit: reauth(func(c, h, s string) string {
			return "AWS4-HMAC-SHA256 Credential=" + c + ", SignedHeaders=" + h
		}), code: CodeIncompleteSignature},
		{name: "no equal sign", edit: editAuth(func(a string) string { return a + ", junk" }), code: CodeIncompleteSignature},
		{name: "unknown component", edit: editAuth(func(a string) string { return a + ", Foo=bar" }), code: CodeIncompleteSignature},
		{name: "duplicate component", edit: editAuth(func(a string) string { return a + ", Signature=00" }), code: CodeIncompleteSignature},
		{name: "credential of 4 parts", edit: editAuth(func(a string) string { return strings.Replace(a, "/aws4_request", "", 1) }),
			code: CodeIncompleteSignature},
		{name: "credential of 6 parts", edit: editAuth(func(a string) string { return strings.Replace(a, "/aws4_request", "/aws4_request/x", 1) }),
			code: CodeIncompleteSignature},
		{name: "empty key id", edit: editAuth(func(a string) string { return strings.Replace(a, testKey, "", 1) }),
			code: CodeIncompleteSignature},
		{name: "bad terminator", edit: editAuth(func(a string) string { return strings.Replace(a, "aws4_request", "aws5_request", 1) }),
			code: CodeInvalidSignature, msg: "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. "},
		{name: "non-hex signature", edit: reauth(func(c, h, s string) string {
			return "AWS4-HMAC-SHA256 Credential=" + c + ", SignedHeaders=" + h + ", Signature=zz" + s[2:]
		}), code: CodeInvalidSignature},
		{name: "short signature", edit: reauth(func(c, h, s string) string {
			return "AWS4-HMAC-SHA256 Credential=" + c + ", SignedHeaders=" + h + ", Signature=" + s[:62]
		}), code: CodeInvalidSignature},
		{name: "no date", edit: func(r *http.Request, _ *string) { r.Header.Del("X-Amz-Date") }, code: CodeIncompleteSignature},
		{name: "extended ISO 8601 date", edit: func(r *http.Request, _ *string) { r.Header.Set("X-Amz-Date", "2026-12-06T10:00:00Z") },
			code: CodeIncompleteSignature},
		{name: "fractional date", edit: func(r *http.Request, _ *string) { r.Header.Set("X-Amz-Date", "20261206T100000.0Z") },
			code: CodeIncompleteSignature},
		{name: "bad Date header", edit: func(r *http.Request, _ *string) { r.Header.Del("X-Amz-Date"); r.Header.Set("Date", "yesterday") },
			code: CodeIncompleteSignature},
		{name: "date moved within the day", edit: func(r *http.Request, _ *string) { r.Header.Set("X-Amz-Date", "20261206T100001Z") },
			code: CodeInvalidSignature, msg: msgMismatch},
		{name: "payload hash header mismatch", sign: func(s *signing) {
			s.header = http.Header{"X-Amz-Content-Sha256": {sha(testBody)}}
		}, edit: func(_ *http.Request, b *string) { *b = "{}" }, code: CodeInvalidSignature,
			msg: "The provided 'x-amz-content-sha256' header does not match what was computed."},
		{name: "payload hash of another body", sign: func(s *signing) {
			s.header = http.Header{"X-Amz-Content-Sha256": {sha("{}")}}
			s.payloadHash = sha("{}")
		}, code: CodeInvalidSignature, msg: "The provided 'x-amz-content-sha256' header does not match what was computed."},
		{name: "payload hash header garbage", sign: func(s *signing) {
			s.header = http.Header{"X-Amz-Content-Sha256": {"STREAMING-AWS4-HMAC-SHA256-PAYLOAD"}}
			s.payloadHash = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
		}, code: CodeInvalidSignature},
		// A signature must cover the operation and the body.
		{name: "unsigned payload", sign: func(s *signing) {
			s.header = http.Header{"X-Amz-Content-Sha256": {"UNSIGNED-PAYLOAD"}}
			s.payloadHash = "UNSIGNED-PAYLOAD"
		}, edit: func(_ *http.Request, b *string) { *b = "{}" }, code: CodeInvalidSignature,
			msg: msgMismatch + " (UNSIGNED-PAYLOAD is not accepted: sign the SHA-256 of the body.)"},
		{name: "target not signed", edit: resign(func(r *http.Request) { r.Header.Del("X-Amz-Target") }, func(r *http.Request) {
			r.Header.Set("X-Amz-Target", "SimpleWorkflowService.DeprecateDomain")
		}), code: CodeIncompleteSignature, msg: "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "payload hash not signed", edit: resign(func(r *http.Request) {}, func(r *http.Request) {
			r.Header.Set("X-Amz-Content-Sha256", sha(testBody))
		}), code: CodeIncompleteSignature},
		{name: "target signed, not required", v: func(v *Verifier) { v.Required = nil },
			edit: resign(func(r *http.Request) { r.Header.Del("X-Amz-Target") }, func(r *http.Request) {
				r.Header.Set("X-Amz-Target", "SimpleWorkflowService.DeprecateDomain")
			})},
		// No sessions are issued, so no session token is valid.
		{name: "session token", sign: func(s *signing) { s.creds.SessionToken = "token" },
			code: CodeUnrecognizedClient, msg: "The security token included in the request is invalid."},
		{name: "session token added", edit: func(r *http.Request, _ *string) { r.Header.Set("X-Amz-Security-Token", "other") },
			code: CodeUnrecognizedClient},
		{name: "header and query signature", edit: func(r *http.Request, _ *string) { r.URL.RawQuery = "X-Amz-Algorithm=AWS4-HMAC-SHA256" },
			code: CodeIncompleteSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := defaults()
			if tc.sign != nil {
				tc.sign(&s)
			}
			r, body := overWire(t, s.sign(t)), s.body
			if tc.edit != nil {
				tc.edit(r, &body)
			}
			v := newVerifier()
			if tc.v != nil {
				tc.v(v)
			}
			id, err := v.Verify(r, []byte(body), signTime.Add(tc.now))
			check(t, id, err, tc.code, tc.msg)
		})
	}
}

func TestVerifyPresigned(t *testing.T) {
	editQuery := func(f func(q map[string][]string)) func(*http.Request) {
		return func(r *http.Request) {
			q := r.URL.Query()
			f(q)
			r.URL.RawQuery = q.Encode()
		}
	}
	for _, tc := range []struct {
		name    string
		sign    func(*signing)
		expires int // -1 for none
		edit    func(*http.Request)
		tamper  bool // verify against another body
		now     time.Duration
		code    string
		msg     string
	}{
		{name: "expires", expires: 300, now: time.Minute},
		{name: "expires at the limit", expires: 300, now: 5 * time.Minute},
		{name: "expired", expires: 300, now: 5*time.Minute + time.Second, code: CodeInvalidSignature,
			msg: "Signature expired: 20261206T100000Z is now earlier than 20261206T100001Z (20261206T100501Z - 5 min.)"},
		{name: "long expiry", expires: 604800, now: 6 * 24 * time.Hour},
		{name: "not yet current", expires: 300, now: -16 * time.Minute, code: CodeInvalidSignature},
		{name: "no expiry", expires: -1, now: 15 * time.Minute},
		{name: "no expiry, too old", expires: -1, now: 16 * time.Minute, code: CodeInvalidSignature},
		{name: "GET", sign: func(s *signing) { s.method, s.body = http.MethodGet, "" }, expires: 60},
		{name: "query", sign: func(s *signing) { s.url += "?Action=ListDomains&a=b%20c" }, expires: 60},
		{name: "session token", sign: func(s *signing) { s.creds.SessionToken = "token/+=" }, expires: 60,
			code: CodeUnrecognizedClient},
		{name: "tampered hoisted header", expires: 60, edit: editQuery(func(q map[string][]string) {
			q["X-Amz-Target"] = []string{"SimpleWorkflowService.DeprecateDomain"}
		}), code: CodeInvalidSignature, msg: msgMismatch},
		{name: "tampered signature", expires: 60, edit: editQuery(func(q map[string][]string) {
			q["X-Amz-Signature"] = []string{strings.Repeat("0", 64)}
		}), code: CodeInvalidSignature},
		{name: "tampered body", expires: 60, tamper: true, code: CodeInvalidSignature},
		{name: "no credential", expires: 60, edit: editQuery(func(q map[string][]string) { delete(q, "X-Amz-Credential") }),
			code: CodeIncompleteSignature},
		{name: "no date", expires: 60, edit: editQuery(func(q map[string][]string) { delete(q, "X-Amz-Date") }),
			code: CodeIncompleteSignature},
		{name: "no algorithm", expires: 60, edit: editQuery(func(q map[string][]string) { delete(q, "X-Amz-Algorithm") }),
			code: CodeIncompleteSignature},
		{name: "other algorithm", expires: 60, edit: editQuery(func(q map[string][]string) { q["X-Amz-Algorithm"] = []string{"AWS4-ECDSA-P256-SHA256"} }),
			code: CodeMissingAuthenticationToken},
		{name: "two dates", expires: 60, edit: editQuery(func(q map[string][]string) { q["X-Amz-Date"] = append(q["X-Amz-Date"], "20261206T100000Z") }),
			code: CodeIncompleteSignature},
		{name: "negative expiry", expires: 60, edit: editQuery(func(q map[string][]string) { q["X-Amz-Expires"] = []string{"-1"} }),
			code: CodeIncompleteSignature},
		{name: "expiry over a week", expires: 60, edit: editQuery(func(q map[string][]string) { q["X-Amz-Expires"] = []string{"604801"} }),
			code: CodeIncompleteSignature},
		{name: "host not signed", expires: 60, edit: editQuery(func(q map[string][]string) { q["X-Amz-SignedHeaders"] = []string{"content-type"} }),
			code: CodeIncompleteSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := defaults()
			if tc.sign != nil {
				tc.sign(&s)
			}
			r := s.presign(t, tc.expires)
			body := s.body
			if tc.tamper {
				body = "{}"
			}
			if tc.edit != nil {
				tc.edit(r)
			}
			if r.Header.Get("Authorization") != "" {
				t.Fatal("presigned request has an Authorization header")
			}
			v := newVerifier()
			// aws-sdk-go-v2 hoists X-Amz-* headers into the signed query.
			v.AllowPresigned, v.Required = true, nil
			id, err := v.Verify(r, []byte(body), signTime.Add(tc.now))
			check(t, id, err, tc.code, tc.msg)
			id, err = v.Verify(overWire(t, r), []byte(body), signTime.Add(tc.now))
			check(t, id, err, tc.code, tc.msg)
		})
	}
}

// TestAWSTestSuite checks requests of AWS's own SigV4 test suite (the 2011
// edition that botocore ships), which are signed with a Date header rather
// than X-Amz-Date and, for the paths, normalized as boto3 signs them.
func TestAWSTestSuite(t *testing.T) {
	const auth = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20110909/us-east-1/host/aws4_request, SignedHeaders="
	for _, tc := range []struct{ name, head, signed, sig string }{
		{"get-relative-relative", "GET /foo/bar/../.. HTTP/1.1\n", "date;host", "b27ccfbfa7df52a200ff74193ca6e32d4b48b8856fab7ebf1c595d0670a7e470"},
		{"get-slashes", "GET //foo// HTTP/1.1\n", "date;host", "b00392262853cfe3201e47ccf945601079e9b8a7f51ee4c3d9ee4f187aa9bf19"},
		{"get-slash-pointless-dot", "GET /./foo HTTP/1.1\n", "date;host", "910e4d6c9abafaf87898e1eb4c929135782ea25bb0279703146455745391e63a"},
		{"get-unreserved", "GET /-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz HTTP/1.1\n", "date;host", "830cc36d03f0f84e6ee4953fbe701c1c8b71a0372c63af9255aa364dd183281e"},
		{"get-vanilla-query-order-key-case", "GET /?foo=Zoo&foo=aha HTTP/1.1\n", "date;host", "be7148d34ebccdc6423b19085378aa0bee970bdc61d144bd1a8c48c33079ab09"},
		{"get-header-value-trim", "POST / HTTP/1.1\np: phfft \n", "date;host;p", "debf546796015d6f6ded8626f5ce98597c33b47b9164cf6b17b4642036fcb592"},
		{"post-header-key-sort", "POST / HTTP/1.1\nZOO:zoobar\n", "date;host;zoo", "b7a95a52518abbca0964a999a880429ab734f35ebbf1235bd79a5de87756dc4a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := tc.head + "DATE:Mon, 09 Sep 2011 23:36:00 GMT\nhost:host.foo.com\n" +
				"Authorization: " + auth + tc.signed + ", Signature=" + tc.sig + "\n\n"
			r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(strings.ReplaceAll(raw, "\n", "\r\n"))))
			if err != nil {
				t.Fatal(err)
			}
			v := &Verifier{Service: "host", Region: "us-east-1", Secret: func(id string) (string, bool) {
				return testSecret, id == "AKIDEXAMPLE"
			}}
			now := time.Date(2011, 9, 9, 23, 40, 0, 0, time.UTC)
			id, err := v.Verify(r, nil, now)
			if err != nil || id != "AKIDEXAMPLE" {
				t.Fatalf("Verify = %q, %v", id, err)
			}
			r.Header.Set("Date", "Mon, 09 Sep 2011 23:36:01 GMT")
			if _, err := v.Verify(r, nil, now); err == nil {
				t.Fatal("Verify accepted a changed Date")
			}
		})
	}
}

func TestVerifyConcurrently(t *testing.T) {
	v := newVerifier()
	r := overWire(t, defaults().sign(t))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if _, err := v.Verify(r, []byte(testBody), signTime); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestSigningKeyCacheIsBounded(t *testing.T) {
	v := newVerifier()
	first := v.signingKey(keyID{testSecret, "20261206", "us-east-1", "swf"})
	for i := range 3 * maxCachedKeys {
		v.signingKey(keyID{testSecret, "20261206", fmt.Sprint("region-", i), "swf"})
		if len(v.keys) > maxCachedKeys {
			t.Fatalf("%d keys cached", len(v.keys))
		}
	}
	if again := v.signingKey(keyID{testSecret, "20261206", "us-east-1", "swf"}); !bytes.Equal(first, again) {
		t.Fatal("signing key changed")
	}
}

func TestErrorString(t *testing.T) {
	e := &Error{Code: CodeInvalidSignature, Message: "no"}
	if got := e.Error(); got != "InvalidSignatureException: no" {
		t.Fatalf("Error() = %q", got)
	}
}

func FuzzVerify(f *testing.F) {
	base := overWire(f, defaults().sign(f))
	auth, date := base.Header.Get("Authorization"), base.Header.Get("X-Amz-Date")
	sig := auth[strings.LastIndex(auth, "=")+1:]
	f.Add(auth, date, testBody)
	f.Add(strings.ReplaceAll(auth, ", ", " , "), date, testBody)
	f.Add(strings.Replace(auth, sig, strings.Repeat("0", 64), 1), date, testBody)
	f.Add(auth, "20261206T100001Z", testBody)
	f.Add(auth, date, "")
	f.Add("AWS4-HMAC-SHA256 Credential=AKIDOPENSWFTEST/20261206/us-east-1/swf/aws4_request, SignedHeaders=host, Signature=00", date, "")
	f.Add("AWS4-HMAC-SHA256 Credential=////, SignedHeaders=;;, Signature=zz", "20261206T100000Z", "x")
	f.Add("AWS4-HMAC-SHA256 ,,,==", "", "")
	f.Add("", "", "")
	v := newVerifier()
	f.Fuzz(func(t *testing.T, auth, date, body string) {
		r := base.Clone(context.Background())
		r.Header.Set("Authorization", auth)
		r.Header.Set("X-Amz-Date", date)
		id, err := v.Verify(r, []byte(body), signTime)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || id != "" {
				t.Fatalf("Verify = %q, %v (%T)", id, err, err)
			}
			switch e.Code {
			case CodeMissingAuthenticationToken, CodeIncompleteSignature, CodeInvalidSignature, CodeUnrecognizedClient:
			default:
				t.Fatalf("unknown code %q", e.Code)
			}
			return
		}
		// Only the genuine signature over the genuine date and body may pass.
		if id != testKey || date != base.Header.Get("X-Amz-Date") || body != testBody || !strings.Contains(strings.ToLower(auth), sig) {
			t.Fatalf("Verify accepted Authorization %q, X-Amz-Date %q, body %q", auth, date, body)
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	v := newVerifier()
	r := overWire(b, defaults().sign(b))
	body := []byte(testBody)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(r, body, signTime); err != nil {
			b.Fatal(err)
		}
	}
}

// Presigned requests are refused unless the Verifier allows them.
func TestPresignedRefusedByDefault(t *testing.T) {
	r := defaults().presign(t, 60)
	id, err := newVerifier().Verify(r, []byte(testBody), signTime)
	check(t, id, err, CodeIncompleteSignature, "Presigned requests are not accepted here: sign the request with an Authorization header.")
}

// Begin checks what it can without the body, and its errors name the key
// the request claims (for audit logs).
func TestBeginNeedsNoBody(t *testing.T) {
	v := newVerifier()
	p, err := v.Begin(overWire(t, defaults().sign(t)), signTime)
	if err != nil || p.AccessKeyID() != testKey {
		t.Fatalf("Begin = %v, %v", p, err)
	}
	if id, err := p.Finish([]byte("{}")); err == nil || err.(*Error).AccessKeyID != testKey {
		t.Fatalf("Finish over another body = %q, %v", id, err)
	}
	s := defaults()
	s.creds.AccessKeyID = "AKIDUNKNOWN"
	_, err = v.Begin(overWire(t, s.sign(t)), signTime)
	if e, ok := err.(*Error); !ok || e.Code != CodeUnrecognizedClient || e.AccessKeyID != "AKIDUNKNOWN" {
		t.Fatalf("Begin with an unknown key = %v", err)
	}
}

// FuzzAuthorizationHeader feeds the Authorization header parser arbitrary
// headers: it never panics, and what it accepts has a five-part credential
// and the three components, each given once.
func FuzzAuthorizationHeader(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKID/20261206/us-east-1/swf/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=00ff")
	f.Add("AWS4-HMAC-SHA256   Signature=, Credential=a/b/c/d/, SignedHeaders=")
	f.Add("AWS4-HMAC-SHA256 Credential=////, SignedHeaders=;;, Signature=zz")
	f.Add("AWS4-HMAC-SHA256 ,,,==")
	f.Add("AWS4-HMAC-SHA256 Credential=a/b/c/d/e, Credential=a/b/c/d/e")
	f.Add("AWS4-HMAC-SHA256\tCredential=a")
	f.Add("Bearer x")
	f.Add("")
	f.Fuzz(func(t *testing.T, h string) {
		s, e := parseHeader(h)
		if (s == nil) == (e == nil) {
			t.Fatalf("parseHeader(%q) = %v, %v", h, s, e)
		}
		if e != nil {
			switch e.Code {
			case CodeMissingAuthenticationToken, CodeIncompleteSignature:
			default:
				t.Fatalf("parseHeader(%q): code %s", h, e.Code)
			}
			return
		}
		if !strings.HasPrefix(strings.TrimSpace(h), algorithm+" ") || s.key == "" || s.date == "" || s.region == "" || s.service == "" {
			t.Fatalf("parseHeader(%q) accepted %+v", h, s)
		}
		for _, k := range []string{"Credential=", "SignedHeaders=", "Signature="} {
			if strings.Count(h, k) < 1 {
				t.Fatalf("parseHeader(%q) accepted it without %s", h, k)
			}
		}
		if got := strings.Join([]string{s.key, s.date, s.region, s.service, s.term}, "/"); !strings.Contains(h, "Credential="+got) {
			t.Fatalf("parseHeader(%q): credential %q is not the one given", h, got)
		}
	})
}
