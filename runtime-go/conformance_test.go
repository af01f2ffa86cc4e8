package brief

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// ---- application error types used by the vectors -----------------------------

type vNotFound struct {
	ID int64 `json:"id"`
}

func (*vNotFound) ErrorCode() string { return "NotFound" }
func (*vNotFound) Error() string     { return "NotFound: The item does not exist" }

type vConflict struct{}

func (*vConflict) ErrorCode() string { return "Conflict" }
func (*vConflict) Error() string     { return "Conflict" }

type vGone struct{}

func (*vGone) ErrorCode() string { return "Gone" }
func (*vGone) Error() string     { return "Gone" }

var vDeclared = ErrorTable{
	"NotFound": func() AppError { return new(vNotFound) },
	"Conflict": func() AppError { return new(vConflict) },
}

// ---- fakes ----------------------------------------------------------------------

type fakeClock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Unix(0, 0)} }

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Set(ms int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = time.Unix(0, 0).Add(time.Duration(ms) * time.Millisecond)
}
func (c *fakeClock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.sleeps = append(c.sleeps, d)
	c.t = c.t.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

type doerFunc func(*http.Request) (*http.Response, error)

func (f doerFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }

func response(status int, body string) *http.Response {
	return &http.Response{StatusCode: status, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body))}
}

func mustJSONEqual(t *testing.T, what string, got []byte, want []byte) {
	t.Helper()
	eq, err := jsonEqual(got, want)
	if err != nil || !eq {
		t.Errorf("%s: got %s, want %s (%v)", what, got, want, err)
	}
}

// ---- errors.json ------------------------------------------------------------------

type errorVectors struct {
	Codes []struct {
		Code           string `json:"code"`
		HTTPStatus     int    `json:"http_status"`
		Retryable      bool   `json:"retryable"`
		BreakerFailure bool   `json:"breaker_failure"`
	} `json:"codes"`
	AppStatus      int `json:"application_error_status"`
	StatusFallback struct {
		Map             map[string]string `json:"map"`
		UnknownExamples []int             `json:"unknown_examples"`
	} `json:"status_fallback"`
	ClientResponses []struct {
		Name   string `json:"name"`
		Status int    `json:"status"`
		Body   string `json:"body"`
		Expect struct {
			OK         json.RawMessage `json:"ok"`
			Transport  string          `json:"transport"`
			App        string          `json:"app"`
			Declared   bool            `json:"declared"`
			Message    *string         `json:"message"`
			Details    json.RawMessage `json:"details"`
			MetricCode string          `json:"metric_code"`
		} `json:"expect"`
	} `json:"client_responses"`
	HandlerErrors []struct {
		Name    string `json:"name"`
		Handler struct {
			Transport string          `json:"transport"`
			Message   string          `json:"message"`
			Details   json.RawMessage `json:"details"`
			App       string          `json:"app"`
			Fields    json.RawMessage `json:"fields"`
			Plain     string          `json:"plain"`
			Panic     string          `json:"panic"`
			Context   string          `json:"context"`
			Down      *struct {
				Status int    `json:"status"`
				Body   string `json:"body"`
				Fail   string `json:"fail"`
				Hang   bool   `json:"hang"`
			} `json:"downstream"`
		} `json:"handler"`
		RequestTimeoutMs int64       `json:"request_timeout_ms"`
		Expect           errorExpect `json:"expect"`
	} `json:"handler_errors"`
}

type errorExpect struct {
	Status          int             `json:"status"`
	Code            string          `json:"code"`
	Message         *string         `json:"message"`
	MessageContains string          `json:"message_contains"`
	MessageExcludes string          `json:"message_excludes"`
	Details         json.RawMessage `json:"details"`
	Body            json.RawMessage `json:"body"`
	ContentType     string          `json:"content_type_prefix"`
}

