package brief

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"
)

// A realistic message for BenchmarkClientOverhead: an order of about 1.3 KB
// on the wire, with nested messages, a list, a map, an optional field, a
// time and an enum.
type bLine struct {
	SKU      string  `json:"sku"`
	Title    string  `json:"title"`
	Quantity int64   `json:"quantity"`
	Price    float64 `json:"price"`
}

type bOrder struct {
	ID       int64             `json:"id"`
	Customer string            `json:"customer"`
	Email    *string           `json:"email"`
	Lines    []bLine           `json:"lines"`
	Labels   map[string]string `json:"labels"`
	Created  time.Time         `json:"created"`
	Color    vColor            `json:"color"`
}

type plainOrder struct {
	ID       int64             `json:"id"`
	Customer string            `json:"customer"`
	Email    *string           `json:"email,omitempty"`
	Lines    []bLine           `json:"lines"`
	Labels   map[string]string `json:"labels"`
	Created  time.Time         `json:"created"`
	Color    string            `json:"color"`
}

func benchOrder() *bOrder {
	email := "ada@example.com"
	o := &bOrder{ID: 90210, Customer: "Ada Lovelace", Email: &email, Labels: map[string]string{"channel": "web", "region": "eu-west", "tier": "gold"},
		Created: time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC), Color: 2}
	for i := 0; i < 12; i++ {
		o.Lines = append(o.Lines, bLine{SKU: fmt.Sprintf("SKU-%05d", 1000+i), Title: "Analytical engine part", Quantity: int64(i + 1), Price: 19.99 + float64(i)})
	}
	return o
}

// BenchmarkClientOverhead measures the client's own cost per call, without a
// network: a runtime Call (encode, headers, breaker, budget, metrics, read,
// decode) against building the same POST with encoding/json and reading and
// decoding the answer by hand, both through the same in-memory Doer that
// answers with the order. Reported like BenchmarkCallOverhead.
func BenchmarkClientOverhead(b *testing.B) {
	order := benchOrder()
	body, err := Marshal(order)
	if err != nil {
		b.Fatal(err)
	}
	doer := cannedDoer{body: body}
	rpc := &RPC{Service: "shop", Name: "get", Idempotent: true}
	c, err := NewClient("shop", WithBaseURL("http://shop.test"), WithHTTPClient(doer), WithLogger(quiet), WithMetrics(NewMetrics()))
	if err != nil {
		b.Fatal(err)
	}
	plainIn := &plainOrder{ID: order.ID, Customer: order.Customer, Email: order.Email, Lines: order.Lines, Labels: order.Labels, Created: order.Created, Color: "blue"}
	url := "http://shop.test" + rpc.Path()
	bare := func() {
		data, err := json.Marshal(plainIn)
		if err != nil {
			b.Fatal(err)
		}
		req, _ := http.NewRequestWithContext(context.Background(), "POST", url, bytes.NewReader(data))
		req.Header.Set("Content-Type", "application/json")
		resp, err := doer.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		var out plainOrder
		if json.Unmarshal(raw, &out) != nil || len(out.Lines) != 12 {
			b.Fatalf("bare: %s", raw)
		}
	}
	viaRuntime := func() {
		out := new(bOrder)
		if err := Call(context.Background(), c, rpc, order, out); err != nil || len(out.Lines) != 12 || out.Color != 2 {
			b.Fatalf("runtime: %v", err)
		}
	}
	b.ReportMetric(float64(len(body)), "msg-bytes")
	compareAlternating(b, bare, viaRuntime)
}
