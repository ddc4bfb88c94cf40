package wire

import (
	"unicode/utf8"

	"github.com/openswf/openswf/internal/swfapi"
)

// checkText refuses a request body whose text could not be stored as sent:
// bytes that are not UTF-8, or a \u escape of half a surrogate pair.
// encoding/json would quietly put U+FFFD in their place, and a workflow
// would then read back data that differs from what its client wrote;
// Amazon SWF answers such a body with SerializationException.
func checkText(body []byte) *swfapi.Error {
	if !utf8.Valid(body) {
		return swfapi.Errorf(swfapi.CodeSerializationException, "The request body is not valid UTF-8 (at byte %d)", invalidAt(body))
	}
	// In valid JSON a backslash appears only inside strings, where it
	// starts an escape; anything else is left to the decoder to refuse.
	for i := 0; i < len(body); i++ {
		if body[i] != '\\' || i+1 >= len(body) {
			continue
		}
		if body[i+1] != 'u' {
			i++ // \" \\ \/ \b \f \n \r \t: skip the escaped character
			continue
		}
		r, ok := hex4(body[i+2:])
		switch {
		case !ok:
			i++
		case r >= 0xD800 && r <= 0xDBFF:
			// A high surrogate must be followed by a low one.
			if len(body) < i+12 || body[i+6] != '\\' || body[i+7] != 'u' {
				return loneSurrogate(r, i)
			}
			if lo, ok := hex4(body[i+8:]); !ok || lo < 0xDC00 || lo > 0xDFFF {
				return loneSurrogate(r, i)
			}
			i += 11
		case r >= 0xDC00 && r <= 0xDFFF:
			return loneSurrogate(r, i)
		default:
			i += 5
		}
	}
	return nil
}

func loneSurrogate(r rune, at int) *swfapi.Error {
	return swfapi.Errorf(swfapi.CodeSerializationException, "The request body holds \\u%04x, half of a surrogate pair, alone (at byte %d)", r, at)
}

// invalidAt is the offset of the first byte of body that is not UTF-8.
func invalidAt(body []byte) int {
	for i := 0; i < len(body); {
		r, n := utf8.DecodeRune(body[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(body)
}

// hex4 reads the four hex digits of a \u escape.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
