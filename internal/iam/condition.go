package iam

import (
	"encoding/base64"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// baseOp is a condition operator without its negation, IfExists suffix and
// set prefix.
type baseOp uint8

const (
	opString baseOp = iota // StringEquals, StringNotEquals
	opStringIgnoreCase
	opStringLike
	opNumericEquals
	opNumericLessThan
	opNumericLessThanEquals
	opNumericGreaterThan
	opNumericGreaterThanEquals
	opDateEquals
	opDateLessThan
	opDateLessThanEquals
	opDateGreaterThan
	opDateGreaterThanEquals
	opBool
	opBinary
	opIPAddress
	opArn // ArnEquals and ArnLike, which IAM documents as the same match
	opNull
)

// opDef is what an operator name means.
type opDef struct {
	base    baseOp
	negated bool
}

// operators are the condition operators of IAM, without IfExists and set
// prefixes.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
var operators = map[string]opDef{
	"StringEquals":              {opString, false},
	"StringNotEquals":           {opString, true},
	"StringEqualsIgnoreCase":    {opStringIgnoreCase, false},
	"StringNotEqualsIgnoreCase": {opStringIgnoreCase, true},
	"StringLike":                {opStringLike, false},
	"StringNotLike":             {opStringLike, true},
	"NumericEquals":             {opNumericEquals, false},
	"NumericNotEquals":          {opNumericEquals, true},
	"NumericLessThan":           {opNumericLessThan, false},
	"NumericLessThanEquals":     {opNumericLessThanEquals, false},
	"NumericGreaterThan":        {opNumericGreaterThan, false},
	"NumericGreaterThanEquals":  {opNumericGreaterThanEquals, false},
	"DateEquals":                {opDateEquals, false},
	"DateNotEquals":             {opDateEquals, true},
	"DateLessThan":              {opDateLessThan, false},
	"DateLessThanEquals":        {opDateLessThanEquals, false},
	"DateGreaterThan":           {opDateGreaterThan, false},
	"DateGreaterThanEquals":     {opDateGreaterThanEquals, false},
	"Bool":                      {opBool, false},
	"BinaryEquals":              {opBinary, false},
	"IpAddress":                 {opIPAddress, false},
	"NotIpAddress":              {opIPAddress, true},
	"ArnEquals":                 {opArn, false},
	"ArnLike":                   {opArn, false},
	"ArnNotEquals":              {opArn, true},
	"ArnNotLike":                {opArn, true},
	"Null":                      {opNull, false},
}

// setOp is a condition's set prefix, for multivalued context keys.
type setOp uint8

const (
	setNone setOp = iota
	setAnyValue
	setAllValues
)

// condition is one operator applied to one context key: a Condition block
// compiles to one condition per operator and key, all of which must hold.
type condition struct {
	op       string // the operator as written, e.g. "ForAnyValue:StringLikeIfExists"
	key      string // the context key as written
	values   []string
	base     baseOp
	negated  bool
	ifExists bool
	set      setOp

	// The compiled values; which is used depends on base.
	pats  []pattern
	nums  []float64
	times []time.Time
	nets  []netip.Prefix
	nulls []bool
}

// parseOperator splits an operator name into its parts. ok is false for an
// operator IAM does not have; IfExists and set prefixes make no sense with
// Null, which tests for presence itself.
func parseOperator(name string) (c condition, ok bool) {
	c.op = name
	rest := name
	if r, found := strings.CutPrefix(rest, "ForAnyValue:"); found {
		c.set, rest = setAnyValue, r
	} else if r, found := strings.CutPrefix(rest, "ForAllValues:"); found {
		c.set, rest = setAllValues, r
	}
	rest, c.ifExists = strings.CutSuffix(rest, "IfExists")
	def, ok := operators[rest]
	if !ok || (def.base == opNull && (c.ifExists || c.set != setNone)) {
		return condition{}, false
	}
	c.base, c.negated = def.base, def.negated
	return c, true
}

// compile checks the condition's values and compiles them. vars tells
// whether policy variables are recognised (Version 2012-10-17).
func (c *condition) compile(vars bool) error {
	for _, v := range c.values {
		if err := c.compileValue(v, vars); err != nil {
			return fmt.Errorf("%s: %q: %w", c.op, c.key, err)
		}
	}
	return nil
}

func (c *condition) compileValue(v string, vars bool) error {
	switch c.base {
	case opString:
		c.pats = append(c.pats, compilePattern(v, patOpts{vars: vars}))
	case opStringIgnoreCase:
		c.pats = append(c.pats, compilePattern(v, patOpts{vars: vars, fold: true}))
	case opStringLike:
		c.pats = append(c.pats, compilePattern(v, patOpts{vars: vars, wild: true}))
	case opArn:
		// "Each of the six colon-delimited components of the ARN is checked
		// separately and each can include multi-character match wildcards
		// (*) or single-character match wildcards (?)", for ArnEquals and
		// ArnLike alike: the ARN mode of Resource matching.
		c.pats = append(c.pats, compilePattern(v, patOpts{vars: vars, wild: true, arn: true}))
	case opBool:
		p := compilePattern(v, patOpts{vars: vars, fold: true})
		if p.nvars == 0 && !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
			return fmt.Errorf("value %q is not true or false", v)
		}
		c.pats = append(c.pats, p)
	case opNull:
		switch {
		case strings.EqualFold(v, "true"):
			c.nulls = append(c.nulls, true)
		case strings.EqualFold(v, "false"):
			c.nulls = append(c.nulls, false)
		default:
			return fmt.Errorf("value %q is not true or false", v)
		}
	case opNumericEquals, opNumericLessThan, opNumericLessThanEquals, opNumericGreaterThan, opNumericGreaterThanEquals:
		f, ok := parseNumber(v)
		if !ok {
			return fmt.Errorf("value %q is not a number", v)
		}
		c.nums = append(c.nums, f)
	case opDateEquals, opDateLessThan, opDateLessThanEquals, opDateGreaterThan, opDateGreaterThanEquals:
		t, ok := parseDate(v)
		if !ok {
			return fmt.Errorf("value %q is not a date (ISO 8601 or epoch seconds)", v)
		}
		c.times = append(c.times, t)
	case opIPAddress:
		p, ok := parseNet(v)
		if !ok {
			return fmt.Errorf("value %q is not an IP address or CIDR block", v)
		}
		c.nets = append(c.nets, p)
	case opBinary:
		if _, err := base64.StdEncoding.DecodeString(v); err != nil {
			return fmt.Errorf("value %q is not base-64", v)
		}
	}
	return nil
}

