// Package sigv4 verifies AWS Signature Version 4 on incoming HTTP requests,
// so that a server can authenticate unmodified AWS SDK clients (aws-sdk-go-v2,
// boto3, the AWS CLI, the JavaScript SDK v3) with the access keys it knows.
//
// It follows AWS's documented algorithm
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html)
// for the rules of non-S3 services: the canonical URI is the request path
// escaped a second time, and a path with empty, "." or ".." segments is also
// tried in the normalized form that boto3 and the JavaScript SDK sign.
//
// A signature must cover the request: host and the headers a Verifier names
// (Required) must be signed, and so must x-amz-content-sha256 when it is
// sent; UNSIGNED-PAYLOAD is refused (as AWS's JSON services refuse it: the
// signature cannot match), so the body is always covered.
// Presigned query strings are refused unless AllowPresigned, and a session
// token (X-Amz-Security-Token) always, as no temporary credentials are
// issued. Begin checks all that can be checked without the body, so that a
// server reads bodies only of requests that could be genuine. Failures
// carry the error codes and, as far as they are known, the messages AWS
// answers with, so that SDKs surface them the way they do against AWS.
package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The error codes of a failed verification, as AWS names them.
const (
	// CodeMissingAuthenticationToken: the request carries no SigV4 signature
	// at all (no Authorization header, no X-Amz-Algorithm query parameter),
	// or one of another algorithm.
	CodeMissingAuthenticationToken = "MissingAuthenticationTokenException"
	// CodeIncompleteSignature: the signature is malformed: a component is
	// missing, the credential is not key/date/region/service/terminator, the
	// date is missing or malformed, or 'host' is not signed.
	CodeIncompleteSignature = "IncompleteSignatureException"
	// CodeInvalidSignature: the signature is well-formed but wrong: it does
	// not match, the credential scope names another service, region or date,
	// the request is too old or too new, or x-amz-content-sha256 does not
	// match the body.
	CodeInvalidSignature = "InvalidSignatureException"
	// CodeUnrecognizedClient: the access key id is unknown.
	CodeUnrecognizedClient = "UnrecognizedClientException"
)

