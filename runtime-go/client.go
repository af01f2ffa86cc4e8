package brief

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// RPC describes one rpc of a contract. Generated code declares one
// package-level *RPC per rpc and passes it to both Call and Handle.
type RPC struct {
	Service    string        // service name as in the contract, e.g. "summer"
	Name       string        // rpc name as in the contract, e.g. "sum"
	Idempotent bool          // @idempotent: the client may retry it
	Timeout    time.Duration // @timeout; 0 = DefaultTimeout
	Errors     ErrorTable    // application errors in `throws (...)`
}

// Path returns "/rpc/<service>/<rpc>".
func (r *RPC) Path() string { return "/rpc/" + r.Service + "/" + r.Name }

// DefaultTimeout bounds a call whose rpc has no @timeout (protocol 6.3).
const DefaultTimeout = 10 * time.Second

// MaxBodyBytes is the default of the largest request body a server accepts
// (protocol 2.3) and of the largest response body a client reads (protocol
// 4.4); WithMaxBodyBytes changes it.
const MaxBodyBytes = 4 << 20

// maxSizeHint bounds the buffer allocated up front from a response's
// Content-Length: a peer's claim never sizes an allocation beyond it.
const maxSizeHint = 64 << 10

// Doer sends HTTP requests; *http.Client implements it.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// DefaultTransport is the transport of clients not given WithHTTPClient:
// keep-alive connections with bounded dial, TLS handshake and idle times,
// and HTTP/2 when the server offers it over TLS.
var DefaultTransport = &http.Transport{
	Proxy:                 http.ProxyFromEnvironment,
	DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
	ForceAttemptHTTP2:     true,
	TLSHandshakeTimeout:   5 * time.Second,
	ExpectContinueTimeout: time.Second,
	MaxIdleConns:          512,
	MaxIdleConnsPerHost:   128,
	IdleConnTimeout:       90 * time.Second,
}

var defaultHTTPClient = &http.Client{Transport: DefaultTransport, CheckRedirect: noRedirects}

// noRedirects makes an http.Client return a redirect response as it is.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// withoutRedirects returns d, or a copy of it that does not follow
// redirects when d is an *http.Client.
func withoutRedirects(d Doer) Doer {
	if hc, ok := d.(*http.Client); ok && hc != nil {
		cp := *hc
		cp.CheckRedirect = noRedirects
		return &cp
	}
	return d
}

// EnvVarName returns the discovery variable of a dependency:
// "image-storage" -> "SERVICE_IMAGE_STORAGE_URL" (protocol section 8).
func EnvVarName(dependency string) string {
	var sb strings.Builder
	sb.WriteString("SERVICE_")
	for _, r := range dependency {
		switch {
		case r >= 'a' && r <= 'z':
			sb.WriteRune(r - 'a' + 'A')
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			sb.WriteRune(r)
		default:
			sb.WriteByte('_')
		}
	}
	sb.WriteString("_URL")
	return sb.String()
}

// Discover returns the base URL of a dependency from its environment variable.
func Discover(dependency string) (string, error) {
	return discover(dependency, os.LookupEnv)
}

func discover(dependency string, lookup func(string) (string, bool)) (string, error) {
	name := EnvVarName(dependency)
	v, ok := lookup(name)
	if !ok || strings.TrimSpace(v) == "" {
		return "", fmt.Errorf("brief: no base URL for dependency %q: environment variable %s is not set", dependency, name)
	}
	u, err := normalizeBaseURL(v)
	if err != nil {
		return "", fmt.Errorf("brief: environment variable %s: %w", name, err)
	}
	return u, nil
}

func normalizeBaseURL(v string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(v))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("invalid base URL %q: want http(s)://host[:port][/prefix]", v)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// Client calls the rpcs of one dependency. It holds the dependency's circuit
// breaker and retry budget; create one per dependency and reuse it. It is
// safe for concurrent use.
type Client struct {
	dependency string
	baseURL    string
	cfg        *config
	breaker    *Breaker
	retry      RetryPolicy
	budget     *RetryBudget
	rpcs       sync.Map // *RPC -> *rpcState
}

