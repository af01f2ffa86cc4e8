//! Push delivery of one subscription (docs/protocol.md section 9.3): a Kafka consumer in the
//! subscription's own group, at most `max_in_flight` deliveries at a time, each retried with
//! the protocol's backoff and dead-lettered after the last attempt; a partition's position is
//! committed only up to the first event not yet acknowledged or dead-lettered.
use crate::config::Config;
use crate::event::{self, Subscription};
use crate::kafka::Kafka;
use crate::stats;
use brief_runtime::bytes::Bytes;
use brief_runtime::http;
use brief_runtime::meta;
use brief_runtime::transport::{random_unit, HyperTransport, Transport};
use rdkafka::consumer::{
    BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance, StreamConsumer,
};
use rdkafka::{ClientContext, Message, Offset, TopicPartitionList};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};
use tokio::task::AbortHandle;

/// How long a subscription may stay at its in-flight limit before its partitions are paused.
const PAUSE_AFTER: Duration = Duration::from_secs(10);

/// The largest subscriber answer read (only its status matters).
const MAX_ANSWER_BYTES: usize = 64 * 1024;

#[derive(Default)]
struct Part {
    in_flight: BTreeSet<i64>,
    next: i64,
    committed: i64,
}

impl Part {
    /// The offset to commit: the first unfinished event, or the one after the last dispatched.
    fn position(&self) -> i64 {
        self.in_flight.first().copied().unwrap_or(self.next)
    }
}

/// The deliveries of one consumer generation (reset on every rebalance).
#[derive(Default)]
struct Tracker {
    generation: u64,
    parts: HashMap<i32, Part>,
    tasks: HashMap<(i32, i64), AbortHandle>,
}

impl Tracker {
    fn positions(&self, topic: &str, only_changed: bool) -> TopicPartitionList {
        let mut tpl = TopicPartitionList::new();
        for (p, part) in &self.parts {
            let pos = part.position();
            if !only_changed || pos > part.committed {
                let _ = tpl.add_partition_offset(topic, *p, Offset::Offset(pos));
            }
        }
        tpl
    }

    fn mark_committed(&mut self) {
        for part in self.parts.values_mut() {
            part.committed = part.position();
        }
    }
}

fn lock(t: &Mutex<Tracker>) -> MutexGuard<'_, Tracker> {
    t.lock().unwrap_or_else(|p| p.into_inner())
}

struct Ctx {
    topic: String,
    tracker: Arc<Mutex<Tracker>>,
}

impl ClientContext for Ctx {}

impl ConsumerContext for Ctx {
    /// Before partitions move: commit what is finished, stop the deliveries in flight (the
    /// next owner redelivers them) and start a new generation.
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Revoke(_) = rebalance {
            let mut t = lock(&self.tracker);
            let tpl = t.positions(&self.topic, false);
            if tpl.count() > 0 {
                if let Err(e) = consumer.commit(&tpl, CommitMode::Sync) {
                    tracing::warn!(topic = %self.topic, error = %e, "commit before a rebalance");
                }
            }
            for (_, task) in t.tasks.drain() {
                task.abort();
            }
            t.parts.clear();
            t.generation += 1;
        }
    }
}

