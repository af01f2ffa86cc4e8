// End to end through the real data bus (hand-written fixture, see docs/data-bus.md).
//
// bus/tests/kafka.rs generates the Go of golden/cases/go-everything with paasctl into a throwaway
// module, copies this file next to it and runs `go test` with BRIEF_BUS_URL pointing at a
// brief-bus on a real Kafka. The generated Publisher and runtime-go's Bus publish; the generated
// Consumer and event handler receive, on a server on 127.0.0.1. Deliveries are counted per
// event: every event must arrive at least once; duplicates are reported, not assumed away.
package gen_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	gen "example.com/golden/cases/go-everything/gen"
	"example.com/golden/cases/go-everything/gen/billingclient"
	brief "github.com/brief-paas/paasctl/runtime-go"
)

type counts struct {
	mu       sync.Mutex
	own      map[string]int
	payments map[string]int
	refunds  map[string]int
}

func (c *counts) add(m map[string]int, key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m[key]++
}

func (c *counts) OnPaymentDone(ctx context.Context, m *billingclient.PaymentDone) error {
	c.add(c.payments, m.ReceiptID)
	return nil
}

func (c *counts) OnRefundIssued(ctx context.Context, m *billingclient.Refund) error {
	c.add(c.refunds, m.ReceiptID)
	return nil
}

func TestGeneratedGoPublisherAndConsumerThroughTheKafkaDataBus(t *testing.T) {
	busURL := os.Getenv("BRIEF_BUS_URL")
	if busURL == "" {
		t.Skip("BRIEF_BUS_URL is unset (bus/tests/kafka.rs sets it)")
	}
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	c := &counts{own: map[string]int{}, payments: map[string]int{}, refunds: map[string]int{}}

	// The consuming service: the generated Consumer of its subscriptions and a handler of its
	// own topic, on a bare brief server (no rpcs needed).
	s := brief.NewServer(gen.ServiceName, brief.WithLogger(quiet), brief.WithMetrics(brief.NewMetrics()))
	gen.HandleEvents(s, c)
	gen.HandleEverythingHappened(s, func(ctx context.Context, m *gen.Happened) error {
		c.add(c.own, m.What)
		return nil
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: s}
	go srv.Serve(ln)
	defer srv.Close()
	svcURL := "http://" + ln.Addr().String()

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

	pub, err := gen.NewPublisher(brief.WithBaseURL(busURL), brief.WithLogger(quiet), brief.WithMetrics(brief.NewMetrics()))
	if err != nil {
		t.Fatal(err)
	}
	billing, err := brief.NewBus("billing", brief.WithBaseURL(busURL), brief.WithLogger(quiet), brief.WithMetrics(brief.NewMetrics()))
	if err != nil {
		t.Fatal(err)
	}
	const n = 50
	start := time.Now()
	for i := 0; i < n; i++ {
		if _, err := pub.PublishEverythingHappened(ctx, &gen.Happened{What: fmt.Sprintf("h%d", i), At: time.Now().UTC()}); err != nil {
			t.Fatal(err)
		}
		if _, err := billing.Publish(ctx, billingclient.TopicPaymentDone, &billingclient.PaymentDone{ReceiptID: fmt.Sprintf("p%d", i), Amount: int64(i)}); err != nil {
			t.Fatal(err)
		}
		if i%10 == 0 {
			reason := "broken"
			if _, err := billing.Publish(ctx, billingclient.TopicRefund, &billingclient.Refund{ReceiptID: fmt.Sprintf("r%d", i), Reason: &reason}); err != nil {
				t.Fatal(err)
			}
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		c.mu.Lock()
		done := len(c.own) == n && len(c.payments) == n && len(c.refunds) == n/10
		c.mu.Unlock()
		if done {
			break
		}
		if time.Now().After(deadline) {
			c.mu.Lock()
			defer c.mu.Unlock()
			t.Fatalf("after 60 s: %d/%d own, %d/%d payments, %d/%d refunds", len(c.own), n, len(c.payments), n, len(c.refunds), n/10)
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	dups := 0
	for _, m := range []map[string]int{c.own, c.payments, c.refunds} {
		for _, k := range m {
			dups += k - 1
		}
	}
	t.Logf("%d events published and consumed in %v; %d handled more than once", 2*n+n/10, time.Since(start).Round(time.Millisecond), dups)
}
