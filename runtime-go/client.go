package brief

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand"
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

// MaxBodyBytes is the largest request body a server accepts (protocol 2.3).
const MaxBodyBytes = 4 << 20

// maxResponseBytes is the largest response body a client reads.
const maxResponseBytes = 64 << 20

// Doer sends HTTP requests; *http.Client implements it.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Option configures a Client, Server or Bus. Options that do not apply to
// the thing being built are ignored.
type Option func(*config)

type config struct {
	doer        Doer
	baseURL     string
	logger      *slog.Logger
	breaker     *BreakerConfig
	retry       *RetryPolicy
	budget      *BudgetConfig
	caller      string
	metrics     *Metrics
	clock       Clock
	random      func() float64
	readiness   func(context.Context) error
	dedupe      Deduper
	maxBody     int64
	envLookup   func(string) (string, bool)
	disableRetr bool
}

// WithHTTPClient sets the HTTP client (default: a shared keep-alive client).
func WithHTTPClient(d Doer) Option { return func(c *config) { c.doer = d } }

// WithBaseURL sets the dependency's base URL instead of discovery.
func WithBaseURL(u string) Option { return func(c *config) { c.baseURL = u } }

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithBreaker overrides circuit breaker settings (zero fields = defaults).
func WithBreaker(b BreakerConfig) Option { return func(c *config) { c.breaker = &b } }

// WithRetry overrides the retry policy (zero fields = defaults).
func WithRetry(p RetryPolicy) Option { return func(c *config) { c.retry = &p } }

// WithRetryBudget overrides the retry budget (zero fields = defaults).
func WithRetryBudget(b BudgetConfig) Option { return func(c *config) { c.budget = &b } }

// WithCaller sets X-Source-Service on outgoing calls (default: the service
// of the server handling the current request, if any).
func WithCaller(name string) Option { return func(c *config) { c.caller = name } }

// WithMetrics sets the metrics registry (default DefaultMetrics).
func WithMetrics(m *Metrics) Option { return func(c *config) { c.metrics = m } }

// WithClock sets the clock used for timeouts, backoff and the breaker (tests).
func WithClock(cl Clock) Option { return func(c *config) { c.clock = cl } }

// WithRandom sets the source of uniform [0,1) numbers used for jitter (tests).
func WithRandom(f func() float64) Option { return func(c *config) { c.random = f } }

// WithReadiness sets the server's readiness check for GET /health/ready.
func WithReadiness(f func(context.Context) error) Option {
	return func(c *config) { c.readiness = f }
}

// WithDeduper sets the store used to drop duplicate events (default: in memory).
func WithDeduper(d Deduper) Option { return func(c *config) { c.dedupe = d } }

// WithMaxBodyBytes sets the largest request body a server accepts.
func WithMaxBodyBytes(n int64) Option { return func(c *config) { c.maxBody = n } }

// WithEnv replaces os.LookupEnv for discovery (tests).
func WithEnv(lookup func(string) (string, bool)) Option {
	return func(c *config) { c.envLookup = lookup }
}

func buildConfig(opts []Option) *config {
	c := &config{}
	for _, o := range opts {
		o(c)
	}
	if c.logger == nil {
		c.logger = slog.Default()
	}
	if c.metrics == nil {
		c.metrics = DefaultMetrics
	}
	if c.clock == nil {
		c.clock = SystemClock
	}
	if c.random == nil {
		var mu sync.Mutex
		r := rand.New(rand.NewSource(time.Now().UnixNano()))
		c.random = func() float64 { mu.Lock(); defer mu.Unlock(); return r.Float64() }
	}
	if c.envLookup == nil {
		c.envLookup = os.LookupEnv
	}
	if c.maxBody == 0 {
		c.maxBody = MaxBodyBytes
	}
	return c
}

var defaultHTTPClient = &http.Client{
	Transport: &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        512,
		MaxIdleConnsPerHost: 128,
		IdleConnTimeout:     90 * time.Second,
	},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
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
}

