package iam

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// The policy language versions IAM knows, for the Version element.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
const (
	// Version2012 is the current version, the one to use: only under it are
	// policy variables such as ${aws:username} recognised.
	Version2012 = "2012-10-17"
	// Version2008 is the original version, which a document without a
	// Version element also gets: ${...} is literal text under it.
	Version2008 = "2008-10-17"
)

// Policy is a parsed IAM identity-based policy document, compiled for
// evaluation when parsed. Evaluation only reads it, so one Policy can serve
// any number of goroutines. The zero Policy has no statements and allows
// nothing.
//
// Policy implements json.Unmarshaler, so that a configuration file can embed
// policy documents (as JSON objects, or as strings holding a document, the
// form IAM's own API uses), and json.Marshaler, which writes the document
// back in a normalised form (Statement always an array, condition values
// always strings) that parses to the same policy.
type Policy struct {
	version    string
	id         string
	statements []statement
}

// statement is one compiled policy statement.
type statement struct {
	sid         string
	deny        bool
	notAction   bool
	actions     []pattern
	notResource bool
	resources   []pattern
	conditions  []condition
}

// ParseError reports why a policy document is malformed, in the manner of
// IAM's MalformedPolicyDocument errors: which statement, and what is wrong.
type ParseError struct {
	// Statement is the index of the offending statement in the Statement
	// array (0 when Statement is a single object), or -1 when the problem
	// is with the document as a whole.
	Statement int
	// Reason says what is wrong.
	Reason string
}

// Error returns the reason, prefixed with "Statement[i]: " when the error is
// in a statement.
func (e *ParseError) Error() string {
	if e.Statement < 0 {
		return e.Reason
	}
	return fmt.Sprintf("Statement[%d]: %s", e.Statement, e.Reason)
}

// Parse reads a policy document (JSON). Any problem is reported as a
// *ParseError naming the statement and what is wrong, such as
// `Statement[2]: unknown Effect "Alow"`.
//
// Parse follows IAM's validation where it is documented, and errs on the
// strict side where it is not, so that a mistake shows when the
// configuration is loaded rather than as a policy that silently never
// matches: element names and Effect are case-sensitive, unknown elements
// and duplicate JSON keys are rejected, Sids must be alphanumeric and
// unique, actions must be "*" or "service:action", resources "*" or ARNs,
// condition keys "service:key", and condition values must suit their
// operator (numbers for Numeric, dates for Date, true or false for Bool and
// Null, addresses or CIDR blocks for IpAddress, base-64 for BinaryEquals).
func Parse(doc []byte) (*Policy, error) {
	var raw json.RawMessage
	if err := json.Unmarshal(doc, &raw); err != nil {
		return nil, docErr("invalid JSON: %v", err)
	}
	members, err := decodeObject(raw)
	if err != nil {
		return nil, docErr("policy document %v", err)
	}
	p := &Policy{}
	var stmts json.RawMessage
	for _, m := range members {
		switch m.key {
		case "Version":
			if err := json.Unmarshal(m.val, &p.version); err != nil || jsonType(m.val) != '"' {
				return nil, docErr("Version must be a string")
			}
			if p.version != Version2012 && p.version != Version2008 {
				return nil, docErr("unknown Version %q (want %q)", p.version, Version2012)
			}
		case "Id":
			if err := json.Unmarshal(m.val, &p.id); err != nil || jsonType(m.val) != '"' {
				return nil, docErr("Id must be a string")
			}
		case "Statement":
			stmts = m.val
		default:
			return nil, docErr("unknown element %q", m.key)
		}
	}
	if stmts == nil {
		return nil, docErr("missing Statement")
	}
	var list []json.RawMessage
	switch jsonType(stmts) {
	case '{':
		list = []json.RawMessage{stmts}
	case '[':
		if err := json.Unmarshal(stmts, &list); err != nil {
			return nil, docErr("Statement must be an object or an array of objects")
		}
	default:
		return nil, docErr("Statement must be an object or an array of objects")
	}
	vars := p.version == Version2012
	sids := make(map[string]bool)
	p.statements = make([]statement, 0, len(list))
	for i, raw := range list {
		s, err := parseStatement(raw, vars)
		if err != nil {
			return nil, &ParseError{Statement: i, Reason: err.Error()}
		}
		if s.sid != "" {
			if sids[s.sid] {
				return nil, &ParseError{Statement: i, Reason: fmt.Sprintf("duplicate Sid %q: Sids in a policy must be unique", s.sid)}
			}
			sids[s.sid] = true
		}
		p.statements = append(p.statements, s)
	}
	return p, nil
}

