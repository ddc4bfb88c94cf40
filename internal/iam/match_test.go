package iam

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// allowOn returns a policy allowing action on resource, under version.
func allowOn(t testing.TB, version, action, resource string) *Policy {
	t.Helper()
	v := ""
	if version != "" {
		v = fmt.Sprintf(`"Version":%q,`, version)
	}
	p, err := Parse([]byte(fmt.Sprintf(`{%s"Statement":{"Effect":"Allow","Action":%q,"Resource":%q}}`, v, action, resource)))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestActionMatching(t *testing.T) {
	tests := []struct {
		pattern, action string
		want            bool
	}{
		{"*", "swf:StartWorkflowExecution", true},
		{"*", "", true},
		{"swf:*", "swf:StartWorkflowExecution", true},
		{"swf:*", "SWF:startworkflowexecution", true},
		{"swf:*", "s3:GetObject", false},
		{"swf:*", "swfx:Foo", false},
		{"swf:StartWorkflowExecution", "swf:StartWorkflowExecution", true},
		{"swf:StartWorkflowExecution", "swf:startWORKFLOWexecution", true},
		{"SWF:STARTWORKFLOWEXECUTION", "swf:StartWorkflowExecution", true},
		{"swf:StartWorkflowExecution", "swf:StartWorkflowExecutions", false},
		{"swf:StartWorkflowExecution", "swf:StartWorkflowExecutio", false},
		{"swf:Poll*", "swf:PollForDecisionTask", true},
		{"swf:Poll*", "swf:pollforactivitytask", true},
		{"swf:Poll*", "swf:RespondDecisionTaskCompleted", false},
		{"swf:Respond?ctivity*", "swf:RespondActivityTaskCompleted", true},
		{"swf:Respond?ctivity*", "swf:Respondactivitytaskfailed", true},
		{"swf:Respond?ctivity*", "swf:RespondDecisionTaskCompleted", false},
		{"swf:*Task*", "swf:RespondDecisionTaskCompleted", true},
		{"swf:*Task", "swf:ScheduleActivityTask", true},
		{"swf:*Task", "swf:ScheduleActivityTasks", false},
		{"swf:*Execution", "swf:StartChildWorkflowExecution", true},
		{"sw?:List*", "swf:ListDomains", true},
		{"*:List*", "swf:ListDomains", true},
		{"swf:??", "swf:ab", true},
		{"swf:??", "swf:abc", false},
		{"swf:?", "swf:é", true}, // ? is one character, not one byte
		{"swf:é*", "swf:ÉTÉ", true},
		{"swf:**a", "swf:bba", true},
	}
	for _, tt := range tests {
		p := allowOn(t, Version2012, tt.pattern, "*")
		got := Evaluate([]*Policy{p}, Request{Action: tt.action, Resource: "*"}) == Allow
		if got != tt.want {
			t.Errorf("Action %q vs %q: %v, want %v", tt.pattern, tt.action, got, tt.want)
		}
	}
}

func TestResourceMatching(t *testing.T) {
	const orders = "arn:aws:swf:us-east-1:123456789012:/domain/orders"
	tests := []struct {
		pattern, resource string
		want              bool
	}{
		{"*", orders, true},
		{"*", "*", true},
		{orders, orders, true},
		{orders, "arn:aws:swf:us-east-1:123456789012:/domain/Orders", false}, // case-sensitive
		{"arn:aws:swf:us-east-1:123456789012:/domain/Orders", orders, false},
		{"arn:AWS:SWF:us-east-1:123456789012:/domain/orders", orders, false},
		{orders, orders + "2", false},
		{orders, "*", false}, // an action on no resource needs Resource "*"
		{"arn:aws:swf:us-east-1:123456789012:/domain/*", orders, true},
		{"arn:aws:swf:us-east-1:123456789012:/domain/*", "arn:aws:swf:us-east-1:123456789012:/domain/", true},
		{"arn:aws:swf:*:123456789012:/domain/orders", orders, true},
		{"arn:aws:swf:*:*:/domain/orders", orders, true},
		{"arn:aws:swf:*:*:*", orders, true},
		{"arn:aws:swf:*", orders, true}, // a trailing * expands beyond colons
		{"arn:aws:*", orders, true},
		{"arn:aws:swf:us-*-1:123456789012:/domain/orders", orders, true},
		{"arn:aws:swf:us-*-2:123456789012:/domain/orders", orders, false},
		{"arn:aws:swf:us-east-?:123456789012:/domain/orders", orders, true},
		{"arn:aws:swf:us-east-?:123456789012:/domain/ord?rs", orders, true},
		{"arn:aws:swf:us-east-1:123456789012:/domain/ord??s", orders, true},
		{"arn:aws:swf:us-east-1:123456789012:/domain/ord?s", orders, false},
		{"arn:aws:swf:us-east-1:123456789012:/domain/o*s", orders, true},
		{"arn:aws:swf:us-east-1:123456789012:/domain/O*", orders, false},
		{"arn:aws:swf:*:123456789012:/domain/orders", "arn:aws:swf:eu-west-1:123456789012:/domain/orders", true},
		{"arn:aws:swf:*:210987654321:/domain/orders", orders, false},
		// A * inside a segment does not cross a colon; one at the end of a
		// segment does.
		{"arn:aws:swf:u*1:/domain/orders", "arn:aws:swf:us-east-1:123456789011:/domain/orders", false},
		{"arn:aws:swf:u*:/domain/orders", "arn:aws:swf:us-east-1:123456789011:/domain/orders", true},
		{"arn:aws:swf:us-?ast-1?123456789012:/domain/orders", orders, false}, // ? does not match a colon either
		{"arn:aws:swf:*east*:123456789012:/domain/orders", orders, true},
		{"arn:aws:swf:*e*t*:123456789012:/domain/orders", orders, true},
		{"arn:aws:swf:*x*:123456789012:/domain/orders", orders, false},
		{"arn:aws:swf:us-east-1:123456789012:/domain/*/x", orders, false},
		{"arn:aws-cn:swf:*:*:/domain/orders", orders, false},
	}
	for _, tt := range tests {
		p := allowOn(t, Version2012, "swf:*", tt.pattern)
		got := Evaluate([]*Policy{p}, Request{Action: "swf:DescribeDomain", Resource: tt.resource}) == Allow
		if got != tt.want {
			t.Errorf("Resource %q vs %q: %v, want %v", tt.pattern, tt.resource, got, tt.want)
		}
	}
}

// TestGlob checks the matcher against a naive recursive definition on a
// grid of patterns and subjects, in every mode.
func TestGlob(t *testing.T) {
	patterns := []string{"", "*", "a", "a*", "*a", "a*b", "*:*", "a*:b", "a?:b", "*a*:*", "a*b*:c*", "?*", "*?", ":", "a:*", "*a:b*c:d", "é?", "A*"}
	subjects := []string{"", "a", "A", "ab", "aab", "a:b", "ab:b", "aa:b", "a:b:c", "ab:c:d", "xab:yc:d", "a:", ":", "éx", "a\xffb", "ba"}
	for _, fold := range []bool{false, true} {
		for _, arn := range []bool{false, true} {
			for _, ps := range patterns {
				p := compilePattern(ps, patOpts{wild: true, fold: fold, arn: arn})
				for _, s := range subjects {
					got := p.match(s, nil)
					want := naiveGlob([]rune(ps), []rune(s), fold, arn)
					if got != want {
						t.Errorf("fold=%v arn=%v: %q vs %q = %v, want %v", fold, arn, ps, s, got, want)
					}
				}
			}
		}
	}
}

// naiveGlob is the reference definition of the matcher, by exhaustive
// recursion: in ARN mode a * followed by anything but a colon or the end of
// the pattern, and a ?, do not match a colon.
func naiveGlob(p, s []rune, fold, arn bool) bool {
	if len(p) == 0 {
		return len(s) == 0
	}
	switch p[0] {
	case '*':
		rest := p[1:]
		for len(rest) > 0 && rest[0] == '*' {
			rest = rest[1:]
		}
		bounded := arn && len(rest) > 0 && rest[0] != ':'
		for i := 0; i <= len(s); i++ {
			if naiveGlob(rest, s[i:], fold, arn) {
				return true
			}
			if i < len(s) && bounded && s[i] == ':' {
				return false
			}
		}
		return false
	case '?':
		return len(s) > 0 && !(arn && s[0] == ':') && naiveGlob(p[1:], s[1:], fold, arn)
	}
	return len(s) > 0 && (p[0] == s[0] || (fold && foldEq(p[0], s[0]))) && naiveGlob(p[1:], s[1:], fold, arn)
}

func TestInvalidUTF8(t *testing.T) {
	// Invalid bytes in a request compare equal only to themselves, never to
	// U+FFFD (which JSON decoding puts in place of invalid policy bytes).
	p := compilePattern("swf:\ufffd", patOpts{wild: true, fold: true})
	if p.match("swf:\xff", nil) {
		t.Error("U+FFFD matched an invalid byte")
	}
	if q := compilePattern("swf:?", patOpts{wild: true}); !q.match("swf:\xff", nil) {
		t.Error("? did not match an invalid byte")
	}
	if !equalFold("a\xffB", "A\xffb") || equalFold("a\xff", "a\xfe") {
		t.Error("equalFold and invalid bytes")
	}
}

func TestPolicyVariables(t *testing.T) {
	ctx := map[string][]string{"aws:username": {"alice"}, "aws:PrincipalTag/team": {"red", "blue"}}
	tests := []struct {
		version, resource string
		ctx               map[string][]string
		domain            string
		want              bool
	}{
		{Version2012, "arn:aws:swf:*:*:/domain/${aws:username}", ctx, "alice", true},
		{Version2012, "arn:aws:swf:*:*:/domain/${aws:username}", ctx, "bob", false},
		{Version2012, "arn:aws:swf:*:*:/domain/${AWS:UserName}", ctx, "alice", true}, // keys are case-insensitive
		{Version2012, "arn:aws:swf:*:*:/domain/${ aws:username }-*", ctx, "alice-dev", true},
		{Version2012, "arn:aws:swf:*:*:/domain/${aws:username}", nil, "alice", false},                                        // no value: matches nothing
		{Version2012, "arn:aws:swf:*:*:/domain/${aws:PrincipalTag/team}", ctx, "red", false},                                 // multivalued: no value
		{Version2012, "arn:aws:swf:*:*:/domain/${aws:username, 'shared'}", nil, "shared", true},                              // default
		{Version2012, "arn:aws:swf:*:*:/domain/${aws:username, 'shared'}", ctx, "alice", true},                               // value beats default
		{Version2012, "arn:aws:swf:*:*:/domain/${aws:username,'it''s'}", nil, "it's", true},                                  // quoted quote
		{Version2012, "arn:aws:swf:*:*:/domain/a${*}", ctx, "a*", true},                                                      // escaped *
		{Version2012, "arn:aws:swf:*:*:/domain/a${*}", ctx, "ab", false},                                                     // escaped * is literal
		{Version2012, "arn:aws:swf:*:*:/domain/a${?}${$}", ctx, "a?$", true},                                                 // escaped ? and $
		{Version2012, "arn:aws:swf:*:*:/domain/${aws:username", ctx, "${aws:username", true},                                 // unterminated: literal
		{Version2012, "arn:aws:swf:*:*:/domain/${}", ctx, "${}", true},                                                       // empty: literal
		{Version2008, "arn:aws:swf:*:*:/domain/${aws:username}", ctx, "alice", false},                                        // 2008: no variables
		{Version2008, "arn:aws:swf:*:*:/domain/${aws:username}", ctx, "${aws:username}", true},                               // ... ${ is literal
		{"", "arn:aws:swf:*:*:/domain/${aws:username}", ctx, "${aws:username}", true},                                        // no Version: 2008
		{Version2012, "arn:aws:swf:*:*:/domain/${aws:username}*", map[string][]string{"aws:username": {"a*"}}, "abc", false}, // values are literal
		{Version2012, "arn:aws:swf:*:*:/domain/${aws:username}*", map[string][]string{"aws:username": {"a*"}}, "a*c", true},
	}
	for _, tt := range tests {
		p := allowOn(t, tt.version, "swf:*", tt.resource)
		req := Request{Action: "swf:DescribeDomain", Resource: "arn:aws:swf:us-east-1:123456789012:/domain/" + tt.domain, Context: tt.ctx}
		if got := Evaluate([]*Policy{p}, req) == Allow; got != tt.want {
			t.Errorf("%s %q vs %q: %v, want %v", tt.version, tt.resource, tt.domain, got, tt.want)
		}
	}
	// Many variables in one pattern.
	p := allowOn(t, Version2012, "swf:*", "arn:aws:swf:${k:1}:${k:2}:/domain/${k:3}-${k:4}-${k:5}")
	many := map[string][]string{"k:1": {"r"}, "k:2": {"a"}, "k:3": {"x"}, "k:4": {"y"}, "k:5": {"z"}}
	if got := Evaluate([]*Policy{p}, Request{Action: "swf:X", Resource: "arn:aws:swf:r:a:/domain/x-y-z", Context: many}); got != Allow {
		t.Errorf("five variables: %v", got)
	}
}

// TestGlobRandom compares the matcher with the reference on random small
// patterns and subjects, where the backtracking corner cases live.
func TestGlobRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	gen := func(alphabet string, max int) string {
		b := make([]byte, rng.IntN(max+1))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(b)
	}
	n := 200000
	if testing.Short() {
		n = 20000
	}
	for i := 0; i < n; i++ {
		ps, s := gen("ab:*?", 8), gen("abA:", 9)
		fold, arn := rng.IntN(2) == 0, rng.IntN(2) == 0
		p := compilePattern(ps, patOpts{wild: true, fold: fold, arn: arn})
		if got, want := p.match(s, nil), naiveGlob([]rune(ps), []rune(s), fold, arn); got != want {
			t.Fatalf("fold=%v arn=%v: %q vs %q = %v, want %v", fold, arn, ps, s, got, want)
		}
	}
}
