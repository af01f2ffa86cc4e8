//! The bus's own metrics, rendered by brief-runtime's `/metrics` beside the protocol's
//! (docs/data-bus.md lists them).
use brief_runtime::metrics;

pub const PUBLISHED: &str = "brief_bus_published_total";
pub const DELIVERED: &str = "brief_bus_delivered_total";
pub const REDELIVERED: &str = "brief_bus_redelivered_total";
pub const DEAD_LETTERED: &str = "brief_bus_dead_lettered_total";
pub const LAG: &str = "brief_bus_lag";
pub const DUPLICATES: &str = "brief_bus_duplicates_dropped_total";

/// Describes the families (once per process).
pub fn describe() {
    metrics::describe(
        PUBLISHED,
        "counter",
        "Publish calls, by topic and result (ok, duplicate or the error code).",
    );
    metrics::describe(
        DELIVERED,
        "counter",
        "Events acknowledged by a subscriber (2xx), by topic and subscriber.",
    );
    metrics::describe(
        REDELIVERED,
        "counter",
        "Delivery attempts after the first, by topic and subscriber.",
    );
    metrics::describe(
        DEAD_LETTERED,
        "counter",
        "Events written to <topic>.dlq after the last attempt, by topic and subscriber.",
    );
    metrics::describe(
        DUPLICATES,
        "counter",
        "Events not delivered because an earlier copy of their (source, id) is in the partition's dedup window, by topic and subscriber.",
    );
    metrics::describe(
        LAG,
        "gauge",
        "Events not yet acknowledged or dead-lettered in the partitions this instance delivers, by topic and subscriber.",
    );
}

pub fn published(topic: &str, result: &str) {
    metrics::inc(PUBLISHED, &[("topic", topic), ("result", result)]);
}

/// The counters of one subscription, held by its worker (an update is one atomic add, not a
/// look-up in the registry).
pub struct Subscription {
    pub delivered: metrics::Counter,
    pub redelivered: metrics::Counter,
    pub dead_lettered: metrics::Counter,
    pub duplicates: metrics::Counter,
}

impl Subscription {
    pub fn new(topic: &str, subscriber: &str) -> Self {
        let l = [("topic", topic), ("subscriber", subscriber)];
        Subscription {
            delivered: metrics::Counter::new(DELIVERED, &l),
            redelivered: metrics::Counter::new(REDELIVERED, &l),
            dead_lettered: metrics::Counter::new(DEAD_LETTERED, &l),
            duplicates: metrics::Counter::new(DUPLICATES, &l),
        }
    }
}

pub fn set_lag(topic: &str, subscriber: &str, lag: i64) {
    metrics::gauge_set(LAG, &[("topic", topic), ("subscriber", subscriber)], lag);
}

pub fn clear_lag(topic: &str, subscriber: &str) {
    set_lag(topic, subscriber, 0);
}
