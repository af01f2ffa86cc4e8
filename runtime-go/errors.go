package brief

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// Code is a transport error code (protocol section 4.2). Transport codes are
// lower_snake; application error names (declared in contracts) never are.
type Code string

// Transport codes.
const (
	CodeCanceled           Code = "canceled"
	CodeUnknown            Code = "unknown"
	CodeInvalidArgument    Code = "invalid_argument"
	CodeDeadlineExceeded   Code = "deadline_exceeded"
	CodeNotFound           Code = "not_found"
	CodeAlreadyExists      Code = "already_exists"
	CodePermissionDenied   Code = "permission_denied"
	CodeResourceExhausted  Code = "resource_exhausted"
	CodeFailedPrecondition Code = "failed_precondition"
	CodeAborted            Code = "aborted"
	CodeOutOfRange         Code = "out_of_range"
	CodeUnimplemented      Code = "unimplemented"
	CodeInternal           Code = "internal"
	CodeUnavailable        Code = "unavailable"
	CodeDataLoss           Code = "data_loss"
	CodeUnauthenticated    Code = "unauthenticated"
)

// CodeOK is the code label used in metrics for successful calls.
const CodeOK = "ok"

var codeStatus = map[Code]int{
	CodeCanceled:           499,
	CodeUnknown:            500,
	CodeInvalidArgument:    400,
	CodeDeadlineExceeded:   504,
	CodeNotFound:           404,
	CodeAlreadyExists:      409,
	CodePermissionDenied:   403,
	CodeResourceExhausted:  429,
	CodeFailedPrecondition: 412,
	CodeAborted:            409,
	CodeOutOfRange:         400,
	CodeUnimplemented:      501,
	CodeInternal:           500,
	CodeUnavailable:        503,
	CodeDataLoss:           500,
	CodeUnauthenticated:    401,
}

// AppErrorStatus is the HTTP status of every application error.
const AppErrorStatus = http.StatusUnprocessableEntity

// Codes returns every transport code.
func Codes() []Code {
	out := make([]Code, 0, len(codeStatus))
	for c := range codeStatus {
		out = append(out, c)
	}
	return out
}

// Valid reports whether c is one of the transport codes.
func (c Code) Valid() bool { _, ok := codeStatus[c]; return ok }

// HTTPStatus is the HTTP status written for c.
func (c Code) HTTPStatus() int {
	if s, ok := codeStatus[c]; ok {
		return s
	}
	return 500
}

// Retryable reports whether a failed attempt with this code may be retried
// (only for idempotent rpcs; protocol section 6.2).
func (c Code) Retryable() bool { return c == CodeUnavailable }

// BreakerFailure reports whether this code counts as a failure for the circuit
// breaker (protocol section 6.1).
func (c Code) BreakerFailure() bool {
	switch c {
	case CodeUnknown, CodeInternal, CodeUnavailable, CodeDeadlineExceeded, CodeDataLoss:
		return true
	}
	return false
}

// CodeForHTTPStatus maps an HTTP status to a code for responses that do not
// carry a valid error envelope (protocol section 4.4).
func CodeForHTTPStatus(status int) Code {
	switch status {
	case 400:
		return CodeInvalidArgument
	case 401:
		return CodeUnauthenticated
	case 403:
		return CodePermissionDenied
	case 404:
		return CodeUnimplemented
	case 408:
		return CodeDeadlineExceeded
	case 409:
		return CodeAborted
	case 412:
		return CodeFailedPrecondition
	case 413:
		return CodeResourceExhausted
	case 429, 502, 503:
		return CodeUnavailable
	case 499:
		return CodeCanceled
	case 501:
		return CodeUnimplemented
	case 504:
		return CodeDeadlineExceeded
	}
	return CodeUnknown
}

// Error is a transport error. Compare with errors.Is against the sentinels
// (ErrNotFound ...), which match on Code alone.
type Error struct {
	Code    Code
	Message string
	// Details is the raw "details" object of the envelope (nil when empty).
	Details json.RawMessage
	cause   error
	// dependency is set on errors returned by a Client: the name of the
	// dependency whose call failed (protocol section 4.5).
	dependency string
	// local marks failures the client produced itself from a well-formed
	// answer (undecodable body, response too large): they are not failures
	// of the dependency (protocol section 6.1).
	local bool
}

