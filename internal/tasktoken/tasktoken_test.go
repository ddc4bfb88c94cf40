package tasktoken

import (
	"errors"
	"testing"
)

var key = []byte("0123456789abcdef0123456789abcdef")

func TestRoundTrip(t *testing.T) {
	c := New(key)
	for _, tok := range []Token{
		{Kind: Decision, DomainID: 1, ExecutionID: 2, ScheduledEventID: 3, StartedEventID: 4},
		{Kind: Activity, DomainID: 1 << 40, ExecutionID: 1<<62 + 5, ScheduledEventID: 25000, StartedEventID: 25001},
	} {
		s := c.Seal(tok)
		if len(s) > 1024 {
			t.Fatalf("token of %d characters; SWF allows 1024", len(s))
		}
		got, err := c.Open(s)
		if err != nil || got != tok {
			t.Fatalf("Open(Seal(%+v)) = %+v, %v", tok, got, err)
		}
	}
}

func TestForgedAndAlteredTokensAreRejected(t *testing.T) {
	c := New(key)
	s := c.Seal(Token{Kind: Activity, DomainID: 1, ExecutionID: 2, ScheduledEventID: 5, StartedEventID: 6})
	b := []byte(s)
	for i := range b {
		altered := append([]byte(nil), b...)
		altered[i] ^= 1
		if _, err := c.Open(string(altered)); !errors.Is(err, ErrInvalid) {
			t.Errorf("token altered at %d opened: %v", i, err)
		}
	}
	if _, err := New([]byte("another key......................")).Open(s); !errors.Is(err, ErrInvalid) {
		t.Error("a token opened with another server's key")
	}
	for _, bad := range []string{"", "x", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", s + "A"} {
		if _, err := c.Open(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("Open(%q) = %v", bad, err)
		}
	}
}

// FuzzOpen checks that only sealed tokens open, whatever else is sent.
func FuzzOpen(f *testing.F) {
	c := New(key)
	sealed := c.Seal(Token{Kind: Decision, DomainID: 1, ExecutionID: 1, ScheduledEventID: 2, StartedEventID: 3})
	f.Add(sealed)
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := c.Open(s); err == nil && s != sealed {
			t.Fatalf("Open accepted %q", s)
		}
	})
}

// After Rekey, new tokens use the new key and old ones are told apart
// from forgeries: ErrRetired, not ErrInvalid.
func TestRekey(t *testing.T) {
	c := New([]byte("first key, 32 bytes long ......."))
	tok := Token{Kind: Activity, DomainID: 1, ExecutionID: 1, ScheduledEventID: 5, StartedEventID: 6}
	old := c.Seal(tok)
	c.Rekey([]byte("second key, 32 bytes long ......"))
	if _, err := c.Open(old); !errors.Is(err, ErrRetired) {
		t.Fatalf("Open of a token of the retired key: %v, want ErrRetired", err)
	}
	fresh := c.Seal(tok)
	if fresh == old {
		t.Fatal("the new key seals the same token string")
	}
	if got, err := c.Open(fresh); err != nil || got != tok {
		t.Fatalf("Open of a new token = %+v, %v", got, err)
	}
	other := New([]byte("a key this codec never had ....."))
	if _, err := c.Open(other.Seal(tok)); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Open of a foreign token: %v, want ErrInvalid", err)
	}
}
