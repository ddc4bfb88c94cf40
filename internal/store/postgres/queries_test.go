package postgres

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// Every name the code gives stmt is a statement of queries.sql, and every
// statement of queries.sql is run by the code (a name is given literally,
// as stmt("Name") or as a string stmt is later called with).
func TestQueriesUsed(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	quoted := regexp.MustCompile(`"([A-Z][A-Za-z]+)"`)
	named := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range quoted.FindAllStringSubmatch(string(src), -1) {
			named[m[1]] = true
		}
	}
	var unused []string
	for name := range queries {
		if !named[name] {
			unused = append(unused, name)
		}
	}
	sort.Strings(unused)
	if len(unused) > 0 {
		t.Errorf("statements of queries.sql that no code names: %v", unused)
	}
	used := regexp.MustCompile(`stmt\("([^"]+)"\)`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, _ := os.ReadFile(f)
		for _, m := range used.FindAllStringSubmatch(string(src), -1) {
			if _, ok := queries[m[1]]; !ok {
				t.Errorf("%s: stmt(%q) is not in queries.sql", f, m[1])
			}
		}
	}
}
