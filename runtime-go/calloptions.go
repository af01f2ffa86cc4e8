// Per-call options: what one call of a Client adds to or changes from the
// client's configuration (extra request headers, a shorter timeout).

package brief

import (
	"context"
	"net/http"
	"strings"
	"time"
)

// CallOption configures one call: the variadic last argument of Call,
// Client.Invoke and every generated client method.
type CallOption interface{ applyCall(*callConfig) }

type callOption func(*callConfig)

func (o callOption) applyCall(c *callConfig) { o(c) }

type callConfig struct {
	header  [][2]string // canonical name, value; in the order given
	timeout time.Duration
	err     *Error // the first invalid option
}

// reservedHeaders are the request headers the client sets itself (protocol
// sections 2 and 3) or the HTTP transport owns; WithHeader rejects them.
var reservedHeaders = map[string]bool{
	"Content-Type":      true,
	"Content-Length":    true,
	"Content-Encoding":  true,
	"Transfer-Encoding": true,
	"Connection":        true,
	"Host":              true,
	"Te":                true,
	"Trailer":           true,
	"Upgrade":           true,
	HeaderRequestID:     true,
	HeaderTimeoutMs:     true,
	HeaderSource:        true,
	HeaderTraceParent:   true,
	HeaderTraceState:    true,
	HeaderAttempt:       true,
}

// ReservedHeader reports whether WithHeader rejects the header name (case
// does not matter): Content-Type, Content-Length, Content-Encoding,
// Transfer-Encoding, Connection, Host, TE, Trailer, Upgrade and the protocol's
// X-Request-Id, X-Request-Timeout-Ms, X-Source-Service, traceparent,
// tracestate and X-Delivery-Attempt.
func ReservedHeader(name string) bool { return reservedHeaders[http.CanonicalHeaderKey(name)] }

// WithHeader adds the request header key: value to the call (several values
// of one key are all sent, in order). A reserved header (see ReservedHeader),
// an invalid name or a value with control characters fails the call with
// invalid_argument before anything is sent.
func WithHeader(key, value string) CallOption {
	return callOption(func(c *callConfig) {
		switch {
		case c.err != nil:
		case !validHeaderName(key):
			c.err = localError(CodeInvalidArgument, "invalid request header name %q", key)
		case ReservedHeader(key):
			c.err = localError(CodeInvalidArgument, "request header %s is reserved by the protocol and cannot be set with WithHeader", http.CanonicalHeaderKey(key))
		case strings.ContainsFunc(value, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }):
			c.err = localError(CodeInvalidArgument, "invalid value of request header %s", http.CanonicalHeaderKey(key))
		default:
			c.header = append(c.header, [2]string{http.CanonicalHeaderKey(key), value})
		}
	})
}

// WithCallTimeout bounds the call to d (retries included). It can only
// shorten the call: the deadline is the earliest of ctx's, the rpc's
// @timeout (or DefaultTimeout) and now + d. A d <= 0 changes nothing.
func WithCallTimeout(d time.Duration) CallOption {
	return callOption(func(c *callConfig) {
		if d > 0 && (c.timeout == 0 || d < c.timeout) {
			c.timeout = d
		}
	})
}

// newCallConfig applies opts (nil ones are skipped).
func newCallConfig(opts []CallOption) *callConfig {
	cc := &callConfig{}
	for _, o := range opts {
		if o != nil {
			o.applyCall(cc)
		}
	}
	return cc
}

// apply returns ctx bounded by the call timeout, and its cancel func.
func (cc *callConfig) apply(ctx context.Context) (context.Context, context.CancelFunc) {
	if cc == nil || cc.timeout <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, cc.timeout)
}

// localError is an error of the client itself, before anything is sent.
func localError(code Code, format string, args ...any) *Error {
	e := Errorf(code, format, args...)
	e.local = true
	return e
}

// validHeaderName reports whether s is an HTTP token (RFC 9110 section 5.6.2).
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		ok := b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", b) >= 0
		if !ok {
			return false
		}
	}
	return true
}
