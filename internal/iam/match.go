package iam

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file holds the string matching shared by the Action, Resource and
// condition elements: a policy string is compiled once, at parse time, into
// a pattern of literal text, wildcards and policy variables, and matched per
// request without regular expressions and, in the common case, without
// allocating.

// tokKind is the kind of one element of a compiled pattern.
type tokKind uint8

const (
	tokLit   tokKind = iota // literal text
	tokStar                 // *: any run of characters
	tokQuest                // ?: any one character
	tokVar                  // a policy variable such as ${aws:username}
)

// token is one element of a compiled pattern.
type token struct {
	kind tokKind
	// bounded marks a * that may not match a colon: in ARN mode, a * that is
	// not the last character of its colon-delimited segment.
	bounded bool
	// hasDef tells whether a variable has a default value.
	hasDef bool
	// vi is a variable's index among the pattern's variables.
	vi int
	// text is the literal text, or a variable's context key.
	text string
	// def is a variable's default value.
	def string
}

// patKind selects a fast path for the common shapes of pattern.
type patKind uint8

const (
	patExact  patKind = iota // literal text only
	patAny                   // a lone *, which matches anything
	patPrefix                // literal text and a trailing *
	patGlob                  // anything else
)

// patOpts says how a policy string is to be compiled.
type patOpts struct {
	wild bool // * and ? are wildcards (else they are literal)
	vars bool // ${...} are policy variables (else literal)
	fold bool // compare case-insensitively (Unicode simple folding)
	arn  bool // ARN mode: wildcards stay within colon-delimited segments
}

// pattern is a compiled policy string.
type pattern struct {
	src   string // as written in the policy
	kind  patKind
	opts  patOpts
	lit   string // the text of patExact and the prefix of patPrefix
	toks  []token
	nvars int
}

