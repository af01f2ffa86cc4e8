//! The subscriptions: records of the compacted subscriptions topic (key `topic|subscriber`,
//! value the subscription's JSON, a tombstone for unsubscribe), read from the beginning by
//! every instance, which runs one delivery worker per subscription.
use crate::config::Config;
use crate::delivery;
use crate::event::Subscription;
use crate::kafka::Kafka;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::{Message, Offset, TopicPartitionList};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

struct Worker {
    url: watch::Sender<String>,
    task: JoinHandle<()>,
}

/// The subscriptions this instance knows and their delivery workers.
#[derive(Clone)]
pub struct Registry {
    config: Arc<Config>,
    kafka: Arc<Kafka>,
    workers: Arc<Mutex<HashMap<String, Worker>>>,
}

impl Registry {
    pub fn new(config: Arc<Config>, kafka: Arc<Kafka>) -> Self {
        Registry {
            config,
            kafka,
            workers: Arc::default(),
        }
    }

    /// The subscriptions running now, sorted by key.
    pub fn keys(&self) -> Vec<String> {
        let mut k: Vec<String> = self
            .workers
            .lock()
            .map(|w| w.keys().cloned().collect())
            .unwrap_or_default();
        k.sort();
        k
    }

    fn apply(&self, key: &str, value: Option<&[u8]>) {
        let Ok(mut workers) = self.workers.lock() else {
            return;
        };
        let sub = value.and_then(|v| serde_json::from_slice::<Subscription>(v).ok());
        match sub {
            Some(sub) => {
                if let Some(w) = workers.get(key) {
                    w.url.send_replace(sub.url.clone());
                    return;
                }
                let (tx, rx) = watch::channel(sub.url.clone());
                let task = tokio::spawn(delivery::run(
                    self.config.clone(),
                    self.kafka.clone(),
                    sub.clone(),
                    rx,
                ));
                tracing::info!(topic = %sub.topic, subscriber = %sub.subscriber, "subscription started");
                workers.insert(key.to_owned(), Worker { url: tx, task });
            }
            None => {
                if let Some(w) = workers.remove(key) {
                    w.task.abort();
                    if let Some((topic, subscriber)) = key.split_once('|') {
                        crate::stats::clear_lag(topic, subscriber);
                    }
                    tracing::info!(key, "subscription stopped");
                }
            }
        }
    }

    /// The end offset of partition 0 of `topic` (a blocking Kafka call: off the runtime).
    async fn end_of(&self, topic: &str) -> Result<i64, String> {
        let c = self.kafka.bootstrap().to_owned();
        let t = topic.to_owned();
        let probe = self
            .kafka
            .consumer_config(&self.config, &format!("{}|probe", self.config.group_prefix));
        tokio::task::spawn_blocking(move || -> Result<i64, String> {
            let p: rdkafka::consumer::BaseConsumer =
                probe.create().map_err(|e| format!("kafka at {c}: {e}"))?;
            p.fetch_watermarks(&t, 0, Duration::from_secs(10))
                .map(|(_, high)| high)
                .map_err(|e| format!("kafka at {c}: {e}"))
        })
        .await
        .map_err(|e| e.to_string())?
    }

    /// Reads the subscriptions topic from its beginning for ever, starting and stopping workers;
    /// calls `caught_up` once the records present at start have been applied.
    pub async fn follow(&self, caught_up: impl FnOnce() + Send) -> Result<(), String> {
        let topic = self.config.subscriptions_topic.clone();
        let consumer: StreamConsumer = self
            .kafka
            .consumer_config(
                &self.config,
                &format!("{}|registry", self.config.group_prefix),
            )
            .create()
            .map_err(|e| format!("subscriptions consumer: {e}"))?;
        let mut tpl = TopicPartitionList::new();
        tpl.add_partition_offset(&topic, 0, Offset::Beginning)
            .map_err(|e| format!("subscriptions consumer: {e}"))?;
        consumer
            .assign(&tpl)
            .map_err(|e| format!("subscriptions consumer: {e}"))?;
        let end = loop {
            match self.end_of(&topic).await {
                Ok(end) => break end,
                Err(e) => {
                    tracing::warn!(error = %e, "reading the end of the subscriptions topic; retrying");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        };
        let mut caught_up = Some(caught_up);
        if end == 0 {
            if let Some(f) = caught_up.take() {
                f();
            }
        }
        loop {
            match consumer.recv().await {
                Ok(m) => {
                    let key = m.key().map(String::from_utf8_lossy).unwrap_or_default();
                    self.apply(&key, m.payload());
                    if m.offset() + 1 >= end {
                        if let Some(f) = caught_up.take() {
                            f();
                        }
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "reading the subscriptions topic");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        }
    }
}
