package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
)

// Backup writes a consistent copy of the database file at path to dest (a
// new file), while servers keep using the database: it reads one snapshot,
// as any reader does, and never blocks the writer. The copy is a complete
// database that a server can open as it is.
func Backup(ctx context.Context, path, dest string) error {
	if _, err := os.Stat(path); err != nil {
		return err
	}
	// The copy holds the token keys: readable by its owner only. O_EXCL
	// refuses an existing file, and a symbolic link even when it dangles,
	// so a backup never writes through a link someone planted.
	f, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s exists (or is a symbolic link): a backup is written to a new file", dest)
	}
	if err != nil {
		return err
	}
	created, err := f.Stat()
	f.Close()
	if err != nil {
		os.Remove(dest)
		return err
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Set("mode", "ro")
	db, err := sql.Open("sqlite", fileURI(path, q))
	if err != nil {
		os.Remove(dest)
		return err
	}
	defer db.Close()
	// VACUUM INTO writes into the empty file made above, keeping its mode.
	// Had it been swapped for a link meanwhile, the backup is refused.
	if fi, err := os.Lstat(dest); err != nil || !os.SameFile(fi, created) {
		return fmt.Errorf("%s was replaced while the backup began: refused", dest)
	}
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", dest); err != nil {
		os.Remove(dest)
		return fmt.Errorf("back up %s: %w", path, err)
	}
	if fi, err := os.Lstat(dest); err != nil || !os.SameFile(fi, created) {
		return fmt.Errorf("%s was replaced while the backup was written: it may not be the backup", dest)
	}
	return nil
}
