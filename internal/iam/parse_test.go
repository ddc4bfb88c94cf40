package iam

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// doc builds a 2012-10-17 policy document from statement objects.
func doc(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

const okStmt = `{"Effect":"Allow","Action":"swf:*","Resource":"*"}`

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		stmt int    // want ParseError.Statement
		want string // want Error()
	}{
		{"not JSON", `{"Version":`, -1, "invalid JSON: "},
		{"not an object", `[]`, -1, "policy document must be an object"},
		{"trailing", `{"Statement":[]} {}`, -1, "invalid JSON: "},
		{"unknown version", `{"Version":"2012-10-18","Statement":[]}`, -1, `unknown Version "2012-10-18"`},
		{"version not string", `{"Version":2012,"Statement":[]}`, -1, "Version must be a string"},
		{"id not string", `{"Id":1,"Statement":[]}`, -1, "Id must be a string"},
		{"unknown element", `{"Statements":[]}`, -1, `unknown element "Statements"`},
		{"element case", `{"statement":[]}`, -1, `unknown element "statement"`},
		{"duplicate element", `{"Statement":[],"Statement":[]}`, -1, `policy document has duplicate element "Statement"`},
		{"missing statement", `{"Version":"2012-10-17"}`, -1, "missing Statement"},
		{"statement string", `{"Statement":"x"}`, -1, "Statement must be an object or an array of objects"},
		{"statement not object", doc(okStmt, `"x"`), 1, "Statement[1]: statement must be an object"},
		{"unknown effect", doc(okStmt, okStmt, `{"Effect":"Alow","Action":"swf:*","Resource":"*"}`), 2, `Statement[2]: unknown Effect "Alow"`},
		{"effect case", doc(`{"Effect":"allow","Action":"swf:*","Resource":"*"}`), 0, `Statement[0]: unknown Effect "allow"`},
		{"effect missing", doc(`{"Action":"swf:*","Resource":"*"}`), 0, "Statement[0]: missing Effect"},
		{"effect type", doc(`{"Effect":true,"Action":"swf:*","Resource":"*"}`), 0, "Statement[0]: Effect must be a string"},
		{"principal", doc(`{"Effect":"Allow","Principal":"*","Action":"swf:*","Resource":"*"}`), 0, "Statement[0]: Principal is not allowed in an identity-based policy"},
		{"not principal", doc(okStmt, `{"Effect":"Deny","NotPrincipal":{"AWS":"x"},"Action":"swf:*","Resource":"*"}`), 1, "Statement[1]: NotPrincipal is not allowed in an identity-based policy"},
		{"unknown stmt element", doc(`{"Effect":"Allow","action":"swf:*","Resource":"*"}`), 0, `Statement[0]: unknown element "action"`},
		{"duplicate stmt element", doc(`{"Effect":"Allow","Effect":"Deny","Action":"swf:*","Resource":"*"}`), 0, `Statement[0]: statement has duplicate element "Effect"`},
		{"action and notaction", doc(`{"Effect":"Allow","Action":"swf:*","NotAction":"swf:X","Resource":"*"}`), 0, "Statement[0]: Action and NotAction cannot both be present"},
		{"no action", doc(`{"Effect":"Allow","Resource":"*"}`), 0, "Statement[0]: missing Action or NotAction"},
		{"action number", doc(`{"Effect":"Allow","Action":3,"Resource":"*"}`), 0, "Statement[0]: Action must be a string or an array of strings"},
		{"action array of numbers", doc(`{"Effect":"Allow","Action":[3],"Resource":"*"}`), 0, "Statement[0]: Action must be a string or an array of strings"},
		{"action empty", doc(`{"Effect":"Allow","Action":[],"Resource":"*"}`), 0, "Statement[0]: Action must not be an empty array"},
		{"action no vendor", doc(`{"Effect":"Allow","Action":"StartWorkflowExecution","Resource":"*"}`), 0, `Statement[0]: Action "StartWorkflowExecution" must be "*" or of the form service:action`},
		{"action empty name", doc(`{"Effect":"Allow","NotAction":["swf:"],"Resource":"*"}`), 0, `Statement[0]: NotAction "swf:" must be "*" or of the form service:action`},
		{"resource and notresource", doc(`{"Effect":"Allow","Action":"swf:*","Resource":"*","NotResource":"*"}`), 0, "Statement[0]: Resource and NotResource cannot both be present"},
		{"no resource", doc(`{"Effect":"Allow","Action":"swf:*"}`), 0, "Statement[0]: missing Resource or NotResource"},
		{"resource not arn", doc(`{"Effect":"Allow","Action":"swf:*","Resource":"orders"}`), 0, `Statement[0]: Resource "orders" must be an ARN or "*"`},
		{"sid type", doc(`{"Sid":1,"Effect":"Allow","Action":"swf:*","Resource":"*"}`), 0, "Statement[0]: Sid must be a string"},
		{"sid chars", doc(`{"Sid":"a-b","Effect":"Allow","Action":"swf:*","Resource":"*"}`), 0, `Statement[0]: Sid "a-b" must be alphanumeric`},
		{"sid duplicate", doc(`{"Sid":"A","Effect":"Allow","Action":"swf:*","Resource":"*"}`, `{"Sid":"A","Effect":"Deny","Action":"swf:*","Resource":"*"}`), 1, `Statement[1]: duplicate Sid "A"`},
		{"condition not object", doc(`{"Effect":"Allow","Action":"swf:*","Resource":"*","Condition":[]}`), 0, "Statement[0]: Condition must be an object"},
		{"unknown operator", doc(okStmt, `{"Effect":"Allow","Action":"swf:*","Resource":"*","Condition":{"NumericFoo":{"swf:a":"1"}}}`), 1, `Statement[1]: unsupported condition operator "NumericFoo"`},
		{"operator case", doc(`{"Effect":"Allow","Action":"swf:*","Resource":"*","Condition":{"stringequals":{"swf:a":"1"}}}`), 0, `Statement[0]: unsupported condition operator "stringequals"`},
		{"null ifexists", doc(`{"Effect":"Allow","Action":"swf:*","Resource":"*","Condition":{"NullIfExists":{"swf:a":"true"}}}`), 0, `Statement[0]: unsupported condition operator "NullIfExists"`},
		{"null set", doc(`{"Effect":"Allow","Action":"swf:*","Resource":"*","Condition":{"ForAnyValue:Null":{"swf:a":"true"}}}`), 0, `Statement[0]: unsupported condition operator "ForAnyValue:Null"`},
		{"bad set prefix", doc(`{"Effect":"Allow","Action":"swf:*","Resource":"*","Condition":{"ForSomeValues:StringEquals":{"swf:a":"x"}}}`), 0, `Statement[0]: unsupported condition operator "ForSomeValues:StringEquals"`},
		{"operator not object", doc(`{"Effect":"Allow","Action":"swf:*","Resource":"*","Condition":{"StringEquals":"x"}}`), 0, "Statement[0]: Condition StringEquals must be an object"},
		{"key no vendor", doc(`{"Effect":"Allow","Action":"swf:*","Resource":"*","Condition":{"StringEquals":{"username":"x"}}}`), 0, `Statement[0]: StringEquals: condition key "username" must be of the form service:key`},
		{"duplicate key", doc(`{"Effect":"Allow","Action":"swf:*","Resource":"*","Condition":{"StringEquals":{"swf:a":"x","SWF:A":"y"}}}`), 0, `Statement[0]: StringEquals: duplicate condition key "SWF:A"`},
		{"duplicate operator", doc(`{"Effect":"Allow","Action":"swf:*","Resource":"*","Condition":{"StringEquals":{"swf:a":"x"},"StringEquals":{"swf:b":"y"}}}`), 0, `Statement[0]: Condition has duplicate element "StringEquals"`},
		{"value object", doc(`{"Effect":"Allow","Action":"swf:*","Resource":"*","Condition":{"StringEquals":{"swf:a":{}}}}`), 0, `Statement[0]: StringEquals: "swf:a": values must be strings, numbers or booleans`},
		{"value null", doc(`{"Effect":"Allow","Action":"swf:*","Resource":"*","Condition":{"StringEquals":{"swf:a":["x",null]}}}`), 0, `Statement[0]: StringEquals: "swf:a": values must be strings, numbers or booleans`},
		{"value empty", doc(`{"Effect":"Allow","Action":"swf:*","Resource":"*","Condition":{"StringEquals":{"swf:a":[]}}}`), 0, `Statement[0]: StringEquals: "swf:a": no values`},
		{"numeric value", doc(`{"Effect":"Allow","Action":"swf:*","Resource":"*","Condition":{"NumericLessThan":{"swf:n":"ten"}}}`), 0, `Statement[0]: NumericLessThan: "swf:n": value "ten" is not a number`},
		{"numeric hex", doc(`{"Effect":"Allow","Action":"swf:*","Resource":"*","Condition":{"NumericEquals":{"swf:n":"0x10"}}}`), 0, `value "0x10" is not a number`},
		{"numeric inf", doc(`{"Effect":"Allow","Action":"swf:*","Resource":"*","Condition":{"NumericEquals":{"swf:n":"Inf"}}}`), 0, `value "Inf" is not a number`},
		{"numeric overflow", doc(`{"Effect":"Allow","Action":"swf:*","Resource":"*","Condition":{"NumericEquals":{"swf:n":1e999}}}`), 0, `value "1e999" is not a number`},
		{"date value", doc(`{"Effect":"Allow","Action":"swf:*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"tomorrow"}}}`), 0, `Statement[0]: DateLessThan: "aws:CurrentTime": value "tomorrow" is not a date`},
		{"bool value", doc(`{"Effect":"Allow","Action":"swf:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"yes"}}}`), 0, `Statement[0]: Bool: "aws:SecureTransport": value "yes" is not true or false`},
		{"null value", doc(`{"Effect":"Allow","Action":"swf:*","Resource":"*","Condition":{"Null":{"swf:a":1}}}`), 0, `Statement[0]: Null: "swf:a": value "1" is not true or false`},
		{"ip value", doc(`{"Effect":"Allow","Action":"swf:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}}`), 0, `Statement[0]: IpAddress: "aws:SourceIp": value "10.0.0.0/33" is not an IP address or CIDR block`},
		{"binary value", doc(`{"Effect":"Allow","Action":"swf:*","Resource":"*","Condition":{"BinaryEquals":{"swf:b":"not base64!"}}}`), 0, `Statement[0]: BinaryEquals: "swf:b": value "not base64!" is not base-64`},
		{"statement object index", `{"Statement":{"Effect":"Alow","Action":"swf:*","Resource":"*"}}`, 0, `Statement[0]: unknown Effect "Alow"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.doc))
			if err == nil {
				t.Fatalf("Parse succeeded (%v), want error %q", p, tt.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is %T, want *ParseError", err, err)
			}
			if pe.Statement != tt.stmt {
				t.Errorf("Statement = %d, want %d (%v)", pe.Statement, tt.stmt, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	for _, d := range []string{
		`{"Statement":[]}`,
		`{"Version":"2008-10-17","Statement":` + okStmt + `}`,
		`{"Version":"2012-10-17","Id":"cd3ad3d9-2776-4ef1-a904-4c229d1642ee","Statement":[` + okStmt + `]}`,
		doc(`{"Sid":"AllowAll1","Effect":"Allow","Action":["swf:*","swf:List*"],"Resource":["*","arn:aws:swf:*:*:/domain/*"]}`),
		doc(`{"Effect":"Deny","NotAction":"swf:List*","NotResource":"arn:aws:swf:us-east-1:123456789012:/domain/orders"}`),
		doc(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{}}`),
		doc(`{"Effect":"Allow","Action":"swf:*","Resource":"*","Condition":{"StringEquals":{}}}`),
		doc(`{"Effect":"Allow","Action":"swf:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":true},"NumericLessThan":{"swf:n":[10,"2.5e1",-3]},"Null":{"swf:a":false}}}`),
		doc(`{"Effect":"Allow","Action":"swf:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"${aws:x}"}}}`),
		doc(`{"Effect":"Allow","Action":"swf:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":["2024-01-01T00:00:00Z","2024-01-01","1700000000","2024-01-01T10:00+02:00"]}}}`),
		doc(`{"Effect":"Allow","Action":"swf:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.1.1","2001:db8::/32"]}}}`),
		doc(`{"Effect":"Allow","Action":"swf:*","Resource":"*","Condition":{"ForAllValues:StringLikeIfExists":{"swf:tagList.member.0":"a*"}}}`),
		"  " + doc(okStmt) + "\n",
	} {
		if _, err := Parse([]byte(d)); err != nil {
			t.Errorf("Parse(%s): %v", d, err)
		}
	}
}

func TestMustParsePanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), `unknown Effect "Alow"`) {
			t.Errorf("recover() = %v", r)
		}
	}()
	MustParse(`{"Statement":{"Effect":"Alow","Action":"*","Resource":"*"}}`)
}

func TestMarshalRoundTrip(t *testing.T) {
	in := `{
	  "Version": "2012-10-17",
	  "Id": "p1",
	  "Statement": {
	    "Sid": "S1",
	    "Effect": "Deny",
	    "NotAction": ["swf:List*", "swf:Describe*"],
	    "Resource": "arn:aws:swf:*:123456789012:/domain/${aws:username}",
	    "Condition": {
	      "StringNotEqualsIfExists": {"swf:taskList.name": ["a", "b<&>"], "swf:workflowType.name": "w"},
	      "Bool": {"aws:SecureTransport": true},
	      "NumericLessThan": {"swf:n": 1.5e2}
	    }
	  }
	}`
	p := MustParse(in)
	out, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Version":"2012-10-17","Id":"p1","Statement":[{"Sid":"S1","Effect":"Deny",` +
		`"NotAction":["swf:List*","swf:Describe*"],` +
		`"Resource":"arn:aws:swf:*:123456789012:/domain/${aws:username}",` +
		`"Condition":{"StringNotEqualsIfExists":{"swf:taskList.name":["a","b\u003c\u0026\u003e"],"swf:workflowType.name":"w"},` +
		`"Bool":{"aws:SecureTransport":"true"},"NumericLessThan":{"swf:n":"1.5e2"}}}]}`
	if string(out) != want {
		t.Errorf("Marshal =\n%s\nwant\n%s", out, want)
	}
	again, err := Parse(out)
	if err != nil {
		t.Fatalf("Parse(Marshal): %v", err)
	}
	out2, _ := json.Marshal(again)
	if string(out2) != string(out) {
		t.Errorf("second round trip differs:\n%s\n%s", out2, out)
	}
	// The zero Policy marshals to a document that parses and allows nothing.
	zero, err := json.Marshal(Policy{})
	if err != nil || string(zero) != `{"Statement":[]}` {
		t.Errorf("Marshal(Policy{}) = %s, %v", zero, err)
	}
}

