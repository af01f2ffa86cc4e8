// End-to-end test of generated Go code (hand-written fixture; see docs/go.md).
//
// backends/go/tests/go_toolchain.rs copies this file next to the code generated for
// golden/cases/go-everything (import path example.com/golden/cases/go-everything/gen) in a
// throwaway module and runs `go test`. The generated server runs on 127.0.0.1; the generated
// client calls it.
package gen_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gen "example.com/golden/cases/go-everything/gen"
	"example.com/golden/cases/go-everything/gen/billingclient"
	brief "github.com/brief-paas/paasctl/runtime-go"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

var created = time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)

// impl is the hand-written service behind the generated Server interface.
type impl struct {
	flaky atomic.Int64
}

var _ gen.Server = (*impl)(nil)

func (s *impl) Get(ctx context.Context, in *gen.GetIn) (*gen.Item, error) {
	switch in.ID {
	case 404:
		return nil, &gen.NotFoundError{ID: in.ID}
	case 409:
		return nil, &gen.ConflictError{}
	}
	note := "a note"
	return &gen.Item{
		ID: in.ID, Name: "item", Note: &note, Color: gen.ColorGreen, Kind: gen.TypeRange,
		Money: gen.Money{Units: 5, Currency: gen.CurrencyUSD}, ByID: map[int64]string{-1: "minus one"},
		CreatedAt: created, Blob: []byte{0, 1, 2}, Sparse: []*int64{nil, &in.ID},
		Type: "type", Default: &note, UserID: 1, UserIDField: 2, X1: 3,
	}, nil
}

func (s *impl) Put(ctx context.Context, in *gen.Item) (*gen.Item, error) {
	if in.Name == "" {
		field := "name"
		return nil, &gen.InvalidError{ErrorField: "empty", Field: &field, At: created}
	}
	return in, nil
}