// rpcState holds what a client derives from an *RPC once instead of on
// every call: the URL and the metric series of successful calls.
type rpcState struct {
	service, name string   // rpc.Service and rpc.Name when derived
	url           string   // baseURL + rpc.Path()
	parsed        *url.URL // url parsed (nil if it does not parse)
	okRequests    *series  // brief_client_requests_total{code="ok"}
	duration      *series  // brief_client_request_duration_seconds
}

// state returns the cached rpcState of rpc, deriving it on first use (or
// again if the RPC's names were changed since).
func (c *Client) state(rpc *RPC) *rpcState {
	if v, ok := c.rpcs.Load(rpc); ok {
		st := v.(*rpcState)
		if st.service == rpc.Service && st.name == rpc.Name {
			return st
		}
	}
	m := c.cfg.metrics
	st := &rpcState{
		service:    rpc.Service,
		name:       rpc.Name,
		url:        c.baseURL + rpc.Path(),
		okRequests: m.get(MetricClientRequests, "dependency", c.dependency, "rpc", rpc.Name, "code", CodeOK),
		duration:   m.get(MetricClientDuration, "dependency", c.dependency, "rpc", rpc.Name),
	}
	if u, err := url.Parse(st.url); err == nil {
		u.Host = strings.TrimSuffix(u.Host, ":") // as http.NewRequest
		st.parsed = u
	}
	c.rpcs.Store(rpc, st)
	return st
}

// NewClient returns a client for the named dependency. Its base URL comes
// from WithBaseURL or else from the environment variable EnvVarName(dependency).
func NewClient(dependency string, opts ...ClientOption) (*Client, error) {
	cfg := clientConfig(opts)
	var base string
	var err error
	if cfg.baseURL != "" {
		base, err = normalizeBaseURL(cfg.baseURL)
	} else {
		base, err = discover(dependency, cfg.envLookup)
	}
	if err != nil {
		return nil, err
	}
	if cfg.doer == nil {
		cfg.doer = defaultHTTPClient
	} else {
		cfg.doer = withoutRedirects(cfg.doer)
	}
	bc := DefaultBreakerConfig
	if cfg.breaker != nil {
		bc = *cfg.breaker
	}
	rp := DefaultRetryPolicy
	if cfg.retry != nil {
		rp = *cfg.retry
	}
	bud := DefaultBudgetConfig
	if cfg.budget != nil {
		bud = *cfg.budget
	}
	c := &Client{dependency: dependency, baseURL: base, cfg: cfg, retry: rp.withDefaults(), budget: NewRetryBudget(bud, cfg.clock)}
	c.breaker = NewBreaker(bc, cfg.clock)
	c.breaker.onChange = func(from, to BreakerState) {
		cfg.logger.Warn("brief: circuit breaker state change", "dependency", dependency, "from", from.String(), "to", to.String())
	}
	cfg.metrics.setGaugeFunc(MetricClientBreakerState, func() float64 { return float64(c.breaker.State()) }, "dependency", dependency)
	return c, nil
}

// errNilClient is the error of calls on a nil *Client (or on the zero value
// of a generated client or publisher).
func errNilClient() *Error {
	e := Errorf(CodeFailedPrecondition, "brief: client not initialised (use its constructor)")
	e.local = true
	return e
}

// Dependency returns the dependency name given to NewClient.
func (c *Client) Dependency() string { return c.dependency }

// BaseURL returns the resolved base URL.
func (c *Client) BaseURL() string { return c.baseURL }

// Breaker returns the client's circuit breaker.
func (c *Client) Breaker() *Breaker { return c.breaker }

// Call invokes rpc with input in and decodes the result into out.
//
// The error is nil, a *Error (transport code; use errors.Is with the
// sentinels), a declared application error of its generated type, or an
// *ApplicationError for an undeclared one.
//
// opts apply to this call only (WithHeader, WithCallTimeout).
func Call[In, Out any](ctx context.Context, c *Client, rpc *RPC, in *In, out *Out, opts ...CallOption) error {
	return c.Invoke(ctx, rpc, in, out, opts...)
}