const (
	algorithm       = "AWS4-HMAC-SHA256"
	terminator      = "aws4_request"
	iso8601         = "20060102T150405Z"
	yyyymmdd        = "20060102"
	unsignedPayload = "UNSIGNED-PAYLOAD"
	defaultSkew     = 15 * time.Minute
	maxExpires      = 7 * 24 * 60 * 60 // seconds; AWS's limit on X-Amz-Expires
	maxCachedKeys   = 1024

	msgMismatch = "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)

// Error is a failed verification, with the AWS error code clients expect, so
// that a server can answer it as {"__type": Code, "message": Message}.
type Error struct {
	Code    string // one of the Code* constants
	Message string // human-readable detail, worded like AWS's where known
	// AccessKeyID is the key the request claimed, when its credential
	// could be read: for audit logs (it is not secret).
	AccessKeyID string
}

// Error returns the code and the message.
func (e *Error) Error() string { return e.Code + ": " + e.Message }

func fail(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Verifier checks SigV4 signatures of requests to one service. Its fields
// must be set before the first Verify and not changed afterwards; Verify is
// safe for concurrent use. A Verifier must not be copied after first use.
type Verifier struct {
	Service string        // signing name the credential scope must name, e.g. "swf"
	Region  string        // region the scope must name; "" accepts any region
	MaxSkew time.Duration // how far X-Amz-Date may be from now; 0 means 15 minutes (AWS's)
	// Secret returns the secret access key of an access key id; ok=false when the key is unknown.
	Secret func(accessKeyID string) (secret string, ok bool)
	// Required names headers (lower-case) that every signature must cover
	// besides host, such as x-amz-target: the operation of a JSON API, which
	// an unsigned header would let anyone who saw a request change.
	Required []string
	// AllowPresigned accepts signatures in the query string (presigned
	// URLs). Without it they are refused: a presigned URL is a bearer token
	// for as long as it lives, which an API called by SDKs never needs.
	AllowPresigned bool

	mu   sync.Mutex
	keys map[keyID][]byte // derived signing keys, so that most requests cost one HMAC
}

// keyID names a derived signing key.
type keyID struct{ secret, date, region, service string }

// signature is what a request claims about its signing, from the
// Authorization header or the presigned query string.
type signature struct {
	key, date, region, service, term string   // the credential
	signedHeaders                    []string // lower-case names, as listed
	sig                              string   // hex
	amzDate                          string   // X-Amz-Date, from the query or the header
	expires                          string   // X-Amz-Expires, presigned only
	presigned                        bool
}

// Verify checks r's signature over body (the whole request body, already read) at time now
// and returns the access key id that signed it. Errors are *Error.
//
// r is a request as an http.Server hands it over (or as http.NewRequest
// builds it): the path is taken from r.RequestURI when set, else from r.URL;
// the host from r.Host, else r.URL.Host; a signed Content-Length missing from
// r.Header from r.ContentLength.
func (v *Verifier) Verify(r *http.Request, body []byte, now time.Time) (accessKeyID string, err error) {
	p, err := v.Begin(r, now)
	if err != nil {
		return "", err
	}
	return p.Finish(body)
}

// Pending is a request whose signature has passed every check that does not
// need the body: well-formed, of a known key, scoped to the service and
// region, dated within the allowed skew, signing what must be signed. A
// server reads the body only then, so that strangers cannot make it read
// (and hold) bodies, and calls Finish.
type Pending struct {
	v           *Verifier
	r           *http.Request
	s           *signature
	amzDate     string
	secret      string
	payloadHash string // the x-amz-content-sha256 header, if any
}

// Begin checks everything about r's signature at time now that can be
// checked without its body. Errors are *Error; those found after the
// credential was read name its access key id.
func (v *Verifier) Begin(r *http.Request, now time.Time) (*Pending, error) {
	s, e := parseSignature(r)
	if e != nil {
		return nil, e
	}
	p, e := v.begin(r, s, now)
	if e != nil {
		e.AccessKeyID = s.key
		return nil, e
	}
	return p, nil
}

func (v *Verifier) begin(r *http.Request, s *signature, now time.Time) (*Pending, *Error) {
	if s.presigned && !v.AllowPresigned {
		return nil, fail(CodeIncompleteSignature, "Presigned requests are not accepted here: sign the request with an Authorization header.")
	}
	if r.Header.Get("X-Amz-Security-Token") != "" || r.URL.Query().Has("X-Amz-Security-Token") {
		// No temporary credentials are issued, so no session token is
		// valid: AWS's answer to one it does not know.
		return nil, fail(CodeUnrecognizedClient, "The security token included in the request is invalid.")
	}

	t, amzDate, e := requestTime(r, s)
	if e != nil {
		return nil, e
	}
	if e := v.checkSignedHeaders(r, s); e != nil {
		return nil, e
	}

	switch {
	case s.term != terminator:
		return nil, fail(CodeInvalidSignature, "Credential should be scoped with a valid terminator: '%s', not '%s'. ", terminator, s.term)
	case s.service != v.Service:
		return nil, fail(CodeInvalidSignature, "Credential should be scoped to correct service: '%s'. ", v.Service)
	case v.Region != "" && s.region != v.Region:
		return nil, fail(CodeInvalidSignature, "Credential should be scoped to a valid region. ")
	case s.date != t.Format(yyyymmdd):
		return nil, fail(CodeInvalidSignature, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.", s.date, t.Format(yyyymmdd), amzDate)
	}

	if e := v.checkTime(s, t, now); e != nil {
		return nil, e
	}

	secret, ok := "", false
	if v.Secret != nil {
		secret, ok = v.Secret(s.key)
	}
	if !ok {
		return nil, fail(CodeUnrecognizedClient, "The security token included in the request is invalid.")
	}
	h := r.Header.Get("X-Amz-Content-Sha256")
	if h == unsignedPayload {
		// AWS's JSON services sign the body's hash whatever the header
		// says, so such a signature never matches there: the same answer,
		// with the reason.
		return nil, fail(CodeInvalidSignature, msgMismatch+" (UNSIGNED-PAYLOAD is not accepted: sign the SHA-256 of the body.)")
	}
	return &Pending{v: v, r: r, s: s, amzDate: amzDate, secret: secret, payloadHash: h}, nil
}

// checkSignedHeaders refuses a signature that leaves out a header it must
// cover: host, the Verifier's Required ones, and x-amz-content-sha256 when
// the request has it.
func (v *Verifier) checkSignedHeaders(r *http.Request, s *signature) *Error {
	if !slices.Contains(s.signedHeaders, "host") {
		return fail(CodeIncompleteSignature, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}
	for _, name := range v.Required {
		if !slices.Contains(s.signedHeaders, name) {
			return fail(CodeIncompleteSignature, "'%s' must be a 'SignedHeader' in the AWS Authorization.", http.CanonicalHeaderKey(name))
		}
	}
	if r.Header.Get("X-Amz-Content-Sha256") != "" && !slices.Contains(s.signedHeaders, "x-amz-content-sha256") {
		return fail(CodeIncompleteSignature, "'X-Amz-Content-Sha256' must be a 'SignedHeader' in the AWS Authorization when it is sent.")
	}
	return nil
}

// AccessKeyID is the access key the request claims to be signed with.
func (p *Pending) AccessKeyID() string { return p.s.key }

// Finish checks the signature over body, the whole request body, and
// returns the access key id that signed it. Errors are *Error, naming the
// access key id.
func (p *Pending) Finish(body []byte) (accessKeyID string, err error) {
	if e := p.finish(body); e != nil {
		e.AccessKeyID = p.s.key
		return "", e
	}
	return p.s.key, nil
}

func (p *Pending) finish(body []byte) *Error {
	r, s := p.r, p.s
	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])
	if h := p.payloadHash; h != "" {
		if !strings.EqualFold(h, payloadHash) {
			return fail(CodeInvalidSignature, "The provided 'x-amz-content-sha256' header does not match what was computed.")
		}
		payloadHash = h
	}

	want, err := hex.DecodeString(s.sig)
	if err != nil {
		return fail(CodeInvalidSignature, msgMismatch)
	}
	key := p.v.signingKey(keyID{p.secret, s.date, s.region, s.service})
	scope := s.date + "/" + s.region + "/" + s.service + "/" + terminator
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	rest := "\n" + canonicalQuery(r.URL.RawQuery, s.presigned) + "\n" +
		canonicalHeaders(r, s.signedHeaders, len(body)) + "\n" +
		strings.Join(s.signedHeaders, ";") + "\n" + payloadHash

	// The path as it came, which is what aws-sdk-go-v2 signs, then normalized
	// as boto3 and the JavaScript SDK sign it.
	paths := []string{requestPath(r)}
	if n := normalizePath(paths[0]); n != paths[0] {
		paths = append(paths, n)
	}
	for _, path := range paths {
		creq := sha256.Sum256([]byte(method + "\n" + uriEncode(path, true) + rest))
		sts := algorithm + "\n" + p.amzDate + "\n" + scope + "\n" + hex.EncodeToString(creq[:])
		if hmac.Equal(hmacSHA256(key, sts), want) {
			return nil
		}
	}
	return fail(CodeInvalidSignature, msgMismatch)
}

// requestTime returns when r says it was signed, from X-Amz-Date or else the
// Date header, and the form of it that went into the string to sign.
func requestTime(r *http.Request, s *signature) (time.Time, string, *Error) {
	if s.amzDate == "" && !s.presigned {
		d := r.Header.Get("Date")
		if d == "" {
			return time.Time{}, "", fail(CodeIncompleteSignature, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
		}
		t, err := http.ParseTime(d)
		if err != nil {
			return time.Time{}, "", fail(CodeIncompleteSignature, "Date must be in RFC 1123 format. Got '%s'.", d)
		}
		return t.UTC(), t.UTC().Format(iso8601), nil
	}
	t, err := time.Parse(iso8601, s.amzDate)
	if err != nil || t.Format(iso8601) != s.amzDate { // no fractions, no other layouts
		return time.Time{}, "", fail(CodeIncompleteSignature, "Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", s.amzDate)
	}
	return t, s.amzDate, nil
}

// checkTime refuses a request signed at t that is too old or too new at now:
// beyond MaxSkew either way, or for a presigned request with X-Amz-Expires,
// older than that many seconds.
func (v *Verifier) checkTime(s *signature, t, now time.Time) *Error {
	skew := v.MaxSkew
	if skew <= 0 {
		skew = defaultSkew
	}
	window := skew
	if s.expires != "" {
		n, err := strconv.Atoi(s.expires)
		switch {
		case err != nil || n < 0:
			return fail(CodeIncompleteSignature, "X-Amz-Expires must be non-negative")
		case n > maxExpires:
			return fail(CodeIncompleteSignature, "X-Amz-Expires must be less than a week (in seconds) that's %d", maxExpires)
		}
		window = time.Duration(n) * time.Second
	}
	now = now.UTC()
	if lim := now.Add(-window); t.Before(lim) {
		return fail(CodeInvalidSignature, "Signature expired: %s is now earlier than %s (%s - %s)",
			t.Format(iso8601), lim.Format(iso8601), now.Format(iso8601), span(window))
	}
	if lim := now.Add(skew); t.After(lim) {
		return fail(CodeInvalidSignature, "Signature not yet current: %s is still later than %s (%s + %s)",
			t.Format(iso8601), lim.Format(iso8601), now.Format(iso8601), span(skew))
	}
	return nil
}

// span writes d as AWS does in its expiry messages: "15 min.".
func span(d time.Duration) string {
	if d%time.Minute == 0 {
		return strconv.Itoa(int(d/time.Minute)) + " min."
	}
	return strconv.Itoa(int(d/time.Second)) + " sec."
}

// parseSignature reads the signature from the Authorization header or, when
// there is none, from the presigned query string.
func parseSignature(r *http.Request) (*signature, *Error) {
	header := r.Header.Get("Authorization")
	if len(r.Header.Values("Authorization")) > 1 {
		return nil, fail(CodeIncompleteSignature, "Only one Authorization header allowed.")
	}
	q, _ := url.ParseQuery(r.URL.RawQuery) // as the signer's URL.Query(): bad pairs are skipped
	queryAuth := q.Has("X-Amz-Algorithm") || q.Has("X-Amz-Signature")
	switch {
	case header != "" && queryAuth:
		return nil, fail(CodeIncompleteSignature, "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified")
	case header != "":
		s, e := parseHeader(header)
		if s != nil {
			s.amzDate = r.Header.Get("X-Amz-Date")
		}
		return s, e
	case queryAuth:
		return parseQuery(q)
	}
	return nil, fail(CodeMissingAuthenticationToken, "Request is missing Authentication Token")
}

// parseHeader reads "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
// Signature=..." in any order, with any whitespace around the components.
func parseHeader(h string) (*signature, *Error) {
	alg, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
	if alg != algorithm {
		return nil, fail(CodeMissingAuthenticationToken, "Request is missing Authentication Token")
	}
	params := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		part = strings.Trim(part, " \t")
		k, val, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fail(CodeIncompleteSignature, "'%s' not a valid key=value pair (missing equal-sign) in Authorization header: '%s'.", part, h)
		}
		if _, dup := params[k]; dup || (k != "Credential" && k != "SignedHeaders" && k != "Signature") {
			return nil, fail(CodeIncompleteSignature, "'%s' is not a valid or unique key in Authorization header: '%s'.", k, h)
		}
		params[k] = val
	}
	var missing []string
	for _, k := range []string{"Credential", "Signature", "SignedHeaders"} {
		if _, ok := params[k]; !ok {
			missing = append(missing, "Authorization header requires '"+k+"' parameter.")
		}
	}
	if missing != nil {
		return nil, fail(CodeIncompleteSignature, "%s Authorization=%s", strings.Join(missing, " "), h)
	}
	return newSignature(params["Credential"], params["SignedHeaders"], params["Signature"])
}

// parseQuery reads the X-Amz-* parameters of a presigned request.
func parseQuery(q url.Values) (*signature, *Error) {
	if q.Has("X-Amz-Algorithm") && q.Get("X-Amz-Algorithm") != algorithm {
		return nil, fail(CodeMissingAuthenticationToken, "Request is missing Authentication Token")
	}
	var missing []string
	for _, k := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date", "X-Amz-Expires"} {
		switch n := len(q[k]); {
		case n > 1:
			return nil, fail(CodeIncompleteSignature, "AWS query-string parameter '%s' may appear only once.", k)
		case n == 0 && k != "X-Amz-Expires":
			missing = append(missing, "AWS query-string parameters must include '"+k+"'.")
		}
	}
	if missing != nil {
		return nil, fail(CodeIncompleteSignature, "%s Re-examine the query-string parameters.", strings.Join(missing, " "))
	}
	s, e := newSignature(q.Get("X-Amz-Credential"), q.Get("X-Amz-SignedHeaders"), q.Get("X-Amz-Signature"))
	if e != nil {
		return nil, e
	}
	s.presigned, s.amzDate, s.expires = true, q.Get("X-Amz-Date"), q.Get("X-Amz-Expires")
	return s, nil
}

