package swftest

import (
	"bytes"
	"sync"
)

// Log is a buffer that a server (or any other goroutines) may write while a
// test reads it: the place to send a server's logs whose lines a test
// looks for.
type Log struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String is everything written so far.
func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
