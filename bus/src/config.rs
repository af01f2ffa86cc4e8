//! The bus's settings: Kafka, topics, delivery numbers (docs/protocol.md section 10 by
//! default; tests lower the attempts and delays).
use std::collections::BTreeSet;
use std::time::Duration;

/// Everything `brief-bus serve` can be told.
#[derive(Debug, Clone)]
pub struct Config {
    /// Kafka bootstrap servers, `HOST:PORT[,HOST:PORT...]`.
    pub kafka: String,
    /// The topics the bus accepts; `None` accepts every valid topic name.
    pub topics: Option<BTreeSet<String>>,
    /// Partitions of each event topic the bus creates (the unit of scaling out).
    pub partitions: i32,
    /// Replication factor of the topics the bus creates; -1 is the broker's default.
    pub replication: i32,
    /// Delivery attempts before the dead-letter topic (section 9.3: 20).
    pub attempts: u32,
    /// The first redelivery delay's upper bound (section 9.3: 1 s).
    pub base_delay: Duration,
    /// The cap of the redelivery delay (section 9.3: 300 s).
    pub max_delay: Duration,
    /// How long one delivery may take (section 9.3: 30 s).
    pub delivery_timeout: Duration,
    /// Deliveries in flight per subscription on one instance.
    pub max_in_flight: usize,
    /// The largest event accepted by `publish`, in bytes.
    pub max_event_bytes: usize,
    /// Kafka consumer group session timeout: how soon a dead instance's partitions move.
    pub session_timeout: Duration,
    /// The compacted topic holding the subscriptions.
    pub subscriptions_topic: String,
    /// Prefix of the consumer group of each subscription.
    pub group_prefix: String,
    /// After SIGTERM: how long deliveries in flight may still finish before they are abandoned
    /// (and redelivered by the next owner of their partition).
    pub shutdown_grace: Duration,
    /// Records per partition in which a second copy of a (`source`, `id`) is not delivered
    /// (docs/data-bus.md, "Duplicates"); 0 turns it off.
    pub dedup_window: i64,
    /// A PEM file of CA certificates trusted for `https` subscribers, beside the system's roots.
    pub ca_file: Option<std::path::PathBuf>,
}

impl Config {
    /// The protocol's numbers on `kafka`.
    pub fn new(kafka: impl Into<String>) -> Self {
        Config {
            kafka: kafka.into(),
            topics: None,
            partitions: 6,
            replication: -1,
            attempts: 20,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(300),
            delivery_timeout: Duration::from_secs(30),
            max_in_flight: 64,
            max_event_bytes: 1_000_000,
            session_timeout: Duration::from_secs(45),
            subscriptions_topic: "brief-bus.subscriptions".to_owned(),
            group_prefix: "brief-bus".to_owned(),
            shutdown_grace: Duration::from_secs(3),
            dedup_window: 10_000,
            ca_file: None,
        }
    }

    /// The consumer group of subscription (`topic`, `subscriber`). `|` is in neither name.
    pub fn group(&self, topic: &str, subscriber: &str) -> String {
        format!("{}|{topic}|{subscriber}", self.group_prefix)
    }

    /// The delay before attempt `n + 1` after attempt `n` failed: uniform in `[c/2, c]` with
    /// `c = min(max_delay, base_delay × 2^(n−1))`; `unit` is uniform in [0, 1).
    pub fn redelivery_delay(&self, n: u32, unit: f64) -> Duration {
        let factor = 2f64.powi(n.saturating_sub(1).min(62) as i32);
        let c = (self.base_delay.as_secs_f64() * factor).min(self.max_delay.as_secs_f64());
        Duration::from_secs_f64(c / 2.0 + unit.clamp(0.0, 1.0) * c / 2.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redelivery_delay_doubles_from_one_second_to_the_cap_within_half_to_whole() {
        let c = Config::new("k");
        assert_eq!(c.redelivery_delay(1, 0.0), Duration::from_millis(500));
        assert_eq!(c.redelivery_delay(1, 1.0), Duration::from_secs(1));
        assert_eq!(c.redelivery_delay(4, 1.0), Duration::from_secs(8));
        assert_eq!(c.redelivery_delay(9, 1.0), Duration::from_secs(256));
        assert_eq!(c.redelivery_delay(10, 1.0), Duration::from_secs(300));
        assert_eq!(c.redelivery_delay(19, 0.0), Duration::from_secs(150));
    }

    #[test]
    fn group_names_keep_topic_and_subscriber_apart() {
        let c = Config::new("k");
        assert_ne!(c.group("a.b", "c"), c.group("a", "b.c"));
    }
}
