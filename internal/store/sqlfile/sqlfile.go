// Package sqlfile reads a file of named SQL statements, the form in which
// each store keeps its dialect's queries (sqlite/queries.sql,
// postgres/queries.sql): every statement follows a "-- name: Name" header
// and runs to the next one. Lines that are only a comment are left out, as
// is a statement's closing semicolon, so that code may add a clause to a
// statement (a lock, in a write).
//
// It is the loader of the convention that sqlc and yesql read, without
// their code generation: the stores bind parameters themselves (SQLite by
// :name, PostgreSQL by $n), and a few statements are composed per call.
//
// It also lists each store's schema migrations (Migrations), files that the
// store applies in order, each once.
package sqlfile

import (
	"fmt"
	"strings"
)

// Queries maps each statement's name to its text.
type Queries map[string]string

// Parse reads the named statements of src. A name given twice, a
// statement with no text, or text before the first name is an error.
func Parse(src string) (Queries, error) {
	out := Queries{}
	var name string
	var body strings.Builder
	flush := func() error {
		text := strings.TrimSpace(body.String())
		body.Reset()
		switch {
		case name == "" && text != "":
			return fmt.Errorf("sqlfile: a statement has no -- name: header: %.40q", text)
		case name == "":
			return nil
		case text == "":
			return fmt.Errorf("sqlfile: statement %s is empty", name)
		}
		if _, dup := out[name]; dup {
			return fmt.Errorf("sqlfile: statement %s is named twice", name)
		}
		out[name] = strings.TrimSpace(strings.TrimSuffix(text, ";"))
		return nil
	}
	for _, line := range strings.Split(src, "\n") {
		if rest, ok := strings.CutPrefix(line, "-- name:"); ok {
			if err := flush(); err != nil {
				return nil, err
			}
			name = strings.TrimSpace(rest)
			if name == "" {
				return nil, fmt.Errorf("sqlfile: a -- name: header has no name")
			}
			continue
		}
		if !strings.HasPrefix(strings.TrimSpace(line), "--") {
			body.WriteString(line)
			body.WriteByte('\n')
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}

// MustParse is Parse for a file embedded in the program, whose errors are
// the program's: it panics on one.
func MustParse(src string) Queries {
	q, err := Parse(src)
	if err != nil {
		panic(err)
	}
	return q
}

// Get returns the named statement; it panics if there is none, a mistake
// in the program that its first test run shows.
func (q Queries) Get(name string) string {
	text, ok := q[name]
	if !ok {
		panic("sqlfile: no statement named " + name)
	}
	return text
}
