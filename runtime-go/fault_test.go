package brief

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func newTestClient(t *testing.T, dep, url string, opts ...ClientOption) *Client {
	t.Helper()
	c, err := NewClient(dep, append([]ClientOption{WithBaseURL(url), WithLogger(quiet), WithMetrics(NewMetrics()),
		WithRandom(func() float64 { return 0 })}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A -> B -> C: the caller's deadline reaches C, and C's slowness surfaces at
// A as deadline_exceeded once the deadline passes, not later.
func TestDeadlinePropagationAcrossTwoHops(t *testing.T) {
	type seen struct {
		remaining time.Duration
	}
	got := make(chan seen, 1)
	c := NewServer("c", WithLogger(quiet), WithMetrics(NewMetrics()))
	Handle(c, &RPC{Service: "c", Name: "slow"}, func(ctx context.Context, in *Empty) (*Empty, error) {
		d, ok := ctx.Deadline()
		if !ok {
			t.Error("C: no deadline in the handler context")
		}
		// the header as received is not visible here; recompute from the deadline
		got <- seen{remaining: time.Until(d)}
		<-ctx.Done()
		return nil, ctx.Err()
	})
	var cHeader atomic.Int64
	cSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.ParseInt(r.Header.Get(HeaderTimeoutMs), 10, 64)
		cHeader.Store(n)
		c.ServeHTTP(w, r)
	}))
	defer cSrv.Close()
	toC := newTestClient(t, "c", cSrv.URL)

	b := NewServer("b", WithLogger(quiet), WithMetrics(NewMetrics()))
	Handle(b, &RPC{Service: "b", Name: "relay"}, func(ctx context.Context, in *Empty) (*Empty, error) {
		return &Empty{}, Call(ctx, toC, &RPC{Service: "c", Name: "slow"}, &Empty{}, &Empty{})
	})
	bSrv := httptest.NewServer(b)
	defer bSrv.Close()
	toB := newTestClient(t, "b", bSrv.URL)

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := Call(ctx, toB, &RPC{Service: "b", Name: "relay"}, &Empty{}, &Empty{})
	elapsed := time.Since(start)
	if !errors.Is(err, ErrDeadlineExceeded) {
		t.Fatalf("A got %v, want deadline_exceeded", err)
	}
	if elapsed > 2*time.Second {
		t.Errorf("A waited %v for a 300ms deadline", elapsed)
	}
	s := <-got
	if s.remaining <= 0 || s.remaining > 300*time.Millisecond {
		t.Errorf("C's remaining time %v, want (0, 300ms]", s.remaining)
	}
	if h := cHeader.Load(); h < 1 || h > 300 {
		t.Errorf("C received X-Request-Timeout-Ms %d, want 1..300", h)
	}
}

func TestSlowServerTimesOutAtRPCTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // lets the server notice the client going away
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release) // runs before srv.Close
	c := newTestClient(t, "slow", srv.URL)
	start := time.Now()
	err := Call(context.Background(), c, &RPC{Service: "slow", Name: "op", Idempotent: true, Timeout: 100 * time.Millisecond}, &Empty{}, &Empty{})
	if !errors.Is(err, ErrDeadlineExceeded) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want deadline_exceeded wrapping context.DeadlineExceeded", err)
	}
	if e := time.Since(start); e < 100*time.Millisecond || e > 2*time.Second {
		t.Errorf("took %v for a 100ms timeout", e)
	}
}

func TestCallerCancelIsCanceledAndIgnoredByBreaker(t *testing.T) {
	started := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		close(started)
		<-r.Context().Done()
	}))
	defer srv.Close()
	c := newTestClient(t, "x", srv.URL, WithBreaker(BreakerConfig{MinRequests: 1}))
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	err := Call(ctx, c, &RPC{Service: "x", Name: "op", Idempotent: true}, &Empty{}, &Empty{})
	if !errors.Is(err, ErrCanceled) || !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want canceled", err)
	}
	if c.Breaker().State() != BreakerClosed {
		t.Errorf("a caller cancellation tripped the breaker")
	}
}

