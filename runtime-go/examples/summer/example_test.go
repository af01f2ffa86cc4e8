package summer_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"time"

	brief "github.com/brief-paas/paasctl/runtime-go"
	"github.com/brief-paas/paasctl/runtime-go/examples/summer"
)

func Example() {
	// Server side: the generated NewHandler wires the implementation.
	impl := &summer.Impl{Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC) }}
	srv := httptest.NewServer(summer.NewHandler(impl, brief.WithMetrics(brief.NewMetrics())))
	defer srv.Close()

	// Client side: normally the base URL comes from SERVICE_SUMMER_URL.
	c, err := summer.NewClient(brief.WithBaseURL(srv.URL), brief.WithCaller("example"), brief.WithMetrics(brief.NewMetrics()))
	if err != nil {
		panic(err)
	}
	ctx := context.Background()

	out, err := c.Sum(ctx, &summer.SumIn{Numbers: []int64{1, 2, 9007199254740993}})
	fmt.Println(out.Total, brief.FormatTime(out.At), err)

	_, err = c.Sum(ctx, &summer.SumIn{Numbers: []int64{1 << 62, 1 << 62}})
	var overflow *summer.OverflowError
	fmt.Println(errors.As(err, &overflow), overflow.Partial)

	_, err = c.Sum(ctx, &summer.SumIn{})
	var empty *summer.EmptyError
	fmt.Println(errors.As(err, &empty), err)

	// Output:
	// 9007199254740996 2026-01-02T03:04:05.123456789Z <nil>
	// true 4611686018427387904
	// true Empty: No numbers were given
}

// Interceptors wrap every call (client) and every handler (server); call
// options apply to one call.
func Example_interceptorsAndCallOptions() {
	logCalls := func(ctx context.Context, procedure string, in, out any, next brief.Invoker) error {
		err := next(ctx, in, out)
		fmt.Println("client:", procedure, err == nil)
		return err
	}
	requireCaller := func(ctx context.Context, procedure string, in any, next brief.Handler) (any, error) {
		if brief.MetadataFrom(ctx).Caller == "" { // X-Source-Service
			return nil, brief.Errorf(brief.CodeUnauthenticated, "%s: who are you?", procedure)
		}
		return next(ctx, in)
	}
	impl := &summer.Impl{Now: time.Now}
	srv := httptest.NewServer(summer.NewHandler(impl, brief.WithMetrics(brief.NewMetrics()),
		brief.WithServerInterceptors(requireCaller)))
	defer srv.Close()
	c, err := summer.NewClient(brief.WithBaseURL(srv.URL), brief.WithCaller("example"),
		brief.WithMetrics(brief.NewMetrics()), brief.WithClientInterceptors(logCalls))
	if err != nil {
		panic(err)
	}
	out, err := c.Sum(context.Background(), &summer.SumIn{Numbers: []int64{2, 3}},
		brief.WithHeader("X-Tenant", "acme"), brief.WithCallTimeout(100*time.Millisecond))
	fmt.Println(out.Total, err)

	_, err = c.Sum(context.Background(), &summer.SumIn{Numbers: []int64{1}}, brief.WithHeader("X-Request-Id", "mine"))
	fmt.Println(errors.Is(err, brief.ErrInvalidArgument))

	// Output:
	// client: summer.sum true
	// 5 <nil>
	// true
}