// NewClient returns a client for the named dependency. Its base URL comes
// from WithBaseURL or else from the environment variable EnvVarName(dependency).
func NewClient(dependency string, opts ...Option) (*Client, error) {
	cfg := buildConfig(opts)
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
	c := &Client{dependency: dependency, baseURL: base, cfg: cfg, retry: rp.withDefaults(), budget: NewRetryBudget(bud)}
	c.breaker = NewBreaker(bc, cfg.clock)
	c.breaker.onChange = func(from, to BreakerState) {
		cfg.logger.Warn("brief: circuit breaker state change", "dependency", dependency, "from", from.String(), "to", to.String())
	}
	cfg.metrics.setGaugeFunc(MetricClientBreakerState, func() float64 { return float64(c.breaker.State()) }, "dependency", dependency)
	return c, nil
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
func Call[In, Out any](ctx context.Context, c *Client, rpc *RPC, in *In, out *Out) error {
	return c.Invoke(ctx, rpc, in, out)
}

// Invoke is the non-generic form of Call; in and out are pointers.
func (c *Client) Invoke(ctx context.Context, rpc *RPC, in, out any) error {
	cl := c.cfg.clock
	start := cl.Now()
	err := c.invoke(ctx, rpc, in, out, start)
	code := CodeOf(err)
	c.cfg.metrics.inc(MetricClientRequests, "dependency", c.dependency, "rpc", rpc.Name, "code", code)
	c.cfg.metrics.observe(MetricClientDuration, cl.Now().Sub(start), "dependency", c.dependency, "rpc", rpc.Name)
	return err
}

func (c *Client) invoke(ctx context.Context, rpc *RPC, in, out any, start time.Time) error {
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
	url := c.baseURL + rpc.Path()
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
			return Errorf(CodeUnavailable, "circuit breaker open for dependency %s", c.dependency)
		}
		if attempt > 1 {
			c.cfg.metrics.inc(MetricClientRetries, "dependency", c.dependency, "rpc", rpc.Name)
		}
		err := c.attempt(ctx, rpc, url, body, out, md, caller, remaining)
		var te *Error
		isTransport := errors.As(err, &te) && !isAppError(err)
		outcome := OutcomeSuccess
		retryable := false
		if isTransport {
			switch {
			case te.Code == CodeCanceled:
				outcome = OutcomeIgnored
			case te.Code.BreakerFailure():
				outcome = OutcomeFailure
			}
			retryable = te.Code.Retryable()
		}
		c.breaker.Record(ticket, outcome)
		if outcome != OutcomeIgnored {
			c.budget.Record(retryable)
		}
		if err == nil || !retryable || !rpc.Idempotent || attempt >= c.retry.MaxAttempts {
			return err
		}
		if !c.budget.AllowRetry() {
			c.cfg.logger.Debug("brief: retry refused by budget", "dependency", c.dependency, "rpc", rpc.Name)
			return err
		}
		delay := c.retry.Backoff(attempt, c.cfg.random())
		if !c.cfg.clock.Now().Add(delay).Before(deadline) {
			return err
		}
		c.cfg.logger.Debug("brief: retrying", "dependency", c.dependency, "rpc", rpc.Name, "attempt", attempt+1, "delay", delay, "error", err)
		if serr := c.cfg.clock.Sleep(ctx, delay); serr != nil {
			return ctxError(serr)
		}
		lastErr = err
	}
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

func (c *Client) attempt(ctx context.Context, rpc *RPC, url string, body []byte, out any, md Metadata, caller string, remaining time.Duration) error {
	actx, cancel := context.WithTimeout(ctx, remaining)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return WrapError(CodeInternal, err, "cannot build request: "+err.Error())
	}
	h := req.Header
	h["Content-Type"] = []string{"application/json"}
	h[HeaderRequestID] = []string{md.RequestID}
	h[HeaderTimeoutMs] = []string{strconv.FormatInt(int64(remaining/time.Millisecond), 10)}
	if caller != "" {
		h[HeaderSource] = []string{caller}
	}
	if tp := childTraceParent(md.TraceParent); tp != "" {
		h[HeaderTraceParent] = []string{tp}
		if md.TraceState != "" {
			h[HeaderTraceState] = []string{md.TraceState}
		}
	}
	resp, err := c.cfg.doer.Do(req)
	if err != nil {
		return c.transportError(ctx, actx, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return c.transportError(ctx, actx, err)
	}
	if resp.StatusCode == http.StatusOK {
		if err := Unmarshal(data, out); err != nil {
			return WrapError(CodeInternal, err, fmt.Sprintf("invalid response from %s/%s: %v", rpc.Service, rpc.Name, err))
		}
		return nil
	}
	return DecodeErrorResponse(resp.StatusCode, data, rpc.Errors)
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
