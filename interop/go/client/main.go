// Command client runs the interop matrix's scenarios (docs/interop.md) with the generated Go
// client against one server and prints one JSON line per scenario: {"scenario", "ok", "detail"}.
//
//	client -server URL -final URL -publisher URL -vectors codec.json -values values.json [-micro]
//
// -final is the server the middle service (-server) relays the deadline call to; -publisher is
// the server asked to publish the event that -server must have consumed; -micro skips vectors
// with sub-microsecond times (a PHP peer keeps microseconds, docs/php.md).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"os"
	"reflect"
	"regexp"
	"time"

	"interop/gen"

	brief "github.com/brief-paas/paasctl/runtime-go"
)

type result struct {
	Scenario string `json:"scenario"`
	OK       bool   `json:"ok"`
	Detail   string `json:"detail"`
}

func report(scenario string, ok bool, format string, args ...any) {
	line, _ := json.Marshal(result{scenario, ok, fmt.Sprintf(format, args...)})
	fmt.Println(string(line))
}

// vector is one case of golden/wire/codec.json (or interop/values.json).
type vector struct {
	Type      string   `json:"type"`
	Canonical *string  `json:"canonical"`
	Accept    []string `json:"accept"`
}

var subMicro = regexp.MustCompile(`\.\d{6}(\d*[1-9]\d*)Z`)

func main() {
	server := flag.String("server", "", "the server's base URL")
	final := flag.String("final", "", "where the middle service relays the deadline call")
	publisher := flag.String("publisher", "", "the server asked to publish")
	vectorsPath := flag.String("vectors", "", "golden/wire/codec.json")
	valuesPath := flag.String("values", "", "interop/values.json")
	micro := flag.Bool("micro", false, "skip vectors with sub-microsecond times")
	flag.Parse()

	c, err := gen.NewClient(brief.WithBaseURL(*server), brief.WithCaller("matrix-client-go"))
	if err != nil {
		report("client", false, "%v", err)
		os.Exit(1)
	}
	ctx := context.Background()
	vectors(ctx, c, "wire vectors", *vectorsPath, *micro)
	vectors(ctx, c, "every type", *valuesPath, *micro)

	_, err = c.Fail(ctx, &gen.FailIn{Code: "NotFound", ID: 7})
	var nf *gen.NotFoundError
	report("typed error", errors.As(err, &nf) && nf.ID == 7, "NotFound{id: 7} -> %v", err)

	_, err = c.Fail(ctx, &gen.FailIn{Code: "permission_denied"})
	report("transport error", brief.CodeOf(err) == "permission_denied", "permission_denied -> %s (%v)", brief.CodeOf(err), err)

	start := time.Now()
	_, err = c.Slow(ctx, &gen.SlowIn{Ms: 1500})
	took := time.Since(start)
	report("@timeout", errors.Is(err, brief.ErrDeadlineExceeded) && took < 1200*time.Millisecond,
		"slow(1500 ms), @timeout 300ms -> %s after %v", brief.CodeOf(err), took.Round(time.Millisecond))

	dctx, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
	out, err := c.Relay(dctx, &gen.RelayIn{URL: *final})
	cancel()
	report("deadline via middle", err == nil && out.RemainingMs > 0 && out.RemainingMs <= 1500,
		"1500 ms budget, the final server had %v ms left (%v)", remaining(out), err)

	key := fmt.Sprintf("go-%d", time.Now().UnixNano())
	fo, err := c.Flaky(ctx, &gen.FlakyIn{Key: key, Failures: 2})
	report("retry idempotent", err == nil && fo.Attempts == 3, "2 failures, then %v attempts (%v)", attempts(fo), err)

	pub, err := gen.NewClient(brief.WithBaseURL(*publisher), brief.WithCaller("matrix-client-go"))
	if err == nil {
		note := fmt.Sprintf("go-client-%d", time.Now().UnixNano())
		if _, err = pub.Publish(ctx, &gen.PublishIn{Note: note}); err == nil {
			var n int64
			for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
				got, cerr := c.Consumed(ctx, &gen.ConsumedIn{Note: note})
				if cerr == nil && got.Count > 0 {
					n = got.Count
					break
				}
			}
			report("event", n == 1, "published by %s, consumed %d time(s)", *publisher, n)
		}
	}
	if err != nil {
		report("event", false, "%v", err)
	}
}

