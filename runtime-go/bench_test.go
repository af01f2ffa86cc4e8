package brief

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"testing"
	"time"
)

// BenchmarkCallOverhead compares a call through the runtime (Call: encode,
// headers, breaker, budget, metrics, decode) with a bare net/http POST plus
// encoding/json to the same server (target: runtime <= 1.10 x bare).
//
// Both run in the same process over the same keep-alive connection pool and
// against the same handler. The b.N iterations are split into rounds; within
// a round the two alternate call by call, and the order within each pair is
// flipped every iteration (bare first, then runtime first) so that neither
// side systematically benefits from running second (warm caches, a GC cycle
// triggered by the other side). Each round yields a ratio runtime/bare of its
// summed times; the reported runtime/bare is the median over the rounds, so
// that a burst of load from other processes on a shared machine skews one
// round instead of the result. bare-ns/op and runtime-ns/op are the overall
// means. Every timed call is counted: nothing is discarded except by taking
// the median of whole rounds.
func BenchmarkCallOverhead(b *testing.B) {
	s := NewServer("bench", WithLogger(quiet), WithMetrics(NewMetrics()))
	rpc := &RPC{Service: "bench", Name: "echo", Idempotent: true}
	Handle(s, rpc, func(ctx context.Context, in *vItem) (*vItem, error) { return in, nil })
	srv := httptest.NewServer(s)
	defer srv.Close()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	c, err := NewClient("bench", WithBaseURL(srv.URL), WithHTTPClient(hc), WithLogger(quiet), WithMetrics(NewMetrics()))
	if err != nil {
		b.Fatal(err)
	}
	name := "widget"
	in := &vItem{ID: 42, Name: &name, Tags: []string{"a", "b", "c"}, Color: 2}
	url := srv.URL + rpc.Path()

	type plainItem struct {
		ID    int64    `json:"id"`
		Name  *string  `json:"name,omitempty"`
		Tags  []string `json:"tags"`
		Color string   `json:"color"`
	}
	plainIn := &plainItem{ID: 42, Name: &name, Tags: in.Tags, Color: "blue"}
	bare := func() {
		body, err := json.Marshal(plainIn)
		if err != nil {
			b.Fatal(err)
		}
		req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		var out plainItem
		if resp.StatusCode != 200 || json.Unmarshal(data, &out) != nil || out.ID != 42 || out.Color != "blue" || len(out.Tags) != 3 {
			b.Fatalf("bare: %d %s", resp.StatusCode, data)
		}
	}
	viaRuntime := func() {
		out := new(vItem)
		if err := Call(context.Background(), c, rpc, in, out); err != nil || out.ID != 42 || out.Color != 2 || len(out.Tags) != 3 {
			b.Fatalf("runtime: %v", err)
		}
	}
	compareAlternating(b, bare, viaRuntime)
}

// compareAlternating times bare and viaRuntime b.N times each, alternating
// call by call in rounds (see BenchmarkCallOverhead), and reports
// bare-ns/op, runtime-ns/op and the median per-round runtime/bare.
func compareAlternating(b *testing.B, bare, viaRuntime func()) {
	// Warm up both paths (connections, caches) before timing.
	for i := 0; i < 50; i++ {
		bare()
		viaRuntime()
	}
	rounds := 15
	if b.N < rounds {
		rounds = 1
	}
	ratios := make([]float64, 0, rounds)
	var tBare, tRuntime time.Duration
	b.ResetTimer()
	done := 0
	for r := 0; r < rounds; r++ {
		n := (b.N - done) / (rounds - r) // spread b.N evenly over the rounds
		var rb, rr time.Duration
		for i := 0; i < n; i++ {
			if (done+i)%2 == 0 {
				t0 := time.Now()
				bare()
				t1 := time.Now()
				viaRuntime()
				t2 := time.Now()
				rb += t1.Sub(t0)
				rr += t2.Sub(t1)
			} else {
				t0 := time.Now()
				viaRuntime()
				t1 := time.Now()
				bare()
				t2 := time.Now()
				rr += t1.Sub(t0)
				rb += t2.Sub(t1)
			}
		}
		done += n
		tBare += rb
		tRuntime += rr
		if rb > 0 {
			ratios = append(ratios, float64(rr)/float64(rb))
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(tBare.Nanoseconds())/float64(b.N), "bare-ns/op")
	b.ReportMetric(float64(tRuntime.Nanoseconds())/float64(b.N), "runtime-ns/op")
	b.ReportMetric(median(ratios), "runtime/bare")
}

// median returns the median of xs (the mean of the middle two for an even
// count); xs is sorted in place.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	sort.Float64s(xs)
	m := len(xs) / 2
	if len(xs)%2 == 1 {
		return xs[m]
	}
	return (xs[m-1] + xs[m]) / 2
}

// BenchmarkCodec measures Marshal+Unmarshal of a small message.
func BenchmarkCodec(b *testing.B) {
	name := "widget"
	in := &vItem{ID: 42, Name: &name, Tags: []string{"a", "b", "c"}, Color: 2}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		data, err := Marshal(in)
		if err != nil {
			b.Fatal(err)
		}
		var out vItem
		if err := Unmarshal(data, &out); err != nil {
			b.Fatal(err)
		}
	}
}

// cannedDoer answers every request with the same 200 response without any
// network, so that BenchmarkClientPath measures only the client's own work.
type cannedDoer struct{ body []byte }

func (d cannedDoer) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	return &http.Response{
		StatusCode:    200,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(d.body)),
		ContentLength: int64(len(d.body)),
		Request:       req,
	}, nil
}

// BenchmarkClientPath measures the client side of Call alone (encode,
// request and headers, breaker, budget, metrics, read and decode) against
// an in-memory Doer.
func BenchmarkClientPath(b *testing.B) {
	rpc := &RPC{Service: "bench", Name: "echo", Idempotent: true}
	doer := cannedDoer{body: []byte(`{"id":42,"name":"widget","tags":["a","b","c"],"color":"blue"}`)}
	c, err := NewClient("bench", WithBaseURL("http://bench.test"), WithHTTPClient(doer), WithLogger(quiet), WithMetrics(NewMetrics()))
	if err != nil {
		b.Fatal(err)
	}
	name := "widget"
	in := &vItem{ID: 42, Name: &name, Tags: []string{"a", "b", "c"}, Color: 2}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out := new(vItem)
		if err := Call(context.Background(), c, rpc, in, out); err != nil || out.ID != 42 {
			b.Fatalf("runtime: %v", err)
		}
	}
}
