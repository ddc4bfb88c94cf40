// Package auth says who is calling and what they may do: callers sign
// requests with SigV4 using access keys from a users file, and each user's
// IAM policies decide which SWF actions they may take on which domains, as
// Amazon SWF does with IAM users.
package auth

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/openswf/openswf/internal/iam"
	"github.com/openswf/openswf/internal/sigv4"
)

// File is the users file an operator writes: the users who may call the
// API, their access keys and their policies.
type File struct {
	Users []User `json:"users"`
}

// User is one identity, like an IAM user: requests signed with any of its
// access keys act as it, under all of its policies.
type User struct {
	Name       string      `json:"name"`
	AccessKeys []AccessKey `json:"accessKeys"`
	// Policies are IAM policy documents (JSON objects, or strings holding
	// them, as IAM's API takes them).
	Policies []json.RawMessage `json:"policies"`
}

// AccessKey is a key pair a user signs requests with.
type AccessKey struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
}

// Principal is the user a request was signed by.
type Principal struct {
	// User is the user's name and ARN its IAM-style ARN
	// (arn:aws:iam::ACCOUNT:user/NAME), for aws:username and
	// aws:PrincipalArn.
	User, ARN string
	// AccessKeyID is the key the request was signed with.
	AccessKeyID string
	policies    []*iam.Policy
	// resourceTags: a policy tests aws:ResourceTag/*, so the domain's tags
	// must be looked up for each call.
	resourceTags bool
}

// NeedsResourceTags says whether the principal's policies test the tags of
// the domain a call acts on (aws:ResourceTag/KEY): only then are they read.
func (p *Principal) NeedsResourceTags() bool { return p.resourceTags }

// Authenticator checks requests' signatures against the users' keys. Its
// users can be replaced while it serves (Replace), so that keys and
// policies change without a restart.
type Authenticator struct {
	users atomic.Pointer[users]
	// proxies are the addresses of trusted reverse proxies (see
	// TrustProxies).
	proxies []netip.Prefix
}

// users is one version of the users file, checked and ready.
type users struct {
	verifier sigv4.Verifier
	keys     map[string]keyOf
}

type keyOf struct {
	secret    string
	principal *Principal
}

// Load reads a users file (JSON, the form of File) for a server of the
// region and account.
func Load(path, region, account string) (*Authenticator, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f File
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("users file %s: %w", path, err)
	}
	a, err := New(&f, region, account)
	if err != nil {
		return nil, fmt.Errorf("users file %s: %w", path, err)
	}
	return a, nil
}

// New checks a users file and returns its authenticator for a server of
// the region and account.
func New(f *File, region, account string) (*Authenticator, error) {
	a := &users{keys: map[string]keyOf{}}
	names := map[string]bool{}
	for i, u := range f.Users {
		switch {
		case u.Name == "":
			return nil, fmt.Errorf("users[%d]: a user needs a name", i)
		case names[u.Name]:
			return nil, fmt.Errorf("users[%d]: user %q is named twice", i, u.Name)
		case len(u.AccessKeys) == 0:
			return nil, fmt.Errorf("user %q: no accessKeys: it could not sign a request", u.Name)
		}
		names[u.Name] = true
		p := &Principal{User: u.Name, ARN: "arn:aws:iam::" + account + ":user/" + u.Name}
		for j, doc := range u.Policies {
			var pol *iam.Policy
			if err := json.Unmarshal(doc, &pol); err != nil {
				return nil, fmt.Errorf("user %q: policies[%d]: %w", u.Name, j, err)
			}
			if pol == nil {
				return nil, fmt.Errorf("user %q: policies[%d] is null", u.Name, j)
			}
			p.policies = append(p.policies, pol)
			p.resourceTags = p.resourceTags || pol.UsesKey("aws:ResourceTag/")
		}
		for j, k := range u.AccessKeys {
			switch {
			case k.AccessKeyID == "" || k.SecretAccessKey == "":
				return nil, fmt.Errorf("user %q: accessKeys[%d] needs accessKeyId and secretAccessKey", u.Name, j)
			case a.keys[k.AccessKeyID].principal != nil:
				return nil, fmt.Errorf("user %q: access key %s is given twice", u.Name, k.AccessKeyID)
			}
			kp := *p
			kp.AccessKeyID = k.AccessKeyID
			a.keys[k.AccessKeyID] = keyOf{secret: k.SecretAccessKey, principal: &kp}
		}
	}
	if len(a.keys) == 0 {
		return nil, errors.New("no users: nobody could call the API")
	}
	// The operation (X-Amz-Target) must be signed: otherwise a captured
	// request could be replayed as another operation.
	a.verifier = sigv4.Verifier{Service: "swf", Region: region, Required: []string{"x-amz-target"}, Secret: func(id string) (string, bool) {
		k, ok := a.keys[id]
		return k.secret, ok
	}}
	var auth Authenticator
	auth.users.Store(a)
	return &auth, nil
}