// MustParse is like Parse but panics if the document is malformed. It is
// meant for policies written into programs and tests.
func MustParse(doc string) *Policy {
	p, err := Parse([]byte(doc))
	if err != nil {
		panic("iam: MustParse: " + err.Error())
	}
	return p
}

func docErr(format string, args ...any) error {
	return &ParseError{Statement: -1, Reason: fmt.Sprintf(format, args...)}
}

// parseStatement parses and compiles one statement. Its errors are bare
// reasons; Parse adds the statement index.
func parseStatement(raw json.RawMessage, vars bool) (statement, error) {
	var s statement
	members, err := decodeObject(raw)
	if err != nil {
		return s, fmt.Errorf("statement %v", err)
	}
	var effect, action, notAction, resource, notResource, cond json.RawMessage
	for _, m := range members {
		switch m.key {
		case "Sid":
			if jsonType(m.val) != '"' || json.Unmarshal(m.val, &s.sid) != nil {
				return s, errors.New("Sid must be a string")
			}
			// IAM: "Statement IDs (SID) must be alpha-numeric."
			for _, c := range []byte(s.sid) {
				if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
					return s, fmt.Errorf("Sid %q must be alphanumeric ([0-9A-Za-z]*)", s.sid)
				}
			}
		case "Effect":
			effect = m.val
		case "Action":
			action = m.val
		case "NotAction":
			notAction = m.val
		case "Resource":
			resource = m.val
		case "NotResource":
			notResource = m.val
		case "Condition":
			cond = m.val
		case "Principal", "NotPrincipal":
			return s, fmt.Errorf("%s is not allowed in an identity-based policy", m.key)
		default:
			return s, fmt.Errorf("unknown element %q", m.key)
		}
	}

	var eff string
	switch {
	case effect == nil:
		return s, errors.New("missing Effect")
	case jsonType(effect) != '"' || json.Unmarshal(effect, &eff) != nil:
		return s, errors.New("Effect must be a string")
	case eff == "Allow":
	case eff == "Deny":
		s.deny = true
	default:
		return s, fmt.Errorf("unknown Effect %q (want \"Allow\" or \"Deny\")", eff)
	}

	name, val, err := exactlyOne("Action", action, "NotAction", notAction)
	if err != nil {
		return s, err
	}
	s.notAction = name == "NotAction"
	list, err := stringList(name, val)
	if err != nil {
		return s, err
	}
	for _, a := range list {
		if vendor, act, ok := strings.Cut(a, ":"); a != "*" && (!ok || vendor == "" || act == "") {
			return s, fmt.Errorf("%s %q must be \"*\" or of the form service:action", name, a)
		}
		s.actions = append(s.actions, compilePattern(a, patOpts{wild: true, fold: true}))
	}

	name, val, err = exactlyOne("Resource", resource, "NotResource", notResource)
	if err != nil {
		return s, err
	}
	s.notResource = name == "NotResource"
	if list, err = stringList(name, val); err != nil {
		return s, err
	}
	for _, r := range list {
		if r != "*" && !strings.HasPrefix(r, "arn:") {
			return s, fmt.Errorf("%s %q must be an ARN or \"*\"", name, r)
		}
		s.resources = append(s.resources, compilePattern(r, patOpts{wild: true, vars: vars, arn: true}))
	}

	if cond != nil {
		if s.conditions, err = parseConditions(cond, vars); err != nil {
			return s, err
		}
	}
	return s, nil
}

