package pagetoken

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestRoundTripAndRejections(t *testing.T) {
	c := New([]byte("0123456789abcdef0123456789abcdef"))
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tok := c.Seal("ListDomains|REGISTERED", []string{"name:with|odd\x00chars", "v"}, now)

	got, err := c.Open(tok, "ListDomains|REGISTERED", now.Add(time.Hour))
	if err != nil || !slices.Equal(got, []string{"name:with|odd\x00chars", "v"}) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := c.Open(tok, "ListDomains|DEPRECATED", now); !errors.Is(err, ErrInvalid) {
		t.Fatalf("other scope: %v, want ErrInvalid", err)
	}
	if _, err := c.Open(tok, "ListDomains|REGISTERED", now.Add(Lifetime+time.Second)); !errors.Is(err, ErrExpired) {
		t.Fatalf("old token: %v, want ErrExpired", err)
	}
	if _, err := New([]byte("another key, another server......")).Open(tok, "ListDomains|REGISTERED", now); !errors.Is(err, ErrInvalid) {
		t.Fatalf("other key: %v, want ErrInvalid", err)
	}
	for _, bad := range []string{"", "!!!", "AAAA", tok[:len(tok)-2] + "AA", "B" + tok[1:]} {
		if _, err := c.Open(bad, "ListDomains|REGISTERED", now); !errors.Is(err, ErrInvalid) {
			t.Errorf("Open(%q) = %v, want ErrInvalid", bad, err)
		}
	}
}

// FuzzOpen checks that nothing but a sealed token opens: any other string,
// however close, is rejected without panicking.
func FuzzOpen(f *testing.F) {
	c := New([]byte("0123456789abcdef0123456789abcdef"))
	now := time.Unix(1_800_000_000, 0)
	sealed := c.Seal("s", []string{"a"}, now)
	f.Add(sealed)
	f.Add("")
	f.Add(sealed[:len(sealed)-1] + "B")
	f.Fuzz(func(t *testing.T, tok string) {
		if _, err := c.Open(tok, "s", now); err == nil && tok != sealed {
			t.Fatalf("Open accepted %q, which this codec never sealed", tok)
		}
	})
}