// Replace makes b's users those of a: requests verified from now on use
// b's keys and policies; those under way finish with the ones they began
// with.
func (a *Authenticator) Replace(b *Authenticator) {
	a.users.Store(b.users.Load())
}

// Authenticate verifies r's signature over its body at time now and
// returns the principal that signed it. Its errors are *sigv4.Error, whose
// codes are the AWS errors clients expect.
func (a *Authenticator) Authenticate(r *http.Request, body []byte, now time.Time) (*Principal, error) {
	p, err := a.Begin(r, now)
	if err != nil {
		return nil, err
	}
	return p.Finish(body)
}

// Pending is a request whose signature passed every check that does not
// need its body (see sigv4.Verifier.Begin).
type Pending struct {
	sig   *sigv4.Pending
	users *users
}

// Begin checks r's signature as far as it can without the body: a server
// reads the body only of a request that passes. Its errors are
// *sigv4.Error.
func (a *Authenticator) Begin(r *http.Request, now time.Time) (*Pending, error) {
	u := a.users.Load()
	p, err := u.verifier.Begin(r, now)
	if err != nil {
		return nil, err
	}
	return &Pending{sig: p, users: u}, nil
}

// Finish checks the signature over the body and returns the principal
// that signed it. Its errors are *sigv4.Error.
func (p *Pending) Finish(body []byte) (*Principal, error) {
	id, err := p.sig.Finish(body)
	if err != nil {
		return nil, err
	}
	return p.users.keys[id].principal, nil
}

// UserOf names the user an access key belongs to, or "" for a key the
// users file does not have: for audit logs of refused requests.
func (a *Authenticator) UserOf(accessKeyID string) string {
	if p := a.users.Load().keys[accessKeyID].principal; p != nil {
		return p.User
	}
	return ""
}

// Password checks an access key and its secret given as a password (the
// web console's sign-in) and returns the principal they belong to.
func (a *Authenticator) Password(accessKeyID, secret string) (*Principal, bool) {
	k, ok := a.users.Load().keys[accessKeyID]
	if !ok || subtle.ConstantTimeCompare([]byte(k.secret), []byte(secret)) != 1 {
		return nil, false
	}
	return k.principal, true
}

// Caller is who made a request and from where: what the policies are
// evaluated with.
type Caller struct {
	Principal *Principal
	// SourceIP, UserAgent, Secure and Time give the global condition keys
	// aws:SourceIp, aws:UserAgent, aws:SecureTransport, aws:CurrentTime and
	// aws:EpochTime.
	SourceIP  string
	UserAgent string
	Secure    bool
	Time      time.Time
}

// NewCaller describes the caller of r, signed by p, at time now.
func NewCaller(p *Principal, r *http.Request, now time.Time) *Caller {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	return &Caller{Principal: p, SourceIP: ip, UserAgent: r.UserAgent(), Secure: r.TLS != nil, Time: now}
}

// ParseProxies reads a comma-separated list of addresses and CIDR blocks
// (10.0.0.0/8,127.0.0.1).
func ParseProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not an address or a CIDR block", f)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// TrustProxies names the reverse proxies in front of the server: for a
// request that comes from one of them, aws:SourceIp is the address that
// X-Forwarded-For names (the last one that is not a trusted proxy) and
// aws:SecureTransport follows X-Forwarded-Proto. Set it before serving.
func (a *Authenticator) TrustProxies(proxies []netip.Prefix) { a.proxies = proxies }

