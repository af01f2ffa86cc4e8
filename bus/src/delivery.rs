//! Push delivery of one subscription (docs/protocol.md section 9.3): a Kafka consumer in the
//! subscription's own group, at most `max_in_flight` deliveries at a time, each retried with
//! the protocol's backoff and dead-lettered after the last attempt; a partition's position is
//! committed only up to the first event not yet acknowledged or dead-lettered. A later copy of
//! a (`source`, `id`) within the dedup window of its partition is not delivered (see
//! [`Window`]). Stopping (shutdown or unsubscribe) lets deliveries in flight finish within a
//! grace period, commits what was acknowledged and closes the consumer, each step bounded.
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
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::hash::{Hash, Hasher};
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
    window: Window,
}

/// The dedup window of one partition: the key hashes of the last `size` records (by offset)
/// before the one being decided. A record is a duplicate when a record of the same key is among
/// them. The decision depends on the partition's contents only, so every instance (after a
/// restart or a rebalance) decides the same way; the window is rebuilt from Kafka when a
/// partition is taken ([`read_window`]).
#[derive(Default)]
pub struct Window {
    size: i64,
    keys: HashMap<u64, u32>,
    order: VecDeque<(i64, u64)>,
}

impl Window {
    /// An empty window of `size` records.
    pub fn new(size: i64) -> Self {
        Window {
            size,
            ..Window::default()
        }
    }

    /// Records the key of the record at `offset` (offsets rise); true when it is the first copy
    /// within the window, false for a duplicate. `None` (a record without key) is always first.
    pub fn admit(&mut self, offset: i64, key: Option<&[u8]>) -> bool {
        let (Some(key), true) = (key, self.size > 0) else {
            return true;
        };
        while let Some((o, h)) = self.order.front().copied() {
            if o >= offset - self.size {
                break;
            }
            self.order.pop_front();
            if let Some(n) = self.keys.get_mut(&h) {
                *n -= 1;
                if *n == 0 {
                    self.keys.remove(&h);
                }
            }
        }
        let h = key_hash(key);
        let first = !self.keys.contains_key(&h);
        *self.keys.entry(h).or_default() += 1;
        self.order.push_back((offset, h));
        first
    }
}

