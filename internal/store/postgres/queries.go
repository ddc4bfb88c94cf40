package postgres

import (
	_ "embed"

	"github.com/openswf/openswf/internal/store/sqlfile"
)

//go:embed queries.sql
var queriesSQL string

// queries are the statements of queries.sql, by name.
var queries = sqlfile.MustParse(queriesSQL)

// stmt is the statement of queries.sql with the given name; it panics if
// there is none (TestQueriesUsed checks every name the code gives).
func stmt(name string) string { return queries.Get(name) }
