//! The process's Prometheus metrics (docs/protocol.md section 7.3): the series of servers and
//! clients, in one registry that `/metrics` renders in text format 0.0.4.
//!
//! Each series is an atomic value behind an `Arc` in the registry. The hot path holds its
//! series: a [`Counter`], [`Gauge`], [`Histogram`] or [`ByCode`] is built once (when a router
//! route or a client's rpc is first set up) and registers its series in the registry on its
//! first update only, so an update is an atomic add without a lock or an allocation, and a
//! series appears in `/metrics` once it has been updated. The registry's mutex is taken by
//! registration, by the free functions ([`inc`], [`gauge_add`], [`gauge_set`], [`observe`],
//! for rare events) and by [`render`].
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock};
use std::time::Duration;

/// Histogram buckets, in seconds.
pub const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// [`BUCKETS`] in nanoseconds.
const BUCKETS_NS: [u64; 11] = [
    5_000_000,
    10_000_000,
    25_000_000,
    50_000_000,
    100_000_000,
    250_000_000,
    500_000_000,
    1_000_000_000,
    2_500_000_000,
    5_000_000_000,
    10_000_000_000,
];

type Labels = Vec<(&'static str, String)>;
type Key = (&'static str, Labels);

/// The values of one histogram series: per-bucket (not cumulative) counts, the count and the
/// sum in nanoseconds.
#[derive(Default)]
struct HistogramValues {
    counts: [AtomicU64; 11],
    count: AtomicU64,
    sum_ns: AtomicU64,
}

impl HistogramValues {
    fn observe(&self, d: Duration) {
        let ns = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        if let Some(i) = BUCKETS_NS.iter().position(|b| ns <= *b) {
            self.counts[i].fetch_add(1, Ordering::Relaxed);
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_ns.fetch_add(ns, Ordering::Relaxed);
    }
}

#[derive(Default)]
struct Registry {
    counters: BTreeMap<Key, Arc<AtomicU64>>,
    gauges: BTreeMap<Key, Arc<AtomicI64>>,
    histograms: BTreeMap<Key, Arc<HistogramValues>>,
}

const HELP: &[(&str, &str, &str)] = &[
    (
        "brief_server_requests_total",
        "counter",
        "Requests handled, by rpc and code.",
    ),
    (
        "brief_server_errors_total",
        "counter",
        "Requests that failed, by rpc and code.",
    ),
    (
        "brief_server_request_duration_seconds",
        "histogram",
        "Time to handle a request.",
    ),
    (
        "brief_server_in_flight_requests",
        "gauge",
        "Requests being handled.",
    ),
    (
        "brief_client_requests_total",
        "counter",
        "Calls made, by dependency, rpc and code (after retries).",
    ),
    (
        "brief_client_request_duration_seconds",
        "histogram",
        "Time of a whole call.",
    ),
    ("brief_client_retries_total", "counter", "Retries sent."),
    (
        "brief_client_breaker_state",
        "gauge",
        "Circuit breaker state (0 closed, 1 open, 2 half_open).",
    ),
    (
        "brief_client_breaker_rejections_total",
        "counter",
        "Calls rejected by an open circuit.",
    ),
    (
        "brief_events_published_total",
        "counter",
        "Events published, by topic and result.",
    ),
    (
        "brief_events_received_total",
        "counter",
        "Events received, by topic and result.",
    ),
];

/// A metric family: name, kind, help.
type Family = (&'static str, &'static str, &'static str);

/// Families described by the application (a service's own metrics), rendered after [`HELP`].
fn described() -> MutexGuard<'static, Vec<Family>> {
    static D: OnceLock<Mutex<Vec<Family>>> = OnceLock::new();
    let m = D.get_or_init(|| Mutex::new(Vec::new()));
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Describes one more metric family (`kind` is `counter`, `gauge` or `histogram`) so that
/// [`render`] writes it: a service's own metrics beside the protocol's. Describing a name
/// twice keeps the first description.
pub fn describe(name: &'static str, kind: &'static str, help: &'static str) {
    let mut d = described();
    if HELP.iter().chain(d.iter()).all(|(n, _, _)| *n != name) {
        d.push((name, kind, help));
    }
}

fn registry() -> MutexGuard<'static, Registry> {
    static R: OnceLock<Mutex<Registry>> = OnceLock::new();
    let m = R.get_or_init(|| Mutex::new(Registry::default()));
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn labels(l: &[(&'static str, &str)]) -> Labels {
    l.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
}

/// The registry's series `name{labels}` of one kind, created (zero) if new.
trait Kind: Default + Send + Sync + 'static {
    fn map(r: &mut Registry) -> &mut BTreeMap<Key, Arc<Self>>;

    fn register(name: &'static str, labels: Labels) -> Arc<Self> {
        Self::map(&mut registry())
            .entry((name, labels))
            .or_default()
            .clone()
    }
}

impl Kind for AtomicU64 {
    fn map(r: &mut Registry) -> &mut BTreeMap<Key, Arc<Self>> {
        &mut r.counters
    }
}

impl Kind for AtomicI64 {
    fn map(r: &mut Registry) -> &mut BTreeMap<Key, Arc<Self>> {
        &mut r.gauges
    }
}

impl Kind for HistogramValues {
    fn map(r: &mut Registry) -> &mut BTreeMap<Key, Arc<Self>> {
        &mut r.histograms
    }
}

/// One series, registered on first use.
struct Lazy<T: Kind> {
    name: &'static str,
    labels: Labels,
    cell: OnceLock<Arc<T>>,
}

impl<T: Kind> Lazy<T> {
    fn new(name: &'static str, l: &[(&'static str, &str)]) -> Self {
        Lazy {
            name,
            labels: labels(l),
            cell: OnceLock::new(),
        }
    }

    fn get(&self) -> &T {
        self.cell
            .get_or_init(|| T::register(self.name, self.labels.clone()))
    }
}

/// A counter series held by the code that updates it.
pub struct Counter(Lazy<AtomicU64>);

impl Counter {
    /// The series `name{labels}`.
    pub fn new(name: &'static str, l: &[(&'static str, &str)]) -> Self {
        Counter(Lazy::new(name, l))
    }

    /// Adds 1.
    pub fn inc(&self) {
        self.0.get().fetch_add(1, Ordering::Relaxed);
    }
}

/// A gauge series held by the code that updates it.
pub struct Gauge(Lazy<AtomicI64>);

impl Gauge {
    /// The series `name{labels}`.
    pub fn new(name: &'static str, l: &[(&'static str, &str)]) -> Self {
        Gauge(Lazy::new(name, l))
    }

    /// Adds `by`.
    pub fn add(&self, by: i64) {
        self.0.get().fetch_add(by, Ordering::Relaxed);
    }

    /// Sets the value.
    pub fn set(&self, v: i64) {
        self.0.get().store(v, Ordering::Relaxed);
    }
}

