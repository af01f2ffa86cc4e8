//! Kafka for the bus: one idempotent producer with `acks=all` (publish, subscriptions, dead
//! letters), topic creation, and the settings of the consumers.
use crate::config::Config;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::message::{Header, Headers, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord, Producer};
use rdkafka::Message;
use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

/// How long a write may take before publish answers `unavailable`.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(4);

/// The record header holding an event's `traceparent` (empty: none).
pub const TRACEPARENT: &str = "traceparent";

/// The `traceparent` of a record from its header: `Some(None)` when the event has none, `None`
/// when the record has no such header (written before the header existed: read the body).
pub fn traceparent_header(m: &impl Message) -> Option<Option<String>> {
    let headers = m.headers()?;
    let h = headers.iter().find(|h| h.key == TRACEPARENT)?;
    let v = std::str::from_utf8(h.value.unwrap_or_default()).ok()?;
    Some((!v.is_empty()).then(|| v.to_owned()))
}

/// What [`Kafka::delete_group`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupDeletion {
    Deleted,
    /// There was no such group (another instance deleted it, or it never had positions).
    Missing,
    /// Members are still in it (other instances have not stopped their consumers yet).
    NotEmpty,
    Failed(String),
}

/// The bus's connection to Kafka.
pub struct Kafka {
    bootstrap: String,
    partitions: i32,
    replication: i32,
    subscriptions_topic: String,
    producer: FutureProducer,
    admin: AdminClient<DefaultClientContext>,
    created: Mutex<HashSet<String>>,
}

impl Kafka {
    /// Clients for `config.kafka` (nothing is contacted yet).
    pub fn connect(config: &Config) -> Result<Self, String> {
        let producer: FutureProducer = ClientConfig::new()
            .set("bootstrap.servers", &config.kafka)
            .set("acks", "all")
            .set("enable.idempotence", "true")
            .set("linger.ms", "1")
            // The partition of a keyed record is a hash of its key (`source|id`), so every copy
            // of an event lands in one partition, where delivery drops the later ones.
            .set("partitioner", "consistent_random")
            .set("message.timeout.ms", WRITE_TIMEOUT.as_millis().to_string())
            .create()
            .map_err(|e| format!("kafka producer for {}: {e}", config.kafka))?;
        let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
            .set("bootstrap.servers", &config.kafka)
            .create()
            .map_err(|e| format!("kafka admin client for {}: {e}", config.kafka))?;
        Ok(Kafka {
            bootstrap: config.kafka.clone(),
            partitions: config.partitions,
            replication: config.replication,
            subscriptions_topic: config.subscriptions_topic.clone(),
            producer,
            admin,
            created: Mutex::new(HashSet::new()),
        })
    }

    /// The bootstrap servers.
    pub fn bootstrap(&self) -> &str {
        &self.bootstrap
    }

    fn known(&self, topic: &str) -> bool {
        self.created
            .lock()
            .map(|c| c.contains(topic))
            .unwrap_or(false)
    }

    fn remember(&self, topic: &str) {
        if let Ok(mut c) = self.created.lock() {
            c.insert(topic.to_owned());
        }
    }

    async fn create(&self, topic: NewTopic<'_>) -> Result<(), String> {
        let name = topic.name.to_owned();
        let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(10)));
        let results = self
            .admin
            .create_topics([&topic], &opts)
            .await
            .map_err(|e| format!("creating topic {name}: {e}"))?;
        for r in results {
            match r {
                Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
                Err((t, code)) => return Err(format!("creating topic {t}: {code}")),
            }
        }
        self.remember(&name);
        Ok(())
    }

    /// Creates event topic `topic` with the configured partitions, unless it exists.
    pub async fn ensure_topic(&self, topic: &str) -> Result<(), String> {
        if self.known(topic) {
            return Ok(());
        }
        self.create(NewTopic::new(
            topic,
            self.partitions,
            TopicReplication::Fixed(self.replication),
        ))
        .await
    }

    /// Creates the compacted subscriptions topic (one partition) unless it exists.
    pub async fn ensure_subscriptions_topic(&self) -> Result<(), String> {
        let topic = NewTopic::new(
            &self.subscriptions_topic,
            1,
            TopicReplication::Fixed(self.replication),
        )
        .set("cleanup.policy", "compact");
        self.create(topic).await
    }

    /// Writes one record and returns once Kafka acknowledged it with `acks=all`; `None` is a
    /// tombstone. An event is written with `traceparent` `Some` (its `traceparent`, empty when it
    /// has none), which goes into the record header [`TRACEPARENT`] so that delivery need not
    /// parse the body.
    pub async fn write(
        &self,
        topic: &str,
        key: &str,
        value: Option<&[u8]>,
        traceparent: Option<&str>,
    ) -> Result<(), String> {
        let mut record: FutureRecord<'_, str, [u8]> = FutureRecord::to(topic).key(key);
        if let Some(v) = value {
            record = record.payload(v);
        }
        if let Some(tp) = traceparent {
            record = record.headers(OwnedHeaders::new().insert(Header {
                key: TRACEPARENT,
                value: Some(tp),
            }));
        }
        self.producer
            .send(record, WRITE_TIMEOUT)
            .await
            .map(|_| ())
            .map_err(|(e, _)| format!("writing to topic {topic}: {e}"))
    }

    /// Waits up to `timeout` for the producer's queued writes (off the runtime: it blocks).
    pub async fn flush(self: &std::sync::Arc<Self>, timeout: Duration) {
        let me = self.clone();
        let flushing = tokio::task::spawn_blocking(move || me.producer.flush(timeout));
        match tokio::time::timeout(timeout + Duration::from_millis(200), flushing).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(e))) => tracing::warn!(error = %e, "flushing the producer"),
            Ok(Err(_)) | Err(_) => tracing::warn!("flushing the producer timed out"),
        }
    }

    /// Deletes consumer group `group` (an unsubscribed subscription's positions).
    pub async fn delete_group(&self, group: &str) -> GroupDeletion {
        let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(10)));
        match self.admin.delete_groups(&[group], &opts).await {
            Err(e) => GroupDeletion::Failed(e.to_string()),
            Ok(results) => match results.into_iter().next() {
                Some(Ok(_)) => GroupDeletion::Deleted,
                Some(Err((_, RDKafkaErrorCode::GroupIdNotFound))) => GroupDeletion::Missing,
                Some(Err((_, RDKafkaErrorCode::NonEmptyGroup))) => GroupDeletion::NotEmpty,
                Some(Err((_, code))) => GroupDeletion::Failed(code.to_string()),
                None => GroupDeletion::Failed("no result".to_owned()),
            },
        }
    }

    /// Settings of a consumer in `group` (deliveries: offsets committed by hand).
    pub fn consumer_config(&self, config: &Config, group: &str) -> ClientConfig {
        let session = config.session_timeout.as_millis().max(1000);
        let mut c = ClientConfig::new();
        c.set("bootstrap.servers", &self.bootstrap)
            .set("group.id", group)
            .set("enable.auto.commit", "false")
            .set("enable.auto.offset.store", "false")
            .set("auto.offset.reset", "earliest")
            .set("session.timeout.ms", session.to_string())
            .set("heartbeat.interval.ms", (session / 3).max(100).to_string())
            .set("queued.max.messages.kbytes", "1024")
            .set("enable.partition.eof", "false");
        c
    }
}
