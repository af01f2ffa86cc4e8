//! `brief-bus serve --kafka HOST:PORT [--listen ADDR]`: the data bus as its own binary (so that
//! paasctl does not link librdkafka).
use brief_bus::Config;
use clap::{Parser, Subcommand};
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "brief-bus",
    version,
    about = "The brief data bus on Apache Kafka (docs/data-bus.md)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serves the data-bus rpcs and delivers events until SIGTERM or Ctrl-C.
    #[command(after_help = "Examples:\n  \
brief-bus serve --kafka 127.0.0.1:9092                       # listens on 0.0.0.0:8080\n  \
brief-bus serve --kafka k1:9092,k2:9092 --listen 127.0.0.1:0 --attempts 5\n\n\
Services reach it as SERVICE_DATA_BUS_URL; see docs/data-bus.md.")]
    Serve(Serve),
}

#[derive(clap::Args)]
struct Serve {
    /// Kafka bootstrap servers, HOST:PORT[,HOST:PORT...].
    #[arg(long)]
    kafka: String,
    /// The address to listen on; port 0 picks a free one (the line `listening on ADDR` says which).
    #[arg(long, default_value = "0.0.0.0:8080")]
    listen: String,
    /// Accept only this topic (repeatable); without it every valid topic name is accepted.
    #[arg(long = "topic")]
    topics: Vec<String>,
    /// Partitions of each event topic the bus creates.
    #[arg(long, default_value_t = 6)]
    partitions: i32,
    /// Replication factor of the topics the bus creates (-1: the broker's default).
    #[arg(long, default_value_t = -1, allow_negative_numbers = true)]
    replication: i32,
    /// Delivery attempts before `<topic>.dlq`.
    #[arg(long, default_value_t = 20)]
    attempts: u32,
    /// Upper bound of the first redelivery delay, in milliseconds.
    #[arg(long, default_value_t = 1000)]
    base_delay_ms: u64,
    /// Cap of the redelivery delay, in milliseconds.
    #[arg(long, default_value_t = 300_000)]
    max_delay_ms: u64,
    /// Time one delivery may take, in milliseconds.
    #[arg(long, default_value_t = 30_000)]
    delivery_timeout_ms: u64,
    /// Deliveries in flight per subscription on this instance.
    #[arg(long, default_value_t = 64)]
    max_in_flight: usize,
    /// The largest event publish accepts, in bytes.
    #[arg(long, default_value_t = 1_000_000)]
    max_event_bytes: usize,
    /// Kafka consumer-group session timeout, in milliseconds (how soon a dead instance's
    /// partitions move to the others).
    #[arg(long, default_value_t = 45_000)]
    session_timeout_ms: u64,
    /// The compacted topic holding the subscriptions.
    #[arg(long, default_value = "brief-bus.subscriptions")]
    subscriptions_topic: String,
    /// Prefix of the subscriptions' consumer groups.
    #[arg(long, default_value = "brief-bus")]
    group_prefix: String,
    /// After SIGTERM, how long deliveries in flight may still finish, in milliseconds; the
    /// process exits at most this plus about 2 s after the signal.
    #[arg(long, default_value_t = 3000)]
    shutdown_grace_ms: u64,
    /// Records per partition within which a second copy of a (source, id) is not delivered
    /// (0: off).
    #[arg(long, default_value_t = 10_000)]
    dedup_window: u32,
    /// A PEM file of CA certificates trusted for https subscribers, beside the system's roots
    /// (SSL_CERT_FILE, when set, replaces the system's roots).
    #[arg(long)]
    ca_file: Option<std::path::PathBuf>,
}

impl Serve {
    fn config(&self) -> Config {
        let mut c = Config::new(self.kafka.clone());
        c.topics = (!self.topics.is_empty()).then(|| self.topics.iter().cloned().collect());
        c.partitions = self.partitions;
        c.replication = self.replication;
        c.attempts = self.attempts.max(1);
        c.base_delay = Duration::from_millis(self.base_delay_ms);
        c.max_delay = Duration::from_millis(self.max_delay_ms);
        c.delivery_timeout = Duration::from_millis(self.delivery_timeout_ms);
        c.max_in_flight = self.max_in_flight.max(1);
        c.max_event_bytes = self.max_event_bytes;
        c.session_timeout = Duration::from_millis(self.session_timeout_ms);
        c.subscriptions_topic = self.subscriptions_topic.clone();
        c.group_prefix = self.group_prefix.clone();
        c.shutdown_grace = Duration::from_millis(self.shutdown_grace_ms);
        c.dedup_window = i64::from(self.dedup_window);
        c.ca_file = self.ca_file.clone();
        c
    }
}

#[tokio::main]
async fn main() {
    let Command::Serve(args) = Cli::parse().command;
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .init();
    let listener = match tokio::net::TcpListener::bind(&args.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("brief-bus: cannot listen on {}: {e}", args.listen);
            std::process::exit(1);
        }
    };
    match listener.local_addr() {
        Ok(a) => println!("listening on {a}"),
        Err(e) => {
            eprintln!("brief-bus: {e}");
            std::process::exit(1);
        }
    }
    let config = args.config();
    // The bound of the exit after SIGTERM: the bus's own shutdown takes the grace plus its
    // Kafka close timeouts; if something still blocks (a Kafka client closing against a broker
    // that is gone), this watchdog ends the process. Nothing is lost by that: positions are
    // committed only after acknowledgement.
    let limit = config.shutdown_grace + brief_bus::CLOSE_TIMEOUT * 2;
    let signal = async move {
        brief_runtime::shutdown_signal().await;
        tracing::info!("shutting down (at most {limit:?})");
        std::thread::spawn(move || {
            std::thread::sleep(limit);
            eprintln!("brief-bus: shutdown still blocked after {limit:?}; exiting");
            std::process::exit(1);
        });
    };
    let code = match brief_bus::run(config, listener, signal).await {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("brief-bus: {e}");
            1
        }
    };
    // Exits here rather than by dropping the runtime, which would wait for blocking threads
    // that may still be closing Kafka clients.
    std::process::exit(code)
}