func (s *impl) Slow(ctx context.Context, in *gen.Nothing) (*gen.Nothing, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func (s *impl) Flaky(ctx context.Context, in *gen.FlakyIn) (*gen.FlakyOut, error) {
	n := s.flaky.Add(1)
	if n <= in.Failures {
		return nil, brief.Errorf(brief.CodeUnavailable, "failing call %d on purpose", n)
	}
	return &gen.FlakyOut{Calls: n}, nil
}

func (s *impl) Type(ctx context.Context, in *gen.Func) (*gen.Range, error) {
	return &gen.Range{Ok: in.Enum == gen.TypeFunc}, nil
}

func (s *impl) GetItem(ctx context.Context, in *gen.GetIn) (*gen.Item, error) {
	return &gen.Item{ID: in.ID}, nil
}

func (s *impl) GetItem_(ctx context.Context, in *gen.GetIn) (*gen.Item, error) {
	return &gen.Item{ID: -in.ID}, nil
}

func (s *impl) OldGet(ctx context.Context, in *gen.GetIn) (*gen.Item, error) {
	return s.Get(ctx, in)
}

func (s *impl) Older(ctx context.Context, in *gen.GetIn) (*gen.Item, error) {
	return s.Get(ctx, in)
}

// serve runs h on 127.0.0.1 through the runtime's ServeListener until the test ends.
func serve(t testing.TB, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- brief.ServeListener(ctx, ln, h) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

func newClient(t testing.TB, url string) *gen.Client {
	t.Helper()
	c, err := gen.NewClient(brief.WithBaseURL(url), brief.WithLogger(quiet), brief.WithMetrics(brief.NewMetrics()),
		brief.WithRetry(brief.RetryPolicy{InitialBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func start(t testing.TB) (*impl, *gen.Client) {
	s := &impl{}
	url := serve(t, gen.NewHandler(s, brief.WithLogger(quiet), brief.WithMetrics(brief.NewMetrics())))
	return s, newClient(t, url)
}

func TestSuccessfulCall(t *testing.T) {
	_, c := start(t)
	out, err := c.Get(context.Background(), &gen.GetIn{ID: 7, UserID: "u"})
	if err != nil {
		t.Fatal(err)
	}
	if out.ID != 7 || out.Name != "item" || *out.Note != "a note" || out.Color != gen.ColorGreen ||
		out.Kind != gen.TypeRange || out.Money.Currency != gen.CurrencyUSD || out.ByID[-1] != "minus one" ||
		!out.CreatedAt.Equal(created) || string(out.Blob) != "\x00\x01\x02" || out.Sparse[0] != nil ||
		*out.Sparse[1] != 7 || out.Type != "type" || out.UserID != 1 || out.UserIDField != 2 || out.X1 != 3 {
		t.Fatalf("unexpected item %+v", out)
	}
	if got := out.Color.String(); got != "green" {
		t.Fatalf("Color.String() = %q", got)
	}
	r, err := c.Type(context.Background(), &gen.Func{Enum: gen.TypeFunc})
	if err != nil || !r.Ok {
		t.Fatalf("Type: %+v %v", r, err)
	}
	a, err1 := c.GetItem(context.Background(), &gen.GetIn{ID: 3})
	b, err2 := c.GetItem_(context.Background(), &gen.GetIn{ID: 3})
	if err1 != nil || err2 != nil || a.ID != 3 || b.ID != -3 {
		t.Fatalf("get_item / getItem reached the wrong handler: %v %v %v %v", a, b, err1, err2)
	}
}

func TestApplicationErrorsAreTyped(t *testing.T) {
	_, c := start(t)
	_, err := c.Get(context.Background(), &gen.GetIn{ID: 404})
	var nf *gen.NotFoundError
	if !errors.As(err, &nf) || nf.ID != 404 {
		t.Fatalf("want *gen.NotFoundError{ID: 404}, got %T %v", err, err)
	}
	if err.Error() != "NotFound: No such item (id=404)" {
		t.Fatalf("message %q", err.Error())
	}
	_, err = c.Get(context.Background(), &gen.GetIn{ID: 409})
	var conflict *gen.ConflictError
	if !errors.As(err, &conflict) {
		t.Fatalf("want *gen.ConflictError, got %T %v", err, err)
	}
	_, err = c.Put(context.Background(), &gen.Item{})
	var invalid *gen.InvalidError
	if !errors.As(err, &invalid) || invalid.ErrorField != "empty" || *invalid.Field != "name" || !invalid.At.Equal(created) {
		t.Fatalf("want *gen.InvalidError, got %T %v", err, err)
	}
	if brief.CodeOf(err) != "Invalid" {
		t.Fatalf("CodeOf = %q", brief.CodeOf(err))
	}
}

func TestTimeoutFromContract(t *testing.T) {
	_, c := start(t)
	begin := time.Now()
	_, err := c.Slow(context.Background(), &gen.Nothing{})
	if !errors.Is(err, brief.ErrDeadlineExceeded) {
		t.Fatalf("want deadline_exceeded, got %T %v", err, err)
	}
	if d := time.Since(begin); d > 2*time.Second {
		t.Fatalf("@timeout(100ms) took %v", d)
	}
}

func TestTimeoutFromContext(t *testing.T) {
	_, c := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	_, err := c.Slow(ctx, &gen.Nothing{})
	if !errors.Is(err, brief.ErrDeadlineExceeded) {
		t.Fatalf("want deadline_exceeded, got %T %v", err, err)
	}
}

func TestCallTimeoutShortensTheCall(t *testing.T) {
	h := gen.NewHandler(&impl{}, brief.WithLogger(quiet), brief.WithMetrics(brief.NewMetrics()))
	var sent atomic.Value
	c := newClient(t, serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent.Store(r.Header.Get(brief.HeaderTimeoutMs))
		h.ServeHTTP(w, r)
	})))
	_, err := c.Slow(context.Background(), &gen.Nothing{}, brief.WithCallTimeout(20*time.Millisecond))
	if !errors.Is(err, brief.ErrDeadlineExceeded) {
		t.Fatalf("want deadline_exceeded, got %T %v", err, err)
	}
	// The rpc's @timeout is 100ms; the call sends what is left of 20ms.
	if ms, _ := strconv.Atoi(fmt.Sprint(sent.Load())); ms <= 0 || ms > 20 {
		t.Fatalf("%s = %v with WithCallTimeout(20ms)", brief.HeaderTimeoutMs, sent.Load())
	}
}

// TestInterceptorsAndCallHeaders: a client interceptor and a call header on
// the generated client; a server interceptor on the generated handler that
// sees the procedure and the typed request and short-circuits one of them.
func TestInterceptorsAndCallHeaders(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	record := func(s string) { mu.Lock(); seen = append(seen, s); mu.Unlock() }
	h := gen.NewHandler(&impl{}, brief.WithLogger(quiet), brief.WithMetrics(brief.NewMetrics()),
		brief.WithServerInterceptors(func(ctx context.Context, procedure string, in any, next brief.Handler) (any, error) {
			record("server " + procedure)
			if g, ok := in.(*gen.GetIn); ok && g.UserID == "blocked" {
				return nil, brief.Errorf(brief.CodePermissionDenied, "blocked")
			}
			return next(ctx, in)
		}))
	var header atomic.Value
	url := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		header.Store(r.Header.Get("X-Tenant"))
		h.ServeHTTP(w, r)
	}))
	c, err := gen.NewClient(brief.WithBaseURL(url), brief.WithLogger(quiet), brief.WithMetrics(brief.NewMetrics()),
		brief.WithClientInterceptors(func(ctx context.Context, procedure string, in, out any, next brief.Invoker) error {
			record("client " + procedure)
			return next(ctx, in, out)
		}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(context.Background(), &gen.GetIn{ID: 7}, brief.WithHeader("X-Tenant", "acme")); err != nil {
		t.Fatal(err)
	}
	if got := header.Load(); got != "acme" {
		t.Fatalf("X-Tenant = %v", got)
	}
	if _, err := c.Get(context.Background(), &gen.GetIn{ID: 7, UserID: "blocked"}); !errors.Is(err, brief.ErrPermissionDenied) {
		t.Fatalf("want permission_denied from the server interceptor, got %T %v", err, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := "client everything.get,server everything.get,client everything.get,server everything.get"; strings.Join(seen, ",") != want {
		t.Fatalf("interceptors saw %v, want %s", seen, want)
	}
	if _, err := c.Get(context.Background(), &gen.GetIn{ID: 7}, brief.WithHeader("X-Request-Id", "x")); !errors.Is(err, brief.ErrInvalidArgument) {
		t.Fatalf("a reserved header: want invalid_argument, got %v", err)
	}
}

func TestIdempotentRPCIsRetriedAfter503(t *testing.T) {
	s, c := start(t)
	out, err := c.Flaky(context.Background(), &gen.FlakyIn{Failures: 1})
	if err != nil {
		t.Fatalf("retry did not recover: %v", err)
	}
	if out.Calls != 2 || s.flaky.Load() != 2 {
		t.Fatalf("want 2 calls (one 503, one retry), got %d / %d", out.Calls, s.flaky.Load())
	}
	// More failures than attempts: the 503 reaches the caller as unavailable.
	s.flaky.Store(0)
	_, err = c.Flaky(context.Background(), &gen.FlakyIn{Failures: 10})
	if !errors.Is(err, brief.ErrUnavailable) || s.flaky.Load() != 3 {
		t.Fatalf("want unavailable after 3 attempts, got %v after %d", err, s.flaky.Load())
	}
}

// fakeBus is a data bus: it records subscriptions and delivers each published event to the
// subscribers of its topic, as CloudEvents over HTTP.
type fakeBus struct {
	mu   sync.Mutex
	subs map[string][]string
}

func (b *fakeBus) handler() *brief.Server {
	s := brief.NewServer(brief.DataBusService, brief.WithLogger(quiet), brief.WithMetrics(brief.NewMetrics()))
	brief.Handle(s, brief.SubscribeRPC, func(ctx context.Context, in *brief.Subscription) (*brief.Empty, error) {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.subs[in.Topic] = append(b.subs[in.Topic], in.URL)
		return &brief.Empty{}, nil
	})
	brief.Handle(s, brief.PublishRPC, func(ctx context.Context, ev *brief.Event) (*brief.Empty, error) {
		b.mu.Lock()
		urls := append([]string(nil), b.subs[ev.Type]...)
		b.mu.Unlock()
		body, err := brief.Marshal(ev)
		if err != nil {
			return nil, err
		}
		for _, u := range urls {
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/cloudevents+json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return nil, brief.WrapError(brief.CodeUnavailable, err, "delivery failed")
			}
			resp.Body.Close()
			if resp.StatusCode/100 != 2 {
				return nil, brief.Errorf(brief.CodeUnavailable, "delivery to %s: HTTP %d", u, resp.StatusCode)
			}
		}
		return &brief.Empty{}, nil
	})
	return s
}

type consumer struct {
	mu       sync.Mutex
	payments []*billingclient.PaymentDone
	refunds  []*billingclient.Refund
}

func (c *consumer) OnPaymentDone(ctx context.Context, m *billingclient.PaymentDone) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.payments = append(c.payments, m)
	return nil
}

func (c *consumer) OnRefundIssued(ctx context.Context, m *billingclient.Refund) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refunds = append(c.refunds, m)
	return nil
}

func TestEventsThroughTheDataBus(t *testing.T) {
	ctx := context.Background()
	bus := &fakeBus{subs: map[string][]string{}}
	busURL := serve(t, bus.handler())

	// The service: its rpcs, the consumers of its subscriptions, and of one of its own topics.
	h := gen.NewHandler(&impl{}, brief.WithLogger(quiet), brief.WithMetrics(brief.NewMetrics()))
	cons := &consumer{}
	gen.HandleEvents(h, cons)
	own := make(chan *gen.Happened, 1)
	gen.HandleEverythingHappened(h, func(ctx context.Context, m *gen.Happened) error {
		own <- m
		return nil
	})
	svcURL := serve(t, h)

	svcBus, err := brief.NewBus(gen.ServiceName, brief.WithBaseURL(busURL), brief.WithLogger(quiet), brief.WithMetrics(brief.NewMetrics()))
	if err != nil {
		t.Fatal(err)
	}
	if err := gen.Subscribe(ctx, svcBus, svcURL); err != nil {
		t.Fatal(err)
	}
	if err := svcBus.Subscribe(ctx, gen.TopicEverythingHappened, svcURL+"/events/"+gen.TopicEverythingHappened); err != nil {
		t.Fatal(err)
	}

	// The service publishes its own event through the generated Publisher.
	pub, err := gen.NewPublisher(brief.WithBaseURL(busURL), brief.WithLogger(quiet), brief.WithMetrics(brief.NewMetrics()))
	if err != nil {
		t.Fatal(err)
	}
	id, err := pub.PublishEverythingHappened(ctx, &gen.Happened{What: "hello", At: created})
	if err != nil || id == "" {
		t.Fatalf("publish: %q %v", id, err)
	}
	select {
	case m := <-own:
		if m.What != "hello" || !m.At.Equal(created) {
			t.Fatalf("consumed %+v", m)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("own event not consumed")
	}

	// billing publishes; the generated Consumer receives typed events.
	billing, err := brief.NewBus("billing", brief.WithBaseURL(busURL), brief.WithLogger(quiet), brief.WithMetrics(brief.NewMetrics()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := billing.Publish(ctx, billingclient.TopicPaymentDone, &billingclient.PaymentDone{ReceiptID: "r1", Amount: 42}); err != nil {
		t.Fatal(err)
	}
	reason := "broken"
	if _, err := billing.Publish(ctx, billingclient.TopicRefund, &billingclient.Refund{ReceiptID: "r1", Reason: &reason}); err != nil {
		t.Fatal(err)
	}
	cons.mu.Lock()
	defer cons.mu.Unlock()
	if len(cons.payments) != 1 || cons.payments[0].Amount != 42 || len(cons.refunds) != 1 || *cons.refunds[0].Reason != "broken" {
		t.Fatalf("consumed %v %v", cons.payments, cons.refunds)
	}
	if fmt.Sprint(gen.Subscriptions) != "[payment.done refund.issued]" {
		t.Fatalf("Subscriptions = %v", gen.Subscriptions)
	}
}

func TestEnumsEncodeAsNamesWithEncodingJSON(t *testing.T) {
	m := gen.Money{Units: 5, Currency: gen.CurrencyUSD}
	std, err := json.Marshal(&m)
	if err != nil {
		t.Fatal(err)
	}
	wire, err := brief.Marshal(&m)
	if err != nil {
		t.Fatal(err)
	}
	if string(std) != string(wire) || string(wire) != `{"units":5,"currency":"USD"}` {
		t.Fatalf("encoding/json %s, wire %s", std, wire)
	}
	var back gen.Money
	if err := json.Unmarshal([]byte(`{"units":1,"currency":"EUR"}`), &back); err != nil || back.Currency != gen.CurrencyEUR {
		t.Fatalf("%v %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"currency":"GBP"}`), &back); err == nil {
		t.Fatal("unknown name accepted")
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "color", gen.ColorGreen)
	if !bytes.Contains(buf.Bytes(), []byte(`"color":"green"`)) {
		t.Fatalf("slog: %s", buf.Bytes())
	}
}

// partial implements only Get; the rest comes from the embedded UnimplementedServer.
type partial struct{ gen.UnimplementedServer }

func (partial) Get(ctx context.Context, in *gen.GetIn) (*gen.Item, error) {
	return &gen.Item{ID: in.ID, Blob: []byte{}, Tags: []string{}, Counts: map[string]int64{}, ByID: map[int64]string{},
		Sparse: []*int64{}, Nested: map[string][]*gen.Money{}, Matrix: [][]float64{}, Colors: []gen.Color{}, Map: map[string]string{}}, nil
}

func TestUnimplementedServerAnswersUnimplemented(t *testing.T) {
	url := serve(t, gen.NewHandler(partial{}, brief.WithLogger(quiet), brief.WithMetrics(brief.NewMetrics())))
	c := newClient(t, url)
	if out, err := c.Get(context.Background(), &gen.GetIn{ID: 3}); err != nil || out.ID != 3 {
		t.Fatalf("%v %v", out, err)
	}
	_, err := c.Put(context.Background(), &gen.Item{})
	if brief.CodeOf(err) != string(brief.CodeUnimplemented) {
		t.Fatalf("want unimplemented, got %T %v", err, err)
	}
}

func TestZeroValuesFailInsteadOfPanicking(t *testing.T) {
	var zero gen.Client
	if _, err := zero.Get(context.Background(), &gen.GetIn{}); brief.CodeOf(err) != string(brief.CodeFailedPrecondition) {
		t.Fatalf("zero client: %v", err)
	}
	var nilClient *gen.Client
	if _, err := nilClient.Get(context.Background(), &gen.GetIn{}); brief.CodeOf(err) != string(brief.CodeFailedPrecondition) {
		t.Fatalf("nil client: %v", err)
	}
	var p gen.Publisher
	if _, err := p.PublishItem(context.Background(), &gen.Item{}); brief.CodeOf(err) != string(brief.CodeFailedPrecondition) {
		t.Fatalf("zero publisher: %v", err)
	}
	if got := (*gen.NotFoundError)(nil).Error(); got != "NotFound: No such item" {
		t.Fatalf("nil error: %q", got)
	}
}
