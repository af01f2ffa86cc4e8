package brief

import (
	"context"
	"math"
	"sync"
	"time"
)

// Clock abstracts time for the client's resilience logic so tests (and the
// conformance vectors) can use a fake clock.
type Clock interface {
	Now() time.Time
	// Sleep waits for d or until ctx is done (returning ctx.Err()).
	Sleep(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }
func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// SystemClock is the real clock.
var SystemClock Clock = realClock{}

// ---- circuit breaker (protocol section 6.1) --------------------------------

// BreakerState is the state of a circuit breaker. The numeric values are
// those exported by the brief_client_breaker_state metric.
type BreakerState int

const (
	BreakerClosed   BreakerState = 0
	BreakerOpen     BreakerState = 1
	BreakerHalfOpen BreakerState = 2
)

func (s BreakerState) String() string {
	switch s {
	case BreakerClosed:
		return "closed"
	case BreakerOpen:
		return "open"
	case BreakerHalfOpen:
		return "half_open"
	}
	return "invalid"
}

// BreakerConfig configures a circuit breaker. Zero fields take the defaults
// of DefaultBreakerConfig.
type BreakerConfig struct {
	Window         time.Duration // sliding window length (10s)
	Buckets        int           // buckets in the window (10)
	MinRequests    int           // minimum calls in the window before it can trip (20)
	FailureRatio   float64       // trip when failures/calls >= this (0.5)
	OpenDuration   time.Duration // time spent open before half-open (5s)
	HalfOpenProbes int           // probe calls allowed (and successes needed) in half-open (3)
	Disabled       bool          // never reject
}

// DefaultBreakerConfig holds the protocol's default numbers.
var DefaultBreakerConfig = BreakerConfig{
	Window:         10 * time.Second,
	Buckets:        10,
	MinRequests:    20,
	FailureRatio:   0.5,
	OpenDuration:   5 * time.Second,
	HalfOpenProbes: 3,
}

func (c BreakerConfig) withDefaults() BreakerConfig {
	d := DefaultBreakerConfig
	if c.Window > 0 {
		d.Window = c.Window
	}
	if c.Buckets > 0 {
		d.Buckets = c.Buckets
	}
	if c.MinRequests > 0 {
		d.MinRequests = c.MinRequests
	}
	if c.FailureRatio > 0 {
		d.FailureRatio = c.FailureRatio
	}
	if c.OpenDuration > 0 {
		d.OpenDuration = c.OpenDuration
	}
	if c.HalfOpenProbes > 0 {
		d.HalfOpenProbes = c.HalfOpenProbes
	}
	d.Disabled = c.Disabled
	return d
}

// Outcome is how a finished call counts for the breaker.
type Outcome int

const (
	OutcomeSuccess Outcome = iota
	OutcomeFailure
	OutcomeIgnored // e.g. canceled by the caller: neither success nor failure
)

// Ticket is returned by Breaker.Allow and passed back to Breaker.Record.
type Ticket struct {
	gen   uint64
	probe bool
}

type bucket struct {
	index          int64 // absolute bucket number
	calls, failing int
}

// Breaker is a circuit breaker with a bucketed sliding window. It is safe
// for concurrent use.
type Breaker struct {
	cfg      BreakerConfig
	clock    Clock
	onChange func(from, to BreakerState)

	mu         sync.Mutex
	state      BreakerState
	gen        uint64 // incremented on every state change
	buckets    []bucket
	openUntil  time.Time
	probes     int // probes started in the current half-open period
	probeOKs   int
	bucketSize time.Duration
}

// NewBreaker returns a breaker; clock may be nil (system clock).
func NewBreaker(cfg BreakerConfig, clock Clock) *Breaker {
	cfg = cfg.withDefaults()
	if clock == nil {
		clock = SystemClock
	}
	return &Breaker{cfg: cfg, clock: clock, buckets: make([]bucket, cfg.Buckets), bucketSize: cfg.Window / time.Duration(cfg.Buckets)}
}

// State returns the current state (an expired open state reads as half-open).
func (b *Breaker) State() BreakerState {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.advance(b.clock.Now())
	return b.state
}

func (b *Breaker) setState(s BreakerState, now time.Time) {
	from := b.state
	b.state = s
	b.gen++
	switch s {
	case BreakerOpen:
		b.openUntil = now.Add(b.cfg.OpenDuration)
	case BreakerHalfOpen:
		b.probes, b.probeOKs = 0, 0
	case BreakerClosed:
		for i := range b.buckets {
			b.buckets[i] = bucket{}
		}
	}
	if b.onChange != nil && from != s {
		b.onChange(from, s)
	}
}

func (b *Breaker) advance(now time.Time) {
	if b.state == BreakerOpen && !now.Before(b.openUntil) {
		b.setState(BreakerHalfOpen, now)
	}
}

// Allow asks permission for a call. When it returns false the call must not
// be sent.
func (b *Breaker) Allow() (Ticket, bool) {
	if b.cfg.Disabled {
		return Ticket{}, true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.advance(b.clock.Now())
	switch b.state {
	case BreakerOpen:
		return Ticket{}, false
	case BreakerHalfOpen:
		if b.probes >= b.cfg.HalfOpenProbes {
			return Ticket{}, false
		}
		b.probes++
		return Ticket{gen: b.gen, probe: true}, true
	}
	return Ticket{gen: b.gen}, true
}

// Record reports the outcome of a call allowed with t. Outcomes of calls
// allowed before the last state change are ignored.
func (b *Breaker) Record(t Ticket, o Outcome) {
	if b.cfg.Disabled {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clock.Now()
	b.advance(now)
	if t.gen != b.gen {
		return
	}
	switch b.state {
	case BreakerHalfOpen:
		switch o {
		case OutcomeFailure:
			b.setState(BreakerOpen, now)
		case OutcomeSuccess:
			b.probeOKs++
			if b.probeOKs >= b.cfg.HalfOpenProbes {
				b.setState(BreakerClosed, now)
			}
		case OutcomeIgnored:
			b.probes-- // give the slot back
		}
	case BreakerClosed:
		if o == OutcomeIgnored {
			return
		}
		n := int64(len(b.buckets))
		idx := floorDiv(now.UnixNano(), int64(b.bucketSize))
		bk := &b.buckets[((idx%n)+n)%n]
		if bk.index != idx {
			*bk = bucket{index: idx}
		}
		bk.calls++
		if o == OutcomeFailure {
			bk.failing++
		}
		if o != OutcomeFailure {
			return
		}
		calls, failing := 0, 0
		for _, x := range b.buckets {
			if x.index > idx-n && x.index <= idx {
				calls += x.calls
				failing += x.failing
			}
		}
		if calls >= b.cfg.MinRequests && float64(failing) >= b.cfg.FailureRatio*float64(calls) {
			b.setState(BreakerOpen, now)
		}
	}
}

// ---- retries (protocol section 6.2) ----------------------------------------

// RetryPolicy configures retries of idempotent rpcs. Zero fields take the
// defaults of DefaultRetryPolicy.
type RetryPolicy struct {
	MaxAttempts    int           // total attempts including the first (3); 1 disables retries
	InitialBackoff time.Duration // ceiling of the first retry's delay (100ms)
	MaxBackoff     time.Duration // cap of the ceiling (2s)
	Multiplier     float64       // ceiling growth per retry (2)
}

// DefaultRetryPolicy holds the protocol's default numbers.
var DefaultRetryPolicy = RetryPolicy{MaxAttempts: 3, InitialBackoff: 100 * time.Millisecond, MaxBackoff: 2 * time.Second, Multiplier: 2}

func (p RetryPolicy) withDefaults() RetryPolicy {
	d := DefaultRetryPolicy
	if p.MaxAttempts > 0 {
		d.MaxAttempts = p.MaxAttempts
	}
	if p.InitialBackoff > 0 {
		d.InitialBackoff = p.InitialBackoff
	}
	if p.MaxBackoff > 0 {
		d.MaxBackoff = p.MaxBackoff
	}
	if p.Multiplier > 0 {
		d.Multiplier = p.Multiplier
	}
	return d
}

// Backoff returns the delay before retry number n (n = 1 for the first
// retry), with full jitter, in whole milliseconds:
// floor(r * min(MaxBackoff, InitialBackoff * Multiplier^(n-1))) for r
// uniform in [0, 1).
func (p RetryPolicy) Backoff(n int, r float64) time.Duration {
	ceiling := float64(p.InitialBackoff/time.Millisecond) * math.Pow(p.Multiplier, float64(n-1))
	if maxMs := float64(p.MaxBackoff / time.Millisecond); ceiling > maxMs {
		ceiling = maxMs
	}
	return time.Duration(math.Floor(r*ceiling)) * time.Millisecond
}

// BudgetConfig configures the retry budget, a token bucket shared by all
// calls of one client. Values are in milli-tokens.
type BudgetConfig struct {
	MaxTokens    int64 // 10000 (10 tokens); also the initial value
	FailureCost  int64 // 1000: taken on every attempt that fails with a retryable code
	SuccessGain  int64 // 100: given back on every other completed attempt
	MinForRetry  int64 // 5000: a retry is allowed only while tokens > this
	Disabled     bool  // retries are never refused by the budget
	InitialToken int64 // 0 = MaxTokens
}

// DefaultBudgetConfig holds the protocol's default numbers.
var DefaultBudgetConfig = BudgetConfig{MaxTokens: 10000, FailureCost: 1000, SuccessGain: 100, MinForRetry: 5000}

// RetryBudget is a token bucket limiting retries (gRPC retry throttling).
type RetryBudget struct {
	cfg    BudgetConfig
	mu     sync.Mutex
	tokens int64
}

// NewRetryBudget returns a full budget.
func NewRetryBudget(cfg BudgetConfig) *RetryBudget {
	d := DefaultBudgetConfig
	if cfg.MaxTokens > 0 {
		d.MaxTokens = cfg.MaxTokens
	}
	if cfg.FailureCost > 0 {
		d.FailureCost = cfg.FailureCost
	}
	if cfg.SuccessGain > 0 {
		d.SuccessGain = cfg.SuccessGain
	}
	if cfg.MinForRetry > 0 {
		d.MinForRetry = cfg.MinForRetry
	}
	d.Disabled = cfg.Disabled
	b := &RetryBudget{cfg: d, tokens: d.MaxTokens}
	if cfg.InitialToken > 0 {
		b.tokens = min(cfg.InitialToken, d.MaxTokens)
	}
	return b
}

// Record accounts for one completed attempt.
func (b *RetryBudget) Record(retryableFailure bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if retryableFailure {
		b.tokens = max(0, b.tokens-b.cfg.FailureCost)
	} else {
		b.tokens = min(b.cfg.MaxTokens, b.tokens+b.cfg.SuccessGain)
	}
}

// AllowRetry reports whether the budget permits one more retry.
func (b *RetryBudget) AllowRetry() bool {
	if b.cfg.Disabled {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.tokens > b.cfg.MinForRetry
}

// Tokens returns the current milli-tokens.
func (b *RetryBudget) Tokens() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.tokens
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
