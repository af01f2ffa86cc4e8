// The Go side of the interop stage (scripts/test.d/46-php-fpm.sh): serves the interop
// contract with the generated Go server and consumes interop.happened with the generated Go
// consumer, logging each event it handles (one JSON line) to the file named by $GO_EVENTS_LOG.
// Usage: server <port>.
package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"sync"
	"time"

	gen "example.com/interop/interop"
	listener "example.com/interop/interop-listener"
	"example.com/interop/interop-listener/interopclient"
	brief "github.com/brief-paas/paasctl/runtime-go"
)

type impl struct {
	gen.UnimplementedServer
	mu    sync.Mutex
	flaky map[string]int64
}

func (s *impl) Get(ctx context.Context, in *gen.GetIn) (*gen.Item, error) {
	if in.ID == 0 {
		return nil, &gen.NotFoundError{ID: 0}
	}
	return &gen.Item{ID: in.ID, Name: "go", Tags: []string{"a", "b"}, At: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}, nil
}

func (s *impl) Slow(ctx context.Context, in *gen.SlowIn) (*gen.Empty, error) {
	select {
	case <-time.After(time.Duration(in.Ms) * time.Millisecond):
		return &gen.Empty{}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (s *impl) Flaky(ctx context.Context, in *gen.FlakyIn) (*gen.FlakyOut, error) {
	s.mu.Lock()
	s.flaky[in.Key]++
	n := s.flaky[in.Key]
	s.mu.Unlock()
	if n <= in.Failures {
		return nil, brief.Errorf(brief.CodeUnavailable, "flaky: call %d of key %s", n, in.Key)
	}
	return &gen.FlakyOut{Attempts: n}, nil
}

type consumer struct {
	mu  sync.Mutex
	log string
}

func (c *consumer) OnInteropHappened(ctx context.Context, m *interopclient.Happened) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, err := os.OpenFile(c.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	line, _ := json.Marshal(m)
	_, err = f.Write(append(line, '\n'))
	return err
}

func main() {
	s := gen.NewHandler(&impl{flaky: map[string]int64{}})
	listener.HandleEvents(s, &consumer{log: os.Getenv("GO_EVENTS_LOG")})
	srv := &http.Server{Addr: "127.0.0.1:" + os.Args[1], Handler: s, ReadHeaderTimeout: 10 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		os.Exit(1)
	}
}
