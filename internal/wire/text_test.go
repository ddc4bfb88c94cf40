package wire

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCheckText(t *testing.T) {
	for _, c := range []struct {
		body string
		want string // "" when the body is fine
	}{
		{`{"name":"plain"}`, ""},
		{`{"name":"caf\u00e9 ☕ 😀 \ufffd �"}`, ""},
		{`{"name":"\ud83d\ude00 pair"}`, ""},
		{`{"name":"\uD83D\uDE00 upper case"}`, ""},
		{`{"name":"\\ud800 is an escaped backslash, then text"}`, ""},
		{`{"name":"\\\ud83d\ude00"}`, ""},
		{`{"name":"\"\n\t\/"}`, ""},
		{`{"name":"\u12"}`, ""}, // not an escape: the decoder refuses it
		{"{\"name\":\"\xff\"}", "not valid UTF-8 (at byte 9)"},
		{"{\"name\":\"ok \xc3\"}", "not valid UTF-8 (at byte 12)"},
		{"{\"name\":\"\xed\xa0\x80\"}", "not valid UTF-8 (at byte 9)"}, // a surrogate encoded in UTF-8
		{"{\"name\":\"\xc0\xaf\"}", "not valid UTF-8 (at byte 9)"},     // overlong
		{`{"name":"\ud800"}`, `\ud800, half of a surrogate pair, alone (at byte 9)`},
		{`{"name":"\ude00"}`, `\ude00, half of a surrogate pair, alone (at byte 9)`},
		{`{"name":"\ud83d\u0041"}`, `\ud83d`},
		{`{"name":"\ud83d\ud83d"}`, `\ud83d`},
		{`{"name":"\ud83dx\ude00"}`, `\ud83d`},
		{`{"name":"ok","description":"\\\ude00"}`, `\ude00`},
		{`"\ud83d`, `\ud83d`},
	} {
		err := checkText([]byte(c.body))
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%q refused: %v", c.body, err)
		case c.want != "" && err == nil:
			t.Errorf("%q accepted", c.body)
		case c.want != "" && !strings.Contains(err.Message, c.want):
			t.Errorf("%q: %q, want it to say %q", c.body, err.Message, c.want)
		case err != nil && err.Code != "SerializationException":
			t.Errorf("%q: code %s", c.body, err.Code)
		}
	}
}

// FuzzCheckText checks that what checkText lets through decodes without
// encoding/json putting U+FFFD in place of anything: a U+FFFD in the
// decoded text must have been in the body, as itself or as \ufffd.
func FuzzCheckText(f *testing.F) {
	for _, s := range []string{`ok`, `\ud83d\ude00`, `\ud800`, "\xff", `\\ud800`, `\ufffd`, "\xed\xa0\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		body := []byte(`{"name":"` + s + `"}`)
		var v struct{ Name string }
		if checkText(body) != nil || json.Unmarshal(body, &v) != nil {
			return
		}
		if strings.ContainsRune(v.Name, '\uFFFD') && !strings.ContainsRune(s, '\uFFFD') && !strings.Contains(strings.ToLower(s), `\ufffd`) {
			t.Fatalf("%q decoded to %q: U+FFFD stood in for what was sent", s, v.Name)
		}
	})
}
