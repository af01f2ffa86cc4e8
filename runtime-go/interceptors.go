// Client and server interceptors (middleware): functions that wrap every
// outgoing call of a Client and every rpc handler invocation of a Server.

package brief

import (
	"context"
	"fmt"
)

// Procedure returns the name interceptors see for rpc: "<service>.<rpc>",
// e.g. "summer.sum".
func (r *RPC) Procedure() string { return r.Service + "." + r.Name }

// Invoker makes the call an interceptor wraps: it sends in and decodes the
// response into out (both pointers, as given to Invoke).
type Invoker func(ctx context.Context, in, out any) error

// ClientInterceptor wraps one outgoing call of a Client or Bus: it sees ctx,
// the procedure ("summer.sum"), the request in and the response out (filled
// in by next), and calls next to make the call, or returns without calling
// it. It wraps the whole call, retries included, and runs after the call
// options (a WithCallTimeout deadline is already on ctx). Interceptors are
// set with WithClientInterceptors; the first given is the outermost.
type ClientInterceptor func(ctx context.Context, procedure string, in, out any, next Invoker) error

// Handler runs the rpc handler an interceptor wraps on the decoded request
// and returns its response.
type Handler func(ctx context.Context, in any) (any, error)

// ServerInterceptor wraps one rpc handler invocation of a Server: it sees
// ctx (with the request's Metadata), the procedure ("summer.sum") and the
// decoded request in (a pointer to the generated input type), and calls next
// to run the handler, or returns an error instead (short-circuit), which is
// sent like a handler's error. A request it passes on to next must keep its
// type; a response it returns must be of the rpc's output type. Panics are
// recovered as for handlers. Interceptors are set with
// WithServerInterceptors; the first given is the outermost. They do not wrap
// event handlers.
type ServerInterceptor func(ctx context.Context, procedure string, in any, next Handler) (any, error)

// WithClientInterceptors adds interceptors that wrap every call the client
// (or the bus) makes; see ClientInterceptor. The first given is the
// outermost: it sees the call first and its result last. Several uses
// append in order.
func WithClientInterceptors(ics ...ClientInterceptor) OutboundOption {
	return outbound(func(c *config) {
		for _, ic := range ics {
			if ic != nil {
				c.clientInterceptors = append(c.clientInterceptors, ic)
			}
		}
	})
}

// WithServerInterceptors adds interceptors that wrap every rpc handler
// invocation of the server; see ServerInterceptor. The first given is the
// outermost. Several uses append in order.
func WithServerInterceptors(ics ...ServerInterceptor) ServerOption {
	return serverOnly(func(c *config) {
		for _, ic := range ics {
			if ic != nil {
				c.serverInterceptors = append(c.serverInterceptors, ic)
			}
		}
	})
}

// interceptCall runs call through ics, ics[0] outermost.
func interceptCall(ctx context.Context, ics []ClientInterceptor, procedure string, in, out any, call Invoker) error {
	next := call
	for i := len(ics) - 1; i >= 0; i-- {
		ic, inner := ics[i], next
		next = func(ctx context.Context, in, out any) error { return ic(ctx, procedure, in, out, inner) }
	}
	return next(ctx, in, out)
}

// interceptHandler runs h (typed) through ics, ics[0] outermost. A request
// or response of the wrong type, substituted by an interceptor, is an
// internal error (logged, sent as "internal error").
func interceptHandler[In, Out any](ctx context.Context, ics []ServerInterceptor, procedure string, in *In, h func(context.Context, *In) (*Out, error)) (*Out, error) {
	var next Handler = func(ctx context.Context, req any) (any, error) {
		typed, ok := req.(*In)
		if !ok {
			return nil, fmt.Errorf("interceptor of %s passed a request of type %T", procedure, req)
		}
		out, err := h(ctx, typed)
		if err != nil || out == nil {
			return nil, err
		}
		return out, nil
	}
	for i := len(ics) - 1; i >= 0; i-- {
		ic, inner := ics[i], next
		next = func(ctx context.Context, req any) (any, error) { return ic(ctx, procedure, req, inner) }
	}
	res, err := next(ctx, in)
	if err != nil || res == nil {
		return nil, err
	}
	out, ok := res.(*Out)
	if !ok {
		return nil, fmt.Errorf("interceptor of %s returned a response of type %T", procedure, res)
	}
	return out, nil
}
