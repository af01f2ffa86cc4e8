package brief

// The load test of the resilience defaults (protocol section 6): how much
// load a client puts on a failing dependency (amplification = requests the
// server received per client call) and how many calls succeed, for several
// faults, with the default breaker and budget and with the breaker off.
//
//	go test -run '^TestLoadAmplification$' -v .

import (
	"context"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type loadResult struct {
	calls, ok, requests int64
	elapsed             time.Duration
}

func (r loadResult) amplification() float64 { return float64(r.requests) / float64(r.calls) }
func (r loadResult) success() float64       { return float64(r.ok) / float64(r.calls) }

// runLoad makes calls idempotent calls from workers goroutines to a server
// that answers with fault.
func runLoad(t *testing.T, fault string, breakerOff bool, calls, workers int) loadResult {
	t.Helper()
	var requests atomic.Int64
	var mu sync.Mutex
	rnd := rand.New(rand.NewSource(1))
	failRandomly := func(p float64) bool { mu.Lock(); defer mu.Unlock(); return rnd.Float64() < p }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		fail := false
		switch fault {
		case "503":
			fail = true
		case "random 10% 503":
			fail = failRandomly(0.10)
		case "random 30% 503":
			fail = failRandomly(0.30)
		case "connection reset":
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					_ = conn.Close()
					return
				}
			}
			fail = true
		case "hang":
			// The server notices the client going away only once the body
			// is read.
			_, _ = io.Copy(io.Discard, r.Body)
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
			return
		}
		if fail {
			writeError(w, Errorf(CodeUnavailable, "overloaded"))
			return
		}
		writeJSON(w, http.StatusOK, []byte(`{}`))
	}))
	defer srv.Close()
	tr := DefaultTransport.Clone()
	tr.MaxIdleConnsPerHost = workers
	defer tr.CloseIdleConnections()
	opts := []ClientOption{WithBaseURL(srv.URL), WithLogger(quiet), WithMetrics(NewMetrics()), WithHTTPClient(&http.Client{Transport: tr})}
	if breakerOff {
		opts = append(opts, WithBreaker(BreakerConfig{Disabled: true}))
	}
	c, err := NewClient("load", opts...)
	if err != nil {
		t.Fatal(err)
	}
	rpc := &RPC{Service: "load", Name: "get", Idempotent: true, Timeout: 2 * time.Second}
	if fault == "hang" {
		rpc.Timeout = 50 * time.Millisecond
	}
	var next, ok atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(calls) {
				if Call(context.Background(), c, rpc, &Empty{}, &Empty{}) == nil {
					ok.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	return loadResult{calls: int64(calls), ok: ok.Load(), requests: requests.Load(), elapsed: time.Since(start)}
}

// TestLoadAmplification asserts the targets: at most 1.2 server requests
// per call in a full outage, and at least 99.5% successful calls when 10%
// of the requests fail at random.
func TestLoadAmplification(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	type row struct {
		fault   string
		calls   int
		maxAmp  float64 // 0 = not asserted
		minRate float64 // 0 = not asserted
	}
	rows := []row{
		{"503", 2000, 1.2, 0},
		{"connection reset", 2000, 1.2, 0},
		{"hang", 300, 1.2, 0},
		{"random 10% 503", 2000, 0, 0.995},
		{"random 30% 503", 2000, 0, 0},
	}
	t.Logf("%-18s %-8s %6s %9s %13s %8s %8s", "fault", "breaker", "calls", "requests", "amplification", "success", "time")
	for _, r := range rows {
		for _, off := range []bool{false, true} {
			res := runLoad(t, r.fault, off, r.calls, 32)
			breaker := "default"
			if off {
				breaker = "off"
			}
			t.Logf("%-18s %-8s %6d %9d %12.3fx %7.2f%% %8v", r.fault, breaker, res.calls, res.requests, res.amplification(), 100*res.success(), res.elapsed.Round(time.Millisecond))
			if r.maxAmp > 0 && res.amplification() > r.maxAmp {
				t.Errorf("%s, breaker %s: amplification %.3fx > %.2fx", r.fault, breaker, res.amplification(), r.maxAmp)
			}
			if r.minRate > 0 && res.success() < r.minRate {
				t.Errorf("%s, breaker %s: %s of calls succeeded, want >= %.1f%%", r.fault, breaker, fmt.Sprintf("%.2f%%", 100*res.success()), 100*r.minRate)
			}
		}
	}
}
