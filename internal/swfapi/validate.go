package swfapi

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ValidationError is a request that breaks the model's constraints or SWF's
// naming rules. It lists every problem found, each naming the field by its
// path in the request (taskList.name, decisions.1.member.timerId), in the
// form AWS services answer with.
type ValidationError struct {
	Problems []string
}

func (e *ValidationError) Error() string {
	if len(e.Problems) == 1 {
		return "1 validation error detected: " + e.Problems[0]
	}
	return fmt.Sprintf("%d validation errors detected: %s", len(e.Problems), strings.Join(e.Problems, "; "))
}

// NewValidationError reports a single problem with the field at path, for
// checks that need more than the model knows (an operation's own rules).
func NewValidationError(path string, value any, constraint string) *ValidationError {
	return &ValidationError{Problems: []string{fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: %s", render(value), path, constraint)}}
}

// SizeLimits are the largest data members (inputs, results, details,
// control and marker data; heartbeat details; Lambda inputs) a request may
// carry, in characters. Amazon SWF's are the model's; an operator may raise
// them.
type SizeLimits struct {
	Data          int64
	LimitedData   int64
	FunctionInput int64
}

// DefaultSizeLimits are Amazon SWF's.
var DefaultSizeLimits = SizeLimits{Data: ModelMaxData, LimitedData: ModelMaxLimitedData, FunctionInput: ModelMaxFunctionInput}

func (l *SizeLimits) orDefault() *SizeLimits {
	if l == nil {
		return &DefaultSizeLimits
	}
	return l
}

// validator collects problems while generated validate methods walk an input.
type validator struct {
	sizes    *SizeLimits
	problems []string
}

func (v *validator) err() error {
	if len(v.problems) == 0 {
		return nil
	}
	return &ValidationError{Problems: v.problems}
}

func join(path, field string) string {
	switch {
	case path == "":
		return field
	case field == "":
		return path
	}
	return path + "." + field
}

// elem is the path of the i-th element of a list, as AWS writes it
// (1-based): decisions.1.member.
func (v *validator) elem(path, field string, i int) string {
	return join(path, field) + "." + strconv.Itoa(i+1) + ".member"
}

const maxRendered = 128

// render shows a value in a message the way AWS does, cutting long ones.
func render(value any) string {
	switch x := value.(type) {
	case nil:
		return "null"
	case string:
		if utf8.RuneCountInString(x) > maxRendered {
			r := []rune(x)
			x = string(r[:maxRendered]) + "..."
		}
		return "'" + x + "'"
	default:
		return fmt.Sprintf("'%v'", x)
	}
}

func (v *validator) add(path, field string, value any, constraint string) {
	v.problems = append(v.problems, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: %s", render(value), join(path, field), constraint))
}

func (v *validator) null(path, field string) {
	v.add(path, field, nil, "Member must not be null")
}

// length checks a string's length in characters; -1 means no bound.
func (v *validator) length(path, field, val string, min, max int64) {
	n := int64(utf8.RuneCountInString(val))
	if min >= 0 && n < min {
		v.add(path, field, val, fmt.Sprintf("Member must have length greater than or equal to %d", min))
	}
	if max >= 0 && n > max {
		v.add(path, field, val, fmt.Sprintf("Member must have length less than or equal to %d", max))
	}
}

func (v *validator) listLength(path, field string, n int, min, max int64) {
	if min >= 0 && int64(n) < min {
		v.add(path, field, fmt.Sprintf("[%d items]", n), fmt.Sprintf("Member must have length greater than or equal to %d", min))
	}
	if max >= 0 && int64(n) > max {
		v.add(path, field, fmt.Sprintf("[%d items]", n), fmt.Sprintf("Member must have length less than or equal to %d", max))
	}
}

func (v *validator) rangeCheck(path, field string, val, min, max int64) {
	if min >= 0 && val < min {
		v.add(path, field, val, fmt.Sprintf("Member must have value greater than or equal to %d", min))
	}
	if max >= 0 && val > max {
		v.add(path, field, val, fmt.Sprintf("Member must have value less than or equal to %d", max))
	}
}

func (v *validator) enum(path, field, val string, allowed []string) {
	v.add(path, field, val, "Member must satisfy enum value set: ["+strings.Join(allowed, ", ")+"]")
}

func enumStrings[T ~string](vals []T) []string {
	out := make([]string, len(vals))
	for i, x := range vals {
		out[i] = string(x)
	}
	return out
}

// ValidName reports whether s obeys SWF's rule for names and identifiers
// (domain, type, version, task list, workflowId, activityId, timerId): no
// ':', '/', '|', no control characters, and not the literal "arn".
func ValidName(s string) bool {
	if s == "arn" {
		return false
	}
	for _, r := range s {
		if r == ':' || r == '/' || r == '|' || r <= 0x1f || (r >= 0x7f && r <= 0x9f) {
			return false
		}
	}
	return true
}

const nameRule = "Member must not contain ':', '/', '|' or control characters, and must not be the literal 'arn'"

func (v *validator) swfName(path, field, val string) {
	if !ValidName(val) {
		v.add(path, field, val, nameRule)
	}
}

// HasOuterSpace reports whether s starts or ends with white space, which SWF
// forbids in domain names and in the task list names pollers give.
func HasOuterSpace(s string) bool {
	return strings.TrimSpace(s) != s
}

func (v *validator) domainName(path, field, val string) {
	v.swfName(path, field, val)
	if HasOuterSpace(val) {
		v.add(path, field, val, "Member must not start or end with whitespace")
	}
}

// ParseDuration reads an SWF duration string: a non-negative decimal number
// of seconds (or days), or "NONE" for no limit, which it reports as none.
func ParseDuration(s string) (n int64, none bool, ok bool) {
	if s == "NONE" {
		return 0, true, true
	}
	if s == "" || len(s) > 8 {
		return 0, false, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, false, err == nil
}

func (v *validator) duration(path, field, val string) {
	if _, _, ok := ParseDuration(val); !ok {
		v.add(path, field, val, "Member must be a non-negative integer or NONE")
	}
}

// ParsePriority reads a task priority: a signed 32-bit integer as a string.
func ParsePriority(s string) (int32, bool) {
	n, err := strconv.ParseInt(s, 10, 32)
	return int32(n), err == nil
}

func (v *validator) priority(path, field, val string) {
	if _, ok := ParsePriority(val); !ok {
		v.add(path, field, val, "Member must be an integer between -2147483648 and 2147483647")
	}
}

// ValidTagChars reports whether s uses only what SWF allows in tags: Unicode
// letters, digits, white space and _ . : / = + - @.
func ValidTagChars(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsSpace(r) || strings.ContainsRune("_.:/=+-@", r) {
			continue
		}
		return false
	}
	return true
}

func (v *validator) tagChars(path, field, val string) {
	if !ValidTagChars(val) {
		v.add(path, field, val, "Member must contain only Unicode letters, digits, white space and _ . : / = + - @")
	}
}
