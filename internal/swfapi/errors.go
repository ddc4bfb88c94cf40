package swfapi

import "fmt"

// Error codes that are not SWF faults but that AWS JSON services answer with;
// SDKs recognise them by name (SWF-API.md §1.3).
const (
	CodeValidationException        = "ValidationException"
	CodeSerializationException     = "SerializationException"
	CodeUnknownOperationException  = "UnknownOperationException"
	CodeInternalFailure            = "InternalFailure"
	CodeServiceUnavailable         = "ServiceUnavailableException"
	CodeRequestEntityTooLarge      = "RequestEntityTooLargeException"
	CodeAccessDeniedException      = "AccessDeniedException"
	CodeThrottlingException        = "ThrottlingException"
	CodeMissingAuthenticationToken = "MissingAuthenticationTokenException"
)

// Error is an error the API answers with: a fault of the model or a common
// AWS error, identified by its code, with a message for people.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf builds an API error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}