/// A 64-bit hash of a record key (std's `DefaultHasher::new()`: fixed keys, the same for every
/// window of a process). Two keys of one window with the same hash would be taken for copies:
/// about 5·10⁻¹² for a window of 10 000.
fn key_hash(key: &[u8]) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    key.hash(&mut h);
    h.finish()
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
    /// Set when the worker stops: the rebalance of closing commits nothing more (the worker
    /// committed already, within its timeout).
    closing: bool,
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
            if tpl.count() > 0 && !t.closing {
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

/// Delivers subscription `sub` until `stop` holds a grace period: then it takes no new events,
/// lets deliveries in flight finish within the grace, commits what was acknowledged and closes
/// its consumer (unsubscribe stops with no grace).
pub async fn run(
    config: Arc<Config>,
    kafka: Arc<Kafka>,
    transport: Arc<HyperTransport>,
    sub: Subscription,
    url: watch::Receiver<String>,
    mut stop: watch::Receiver<Option<Duration>>,
) {
    loop {
        match run_consumer(&config, &kafka, &transport, &sub, &url, &mut stop).await {
            Ok(()) => return,
            Err(e) => {
                tracing::warn!(topic = %sub.topic, subscriber = %sub.subscriber, error = %e, "delivery consumer failed; restarting");
            }
        }
        tokio::select! {
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = stop.wait_for(Option::is_some) => return,
        }
    }
}

struct Done {
    generation: u64,
    partition: i32,
    offset: i64,
}

fn finish(tracker: &Mutex<Tracker>, done: &Done) {
    let mut t = lock(tracker);
    if done.generation == t.generation {
        t.tasks.remove(&(done.partition, done.offset));
        if let Some(part) = t.parts.get_mut(&done.partition) {
            part.in_flight.remove(&done.offset);
        }
    }
}

async fn run_consumer(
    config: &Arc<Config>,
    kafka: &Arc<Kafka>,
    transport: &Arc<HyperTransport>,
    sub: &Subscription,
    url: &watch::Receiver<String>,
    stop: &mut watch::Receiver<Option<Duration>>,
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
    // Dead letters are per subscription: every copy in `<topic>.dlq` is delivered.
    let window_size = if sub.topic.ends_with(".dlq") {
        0
    } else {
        config.dedup_window.max(0)
    };
    let counters = Arc::new(stats::Subscription::new(&sub.topic, &sub.subscriber));
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Done>();
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    let mut ticks: u64 = 0;
    let mut paused = false;
    let mut full_since: Option<Instant> = None;
    let grace = loop {
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
            _ = stop.changed() => {
                if let Some(grace) = *stop.borrow() {
                    break grace;
                }
            }
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
                let raw_key = m.key().map(<[u8]>::to_vec);
                let traceparent = crate::kafka::traceparent_header(&m);
                drop(m);
                let generation = lock(&tracker).generation;
                let taken = lock(&tracker).parts.contains_key(&partition);
                // A partition this generation has not seen yet: its window is rebuilt from the
                // records before this one (no poll meanwhile, so no rebalance either).
                let window = if taken {
                    None
                } else {
                    // Reading may take seconds when Kafka is slow: a stop meanwhile wins (this
                    // record is not counted, so the next owner delivers it).
                    tokio::select! {
                        w = load_window(kafka, config, &sub.topic, partition, offset, window_size) => Some(w),
                        r = stop.wait_for(Option::is_some) => break r.ok().and_then(|g| *g).unwrap_or_default(),
                    }
                };
                let mut t = lock(&tracker);
                if t.generation != generation {
                    continue;
                }
                let part = t.parts.entry(partition).or_insert_with(|| Part {
                    in_flight: BTreeSet::new(),
                    next: offset,
                    committed: offset,
                    window: window.unwrap_or_default(),
                });
                part.next = part.next.max(offset + 1);
                if !part.window.admit(offset, raw_key.as_deref()) {
                    counters.duplicates.inc();
                    continue;
                }
                part.in_flight.insert(offset);
                let key = raw_key.map(|k| String::from_utf8_lossy(&k).into_owned()).unwrap_or_default();
                let job = deliver(Delivery {
                    config: config.clone(),
                    kafka: kafka.clone(),
                    transport: transport.clone(),
                    counters: counters.clone(),
                    sub: sub.clone(),
                    url: url.clone(),
                    key,
                    traceparent,
                    payload,
                });
                let tx = done_tx.clone();
                let handle = tokio::spawn(async move {
                    job.await;
                    let _ = tx.send(Done { generation, partition, offset });
                });
                t.tasks.insert((partition, offset), handle.abort_handle());
            }
            Some(done) = done_rx.recv() => {
                finish(&tracker, &done);
                if paused && lock(&tracker).tasks.len() < config.max_in_flight {
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
    };
    close(consumer, &tracker, &mut done_rx, sub, grace).await;
    Ok(())
}

/// The end of a worker: deliveries in flight get `grace` to finish, the rest are abandoned
/// (not committed: the next owner redelivers them); the acknowledged prefix of every partition
/// is committed and the consumer closed (it leaves the group), each within
/// [`crate::CLOSE_TIMEOUT`]. The blocking Kafka calls run off the runtime; one that outlives
/// its timeout is left behind (the process exits anyway).
async fn close(
    consumer: Arc<StreamConsumer<Ctx>>,
    tracker: &Arc<Mutex<Tracker>>,
    done_rx: &mut mpsc::UnboundedReceiver<Done>,
    sub: &Subscription,
    grace: Duration,
) {
    let deadline = tokio::time::Instant::now() + grace;
    while !lock(tracker).tasks.is_empty() {
        match tokio::time::timeout_at(deadline, done_rx.recv()).await {
            Ok(Some(done)) => finish(tracker, &done),
            Ok(None) | Err(_) => break,
        }
    }
    let tpl = {
        let mut t = lock(tracker);
        t.closing = true;
        let abandoned = t.tasks.len();
        for (_, task) in t.tasks.drain() {
            task.abort();
        }
        if abandoned > 0 {
            tracing::info!(topic = %sub.topic, subscriber = %sub.subscriber, abandoned, "deliveries abandoned at stop (redelivered by the next owner)");
        }
        t.positions(&sub.topic, true)
    };
    let timeout = crate::CLOSE_TIMEOUT;
    if tpl.count() > 0 {
        let c = consumer.clone();
        let commit = tokio::task::spawn_blocking(move || c.commit(&tpl, CommitMode::Sync));
        match tokio::time::timeout(timeout, commit).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(e))) => {
                tracing::warn!(topic = %sub.topic, error = %e, "the last commit failed")
            }
            Ok(Err(_)) | Err(_) => {
                tracing::warn!(topic = %sub.topic, "the last commit timed out")
            }
        }
    }
    // Dropping the last handle closes the consumer (it blocks until the group is left).
    let closing = tokio::task::spawn_blocking(move || drop(consumer));
    if tokio::time::timeout(timeout, closing).await.is_err() {
        tracing::warn!(topic = %sub.topic, subscriber = %sub.subscriber, "closing the consumer timed out");
    }
}

/// The window of `partition` for a record at `offset`: the keys of the `size` records before
/// it. Kafka failing for 10 s leaves it empty (duplicates may then be delivered; at least once
/// holds).
async fn load_window(
    kafka: &Kafka,
    config: &Config,
    topic: &str,
    partition: i32,
    offset: i64,
    size: i64,
) -> Window {
    if size == 0 || offset == 0 {
        return Window::new(size);
    }
    let c = kafka.consumer_config(config, &format!("{}|window", config.group_prefix));
    let t = topic.to_owned();
    let read = tokio::task::spawn_blocking(move || read_window(c, &t, partition, offset, size));
    match read.await {
        Ok(Ok(window)) => return window,
        Ok(Err(e)) => {
            tracing::warn!(topic, partition, error = %e, "reading the dedup window; duplicates may be delivered")
        }
        Err(e) => {
            tracing::warn!(topic, partition, error = %e, "reading the dedup window; duplicates may be delivered")
        }
    }
    Window::new(size)
}

