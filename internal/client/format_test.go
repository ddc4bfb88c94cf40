package client

import (
	"bytes"
	"testing"
)

// TestWriteCLIJSON checks the printing against what Python's
// json.dumps(json.loads(in), indent=4, ensure_ascii=False) gives (the AWS
// CLI's printing), worked out with Python 3.11.
func TestWriteCLIJSON(t *testing.T) {
	in := `{"a": [], "b": {}, "c": [1, 2.50, 1796611280.000, 1e20, 0.00001, -3.25e-7, 1796611280.1, true, false, null], "d": "x\u003c\u00e9\u2028\n\t\u0001\u007f\\\"/"}`
	want := "{\n    \"a\": [],\n    \"b\": {},\n    \"c\": [\n        1,\n        2.5,\n        1796611280.0,\n        1e+20,\n        1e-05,\n        -3.25e-07,\n        1796611280.1,\n        true,\n        false,\n        null\n    ],\n    \"d\": \"x<\u00e9\u2028\\n\\t\\u0001\u007f\\\\\\\"/\"\n}\n"
	var out bytes.Buffer
	if err := WriteCLIJSON(&out, []byte(in)); err != nil {
		t.Fatal(err)
	}
	if out.String() != want {
		t.Errorf("printed\n%q\nwant\n%q", out.String(), want)
	}
	if err := WriteCLIJSON(&out, []byte(`{"a": [1,}`)); err == nil {
		t.Error("malformed JSON printed without an error")
	}
}
