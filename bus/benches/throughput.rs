//! Events per second and publish-to-delivery latency through the bus, next to a raw Kafka
//! produce -> consume with the same client (rdkafka) on the same broker in the same run, both on
//! topics of the same number of partitions. Needs KAFKA_BOOTSTRAP; scripts/bench-bus.sh starts
//! Kafka and runs it (`BRIEF_BUS_BENCH_EVENTS`, `BRIEF_BUS_BENCH_CONCURRENCY` and
//! `BRIEF_BUS_BENCH_PARTITIONS` change the load).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use brief_runtime::bytes::Bytes;
use brief_runtime::transport::{HyperTransport, Transport};
use brief_runtime::{http, Router};
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::Message;
use std::collections::HashMap;
use std::io::BufRead;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

struct Run {
    events: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Run {
    fn rate(&self) -> f64 {
        self.events as f64 / self.elapsed.as_secs_f64()
    }

    fn pct(&self, p: f64) -> Duration {
        let mut l = self.latencies.clone();
        l.sort();
        l[((l.len() as f64 - 1.0) * p).round() as usize]
    }

    fn line(&self, name: &str) -> String {
        format!(
            "{name:<28} {:>8.0} events/s   p50 {:>7.1} ms   p99 {:>7.1} ms",
            self.rate(),
            self.pct(0.50).as_secs_f64() * 1000.0,
            self.pct(0.99).as_secs_f64() * 1000.0
        )
    }
}

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn unique(name: &str) -> String {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    format!("{name}-{t}-{}", std::process::id())
}

/// Raw Kafka: N records produced with acks=all (at most `concurrency` in flight) to a topic of
/// `partitions` partitions (as many as the bus gives its topic), consumed by a new group; latency
/// from the send to the consumer's receipt.
async fn raw(kafka: &str, n: usize, concurrency: usize, partitions: usize) -> Run {
    let topic = unique("bench-raw");
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", kafka)
        .create()
        .unwrap();
    let created = admin
        .create_topics(
            [&NewTopic::new(
                &topic,
                partitions as i32,
                TopicReplication::Fixed(1),
            )],
            &AdminOptions::new(),
        )
        .await
        .unwrap();
    assert!(created.iter().all(Result::is_ok), "{created:?}");
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", kafka)
        .set("acks", "all")
        .set("enable.idempotence", "true")
        .set("linger.ms", "1")
        .create()
        .unwrap();
    // Create the topic (and its partitions) before timing, like the bus's subscribe does.
    producer
        .send(
            FutureRecord::<str, str>::to(&topic)
                .key("warm")
                .payload("warm"),
            Duration::from_secs(10),
        )
        .await
        .unwrap();
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", kafka)
        .set("group.id", unique("bench-raw-group"))
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "true")
        .create()
        .unwrap();
    consumer.subscribe(&[&topic]).unwrap();
    // Wait for the assignment: the warm-up record arrives.
    let _ = tokio::time::timeout(Duration::from_secs(30), consumer.recv())
        .await
        .unwrap()
        .unwrap();
    let sent: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let start = Instant::now();
    let producing = {
        let sent = sent.clone();
        let topic = topic.clone();
        tokio::spawn(async move {
            let sem = Arc::new(Semaphore::new(concurrency));
            let mut tasks = Vec::new();
            for i in 0..n {
                let permit = sem.clone().acquire_owned().await.unwrap();
                let (producer, sent, topic) = (producer.clone(), sent.clone(), topic.clone());
                tasks.push(tokio::spawn(async move {
                    let key = format!("e{i}");
                    let body = format!(r#"{{"specversion":"1.0","id":"{key}","source":"bench","type":"{topic}","data":{{"i":{i}}}}}"#);
                    sent.lock().unwrap().insert(key.clone(), Instant::now());
                    producer.send(FutureRecord::to(&topic).key(&key).payload(&body), Duration::from_secs(10)).await.unwrap();
                    drop(permit);
                }));
            }
            for t in tasks {
                t.await.unwrap();
            }
        })
    };
    let mut latencies = Vec::with_capacity(n);
    while latencies.len() < n {
        let m = consumer.recv().await.unwrap();
        let key = String::from_utf8_lossy(m.key().unwrap_or_default()).into_owned();
        if let Some(at) = sent.lock().unwrap().get(&key) {
            latencies.push(at.elapsed());
        }
    }
    producing.await.unwrap();
    Run {
        events: n,
        elapsed: start.elapsed(),
        latencies,
    }
}

/// Through the bus: N publish calls (at most `concurrency` in flight) to a brief-bus process,
/// delivered to a subscriber served by brief-runtime's router; latency from the publish call
/// to the delivery's arrival.
async fn bus(kafka: &str, n: usize, concurrency: usize, partitions: usize) -> Run {
    let tag = unique("bench-bus");
    let topic = format!("{tag}.happened");
    let mut child = Command::new(env!("CARGO_BIN_EXE_brief-bus"))
        .args([
            "serve",
            "--kafka",
            kafka,
            "--listen",
            "127.0.0.1:0",
            "--max-in-flight",
            &concurrency.to_string(),
            "--partitions",
            &partitions.to_string(),
        ])
        .args([
            "--subscriptions-topic",
            &format!("brief-bus.subscriptions.{tag}"),
            "--group-prefix",
            &tag,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_owned();
    let transport = Arc::new(HyperTransport::default());
    let post = |path: String, body: String| {
        let t = transport.clone();
        let addr = addr.clone();
        async move {
            let req = http::Request::post(format!("http://{addr}{path}"))
                .header("content-type", "application/json")
                .body(Bytes::from(body))
                .unwrap();
            t.send(req, 10_000, 1 << 20).await
        }
    };
    for _ in 0..300 {
        if let Ok(a) = post("/health/ready".into(), String::new()).await {
            if a.status != 503 {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let received: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let rec = received.clone();
    let router = Router::builder("bench-sink")
        .event(&topic, move |_ctx, body: Bytes| {
            let rec = rec.clone();
            async move {
                let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                if let Some(id) = v["id"].as_str() {
                    rec.lock()
                        .unwrap()
                        .entry(id.to_owned())
                        .or_insert_with(Instant::now);
                }
                Ok(Vec::new())
            }
        })
        .build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sink = listener.local_addr().unwrap();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(brief_runtime::serve(listener, router, async move {
        let _ = stop_rx.await;
    }));
    let sub = format!(
        r#"{{"topic":"{topic}","subscriber":"bench-sink","url":"http://{sink}/events/{topic}"}}"#
    );
    let a = post("/rpc/data-bus/subscribe".into(), sub).await.unwrap();
    assert_eq!(a.status, 200, "subscribe: {:?}", a.body);
    // Warm up: one event delivered means the subscription's consumer has its partitions.
    let warm = format!(
        r#"{{"specversion":"1.0","id":"warm","source":"bench","type":"{topic}","data":{{}}}}"#
    );
    assert_eq!(
        post("/rpc/data-bus/publish".into(), warm)
            .await
            .unwrap()
            .status,
        200
    );
    for _ in 0..600 {
        if received.lock().unwrap().contains_key("warm") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let sent: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let start = Instant::now();
    let sem = Arc::new(Semaphore::new(concurrency));
    let mut tasks = Vec::new();
    for i in 0..n {
        let permit = sem.clone().acquire_owned().await.unwrap();
        let sent = sent.clone();
        let body = format!(
            r#"{{"specversion":"1.0","id":"e{i}","source":"bench","type":"{topic}","data":{{"i":{i}}}}}"#
        );
        let call = post("/rpc/data-bus/publish".into(), body);
        tasks.push(tokio::spawn(async move {
            sent.lock().unwrap().insert(format!("e{i}"), Instant::now());
            let a = call.await.unwrap();
            assert_eq!(a.status, 200);
            drop(permit);
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let published = start.elapsed();
    loop {
        let done = (0..n).all(|i| received.lock().unwrap().contains_key(&format!("e{i}")));
        if done {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let rec = received.lock().unwrap();
    let sent = sent.lock().unwrap();
    let last = (0..n).map(|i| rec[&format!("e{i}")]).max().unwrap();
    let latencies = (0..n)
        .map(|i| {
            let k = format!("e{i}");
            rec[&k].duration_since(sent[&k])
        })
        .collect();
    let _ = stop_tx.send(());
    let _ = child.kill();
    let _ = child.wait();
    println!("through brief-bus: the {n} publish calls were answered in {published:.2?}");
    Run {
        events: n,
        elapsed: last.duration_since(start),
        latencies,
    }
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing: then only compile.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let Ok(kafka) = std::env::var("KAFKA_BOOTSTRAP") else {
        eprintln!("KAFKA_BOOTSTRAP is unset: scripts/bench-bus.sh starts Kafka and runs this");
        std::process::exit(2);
    };
    let n = env_num("BRIEF_BUS_BENCH_EVENTS", 5000);
    let c = env_num("BRIEF_BUS_BENCH_CONCURRENCY", 64);
    // The bus's default `--partitions`.
    let p = env_num("BRIEF_BUS_BENCH_PARTITIONS", 6);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let raw = raw(&kafka, n, c, p).await;
        let bus = bus(&kafka, n, c, p).await;
        println!("{n} events, {c} in flight, topics of {p} partitions, one broker on 127.0.0.1");
        println!("{}", raw.line("raw kafka produce->consume"));
        println!("{}", bus.line("through brief-bus"));
        println!("ratio (bus / raw events/s): {:.2}", bus.rate() / raw.rate());
    });
}