// Invoke is the non-generic form of Call; in and out are pointers.
// A nil *Client fails with failed_precondition instead of panicking.
//
// The call options are applied first (an invalid one fails the call before
// anything else); then the client's interceptors (WithClientInterceptors)
// wrap the call, and the metrics it records are those of the calls the
// interceptors make.
func (c *Client) Invoke(ctx context.Context, rpc *RPC, in, out any, opts ...CallOption) error {
	if c == nil {
		return errNilClient()
	}
	var cc *callConfig
	if len(opts) > 0 {
		cc = newCallConfig(opts)
		if cc.err != nil {
			e := *cc.err
			e.dependency = c.dependency
			return &e
		}
		var cancel context.CancelFunc
		ctx, cancel = cc.apply(ctx)
		defer cancel()
	}
	if ics := c.cfg.clientInterceptors; len(ics) > 0 {
		return interceptCall(ctx, ics, rpc.Procedure(), in, out, func(ctx context.Context, in, out any) error {
			return c.metered(ctx, rpc, cc, in, out)
		})
	}
	return c.metered(ctx, rpc, cc, in, out)
}

// metered makes the call and records its metrics; cc is nil without call
// options.
func (c *Client) metered(ctx context.Context, rpc *RPC, cc *callConfig, in, out any) error {
	cl := c.cfg.clock
	start := cl.Now()
	st := c.state(rpc)
	err := c.invoke(ctx, rpc, st, cc, in, out, start)
	if err == nil {
		st.okRequests.value.Add(1)
	} else {
		var te *Error
		if errors.As(err, &te) {
			te.dependency = c.dependency
		}
		c.cfg.metrics.inc(MetricClientRequests, "dependency", c.dependency, "rpc", rpc.Name, "code", metricCode(err))
	}
	st.duration.observe(cl.Now().Sub(start))
	return err
}

func (c *Client) invoke(ctx context.Context, rpc *RPC, st *rpcState, cc *callConfig, in, out any, start time.Time) error {
	if err := ctx.Err(); err != nil {
		return ctxError(err)
	}
	body, err := Marshal(in)
	if err != nil {
		return WrapError(CodeInvalidArgument, err, "cannot encode request: "+err.Error())
	}
	timeout := rpc.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	if d, ok := ctx.Deadline(); ok {
		if rem := time.Until(d); rem < timeout {
			timeout = rem
		}
	}
	deadline := start.Add(timeout)
	md := MetadataFrom(ctx)
	if !ValidRequestID(md.RequestID) {
		md.RequestID = NewRequestID()
	}
	caller := c.cfg.caller
	if caller == "" {
		caller = md.Service
	}
	var lastErr error
	for attempt := 1; ; attempt++ {
		remaining := deadline.Sub(c.cfg.clock.Now())
		if remaining < time.Millisecond {
			if lastErr != nil {
				return lastErr
			}
			return Errorf(CodeDeadlineExceeded, "deadline exceeded before calling %s/%s", rpc.Service, rpc.Name)
		}
		ticket, ok := c.breaker.Allow()
		if !ok {
			c.cfg.metrics.inc(MetricClientRejected, "dependency", c.dependency)
			if lastErr != nil {
				return lastErr
			}
			return WrapError(CodeUnavailable, ErrCircuitOpen, "circuit breaker open for dependency "+c.dependency)
		}
		if attempt == 1 {
			c.budget.Deposit()
		} else {
			c.cfg.metrics.inc(MetricClientRetries, "dependency", c.dependency, "rpc", rpc.Name)
		}
		retryAfter, err := c.attempt(ctx, rpc, st, cc, body, out, md, caller, remaining)
		outcome, retryable := classify(err)
		c.breaker.Record(ticket, outcome)
		if err == nil || !retryable || !rpc.Idempotent || attempt >= c.retry.MaxAttempts {
			return err
		}
		delay := c.retry.Backoff(attempt, c.cfg.random())
		if retryAfter >= 0 {
			delay = max(delay, min(retryAfter, c.retry.MaxBackoff))
		}
		if !c.cfg.clock.Now().Add(delay).Before(deadline) {
			return err
		}
		if !c.budget.TryWithdraw() {
			c.cfg.logger.Debug("brief: retry refused by budget", "dependency", c.dependency, "rpc", rpc.Name)
			return err
		}
		c.cfg.logger.Debug("brief: retrying", "dependency", c.dependency, "rpc", rpc.Name, "attempt", attempt+1, "delay", delay, "error", err)
		if serr := c.cfg.clock.Sleep(ctx, delay); serr != nil {
			return ctxError(serr)
		}
		lastErr = err
	}
}

