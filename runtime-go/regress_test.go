package brief

// Regression tests for the faults found by the runtime audit (issue 10);
// each failed before its fix.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Bug 1: answers the client cannot decode (an enum name it does not know,
// allowed by section 11) are not failures of the dependency: they must not
// open the breaker for the dependency's other rpcs.
func TestUndecodableAnswersDoNotOpenTheBreaker(t *testing.T) {
	var puts atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/put") {
			puts.Add(1)
			writeJSON(w, 200, []byte(`{}`))
			return
		}
		writeJSON(w, 200, []byte(`{"id":1,"tags":[],"color":"purple"}`))
	}))
	defer srv.Close()
	c := newTestClient(t, "store", srv.URL)
	get := &RPC{Service: "store", Name: "get", Idempotent: true}
	for i := 0; i < 25; i++ {
		err := Call(context.Background(), c, get, &Empty{}, &vItem{})
		if !errors.Is(err, ErrInternal) {
			t.Fatalf("get %d: %v, want internal", i, err)
		}
	}
	if s := c.Breaker().State(); s != BreakerClosed {
		t.Fatalf("breaker %s after undecodable answers", s)
	}
	put := &RPC{Service: "store", Name: "put"}
	if err := Call(context.Background(), c, put, &Empty{}, &Empty{}); err != nil {
		t.Fatalf("put: %v", err)
	}
	if puts.Load() != 1 {
		t.Fatalf("%d puts reached the server, want 1", puts.Load())
	}
}

// Bug 2: a peer's Content-Length never sizes an allocation.
func TestContentLengthClaimsAreNotAllocated(t *testing.T) {
	for _, claim := range []int64{60 << 20, 3 << 20} {
		doer := doerFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("{}")), ContentLength: claim}, nil
		})
		c := newTestClient(t, "liar", "http://liar.test", WithHTTPClient(doer))
		rpc := &RPC{Service: "liar", Name: "get"}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for i := 0; i < 20; i++ {
			_ = Call(context.Background(), c, rpc, &Empty{}, &Empty{})
		}
		runtime.ReadMemStats(&after)
		if n := after.TotalAlloc - before.TotalAlloc; n > 8<<20 {
			t.Errorf("claim %d: 20 calls allocated %d MiB", claim, n>>20)
		}
	}
}

// Bug 3: responses over the client's limit (4 MiB by default,
// WithMaxBodyBytes) fail with resource_exhausted, are not retried and do not
// count against the breaker.
func TestResponseLimit(t *testing.T) {
	var hits atomic.Int64
	big := []byte(`{"id":1,"name":"` + strings.Repeat("x", 5<<20) + `"}`)
	for _, chunked := range []bool{false, true} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			if !chunked {
				w.Header().Set("Content-Length", fmt.Sprint(len(big)))
			}
			w.WriteHeader(200)
			_, _ = w.Write(big)
		}))
		rpc := &RPC{Service: "big", Name: "get", Idempotent: true}
		c := newTestClient(t, "big", srv.URL)
		hits.Store(0)
		for i := 0; i < 25; i++ {
			err := Call(context.Background(), c, rpc, &Empty{}, &vItem{})
			if !errors.Is(err, ErrResourceExhausted) || !strings.Contains(err.Error(), "larger than 4194304 bytes") {
				t.Fatalf("chunked=%v: %v, want resource_exhausted naming the limit", chunked, err)
			}
		}
		if hits.Load() != 25 || c.Breaker().State() != BreakerClosed {
			t.Errorf("chunked=%v: %d requests for 25 calls, breaker %s", chunked, hits.Load(), c.Breaker().State())
		}
		out := new(vItem)
		if err := Call(context.Background(), newTestClient(t, "big", srv.URL, WithMaxBodyBytes(8<<20)), rpc, &Empty{}, out); err != nil || out.Name == nil || len(*out.Name) != 5<<20 {
			t.Errorf("chunked=%v: with an 8 MiB limit: %v", chunked, err)
		}
		srv.Close()
	}
	small := newTestClient(t, "s", "http://s.test", WithMaxBodyBytes(10), WithHTTPClient(doerFunc(func(*http.Request) (*http.Response, error) {
		return response(200, `{"id":12345678}`), nil
	})))
	if err := Call(context.Background(), small, &RPC{Service: "s", Name: "get"}, &Empty{}, &vItem{}); !errors.Is(err, ErrResourceExhausted) {
		t.Errorf("WithMaxBodyBytes(10) on a client: %v", err)
	}
}

