package iam

import (
	"fmt"
	"testing"
)

// condAllows reports whether a statement allowing everything under the one
// condition op {key: values} allows a request with context ctx.
func condAllows(t *testing.T, op, key, values string, ctx map[string][]string) bool {
	t.Helper()
	p, err := Parse([]byte(fmt.Sprintf(
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{%q:{%q:%s}}}}`,
		op, key, values)))
	if err != nil {
		t.Fatalf("%s %s %s: %v", op, key, values, err)
	}
	return Evaluate([]*Policy{p}, Request{Action: "swf:X", Resource: "*", Context: ctx}) == Allow
}

// v makes a context with the key k holding the values vs; with no values,
// the key is absent.
func v(k string, vs ...string) map[string][]string {
	if len(vs) == 0 {
		return map[string][]string{}
	}
	return map[string][]string{k: vs}
}

const k = "swf:k"

type condCase struct {
	op     string
	values string // JSON
	ctx    map[string][]string
	want   bool
}

func runCondCases(t *testing.T, cases []condCase) {
	t.Helper()
	for _, c := range cases {
		if got := condAllows(t, c.op, k, c.values, c.ctx); got != c.want {
			t.Errorf("%s {%q: %s} with %v = %v, want %v", c.op, k, c.values, c.ctx[k], got, c.want)
		}
	}
}

func TestStringOperators(t *testing.T) {
	runCondCases(t, []condCase{
		{"StringEquals", `"orders"`, v(k, "orders"), true},
		{"StringEquals", `"orders"`, v(k, "Orders"), false},
		{"StringEquals", `"orders"`, v(k, "orders2"), false},
		{"StringEquals", `"o*"`, v(k, "orders"), false}, // no wildcards
		{"StringEquals", `"o*"`, v(k, "o*"), true},
		{"StringEquals", `["a","b"]`, v(k, "b"), true}, // values ORed
		{"StringEquals", `["a","b"]`, v(k, "c"), false},
		{"StringEquals", `"orders"`, v(k), false}, // absent: false
		{"StringEquals", `""`, v(k, ""), true},
		{"StringEquals", `5`, v(k, "5"), true}, // numbers normalised to strings
		{"StringEquals", `true`, v(k, "true"), true},
		{"StringNotEquals", `"orders"`, v(k, "orders"), false},
		{"StringNotEquals", `"orders"`, v(k, "other"), true},
		{"StringNotEquals", `["a","b"]`, v(k, "a"), false}, // negated: NOR
		{"StringNotEquals", `["a","b"]`, v(k, "b"), false},
		{"StringNotEquals", `["a","b"]`, v(k, "c"), true},
		{"StringNotEquals", `"orders"`, v(k), true}, // absent: true for negated operators
		{"StringEqualsIgnoreCase", `"Orders"`, v(k, "oRDERS"), true},
		{"StringEqualsIgnoreCase", `"Orders"`, v(k, "orders2"), false},
		{"StringEqualsIgnoreCase", `"o*"`, v(k, "orders"), false},
		{"StringEqualsIgnoreCase", `"Orders"`, v(k), false},
		{"StringNotEqualsIgnoreCase", `"Orders"`, v(k, "ORDERS"), false},
		{"StringNotEqualsIgnoreCase", `"Orders"`, v(k, "billing"), true},
		{"StringNotEqualsIgnoreCase", `"Orders"`, v(k), true},
		{"StringLike", `"ord*"`, v(k, "orders"), true},
		{"StringLike", `"ord*"`, v(k, "Orders"), false}, // case-sensitive
		{"StringLike", `"ord?rs"`, v(k, "orders"), true},
		{"StringLike", `"*ers"`, v(k, "orders"), true},
		{"StringLike", `"*"`, v(k, ""), true},
		{"StringLike", `["x*","o*"]`, v(k, "orders"), true},
		{"StringLike", `"ord*"`, v(k), false},
		{"StringLike", `"a:*"`, v(k, "a:b:c"), true}, // not ARN mode: * crosses colons
		{"StringNotLike", `"ord*"`, v(k, "orders"), false},
		{"StringNotLike", `"ord*"`, v(k, "billing"), true},
		{"StringNotLike", `["b*","o*"]`, v(k, "orders"), false},
		{"StringNotLike", `"ord*"`, v(k), true},
	})
}

func TestStringVariables(t *testing.T) {
	ctx := map[string][]string{k: {"alice-tasks"}, "aws:username": {"alice"}}
	for _, c := range []struct {
		op, values string
		want       bool
	}{
		{"StringLike", `"${aws:username}-*"`, true},
		{"StringEquals", `"${aws:username}-tasks"`, true},
		{"StringEquals", `"${aws:userid}-tasks"`, false},         // no value: matches nothing
		{"StringNotEquals", `"${aws:userid}-tasks"`, true},       // ... so the negation holds
		{"StringEquals", `"${aws:userid, 'alice'}-tasks"`, true}, // default
		{"StringEqualsIgnoreCase", `"${aws:username}-TASKS"`, true},
		{"ArnLike", `"arn:aws:swf:*:*:/domain/${aws:username}"`, false},
	} {
		if got := condAllows(t, c.op, k, c.values, ctx); got != c.want {
			t.Errorf("%s %s = %v, want %v", c.op, c.values, got, c.want)
		}
	}
}

func TestNumericOperators(t *testing.T) {
	runCondCases(t, []condCase{
		{"NumericEquals", `10`, v(k, "10"), true},
		{"NumericEquals", `"10"`, v(k, "10.0"), true},
		{"NumericEquals", `10`, v(k, "1e1"), true},
		{"NumericEquals", `10`, v(k, "11"), false},
		{"NumericEquals", `10`, v(k, "ten"), false}, // unparsable request value matches nothing
		{"NumericEquals", `10`, v(k, "0xa"), false},
		{"NumericEquals", `10`, v(k), false},
		{"NumericEquals", `[1,2,3]`, v(k, "2"), true},
		{"NumericNotEquals", `10`, v(k, "10"), false},
		{"NumericNotEquals", `10`, v(k, "11"), true},
		{"NumericNotEquals", `[10,11]`, v(k, "11"), false},
		{"NumericNotEquals", `10`, v(k, "ten"), true},
		{"NumericNotEquals", `10`, v(k), true},
		{"NumericLessThan", `10`, v(k, "9.5"), true},
		{"NumericLessThan", `10`, v(k, "10"), false},
		{"NumericLessThan", `10`, v(k, "-100"), true},
		{"NumericLessThan", `10`, v(k), false},
		{"NumericLessThanEquals", `10`, v(k, "10"), true},
		{"NumericLessThanEquals", `10`, v(k, "10.01"), false},
		{"NumericGreaterThan", `10`, v(k, "10"), false},
		{"NumericGreaterThan", `10`, v(k, "+11"), true},
		{"NumericGreaterThan", `[10,100]`, v(k, "50"), true}, // ORed: > 10
		{"NumericGreaterThanEquals", `10`, v(k, "10"), true},
		{"NumericGreaterThanEquals", `10`, v(k, "9"), false},
		{"NumericGreaterThanEquals", `-1.5`, v(k, "-1.5"), true},
		{"NumericLessThanIfExists", `10`, v(k), true},
		{"NumericLessThanIfExists", `10`, v(k, "11"), false},
	})
}

func TestDateOperators(t *testing.T) {
	const noon = `"2024-06-01T12:00:00Z"`
	runCondCases(t, []condCase{
		{"DateEquals", noon, v(k, "2024-06-01T12:00:00Z"), true},
		{"DateEquals", noon, v(k, "2024-06-01T14:00:00+02:00"), true},
		{"DateEquals", noon, v(k, "1717243200"), true}, // epoch seconds
		{"DateEquals", `1717243200`, v(k, "2024-06-01T12:00:00Z"), true},
		{"DateEquals", noon, v(k, "2024-06-01T12:00:00.000Z"), true},
		{"DateEquals", noon, v(k, "2024-06-01T12:00:01Z"), false},
		{"DateEquals", `"2024-06-01"`, v(k, "2024-06-01T00:00:00Z"), true},
		{"DateEquals", noon, v(k, "yesterday"), false},
		{"DateEquals", noon, v(k), false},
		{"DateNotEquals", noon, v(k, "2024-06-01T12:00:00Z"), false},
		{"DateNotEquals", noon, v(k, "2024-06-02T12:00:00Z"), true},
		{"DateNotEquals", noon, v(k), true},
		{"DateLessThan", noon, v(k, "2024-06-01T11:59:59Z"), true},
		{"DateLessThan", noon, v(k, "2024-06-01T12:00:00Z"), false},
		{"DateLessThanEquals", noon, v(k, "2024-06-01T12:00:00Z"), true},
		{"DateLessThanEquals", noon, v(k, "2024-06-01T12:00:00.5Z"), false},
		{"DateGreaterThan", noon, v(k, "2025-01-01T00:00Z"), true},
		{"DateGreaterThan", noon, v(k, "2024-06-01T12:00:00Z"), false},
		{"DateGreaterThanEquals", noon, v(k, "2024-06-01T12:00:00Z"), true},
		{"DateGreaterThanEquals", noon, v(k, "2023-06-01"), false},
		{"DateGreaterThanIfExists", noon, v(k), true},
	})
}

func TestBoolBinaryIPOperators(t *testing.T) {
	runCondCases(t, []condCase{
		{"Bool", `true`, v(k, "true"), true},
		{"Bool", `"true"`, v(k, "TRUE"), true},
		{"Bool", `"True"`, v(k, "true"), true},
		{"Bool", `true`, v(k, "false"), false},
		{"Bool", `false`, v(k, "false"), true},
		{"Bool", `true`, v(k, "yes"), false},
		{"Bool", `true`, v(k), false},
		{"Bool", `false`, v(k), false}, // absent is not false
		{"BoolIfExists", `false`, v(k), true},
		{"BoolIfExists", `false`, v(k, "true"), false},
		{"BinaryEquals", `"QmluYXJ5VmFsdWVJbkJhc2U2NA=="`, v(k, "QmluYXJ5VmFsdWVJbkJhc2U2NA=="), true},
		{"BinaryEquals", `"QmluYXJ5VmFsdWVJbkJhc2U2NA=="`, v(k, "QmluYXJ5"), false},
		{"BinaryEquals", `"QmluYXJ5VmFsdWVJbkJhc2U2NA=="`, v(k), false},
		{"IpAddress", `"203.0.113.0/24"`, v(k, "203.0.113.7"), true},
		{"IpAddress", `"203.0.113.0/24"`, v(k, "203.0.114.7"), false},
		{"IpAddress", `"203.0.113.7"`, v(k, "203.0.113.7"), true},
		{"IpAddress", `"203.0.113.0/24"`, v(k, "::ffff:203.0.113.7"), true},
		{"IpAddress", `"2001:db8::/32"`, v(k, "2001:db8::1"), true},
		{"IpAddress", `"203.0.113.0/24"`, v(k, "not-an-ip"), false},
		{"IpAddress", `"203.0.113.0/24"`, v(k), false},
		{"IpAddress", `["10.0.0.0/8","203.0.113.0/24"]`, v(k, "10.1.2.3"), true},
		{"NotIpAddress", `"203.0.113.0/24"`, v(k, "203.0.113.7"), false},
		{"NotIpAddress", `"203.0.113.0/24"`, v(k, "198.51.100.1"), true},
		{"NotIpAddress", `"203.0.113.0/24"`, v(k), true},
	})
}

func TestArnOperators(t *testing.T) {
	const orders = "arn:aws:swf:us-east-1:123456789012:/domain/orders"
	runCondCases(t, []condCase{
		{"ArnEquals", `"` + orders + `"`, v(k, orders), true},
		{"ArnEquals", `"arn:aws:swf:*:123456789012:/domain/*"`, v(k, orders), true}, // ArnEquals takes wildcards too
		{"ArnLike", `"arn:aws:swf:*:123456789012:/domain/*"`, v(k, orders), true},
		{"ArnLike", `"arn:aws:swf:*:123456789012:/domain/O*"`, v(k, orders), false}, // case-sensitive
		{"ArnLike", `"arn:aws:swf:us-*1:/domain/orders"`, v(k, "arn:aws:swf:us-east-1:123456789011:/domain/orders"), false},
		{"ArnLike", `"arn:aws:swf:*:123456789012:/domain/*"`, v(k), false},
		{"ArnNotEquals", `"` + orders + `"`, v(k, orders), false},
		{"ArnNotEquals", `"` + orders + `"`, v(k, orders+"x"), true},
		{"ArnNotLike", `"arn:aws:swf:*:*:/domain/o*"`, v(k, orders), false},
		{"ArnNotLike", `"arn:aws:swf:*:*:/domain/b*"`, v(k, orders), true},
		{"ArnNotLike", `"arn:aws:swf:*:*:/domain/b*"`, v(k), true},
	})
}

func TestNullOperator(t *testing.T) {
	runCondCases(t, []condCase{
		{"Null", `true`, v(k), true}, // true: key must be absent
		{"Null", `"true"`, v(k, "x"), false},
		{"Null", `false`, v(k, "x"), true}, // false: key must be present
		{"Null", `false`, v(k), false},
		{"Null", `"TRUE"`, v(k), true},
		{"Null", `true`, map[string][]string{k: {}}, true}, // no values is absent
		{"Null", `["true","false"]`, v(k), true},
	})
}

func TestIfExists(t *testing.T) {
	runCondCases(t, []condCase{
		{"StringEqualsIfExists", `"a"`, v(k), true},
		{"StringEqualsIfExists", `"a"`, v(k, "a"), true},
		{"StringEqualsIfExists", `"a"`, v(k, "b"), false},
		{"StringNotEqualsIfExists", `"a"`, v(k), true},
		{"StringNotEqualsIfExists", `"a"`, v(k, "a"), false},
		{"StringNotEqualsIfExists", `"a"`, v(k, "b"), true},
		{"StringLikeIfExists", `"a*"`, v(k), true},
		{"StringLikeIfExists", `"a*"`, v(k, "ba"), false},
		{"StringEqualsIgnoreCaseIfExists", `"a"`, v(k, "A"), true},
		{"ArnLikeIfExists", `"arn:*"`, v(k), true},
		{"ArnLikeIfExists", `"arn:aws:*"`, v(k, "arn:other:x:y:z:w"), false},
		{"IpAddressIfExists", `"10.0.0.0/8"`, v(k), true},
		{"DateEqualsIfExists", `"2024-01-01"`, v(k, "2024-01-02"), false},
		{"BinaryEqualsIfExists", `"AA=="`, v(k), true},
	})
}

func TestSetOperators(t *testing.T) {
	runCondCases(t, []condCase{
		// ForAnyValue: at least one request value matches.
		{"ForAnyValue:StringEquals", `["a","b"]`, v(k, "x", "b"), true},
		{"ForAnyValue:StringEquals", `["a","b"]`, v(k, "x", "y"), false},
		{"ForAnyValue:StringEquals", `["a","b"]`, v(k), false}, // absent: false
		{"ForAnyValue:StringEquals", `["a","b"]`, map[string][]string{k: {}}, false},
		{"ForAnyValue:StringNotEquals", `["a","b"]`, v(k, "a", "c"), true}, // some value is neither a nor b
		{"ForAnyValue:StringNotEquals", `["a","b"]`, v(k, "a", "b"), false},
		{"ForAnyValue:StringNotEquals", `["a","b"]`, v(k), false},
		{"ForAnyValue:StringLike", `"prod-*"`, v(k, "dev", "prod-1"), true},
		{"ForAnyValue:StringEqualsIfExists", `"a"`, v(k), true},
		// ForAllValues: every request value matches.
		{"ForAllValues:StringEquals", `["a","b"]`, v(k, "a", "b"), true},
		{"ForAllValues:StringEquals", `["a","b"]`, v(k, "a"), true},
		{"ForAllValues:StringEquals", `["a","b"]`, v(k, "a", "c"), false},
		{"ForAllValues:StringEquals", `["a","b"]`, v(k), true}, // absent: true
		{"ForAllValues:StringEquals", `["a","b"]`, map[string][]string{k: {}}, true},
		{"ForAllValues:StringNotEquals", `["a","b"]`, v(k, "c", "d"), true}, // no value is a or b
		{"ForAllValues:StringNotEquals", `["a","b"]`, v(k, "c", "a"), false},
		{"ForAllValues:StringNotEquals", `["a","b"]`, v(k), true},
		{"ForAllValues:StringLike", `["a*","b*"]`, v(k, "ax", "by"), true},
		{"ForAllValues:StringLike", `["a*","b*"]`, v(k, "ax", "cy"), false},
		{"ForAllValues:NumericLessThan", `10`, v(k, "1", "2", "9"), true},
		{"ForAllValues:NumericLessThan", `10`, v(k, "1", "12"), false},
		{"ForAllValues:StringEqualsIfExists", `"a"`, v(k, "b"), false},
		{"ForAnyValue:ArnLike", `"arn:aws:swf:*:*:/domain/a*"`, v(k, "arn:aws:swf:r:1:/domain/b", "arn:aws:swf:r:1:/domain/ab"), true},
		{"ForAllValues:Bool", `true`, v(k, "true", "TRUE"), true},
		// Without a set prefix, several request values: positive operators
		// need one match, negated ones need none.
		{"StringEquals", `"a"`, v(k, "x", "a"), true},
		{"StringEquals", `"a"`, v(k, "x", "y"), false},
		{"StringNotEquals", `"a"`, v(k, "x", "a"), false},
		{"StringNotEquals", `"a"`, v(k, "x", "y"), true},
	})
}

func TestConditionBlockLogic(t *testing.T) {
	p := MustParse(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{
		"StringEquals": {"swf:a": ["1","2"], "swf:b": "x"},
		"StringLike":   {"swf:c": "p*"}
	}}}`)
	tests := []struct {
		ctx  map[string][]string
		want bool
	}{
		{map[string][]string{"swf:a": {"1"}, "swf:b": {"x"}, "swf:c": {"pq"}}, true},
		{map[string][]string{"swf:a": {"2"}, "swf:b": {"x"}, "swf:c": {"p"}}, true},
		{map[string][]string{"swf:a": {"3"}, "swf:b": {"x"}, "swf:c": {"p"}}, false}, // values ORed
		{map[string][]string{"swf:a": {"1"}, "swf:c": {"p"}}, false},                 // keys ANDed
		{map[string][]string{"swf:a": {"1"}, "swf:b": {"x"}, "swf:c": {"q"}}, false}, // operators ANDed
		{map[string][]string{"SWF:A": {"1"}, "Swf:B": {"x"}, "swf:C": {"p"}}, true},  // keys case-insensitive
		{nil, false},
	}
	for _, tt := range tests {
		if got := Evaluate([]*Policy{p}, Request{Action: "swf:X", Resource: "*", Context: tt.ctx}) == Allow; got != tt.want {
			t.Errorf("%v: %v, want %v", tt.ctx, got, tt.want)
		}
	}
}