// exactlyOne checks that exactly one of two exclusive elements is present
// and returns it.
func exactlyOne(a string, va json.RawMessage, b string, vb json.RawMessage) (string, json.RawMessage, error) {
	switch {
	case va != nil && vb != nil:
		return "", nil, fmt.Errorf("%s and %s cannot both be present", a, b)
	case va != nil:
		return a, va, nil
	case vb != nil:
		return b, vb, nil
	}
	return "", nil, fmt.Errorf("missing %s or %s", a, b)
}

// stringList decodes an element that is a string or a non-empty array of
// strings.
func stringList(name string, raw json.RawMessage) ([]string, error) {
	switch jsonType(raw) {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return []string{s}, nil
		}
	case '[':
		var list []string
		if json.Unmarshal(raw, &list) == nil {
			if len(list) == 0 {
				return nil, fmt.Errorf("%s must not be an empty array", name)
			}
			return list, nil
		}
	}
	return nil, fmt.Errorf("%s must be a string or an array of strings", name)
}

// parseConditions parses a Condition block: operator → key → value(s).
func parseConditions(raw json.RawMessage, vars bool) ([]condition, error) {
	ops, err := decodeObject(raw)
	if err != nil {
		return nil, fmt.Errorf("Condition %v", err)
	}
	var conds []condition
	for _, op := range ops {
		proto, ok := parseOperator(op.key)
		if !ok {
			return nil, fmt.Errorf("unsupported condition operator %q", op.key)
		}
		keys, err := decodeObject(op.val)
		if err != nil {
			return nil, fmt.Errorf("Condition %s %v", op.key, err)
		}
		for i, k := range keys {
			if vendor, name, ok := strings.Cut(k.key, ":"); !ok || vendor == "" || name == "" {
				return nil, fmt.Errorf("%s: condition key %q must be of the form service:key", op.key, k.key)
			}
			for _, prev := range keys[:i] {
				if strings.EqualFold(prev.key, k.key) {
					return nil, fmt.Errorf("%s: duplicate condition key %q (keys are case-insensitive)", op.key, k.key)
				}
			}
			values, err := conditionValues(k.val)
			if err != nil {
				return nil, fmt.Errorf("%s: %q: %v", op.key, k.key, err)
			}
			c := proto
			c.key, c.values = k.key, values
			if err := c.compile(vars); err != nil {
				return nil, err
			}
			conds = append(conds, c)
		}
	}
	return conds, nil
}

// conditionValues decodes a condition's value: a string, number or boolean,
// or a non-empty array of them, normalised to strings (a number keeps its
// JSON spelling).
func conditionValues(raw json.RawMessage) ([]string, error) {
	if jsonType(raw) != '[' {
		v, err := scalar(raw)
		if err != nil {
			return nil, err
		}
		return []string{v}, nil
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, errors.New("no values")
	}
	values := make([]string, len(list))
	for i, r := range list {
		v, err := scalar(r)
		if err != nil {
			return nil, err
		}
		values[i] = v
	}
	return values, nil
}

func scalar(raw json.RawMessage) (string, error) {
	switch t := jsonType(raw); t {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
		return s, nil
	case 't', 'f', '0':
		return string(bytes.TrimSpace(raw)), nil
	}
	return "", errors.New("values must be strings, numbers or booleans")
}

// jsonType classifies a valid JSON value by its first byte: '"', '{', '[',
// 't', 'f', 'n', or '0' for a number.
func jsonType(raw json.RawMessage) byte {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return 0
	}
	switch c := raw[0]; c {
	case '"', '{', '[', 't', 'f', 'n':
		return c
	}
	return '0'
}

// member is one key and value of a JSON object, in document order.
type member struct {
	key string
	val json.RawMessage
}

// decodeObject decodes the valid JSON value raw as an object, keeping the
// order of its members and rejecting duplicate keys (which encoding/json
// would resolve silently, last one winning). Its errors read after the name
// of what was decoded, e.g. "must be an object".
func decodeObject(raw json.RawMessage) ([]member, error) {
	if jsonType(raw) != '{' {
		return nil, errors.New("must be an object")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil { // {
		return nil, fmt.Errorf("is malformed: %v", err)
	}
	var members []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("is malformed: %v", err)
		}
		key, _ := tok.(string)
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return nil, fmt.Errorf("is malformed: %v", err)
		}
		for _, m := range members {
			if m.key == key {
				return nil, fmt.Errorf("has duplicate element %q", key)
			}
		}
		members = append(members, member{key, val})
	}
	if _, err := dec.Token(); err != nil { // }
		return nil, fmt.Errorf("is malformed: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("is followed by more JSON")
	}
	return members, nil
}

