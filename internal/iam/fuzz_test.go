package iam

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzSeeds are policy documents that exercise most of the grammar.
var fuzzSeeds = []string{
	benchPolicy,
	`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`,
	`{"Version":"2008-10-17","Statement":{"Effect":"Deny","NotAction":"swf:Poll*","NotResource":"arn:aws:swf:*:*:/domain/${aws:username}"}}`,
	`{"Version":"2012-10-17","Id":"x","Statement":[{"Sid":"A1","Effect":"Allow","Action":["swf:*","s3:Get?bject"],"Resource":["arn:aws:swf:us-*-1:*:/domain/o*","arn:aws:swf:*:1:/domain/${aws:username, 'd''x'}${*}"]}]}`,
	`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"swf:*","Resource":"*","Condition":{
		"ForAnyValue:StringNotEqualsIgnoreCase":{"swf:tagList.member.0":["a","B"]},
		"ForAllValues:ArnLikeIfExists":{"aws:SourceArn":"arn:aws:swf:*:*:/domain/*"},
		"NumericGreaterThanEquals":{"swf:n":[1,"2.5e3"]},
		"DateLessThan":{"aws:CurrentTime":["2030-01-01T00:00:00Z",1700000000]},
		"Bool":{"aws:SecureTransport":true},
		"Null":{"swf:taskList.name":"false"},
		"IpAddress":{"aws:SourceIp":["10.0.0.0/8","::1"]},
		"NotIpAddress":{"aws:SourceIp":"10.1.0.0/16"},
		"BinaryEquals":{"swf:b":"AAEC"},
		"StringLike":{"aws:username":"${aws:username}"}}}}`,
}

// sampleRequests derives requests from a policy's own strings, so that the
// fuzzer's policies get evaluated on requests that reach their conditions.
func sampleRequests(p *Policy) []Request {
	reqs := []Request{
		{Action: "swf:StartWorkflowExecution", Resource: "arn:aws:swf:us-east-1:123456789012:/domain/orders"},
		{Action: "swf:ListDomains", Resource: "*", Context: map[string][]string{"aws:username": {"alice"}}},
	}
	for i := range p.statements {
		if len(reqs) >= 8 {
			break
		}
		s := &p.statements[i]
		ctx := map[string][]string{"aws:username": {"alice"}}
		for j := range s.conditions {
			c := &s.conditions[j]
			ctx[c.key] = c.values
		}
		reqs = append(reqs, Request{Action: s.actions[0].src, Resource: s.resources[0].src, Context: ctx})
	}
	return reqs
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{"Statement":[{"Effect":"Alow"}]}`))
	f.Add([]byte(`{"Statement":"`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Reason == "" || pe.Statement < -1 {
				t.Fatalf("Parse error %#v is not a proper *ParseError", err)
			}
			return
		}
		out, err := json.Marshal(p)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		q, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(Marshal(p)) of %s: %v\noriginal: %s", out, err, data)
		}
		out2, _ := json.Marshal(q)
		if !bytes.Equal(out, out2) {
			t.Fatalf("Marshal not stable:\n%s\n%s", out, out2)
		}
		for _, req := range sampleRequests(p) {
			if a, b := Evaluate([]*Policy{p}, req), Evaluate([]*Policy{q}, req); a != b {
				t.Fatalf("%+v: %v before the round trip, %v after\n%s\n%s", req, a, b, data, out)
			}
		}
	})
}

var denyAll = MustParse(`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}`)

func FuzzEvaluate(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, "swf:StartWorkflowExecution", "arn:aws:swf:us-east-1:123456789012:/domain/orders", "swf:tagList.member.0", "a")
	}
	f.Add(benchPolicy, "swf:ScheduleActivityTask", "arn:aws:swf:r:123456789012:/domain/x", "swf:taskList.name", "payments-1")
	f.Add(fuzzSeeds[2], "swf:X", "arn:aws:swf:r:1:/domain/alice", "AWS:USERNAME", "alice")
	f.Fuzz(func(t *testing.T, doc, action, resource, key, value string) {
		p, err := Parse([]byte(doc))
		if err != nil {
			p = nil
		}
		ctx := map[string][]string{key: {value}, strings.ToUpper(key) + "x": {value, value + "x"}}
		req := Request{Action: action, Resource: resource, Context: ctx}

		d := Evaluate([]*Policy{p}, req)
		if d != ImplicitDeny && d != Allow && d != ExplicitDeny {
			t.Fatalf("Evaluate = %v", d)
		}
		if got := Evaluate([]*Policy{p, p}, req); got != d {
			t.Fatalf("policy twice: %v, once: %v", got, d)
		}
		if got := Evaluate(nil, req); got != ImplicitDeny {
			t.Fatalf("no policies: %v", got)
		}
		if got := Evaluate([]*Policy{}, req); got != ImplicitDeny {
			t.Fatalf("empty policy set: %v", got)
		}
		if got := Evaluate([]*Policy{p, denyAll}, req); got != ExplicitDeny {
			t.Fatalf("with a Deny-all policy: %v", got)
		}
		if p != nil {
			// The Deny-all statement added to the policy itself, first and
			// last.
			last := &Policy{version: p.version, statements: append(slices.Clip(p.statements), denyAll.statements...)}
			first := &Policy{version: p.version, statements: append(slices.Clone(denyAll.statements), p.statements...)}
			for _, q := range []*Policy{last, first} {
				if got := Evaluate([]*Policy{q}, req); got != ExplicitDeny {
					t.Fatalf("with a Deny-all statement: %v", got)
				}
			}
		}
	})
}

// FuzzGlob checks the matcher against the exhaustive reference on short
// inputs.
func FuzzGlob(f *testing.F) {
	f.Add("a*:b?", "ab:bc", false, true)
	f.Add("*a*:*", "xab:yc:d", true, true)
	f.Add("sw?:Poll*", "SWF:pollForDecisionTask", true, false)
	f.Fuzz(func(t *testing.T, ps, s string, fold, arn bool) {
		if len(ps) > 16 || len(s) > 24 || !utf8.ValidString(ps) || strings.ContainsRune(ps+s, utf8.RuneError) {
			// Keep the reference fast. Invalid UTF-8 is compared byte by
			// byte by the matcher but as U+FFFD by the reference:
			// TestInvalidUTF8 covers it.
			return
		}
		p := compilePattern(ps, patOpts{wild: true, fold: fold, arn: arn})
		if got, want := p.match(s, nil), naiveGlob([]rune(ps), []rune(s), fold, arn); got != want {
			t.Fatalf("fold=%v arn=%v: %q vs %q = %v, want %v", fold, arn, ps, s, got, want)
		}
	})
}
