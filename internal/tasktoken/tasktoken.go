// Package tasktoken seals and opens the task tokens that SWF hands to
// deciders and workers. A token is opaque to them and authenticated with a
// server key: it carries what the server needs to find the task (domain,
// run, scheduled and started event ids) and cannot be forged or altered.
package tasktoken

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
)

// Kind tells decision-task tokens from activity-task tokens.
type Kind byte

// The kinds of task tokens.
const (
	Decision Kind = 'D'
	Activity Kind = 'A'
)

// Token is what a task token says.
type Token struct {
	Kind             Kind
	DomainID         int64
	ExecutionID      int64
	ScheduledEventID int64
	// StartedEventID identifies the attempt: the task as this poller got it.
	StartedEventID int64
}

// ErrInvalid means the string is not a token this server issued.
var ErrInvalid = errors.New("invalid task token")

const (
	version = 1
	macSize = 16
)

// Codec seals and opens tokens with one key.
type Codec struct {
	key []byte
}

// New returns a codec keyed with key (at least 32 random bytes). Servers
// sharing a database share the key.
func New(key []byte) *Codec { return &Codec{key: key} }

// Seal makes the token string for t.
func (c *Codec) Seal(t Token) string {
	buf := make([]byte, 0, 2+4*binary.MaxVarintLen64+macSize)
	buf = append(buf, version, byte(t.Kind))
	buf = binary.AppendUvarint(buf, uint64(t.DomainID))
	buf = binary.AppendUvarint(buf, uint64(t.ExecutionID))
	buf = binary.AppendUvarint(buf, uint64(t.ScheduledEventID))
	buf = binary.AppendUvarint(buf, uint64(t.StartedEventID))
	buf = append(buf, c.mac(buf)...)
	return base64.RawURLEncoding.EncodeToString(buf)
}

// Open checks a token string and returns what it says.
func (c *Codec) Open(s string) (Token, error) {
	buf, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(buf) < 2+4+macSize || buf[0] != version {
		return Token{}, ErrInvalid
	}
	body, mac := buf[:len(buf)-macSize], buf[len(buf)-macSize:]
	if !hmac.Equal(mac, c.mac(body)) {
		return Token{}, ErrInvalid
	}
	t := Token{Kind: Kind(body[1])}
	rest := body[2:]
	for _, f := range []*int64{&t.DomainID, &t.ExecutionID, &t.ScheduledEventID, &t.StartedEventID} {
		v, n := binary.Uvarint(rest)
		if n <= 0 {
			return Token{}, ErrInvalid
		}
		*f = int64(v)
		rest = rest[n:]
	}
	if len(rest) != 0 || (t.Kind != Decision && t.Kind != Activity) {
		return Token{}, ErrInvalid
	}
	return t, nil
}

func (c *Codec) mac(body []byte) []byte {
	h := hmac.New(sha256.New, c.key)
	h.Write([]byte("openswf task token\x00"))
	h.Write(body)
	return h.Sum(nil)[:macSize]
}
