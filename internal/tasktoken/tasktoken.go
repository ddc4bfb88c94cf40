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
	"sync/atomic"
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

// ErrRetired means the token was sealed with a key that Rekey retired:
// the server issued it, but what it named is gone.
var ErrRetired = errors.New("retired task token")

// Codec seals and opens tokens with one key, and recognizes those of the
// keys it had before.
type Codec struct {
	keys atomic.Pointer[keyring]
}

// keyring is the key tokens are sealed with and the keys of old tokens.
type keyring struct {
	current []byte
	retired [][]byte
}

// New returns a codec keyed with key (at least 32 random bytes). Servers
// sharing a database share the key.
func New(key []byte) *Codec {
	c := &Codec{}
	c.keys.Store(&keyring{current: key})
	return c
}

// Rekey makes key the one new tokens are sealed with. Tokens of the old
// key then fail to open with ErrRetired: a development server's reset
// uses it, so that a token of a run from before the reset can never name a
// run of the same id after it.
func (c *Codec) Rekey(key []byte) {
	old := c.keys.Load()
	retired := append([][]byte{old.current}, old.retired...)
	c.keys.Store(&keyring{current: key, retired: retired[:min(len(retired), maxRetired)]})
}

// maxRetired is how many retired keys a codec still recognizes.
const maxRetired = 16

// Seal makes the token string for t.
func (c *Codec) Seal(t Token) string {
	buf := make([]byte, 0, 2+4*binary.MaxVarintLen64+macSize)
	buf = append(buf, version, byte(t.Kind))
	buf = binary.AppendUvarint(buf, uint64(t.DomainID))
	buf = binary.AppendUvarint(buf, uint64(t.ExecutionID))
	buf = binary.AppendUvarint(buf, uint64(t.ScheduledEventID))
	buf = binary.AppendUvarint(buf, uint64(t.StartedEventID))
	buf = append(buf, mac(c.keys.Load().current, buf)...)
	return base64.RawURLEncoding.EncodeToString(buf)
}

// Open checks a token string and returns what it says.
func (c *Codec) Open(s string) (Token, error) {
	buf, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(buf) < 2+4+macSize || buf[0] != version {
		return Token{}, ErrInvalid
	}
	body, sum := buf[:len(buf)-macSize], buf[len(buf)-macSize:]
	keys := c.keys.Load()
	if !hmac.Equal(sum, mac(keys.current, body)) {
		for _, k := range keys.retired {
			if hmac.Equal(sum, mac(k, body)) {
				return Token{}, ErrRetired
			}
		}
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

func mac(key, body []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte("openswf task token\x00"))
	h.Write(body)
	return h.Sum(nil)[:macSize]
}
