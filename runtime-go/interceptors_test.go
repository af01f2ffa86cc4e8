package brief

import (
	"context"
	"errors"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
)

type icNum struct {
	N int64 `json:"n"`
}

var icRPC = &RPC{Service: "calc", Name: "double"}

// icServer serves calc.double (n -> 2n) on a real socket with opts.
func icServer(t *testing.T, opts ...ServerOption) *httptest.Server {
	t.Helper()
	s := NewServer("calc", append([]ServerOption{WithLogger(quiet), WithMetrics(NewMetrics())}, opts...)...)
	Handle(s, icRPC, func(_ context.Context, in *icNum) (*icNum, error) { return &icNum{N: 2 * in.N}, nil })
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv
}

// trace records the order in which interceptors run.
type trace struct {
	mu    sync.Mutex
	steps []string
}

func (tr *trace) add(s string) { tr.mu.Lock(); tr.steps = append(tr.steps, s); tr.mu.Unlock() }

func TestClientInterceptorsWrapCallsInOrder(t *testing.T) {
	srv := icServer(t)
	tr := &trace{}
	mk := func(name string) ClientInterceptor {
		return func(ctx context.Context, procedure string, in, out any, next Invoker) error {
			tr.add(name + ">" + procedure)
			if n := in.(*icNum).N; n != 21 {
				t.Errorf("%s saw request %d", name, n)
			}
			err := next(ctx, in, out)
			tr.add("<" + name)
			return err
		}
	}
	c := newTestClient(t, "calc", srv.URL, WithClientInterceptors(mk("a"), mk("b")), WithClientInterceptors(mk("c")))
	out := new(icNum)
	if err := Call(context.Background(), c, icRPC, &icNum{N: 21}, out); err != nil || out.N != 42 {
		t.Fatalf("call: %v %+v", err, out)
	}
	want := []string{"a>calc.double", "b>calc.double", "c>calc.double", "<c", "<b", "<a"}
	if !reflect.DeepEqual(tr.steps, want) {
		t.Fatalf("order %v, want %v", tr.steps, want)
	}
}

func TestClientInterceptorShortCircuits(t *testing.T) {
	srv := icServer(t, WithServerInterceptors(func(context.Context, string, any, Handler) (any, error) {
		t.Error("the server was called")
		return nil, nil
	}))
	denied := errors.New("denied")
	c := newTestClient(t, "calc", srv.URL, WithClientInterceptors(func(context.Context, string, any, any, Invoker) error { return denied }))
	if err := Call(context.Background(), c, icRPC, &icNum{N: 1}, new(icNum)); err != denied {
		t.Fatalf("got %v, want the interceptor's error", err)
	}
}

func TestServerInterceptorsWrapHandlersInOrder(t *testing.T) {
	tr := &trace{}
	mk := func(name string) ServerInterceptor {
		return func(ctx context.Context, procedure string, in any, next Handler) (any, error) {
			tr.add(name + ">" + procedure)
			if _, ok := in.(*icNum); !ok || RequestID(ctx) == "" {
				t.Errorf("%s: ctx without metadata or request %T", name, in)
			}
			out, err := next(ctx, in)
			tr.add("<" + name)
			return out, err
		}
	}
	srv := icServer(t, WithServerInterceptors(mk("a"), mk("b")))
	out := new(icNum)
	if err := Call(context.Background(), newTestClient(t, "calc", srv.URL), icRPC, &icNum{N: 4}, out); err != nil || out.N != 8 {
		t.Fatalf("call: %v %+v", err, out)
	}
	want := []string{"a>calc.double", "b>calc.double", "<b", "<a"}
	if !reflect.DeepEqual(tr.steps, want) {
		t.Fatalf("order %v, want %v", tr.steps, want)
	}
}

func TestServerInterceptorShortCircuitsWithAnError(t *testing.T) {
	srv := icServer(t, WithServerInterceptors(func(_ context.Context, _ string, in any, next Handler) (any, error) {
		if in.(*icNum).N < 0 {
			return nil, Errorf(CodePermissionDenied, "negative numbers are not allowed")
		}
		return next(context.Background(), in)
	}))
	c := newTestClient(t, "calc", srv.URL)
	err := Call(context.Background(), c, icRPC, &icNum{N: -1}, new(icNum))
	if !errors.Is(err, ErrPermissionDenied) || !strings.Contains(err.Error(), "negative") {
		t.Fatalf("got %v, want permission_denied", err)
	}
	out := new(icNum)
	if err := Call(context.Background(), c, icRPC, &icNum{N: 3}, out); err != nil || out.N != 6 {
		t.Fatalf("call: %v %+v", err, out)
	}
}

func TestServerInterceptorWrongTypesAreInternal(t *testing.T) {
	for name, ic := range map[string]ServerInterceptor{
		"request":  func(ctx context.Context, _ string, _ any, next Handler) (any, error) { return next(ctx, "not *icNum") },
		"response": func(context.Context, string, any, Handler) (any, error) { return 42, nil },
	} {
		srv := icServer(t, WithServerInterceptors(ic))
		err := Call(context.Background(), newTestClient(t, "calc", srv.URL), icRPC, &icNum{N: 1}, new(icNum))
		if !errors.Is(err, ErrInternal) {
			t.Errorf("%s of the wrong type: got %v, want internal", name, err)
		}
	}
}
