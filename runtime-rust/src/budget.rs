//! The retry budget of docs/protocol.md section 6.2 (in the style of Finagle's `RetryBudget`): over
//! a sliding window of time buckets it counts the calls whose first attempt was sent and the
//! retries allowed; a retry is allowed iff `retries < max(min_per_second × window seconds,
//! floor(calls × percent / 100))`. Atomics only; times are milliseconds of the caller's clock.
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

/// The budget's numbers (defaults: section 10).
#[derive(Debug, Clone, Copy)]
pub struct BudgetConfig {
    pub percent: u32,
    pub min_per_second: u32,
    pub window_ms: u64,
    pub buckets: usize,
}

impl Default for BudgetConfig {
    fn default() -> Self {
        BudgetConfig {
            percent: 20,
            min_per_second: 1,
            window_ms: 10_000,
            buckets: 10,
        }
    }
}

struct Bucket {
    epoch: AtomicU64,
    calls: AtomicU32,
    retries: AtomicU32,
}

/// A retry budget, one per client.
pub struct Budget {
    cfg: BudgetConfig,
    bucket_ms: u64,
    buckets: Vec<Bucket>,
}

impl std::fmt::Debug for Budget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Budget").field("cfg", &self.cfg).finish()
    }
}

impl Default for Budget {
    fn default() -> Self {
        Budget::new(BudgetConfig::default())
    }
}

impl Budget {
    pub fn new(cfg: BudgetConfig) -> Self {
        let n = cfg.buckets.max(1);
        Budget {
            bucket_ms: (cfg.window_ms / n as u64).max(1),
            cfg,
            buckets: (0..n)
                .map(|_| Bucket {
                    epoch: AtomicU64::new(u64::MAX),
                    calls: AtomicU32::new(0),
                    retries: AtomicU32::new(0),
                })
                .collect(),
        }
    }

    fn bucket(&self, now_ms: u64) -> &Bucket {
        let epoch = now_ms / self.bucket_ms;
        let b = &self.buckets[(epoch % self.buckets.len() as u64) as usize];
        let seen = b.epoch.load(Ordering::Acquire);
        if seen != epoch
            && b.epoch
                .compare_exchange(seen, epoch, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
        {
            b.calls.store(0, Ordering::Release);
            b.retries.store(0, Ordering::Release);
        }
        b
    }

    /// Counts a call whose first attempt is sent.
    pub fn deposit(&self, now_ms: u64) {
        self.bucket(now_ms).calls.fetch_add(1, Ordering::AcqRel);
    }

    /// Calls and retries in the window ending at `now_ms`.
    pub fn counts(&self, now_ms: u64) -> (u32, u32) {
        let current = now_ms / self.bucket_ms;
        let oldest = current.saturating_sub(self.buckets.len() as u64 - 1);
        self.buckets
            .iter()
            .filter(|b| {
                let e = b.epoch.load(Ordering::Acquire);
                e != u64::MAX && e >= oldest && e <= current
            })
            .fold((0, 0), |(c, r), b| {
                (
                    c + b.calls.load(Ordering::Acquire),
                    r + b.retries.load(Ordering::Acquire),
                )
            })
    }

    /// Whether a retry may be sent now; an allowed retry is counted at once.
    pub fn withdraw(&self, now_ms: u64) -> bool {
        let (calls, retries) = self.counts(now_ms);
        let window_s = u32::try_from(self.cfg.window_ms / 1000).unwrap_or(u32::MAX);
        let reserve = self.cfg.min_per_second.saturating_mul(window_s);
        let share =
            u32::try_from(u64::from(calls) * u64::from(self.cfg.percent) / 100).unwrap_or(u32::MAX);
        if retries < reserve.max(share) {
            self.bucket(now_ms).retries.fetch_add(1, Ordering::AcqRel);
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserve_then_a_share_of_the_calls() {
        let b = Budget::default();
        b.deposit(0);
        for _ in 0..10 {
            assert!(b.withdraw(0));
        }
        assert!(!b.withdraw(0));
        for _ in 0..100 {
            b.deposit(500);
        }
        // 101 calls: 20 % is 20 retries, 10 already taken.
        let allowed = (0..20).filter(|_| b.withdraw(900)).count();
        assert_eq!(allowed, 10);
        assert_eq!(b.counts(900), (101, 20));
        // The window slides: 10 s later everything has left it.
        assert_eq!(b.counts(10_500), (0, 0));
        assert!(b.withdraw(10_500));
    }
}
