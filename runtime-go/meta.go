package brief

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Header names (protocol section 5).
const (
	HeaderRequestID   = "X-Request-Id"
	HeaderTraceParent = "Traceparent"
	HeaderTraceState  = "Tracestate"
	HeaderSource      = "X-Source-Service"
	HeaderTimeoutMs   = "X-Request-Timeout-Ms"
	HeaderAttempt     = "X-Delivery-Attempt"
)

// Metadata is the per-request information that travels with a context:
// the server fills it from the incoming request, clients send it on.
type Metadata struct {
	RequestID   string // X-Request-Id
	TraceParent string // W3C traceparent of the incoming request (validated)
	TraceState  string // W3C tracestate (only with a valid TraceParent)
	Caller      string // X-Source-Service of the incoming request
	Service     string // the name of the service handling the request (set by Server)
}

type metadataKey struct{}

// WithMetadata returns a context carrying md.
func WithMetadata(ctx context.Context, md Metadata) context.Context {
	return context.WithValue(ctx, metadataKey{}, md)
}

// MetadataFrom returns the metadata carried by ctx (zero if none).
func MetadataFrom(ctx context.Context) Metadata {
	md, _ := ctx.Value(metadataKey{}).(Metadata)
	return md
}

// RequestID returns the request id carried by ctx, or "".
func RequestID(ctx context.Context) string { return MetadataFrom(ctx).RequestID }

// WithRequestID returns a context whose outgoing calls carry id.
func WithRequestID(ctx context.Context, id string) context.Context {
	md := MetadataFrom(ctx)
	md.RequestID = id
	return WithMetadata(ctx, md)
}

// Caller returns the calling service's name (X-Source-Service), or "".
func Caller(ctx context.Context) string { return MetadataFrom(ctx).Caller }

// NewRequestID returns 32 lowercase hex characters (128 random bits).
//
// The bits come from math/rand/v2's global generator: the runtime's
// per-thread ChaCha8 generator, seeded from the operating system's entropy
// source. It is lock-free and does not make a system call per id, which
// matters because a client call without an incoming id generates one.
func NewRequestID() string {
	var b [32]byte
	putHex64(b[:16], rand.Uint64())
	putHex64(b[16:], rand.Uint64())
	return string(b[:])
}

// randomHex returns 2*n lowercase hex characters of random bits (n <= 16).
func randomHex(n int) string {
	var b [32]byte
	putHex64(b[:16], rand.Uint64())
	putHex64(b[16:], rand.Uint64())
	return string(b[:2*n])
}

// putHex64 writes x as 16 lowercase hex digits into dst[:16].
func putHex64(dst []byte, x uint64) {
	_ = dst[15]
	for i := 15; i >= 0; i-- {
		dst[i] = hexDigits[x&0xf]
		x >>= 4
	}
}

// ValidRequestID reports whether id may be propagated: 1 to 128 characters,
// each visible ASCII (0x21..0x7E).
func ValidRequestID(id string) bool {
	if len(id) == 0 || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return false
		}
	}
	return true
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func allZero(s string) bool { return strings.Trim(s, "0") == "" }

// ParseTraceParent validates a W3C traceparent header and returns its
// trace id and flags.
func ParseTraceParent(tp string) (traceID, flags string, ok bool) {
	if len(tp) < 55 || tp[2] != '-' || tp[35] != '-' || tp[52] != '-' {
		return "", "", false
	}
	version := tp[0:2]
	if !isLowerHex(version) || version == "ff" {
		return "", "", false
	}
	if version == "00" && len(tp) != 55 {
		return "", "", false
	}
	if len(tp) > 55 && tp[55] != '-' {
		return "", "", false
	}
	traceID, parent, flags := tp[3:35], tp[36:52], tp[53:55]
	if !isLowerHex(traceID) || !isLowerHex(parent) || !isLowerHex(flags) || allZero(traceID) || allZero(parent) {
		return "", "", false
	}
	return traceID, flags, true
}

// childTraceParent returns the traceparent to send on an outgoing call made
// under the incoming traceparent tp: same trace id and flags, version 00,
// a fresh parent id.
func childTraceParent(tp string) string {
	traceID, flags, ok := ParseTraceParent(tp)
	if !ok {
		return ""
	}
	span := randomHex(8)
	for allZero(span) {
		span = randomHex(8)
	}
	return "00-" + traceID + "-" + span + "-" + flags
}

// parseTimeoutMs parses X-Request-Timeout-Ms: 1 to 10 ASCII digits.
func parseTimeoutMs(v string) (time.Duration, bool) {
	if len(v) == 0 || len(v) > 10 {
		return 0, false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, false
	}
	return time.Duration(n) * time.Millisecond, true
}

// incomingMetadata extracts metadata from request headers (protocol 5.1).
// It reports the caller's remaining time budget when the timeout header is
// valid.
func incomingMetadata(h http.Header, service string) (md Metadata, timeout time.Duration, hasTimeout bool) {
	md.Service = service
	md.RequestID = h.Get(HeaderRequestID)
	if !ValidRequestID(md.RequestID) {
		md.RequestID = NewRequestID()
	}
	if tp := h.Get(HeaderTraceParent); tp != "" {
		if _, _, ok := ParseTraceParent(tp); ok {
			md.TraceParent = tp
			if ts := strings.Join(h.Values(HeaderTraceState), ","); len(ts) <= 512 {
				md.TraceState = ts
			}
		}
	}
	md.Caller = h.Get(HeaderSource)
	timeout, hasTimeout = parseTimeoutMs(h.Get(HeaderTimeoutMs))
	return md, timeout, hasTimeout
}