func TestDeadServerIsUnavailableAndTripsBreaker(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close() // nothing listens: connection refused
	c := newTestClient(t, "dead", "http://"+addr, WithBreaker(BreakerConfig{MinRequests: 3}))
	rpc := &RPC{Service: "dead", Name: "op", Idempotent: true}
	err = Call(context.Background(), c, rpc, &Empty{}, &Empty{})
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("got %v, want unavailable", err)
	}
	var ne *net.OpError
	if !errors.As(err, &ne) {
		t.Errorf("cause %v does not unwrap to a *net.OpError", err)
	}
	// 3 attempts were made (max attempts), all failures: breaker now open.
	if c.Breaker().State() != BreakerOpen {
		t.Fatalf("breaker %v after 3 refused connections, want open", c.Breaker().State())
	}
	err = Call(context.Background(), c, rpc, &Empty{}, &Empty{})
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "circuit breaker open") {
		t.Errorf("got %v, want a local circuit-open rejection", err)
	}
}

// errorBurst answers the first n requests with the given handler, the rest with next.
func errorBurst(n int32, burst, next http.Handler) (http.Handler, *atomic.Int32) {
	var hits atomic.Int32
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) <= n {
			burst.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	}), &hits
}

func TestServiceUnavailableBurst(t *testing.T) {
	unavailable := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, Errorf(CodeUnavailable, "overloaded"))
	})
	for _, idempotent := range []bool{true, false} {
		h, hits := errorBurst(2, unavailable, echoServer())
		srv := httptest.NewServer(h)
		c := newTestClient(t, "echo", srv.URL)
		out := new(vItem)
		err := Call(context.Background(), c, &RPC{Service: "echo", Name: "echo", Idempotent: idempotent}, &vItem{ID: 9}, out)
		if idempotent {
			if err != nil || out.ID != 9 || hits.Load() != 3 {
				t.Errorf("idempotent: err=%v out=%+v hits=%d, want success on the 3rd attempt", err, out, hits.Load())
			}
		} else if !errors.Is(err, ErrUnavailable) || hits.Load() != 1 {
			t.Errorf("non-idempotent: err=%v hits=%d, want unavailable after 1 attempt", err, hits.Load())
		}
		srv.Close()
	}
}

func TestConnectionResetIsRetriedOnlyForIdempotentRPCs(t *testing.T) {
	reset := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // RST instead of FIN
		}
		_ = conn.Close()
	})
	for _, idempotent := range []bool{true, false} {
		h, hits := errorBurst(1, reset, echoServer())
		srv := httptest.NewServer(h)
		c := newTestClient(t, "echo", srv.URL)
		out := new(vItem)
		err := Call(context.Background(), c, &RPC{Service: "echo", Name: "echo", Idempotent: idempotent}, &vItem{ID: 4}, out)
		if idempotent {
			if err != nil || out.ID != 4 || hits.Load() != 2 {
				t.Errorf("idempotent: err=%v hits=%d, want success on the 2nd attempt", err, hits.Load())
			}
		} else if !errors.Is(err, ErrUnavailable) || hits.Load() != 1 {
			t.Errorf("non-idempotent: err=%v hits=%d, want unavailable after 1 attempt", err, hits.Load())
		}
		srv.Close()
	}
}

func TestAppErrorRoundTripOverHTTP(t *testing.T) {
	rpc := &RPC{Service: "items", Name: "get", Errors: vDeclared}
	s := NewServer("items", WithLogger(quiet), WithMetrics(NewMetrics()))
	Handle(s, rpc, func(ctx context.Context, in *vItem) (*vItem, error) {
		switch in.ID {
		case 1:
			return nil, &vNotFound{ID: 1}
		case 2:
			return nil, &Error{Code: CodePermissionDenied, Message: "no"}
		}
		return in, nil
	})
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := newTestClient(t, "items", srv.URL)
	err := Call(context.Background(), c, rpc, &vItem{ID: 1}, new(vItem))
	var nf *vNotFound
	if !errors.As(err, &nf) || nf.ID != 1 {
		t.Fatalf("got %#v, want *vNotFound{ID:1}", err)
	}
	if errors.Is(err, ErrNotFound) {
		t.Error("an application error must not match a transport sentinel")
	}
	err = Call(context.Background(), c, rpc, &vItem{ID: 2}, new(vItem))
	if !errors.Is(err, ErrPermissionDenied) || errors.Is(err, ErrNotFound) {
		t.Fatalf("got %v, want permission_denied", err)
	}
	// The generic form when the caller does not know the error type.
	err = Call(context.Background(), c, &RPC{Service: "items", Name: "get"}, &vItem{ID: 1}, new(vItem))
	var ae *ApplicationError
	if !errors.As(err, &ae) || ae.Name != "NotFound" || string(ae.Details) != `{"id":1}` {
		t.Fatalf("got %#v, want *ApplicationError NotFound", err)
	}
}

