package postgres

import (
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/puddle/v2"

	"github.com/openswf/openswf/internal/store"
)

// outage marks err as store.ErrUnavailable when it says that PostgreSQL
// could not do the work for a reason outside the request, and returns every
// other error as it is. An outage is: no connection (refused, reset, lost,
// timed out, the pool closed), or a server that refuses all work for now —
// SQLSTATE classes 08 (connection exception), 53 (insufficient resources:
// disk full, out of memory, too many connections) and 58 (system error,
// such as an I/O error), a server shutting down or starting up (57P01–03),
// and a read-only server (25006: a standby after a failover).
func outage(err error) error {
	if err == nil {
		return nil
	}
	if pgErr := (*pgconn.PgError)(nil); errors.As(err, &pgErr) {
		switch c := pgErr.Code; {
		case strings.HasPrefix(c, "08"), strings.HasPrefix(c, "53"), strings.HasPrefix(c, "58"),
			c == "57P01", c == "57P02", c == "57P03", c == "25006":
			return store.Unavailable(err)
		}
		return err
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	switch {
	case errors.As(err, &connectErr), errors.As(err, &netErr),
		errors.Is(err, puddle.ErrClosedPool), errors.Is(err, pgconn.ErrConnClosed),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		pgconn.SafeToRetry(err), pgconn.Timeout(err):
		return store.Unavailable(err)
	}
	return err
}
