package sqlfile

import (
	"testing"
	"testing/fstest"
)

func TestMigrationsInOrderOfTheirNumbers(t *testing.T) {
	fsys := fstest.MapFS{
		"m/0010_later.sql": {Data: []byte("SELECT 10")},
		"m/0002_two.sql":   {Data: []byte("SELECT 2")},
		"m/0001_first.sql": {Data: []byte("SELECT 1")},
	}
	all, err := Migrations(fsys, "m")
	if err != nil {
		t.Fatal(err)
	}
	want := []Migration{{1, "0001_first.sql", "SELECT 1"}, {2, "0002_two.sql", "SELECT 2"}, {10, "0010_later.sql", "SELECT 10"}}
	if len(all) != len(want) {
		t.Fatalf("got %v, want %v", all, want)
	}
	for i := range want {
		if all[i] != want[i] {
			t.Fatalf("migration %d: got %+v, want %+v", i, all[i], want[i])
		}
	}
}

func TestMigrationsNamedBadly(t *testing.T) {
	for _, name := range []string{"first.sql", "x1_first.sql", "0001first.sql", "0001_first.txt"} {
		if _, err := Migrations(fstest.MapFS{"m/" + name: {Data: []byte("SELECT 1")}}, "m"); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