// compilePattern compiles the policy string src.
func compilePattern(src string, o patOpts) pattern {
	p := pattern{src: src, opts: o}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			p.toks = append(p.toks, token{kind: tokLit, text: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case o.wild && c == '*':
			flush()
			if n := len(p.toks); n == 0 || p.toks[n-1].kind != tokStar {
				p.toks = append(p.toks, token{kind: tokStar})
			}
			i++
		case o.wild && c == '?':
			flush()
			p.toks = append(p.toks, token{kind: tokQuest})
			i++
		case o.vars && c == '$' && strings.HasPrefix(src[i:], "${"):
			v, n, ok := parseVariable(src[i:])
			if !ok {
				lit.WriteByte(c)
				i++
				continue
			}
			i += n
			if v.kind == tokLit {
				lit.WriteString(v.text)
				continue
			}
			flush()
			v.vi = p.nvars
			p.nvars++
			p.toks = append(p.toks, v)
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	if o.arn {
		// A * that is the last character of a segment (followed by a colon
		// or the end of the ARN) "can expand to match beyond the colon
		// boundaries"; any other * stays within its segment.
		// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards
		for i := range p.toks {
			if p.toks[i].kind != tokStar {
				continue
			}
			last := i+1 == len(p.toks) ||
				(p.toks[i+1].kind == tokLit && p.toks[i+1].text[0] == ':')
			p.toks[i].bounded = !last
		}
	}
	switch {
	case len(p.toks) == 0:
		p.kind = patExact
	case len(p.toks) == 1 && p.toks[0].kind == tokLit:
		p.kind, p.lit = patExact, p.toks[0].text
	case len(p.toks) == 1 && p.toks[0].kind == tokStar:
		p.kind = patAny
	case len(p.toks) == 2 && p.toks[0].kind == tokLit && p.toks[1].kind == tokStar:
		p.kind, p.lit = patPrefix, p.toks[0].text
	default:
		p.kind = patGlob
	}
	return p
}

// parseVariable parses the policy variable at the start of s, which begins
// with "${". It returns the variable as a token and the number of bytes it
// spans; ok is false when s does not start with a well-formed variable, in
// which case the text is literal.
//
// The forms are ${key}, ${key, 'default'} (in the default, a quote is
// written twice) and the escapes ${*}, ${?} and ${$}, which stand for those
// characters literally. Spaces around the key and the default are ignored.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
func parseVariable(s string) (v token, n int, ok bool) {
	end, inQuote := -1, false
	for i := 2; i < len(s) && end < 0; i++ {
		switch s[i] {
		case '\'':
			inQuote = !inQuote
		case '}':
			if !inQuote {
				end = i
			}
		}
	}
	if end < 0 {
		return token{}, 0, false
	}
	body := strings.TrimSpace(s[2:end])
	switch body {
	case "*", "?", "$":
		return token{kind: tokLit, text: body}, end + 1, true
	}
	key, def, hasDef := strings.Cut(body, ",")
	key = strings.TrimSpace(key)
	if key == "" || strings.ContainsAny(key, " \t\r\n'{$") {
		return token{}, 0, false
	}
	v = token{kind: tokVar, text: key}
	if hasDef {
		def = strings.TrimSpace(def)
		if len(def) < 2 || def[0] != '\'' || def[len(def)-1] != '\'' {
			return token{}, 0, false
		}
		inner := def[1 : len(def)-1]
		// Inside the quotes, a quote must be doubled.
		if strings.Contains(strings.ReplaceAll(inner, "''", ""), "'") {
			return token{}, 0, false
		}
		v.hasDef, v.def = true, strings.ReplaceAll(inner, "''", "'")
	}
	return v, end + 1, true
}

// match reports whether s matches the pattern, resolving policy variables
// from ctx. A pattern whose variable has no value matches nothing: IAM
// treats such a value as null, "there is no equal or like value".
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-no-value
func (p *pattern) match(s string, ctx map[string][]string) bool {
	switch p.kind {
	case patAny:
		return true
	case patExact:
		if p.opts.fold {
			return equalFold(p.lit, s)
		}
		return p.lit == s
	case patPrefix:
		_, ok := prefix(s, p.lit, p.opts.fold)
		return ok
	}
	if p.nvars == 0 {
		return glob(p.toks, nil, s, p.opts.fold, p.opts.arn)
	}
	var buf [4]string
	vals := buf[:0]
	if p.nvars > len(buf) {
		vals = make([]string, 0, p.nvars)
	}
	for i := range p.toks {
		if t := &p.toks[i]; t.kind == tokVar {
			v, ok := resolveVariable(t, ctx)
			if !ok {
				return false
			}
			vals = append(vals, v)
		}
	}
	return glob(p.toks, vals, s, p.opts.fold, p.opts.arn)
}

// resolveVariable returns the value of the variable t: the single value of
// its context key, or else its default. A multivalued key cannot be used as
// a variable, as in IAM.
func resolveVariable(t *token, ctx map[string][]string) (string, bool) {
	if vs := lookup(ctx, t.text); len(vs) == 1 {
		return vs[0], true
	}
	if t.hasDef {
		return t.def, true
	}
	return "", false
}

// lookup returns the values of the context key key, which IAM compares
// case-insensitively. A key present with no values is absent.
func lookup(ctx map[string][]string, key string) []string {
	if len(ctx) == 0 {
		return nil
	}
	if v, ok := ctx[key]; ok {
		return v
	}
	for k, v := range ctx {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

// glob matches s against toks, with vals the values of the variables, by
// the classic greedy algorithm with backtracking to the last star. In ARN
// mode a bounded star and a ? do not match a colon; then the last unbounded
// star and the last bounded star after it are both kept as backtracking
// points, which is enough: an unbounded star can absorb whatever an earlier
// star could, and a bounded star whatever an earlier bounded star of the
// same stretch could. (TestGlobRandom checks this against exhaustive
// search.)
func glob(toks []token, vals []string, s string, fold, arn bool) bool {
	type mark struct {
		ok     bool
		ti, si int // where matching resumes: the token after the star, and the text
	}
	var u, b mark
	ti, si := 0, 0
	for {
		if ti < len(toks) {
			t := &toks[ti]
			switch t.kind {
			case tokStar:
				m := mark{ok: true, ti: ti + 1, si: si}
				if arn && t.bounded {
					b = m
				} else {
					u, b = m, mark{}
				}
				ti++
				continue
			case tokQuest:
				if si < len(s) {
					if r, n := decodeRune(s[si:]); !arn || r != ':' {
						ti, si = ti+1, si+n
						continue
					}
				}
			default:
				lit := t.text
				if t.kind == tokVar {
					lit = vals[t.vi]
				}
				if n, ok := prefix(s[si:], lit, fold); ok {
					ti, si = ti+1, si+n
					continue
				}
			}
		} else if si == len(s) {
			return true
		}
		// Mismatch: let the last star take one more character.
		if b.ok {
			if b.si < len(s) {
				if r, n := decodeRune(s[b.si:]); r != ':' {
					b.si += n
					ti, si = b.ti, b.si
					continue
				}
			}
			b.ok = false
		}
		if u.ok && u.si < len(s) {
			_, n := decodeRune(s[u.si:])
			u.si += n
			ti, si = u.ti, u.si
			continue
		}
		return false
	}
}

// prefix reports whether s begins with p, case-insensitively if fold, and
// how many bytes of s that prefix spans.
func prefix(s, p string, fold bool) (int, bool) {
	if !fold {
		return len(p), strings.HasPrefix(s, p)
	}
	i := 0
	for ; i < len(p) && i < len(s); i++ { // ASCII fast path
		a, b := p[i], s[i]
		if a|b >= utf8.RuneSelf {
			break
		}
		if a != b && lowerASCII(a) != lowerASCII(b) {
			return 0, false
		}
	}
	if i == len(p) {
		return i, true
	}
	n := i
	for p = p[i:]; p != ""; {
		if n >= len(s) {
			return 0, false
		}
		rp, np := decodeRune(p)
		rs, ns := decodeRune(s[n:])
		if !foldEq(rp, rs) {
			return 0, false
		}
		p, n = p[np:], n+ns
	}
	return n, true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// invalidRune is added to a byte that is not valid UTF-8, so that such
// bytes compare equal only to themselves (utf8.RuneError would make every
// invalid byte equal to every other and to U+FFFD).
const invalidRune = unicode.MaxRune + 1

// decodeRune decodes the first character of the non-empty s.
func decodeRune(s string) (rune, int) {
	if c := s[0]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return decodeRuneSlow(s)
}

func decodeRuneSlow(s string) (rune, int) {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && n == 1 {
		return invalidRune + rune(s[0]), 1
	}
	return r, n
}

// foldEq reports whether the characters a and b are equal under Unicode
// simple case folding, as strings.EqualFold compares them.
func foldEq(a, b rune) bool {
	if a == b {
		return true
	}
	if a > unicode.MaxRune || b > unicode.MaxRune {
		return false
	}
	if a < utf8.RuneSelf && b < utf8.RuneSelf {
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		return a == b
	}
	for r := unicode.SimpleFold(a); r != a; r = unicode.SimpleFold(r) {
		if r == b {
			return true
		}
	}
	return false
}

// equalFold is strings.EqualFold with invalid UTF-8 compared byte by byte.
func equalFold(a, b string) bool {
	n, ok := prefix(b, a, true)
	return ok && n == len(b)
}