func newSignature(credential, signedHeaders, sig string) (*signature, *Error) {
	c := strings.Split(credential, "/")
	if len(c) != 5 || c[0] == "" || c[1] == "" || c[2] == "" || c[3] == "" {
		return nil, fail(CodeIncompleteSignature, "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'", credential)
	}
	return &signature{
		key: c[0], date: c[1], region: c[2], service: c[3], term: c[4],
		signedHeaders: strings.Split(signedHeaders, ";"),
		sig:           sig,
	}, nil
}

// canonicalHeaders lists the signed headers as "name:value\n": values trimmed,
// inner runs of spaces collapsed, repeated headers joined with commas. The
// headers net/http takes out of r.Header are read where it puts them.
func canonicalHeaders(r *http.Request, names []string, bodyLen int) string {
	var b strings.Builder
	for _, name := range names {
		vals := r.Header.Values(name)
		if name == "host" {
			vals = []string{r.Host}
			if r.Host == "" {
				vals[0] = r.URL.Host
			}
		} else if len(vals) == 0 {
			switch name {
			case "content-length":
				n := r.ContentLength
				if n < 0 {
					n = int64(bodyLen)
				}
				vals = []string{strconv.FormatInt(n, 10)}
			case "transfer-encoding":
				vals = []string{strings.Join(r.TransferEncoding, ",")}
			}
		}
		b.WriteString(name)
		b.WriteByte(':')
		for i, val := range vals {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(trimValue(val))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// trimValue trims a header value and collapses its inner runs of spaces.
func trimValue(s string) string {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "  ") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' || s[i-1] != ' ' { // s[0] is not a space
			b = append(b, s[i])
		}
	}
	return string(b)
}

