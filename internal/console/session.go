package console

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Sign-in: a form takes an access key id and its secret once; the console
// then keeps a session, in memory, named by a random cookie. The secret
// is checked again on every request (so a key removed from the users file
// and reloaded signs its sessions out), and never leaves the server again.
const (
	// sessionCookie names the signed-in session; anonCookie names a
	// browser that has not signed in, so that the sign-in form (and, on a
	// server without users, the actions' forms) carry CSRF tokens too.
	sessionCookie = "openswf_session"
	anonCookie    = "openswf_anon"
	// SessionIdle and SessionMax bound a session: signed out after this
	// long unused, or this long after signing in.
	SessionIdle = 2 * time.Hour
	SessionMax  = 12 * time.Hour
	// maxSessions bounds the sessions held at once; the oldest go first.
	maxSessions = 10000
)

// Lockout: after MaxSignInFailures failed sign-ins from one address, or
// for one access key, within LockoutWindow, sign-in is refused for them
// until LockoutWindow has passed since the last failure.
const (
	MaxSignInFailures = 5
	LockoutWindow     = 15 * time.Minute
	// maxFailureEntries bounds the addresses and keys remembered.
	maxFailureEntries = 100000
)

// session is a signed-in user.
type session struct {
	keyID, secret    string
	created, lastUse time.Time
}

// sessions are the signed-in sessions and the failed sign-ins.
type sessions struct {
	mu       sync.Mutex
	byID     map[string]*session
	failures map[string]*failure
	// csrfKey authenticates CSRF tokens: a token is the HMAC of the
	// cookie that names the browser's session.
	csrfKey []byte
}

// failure counts failed sign-ins of one address or key.
type failure struct {
	n    int
	last time.Time
}

func newSessions() *sessions {
	s := &sessions{byID: map[string]*session{}, failures: map[string]*failure{}, csrfKey: make([]byte, 32)}
	rand.Read(s.csrfKey)
	return s
}

// randomID is 32 random bytes, base64url.
func randomID() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// csrfToken is the token forms of the browser named by cookie carry.
func (s *sessions) csrfToken(cookie string) string {
	m := hmac.New(sha256.New, s.csrfKey)
	m.Write([]byte(cookie))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// validCSRF reports whether token is the one of the browser named by
// cookie.
func (s *sessions) validCSRF(cookie, token string) bool {
	return cookie != "" && token != "" && subtle.ConstantTimeCompare([]byte(s.csrfToken(cookie)), []byte(token)) == 1
}

// start makes a session for a key and returns its id.
func (s *sessions) start(keyID, secret string, now time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.byID) >= maxSessions {
		s.pruneLocked(now)
		for len(s.byID) >= maxSessions {
			oldest := ""
			for id, ss := range s.byID {
				if oldest == "" || ss.created.Before(s.byID[oldest].created) {
					oldest = id
				}
			}
			delete(s.byID, oldest)
		}
	}
	id := randomID()
	s.byID[id] = &session{keyID: keyID, secret: secret, created: now, lastUse: now}
	return id
}

// pruneLocked drops the sessions that have expired.
func (s *sessions) pruneLocked(now time.Time) {
	for id, ss := range s.byID {
		if ss.expired(now) {
			delete(s.byID, id)
		}
	}
}

func (ss *session) expired(now time.Time) bool {
	return now.Sub(ss.lastUse) > SessionIdle || now.Sub(ss.created) > SessionMax
}

// get returns the live session with this id and marks it used.
func (s *sessions) get(id string, now time.Time) (*session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.byID[id]
	if !ok {
		return nil, false
	}
	if ss.expired(now) {
		delete(s.byID, id)
		return nil, false
	}
	ss.lastUse = now
	c := *ss
	return &c, true
}

// end forgets a session.
func (s *sessions) end(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.byID, id)
}

// locked reports whether sign-in is refused for any of these (an address,
// a key id) for too many failures.
func (s *sessions) locked(now time.Time, keys ...string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range keys {
		if f, ok := s.failures[k]; ok {
			if now.Sub(f.last) > LockoutWindow {
				delete(s.failures, k)
			} else if f.n >= MaxSignInFailures {
				return true
			}
		}
	}
	return false
}

// failed counts a failed sign-in against each of keys.
func (s *sessions) failed(now time.Time, keys ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.failures) >= maxFailureEntries {
		for k, f := range s.failures {
			if now.Sub(f.last) > LockoutWindow {
				delete(s.failures, k)
			}
		}
	}
	for _, k := range keys {
		f := s.failures[k]
		if f == nil {
			if len(s.failures) >= maxFailureEntries {
				continue // full of recent failures: the address is still counted
			}
			f = &failure{}
			s.failures[k] = f
		}
		if now.Sub(f.last) > LockoutWindow {
			f.n = 0
		}
		f.n++
		f.last = now
	}
}

// succeeded clears the failures of a key (not of the address: a client
// that guesses many keys stays locked out).
func (s *sessions) succeeded(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.failures, key)
}

// setCookie sets a console cookie: HttpOnly, SameSite=Strict, for the
// console's paths, Secure when the request came over TLS (or through a
// trusted proxy that says https). maxAge < 0 deletes it.
func (h *handler) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	secure := r.TLS != nil || h.users != nil && h.users.NewCaller(nil, r, time.Now()).Secure
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/console/", MaxAge: maxAge,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteStrictMode})
}

// safeNext is where to go after signing in: a console path, nothing else
// (no other host, no scheme, no protocol-relative URL).
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(u.Path, "/console/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return "/console/"
	}
	return next
}
