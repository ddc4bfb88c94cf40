package swfapi

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"time"
)

// Timestamp is a point in time as the SWF API carries it: a JSON number of
// seconds since the Unix epoch. It is written with millisecond precision
// (1326592619.474), as SWF writes it, and read from integers, decimals and
// exponent forms, which is what the various SDKs send.
type Timestamp struct {
	time.Time
}

// At wraps t as an optional Timestamp member, cut to millisecond precision
// like everything SWF stores.
func At(t time.Time) *Timestamp {
	return &Timestamp{Time: t.Truncate(time.Millisecond)}
}

// MarshalJSON writes seconds since the epoch with three decimals.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	ms := t.UnixMilli()
	sign := ""
	if ms < 0 {
		sign = "-"
		ms = -ms
	}
	return fmt.Appendf(nil, "%s%d.%03d", sign, ms/1000, ms%1000), nil
}

// UnmarshalJSON reads a number of seconds since the epoch. A string holding
// such a number, or an RFC 3339 time, is accepted as well.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	s := string(b)
	if len(b) >= 2 && b[0] == '"' {
		unq, err := strconv.Unquote(s)
		if err != nil {
			return fmt.Errorf("invalid timestamp %s", s)
		}
		if tm, err := time.Parse(time.RFC3339Nano, unq); err == nil {
			t.Time = tm
			return nil
		}
		s = unq
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e11 {
		return fmt.Errorf("invalid timestamp %s: expected seconds since the epoch", string(b))
	}
	sec, frac := math.Modf(f)
	t.Time = time.Unix(int64(sec), int64(math.Round(frac*1e3))*int64(time.Millisecond)).UTC()
	return nil
}
