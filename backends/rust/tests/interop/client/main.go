// Interop fixture (hand-written; see docs/rust.md): the generated Go client of
// golden/cases/go-everything calls a generated Rust server at the base URL given as argument,
// checks the answers and exits 0, or prints what was wrong and exits 1.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	brief "github.com/brief-paas/paasctl/runtime-go"

	gen "example.com/interop/gen"
)

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}

func main() {
	c, err := gen.NewClient(brief.WithBaseURL(os.Args[1]), brief.WithCaller("go-client"))
	if err != nil {
		fail("client: %v", err)
	}
	ctx := context.Background()
	out, err := c.Get(ctx, &gen.GetIn{ID: 7, UserID: "u1"})
	if err != nil || out.ID != 7 || out.Name != "caller=go-client user=u1" || string(out.Blob) != "\x00\x01\x02\xff" {
		fail("get 7: %+v %v", out, err)
	}
	var nf *gen.NotFoundError
	if _, err := c.Get(ctx, &gen.GetIn{ID: 404}); !errors.As(err, &nf) || nf.ID != 404 {
		fail("get 404: want NotFoundError, got %v", err)
	}
	if _, err := c.Get(ctx, &gen.GetIn{ID: 409}); !errors.As(err, new(*gen.ConflictError)) {
		fail("get 409: want ConflictError, got %v", err)
	}
	if _, err := c.Get(ctx, &gen.GetIn{ID: 503}); !errors.Is(err, brief.ErrUnavailable) {
		fail("get 503: want unavailable, got %v", err)
	}
	item := &gen.Item{ID: 1, Price: 2.5, Tags: []string{"a"}, ByID: map[int64]string{-3: "x"},
		CreatedAt: time.Unix(1767322800, 5).UTC(), MaybeMoney: &gen.Money{Units: 5, Currency: gen.CurrencyUSD}}
	got, err := c.Put(ctx, item)
	if err != nil || got.ID != 1 || got.Price != 2.5 || got.ByID[-3] != "x" || !got.CreatedAt.Equal(item.CreatedAt) ||
		got.MaybeMoney == nil || got.MaybeMoney.Currency != gen.CurrencyUSD {
		fail("put: %+v %v", got, err)
	}
	start := time.Now()
	if _, err := c.Slow(ctx, &gen.Nothing{}); !errors.Is(err, brief.ErrDeadlineExceeded) || time.Since(start) > 2*time.Second {
		fail("slow: want deadline_exceeded, got %v after %v", err, time.Since(start))
	}
	fmt.Println("go client -> rust server: ok")
}
