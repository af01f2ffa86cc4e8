// The Go client of the interop stage (scripts/test.d/46-php-fpm.sh): the generated Go client
// calls the generated PHP server under php-fpm (a result, a typed application error, a
// timeout, a retried idempotent rpc) and the generated Go publisher publishes an event through
// the test bus. Usage: client <PHP server URL> <bus URL> <flaky key>. Exits 1 on a failure.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	gen "example.com/interop/interop"
	"example.com/interop/interop-listener/interopclient"
	brief "github.com/brief-paas/paasctl/runtime-go"
)

func check(ok bool, format string, args ...any) {
	status := "ok   "
	if !ok {
		status = "FAIL "
	}
	fmt.Printf(status+"go client -> php: "+format+"\n", args...)
	if !ok {
		os.Exit(1)
	}
}

func main() {
	url, bus, key := os.Args[1], os.Args[2], os.Args[3]
	ctx := context.Background()
	c, err := interopclient.NewClient(brief.WithBaseURL(url), brief.WithCaller("go-client"))
	check(err == nil, "client: %v", err)

	item, err := c.Get(ctx, &interopclient.GetIn{ID: 7})
	check(err == nil && item.ID == 7 && item.Name == "php" && len(item.Tags) == 2 && item.At.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)),
		"get(7) = %+v (%v)", item, err)

	_, err = c.Get(ctx, &interopclient.GetIn{ID: 0})
	var nf *interopclient.NotFoundError
	check(errors.As(err, &nf), "get(0) is the typed NotFoundError: %v", err)

	start := time.Now()
	_, err = c.Slow(ctx, &interopclient.SlowIn{Ms: 1000})
	took := time.Since(start)
	check(errors.Is(err, brief.ErrDeadlineExceeded) && took < 900*time.Millisecond, "slow(1000 ms) with @timeout 200ms: %v after %v", err, took.Round(time.Millisecond))

	out, err := c.Flaky(ctx, &interopclient.FlakyIn{Key: key, Failures: 2})
	check(err == nil && out.Attempts == 3, "flaky(2 failures) retried: attempts = %v (%v)", out, err)

	p, err := gen.NewPublisher(brief.WithBaseURL(bus))
	check(err == nil, "publisher: %v", err)
	id, err := p.PublishHappened(ctx, &gen.Happened{ID: 5, Note: "from go"})
	check(err == nil, "published event %s (%v)", id, err)
}