// classify returns how the result of one attempt counts for the breaker and
// whether it may be retried (protocol section 6.1). Answers the client could
// not use (undecodable, too large) and a server's report that its own
// dependency failed are answers: they count as successes and are not retried.
func classify(err error) (Outcome, bool) {
	var te *Error
	if err == nil || isAppError(err) || !errors.As(err, &te) {
		return OutcomeSuccess, false
	}
	switch {
	case te.local || isDependencyFailure(te):
		return OutcomeSuccess, false
	case te.Code == CodeCanceled:
		return OutcomeIgnored, false
	case te.Code.BreakerFailure():
		return OutcomeFailure, te.Code.Retryable()
	}
	return OutcomeSuccess, te.Code.Retryable()
}

func isAppError(err error) bool {
	var app AppError
	return errors.As(err, &app)
}

func ctxError(err error) *Error {
	if errors.Is(err, context.DeadlineExceeded) {
		return WrapError(CodeDeadlineExceeded, err, "deadline exceeded")
	}
	return WrapError(CodeCanceled, err, "canceled by the caller")
}

// attempt sends one attempt. retryAfter is the delay a 429 or 503 response
// asked for with Retry-After, or -1.
func (c *Client) attempt(ctx context.Context, rpc *RPC, st *rpcState, cc *callConfig, body []byte, out any, md Metadata, caller string, remaining time.Duration) (retryAfter time.Duration, err error) {
	// The attempt must end within remaining. When ctx's own deadline comes
	// no later, context.WithTimeout would only add a cancel func (no timer);
	// skip it and use ctx as is.
	actx := ctx
	if d, ok := ctx.Deadline(); !ok || d.After(time.Now().Add(remaining)) {
		var cancel context.CancelFunc
		actx, cancel = context.WithTimeout(ctx, remaining)
		defer cancel()
	}
	req, err := newPost(actx, st, body)
	if err != nil {
		return -1, WrapError(CodeInternal, err, "cannot build request: "+err.Error())
	}
	// One backing array for all header values; each value gets a slice of
	// it with its capacity capped so that an append cannot reach the next.
	vals := make([]string, 6)
	vals[0] = "application/json"
	vals[1] = md.RequestID
	vals[2] = strconv.FormatInt(int64(remaining/time.Millisecond), 10)
	h := req.Header
	h["Content-Type"] = vals[0:1:1]
	h[HeaderRequestID] = vals[1:2:2]
	h[HeaderTimeoutMs] = vals[2:3:3]
	if caller != "" {
		vals[3] = caller
		h[HeaderSource] = vals[3:4:4]
	}
	if tp := childTraceParent(md.TraceParent); tp != "" {
		vals[4] = tp
		h[HeaderTraceParent] = vals[4:5:5]
		if md.TraceState != "" {
			vals[5] = md.TraceState
			h[HeaderTraceState] = vals[5:6:6]
		}
	}
	if cc != nil {
		for _, kv := range cc.header {
			h[kv[0]] = append(h[kv[0]], kv[1])
		}
	}
	resp, err := c.cfg.doer.Do(req)
	if err != nil {
		return -1, c.transportError(ctx, actx, err)
	}
	defer func() { _ = resp.Body.Close() }()
	retryAfter = -1
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), c.cfg.clock.Now())
	}
	limit := c.cfg.maxBody
	if resp.ContentLength > limit {
		return retryAfter, c.tooLarge(rpc, limit)
	}
	bp := getBuffer()
	data, err := readBody(resp.Body, (*bp)[:0], resp.ContentLength, limit+1)
	if err != nil {
		return retryAfter, c.transportError(ctx, actx, err)
	}
	if int64(len(data)) > limit {
		*bp = data
		putBuffer(bp)
		return retryAfter, c.tooLarge(rpc, limit)
	}
	if resp.StatusCode == http.StatusOK {
		err := Unmarshal(data, out)
		// Unmarshal keeps no reference to data (strings are copied, and
		// json.Unmarshaler implementations must copy what they keep), so
		// the buffer can be reused.
		*bp = data
		putBuffer(bp)
		if err != nil {
			e := WrapError(CodeInternal, err, "invalid response from "+rpc.Service+"/"+rpc.Name+": "+err.Error())
			e.local = true
			return -1, e
		}
		return -1, nil
	}
	// An error response's body may be referenced by the error returned;
	// its buffer is not put back.
	return retryAfter, DecodeErrorResponse(resp.StatusCode, data, rpc.Errors)
}

