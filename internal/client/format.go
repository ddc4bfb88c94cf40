package client

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// WriteHistory writes events as `aws swf get-workflow-execution-history`
// prints a whole history (AWS CLI v1, whose timestamps are the epoch
// seconds the service sent): {"events": [...]}, every page joined.
func WriteHistory(w io.Writer, events []json.RawMessage) error {
	if events == nil {
		events = []json.RawMessage{}
	}
	doc, err := json.Marshal(map[string][]json.RawMessage{"events": events})
	if err != nil {
		return err
	}
	return WriteCLIJSON(w, doc)
}

// WriteCLIJSON writes a JSON document the way the AWS CLI prints answers
// (Python's json.dumps with indent=4 and ensure_ascii=False): members in
// the order given, four spaces of indent, numbers with a fraction written
// as Python writes floats, characters other than the JSON-special ones as
// they are, and a final newline.
func WriteCLIJSON(w io.Writer, doc []byte) error {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	bw := bufio.NewWriter(w)
	p := &cliPrinter{w: bw, dec: dec}
	if err := p.value(0); err != nil {
		return err
	}
	bw.WriteByte('\n')
	return bw.Flush()
}

type cliPrinter struct {
	w   *bufio.Writer
	dec *json.Decoder
}

func (p *cliPrinter) value(depth int) error {
	tok, err := p.dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		return p.container(t, depth)
	case string:
		p.w.WriteString(pyString(t))
	case json.Number:
		p.w.WriteString(pyNumber(t))
	case bool:
		p.w.WriteString(map[bool]string{true: "true", false: "false"}[t])
	case nil:
		p.w.WriteString("null")
	}
	return nil
}

// container prints an object or an array, whose opening delimiter has been
// read.
func (p *cliPrinter) container(open json.Delim, depth int) error {
	closing := map[json.Delim]string{'{': "}", '[': "]"}[open]
	p.w.WriteString(string(open))
	n := 0
	for p.dec.More() {
		if n > 0 {
			p.w.WriteByte(',')
		}
		p.w.WriteString("\n" + strings.Repeat("    ", depth+1))
		if open == '{' {
			key, err := p.dec.Token()
			if err != nil {
				return err
			}
			p.w.WriteString(pyString(key.(string)) + ": ")
		}
		if err := p.value(depth + 1); err != nil {
			return err
		}
		n++
	}
	if _, err := p.dec.Token(); err != nil {
		return err
	}
	if n > 0 {
		p.w.WriteString("\n" + strings.Repeat("    ", depth))
	}
	p.w.WriteString(closing)
	return nil
}

// pyNumber writes a number as Python prints what json.loads made of it:
// integers as they are, numbers with a fraction or exponent as the
// shortest float that reads back the same (repr).
func pyNumber(n json.Number) string {
	s := string(n)
	if !strings.ContainsAny(s, ".eE") {
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	if a := abs(f); a != 0 && (a >= 1e16 || a < 1e-4) {
		// Python's repr switches to exponent form here: 1e+16, 1e-05.
		m := strconv.FormatFloat(f, 'e', -1, 64)
		mant, exp, _ := strings.Cut(m, "e")
		sign := exp[0]
		exp = strings.TrimLeft(exp[1:], "0")
		if len(exp) < 2 {
			exp = fmt.Sprintf("%02s", exp)
		}
		return mant + "e" + string(sign) + exp
	}
	out := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(out, ".") {
		out += ".0"
	}
	return out
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// pyString quotes a string as json.dumps does with ensure_ascii=False.
func pyString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if r < 0x20 {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