// Bug 4: MemoryDeduper operations at capacity are O(1).
func TestMemoryDeduperAtCapacityIsFast(t *testing.T) {
	d := NewMemoryDeduper(time.Hour, DefaultDedupeCapacity)
	ctx := context.Background()
	for i := 0; i < DefaultDedupeCapacity; i++ {
		_ = d.Release(ctx, fmt.Sprint("k", i), true)
	}
	start := time.Now()
	const n = 20000
	for i := 0; i < n; i++ {
		key := fmt.Sprint("n", i)
		if st, _ := d.Acquire(ctx, key); st != DedupeNew {
			t.Fatalf("%s: %v", key, st)
		}
		_ = d.Release(ctx, key, true)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("%d events at capacity took %v (%v each)", n, el, el/n)
	}
	if len(d.done) != DefaultDedupeCapacity {
		t.Errorf("%d keys remembered, want %d", len(d.done), DefaultDedupeCapacity)
	}
	if st, _ := d.Acquire(ctx, "k0"); st != DedupeNew {
		t.Errorf("the oldest key was not evicted")
	}
	if st, _ := d.Acquire(ctx, fmt.Sprint("n", n-1)); st != DedupeDone {
		t.Errorf("the newest key was evicted")
	}
}

func BenchmarkMemoryDeduperAtCapacity(b *testing.B) {
	d := NewMemoryDeduper(time.Hour, DefaultDedupeCapacity)
	ctx := context.Background()
	for i := 0; i < DefaultDedupeCapacity; i++ {
		_ = d.Release(ctx, fmt.Sprint("k", i), true)
	}
	keys := make([]string, b.N)
	for i := range keys {
		keys[i] = fmt.Sprint("n", i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, _ = d.Acquire(ctx, keys[i])
		_ = d.Release(ctx, keys[i], true)
	}
}

// Bug 5: the metric code label of undeclared application errors is one
// fixed value, whatever names the server sends.
func TestUndeclaredErrorNamesShareOneMetricLabel(t *testing.T) {
	var n atomic.Int64
	doer := doerFunc(func(*http.Request) (*http.Response, error) {
		i := n.Add(1)
		return response(422, fmt.Sprintf(`{"error":{"code":"Code%d","message":"","details":{}}}`, i)), nil
	})
	m := NewMetrics()
	c := newTestClient(t, "noisy", "http://noisy.test", WithHTTPClient(doer), WithMetrics(m))
	rpc := &RPC{Service: "noisy", Name: "get", Errors: vDeclared}
	for i := 0; i < 1000; i++ {
		var ae *ApplicationError
		if err := Call(context.Background(), c, rpc, &Empty{}, &Empty{}); !errors.As(err, &ae) {
			t.Fatalf("%v, want an application error", err)
		}
	}
	var buf bytes.Buffer
	_, _ = m.WriteTo(&buf)
	series := strings.Count(buf.String(), "\n"+MetricClientRequests+"{") - strings.Count(buf.String(), `code="ok"}`)
	if series != 1 || !strings.Contains(buf.String(), `code="undeclared"} 1000`) {
		t.Errorf("%d series of %s:\n%s", series, MetricClientRequests, buf.String())
	}
}

// Bug 6: clients never follow redirects, also with their own http.Client.
func TestRedirectsAreNotFollowed(t *testing.T) {
	var followed atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/rpc/r/get", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/elsewhere", func(w http.ResponseWriter, r *http.Request) {
		followed.Add(1)
		writeJSON(w, 200, []byte(`{}`))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for name, opt := range map[string]ClientOption{"default": WithRetry(RetryPolicy{}), "own http.Client": WithHTTPClient(&http.Client{})} {
		c := newTestClient(t, "r", srv.URL, opt)
		err := Call(context.Background(), c, &RPC{Service: "r", Name: "get"}, &Empty{}, &Empty{})
		if !errors.Is(err, ErrUnknown) {
			t.Errorf("%s: %v, want unknown (a 307 is not success)", name, err)
		}
	}
	if followed.Load() != 0 {
		t.Errorf("redirect followed %d times", followed.Load())
	}
}

// An open breaker's rejection is recognisable with errors.Is.
func TestCircuitOpenIsDistinguishable(t *testing.T) {
	doer := doerFunc(func(*http.Request) (*http.Response, error) {
		return response(500, `{"error":{"code":"internal","message":"x"}}`), nil
	})
	c := newTestClient(t, "d", "http://d.test", WithHTTPClient(doer))
	rpc := &RPC{Service: "d", Name: "get"}
	var err error
	for i := 0; i < 21; i++ {
		err = Call(context.Background(), c, rpc, &Empty{}, &Empty{})
	}
	if !errors.Is(err, ErrCircuitOpen) || !errors.Is(err, ErrUnavailable) {
		t.Fatalf("%v: want ErrCircuitOpen and ErrUnavailable", err)
	}
	if first := Call(context.Background(), newTestClient(t, "d", "http://d.test", WithHTTPClient(doer)), rpc, &Empty{}, &Empty{}); errors.Is(first, ErrCircuitOpen) {
		t.Fatalf("a server's internal error matches ErrCircuitOpen")
	}
}

// A -> B -> C with C down: C's unavailable is retried by B only, and A sees
// B's internal DEPENDENCY_FAILED, which A neither retries nor counts against
// B's breaker, so B's other rpcs stay reachable.
func TestDownstreamUnavailableIsNotPassedThrough(t *testing.T) {
	var cHits, bHits atomic.Int64
	cSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cHits.Add(1)
		writeError(w, Errorf(CodeUnavailable, "down"))
	}))
	defer cSrv.Close()
	toC := newTestClient(t, "c", cSrv.URL)
	b := NewServer("b", WithLogger(quiet), WithMetrics(NewMetrics()))
	relay := &RPC{Service: "b", Name: "relay", Idempotent: true}
	ping := &RPC{Service: "b", Name: "ping", Idempotent: true}
	Handle(b, relay, func(ctx context.Context, in *Empty) (*Empty, error) {
		return nil, Call(ctx, toC, &RPC{Service: "c", Name: "get", Idempotent: true}, &Empty{}, &Empty{})
	})
	Handle(b, ping, func(ctx context.Context, in *Empty) (*Empty, error) { return in, nil })
	bSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { bHits.Add(1); b.ServeHTTP(w, r) }))
	defer bSrv.Close()
	toB := newTestClient(t, "b", bSrv.URL)
	err := Call(context.Background(), toB, relay, &Empty{}, &Empty{})
	var te *Error
	if !errors.As(err, &te) || te.Code != CodeInternal || !isDependencyFailure(te) {
		t.Fatalf("A got %v, want internal DEPENDENCY_FAILED", err)
	}
	if bHits.Load() != 1 || cHits.Load() != 3 {
		t.Fatalf("B got %d requests (want 1), C %d (want 3)", bHits.Load(), cHits.Load())
	}
	for i := 0; i < 30; i++ {
		_ = Call(context.Background(), toB, relay, &Empty{}, &Empty{})
	}
	if err := Call(context.Background(), toB, ping, &Empty{}, &Empty{}); err != nil || toB.Breaker().State() != BreakerClosed {
		t.Fatalf("ping after relay failures: %v, breaker %s", err, toB.Breaker().State())
	}
}