// NewCaller describes the caller of r, signed by p, at time now, seen
// through the trusted proxies.
func (a *Authenticator) NewCaller(p *Principal, r *http.Request, now time.Time) *Caller {
	c := NewCaller(p, r, now)
	if !a.trusted(c.SourceIP) {
		return c
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		if _, err := netip.ParseAddr(hop); err != nil {
			break // not an address: what is left of the list cannot be trusted
		}
		c.SourceIP = hop
		if !a.trusted(hop) {
			break
		}
	}
	if protos := r.Header.Values("X-Forwarded-Proto"); len(protos) > 0 {
		// The last value is the one the trusted proxy added; earlier ones
		// are the client's to choose.
		hops := strings.Split(protos[len(protos)-1], ",")
		c.Secure = strings.EqualFold(strings.TrimSpace(hops[len(hops)-1]), "https")
	}
	return c
}

// trusted reports whether ip is the address of a trusted proxy.
func (a *Authenticator) trusted(ip string) bool {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	addr = addr.Unmap()
	for _, p := range a.proxies {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

type callerKey struct{}

// NewContext returns ctx carrying the caller, whose policies then decide
// what the request may do.
func NewContext(ctx context.Context, c *Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// FromContext returns the caller in ctx, or nil when requests are not
// authorized (the server runs without a users file).
func FromContext(ctx context.Context) *Caller {
	c, _ := ctx.Value(callerKey{}).(*Caller)
	return c
}

// Allowed says whether the caller may call the API action (swf:Op) on the
// resource, given the request's condition keys. A nil caller may do
// anything.
func (c *Caller) Allowed(action, resource string, keys map[string][]string) bool {
	if c == nil {
		return true
	}
	ctx := c.globals(keys)
	ctx["aws:SourceIp"] = []string{c.SourceIP}
	if c.UserAgent != "" {
		ctx["aws:UserAgent"] = []string{c.UserAgent}
	}
	ctx["aws:SecureTransport"] = []string{strconv.FormatBool(c.Secure)}
	return iam.Evaluate(c.Principal.policies, iam.Request{Action: action, Resource: resource, Context: ctx}) == iam.Allow
}

// Permits says whether the caller may make a decision: the permission-only
// action swf:<DecisionType> on the decision task's domain. Unlike API
// actions, aws:SourceIp, aws:UserAgent and aws:SecureTransport are not
// known to it (as in Amazon SWF). A nil caller may make any decision.
func (c *Caller) Permits(action, resource string, keys map[string][]string) bool {
	if c == nil {
		return true
	}
	return iam.Evaluate(c.Principal.policies, iam.Request{Action: action, Resource: resource, Context: c.globals(keys)}) == iam.Allow
}

// PassedToSWF is the service a role is passed to (iam:PassedToService)
// when a call or decision names a Lambda role for Amazon SWF to assume.
const PassedToSWF = "swf.amazonaws.com"

// MayPassRole says whether the caller may pass the role (a lambdaRole) to
// SWF: IAM's iam:PassRole on the role's ARN. A nil caller may.
func (c *Caller) MayPassRole(role string) bool {
	if c == nil {
		return true
	}
	return iam.Evaluate(c.Principal.policies, iam.Request{Action: "iam:PassRole", Resource: role,
		Context: c.globals(map[string][]string{"iam:PassedToService": {PassedToSWF}})}) == iam.Allow
}

// globals adds the keys every evaluation knows to a copy of keys.
func (c *Caller) globals(keys map[string][]string) map[string][]string {
	ctx := make(map[string][]string, len(keys)+8)
	for k, v := range keys {
		ctx[k] = v
	}
	ctx["aws:username"] = []string{c.Principal.User}
	ctx["aws:PrincipalArn"] = []string{c.Principal.ARN}
	ctx["aws:PrincipalType"] = []string{"User"}
	ctx["aws:CurrentTime"] = []string{c.Time.UTC().Format(time.RFC3339)}
	ctx["aws:EpochTime"] = []string{strconv.FormatInt(c.Time.Unix(), 10)}
	return ctx
}

// ReadableByOthers reports the mode of the users file at path and whether
// users other than its owner may read or write it: it holds secret keys.
func ReadableByOthers(path string) (os.FileMode, bool) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, false
	}
	return fi.Mode().Perm(), fi.Mode().Perm()&0o077 != 0
}
