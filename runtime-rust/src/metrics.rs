//! The process's Prometheus metrics (docs/protocol.md section 7.3): the series of servers and
//! clients, in one registry that `/metrics` renders in text format 0.0.4.
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::Duration;

/// Histogram buckets, in seconds.
pub const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

type Labels = Vec<(&'static str, String)>;

#[derive(Default)]
struct Histogram {
    counts: [u64; 11],
    count: u64,
    sum: f64,
}

#[derive(Default)]
struct Registry {
    counters: BTreeMap<(&'static str, Labels), u64>,
    gauges: BTreeMap<(&'static str, Labels), i64>,
    histograms: BTreeMap<(&'static str, Labels), Histogram>,
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

/// Adds 1 to a counter.
pub fn inc(name: &'static str, l: &[(&'static str, &str)]) {
    *registry().counters.entry((name, labels(l))).or_default() += 1;
}

/// Adds `by` to a gauge.
pub fn gauge_add(name: &'static str, l: &[(&'static str, &str)], by: i64) {
    *registry().gauges.entry((name, labels(l))).or_default() += by;
}

/// Sets a gauge.
pub fn gauge_set(name: &'static str, l: &[(&'static str, &str)], v: i64) {
    registry().gauges.insert((name, labels(l)), v);
}

/// Observes a duration in a histogram.
pub fn observe(name: &'static str, l: &[(&'static str, &str)], d: Duration) {
    let secs = d.as_secs_f64();
    let mut r = registry();
    let h = r.histograms.entry((name, labels(l))).or_default();
    for (i, b) in BUCKETS.iter().enumerate() {
        if secs <= *b {
            h.counts[i] += 1;
        }
    }
    h.count += 1;
    h.sum += secs;
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

/// The registry in Prometheus text format 0.0.4.
pub fn render() -> String {
    let extra = described().clone();
    let r = registry();
    let mut out = String::new();
    for (name, kind, help) in HELP.iter().chain(extra.iter()) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        for ((n, l), v) in &r.counters {
            if n == name {
                let _ = writeln!(out, "{name}{} {v}", label_text(l, None));
            }
        }
        for ((n, l), v) in &r.gauges {
            if n == name {
                let _ = writeln!(out, "{name}{} {v}", label_text(l, None));
            }
        }
        for ((n, l), h) in &r.histograms {
            if n == name {
                for (i, b) in BUCKETS.iter().enumerate() {
                    let le = Some(("le", b.to_string()));
                    let _ = writeln!(out, "{name}_bucket{} {}", label_text(l, le), h.counts[i]);
                }
                let inf = Some(("le", "+Inf".to_owned()));
                let _ = writeln!(out, "{name}_bucket{} {}", label_text(l, inf), h.count);
                let _ = writeln!(out, "{name}_sum{} {}", label_text(l, None), h.sum);
                let _ = writeln!(out, "{name}_count{} {}", label_text(l, None), h.count);
            }
        }
    }
    out
}
