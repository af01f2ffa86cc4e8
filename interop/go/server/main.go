// Command server serves the interop matrix's contract (interop/contract) with the generated Go
// server: echoes, errors on request, a slow rpc, the deadline relay, a flaky idempotent rpc, and
// the event it publishes and consumes. It listens on $LISTEN_ADDR; the data bus is
// $SERVICE_DATA_BUS_URL.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"interop/gen"
	"interop/gen/matrixpeerclient"

	brief "github.com/brief-paas/paasctl/runtime-go"
)

// name is this server's language, reported by the rpcs that say who answered.
const name = "go"

type matrix struct {
	gen.UnimplementedServer
	events *gen.Publisher

	mu       sync.Mutex
	flaky    map[string]int64
	consumed map[string]int64
}

func (*matrix) EchoItem(_ context.Context, in *gen.Item) (*gen.Item, error) { return in, nil }
func (*matrix) EchoEverything(_ context.Context, in *gen.Everything) (*gen.Everything, error) {
	return in, nil
}
func (*matrix) EchoTree(_ context.Context, in *gen.Tree) (*gen.Tree, error)        { return in, nil }
func (*matrix) EchoEmpty(_ context.Context, in *gen.Empty) (*gen.Empty, error)     { return in, nil }
func (*matrix) EchoAll(_ context.Context, in *gen.AllTypes) (*gen.AllTypes, error) { return in, nil }

func (*matrix) Fail(_ context.Context, in *gen.FailIn) (*gen.Empty, error) {
	switch in.Code {
	case "NotFound":
		return nil, &gen.NotFoundError{ID: in.ID}
	case "Conflict":
		return nil, &gen.ConflictError{Reason: fmt.Sprintf("conflict %d", in.ID)}
	default:
		return nil, brief.Errorf(brief.Code(in.Code), "failed as asked with %s", in.Code)
	}
}

func (*matrix) Slow(ctx context.Context, in *gen.SlowIn) (*gen.Empty, error) {
	select {
	case <-time.After(time.Duration(in.Ms) * time.Millisecond):
	case <-ctx.Done():
		return nil, ctx.Err() // the runtime answers deadline_exceeded
	}
	return &gen.Empty{}, nil
}

func (*matrix) Relay(ctx context.Context, in *gen.RelayIn) (*gen.DeadlineOut, error) {
	c, err := gen.NewClient(brief.WithBaseURL(in.URL), brief.WithCaller("matrix-"+name))
	if err != nil {
		return nil, err
	}
	return c.Deadline(ctx, &gen.Empty{})
}

func (*matrix) Deadline(ctx context.Context, _ *gen.Empty) (*gen.DeadlineOut, error) {
	out := &gen.DeadlineOut{RemainingMs: -1, Server: name}
	if d, ok := ctx.Deadline(); ok {
		out.RemainingMs = time.Until(d).Milliseconds()
	}
	return out, nil
}

func (m *matrix) Flaky(_ context.Context, in *gen.FlakyIn) (*gen.FlakyOut, error) {
	m.mu.Lock()
	m.flaky[in.Key]++
	n := m.flaky[in.Key]
	m.mu.Unlock()
	if n <= in.Failures {
		return nil, brief.Errorf(brief.CodeUnavailable, "attempt %d of key %s fails", n, in.Key)
	}
	return &gen.FlakyOut{Attempts: n, Server: name}, nil
}

func (m *matrix) Publish(ctx context.Context, in *gen.PublishIn) (*gen.Empty, error) {
	if _, err := m.events.PublishHappened(ctx, &gen.Happened{Note: in.Note, Publisher: name}); err != nil {
		return nil, err
	}
	return &gen.Empty{}, nil
}

func (m *matrix) Consumed(_ context.Context, in *gen.ConsumedIn) (*gen.ConsumedOut, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return &gen.ConsumedOut{Count: m.consumed[in.Note], Server: name}, nil
}

func (m *matrix) OnMatrixHappened(_ context.Context, e *matrixpeerclient.Happened) error {
	m.mu.Lock()
	m.consumed[e.Note]++
	m.mu.Unlock()
	return nil
}

func main() {
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	events, err := gen.NewPublisher(brief.WithLogger(logger))
	if err != nil {
		logger.Error("publisher", "error", err)
		os.Exit(1)
	}
	m := &matrix{events: events, flaky: map[string]int64{}, consumed: map[string]int64{}}
	s := gen.NewHandler(m, brief.WithLogger(logger))
	gen.HandleEvents(s, m)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := brief.Serve(ctx, os.Getenv("LISTEN_ADDR"), s); err != nil {
		logger.Error("serve", "error", err)
		os.Exit(1)
	}
}