// UnmarshalJSON parses a policy document embedded in JSON: either the
// document itself (an object) or a string holding it. JSON null leaves the
// policy unchanged, as encoding/json does for other types.
func (p *Policy) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if string(data) == "null" {
		return nil
	}
	if jsonType(data) == '"' {
		var doc string
		if err := json.Unmarshal(data, &doc); err != nil {
			return err
		}
		data = []byte(doc)
	}
	parsed, err := Parse(data)
	if err != nil {
		return err
	}
	*p = *parsed
	return nil
}

// MarshalJSON writes the policy as a document that Parse reads back to an
// equivalent policy: elements in the canonical order, Statement as an
// array, Action, Resource and condition values as a string when single and
// an array otherwise, and every condition value as a JSON string.
func (p Policy) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	if p.version != "" {
		b.WriteString(`"Version":`)
		writeString(&b, p.version)
		b.WriteByte(',')
	}
	if p.id != "" {
		b.WriteString(`"Id":`)
		writeString(&b, p.id)
		b.WriteByte(',')
	}
	b.WriteString(`"Statement":[`)
	for i := range p.statements {
		if i > 0 {
			b.WriteByte(',')
		}
		p.statements[i].marshal(&b)
	}
	b.WriteString("]}")
	return b.Bytes(), nil
}

func (s *statement) marshal(b *bytes.Buffer) {
	b.WriteByte('{')
	if s.sid != "" {
		b.WriteString(`"Sid":`)
		writeString(b, s.sid)
		b.WriteByte(',')
	}
	if s.deny {
		b.WriteString(`"Effect":"Deny",`)
	} else {
		b.WriteString(`"Effect":"Allow",`)
	}
	if s.notAction {
		b.WriteString(`"NotAction":`)
	} else {
		b.WriteString(`"Action":`)
	}
	writePatterns(b, s.actions)
	if s.notResource {
		b.WriteString(`,"NotResource":`)
	} else {
		b.WriteString(`,"Resource":`)
	}
	writePatterns(b, s.resources)
	if len(s.conditions) > 0 {
		b.WriteString(`,"Condition":{`)
		for i := range s.conditions {
			c := &s.conditions[i]
			// Conditions of one operator are adjacent: Parse rejects a
			// repeated operator.
			if i == 0 || s.conditions[i-1].op != c.op {
				if i > 0 {
					b.WriteString("},")
				}
				writeString(b, c.op)
				b.WriteString(":{")
			} else {
				b.WriteByte(',')
			}
			writeString(b, c.key)
			b.WriteByte(':')
			writeStrings(b, c.values)
		}
		b.WriteString("}}")
	}
	b.WriteByte('}')
}

func writePatterns(b *bytes.Buffer, ps []pattern) {
	src := make([]string, len(ps))
	for i := range ps {
		src[i] = ps[i].src
	}
	writeStrings(b, src)
}

func writeStrings(b *bytes.Buffer, ss []string) {
	if len(ss) == 1 {
		writeString(b, ss[0])
		return
	}
	b.WriteByte('[')
	for i, s := range ss {
		if i > 0 {
			b.WriteByte(',')
		}
		writeString(b, s)
	}
	b.WriteByte(']')
}

func writeString(b *bytes.Buffer, s string) {
	enc, _ := json.Marshal(s) // a string always marshals
	b.Write(enc)
}

// UsesKey reports whether a condition of the policy tests a context key
// that begins with prefix (case-insensitively), so that a caller can leave
// out keys that are costly to find, such as aws:ResourceTag/*, when no
// policy asks for them.
func (p *Policy) UsesKey(prefix string) bool {
	for _, s := range p.statements {
		for _, c := range s.conditions {
			if len(c.key) >= len(prefix) && strings.EqualFold(c.key[:len(prefix)], prefix) {
				return true
			}
		}
	}
	return false
}
