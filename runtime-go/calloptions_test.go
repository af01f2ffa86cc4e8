package brief

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// headerEcho serves calc.double on a real socket and keeps the headers of
// the last request.
func headerEcho(t *testing.T) (*httptest.Server, *atomic.Pointer[http.Header]) {
	t.Helper()
	var last atomic.Pointer[http.Header]
	s := NewServer("calc", WithLogger(quiet), WithMetrics(NewMetrics()))
	Handle(s, icRPC, func(_ context.Context, in *icNum) (*icNum, error) { return &icNum{N: 2 * in.N}, nil })
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Clone()
		last.Store(&h)
		s.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &last
}

func TestWithHeaderAddsRequestHeaders(t *testing.T) {
	srv, last := headerEcho(t)
	c := newTestClient(t, "calc", srv.URL)
	out := new(icNum)
	err := Call(context.Background(), c, icRPC, &icNum{N: 2}, out,
		WithHeader("authorization", "Bearer t"), WithHeader("X-Tenant", "a"), WithHeader("x-tenant", "b"))
	if err != nil || out.N != 4 {
		t.Fatalf("call: %v %+v", err, out)
	}
	h := *last.Load()
	if got := h.Get("Authorization"); got != "Bearer t" {
		t.Errorf("Authorization = %q", got)
	}
	if got := h.Values("X-Tenant"); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("X-Tenant = %q", got)
	}
	if h.Get(HeaderRequestID) == "" || h.Get("Content-Type") != "application/json" {
		t.Errorf("protocol headers missing: %v", h)
	}
	// The headers are the call's own: the next call does not send them.
	if err := Call(context.Background(), c, icRPC, &icNum{N: 2}, out); err != nil {
		t.Fatal(err)
	}
	if h := *last.Load(); h.Get("Authorization") != "" || len(h.Values("X-Tenant")) != 0 {
		t.Errorf("a later call sent the headers of an earlier one: %v", h)
	}
}

func TestWithHeaderRejectsReservedAndInvalidHeaders(t *testing.T) {
	srv, last := headerEcho(t)
	c := newTestClient(t, "calc", srv.URL)
	for _, kv := range [][2]string{
		{"content-type", "text/plain"}, {"X-Request-Id", "x"}, {"x-request-timeout-ms", "1"},
		{"X-Source-Service", "evil"}, {"traceparent", "00"}, {"Tracestate", "a=b"}, {"Host", "h"},
		{"Content-Length", "1"}, {"bad name", "v"}, {"", "v"}, {"X-Ok", "line\r\nInjected: 1"},
	} {
		err := Call(context.Background(), c, icRPC, &icNum{N: 1}, new(icNum), WithHeader(kv[0], kv[1]))
		if !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("WithHeader(%q, %q): got %v, want invalid_argument", kv[0], kv[1], err)
		}
	}
	if last.Load() != nil {
		t.Error("a call with an invalid header was sent")
	}
	if !ReservedHeader("x-request-id") || ReservedHeader("Authorization") {
		t.Error("ReservedHeader is wrong")
	}
}

func TestWithCallTimeoutOnlyShortens(t *testing.T) {
	var mu sync.Mutex
	var timeouts []string
	lastTimeout := func() int {
		mu.Lock()
		defer mu.Unlock()
		ms, _ := strconv.Atoi(timeouts[len(timeouts)-1])
		return ms
	}
	slow := &RPC{Service: "calc", Name: "slow", Timeout: 5 * time.Second}
	s := NewServer("calc", WithLogger(quiet), WithMetrics(NewMetrics()))
	Handle(s, slow, func(ctx context.Context, in *icNum) (*icNum, error) {
		if in.N > 0 {
			select {
			case <-ctx.Done():
				// The server's own deadline (from the header) may fire before the client's:
				// it answers deadline_exceeded then, not a late success.
				return nil, ctx.Err()
			case <-time.After(time.Duration(in.N) * time.Millisecond):
			}
		}
		return in, nil
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		timeouts = append(timeouts, r.Header.Get(HeaderTimeoutMs))
		mu.Unlock()
		s.ServeHTTP(w, r)
	}))
	defer srv.Close()
	c := newTestClient(t, "calc", srv.URL, WithRetry(RetryPolicy{MaxAttempts: 1}))

	start := time.Now()
	err := Call(context.Background(), c, slow, &icNum{N: 3000}, new(icNum), WithCallTimeout(100*time.Millisecond))
	if !errors.Is(err, ErrDeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Fatalf("got %v after %v, want deadline_exceeded after about 100ms", err, time.Since(start))
	}
	if ms := lastTimeout(); ms <= 0 || ms > 100 {
		t.Errorf("%s = %d with WithCallTimeout(100ms)", HeaderTimeoutMs, ms)
	}

	// A longer call timeout does not extend ctx's deadline or the rpc's.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := Call(ctx, c, slow, &icNum{}, new(icNum), WithCallTimeout(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if ms := lastTimeout(); ms <= 0 || ms > 300 {
		t.Errorf("%s = %d with a 300ms ctx and WithCallTimeout(1h)", HeaderTimeoutMs, ms)
	}
	if err := Call(context.Background(), c, slow, &icNum{}, new(icNum), WithCallTimeout(time.Hour), WithCallTimeout(0)); err != nil {
		t.Fatal(err)
	}
	if ms := lastTimeout(); ms <= 4000 || ms > 5000 {
		t.Errorf("%s = %d with the rpc's 5s and WithCallTimeout(1h)", HeaderTimeoutMs, ms)
	}
}

func TestInterceptorsSeeTheCallTimeout(t *testing.T) {
	srv, _ := headerEcho(t)
	var left time.Duration
	c := newTestClient(t, "calc", srv.URL, WithClientInterceptors(func(ctx context.Context, _ string, in, out any, next Invoker) error {
		if d, ok := ctx.Deadline(); ok {
			left = time.Until(d)
		}
		return next(ctx, in, out)
	}))
	if err := Call(context.Background(), c, icRPC, &icNum{N: 1}, new(icNum), WithCallTimeout(time.Second)); err != nil {
		t.Fatal(err)
	}
	if left <= 0 || left > time.Second {
		t.Errorf("the interceptor saw %v left, want at most 1s", left)
	}
}