// tooLarge is the error of a response body over the client's limit.
func (c *Client) tooLarge(rpc *RPC, limit int64) *Error {
	e := Errorf(CodeResourceExhausted, "response from %s/%s larger than %d bytes (see WithMaxBodyBytes)", rpc.Service, rpc.Name, limit)
	e.local = true
	return e
}

// parseRetryAfter returns the delay of a Retry-After value (delay-seconds or
// an HTTP-date), or -1 when it is absent or invalid.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return -1
	}
	if n, err := strconv.ParseUint(v, 10, 32); err == nil {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(0, t.Sub(now).Truncate(time.Millisecond))
	}
	return -1
}

// newPost returns the same request as
// http.NewRequestWithContext(ctx, "POST", st.url, bytes.NewReader(body))
// without parsing the URL again.
func newPost(ctx context.Context, st *rpcState, body []byte) (*http.Request, error) {
	if st.parsed == nil {
		return http.NewRequestWithContext(ctx, http.MethodPost, st.url, bytes.NewReader(body))
	}
	u := new(url.URL)
	*u = *st.parsed // a copy: a Doer may modify the request's URL
	r := http.Request{
		Method:        http.MethodPost,
		URL:           u,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        make(http.Header, 6),
		Body:          http.NoBody,
		GetBody:       func() (io.ReadCloser, error) { return http.NoBody, nil },
		ContentLength: int64(len(body)),
		Host:          u.Host,
	}
	if len(body) > 0 {
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	return r.WithContext(ctx), nil
}

// bufferPool holds response buffers (*[]byte) of the client.
var bufferPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// maxPooledBuffer is the largest buffer capacity kept in bufferPool.
const maxPooledBuffer = 64 << 10

func getBuffer() *[]byte { return bufferPool.Get().(*[]byte) }

func putBuffer(b *[]byte) {
	if cap(*b) <= maxPooledBuffer {
		*b = (*b)[:0]
		bufferPool.Put(b)
	}
}

// readBody appends the body read from r to buf and returns it, like
// io.ReadAll(io.LimitReader(r, limit)): it stops without error after limit
// bytes. size is the announced length (-1 if unknown): a hint that sizes buf
// up to maxSizeHint at most, so that a false claim costs nothing.
func readBody(r io.Reader, buf []byte, size, limit int64) ([]byte, error) {
	if size >= 0 && size < limit && size < maxSizeHint && int64(cap(buf)-len(buf)) <= size {
		// Room for the body plus one byte, so that EOF is seen without growing.
		buf = append(make([]byte, 0, len(buf)+int(size)+1), buf...)
	}
	for {
		if int64(len(buf)) >= limit {
			return buf, nil
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // grow
		}
		room := buf[len(buf):cap(buf)]
		if rest := limit - int64(len(buf)); int64(len(room)) > rest {
			room = room[:rest]
		}
		n, err := r.Read(room)
		buf = buf[:len(buf)+n]
		if err != nil {
			if err == io.EOF {
				return buf, nil
			}
			return buf, err
		}
	}
}

func (c *Client) transportError(ctx, actx context.Context, err error) error {
	switch {
	case ctx.Err() == context.Canceled || (errors.Is(err, context.Canceled) && ctx.Err() != nil):
		return WrapError(CodeCanceled, err, "canceled by the caller")
	case errors.Is(err, context.DeadlineExceeded) || actx.Err() == context.DeadlineExceeded:
		return WrapError(CodeDeadlineExceeded, err, "deadline exceeded calling "+c.dependency)
	case errors.Is(err, context.Canceled):
		return WrapError(CodeCanceled, err, "canceled")
	}
	return WrapError(CodeUnavailable, err, "cannot reach "+c.dependency+": "+err.Error())
}