/// Sets the group of a new subscription to the end of `topic`, unless the group already has
/// positions: a subscription receives the events published after `subscribe` returned. A topic
/// created a moment ago may have no leader yet, so this retries for a few seconds.
pub async fn start_at_end(
    config: &Config,
    kafka: &Kafka,
    sub: &Subscription,
) -> Result<(), String> {
    let mut last = String::new();
    for _ in 0..20 {
        let c = kafka.consumer_config(config, &config.group(&sub.topic, &sub.subscriber));
        let topic = sub.topic.clone();
        match tokio::task::spawn_blocking(move || position_at_end(c, &topic)).await {
            Ok(Ok(())) => return Ok(()),
            Ok(Err(e)) => last = e,
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    Err(last)
}

/// One try of [`start_at_end`] (blocking Kafka calls).
fn position_at_end(c: rdkafka::ClientConfig, topic: &str) -> Result<(), String> {
    let timeout = Duration::from_secs(5);
    let consumer: BaseConsumer = c.create().map_err(|e| e.to_string())?;
    let md = consumer
        .fetch_metadata(Some(topic), timeout)
        .map_err(|e| format!("metadata of {topic}: {e}"))?;
    let mut partitions = Vec::new();
    for t in md.topics() {
        if let Some(e) = t.error() {
            return Err(format!("metadata of {topic}: {e:?}"));
        }
        for p in t.partitions() {
            if p.error().is_some() || p.leader() < 0 {
                return Err(format!("partition {topic}/{} has no leader yet", p.id()));
            }
            partitions.push(p.id());
        }
    }
    if partitions.is_empty() {
        return Err(format!("topic {topic} has no partitions yet"));
    }
    let mut tpl = TopicPartitionList::new();
    for p in &partitions {
        tpl.add_partition(topic, *p);
    }
    let committed = consumer
        .committed_offsets(tpl, timeout)
        .map_err(|e| format!("positions of {topic}: {e}"))?;
    if committed
        .elements()
        .iter()
        .any(|e| matches!(e.offset(), Offset::Offset(_)))
    {
        return Ok(());
    }
    // Partitions still empty need nothing: a group without a position starts at the beginning.
    let mut end = TopicPartitionList::new();
    for p in &partitions {
        let (_, high) = consumer
            .fetch_watermarks(topic, *p, timeout)
            .map_err(|e| format!("end of {topic}/{p}: {e}"))?;
        if high > 0 {
            end.add_partition_offset(topic, *p, Offset::Offset(high))
                .map_err(|e| e.to_string())?;
        }
    }
    if end.count() == 0 {
        return Ok(());
    }
    consumer
        .commit(&end, CommitMode::Sync)
        .map_err(|e| format!("starting position of {topic}: {e}"))
}

/// Delivers subscription `sub` for as long as the task runs (it is aborted on unsubscribe).
pub async fn run(
    config: Arc<Config>,
    kafka: Arc<Kafka>,
    sub: Subscription,
    url: watch::Receiver<String>,
) {
    loop {
        if let Err(e) = run_consumer(&config, &kafka, &sub, &url).await {
            tracing::warn!(topic = %sub.topic, subscriber = %sub.subscriber, error = %e, "delivery consumer failed; restarting");
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

struct Done {
    generation: u64,
    partition: i32,
    offset: i64,
}

async fn run_consumer(
    config: &Arc<Config>,
    kafka: &Arc<Kafka>,
    sub: &Subscription,
    url: &watch::Receiver<String>,
) -> Result<(), String> {
    let tracker = Arc::new(Mutex::new(Tracker::default()));
    let ctx = Ctx {
        topic: sub.topic.clone(),
        tracker: tracker.clone(),
    };
    let consumer: Arc<StreamConsumer<Ctx>> = Arc::new(
        kafka
            .consumer_config(config, &config.group(&sub.topic, &sub.subscriber))
            .create_with_context(ctx)
            .map_err(|e| format!("consumer: {e}"))?,
    );
    consumer
        .subscribe(&[&sub.topic])
        .map_err(|e| format!("subscribing to {}: {e}", sub.topic))?;
    let transport = Arc::new(HyperTransport::default());
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Done>();
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    let mut ticks: u64 = 0;
    let mut paused = false;
    let mut full_since: Option<Instant> = None;
    loop {
        // At the limit the loop stops taking messages (the prefetch is capped); if it stays
        // there, the partitions are paused so that the consumer is polled again and serves
        // rebalances within max.poll.interval.ms. Pausing for every short burst would cost a
        // fetch round trip per resume, so it waits PAUSE_AFTER first.
        let full = lock(&tracker).tasks.len() >= config.max_in_flight;
        if full {
            let since = *full_since.get_or_insert_with(Instant::now);
            if !paused && since.elapsed() >= PAUSE_AFTER {
                paused = pause(&consumer, true);
                tracing::info!(topic = %sub.topic, subscriber = %sub.subscriber, paused, "deliveries at the in-flight limit for {PAUSE_AFTER:?}: pausing the partitions");
            }
        } else {
            full_since = None;
        }
        tokio::select! {
            m = consumer.recv(), if !full || paused => {
                let m = match m {
                    Ok(m) => m,
                    Err(e) => {
                        tracing::warn!(topic = %sub.topic, error = %e, "receiving");
                        tokio::time::sleep(Duration::from_millis(200)).await;
                        continue;
                    }
                };
                let (partition, offset) = (m.partition(), m.offset());
                let payload = Bytes::copy_from_slice(m.payload().unwrap_or_default());
                let key = m.key().map(|k| String::from_utf8_lossy(k).into_owned()).unwrap_or_default();
                drop(m);
                let mut t = lock(&tracker);
                let generation = t.generation;
                let part = t.parts.entry(partition).or_insert_with(|| Part {
                    in_flight: BTreeSet::new(),
                    next: offset,
                    committed: offset,
                });
                part.in_flight.insert(offset);
                part.next = part.next.max(offset + 1);
                let job = deliver(config.clone(), kafka.clone(), transport.clone(), sub.clone(), url.clone(), key, payload);
                let tx = done_tx.clone();
                let handle = tokio::spawn(async move {
                    job.await;
                    let _ = tx.send(Done { generation, partition, offset });
                });
                t.tasks.insert((partition, offset), handle.abort_handle());
            }
            Some(done) = done_rx.recv() => {
                let mut t = lock(&tracker);
                if done.generation == t.generation {
                    t.tasks.remove(&(done.partition, done.offset));
                    if let Some(part) = t.parts.get_mut(&done.partition) {
                        part.in_flight.remove(&done.offset);
                    }
                }
                if paused && t.tasks.len() < config.max_in_flight {
                    paused = !pause(&consumer, false);
                }
            }
            _ = tick.tick() => {
                ticks += 1;
                let full = ticks.is_multiple_of(25);
                let mut t = lock(&tracker);
                // A rebalance aborts the deliveries in flight without their Done.
                if paused && t.tasks.len() < config.max_in_flight {
                    paused = !pause(&consumer, false);
                }
                let tpl = t.positions(&sub.topic, !full);
                if tpl.count() > 0 {
                    match consumer.commit(&tpl, CommitMode::Async) {
                        Ok(()) => t.mark_committed(),
                        Err(e) => tracing::warn!(topic = %sub.topic, error = %e, "committing positions"),
                    }
                }
                if full {
                    let positions: HashMap<i32, i64> = t.parts.iter().map(|(p, part)| (*p, part.position())).collect();
                    drop(t);
                    spawn_lag(consumer.clone(), sub.clone(), positions);
                }
            }
        }
    }
}

/// Pauses (or resumes) the current assignment; true when it was done.
fn pause(consumer: &StreamConsumer<Ctx>, stop: bool) -> bool {
    let Ok(assignment) = consumer.assignment() else {
        return false;
    };
    let r = if stop {
        consumer.pause(&assignment)
    } else {
        consumer.resume(&assignment)
    };
    r.is_ok()
}

/// Measures the lag of the partitions this instance holds (Kafka calls block: off the runtime).
fn spawn_lag(consumer: Arc<StreamConsumer<Ctx>>, sub: Subscription, positions: HashMap<i32, i64>) {
    tokio::task::spawn_blocking(move || {
        let timeout = Duration::from_secs(2);
        let Ok(assignment) = consumer.assignment() else {
            return;
        };
        let committed = consumer.committed(timeout).ok();
        let mut lag = 0i64;
        for e in assignment.elements_for_topic(&sub.topic) {
            let p = e.partition();
            let Ok((low, high)) = consumer.fetch_watermarks(&sub.topic, p, timeout) else {
                return;
            };
            let pos = positions.get(&p).copied().or_else(|| {
                committed
                    .as_ref()
                    .and_then(|c| c.find_partition(&sub.topic, p))
                    .and_then(|e| match e.offset() {
                        Offset::Offset(o) => Some(o),
                        _ => None,
                    })
            });
            lag += (high - pos.unwrap_or(low)).max(0);
        }
        stats::set_lag(&sub.topic, &sub.subscriber, lag);
    });
}

/// Delivers one event until a subscriber acknowledges it or, after the last attempt, it is in
/// the dead-letter topic.
async fn deliver(
    config: Arc<Config>,
    kafka: Arc<Kafka>,
    transport: Arc<HyperTransport>,
    sub: Subscription,
    url: watch::Receiver<String>,
    key: String,
    payload: Bytes,
) {
    let traceparent = event::traceparent(&payload);
    let timeout_ms = config.delivery_timeout.as_millis() as u64;
    for attempt in 1..=config.attempts.max(1) {
        if attempt > 1 {
            stats::redelivered(&sub.topic, &sub.subscriber);
        }
        let target = url.borrow().clone();
        let mut req = http::Request::post(target.as_str())
            .header(http::header::CONTENT_TYPE, "application/cloudevents+json")
            .header(meta::REQUEST_ID, meta::new_request_id())
            .header(meta::SOURCE_SERVICE, brief_runtime::events::DATA_BUS)
            .header(meta::REQUEST_TIMEOUT_MS, timeout_ms.to_string())
            .header("x-delivery-attempt", attempt.to_string());
        if let Some(tp) = &traceparent {
            req = req.header(meta::TRACEPARENT, tp.as_str());
        }
        let acked = match req.body(payload.clone()) {
            Ok(req) => match transport.send(req, timeout_ms, MAX_ANSWER_BYTES).await {
                Ok(answer) => (200..300).contains(&answer.status),
                Err(_) => false,
            },
            Err(e) => {
                tracing::warn!(url = %target, error = %e, "cannot build the delivery request");
                false
            }
        };
        if acked {
            stats::delivered(&sub.topic, &sub.subscriber);
            return;
        }
        if attempt < config.attempts {
            tokio::time::sleep(config.redelivery_delay(attempt, random_unit())).await;
        }
    }
    let dlq = format!("{}.dlq", sub.topic);
    loop {
        let written = match kafka.ensure_topic(&dlq).await {
            Ok(()) => kafka.write(&dlq, &key, Some(&payload)).await,
            Err(e) => Err(e),
        };
        match written {
            Ok(()) => {
                stats::dead_lettered(&sub.topic, &sub.subscriber);
                return;
            }
            Err(e) => {
                tracing::warn!(topic = %dlq, error = %e, "dead-lettering; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}
