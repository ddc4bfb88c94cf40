package console

import (
	"context"
	"net/http"
	"time"
)

// signInPath and signOutPath are the console's door.
const (
	signInPath  = "/console/signin"
	signOutPath = "/console/signout"
)

// Chrome is what the layout shows on every page besides its content: who
// is signed in and the CSRF token of its forms. Page structs embed it.
type Chrome struct {
	// User is the signed-in user's name and KeyID the access key, if
	// anyone is signed in.
	User, KeyID string
	CSRF        string
	Refresh     int
}

func (c *Chrome) chrome() *Chrome { return c }

// chromeOf fills in what the layout shows for the request.
func (h *handler) chromeOf(r *http.Request, c *Chrome) {
	cookie, _ := r.Context().Value(cookieKey{}).(string)
	if cookie != "" {
		c.CSRF = h.sessions.csrfToken(cookie)
	}
	if caller := callerOf(r.Context()); caller != nil && caller.Principal != nil {
		c.User, c.KeyID = caller.Principal.User, caller.Principal.AccessKeyID
	}
}

// signInPage is what the sign-in form shows.
type signInPage struct {
	Chrome
	Title   string
	Crumbs  []link
	Next    string
	KeyID   string
	Message string
}

// signIn serves the sign-in form (GET) and checks what it sends (POST):
// the access key id and its secret, refused for a while after too many
// failures from the address or for the key. Each failure is logged at
// warn with the key id and the address, never the secret.
func (h *handler) signIn(w http.ResponseWriter, r *http.Request) {
	anon := h.anonymous(w, r)
	r = r.WithContext(context.WithValue(r.Context(), cookieKey{}, anon))
	p := &signInPage{Title: "Sign in", Next: safeNext(r.FormValue("next"))}
	if r.Method != http.MethodPost {
		h.render(w, r, http.StatusOK, "signin", p)
		return
	}
	if !h.sessions.validCSRF(anon, r.PostFormValue("csrf")) {
		// A form from another site, or one older than this browser's
		// cookie.
		p.Message = "The form had expired: sign in again."
		h.render(w, r, http.StatusForbidden, "signin", p)
		return
	}
	keyID, secret := r.PostFormValue("accessKeyId"), r.PostFormValue("secretAccessKey")
	p.KeyID = keyID
	now := h.now()
	addr := h.users.NewCaller(nil, r, time.Now()).SourceIP
	byAddr, byKey := "addr:"+addr, "key:"+keyID
	if h.sessions.locked(now, byAddr, byKey) {
		h.logger.Warn("console sign-in refused: too many failures", "accessKeyId", keyID, "sourceIp", addr)
		p.Message = "Too many failed sign-ins from this address or for this key: try again later."
		h.render(w, r, http.StatusTooManyRequests, "signin", p)
		return
	}
	if _, ok := h.users.Password(keyID, secret); !ok {
		h.sessions.failed(now, byAddr, byKey)
		h.logger.Warn("console sign-in failed", "accessKeyId", keyID, "sourceIp", addr)
		p.Message = "The access key id or the secret access key is wrong."
		h.render(w, r, http.StatusUnauthorized, "signin", p)
		return
	}
	h.sessions.succeeded(byKey)
	id := h.sessions.start(keyID, secret, time.Now())
	h.setCookie(w, r, sessionCookie, id, int(SessionMax/time.Second))
	h.logger.Info("console sign-in", "accessKeyId", keyID, "sourceIp", addr)
	http.Redirect(w, r, p.Next, http.StatusSeeOther)
}

// signOut ends the session and forgets its cookie.
func (h *handler) signOut(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		h.sessions.end(c.Value)
	}
	h.setCookie(w, r, sessionCookie, "", -1)
	target := "/console/"
	if h.users != nil {
		target = signInPath
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}
