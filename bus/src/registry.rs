//! The subscriptions: records of the compacted subscriptions topic (key `topic|subscriber`,
//! value the subscription's JSON, a tombstone for unsubscribe), read from the beginning by
//! every instance, which runs one delivery worker per subscription. A tombstone stops the
//! worker and, once its consumer has left, deletes the subscription's consumer group.
use crate::config::Config;
use crate::delivery;
use crate::event::Subscription;
use crate::kafka::{GroupDeletion, Kafka};
use brief_runtime::transport::HyperTransport;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::{Message, Offset, TopicPartitionList};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio::task::JoinHandle;

struct Worker {
    url: watch::Sender<String>,
    stop: watch::Sender<Option<Duration>>,
    task: JoinHandle<()>,
}

/// How long an instance keeps trying to delete an unsubscribed group that still has members
/// (the other instances leave it as they read the tombstone; a dead one after its session).
const DELETE_GROUP_FOR: Duration = Duration::from_secs(120);

/// The subscriptions this instance knows and their delivery workers.
#[derive(Clone)]
pub struct Registry {
    config: Arc<Config>,
    kafka: Arc<Kafka>,
    transport: Arc<HyperTransport>,
    workers: Arc<Mutex<HashMap<String, Worker>>>,
    stopping: Arc<std::sync::atomic::AtomicBool>,
}

impl Registry {
    pub fn new(config: Arc<Config>, kafka: Arc<Kafka>, transport: Arc<HyperTransport>) -> Self {
        Registry {
            config,
            kafka,
            transport,
            workers: Arc::default(),
            stopping: Arc::default(),
        }
    }

    /// Stops every worker: no new events are taken, deliveries in flight get `grace`, then
    /// what was acknowledged is committed and the consumers are closed (each bounded).
    pub async fn shutdown(&self, grace: Duration) {
        self.stopping
            .store(true, std::sync::atomic::Ordering::SeqCst);
        let workers: Vec<Worker> = match self.workers.lock() {
            Ok(mut w) => w.drain().map(|(_, w)| w).collect(),
            Err(_) => Vec::new(),
        };
        for w in &workers {
            w.stop.send_replace(Some(grace));
        }
        let limit = grace + crate::CLOSE_TIMEOUT * 2;
        let all = futures_join(workers.into_iter().map(|w| w.task));
        if tokio::time::timeout(limit, all).await.is_err() {
            tracing::warn!("delivery workers still closing after {limit:?}");
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
        if self.stopping.load(std::sync::atomic::Ordering::SeqCst) {
            return;
        }
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
                let (stop_tx, stop_rx) = watch::channel(None);
                let task = tokio::spawn(delivery::run(
                    self.config.clone(),
                    self.kafka.clone(),
                    self.transport.clone(),
                    sub.clone(),
                    rx,
                    stop_rx,
                ));
                tracing::info!(topic = %sub.topic, subscriber = %sub.subscriber, "subscription started");
                workers.insert(
                    key.to_owned(),
                    Worker {
                        url: tx,
                        stop: stop_tx,
                        task,
                    },
                );
            }
            None => {
                if let Some(w) = workers.remove(key) {
                    // Deliveries in flight are abandoned at once (no grace).
                    w.stop.send_replace(Some(Duration::ZERO));
                    if let Some((topic, subscriber)) = key.split_once('|') {
                        crate::stats::clear_lag(topic, subscriber);
                        let group = self.config.group(topic, subscriber);
                        let me = self.clone();
                        let key = key.to_owned();
                        tokio::spawn(async move {
                            let _ = w.task.await;
                            me.delete_group(&key, &group).await;
                        });
                    }
                    tracing::info!(key, "subscription stopped");
                }
            }
        }
    }

    /// Deletes the consumer group of unsubscribed `key` once no instance is in it any more;
    /// every instance that ran a worker tries, the last one to leave succeeds. It gives up if
    /// the subscription comes back meanwhile.
    async fn delete_group(&self, key: &str, group: &str) {
        let start = Instant::now();
        loop {
            let back = self
                .workers
                .lock()
                .map(|w| w.contains_key(key))
                .unwrap_or(true);
            if back || self.stopping.load(std::sync::atomic::Ordering::SeqCst) {
                return;
            }
            match self.kafka.delete_group(group).await {
                GroupDeletion::Deleted => {
                    tracing::info!(group, "consumer group deleted");
                    return;
                }
                GroupDeletion::Missing => return,
                GroupDeletion::NotEmpty if start.elapsed() < DELETE_GROUP_FOR => {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                GroupDeletion::Failed(e) if start.elapsed() < DELETE_GROUP_FOR => {
                    tracing::warn!(group, error = %e, "deleting the consumer group; retrying");
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
                other => {
                    tracing::warn!(group, result = ?other, "the consumer group of an unsubscribed subscription is left (Kafka expires it after offsets.retention.minutes)");
                    return;
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

/// Waits for all of `tasks`.
async fn futures_join(tasks: impl IntoIterator<Item = JoinHandle<()>>) {
    for t in tasks {
        let _ = t.await;
    }
}