/// The window of `size` for a record at `offset` of `topic`/`partition`: the keys of records
/// `[offset - size, offset)` (blocking Kafka calls).
pub fn read_window(
    c: rdkafka::ClientConfig,
    topic: &str,
    partition: i32,
    offset: i64,
    size: i64,
) -> Result<Window, String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let consumer: BaseConsumer = c.create().map_err(|e| e.to_string())?;
    let (low, _) = consumer
        .fetch_watermarks(topic, partition, Duration::from_secs(5))
        .map_err(|e| format!("start of {topic}/{partition}: {e}"))?;
    let from = low.max(offset - size);
    let mut keys = Window::new(size);
    if from >= offset {
        return Ok(keys);
    }
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(topic, partition, Offset::Offset(from))
        .map_err(|e| e.to_string())?;
    consumer.assign(&tpl).map_err(|e| e.to_string())?;
    while Instant::now() < deadline {
        match consumer.poll(Duration::from_millis(200)) {
            None => {}
            Some(Err(e)) => return Err(format!("reading {topic}/{partition}: {e}")),
            Some(Ok(m)) => {
                if m.offset() >= offset {
                    return Ok(keys);
                }
                keys.admit(m.offset(), m.key());
                if m.offset() + 1 >= offset {
                    return Ok(keys);
                }
            }
        }
    }
    Err(format!(
        "reading {topic}/{partition} [{from}, {offset}) took over 10 s"
    ))
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

/// One event to deliver to one subscription.
struct Delivery {
    config: Arc<Config>,
    kafka: Arc<Kafka>,
    transport: Arc<HyperTransport>,
    counters: Arc<stats::Subscription>,
    sub: Subscription,
    url: watch::Receiver<String>,
    key: String,
    /// From the record's header; `None` for records stored without it (then read from the body).
    traceparent: Option<Option<String>>,
    payload: Bytes,
}

/// Delivers one event until a subscriber acknowledges it or, after the last attempt, it is in
/// the dead-letter topic.
async fn deliver(d: Delivery) {
    let Delivery {
        config,
        kafka,
        transport,
        counters,
        sub,
        url,
        key,
        traceparent,
        payload,
    } = d;
    let traceparent = traceparent.unwrap_or_else(|| event::traceparent(&payload));
    let timeout_ms = config.delivery_timeout.as_millis() as u64;
    for attempt in 1..=config.attempts.max(1) {
        if attempt > 1 {
            counters.redelivered.inc();
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
                Ok(answer) if (200..300).contains(&answer.status) => true,
                Ok(answer) => {
                    if attempt == 1 || attempt == config.attempts {
                        tracing::info!(url = %target, attempt, status = answer.status, "delivery not acknowledged");
                    }
                    false
                }
                Err(e) => {
                    if attempt == 1 || attempt == config.attempts {
                        tracing::warn!(url = %target, attempt, error = ?e, "delivery failed");
                    }
                    false
                }
            },
            Err(e) => {
                tracing::warn!(url = %target, error = %e, "cannot build the delivery request");
                false
            }
        };
        if acked {
            counters.delivered.inc();
            return;
        }
        if attempt < config.attempts {
            tokio::time::sleep(config.redelivery_delay(attempt, random_unit())).await;
        }
    }
    let dlq = format!("{}.dlq", sub.topic);
    loop {
        let written = match kafka.ensure_topic(&dlq).await {
            Ok(()) => {
                kafka
                    .write(
                        &dlq,
                        &key,
                        Some(&payload),
                        Some(traceparent.as_deref().unwrap_or_default()),
                    )
                    .await
            }
            Err(e) => Err(e),
        };
        match written {
            Ok(()) => {
                counters.dead_lettered.inc();
                return;
            }
            Err(e) => {
                tracing::warn!(topic = %dlq, error = %e, "dead-lettering; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_within_the_window_is_a_duplicate_and_one_beyond_it_is_delivered_again() {
        let mut w = Window::new(3);
        assert!(w.admit(10, Some(b"s|a")));
        assert!(w.admit(11, Some(b"s|b")));
        assert!(!w.admit(12, Some(b"s|a")), "offset 10 is within 3 of 12");
        assert!(w.admit(13, Some(b"s|c")));
        // The window of 16 is [13, 16): both earlier copies of s|a (10, 12) are out of it.
        assert!(w.admit(16, Some(b"s|a")));
        assert!(
            w.admit(17, Some(b"s|c")),
            "13 is before the window [14, 17)"
        );
        assert!(!w.admit(18, Some(b"s|a")), "16 is within [15, 18)");
    }

    #[test]
    fn records_without_key_and_a_window_of_zero_are_always_delivered() {
        let mut w = Window::new(5);
        assert!(w.admit(1, None));
        assert!(w.admit(2, None));
        let mut off = Window::new(0);
        assert!(off.admit(1, Some(b"k")));
        assert!(off.admit(2, Some(b"k")));
    }
}