// The default transport can use HTTP/2 and bounds the TLS handshake and
// idle connections; Serve bounds reading requests.
func TestTransportAndServerTimeouts(t *testing.T) {
	tr := DefaultTransport
	if !tr.ForceAttemptHTTP2 || tr.TLSHandshakeTimeout <= 0 || tr.IdleConnTimeout <= 0 {
		t.Errorf("DefaultTransport: http2=%v tls=%v idle=%v", tr.ForceAttemptHTTP2, tr.TLSHandshakeTimeout, tr.IdleConnTimeout)
	}
	if ReadHeaderTimeout <= 0 || ReadTimeout < ReadHeaderTimeout {
		t.Errorf("server timeouts %v %v", ReadHeaderTimeout, ReadTimeout)
	}
}

// Retry-After is delay-seconds or an HTTP-date; anything else is ignored.
func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"": -1, "soon": -1, "-1": -1, "1.5": -1, "0": 0, "1": time.Second, "120": 2 * time.Minute,
		"Fri, 02 Jan 2026 03:04:07 GMT": 2 * time.Second, "Fri, 02 Jan 2026 03:04:00 GMT": 0,
	} {
		if got := parseRetryAfter(v, now); got != want {
			t.Errorf("Retry-After %q: %v, want %v", v, got, want)
		}
	}
}

// WithHTTPClient copies an *http.Client: the caller's own client keeps its
// redirect policy.
func TestWithHTTPClientLeavesTheCallersClientAlone(t *testing.T) {
	hc := &http.Client{}
	c := newTestClient(t, "x", "http://x.test", WithHTTPClient(hc))
	if hc.CheckRedirect != nil {
		t.Errorf("the caller's client was modified")
	}
	if got, ok := c.cfg.doer.(*http.Client); !ok || got == hc || got.CheckRedirect == nil {
		t.Errorf("the client does not use a copy without redirects")
	}
}