// Errorf builds a transport error.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WrapError builds a transport error that unwraps to cause.
func WrapError(code Code, cause error, message string) *Error {
	return &Error{Code: code, Message: message, cause: cause}
}

func (e *Error) Error() string {
	if e.Message == "" {
		return string(e.Code)
	}
	return string(e.Code) + ": " + e.Message
}

// Dependency returns the dependency whose outgoing call produced e, or ""
// when e was not returned by a Client.
func (e *Error) Dependency() string { return e.dependency }

// Unwrap returns the underlying cause (a context error, a net error ...), if any.
func (e *Error) Unwrap() error { return e.cause }

// Is matches any *Error with the same Code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Sentinel errors, one per transport code: errors.Is(err, brief.ErrNotFound).
var (
	ErrCanceled           = &Error{Code: CodeCanceled}
	ErrUnknown            = &Error{Code: CodeUnknown}
	ErrInvalidArgument    = &Error{Code: CodeInvalidArgument}
	ErrDeadlineExceeded   = &Error{Code: CodeDeadlineExceeded}
	ErrNotFound           = &Error{Code: CodeNotFound}
	ErrAlreadyExists      = &Error{Code: CodeAlreadyExists}
	ErrPermissionDenied   = &Error{Code: CodePermissionDenied}
	ErrResourceExhausted  = &Error{Code: CodeResourceExhausted}
	ErrFailedPrecondition = &Error{Code: CodeFailedPrecondition}
	ErrAborted            = &Error{Code: CodeAborted}
	ErrOutOfRange         = &Error{Code: CodeOutOfRange}
	ErrUnimplemented      = &Error{Code: CodeUnimplemented}
	ErrInternal           = &Error{Code: CodeInternal}
	ErrUnavailable        = &Error{Code: CodeUnavailable}
	ErrDataLoss           = &Error{Code: CodeDataLoss}
	ErrUnauthenticated    = &Error{Code: CodeUnauthenticated}
)

// ErrCircuitOpen matches (errors.Is) the error of a call rejected locally
// because the dependency's circuit breaker is open. That error is also an
// unavailable *Error, so errors.Is(err, ErrUnavailable) holds as well.
var ErrCircuitOpen = errors.New("brief: circuit breaker open")

// ReasonDependencyFailed is the details "reason" of the internal error a
// server sends when its handler failed because of an outgoing call
// (protocol section 4.5).
const ReasonDependencyFailed = "DEPENDENCY_FAILED"

// MetricCodeUndeclared is the metric code label of application errors the
// rpc does not declare (protocol section 7.3): the label values stay bounded
// by the contract whatever names a server sends.
const MetricCodeUndeclared = "undeclared"

// AppError is implemented by the application error types generated from
// `error Name {...}` declarations. ErrorCode returns the name exactly as
// declared; the value itself is encoded as the envelope's details.
//
//	type NotFound struct{ ID int64 `json:"id"` }
//	func (*NotFound) ErrorCode() string  { return "NotFound" }
//	func (e *NotFound) Error() string    { return "NotFound: The item does not exist" }
type AppError interface {
	error
	ErrorCode() string
}

// ApplicationError is an application error that the rpc did not declare (or
// whose declared type is unknown to the caller). It carries the raw details.
type ApplicationError struct {
	Name    string
	Message string
	Details json.RawMessage
}

func (e *ApplicationError) Error() string {
	if e.Message == "" {
		return e.Name
	}
	return e.Name + ": " + e.Message
}

// ErrorCode implements AppError.
func (e *ApplicationError) ErrorCode() string { return e.Name }

// ErrorTable maps the application error names an rpc declares to
// constructors of their generated types.
type ErrorTable map[string]func() AppError

// CodeOf returns the code of err as it would appear on the wire / in metrics:
// "ok" for nil, the application error name, or the transport code.
func CodeOf(err error) string {
	if err == nil {
		return CodeOK
	}
	var app AppError
	if errors.As(err, &app) {
		return app.ErrorCode()
	}
	return string(toError(err).Code)
}

