package brief

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkCallOverhead compares a call through the runtime (Call: encode,
// headers, breaker, budget, metrics, decode) with a bare net/http POST plus
// encoding/json to the same server. It alternates the two in one loop so
// both see the same machine state, and reports ns/op of each and their ratio
// (target: runtime <= 1.10 x bare).
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
		resp.Body.Close()
		var out plainItem
		if resp.StatusCode != 200 || json.Unmarshal(data, &out) != nil {
			b.Fatalf("bare: %d %s", resp.StatusCode, data)
		}
	}
	viaRuntime := func() {
		out := new(vItem)
		if err := Call(context.Background(), c, rpc, in, out); err != nil || out.ID != 42 {
			b.Fatalf("runtime: %v", err)
		}
	}
	bare()
	viaRuntime()
	var tBare, tRuntime time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		bare()
		t1 := time.Now()
		viaRuntime()
		t2 := time.Now()
		tBare += t1.Sub(t0)
		tRuntime += t2.Sub(t1)
	}
	b.StopTimer()
	b.ReportMetric(float64(tBare.Nanoseconds())/float64(b.N), "bare-ns/op")
	b.ReportMetric(float64(tRuntime.Nanoseconds())/float64(b.N), "runtime-ns/op")
	b.ReportMetric(float64(tRuntime)/float64(tBare), "runtime/bare")
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