// requestPath is the path as it came on the wire, still escaped.
func requestPath(r *http.Request) string {
	if p := r.RequestURI; strings.HasPrefix(p, "/") {
		p, _, _ = strings.Cut(p, "?")
		return p
	}
	if p := r.URL.EscapedPath(); p != "" {
		return p
	}
	return "/"
}

// normalizePath drops empty and "." segments and resolves "..", keeping a
// trailing slash, as boto3 and the JavaScript SDK do before signing.
func normalizePath(p string) string {
	var segs []string
	for _, s := range strings.Split(p, "/") {
		switch s {
		case "", ".":
		case "..":
			if len(segs) > 0 {
				segs = segs[:len(segs)-1]
			}
		default:
			segs = append(segs, s)
		}
	}
	n := "/" + strings.Join(segs, "/")
	if len(segs) > 0 && strings.HasSuffix(p, "/") {
		n += "/"
	}
	return n
}

// canonicalQuery sorts the query parameters by encoded name, then value,
// leaving out X-Amz-Signature from a presigned request.
func canonicalQuery(raw string, presigned bool) string {
	q, _ := url.ParseQuery(raw)
	pairs := make([][2]string, 0, len(q))
	for k, vals := range q {
		if presigned && k == "X-Amz-Signature" {
			continue
		}
		for _, val := range vals {
			pairs = append(pairs, [2]string{uriEncode(k, false), uriEncode(val, false)})
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i][0] != pairs[j][0] {
			return pairs[i][0] < pairs[j][0]
		}
		return pairs[i][1] < pairs[j][1]
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p[0] + "=" + p[1])
	}
	return b.String()
}

// uriEncode escapes every byte but the RFC 3986 unreserved characters (and
// '/', if keepSlash) as %XX with upper-case hex.
func uriEncode(s string, keepSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+len(s)/2)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' || c == '/' && keepSlash {
			b = append(b, c)
		} else {
			b = append(b, '%', hexDigits[c>>4], hexDigits[c&15])
		}
	}
	return string(b)
}

// signingKey derives kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date),
// region), service), "aws4_request"), remembering up to maxCachedKeys of them.
func (v *Verifier) signingKey(id keyID) []byte {
	v.mu.Lock()
	key, ok := v.keys[id]
	v.mu.Unlock()
	if ok {
		return key
	}
	key = hmacSHA256([]byte("AWS4"+id.secret), id.date)
	for _, s := range []string{id.region, id.service, terminator} {
		key = hmacSHA256(key, s)
	}
	v.mu.Lock()
	if v.keys == nil || len(v.keys) >= maxCachedKeys {
		v.keys = make(map[keyID][]byte)
	}
	v.keys[id] = key
	v.mu.Unlock()
	return key
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}