func TestPanicRecoveryAndMetrics(t *testing.T) {
	m := NewMetrics()
	s := NewServer("echo", WithLogger(quiet), WithMetrics(m))
	Handle(s, &RPC{Service: "echo", Name: "echo"}, func(ctx context.Context, in *vItem) (*vItem, error) {
		if in.ID < 0 {
			panic("negative")
		}
		return in, nil
	})
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := newTestClient(t, "echo", srv.URL, WithMetrics(m))
	rpc := &RPC{Service: "echo", Name: "echo"}
	if err := Call(context.Background(), c, rpc, &vItem{ID: -1}, new(vItem)); !errors.Is(err, ErrInternal) {
		t.Fatalf("panic: got %v, want internal", err)
	}
	for i := 0; i < 2; i++ {
		if err := Call(context.Background(), c, rpc, &vItem{ID: 1}, new(vItem)); err != nil {
			t.Fatalf("the server must keep serving after a panic: %v", err)
		}
	}
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	text := string(body)
	for _, want := range []string{
		"# TYPE brief_server_requests_total counter",
		`brief_server_requests_total{service="echo",rpc="echo",code="ok"} 2`,
		`brief_server_requests_total{service="echo",rpc="echo",code="internal"} 1`,
		`brief_server_errors_total{service="echo",rpc="echo",code="internal"} 1`,
		"# TYPE brief_server_request_duration_seconds histogram",
		`brief_server_request_duration_seconds_bucket{service="echo",rpc="echo",le="+Inf"} 3`,
		`brief_server_request_duration_seconds_count{service="echo",rpc="echo"} 3`,
		`brief_server_in_flight_requests{service="echo"} 0`,
		`brief_client_requests_total{dependency="echo",rpc="echo",code="ok"} 2`,
		`brief_client_requests_total{dependency="echo",rpc="echo",code="internal"} 1`,
		`brief_client_breaker_state{dependency="echo"} 0`,
	} {
		if !strings.Contains(text, want+"\n") {
			t.Errorf("metrics lack %q:\n%s", want, text)
		}
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("metrics content type %q", ct)
	}
}

func TestReadiness(t *testing.T) {
	var failing atomic.Bool
	s := echoServer(WithReadiness(func(ctx context.Context) error {
		if failing.Load() {
			return errors.New("db down")
		}
		return nil
	}))
	get := func() (int, string) {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest("GET", "/health/ready", nil))
		return rec.Code, rec.Body.String()
	}
	if code, _ := get(); code != 200 {
		t.Errorf("ready: %d", code)
	}
	failing.Store(true)
	if code, body := get(); code != 503 || !strings.Contains(body, "db down") {
		t.Errorf("failing check: %d %s", code, body)
	}
	failing.Store(false)
	s.SetReady(false)
	if code, _ := get(); code != 503 {
		t.Errorf("not ready: %d", code)
	}
}

