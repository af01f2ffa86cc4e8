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

// BudgetConfig configures the retry budget (protocol section 6.2), in the
// style of Finagle's RetryBudget: over a sliding window, retries may be at
// most Percent % of the calls made, with a reserve of MinPerSecond retries
// per second of window for clients with little traffic. Zero fields take the
// defaults of DefaultBudgetConfig.
type BudgetConfig struct {
	Percent      int           // retries allowed per 100 calls in the window (20)
	MinPerSecond int           // retries always allowed per second of window (1)
	Window       time.Duration // sliding window length (10s)
	Buckets      int           // buckets in the window (10)
	Disabled     bool          // retries are never refused by the budget
}

// DefaultBudgetConfig holds the protocol's default numbers.
var DefaultBudgetConfig = BudgetConfig{Percent: 20, MinPerSecond: 1, Window: 10 * time.Second, Buckets: 10}

func (c BudgetConfig) withDefaults() BudgetConfig {
	d := DefaultBudgetConfig
	if c.Percent > 0 {
		d.Percent = c.Percent
	}
	if c.MinPerSecond > 0 {
		d.MinPerSecond = c.MinPerSecond
	}
	if c.Window > 0 {
		d.Window = c.Window
	}
	if c.Buckets > 0 {
		d.Buckets = c.Buckets
	}
	d.Disabled = c.Disabled
	return d
}

type budgetBucket struct {
	index          int64 // absolute bucket number
	calls, retries int64
}

// RetryBudget limits retries to a share of the calls of one client. It
// counts calls (first attempts sent) and retries (further attempts) in a
// bucketed sliding window; a retry is allowed while
// retries < max(MinPerSecond x window seconds, calls x Percent / 100).
// It is safe for concurrent use.
type RetryBudget struct {
	cfg        BudgetConfig
	clock      Clock
	bucketSize time.Duration
	reserve    int64
	mu         sync.Mutex
	buckets    []budgetBucket
}

// NewRetryBudget returns an empty budget; clock may be nil (system clock).
func NewRetryBudget(cfg BudgetConfig, clock Clock) *RetryBudget {
	cfg = cfg.withDefaults()
	if clock == nil {
		clock = SystemClock
	}
	size := cfg.Window / time.Duration(cfg.Buckets)
	if size <= 0 {
		size = time.Nanosecond
	}
	reserve := int64(cfg.MinPerSecond) * int64(cfg.Window/time.Second)
	return &RetryBudget{cfg: cfg, clock: clock, bucketSize: size, reserve: reserve, buckets: make([]budgetBucket, cfg.Buckets)}
}

// current returns the bucket of now, reset if it held an older period.
func (b *RetryBudget) current(now time.Time) (*budgetBucket, int64) {
	n := int64(len(b.buckets))
	idx := floorDiv(now.UnixNano(), int64(b.bucketSize))
	bk := &b.buckets[((idx%n)+n)%n]
	if bk.index != idx {
		*bk = budgetBucket{index: idx}
	}
	return bk, idx
}

func (b *RetryBudget) sums(idx int64) (calls, retries int64) {
	n := int64(len(b.buckets))
	for _, x := range b.buckets {
		if x.index > idx-n && x.index <= idx {
			calls += x.calls
			retries += x.retries
		}
	}
	return calls, retries
}

// Deposit counts one call whose first attempt is being sent.
func (b *RetryBudget) Deposit() {
	b.mu.Lock()
	defer b.mu.Unlock()
	bk, _ := b.current(b.clock.Now())
	bk.calls++
}

// TryWithdraw reports whether one retry is allowed now and, if so, counts it.
func (b *RetryBudget) TryWithdraw() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	bk, idx := b.current(b.clock.Now())
	if !b.cfg.Disabled {
		calls, retries := b.sums(idx)
		if retries >= max(b.reserve, calls*int64(b.cfg.Percent)/100) {
			return false
		}
	}
	bk.retries++
	return true
}

// Window returns the calls and retries counted in the current window.
func (b *RetryBudget) Window() (calls, retries int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, idx := b.current(b.clock.Now())
	return b.sums(idx)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
