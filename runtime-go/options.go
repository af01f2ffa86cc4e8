// Options of NewClient, NewServer and NewBus: one interface per kind of thing
// built, so that an option that does not apply to it does not compile.

package brief

import (
	"context"
	"log/slog"
	"math/rand"
	"os"
	"sync"
	"time"
)

// ClientOption configures a Client (NewClient and the generated NewClient).
type ClientOption interface{ applyClient(*config) }

// ServerOption configures a Server (NewServer and the generated NewHandler).
type ServerOption interface{ applyServer(*config) }

// BusOption configures a Bus (NewBus and the generated NewPublisher).
type BusOption interface{ applyBus(*config) }

// OutboundOption configures what makes outgoing calls: it is both a
// ClientOption and a BusOption (the bus is a client of the data bus).
type OutboundOption interface {
	ClientOption
	BusOption
}

// Option applies to all three kinds: it is a ClientOption, a ServerOption
// and a BusOption.
type Option interface {
	ClientOption
	ServerOption
	BusOption
}

// clientOnly is a ClientOption that is no BusOption (WithCaller: the bus
// sends its source instead).
type clientOnly func(*config)

func (o clientOnly) applyClient(c *config) { o(c) }

// outbound is an OutboundOption.
type outbound func(*config)

func (o outbound) applyClient(c *config) { o(c) }
func (o outbound) applyBus(c *config)    { o(c) }

// serverOnly is a ServerOption.
type serverOnly func(*config)

func (o serverOnly) applyServer(c *config) { o(c) }

// sharedOption is an Option.
type sharedOption func(*config)

func (o sharedOption) applyClient(c *config) { o(c) }
func (o sharedOption) applyServer(c *config) { o(c) }
func (o sharedOption) applyBus(c *config)    { o(c) }

type config struct {
	doer               Doer
	baseURL            string
	logger             *slog.Logger
	breaker            *BreakerConfig
	retry              *RetryPolicy
	budget             *BudgetConfig
	caller             string
	metrics            *Metrics
	clock              Clock
	random             func() float64
	readiness          func(context.Context) error
	dedupe             Deduper
	maxBody            int64
	envLookup          func(string) (string, bool)
	clientInterceptors []ClientInterceptor
	serverInterceptors []ServerInterceptor
}

// ---- client and bus ----

// WithHTTPClient sets the HTTP client (default: a shared keep-alive client).
// An *http.Client is copied with redirects disabled (the protocol forbids
// following them); any other Doer must not follow redirects itself.
func WithHTTPClient(d Doer) OutboundOption { return outbound(func(c *config) { c.doer = d }) }

// WithBaseURL sets the dependency's (or the data bus's) base URL instead of
// discovery.
func WithBaseURL(u string) OutboundOption { return outbound(func(c *config) { c.baseURL = u }) }

// WithBreaker overrides circuit breaker settings (zero fields = defaults).
func WithBreaker(b BreakerConfig) OutboundOption {
	return outbound(func(c *config) { c.breaker = &b })
}

// WithRetry overrides the retry policy (zero fields = defaults).
func WithRetry(p RetryPolicy) OutboundOption { return outbound(func(c *config) { c.retry = &p }) }

// WithRetryBudget overrides the retry budget (zero fields = defaults).
func WithRetryBudget(b BudgetConfig) OutboundOption {
	return outbound(func(c *config) { c.budget = &b })
}

// WithRandom sets the source of uniform [0,1) numbers used for jitter (tests).
func WithRandom(f func() float64) OutboundOption {
	return outbound(func(c *config) { c.random = f })
}

// WithEnv replaces os.LookupEnv for discovery (tests).
func WithEnv(lookup func(string) (string, bool)) OutboundOption {
	return outbound(func(c *config) { c.envLookup = lookup })
}

// ---- client only ----

// WithCaller sets X-Source-Service on outgoing calls (default: the service
// of the server handling the current request, if any). A bus sends the
// source given to NewBus instead.
func WithCaller(name string) ClientOption { return clientOnly(func(c *config) { c.caller = name }) }

// ---- server only ----

// WithReadiness sets the server's readiness check for GET /health/ready.
func WithReadiness(f func(context.Context) error) ServerOption {
	return serverOnly(func(c *config) { c.readiness = f })
}

// WithDeduper sets the store the server uses to drop duplicate event
// deliveries (default: in memory).
func WithDeduper(d Deduper) ServerOption { return serverOnly(func(c *config) { c.dedupe = d }) }

// ---- all kinds ----

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return sharedOption(func(c *config) { c.logger = l }) }

// WithMetrics sets the metrics registry (default DefaultMetrics).
func WithMetrics(m *Metrics) Option { return sharedOption(func(c *config) { c.metrics = m }) }

// WithClock sets the clock used for timeouts, backoff, the breaker and event
// times (tests).
func WithClock(cl Clock) Option { return sharedOption(func(c *config) { c.clock = cl }) }

// WithMaxBodyBytes sets the largest body read: the request body a server
// accepts, or the response body a client reads (default MaxBodyBytes). A
// larger response fails the call with resource_exhausted.
func WithMaxBodyBytes(n int64) Option { return sharedOption(func(c *config) { c.maxBody = n }) }

// clientConfig applies opts (nil ones are skipped) and the defaults.
func clientConfig(opts []ClientOption) *config {
	c := &config{}
	for _, o := range opts {
		if o != nil {
			o.applyClient(c)
		}
	}
	return withDefaults(c)
}

// serverConfig applies opts (nil ones are skipped) and the defaults.
func serverConfig(opts []ServerOption) *config {
	c := &config{}
	for _, o := range opts {
		if o != nil {
			o.applyServer(c)
		}
	}
	return withDefaults(c)
}

// busClientOptions turns bus options into the options of the bus's client.
func busClientOptions(source string, opts []BusOption) []ClientOption {
	out := make([]ClientOption, 0, len(opts)+1)
	out = append(out, WithCaller(source))
	for _, o := range opts {
		if o != nil {
			out = append(out, clientOnly(o.applyBus))
		}
	}
	return out
}

func withDefaults(c *config) *config {
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