func remaining(o *gen.DeadlineOut) any {
	if o == nil {
		return "no"
	}
	return o.RemainingMs
}

func attempts(o *gen.FlakyOut) any {
	if o == nil {
		return "no"
	}
	return o.Attempts
}

// vectors decodes each case's canonical text and accepted inputs as its type, sends it through
// the echo rpc of that type, and compares the answer, re-encoded, with the canonical text.
func vectors(ctx context.Context, c *gen.Client, scenario, path string, micro bool) {
	raw, err := os.ReadFile(path)
	if err != nil {
		report(scenario, false, "%v", err)
		return
	}
	var file struct {
		Cases []vector `json:"cases"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		report(scenario, false, "%s: %v", path, err)
		return
	}
	ran, skipped := 0, 0
	for _, v := range file.Cases {
		if v.Canonical == nil {
			continue
		}
		echo := echoer(c, v.Type)
		if echo == nil {
			continue
		}
		if micro && subMicro.MatchString(*v.Canonical) {
			skipped++
			continue
		}
		for _, in := range append([]string{*v.Canonical}, v.Accept...) {
			got, err := echo(ctx, []byte(in))
			if err != nil {
				report(scenario, false, "%s %s: %v", v.Type, in, err)
				return
			}
			if !sameJSON(got, []byte(*v.Canonical)) {
				report(scenario, false, "%s %s: echoed %s, want %s", v.Type, in, got, *v.Canonical)
				return
			}
			ran++
		}
	}
	report(scenario, ran > 0, "%d texts echoed and re-encoded canonically (%d sub-microsecond skipped)", ran, skipped)
}

type echoFunc func(ctx context.Context, text []byte) ([]byte, error)

func echoVia[T any](text []byte, call func(*T) (*T, error)) ([]byte, error) {
	in := new(T)
	if err := brief.Unmarshal(text, in); err != nil {
		return nil, err
	}
	out, err := call(in)
	if err != nil {
		return nil, err
	}
	return brief.Marshal(out)
}

func echoer(c *gen.Client, typ string) echoFunc {
	switch typ {
	case "Item":
		return func(ctx context.Context, t []byte) ([]byte, error) {
			return echoVia(t, func(in *gen.Item) (*gen.Item, error) { return c.EchoItem(ctx, in) })
		}
	case "Everything":
		return func(ctx context.Context, t []byte) ([]byte, error) {
			return echoVia(t, func(in *gen.Everything) (*gen.Everything, error) { return c.EchoEverything(ctx, in) })
		}
	case "Tree":
		return func(ctx context.Context, t []byte) ([]byte, error) {
			return echoVia(t, func(in *gen.Tree) (*gen.Tree, error) { return c.EchoTree(ctx, in) })
		}
	case "Empty":
		return func(ctx context.Context, t []byte) ([]byte, error) {
			return echoVia(t, func(in *gen.Empty) (*gen.Empty, error) { return c.EchoEmpty(ctx, in) })
		}
	case "AllTypes":
		return func(ctx context.Context, t []byte) ([]byte, error) {
			return echoVia(t, func(in *gen.AllTypes) (*gen.AllTypes, error) { return c.EchoAll(ctx, in) })
		}
	}
	return nil
}

// sameJSON compares two JSON texts as golden/wire/README.md says: objects as unordered maps,
// arrays in order, numbers by exact decimal value.
func sameJSON(a, b []byte) bool {
	var x, y any
	da, db := json.NewDecoder(bytes.NewReader(a)), json.NewDecoder(bytes.NewReader(b))
	da.UseNumber()
	db.UseNumber()
	if da.Decode(&x) != nil || db.Decode(&y) != nil {
		return false
	}
	return same(x, y)
}

func same(x, y any) bool {
	switch a := x.(type) {
	case json.Number:
		b, ok := y.(json.Number)
		if !ok {
			return false
		}
		ra, oka := new(big.Rat).SetString(string(a))
		rb, okb := new(big.Rat).SetString(string(b))
		return oka && okb && ra.Cmp(rb) == 0
	case map[string]any:
		b, ok := y.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, v := range a {
			if w, ok := b[k]; !ok || !same(v, w) {
				return false
			}
		}
		return true
	case []any:
		b, ok := y.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !same(a[i], b[i]) {
				return false
			}
		}
		return true
	default:
		return reflect.DeepEqual(x, y)
	}
}