// holds reports whether the condition holds for the request context ctx.
//
// Absent keys follow the IAM User Guide: "If the key that you specify in a
// policy condition is not present in the request context, the values do not
// match and the condition is false. If the policy condition requires that
// the key is not matched, such as StringNotLike or ArnNotLike, and the right
// key is not present, the condition is true. This logic applies to all
// condition operators except ...IfExists and Null check."
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
// With IfExists an absent key makes the condition true. With a set prefix,
// ForAllValues holds for an absent or empty key and ForAnyValue does not.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
//
// Several values for one key are ORed, and for a negated operator NORed:
// the request value must match none of them.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html
// Without a set prefix, a key with several values in the request is treated
// as ForAnyValue for a positive operator (some request value matches) and as
// ForAllValues for a negated one (no request value matches), that is as the
// negation of the positive condition.
func (c *condition) holds(ctx map[string][]string) bool {
	vals := lookup(ctx, c.key)
	if c.base == opNull {
		absent := len(vals) == 0
		for _, want := range c.nulls {
			if want == absent {
				return true
			}
		}
		return false
	}
	if len(vals) == 0 {
		switch {
		case c.ifExists:
			return true
		case c.set == setAllValues:
			return true
		case c.set == setAnyValue:
			return false
		}
		return c.negated
	}
	switch c.set {
	case setAnyValue:
		for _, v := range vals {
			if c.matches(v, ctx) != c.negated {
				return true
			}
		}
		return false
	case setAllValues:
		for _, v := range vals {
			if c.matches(v, ctx) == c.negated {
				return false
			}
		}
		return true
	}
	for _, v := range vals {
		if c.matches(v, ctx) {
			return !c.negated
		}
	}
	return c.negated
}

// matches reports whether the request value v matches any of the
// condition's values, under the positive form of the operator. A request
// value that does not parse as the operator's type matches nothing.
func (c *condition) matches(v string, ctx map[string][]string) bool {
	switch c.base {
	case opString, opStringIgnoreCase, opStringLike, opArn, opBool:
		for i := range c.pats {
			if c.pats[i].match(v, ctx) {
				return true
			}
		}
	case opNumericEquals, opNumericLessThan, opNumericLessThanEquals, opNumericGreaterThan, opNumericGreaterThanEquals:
		x, ok := parseNumber(v)
		if !ok {
			return false
		}
		for _, n := range c.nums {
			if compare(c.base-opNumericEquals, cmpFloat(x, n)) {
				return true
			}
		}
	case opDateEquals, opDateLessThan, opDateLessThanEquals, opDateGreaterThan, opDateGreaterThanEquals:
		t, ok := parseDate(v)
		if !ok {
			return false
		}
		for _, d := range c.times {
			if compare(c.base-opDateEquals, t.Compare(d)) {
				return true
			}
		}
	case opIPAddress:
		a, err := netip.ParseAddr(v)
		if err != nil {
			return false
		}
		a = a.Unmap()
		for _, n := range c.nets {
			if n.Contains(a) {
				return true
			}
		}
	case opBinary:
		for _, b := range c.values {
			if b == v {
				return true
			}
		}
	}
	return false
}

// compare applies the comparison rel (Equals, LessThan, LessThanEquals,
// GreaterThan, GreaterThanEquals, in the order of the operator constants)
// to the result of a three-way comparison of request and policy values.
func compare(rel baseOp, cmp int) bool {
	switch rel {
	case 0:
		return cmp == 0
	case 1:
		return cmp < 0
	case 2:
		return cmp <= 0
	case 3:
		return cmp > 0
	default:
		return cmp >= 0
	}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// parseNumber parses a decimal number: an optional sign, digits with an
// optional fraction, and an optional exponent. Go's hexadecimal, infinity
// and NaN forms are not numbers to IAM.
func parseNumber(s string) (float64, bool) {
	if !isDecimal(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

func isDecimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for ; i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
		digits++
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for ; i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

// dateLayouts are the W3C profile of ISO 8601 forms accepted for dates,
// besides epoch seconds. A time without a zone is UTC.
var dateLayouts = []string{
	time.RFC3339, // fractional seconds are accepted too
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02",
}

// parseDate parses a date as IAM's Date operators take it: ISO 8601 or
// epoch (UNIX) seconds.
func parseDate(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	if allDigits(s) || (s[0] == '-' && allDigits(s[1:])) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		return time.Unix(n, 0).UTC(), true
	}
	if len(s) < len("2006-01-02") || s[4] != '-' {
		return time.Time{}, false // spare time.Parse (and its error) for the obvious misses
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseNet parses an IpAddress value: a CIDR block or a single address.
func parseNet(s string) (netip.Prefix, bool) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
			if !p.IsValid() {
				return netip.Prefix{}, false
			}
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), true
}