func TestServeShutsDownGracefully(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	s := NewServer("echo", WithLogger(quiet), WithMetrics(NewMetrics()))
	Handle(s, &RPC{Service: "echo", Name: "echo"}, func(ctx context.Context, in *vItem) (*vItem, error) {
		close(started)
		<-release
		return in, nil
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- ServeListener(ctx, ln, s) }()
	c := newTestClient(t, "echo", "http://"+ln.Addr().String())
	callErr := make(chan error, 1)
	go func() {
		callErr <- Call(context.Background(), c, &RPC{Service: "echo", Name: "echo"}, &vItem{ID: 3}, new(vItem))
	}()
	<-started
	cancel()
	// Shutdown has begun once readiness flips; the in-flight call must still complete.
	for i := 0; s.notReady.Load() == false; i++ {
		if i > 1000 {
			t.Fatal("server never became not-ready")
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	if err := <-callErr; err != nil {
		t.Errorf("in-flight call failed during shutdown: %v", err)
	}
	if err := <-served; err != nil {
		t.Errorf("ServeListener returned %v", err)
	}
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Error("still accepting connections after shutdown")
	}
}

// ---- events end to end against an in-test data bus --------------------------------

type testBus struct {
	t      *testing.T
	mu     sync.Mutex
	subs   map[string][]string // topic -> URLs
	events []*Event
	// copies sets how many times each event is delivered (at-least-once).
	copies int
}

func (b *testBus) server() *Server {
	s := NewServer(DataBusService, WithLogger(quiet), WithMetrics(NewMetrics()))
	Handle(s, SubscribeRPC, func(ctx context.Context, in *Subscription) (*Empty, error) {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.subs[in.Topic] = append(b.subs[in.Topic], in.URL)
		return &Empty{}, nil
	})
	Handle(s, PublishRPC, func(ctx context.Context, ev *Event) (*Empty, error) {
		if ev.SpecVersion != "1.0" || ev.ID == "" || ev.Type == "" {
			return nil, Errorf(CodeInvalidArgument, "bad event")
		}
		b.mu.Lock()
		b.events = append(b.events, ev)
		b.mu.Unlock()
		return &Empty{}, nil
	})
	return s
}

// deliverAll delivers every stored event to every subscriber, redelivering
// (up to 5 times) until acknowledged with a 2xx.
func (b *testBus) deliverAll() (attempts int) {
	b.mu.Lock()
	events := b.events
	b.events = nil
	b.mu.Unlock()
	for _, ev := range events {
		body, err := Marshal(ev)
		if err != nil {
			b.t.Fatal(err)
		}
		for _, url := range b.subs[ev.Type] {
			for copy := 0; copy < b.copies; copy++ {
				for try := 1; try <= 5; try++ {
					attempts++
					req, _ := http.NewRequest("POST", url, strings.NewReader(string(body)))
					req.Header.Set("Content-Type", "application/cloudevents+json")
					req.Header.Set(HeaderAttempt, strconv.Itoa(try))
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						b.t.Fatal(err)
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
					if resp.StatusCode/100 == 2 {
						break
					}
				}
			}
		}
	}
	return attempts
}

func TestEventsPublishDeliverDedupe(t *testing.T) {
	bus := &testBus{t: t, subs: map[string][]string{}, copies: 2}
	busSrv := httptest.NewServer(bus.server())
	defer busSrv.Close()

	var mu sync.Mutex
	received := map[int64]int{}
	failOnce := map[int64]bool{2: true}
	consumer := NewServer("consumer", WithLogger(quiet), WithMetrics(NewMetrics()))
	HandleEvent(consumer, "items.created", func(ctx context.Context, it *vItem) error {
		mu.Lock()
		defer mu.Unlock()
		if failOnce[it.ID] {
			delete(failOnce, it.ID)
			return Errorf(CodeUnavailable, "try later")
		}
		received[it.ID]++
		return nil
	})
	consSrv := httptest.NewServer(consumer)
	defer consSrv.Close()

	sub, err := NewBus("consumer", WithBaseURL(busSrv.URL), WithLogger(quiet), WithMetrics(NewMetrics()))
	if err != nil {
		t.Fatal(err)
	}
	if err := sub.Subscribe(context.Background(), "items.created", consSrv.URL+"/events/items.created"); err != nil {
		t.Fatal(err)
	}
	pub, err := NewBus("producer", WithBaseURL(busSrv.URL), WithLogger(quiet), WithMetrics(NewMetrics()))
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, id := range []int64{1, 2, 3} {
		eid, err := pub.Publish(context.Background(), "items.created", &vItem{ID: id})
		if err != nil {
			t.Fatal(err)
		}
		ids[eid] = true
	}
	if len(ids) != 3 {
		t.Errorf("event ids are not unique: %v", ids)
	}
	attempts := bus.deliverAll()
	// 3 events x 2 copies, plus one redelivery for the failing handler.
	if attempts != 7 {
		t.Errorf("%d delivery attempts, want 7", attempts)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, id := range []int64{1, 2, 3} {
		if received[id] != 1 {
			t.Errorf("event for item %d processed %d times, want exactly once", id, received[id])
		}
	}
}

func TestMemoryDeduperEviction(t *testing.T) {
	now := time.Unix(0, 0)
	d := NewMemoryDeduper(time.Minute, 2)
	d.now = func() time.Time { return now }
	ctx := context.Background()
	for _, k := range []string{"a", "b", "c"} {
		if st, _ := d.Acquire(ctx, k); st != DedupeNew {
			t.Fatalf("%s: %v", k, st)
		}
		_ = d.Release(ctx, k, true)
	}
	if st, _ := d.Acquire(ctx, "a"); st != DedupeNew {
		t.Errorf("a should have been evicted by capacity")
	}
	if st, _ := d.Acquire(ctx, "a"); st != DedupeBusy {
		t.Errorf("a is in progress: %v", st)
	}
	_ = d.Release(ctx, "a", false)
	if st, _ := d.Acquire(ctx, "c"); st != DedupeDone {
		t.Errorf("c: %v, want done", st)
	}
	now = now.Add(time.Minute)
	if st, _ := d.Acquire(ctx, "c"); st != DedupeNew {
		t.Errorf("c should have expired: %v", st)
	}
}
