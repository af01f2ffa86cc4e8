package brief

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Server is the http.Handler of a generated service: rpcs under
// /rpc/<service>/, event deliveries under /events/, and the health and
// metrics endpoints.
type Server struct {
	service   string
	cfg       *config
	notReady  atomic.Bool
	mu        sync.RWMutex
	rpcs      map[string]*route
	events    map[string]*route
	dedupe    Deduper
	readiness func(context.Context) error
}

type route struct {
	rpc    *RPC
	handle func(ctx context.Context, body []byte) (any, error)
}

// NewServer returns a server for the named service (as in the contract).
func NewServer(service string, opts ...ServerOption) *Server {
	cfg := serverConfig(opts)
	s := &Server{service: service, cfg: cfg, rpcs: map[string]*route{}, events: map[string]*route{}, dedupe: cfg.dedupe, readiness: cfg.readiness}
	if s.dedupe == nil {
		s.dedupe = NewMemoryDeduper(DefaultDedupeTTL, DefaultDedupeCapacity)
	}
	return s
}

// Service returns the service name.
func (s *Server) Service() string { return s.service }

// Metrics returns the registry served at /metrics.
func (s *Server) Metrics() *Metrics { return s.cfg.metrics }

// SetReady marks the server ready or not for GET /health/ready (it starts ready).
func (s *Server) SetReady(ready bool) { s.notReady.Store(!ready) }

// Handle registers the handler of rpc. rpc.Service must be the server's
// service. Returning an AppError writes it as an application error (422) if
// rpc declares it (otherwise internal); returning a *Error writes that code.
func Handle[In, Out any](s *Server, rpc *RPC, h func(ctx context.Context, in *In) (*Out, error)) {
	if rpc.Service != s.service {
		panic(fmt.Sprintf("brief: rpc %s/%s registered on server %s", rpc.Service, rpc.Name, s.service))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.rpcs[rpc.Name]; dup {
		panic("brief: rpc " + rpc.Name + " registered twice")
	}
	s.rpcs[rpc.Name] = &route{rpc: rpc, handle: func(ctx context.Context, body []byte) (any, error) {
		in := new(In)
		if len(body) > 0 {
			if err := Unmarshal(body, in); err != nil {
				return nil, WrapError(CodeInvalidArgument, err, "invalid request body: "+err.Error())
			}
		}
		var out *Out
		var err error
		if ics := s.cfg.serverInterceptors; len(ics) > 0 {
			out, err = interceptHandler(ctx, ics, rpc.Procedure(), in, h)
		} else {
			out, err = h(ctx, in)
		}
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = new(Out)
		}
		return out, nil
	}}
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/rpc/"):
		s.serveRPC(w, r)
	case strings.HasPrefix(p, "/events/"):
		s.serveEvent(w, r)
	case p == "/health/live":
		writeJSON(w, http.StatusOK, []byte(`{"status":"ok"}`))
	case p == "/health/ready":
		s.serveReady(w, r)
	case p == "/metrics":
		s.cfg.metrics.ServeHTTP(w, r)
	default:
		writeError(w, Errorf(CodeUnimplemented, "no route for %s", p))
	}
}

func (s *Server) serveReady(w http.ResponseWriter, r *http.Request) {
	if s.notReady.Load() {
		writeJSON(w, http.StatusServiceUnavailable, []byte(`{"status":"unavailable","reason":"not ready"}`))
		return
	}
	if s.readiness != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.readiness(ctx); err != nil {
			b, _ := Marshal(&struct {
				Status string `json:"status"`
				Reason string `json:"reason"`
			}{"unavailable", err.Error()})
			writeJSON(w, http.StatusServiceUnavailable, b)
			return
		}
	}
	writeJSON(w, http.StatusOK, []byte(`{"status":"ok"}`))
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h["Content-Type"] = []string{"application/json"}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeError(w http.ResponseWriter, err error) int {
	status, body := encodeErrorBody(err)
	writeJSON(w, status, body)
	return status
}

// prepare runs the steps shared by rpc and event requests: metadata,
// deadline, method / content-type checks and body reading.
func (s *Server) prepare(w http.ResponseWriter, r *http.Request, rpcTimeout time.Duration, contentTypes ...string) (context.Context, context.CancelFunc, []byte, error) {
	md, timeout, hasTimeout := incomingMetadata(r.Header, s.service)
	w.Header()[HeaderRequestID] = []string{md.RequestID}
	ctx := WithMetadata(r.Context(), md)
	cancel := context.CancelFunc(func() {})
	if hasTimeout && (rpcTimeout <= 0 || timeout < rpcTimeout) {
		ctx, cancel = context.WithTimeout(ctx, timeout)
	} else if rpcTimeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, rpcTimeout)
	}
	if r.Method != http.MethodPost {
		return ctx, cancel, nil, Errorf(CodeInvalidArgument, "method %s not allowed; use POST", r.Method)
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	ok := false
	for _, ct := range contentTypes {
		ok = ok || (err == nil && mt == ct)
	}
	if !ok {
		return ctx, cancel, nil, Errorf(CodeInvalidArgument, "Content-Type must be %s", strings.Join(contentTypes, " or "))
	}
	if ce := r.Header.Get("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") {
		return ctx, cancel, nil, Errorf(CodeInvalidArgument, "Content-Encoding %q is not supported", ce)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return ctx, cancel, nil, Errorf(CodeResourceExhausted, "request body larger than %d bytes", s.cfg.maxBody)
		}
		return ctx, cancel, nil, WrapError(CodeCanceled, err, "cannot read request body")
	}
	if err := ctx.Err(); err != nil {
		return ctx, cancel, nil, ctxError(err)
	}
	return ctx, cancel, body, nil
}

