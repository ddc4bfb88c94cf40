package sqlfile

import (
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	src := `-- Statements of a test, with a comment before the first.

-- name: One
SELECT 1
FROM t; 

-- name: Two
-- a comment inside a statement is left out
UPDATE t SET a = $1
WHERE id = $2;
-- name: Three
DELETE FROM t
`
	q, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	want := Queries{
		"One":   "SELECT 1\nFROM t",
		"Two":   "UPDATE t SET a = $1\nWHERE id = $2",
		"Three": "DELETE FROM t",
	}
	if !reflect.DeepEqual(q, want) {
		t.Fatalf("Parse = %q, want %q", q, want)
	}
	if got := q.Get("Two"); got != want["Two"] {
		t.Errorf("Get(Two) = %q", got)
	}
}

func TestParseErrors(t *testing.T) {
	for src, want := range map[string]string{
		"-- name: A\nSELECT 1;\n-- name: A\nSELECT 2;":        "named twice",
		"-- name: A\n-- only a comment\n-- name: B\nSELECT 1": "A is empty",
		"SELECT 1;\n-- name: A\nSELECT 2":                     "no -- name: header",
		"-- name:\nSELECT 1":                                  "has no name",
	} {
		_, err := Parse(src)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want an error with %q", src, err, want)
		}
	}
}

func TestGetUnknownPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Get of an unknown name did not panic")
		}
	}()
	Queries{"A": "SELECT 1"}.Get("B")
}