// checkHTTPResponse checks a recorded response against an expectation.
func checkHTTPResponse(t *testing.T, name string, rec *httptest.ResponseRecorder, exp errorExpect) {
	t.Helper()
	if rec.Code != exp.Status {
		t.Errorf("%s: status %d, want %d (body %s)", name, rec.Code, exp.Status, rec.Body.Bytes())
	}
	if exp.Body != nil {
		mustJSONEqual(t, name+": body", rec.Body.Bytes(), exp.Body)
	}
	if exp.ContentType != "" && !strings.HasPrefix(rec.Header().Get("Content-Type"), exp.ContentType) {
		t.Errorf("%s: content type %q", name, rec.Header().Get("Content-Type"))
	}
	if exp.Code == "" {
		return
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s: error content type %q", name, ct)
	}
	var env struct {
		Error struct {
			Code    string          `json:"code"`
			Message *string         `json:"message"`
			Details json.RawMessage `json:"details"`
		} `json:"error"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
		t.Fatalf("%s: invalid envelope %s: %v", name, rec.Body.Bytes(), err)
	}
	e := env.Error
	if e.Code != exp.Code {
		t.Errorf("%s: code %q, want %q", name, e.Code, exp.Code)
	}
	if e.Message == nil || e.Details == nil || e.Details[0] != '{' {
		t.Errorf("%s: envelope must always carry message and a details object: %s", name, rec.Body.Bytes())
		return
	}
	if exp.Message != nil && *e.Message != *exp.Message {
		t.Errorf("%s: message %q, want %q", name, *e.Message, *exp.Message)
	}
	if exp.MessageContains != "" && !strings.Contains(*e.Message, exp.MessageContains) {
		t.Errorf("%s: message %q does not contain %q", name, *e.Message, exp.MessageContains)
	}
	if exp.MessageExcludes != "" && strings.Contains(*e.Message, exp.MessageExcludes) {
		t.Errorf("%s: message %q leaks %q", name, *e.Message, exp.MessageExcludes)
	}
	if exp.Details != nil {
		mustJSONEqual(t, name+": details", e.Details, exp.Details)
	}
}

func TestErrorVectors(t *testing.T) {
	var v errorVectors
	loadVectors(t, "errors.json", &v)
	if len(v.Codes) != len(Codes()) {
		t.Errorf("%d codes in vectors, %d in the runtime", len(v.Codes), len(Codes()))
	}
	for _, c := range v.Codes {
		code := Code(c.Code)
		if !code.Valid() || code.HTTPStatus() != c.HTTPStatus || code.Retryable() != c.Retryable || code.BreakerFailure() != c.BreakerFailure {
			t.Errorf("code %s: valid=%v status=%d retryable=%v breaker=%v, want %+v", c.Code, code.Valid(), code.HTTPStatus(), code.Retryable(), code.BreakerFailure(), c)
		}
	}
	if v.AppStatus != AppErrorStatus {
		t.Errorf("application error status %d", AppErrorStatus)
	}
	for s, want := range v.StatusFallback.Map {
		n, _ := strconv.Atoi(s)
		if got := CodeForHTTPStatus(n); string(got) != want {
			t.Errorf("status %d -> %s, want %s", n, got, want)
		}
	}
	for _, n := range v.StatusFallback.UnknownExamples {
		if _, listed := v.StatusFallback.Map[strconv.Itoa(n)]; !listed && CodeForHTTPStatus(n) != CodeUnknown {
			t.Errorf("status %d -> %s, want unknown", n, CodeForHTTPStatus(n))
		}
	}

	rpc := &RPC{Service: "echo", Name: "echo", Errors: vDeclared}
	for _, c := range v.ClientResponses {
		c := c
		doer := doerFunc(func(*http.Request) (*http.Response, error) { return response(c.Status, c.Body), nil })
		metrics := NewMetrics()
		cl, err := NewClient("echo", WithBaseURL("http://echo.test"), WithHTTPClient(doer), WithLogger(quiet), WithMetrics(metrics))
		if err != nil {
			t.Fatal(err)
		}
		out := new(vItem)
		err = Call(context.Background(), cl, rpc, &vItem{}, out)
		x := c.Expect
		if x.MetricCode != "" {
			var sb strings.Builder
			_, _ = metrics.WriteTo(&sb)
			if want := MetricClientRequests + `{dependency="echo",rpc="echo",code="` + x.MetricCode + `"} 1`; !strings.Contains(sb.String(), want) {
				t.Errorf("%s: metrics lack %s:\n%s", c.Name, want, sb.String())
			}
		}
		switch {
		case x.OK != nil:
			if err != nil {
				t.Errorf("%s: unexpected error %v", c.Name, err)
				continue
			}
			b, _ := Marshal(out)
			mustJSONEqual(t, c.Name, b, x.OK)
		case x.Transport != "":
			var te *Error
			if !errors.As(err, &te) || isAppError(err) || string(te.Code) != x.Transport {
				t.Errorf("%s: got %#v, want transport error %s", c.Name, err, x.Transport)
				continue
			}
			if !errors.Is(err, &Error{Code: Code(x.Transport)}) {
				t.Errorf("%s: errors.Is with the sentinel failed", c.Name)
			}
			if x.Message != nil && te.Message != *x.Message {
				t.Errorf("%s: message %q, want %q", c.Name, te.Message, *x.Message)
			}
			if x.Details != nil {
				mustJSONEqual(t, c.Name+" details", te.Details, x.Details)
			}
		case x.App != "":
			if CodeOf(err) != x.App {
				t.Errorf("%s: got %v (%s), want application error %s", c.Name, err, CodeOf(err), x.App)
				continue
			}
			var details []byte
			if x.Declared {
				switch x.App {
				case "NotFound":
					var nf *vNotFound
					if !errors.As(err, &nf) {
						t.Errorf("%s: %T is not *vNotFound", c.Name, err)
						continue
					}
					details, _ = Marshal(nf)
				case "Conflict":
					var cf *vConflict
					if !errors.As(err, &cf) {
						t.Errorf("%s: %T is not *vConflict", c.Name, err)
						continue
					}
					details, _ = Marshal(cf)
				}
			} else {
				var ae *ApplicationError
				if !errors.As(err, &ae) {
					t.Errorf("%s: %T is not *ApplicationError", c.Name, err)
					continue
				}
				details = ae.Details
				if x.Message != nil && ae.Message != *x.Message {
					t.Errorf("%s: message %q", c.Name, ae.Message)
				}
			}
			mustJSONEqual(t, c.Name+" details", details, x.Details)
		default:
			t.Errorf("%s: vector has no expectation", c.Name)
		}
	}

	for _, c := range v.HandlerErrors {
		h := c.Handler
		s := NewServer("echo", WithLogger(quiet), WithMetrics(NewMetrics()))
		Handle(s, &RPC{Service: "echo", Name: "echo", Errors: vDeclared}, func(ctx context.Context, in *vItem) (*vItem, error) {
			switch {
			case h.Transport != "":
				return nil, &Error{Code: Code(h.Transport), Message: h.Message, Details: h.Details}
			case h.App == "NotFound":
				nf := new(vNotFound)
				if err := Unmarshal(h.Fields, nf); err != nil {
					t.Fatal(err)
				}
				return nil, nf
			case h.App == "Conflict":
				return nil, fmt.Errorf("wrapped: %w", &vConflict{})
			case h.App == "Gone":
				return nil, &vGone{}
			case h.Plain != "":
				return nil, errors.New(h.Plain)
			case h.Panic != "":
				panic(h.Panic)
			case h.Context == "deadline_exceeded":
				return nil, fmt.Errorf("db: %w", context.DeadlineExceeded)
			case h.Context == "canceled":
				return nil, context.Canceled
			case h.Down != nil:
				return nil, callDownstream(ctx, t, h.Down.Status, h.Down.Body, h.Down.Fail, h.Down.Hang)
			}
			return in, nil
		})
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", "/rpc/echo/echo", strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
		if c.RequestTimeoutMs > 0 {
			req.Header.Set(HeaderTimeoutMs, strconv.FormatInt(c.RequestTimeoutMs, 10))
		}
		s.ServeHTTP(rec, req)
		checkHTTPResponse(t, c.Name, rec, c.Expect)
	}
}

// callDownstream makes one outgoing call answered by a scripted transport and
// returns its error.
func callDownstream(ctx context.Context, t *testing.T, status int, body, fail string, hang bool) error {
	doer := doerFunc(func(r *http.Request) (*http.Response, error) {
		switch {
		case hang:
			<-r.Context().Done()
			return nil, r.Context().Err()
		case fail == "connection_refused":
			return nil, fmt.Errorf("dial tcp: %w", syscall.ECONNREFUSED)
		case fail != "":
			t.Fatalf("unknown failure %s", fail)
		}
		return response(status, body), nil
	})
	cl, err := NewClient("leaf", WithBaseURL("http://leaf.test"), WithHTTPClient(doer), WithLogger(quiet), WithMetrics(NewMetrics()),
		WithRetry(RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	return Call(ctx, cl, &RPC{Service: "leaf", Name: "get", Errors: vDeclared}, &Empty{}, &Empty{})
}

// ---- server.json ----------------------------------------------------------------

func echoServer(opts ...ServerOption) *Server {
	s := NewServer("echo", append([]ServerOption{WithLogger(quiet), WithMetrics(NewMetrics())}, opts...)...)
	Handle(s, &RPC{Service: "echo", Name: "echo", Errors: vDeclared}, func(ctx context.Context, in *vItem) (*vItem, error) { return in, nil })
	return s
}

func TestServerVectors(t *testing.T) {
	var v struct {
		Cases []struct {
			Name    string            `json:"name"`
			Method  string            `json:"method"`
			Path    string            `json:"path"`
			Headers map[string]string `json:"headers"`
			Body    *string           `json:"body"`
			PadTo   int               `json:"body_whitespace_padded_to"`
			Expect  errorExpect       `json:"expect"`
		} `json:"cases"`
	}
	loadVectors(t, "server.json", &v)
	s := echoServer()
	for _, c := range v.Cases {
		var body io.Reader = http.NoBody
		switch {
		case c.PadTo > 0:
			body = bytes.NewReader(append(bytes.Repeat([]byte(" "), c.PadTo-2), '{', '}'))
		case c.Body != nil:
			body = strings.NewReader(*c.Body)
		}
		req := httptest.NewRequest(c.Method, c.Path, body)
		for k, val := range c.Headers {
			req.Header.Set(k, val)
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		checkHTTPResponse(t, c.Name, rec, c.Expect)
		if strings.HasPrefix(c.Path, "/rpc/") && !ValidRequestID(rec.Header().Get(HeaderRequestID)) {
			t.Errorf("%s: no X-Request-Id in the response", c.Name)
		}
	}
}

// ---- headers.json ----------------------------------------------------------------

type matcher struct {
	Equals    *string  `json:"equals"`
	Matches   string   `json:"matches"`
	NotEquals []string `json:"not_equals"`
	Absent    bool     `json:"absent"`
	SameAs    string   `json:"same_as_response"`
	IntRange  []int64  `json:"int_range"`
	JSON      json.RawMessage
}

func (m matcher) check(t *testing.T, what string, val string, present bool, resp http.Header) {
	t.Helper()
	if m.Absent {
		if present {
			t.Errorf("%s: %q present, want absent", what, val)
		}
		return
	}
	if !present {
		t.Errorf("%s: absent", what)
		return
	}
	if m.Equals != nil && val != *m.Equals {
		t.Errorf("%s: %q, want %q", what, val, *m.Equals)
	}
	if m.Matches != "" && !regexp.MustCompile(m.Matches).MatchString(val) {
		t.Errorf("%s: %q does not match %s", what, val, m.Matches)
	}
	for _, ne := range m.NotEquals {
		if val == ne {
			t.Errorf("%s: %q must differ", what, val)
		}
	}
	if m.SameAs != "" && val != resp.Get(m.SameAs) {
		t.Errorf("%s: %q, want the response's %s %q", what, val, m.SameAs, resp.Get(m.SameAs))
	}
	if len(m.IntRange) == 2 {
		n, err := strconv.ParseInt(val, 10, 64)
		if err != nil || n < m.IntRange[0] || n > m.IntRange[1] {
			t.Errorf("%s: %q not in %v", what, val, m.IntRange)
		}
	}
}

func TestHeaderVectors(t *testing.T) {
	var v struct {
		Cases []struct {
			Name     string            `json:"name"`
			Incoming map[string]string `json:"incoming"`
			Expect   struct {
				Response map[string]matcher `json:"response"`
				Context  map[string]matcher `json:"context"`
				Outgoing map[string]matcher `json:"outgoing"`
			} `json:"expect"`
		} `json:"cases"`
	}
	loadVectors(t, "headers.json", &v)

	var mu sync.Mutex
	var captured http.Header
	capture := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		captured = r.Header.Clone()
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("{}"))
	}))
	defer capture.Close()
	down, err := NewClient("downstream", WithBaseURL(capture.URL), WithLogger(quiet), WithMetrics(NewMetrics()))
	if err != nil {
		t.Fatal(err)
	}
	var seen Metadata
	s := NewServer("echo", WithLogger(quiet), WithMetrics(NewMetrics()))
	Handle(s, &RPC{Service: "echo", Name: "echo"}, func(ctx context.Context, in *Empty) (*Empty, error) {
		mu.Lock()
		seen = MetadataFrom(ctx)
		mu.Unlock()
		return &Empty{}, Call(ctx, down, &RPC{Service: "downstream", Name: "capture"}, &Empty{}, &Empty{})
	})
	srv := httptest.NewServer(s)
	defer srv.Close()

	for _, c := range v.Cases {
		mu.Lock()
		captured, seen = nil, Metadata{}
		mu.Unlock()
		req, _ := http.NewRequest("POST", srv.URL+"/rpc/echo/echo", strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
		for k, val := range c.Incoming {
			req.Header.Set(k, val)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: status %d", c.Name, resp.StatusCode)
			continue
		}
		mu.Lock()
		out, md := captured, seen
		mu.Unlock()
		for h, m := range c.Expect.Response {
			vals := resp.Header.Values(h)
			m.check(t, c.Name+": response "+h, strings.Join(vals, ","), len(vals) > 0, resp.Header)
		}
		for k, m := range c.Expect.Context {
			val := map[string]string{"request_id": md.RequestID, "caller": md.Caller}[k]
			m.check(t, c.Name+": context "+k, val, true, resp.Header)
		}
		for h, m := range c.Expect.Outgoing {
			vals := out.Values(h)
			m.check(t, c.Name+": outgoing "+h, strings.Join(vals, ","), len(vals) > 0, resp.Header)
		}
	}
}

// ---- breaker.json -----------------------------------------------------------------

func TestBreakerVectors(t *testing.T) {
	var v struct {
		Defaults struct {
			WindowMs       int64   `json:"window_ms"`
			Buckets        int     `json:"buckets"`
			MinRequests    int     `json:"min_requests"`
			FailureRatio   float64 `json:"failure_ratio"`
			OpenMs         int64   `json:"open_ms"`
			HalfOpenProbes int     `json:"half_open_probes"`
		} `json:"defaults"`
		Scenarios []struct {
			Name  string `json:"name"`
			Steps []struct {
				AtMs    int64  `json:"at_ms"`
				Op      string `json:"op"`
				Outcome string `json:"outcome"`
				Allowed *bool  `json:"expect_allowed"`
				Repeat  int    `json:"repeat"`
				ID      string `json:"id"`
				Expect  string `json:"expect"`
			} `json:"steps"`
		} `json:"scenarios"`
	}
	loadVectors(t, "breaker.json", &v)
	d := v.Defaults
	cfg := BreakerConfig{Window: time.Duration(d.WindowMs) * time.Millisecond, Buckets: d.Buckets, MinRequests: d.MinRequests,
		FailureRatio: d.FailureRatio, OpenDuration: time.Duration(d.OpenMs) * time.Millisecond, HalfOpenProbes: d.HalfOpenProbes}
	if cfg != DefaultBreakerConfig {
		t.Errorf("vector defaults %+v differ from DefaultBreakerConfig %+v", cfg, DefaultBreakerConfig)
	}
	outcomes := map[string]Outcome{"success": OutcomeSuccess, "failure": OutcomeFailure, "ignored": OutcomeIgnored}
	for _, sc := range v.Scenarios {
		clock := newFakeClock()
		b := NewBreaker(cfg, clock)
		tickets := map[string]Ticket{}
		for i, st := range sc.Steps {
			clock.Set(st.AtMs)
			where := fmt.Sprintf("%s: step %d (%s at %dms)", sc.Name, i, st.Op, st.AtMs)
			switch st.Op {
			case "call":
				for n := 0; n < max(1, st.Repeat); n++ {
					tk, ok := b.Allow()
					if st.Allowed != nil && ok != *st.Allowed {
						t.Fatalf("%s #%d: allowed=%v", where, n, ok)
					}
					if ok {
						b.Record(tk, outcomes[st.Outcome])
					}
				}
			case "start":
				tk, ok := b.Allow()
				if st.Allowed != nil && ok != *st.Allowed {
					t.Fatalf("%s: allowed=%v", where, ok)
				}
				if ok {
					tickets[st.ID] = tk
				}
			case "finish":
				tk, ok := tickets[st.ID]
				if !ok {
					t.Fatalf("%s: unknown call %s", where, st.ID)
				}
				b.Record(tk, outcomes[st.Outcome])
			case "state":
				if got := b.State().String(); got != st.Expect {
					t.Fatalf("%s: state %s, want %s", where, got, st.Expect)
				}
			default:
				t.Fatalf("%s: unknown op", where)
			}
		}
	}
}

// ---- retry.json ---------------------------------------------------------------------

type scriptedResponse struct {
	Status    int               `json:"status"`
	Headers   map[string]string `json:"headers"`
	Body      string            `json:"body"`
	Fail      string            `json:"fail"`
	LatencyMs int64             `json:"latency_ms"`
}

func TestRetryVectors(t *testing.T) {
	var v struct {
		Defaults struct {
			MaxAttempts      int     `json:"max_attempts"`
			InitialBackoffMs int64   `json:"initial_backoff_ms"`
			MaxBackoffMs     int64   `json:"max_backoff_ms"`
			Multiplier       float64 `json:"multiplier"`
			BudgetPercent    int     `json:"budget_percent"`
			BudgetMinPerSec  int     `json:"budget_min_per_second"`
			BudgetWindowMs   int64   `json:"budget_window_ms"`
			BudgetBuckets    int     `json:"budget_buckets"`
			DefaultTimeoutMs int64   `json:"default_timeout_ms"`
			MaxResponse      int64   `json:"max_response_bytes"`
		} `json:"defaults"`
		Scenarios []struct {
			Name   string `json:"name"`
			Config struct {
				MaxAttempts  int    `json:"max_attempts"`
				MaxBackoffMs int64  `json:"max_backoff_ms"`
				Budget       string `json:"budget"`
				MaxResponse  int64  `json:"max_response_bytes"`
				Breaker      struct {
					MinRequests int  `json:"min_requests"`
					Disabled    bool `json:"disabled"`
				} `json:"breaker"`
			} `json:"config"`
			Calls []struct {
				RPC struct {
					Idempotent bool  `json:"idempotent"`
					TimeoutMs  int64 `json:"timeout_ms"`
				} `json:"rpc"`
				Responses []scriptedResponse `json:"responses"`
				Random    []float64          `json:"random"`
				Repeat    int                `json:"repeat"`
				AdvanceMs int64              `json:"advance_ms"`
				Expect    struct {
					Attempts       int     `json:"attempts"`
					SleepsMs       []int64 `json:"sleeps_ms"`
					Result         string  `json:"result"`
					Message        *string `json:"message"`
					TimeoutHeaders []int64 `json:"timeout_headers_ms"`
					Budget         *struct {
						Calls   int64 `json:"calls"`
						Retries int64 `json:"retries"`
					} `json:"budget"`
					CircuitOpen *bool    `json:"circuit_open"`
					Breaker     string   `json:"breaker"`
					ElapsedMs   *int64   `json:"elapsed_ms"`
					_           struct{} `json:"-"`
				} `json:"expect"`
			} `json:"calls"`
		} `json:"scenarios"`
	}
	loadVectors(t, "retry.json", &v)
	d := v.Defaults
	ms := func(n int64) time.Duration { return time.Duration(n) * time.Millisecond }
	if (RetryPolicy{d.MaxAttempts, ms(d.InitialBackoffMs), ms(d.MaxBackoffMs), d.Multiplier}) != DefaultRetryPolicy {
		t.Errorf("retry defaults differ from DefaultRetryPolicy")
	}
	if (BudgetConfig{Percent: d.BudgetPercent, MinPerSecond: d.BudgetMinPerSec, Window: ms(d.BudgetWindowMs), Buckets: d.BudgetBuckets}) != DefaultBudgetConfig {
		t.Errorf("budget defaults differ from DefaultBudgetConfig")
	}
	if d.MaxResponse != MaxBodyBytes {
		t.Errorf("max response bytes %d differ from MaxBodyBytes", d.MaxResponse)
	}
	if ms(d.DefaultTimeoutMs) != DefaultTimeout {
		t.Errorf("default timeout differs")
	}
	for _, sc := range v.Scenarios {
		clock := newFakeClock()
		var (
			queue    []scriptedResponse
			attempts int
			headers  []int64
			randoms  []float64
		)
		doer := doerFunc(func(r *http.Request) (*http.Response, error) {
			attempts++
			h, _ := strconv.ParseInt(r.Header.Get(HeaderTimeoutMs), 10, 64)
			headers = append(headers, h)
			if len(queue) == 0 {
				return nil, fmt.Errorf("unexpected attempt %d", attempts)
			}
			resp := queue[0]
			queue = queue[1:]
			if resp.LatencyMs >= h && resp.LatencyMs > 0 {
				clock.Advance(ms(h))
				return nil, fmt.Errorf("net/http: request canceled: %w", context.DeadlineExceeded)
			}
			clock.Advance(ms(resp.LatencyMs))
			switch resp.Fail {
			case "connection_refused":
				return nil, fmt.Errorf("dial tcp: %w", syscall.ECONNREFUSED)
			case "connection_reset":
				return nil, fmt.Errorf("read tcp: %w", syscall.ECONNRESET)
			case "":
			default:
				return nil, fmt.Errorf("unknown failure %s", resp.Fail)
			}
			hr := response(resp.Status, resp.Body)
			for k, v := range resp.Headers {
				hr.Header.Set(k, v)
			}
			return hr, nil
		})
		opts := []ClientOption{WithBaseURL("http://dep.test"), WithHTTPClient(doer), WithClock(clock), WithLogger(quiet), WithMetrics(NewMetrics()),
			WithRandom(func() float64 {
				if len(randoms) == 0 {
					t.Errorf("%s: more random numbers drawn than listed", sc.Name)
					return 0.5
				}
				r := randoms[0]
				randoms = randoms[1:]
				return r
			})}
		if sc.Config.MaxAttempts > 0 || sc.Config.MaxBackoffMs > 0 {
			opts = append(opts, WithRetry(RetryPolicy{MaxAttempts: sc.Config.MaxAttempts, MaxBackoff: ms(sc.Config.MaxBackoffMs)}))
		}
		if sc.Config.Budget == "disabled" {
			opts = append(opts, WithRetryBudget(BudgetConfig{Disabled: true}))
		}
		if sc.Config.Breaker.MinRequests > 0 || sc.Config.Breaker.Disabled {
			opts = append(opts, WithBreaker(BreakerConfig{MinRequests: sc.Config.Breaker.MinRequests, Disabled: sc.Config.Breaker.Disabled}))
		}
		if sc.Config.MaxResponse > 0 {
			opts = append(opts, WithMaxBodyBytes(sc.Config.MaxResponse))
		}
		c, err := NewClient("dep", opts...)
		if err != nil {
			t.Fatal(err)
		}
		for i, call := range sc.Calls {
			clock.Advance(ms(call.AdvanceMs))
			for rep := 0; rep < max(1, call.Repeat); rep++ {
				where := fmt.Sprintf("%s: call %d.%d", sc.Name, i, rep)
				queue = append([]scriptedResponse(nil), call.Responses...)
				randoms = append([]float64(nil), call.Random...)
				attempts, headers, clock.sleeps = 0, nil, nil
				start := clock.Now()
				rpc := &RPC{Service: "dep", Name: "op", Idempotent: call.RPC.Idempotent, Timeout: ms(call.RPC.TimeoutMs), Errors: vDeclared}
				err := Call(context.Background(), c, rpc, &Empty{}, &Empty{})
				x := call.Expect
				if got := CodeOf(err); got != x.Result {
					t.Errorf("%s: result %s (%v), want %s", where, got, err, x.Result)
				}
				if attempts != x.Attempts {
					t.Errorf("%s: %d attempts, want %d", where, attempts, x.Attempts)
				}
				if x.SleepsMs != nil {
					got := []int64{}
					for _, s := range clock.sleeps {
						got = append(got, s.Milliseconds())
						if s%time.Millisecond != 0 {
							t.Errorf("%s: sleep %v is not whole milliseconds", where, s)
						}
					}
					if fmt.Sprint(got) != fmt.Sprint(x.SleepsMs) {
						t.Errorf("%s: sleeps %v, want %v", where, got, x.SleepsMs)
					}
				}
				if len(randoms) != 0 {
					t.Errorf("%s: %d random numbers not drawn", where, len(randoms))
				}
				if x.TimeoutHeaders != nil && fmt.Sprint(headers) != fmt.Sprint(x.TimeoutHeaders) {
					t.Errorf("%s: timeout headers %v, want %v", where, headers, x.TimeoutHeaders)
				}
				if x.Budget != nil {
					if calls, retries := c.budget.Window(); calls != x.Budget.Calls || retries != x.Budget.Retries {
						t.Errorf("%s: budget window %d calls %d retries, want %+v", where, calls, retries, *x.Budget)
					}
				}
				if x.CircuitOpen != nil && errors.Is(err, ErrCircuitOpen) != *x.CircuitOpen {
					t.Errorf("%s: errors.Is(%v, ErrCircuitOpen) = %v", where, err, !*x.CircuitOpen)
				}
				if x.Breaker != "" && c.Breaker().State().String() != x.Breaker {
					t.Errorf("%s: breaker %s, want %s", where, c.Breaker().State(), x.Breaker)
				}
				if x.ElapsedMs != nil && clock.Now().Sub(start) != ms(*x.ElapsedMs) {
					t.Errorf("%s: elapsed %v, want %dms", where, clock.Now().Sub(start), *x.ElapsedMs)
				}
				if x.Message != nil {
					var te *Error
					if !errors.As(err, &te) || te.Message != *x.Message {
						t.Errorf("%s: error %v, want message %q", where, err, *x.Message)
					}
				}
			}
		}
	}
}

// ---- discovery.json ------------------------------------------------------------------

func TestDiscoveryVectors(t *testing.T) {
	var v struct {
		EnvNames [][2]string `json:"env_names"`
		Resolve  []struct {
			Env           map[string]string `json:"env"`
			BaseURL       string            `json:"base_url"`
			ExpectURL     string            `json:"expect_url"`
			ErrorContains string            `json:"error_contains"`
		} `json:"resolve"`
	}
	loadVectors(t, "discovery.json", &v)
	for _, p := range v.EnvNames {
		if got := EnvVarName(p[0]); got != p[1] {
			t.Errorf("EnvVarName(%q) = %q, want %q", p[0], got, p[1])
		}
	}
	for i, r := range v.Resolve {
		var url string
		doer := doerFunc(func(req *http.Request) (*http.Response, error) {
			url = req.URL.String()
			return response(200, "{}"), nil
		})
		opts := []ClientOption{WithHTTPClient(doer), WithLogger(quiet), WithMetrics(NewMetrics()),
			WithEnv(func(k string) (string, bool) { val, ok := r.Env[k]; return val, ok })}
		if r.BaseURL != "" {
			opts = append(opts, WithBaseURL(r.BaseURL))
		}
		c, err := NewClient("summer", opts...)
		if r.ErrorContains != "" {
			if err == nil || !strings.Contains(err.Error(), r.ErrorContains) {
				t.Errorf("resolve %d: error %v, want one containing %q", i, err, r.ErrorContains)
			}
			continue
		}
		if err != nil {
			t.Errorf("resolve %d: %v", i, err)
			continue
		}
		if err := Call(context.Background(), c, &RPC{Service: "summer", Name: "sum"}, &Empty{}, &Empty{}); err != nil {
			t.Fatal(err)
		}
		if url != r.ExpectURL {
			t.Errorf("resolve %d: URL %q, want %q", i, url, r.ExpectURL)
		}
	}
}

// ---- events.json ------------------------------------------------------------------------

func TestEventVectors(t *testing.T) {
	var v struct {
		Publish struct {
			Service string          `json:"service"`
			Topic   string          `json:"topic"`
			Data    json.RawMessage `json:"data"`
			Expect  struct {
				Method  string             `json:"method"`
				Path    string             `json:"path"`
				Headers map[string]string  `json:"headers"`
				Body    map[string]matcher `json:"body"`
			} `json:"expect"`
		} `json:"publish"`
		Deliveries []struct {
			Name    string            `json:"name"`
			Path    string            `json:"path"`
			Headers map[string]string `json:"headers"`
			Body    string            `json:"body"`
			Handler string            `json:"handler"`
			Expect  struct {
				Status       int    `json:"status"`
				HandlerCalls int    `json:"handler_calls"`
				Code         string `json:"code"`
			} `json:"expect"`
		} `json:"deliveries"`
	}
	loadVectors(t, "events.json", &v)

	var got *http.Request
	var gotBody []byte
	bus := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		gotBody, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("{}"))
	}))
	defer bus.Close()
	b, err := NewBus(v.Publish.Service, WithEnv(func(k string) (string, bool) {
		return bus.URL, k == "SERVICE_DATA_BUS_URL"
	}), WithLogger(quiet), WithMetrics(NewMetrics()))
	if err != nil {
		t.Fatal(err)
	}
	data := new(vItem)
	if err := Unmarshal(v.Publish.Data, data); err != nil {
		t.Fatal(err)
	}
	id, err := b.Publish(context.Background(), v.Publish.Topic, data)
	if err != nil {
		t.Fatal(err)
	}
	px := v.Publish.Expect
	if got.Method != px.Method || got.URL.Path != px.Path {
		t.Errorf("publish: %s %s", got.Method, got.URL.Path)
	}
	for h, want := range px.Headers {
		if got.Header.Get(h) != want {
			t.Errorf("publish: header %s = %q, want %q", h, got.Header.Get(h), want)
		}
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(gotBody, &fields); err != nil {
		t.Fatal(err)
	}
	for k, m := range px.Body {
		raw, ok := fields[k]
		if m.JSON != nil {
			mustJSONEqual(t, "publish: "+k, raw, m.JSON)
			continue
		}
		var s string
		_ = json.Unmarshal(raw, &s)
		m.check(t, "publish: "+k, s, ok, nil)
	}
	var idField string
	_ = json.Unmarshal(fields["id"], &idField)
	if id != idField {
		t.Errorf("Publish returned id %q, sent %q", id, idField)
	}

	s := NewServer("consumer", WithLogger(quiet), WithMetrics(NewMetrics()))
	calls, fail := 0, false
	HandleEvent(s, "summer.summed", func(ctx context.Context, m *vItem) error {
		calls++
		if ev, ok := EventFrom(ctx); !ok || ev.Type != "summer.summed" {
			t.Errorf("EventFrom: %v %v", ev, ok)
		}
		if fail {
			return errors.New("handler failed")
		}
		return nil
	})
	for _, dl := range v.Deliveries {
		fail = dl.Handler == "fail"
		req := httptest.NewRequest("POST", dl.Path, strings.NewReader(dl.Body))
		for k, val := range dl.Headers {
			req.Header.Set(k, val)
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		checkHTTPResponse(t, dl.Name, rec, errorExpect{Status: dl.Expect.Status, Code: dl.Expect.Code})
		if calls != dl.Expect.HandlerCalls {
			t.Errorf("%s: handler ran %d times in total, want %d", dl.Name, calls, dl.Expect.HandlerCalls)
		}
	}
}

func (m *matcher) UnmarshalJSON(b []byte) error {
	type plain matcher
	var p struct {
		plain
		JSON json.RawMessage `json:"json"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*m = matcher(p.plain)
	m.JSON = p.JSON
	return nil
}
