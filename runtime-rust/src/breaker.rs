//! The circuit breaker of docs/protocol.md section 6.1, one per client: a sliding window of
//! outcomes in time buckets, open for a while after too many failures, then a few half-open
//! probes. The happy path (closed: permission, recording an outcome) is lock-free: atomics only;
//! state changes take a small lock. Times are milliseconds of the caller's clock, so tests drive
//! it with a fake one.
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicU8, Ordering};
use std::sync::Mutex;

/// The breaker's numbers (defaults: section 10).
#[derive(Debug, Clone, Copy)]
pub struct BreakerConfig {
    pub window_ms: u64,
    pub buckets: usize,
    pub min_requests: u32,
    pub failure_ratio: f64,
    pub open_ms: u64,
    pub half_open_probes: u32,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        BreakerConfig {
            window_ms: 10_000,
            buckets: 10,
            min_requests: 20,
            failure_ratio: 0.5,
            open_ms: 5_000,
            half_open_probes: 3,
        }
    }
}

/// `closed`, `open`, `half_open`, exported as 0, 1, 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Closed = 0,
    Open = 1,
    HalfOpen = 2,
}

impl State {
    fn from_u8(v: u8) -> State {
        match v {
            1 => State::Open,
            2 => State::HalfOpen,
            _ => State::Closed,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            State::Closed => "closed",
            State::Open => "open",
            State::HalfOpen => "half_open",
        }
    }
}

/// How a finished attempt counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
    Ignored,
}

/// The permission of one call: the state generation it was allowed in.
#[derive(Debug, Clone, Copy)]
pub struct Ticket {
    generation: u64,
}

struct Bucket {
    epoch: AtomicU64,
    total: AtomicU32,
    failures: AtomicU32,
}

/// A circuit breaker.
pub struct Breaker {
    cfg: BreakerConfig,
    bucket_ms: u64,
    state: AtomicU8,
    generation: AtomicU64,
    opened_at: AtomicU64,
    probes: AtomicU32,
    probe_successes: AtomicU32,
    buckets: Vec<Bucket>,
    transition: Mutex<()>,
}

impl std::fmt::Debug for Breaker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Breaker")
            .field("state", &State::from_u8(self.state.load(Ordering::Relaxed)))
            .finish()
    }
}

impl Default for Breaker {
    fn default() -> Self {
        Breaker::new(BreakerConfig::default())
    }
}

impl Breaker {
    pub fn new(cfg: BreakerConfig) -> Self {
        let n = cfg.buckets.max(1);
        Breaker {
            bucket_ms: (cfg.window_ms / n as u64).max(1),
            cfg,
            state: AtomicU8::new(State::Closed as u8),
            generation: AtomicU64::new(0),
            opened_at: AtomicU64::new(0),
            probes: AtomicU32::new(0),
            probe_successes: AtomicU32::new(0),
            buckets: (0..n)
                .map(|_| Bucket {
                    epoch: AtomicU64::new(u64::MAX),
                    total: AtomicU32::new(0),
                    failures: AtomicU32::new(0),
                })
                .collect(),
            transition: Mutex::new(()),
        }
    }

    /// The state at `now_ms` (an open breaker past its open time becomes half-open).
    pub fn state(&self, now_ms: u64) -> State {
        let s = State::from_u8(self.state.load(Ordering::Acquire));
        if s == State::Open && now_ms >= self.opened_at.load(Ordering::Acquire) + self.cfg.open_ms {
            let _g = self.lock();
            if State::from_u8(self.state.load(Ordering::Acquire)) == State::Open {
                self.probes.store(0, Ordering::Release);
                self.probe_successes.store(0, Ordering::Release);
                self.set(State::HalfOpen);
            }
            return State::from_u8(self.state.load(Ordering::Acquire));
        }
        s
    }

    /// Permission for a call at `now_ms`: `None` when it is rejected.
    pub fn allow(&self, now_ms: u64) -> Option<Ticket> {
        let generation = self.generation.load(Ordering::Acquire);
        match self.state(now_ms) {
            State::Closed => Some(Ticket { generation }),
            State::Open => None,
            State::HalfOpen => {
                let generation = self.generation.load(Ordering::Acquire);
                if self.probes.fetch_add(1, Ordering::AcqRel) < self.cfg.half_open_probes {
                    Some(Ticket { generation })
                } else {
                    self.probes.fetch_sub(1, Ordering::AcqRel);
                    None
                }
            }
        }
    }

    /// Records the outcome of a call allowed with `ticket`; dropped when the state changed since.
    pub fn record(&self, ticket: Ticket, outcome: Outcome, now_ms: u64) {
        if ticket.generation != self.generation.load(Ordering::Acquire) {
            return;
        }
        match State::from_u8(self.state.load(Ordering::Acquire)) {
            State::Closed => {
                if outcome == Outcome::Ignored {
                    return;
                }
                let failure = outcome == Outcome::Failure;
                self.count(now_ms, failure);
                if failure {
                    let (total, failures) = self.window(now_ms);
                    if total >= self.cfg.min_requests
                        && f64::from(failures) >= self.cfg.failure_ratio * f64::from(total)
                    {
                        let _g = self.lock();
                        if ticket.generation == self.generation.load(Ordering::Acquire) {
                            self.open(now_ms);
                        }
                    }
                }
            }
            State::HalfOpen => {
                let _g = self.lock();
                if ticket.generation != self.generation.load(Ordering::Acquire) {
                    return;
                }
                match outcome {
                    Outcome::Failure => self.open(now_ms),
                    Outcome::Ignored => {
                        self.probes.fetch_sub(1, Ordering::AcqRel);
                    }
                    Outcome::Success => {
                        let n = self.probe_successes.fetch_add(1, Ordering::AcqRel) + 1;
                        if n >= self.cfg.half_open_probes {
                            self.clear();
                            self.set(State::Closed);
                        }
                    }
                }
            }
            State::Open => {}
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
        self.transition.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn set(&self, s: State) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.state.store(s as u8, Ordering::Release);
    }

    fn open(&self, now_ms: u64) {
        self.opened_at.store(now_ms, Ordering::Release);
        self.clear();
        self.set(State::Open);
    }

    fn clear(&self) {
        for b in &self.buckets {
            b.epoch.store(u64::MAX, Ordering::Release);
            b.total.store(0, Ordering::Release);
            b.failures.store(0, Ordering::Release);
        }
    }

    fn count(&self, now_ms: u64, failure: bool) {
        let epoch = now_ms / self.bucket_ms;
        let b = &self.buckets[(epoch % self.buckets.len() as u64) as usize];
        let seen = b.epoch.load(Ordering::Acquire);
        if seen != epoch
            && b.epoch
                .compare_exchange(seen, epoch, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
        {
            b.total.store(0, Ordering::Release);
            b.failures.store(0, Ordering::Release);
        }
        b.total.fetch_add(1, Ordering::AcqRel);
        if failure {
            b.failures.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// Outcomes and failures in the window ending at `now_ms`.
    fn window(&self, now_ms: u64) -> (u32, u32) {
        let current = now_ms / self.bucket_ms;
        let oldest = current.saturating_sub(self.buckets.len() as u64 - 1);
        self.buckets
            .iter()
            .filter(|b| {
                let e = b.epoch.load(Ordering::Acquire);
                e != u64::MAX && e >= oldest && e <= current
            })
            .fold((0, 0), |(t, f), b| {
                (
                    t + b.total.load(Ordering::Acquire),
                    f + b.failures.load(Ordering::Acquire),
                )
            })
    }
}