func TestUnmarshalJSONEmbedded(t *testing.T) {
	var cfg struct {
		Keys []struct {
			AccessKey string
			Policies  []*Policy
		}
		Default Policy
		Missing *Policy
	}
	in := `{
	  "Keys": [{"AccessKey": "AKIA1", "Policies": [
	    {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "swf:*", "Resource": "*"}},
	    "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Deny\",\"Action\":\"swf:Terminate*\",\"Resource\":\"*\"}}"
	  ]}],
	  "Default": null,
	  "Missing": null
	}`
	if err := json.Unmarshal([]byte(in), &cfg); err != nil {
		t.Fatal(err)
	}
	ps := cfg.Keys[0].Policies
	if got := Evaluate(ps, Request{Action: "swf:StartWorkflowExecution", Resource: "*"}); got != Allow {
		t.Errorf("start: %v, want Allow", got)
	}
	if got := Evaluate(ps, Request{Action: "swf:TerminateWorkflowExecution", Resource: "*"}); got != ExplicitDeny {
		t.Errorf("terminate: %v, want ExplicitDeny", got)
	}
	if cfg.Missing != nil || len(cfg.Default.statements) != 0 {
		t.Errorf("null policies: %+v %+v", cfg.Missing, cfg.Default)
	}

	bad := `{"Keys":[{"Policies":[{"Statement":{"Effect":"Alow","Action":"*","Resource":"*"}}]}]}`
	err := json.Unmarshal([]byte(bad), &cfg)
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Statement != 0 {
		t.Errorf("Unmarshal of a bad policy: %v", err)
	}
}
