// Benchmark of the generated client's overhead (hand-written fixture; see docs/go.md).
package gen_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	gen "example.com/golden/cases/go-everything/gen"
	brief "github.com/brief-paas/paasctl/runtime-go"
)

// BenchmarkGeneratedClientOverhead compares a call through the generated client (generated
// types and descriptor, runtime encode/decode, headers, breaker, budget, metrics) with a bare
// net/http POST plus encoding/json to the same generated server. Both alternate in one loop so
// they see the same machine state; it reports each one's ns/op and their ratio (target <= 1.10).
func BenchmarkGeneratedClientOverhead(b *testing.B) {
	url := serve(b, gen.NewHandler(&impl{}, brief.WithLogger(quiet), brief.WithMetrics(brief.NewMetrics())))
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	c, err := gen.NewClient(brief.WithBaseURL(url), brief.WithHTTPClient(hc), brief.WithLogger(quiet), brief.WithMetrics(brief.NewMetrics()))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	rpcURL := url + gen.RPCType.Path()
	type bareIn struct {
		Enum string `json:"enum"`
	}
	type bareOut struct {
		Ok bool `json:"ok"`
	}
	bare := func() {
		body, err := json.Marshal(&bareIn{Enum: "func"})
		if err != nil {
			b.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodPost, rpcURL, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var out bareOut
		if resp.StatusCode != http.StatusOK || json.Unmarshal(data, &out) != nil || !out.Ok {
			b.Fatalf("bare: %d %s", resp.StatusCode, data)
		}
	}
	generated := func() {
		out, err := c.Type(ctx, &gen.Func{Enum: gen.TypeFunc})
		if err != nil || !out.Ok {
			b.Fatalf("generated: %v %v", out, err)
		}
	}
	for i := 0; i < 50; i++ { // warm up connections
		bare()
		generated()
	}
	var tBare, tGen time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		bare()
		t1 := time.Now()
		generated()
		t2 := time.Now()
		tBare += t1.Sub(t0)
		tGen += t2.Sub(t1)
	}
	b.StopTimer()
	b.ReportMetric(float64(tBare.Nanoseconds())/float64(b.N), "bare-ns/op")
	b.ReportMetric(float64(tGen.Nanoseconds())/float64(b.N), "generated-ns/op")
	b.ReportMetric(float64(tGen)/float64(tBare), "generated/bare")
}