func (s *Server) serveRPC(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rest := strings.TrimPrefix(r.URL.Path, "/rpc/")
	svc, name, _ := strings.Cut(rest, "/")
	var rt *route
	if svc == s.service {
		s.mu.RLock()
		rt = s.rpcs[name]
		s.mu.RUnlock()
	}
	if rt == nil {
		md, _, _ := incomingMetadata(r.Header, s.service)
		w.Header()[HeaderRequestID] = []string{md.RequestID}
		writeError(w, Errorf(CodeUnimplemented, "unknown rpc %s/%s", svc, name))
		s.cfg.metrics.inc(MetricServerRequests, "service", s.service, "rpc", "unknown", "code", string(CodeUnimplemented))
		s.cfg.metrics.inc(MetricServerErrors, "service", s.service, "rpc", "unknown", "code", string(CodeUnimplemented))
		return
	}
	m := s.cfg.metrics
	m.add(MetricServerInFlight, 1, "service", s.service)
	defer m.add(MetricServerInFlight, -1, "service", s.service)

	ctx, cancel, body, err := s.prepare(w, r, rt.rpc.Timeout, "application/json")
	defer cancel()
	var out any
	if err == nil {
		out, err = s.invoke(ctx, rt, body)
	}
	if err == nil {
		b, merr := Marshal(out)
		if merr != nil {
			err = WrapError(CodeInternal, merr, "cannot encode response")
			s.cfg.logger.Error("brief: cannot encode response", "service", s.service, "rpc", name, "request_id", RequestID(ctx), "error", merr)
		} else {
			writeJSON(w, http.StatusOK, b)
		}
	}
	code := CodeOK
	if err != nil {
		err = s.checkDeclared(ctx, rt.rpc, err)
		writeError(w, err)
		code = CodeOf(err)
		m.inc(MetricServerErrors, "service", s.service, "rpc", name, "code", code)
	}
	m.inc(MetricServerRequests, "service", s.service, "rpc", name, "code", code)
	m.observe(MetricServerDuration, time.Since(start), "service", s.service, "rpc", name)
}

// checkDeclared turns application errors the rpc does not declare, and
// unknown errors, into internal errors (logging the original).
func (s *Server) checkDeclared(ctx context.Context, rpc *RPC, err error) error {
	var app AppError
	if errors.As(err, &app) {
		if _, ok := rpc.Errors[app.ErrorCode()]; ok && !Code(app.ErrorCode()).Valid() {
			return app
		}
		s.cfg.logger.Error("brief: handler returned an undeclared application error", "service", s.service, "rpc", rpc.Name, "request_id", RequestID(ctx), "error", err)
		return Errorf(CodeInternal, "internal error")
	}
	var te *Error
	if errors.As(err, &te) {
		if te.dependency != "" {
			return s.dependencyError(ctx, rpc, te, err)
		}
		return te
	}
	e := toError(err)
	if e.Code == CodeInternal {
		s.cfg.logger.Error("brief: handler failed", "service", s.service, "rpc", rpc.Name, "request_id", RequestID(ctx), "error", err)
	}
	return e
}

// dependencyError is what a server sends when its handler returns the error
// te of an outgoing call (protocol section 4.5). Deadlines are end to end, so
// deadline_exceeded and canceled are sent as they are; anything else becomes
// internal with details.reason DEPENDENCY_FAILED, so that callers neither
// retry it nor count it against this server's breaker.
func (s *Server) dependencyError(ctx context.Context, rpc *RPC, te *Error, err error) *Error {
	switch te.Code {
	case CodeDeadlineExceeded:
		return Errorf(CodeDeadlineExceeded, "deadline exceeded")
	case CodeCanceled:
		return Errorf(CodeCanceled, "canceled")
	}
	s.cfg.logger.Warn("brief: handler failed because of a dependency", "service", s.service, "rpc", rpc.Name, "request_id", RequestID(ctx), "dependency", te.dependency, "error", err)
	details, _ := Marshal(&struct {
		Reason         string `json:"reason"`
		DownstreamCode string `json:"downstream_code"`
	}{ReasonDependencyFailed, string(te.Code)})
	return &Error{Code: CodeInternal, Message: "a dependency failed", Details: details}
}

// invoke runs the handler, recovering panics as internal errors.
func (s *Server) invoke(ctx context.Context, rt *route, body []byte) (out any, err error) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.cfg.logger.Error("brief: handler panicked", "service", s.service, "rpc", rt.rpc.Name, "request_id", RequestID(ctx), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			out, err = nil, Errorf(CodeInternal, "internal error")
		}
	}()
	return rt.handle(ctx, body)
}

// Timeouts of the HTTP server run by Serve and ServeListener.
const (
	ShutdownTimeout   = 10 * time.Second  // wait for in-flight requests on shutdown
	ReadHeaderTimeout = 10 * time.Second  // read a request's headers
	ReadTimeout       = 30 * time.Second  // read a whole request, body included
	IdleTimeout       = 120 * time.Second // keep an idle connection open
)

// Serve listens on addr and serves h until ctx is done, then shuts down
// gracefully: it marks a *Server not ready, stops accepting connections and
// waits up to ShutdownTimeout for in-flight requests.
func Serve(ctx context.Context, addr string, h http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return ServeListener(ctx, ln, h)
}

// ServeListener is Serve on an existing listener.
func ServeListener(ctx context.Context, ln net.Listener, h http.Handler) error {
	var errLog *slog.Logger
	if s, ok := h.(*Server); ok {
		errLog = s.cfg.logger
	} else {
		errLog = slog.Default()
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		IdleTimeout:       IdleTimeout,
		ErrorLog:          slog.NewLogLogger(errLog.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	if s, ok := h.(*Server); ok {
		s.SetReady(false)
	}
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}