/// A histogram series held by the code that updates it.
pub struct Histogram(Lazy<HistogramValues>);

impl Histogram {
    /// The series `name{labels}`.
    pub fn new(name: &'static str, l: &[(&'static str, &str)]) -> Self {
        Histogram(Lazy::new(name, l))
    }

    /// Observes a duration.
    pub fn observe(&self, d: Duration) {
        self.0.get().observe(d);
    }
}

/// The counters `name{labels,code="..."}` of one rpc, one per code: `ok` is a field, the others
/// are found under a read lock (registered on first use).
pub struct ByCode {
    name: &'static str,
    labels: Labels,
    ok: OnceLock<Arc<AtomicU64>>,
    others: RwLock<HashMap<String, Arc<AtomicU64>>>,
}

impl ByCode {
    /// The family `name{labels,code}`.
    pub fn new(name: &'static str, l: &[(&'static str, &str)]) -> Self {
        ByCode {
            name,
            labels: labels(l),
            ok: OnceLock::new(),
            others: RwLock::default(),
        }
    }

    fn register(&self, code: &str) -> Arc<AtomicU64> {
        let mut l = self.labels.clone();
        l.push(("code", code.to_owned()));
        AtomicU64::register(self.name, l)
    }

    /// Adds 1 to the series of `code`.
    pub fn inc(&self, code: &str) {
        if code == "ok" {
            self.ok
                .get_or_init(|| self.register("ok"))
                .fetch_add(1, Ordering::Relaxed);
            return;
        }
        let found = self
            .others
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(code)
            .cloned();
        let series = match found {
            Some(s) => s,
            None => {
                let s = self.register(code);
                self.others
                    .write()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(code.to_owned(), s.clone());
                s
            }
        };
        series.fetch_add(1, Ordering::Relaxed);
    }
}

/// Adds 1 to a counter (locks the registry: for rare events; the hot path holds a [`Counter`]).
pub fn inc(name: &'static str, l: &[(&'static str, &str)]) {
    AtomicU64::register(name, labels(l)).fetch_add(1, Ordering::Relaxed);
}

/// Adds `by` to a gauge.
pub fn gauge_add(name: &'static str, l: &[(&'static str, &str)], by: i64) {
    AtomicI64::register(name, labels(l)).fetch_add(by, Ordering::Relaxed);
}

/// Sets a gauge.
pub fn gauge_set(name: &'static str, l: &[(&'static str, &str)], v: i64) {
    AtomicI64::register(name, labels(l)).store(v, Ordering::Relaxed);
}

/// Observes a duration in a histogram.
pub fn observe(name: &'static str, l: &[(&'static str, &str)], d: Duration) {
    HistogramValues::register(name, labels(l)).observe(d);
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn label_text(l: &Labels, extra: Option<(&str, String)>) -> String {
    let mut parts: Vec<String> = l
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
        .collect();
    if let Some((k, v)) = extra {
        parts.push(format!("{k}=\"{v}\""));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("{{{}}}", parts.join(","))
    }
}

/// The registry in Prometheus text format 0.0.4 (series sorted by name and label values).
pub fn render() -> String {
    let extra = described().clone();
    let r = registry();
    let mut out = String::new();
    for (name, kind, help) in HELP.iter().chain(extra.iter()) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        for ((n, l), v) in &r.counters {
            if n == name {
                let v = v.load(Ordering::Relaxed);
                let _ = writeln!(out, "{name}{} {v}", label_text(l, None));
            }
        }
        for ((n, l), v) in &r.gauges {
            if n == name {
                let v = v.load(Ordering::Relaxed);
                let _ = writeln!(out, "{name}{} {v}", label_text(l, None));
            }
        }
        for ((n, l), h) in &r.histograms {
            if n == name {
                let mut cumulative = 0u64;
                for (i, b) in BUCKETS.iter().enumerate() {
                    cumulative += h.counts[i].load(Ordering::Relaxed);
                    let le = Some(("le", b.to_string()));
                    let _ = writeln!(out, "{name}_bucket{} {cumulative}", label_text(l, le));
                }
                let count = h.count.load(Ordering::Relaxed);
                let sum = h.sum_ns.load(Ordering::Relaxed) as f64 / 1e9;
                let inf = Some(("le", "+Inf".to_owned()));
                let _ = writeln!(out, "{name}_bucket{} {count}", label_text(l, inf));
                let _ = writeln!(out, "{name}_sum{} {sum}", label_text(l, None));
                let _ = writeln!(out, "{name}_count{} {count}", label_text(l, None));
            }
        }
    }
    out
}
