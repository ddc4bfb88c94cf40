package sqlite

import (
	"database/sql"
	"errors"

	"github.com/openswf/openswf/internal/store"

	"modernc.org/sqlite"
)

// Primary result codes of SQLite that say the database cannot do the work
// at the moment, whatever the work is (https://sqlite.org/rescode.html).
const (
	codeBusy     = 5  // SQLITE_BUSY: another process holds the file
	codeLocked   = 6  // SQLITE_LOCKED
	codeNoMem    = 7  // SQLITE_NOMEM
	codeReadOnly = 8  // SQLITE_READONLY: the file or its directory is read-only
	codeIOErr    = 10 // SQLITE_IOERR: the operating system failed a read, write or sync
	codeFull     = 13 // SQLITE_FULL: the disk is full
	codeCantOpen = 14 // SQLITE_CANTOPEN
)

// outage marks err as store.ErrUnavailable when it says that the database
// could not do the work for a reason outside the request (a full or failing
// disk, a store that is closing), and returns every other error as it is.
func outage(err error) error {
	if err == nil {
		return nil
	}
	var e *sqlite.Error
	if errors.As(err, &e) {
		switch e.Code() & 0xff {
		case codeBusy, codeLocked, codeNoMem, codeReadOnly, codeIOErr, codeFull, codeCantOpen:
			return store.Unavailable(err)
		}
		return err
	}
	if errors.Is(err, errClosed) || errors.Is(err, sql.ErrConnDone) {
		return store.Unavailable(err)
	}
	return err
}
