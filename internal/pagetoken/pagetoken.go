// Package pagetoken seals and opens the nextPageToken values of paged
// operations. A token is opaque to clients, authenticated with a server key,
// bound to the arguments of the call that issued it, and expires after 24
// hours, as SWF's do.
package pagetoken

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"time"
)

// Lifetime is how long a token stays usable (SWF: 24 hours).
const Lifetime = 24 * time.Hour

const version = 1

// Errors of Open. Both are answered to clients as validation errors.
var (
	// ErrInvalid: not a token this server issued for these arguments.
	ErrInvalid = errors.New("invalid nextPageToken: it was not issued by this server for these arguments")
	// ErrExpired: a genuine token older than Lifetime.
	ErrExpired = errors.New("Specified token has exceeded its maximum lifetime")
)

// Codec seals and opens tokens with one key.
type Codec struct {
	key []byte
}

// New returns a Codec keyed with key (at least 32 random bytes).
func New(key []byte) *Codec {
	return &Codec{key: key}
}

const macSize = 16

// Seal makes a token for resuming a listing after cursor. scope describes
// the call's arguments (everything but the token and page size); the token
// opens only with the same scope.
func (c *Codec) Seal(scope string, cursor []string, now time.Time) string {
	payload, _ := json.Marshal(cursor)
	buf := make([]byte, 0, 1+8+len(payload)+macSize)
	buf = append(buf, version)
	buf = binary.BigEndian.AppendUint64(buf, uint64(now.Unix()))
	buf = append(buf, payload...)
	buf = append(buf, c.mac(scope, buf)...)
	return base64.RawURLEncoding.EncodeToString(buf)
}

// Open checks a token against scope and the time, and returns its cursor.
func (c *Codec) Open(token, scope string, now time.Time) ([]string, error) {
	buf, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil || len(buf) < 1+8+macSize || buf[0] != version {
		return nil, ErrInvalid
	}
	body, mac := buf[:len(buf)-macSize], buf[len(buf)-macSize:]
	if !hmac.Equal(mac, c.mac(scope, body)) {
		return nil, ErrInvalid
	}
	issued := time.Unix(int64(binary.BigEndian.Uint64(body[1:9])), 0)
	if now.Sub(issued) > Lifetime {
		return nil, ErrExpired
	}
	var cursor []string
	if err := json.Unmarshal(body[9:], &cursor); err != nil {
		return nil, ErrInvalid
	}
	return cursor, nil
}

func (c *Codec) mac(scope string, body []byte) []byte {
	h := hmac.New(sha256.New, c.key)
	h.Write([]byte("openswf page token\x00"))
	h.Write([]byte(scope))
	h.Write([]byte{0})
	h.Write(body)
	return h.Sum(nil)[:macSize]
}