// metricCode is CodeOf for metric labels: undeclared application error names
// (a generic *ApplicationError) become MetricCodeUndeclared.
func metricCode(err error) string {
	var ae *ApplicationError
	if errors.As(err, &ae) {
		return MetricCodeUndeclared
	}
	return CodeOf(err)
}

// isDependencyFailure reports whether e is the internal error a server sends
// for a failed outgoing call (details.reason = DEPENDENCY_FAILED).
func isDependencyFailure(e *Error) bool {
	if e.Code != CodeInternal || len(e.Details) == 0 {
		return false
	}
	var d struct {
		Reason string `json:"reason"`
	}
	return json.Unmarshal(e.Details, &d) == nil && d.Reason == ReasonDependencyFailed
}

// toError converts any error to a transport *Error (for the wire).
func toError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return WrapError(CodeDeadlineExceeded, err, "deadline exceeded")
	case errors.Is(err, context.Canceled):
		return WrapError(CodeCanceled, err, "canceled")
	}
	return WrapError(CodeInternal, err, "internal error")
}

// envelope is the wire form of every error response.
type envelope struct {
	Error envelopeBody `json:"error"`
}

type envelopeBody struct {
	Code    string          `json:"code"`
	Message string          `json:"message"`
	Details json.RawMessage `json:"details"`
}

// encodeErrorBody returns status and body for an error response.
func encodeErrorBody(err error) (int, []byte) {
	var app AppError
	if errors.As(err, &app) {
		var details []byte
		if g, ok := app.(*ApplicationError); ok {
			details = g.Details
		} else {
			var merr error
			details, merr = Marshal(app)
			if merr != nil {
				return encodeErrorBody(Errorf(CodeInternal, "cannot encode application error %s: %v", app.ErrorCode(), merr))
			}
		}
		if len(details) == 0 || string(details) == "null" {
			details = []byte("{}")
		}
		b, _ := Marshal(&envelope{Error: envelopeBody{Code: app.ErrorCode(), Message: app.Error(), Details: details}})
		return AppErrorStatus, b
	}
	e := toError(err)
	details := e.Details
	if len(details) == 0 || string(details) == "null" {
		details = []byte("{}")
	}
	b, _ := Marshal(&envelope{Error: envelopeBody{Code: string(e.Code), Message: e.Message, Details: details}})
	return e.Code.HTTPStatus(), b
}

// DecodeErrorResponse interprets a non-200 rpc response (protocol section
// 4.4). Declared application errors are returned as their generated type;
// undeclared ones as *ApplicationError; everything else as *Error.
func DecodeErrorResponse(status int, body []byte, declared ErrorTable) error {
	var env struct {
		Error *struct {
			Code    *string         `json:"code"`
			Message string          `json:"message"`
			Details json.RawMessage `json:"details"`
		} `json:"error"`
	}
	if err := Unmarshal(body, &env); err == nil && env.Error != nil && env.Error.Code != nil && *env.Error.Code != "" {
		code := *env.Error.Code
		details := env.Error.Details
		if string(details) == "null" {
			details = nil
		}
		if Code(code).Valid() {
			return &Error{Code: Code(code), Message: env.Error.Message, Details: details}
		}
		if status == AppErrorStatus {
			if ctor, ok := declared[code]; ok {
				app := ctor()
				if len(details) > 0 {
					if derr := Unmarshal(details, app); derr != nil {
						e := Errorf(CodeInternal, "invalid details of application error %s: %v", code, derr)
						e.local = true
						return e
					}
				}
				if m, ok := app.(serverMessageSetter); ok {
					m.setServerMessage(env.Error.Message)
				}
				return app
			}
			return &ApplicationError{Name: code, Message: env.Error.Message, Details: details}
		}
	}
	if status == AppErrorStatus {
		return Errorf(CodeUnknown, "HTTP 422 without a valid error envelope")
	}
	return Errorf(CodeForHTTPStatus(status), "HTTP %d without a valid error envelope", status)
}
