//! The brief data bus (docs/protocol.md section 9) on Apache Kafka: the `data-bus` service's
//! rpcs, push delivery with redelivery and dead letters, and subscriptions kept in Kafka.
//!
//! Layout: [`config`] (the settings), [`event`] (checking what clients send), [`kafka`] (the
//! producer, topics and consumer settings), [`registry`] (subscriptions in a compacted topic),
//! [`delivery`] (one consumer group per subscription), [`api`] (the rpcs on brief-runtime's
//! router), [`stats`] (the bus's metrics) and [`run`] (all of it on one listener).
pub mod api;
pub mod config;
pub mod delivery;
pub mod event;
pub mod kafka;
pub mod registry;
pub mod stats;

use brief_runtime::transport::HyperTransport;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub use config::Config;

/// Why the bus could not start.
#[derive(Debug)]
pub struct StartError(pub String);

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StartError {}

/// How long each step of closing may take after the grace period: the last commit of a
/// subscription, closing its consumer, flushing the producer.
pub const CLOSE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(1);

/// Runs the bus on `listener` until `shutdown` completes: the rpcs are answered at once (not
/// ready until the subscriptions topic has been read to its end), deliveries run for every
/// subscription the registry holds. After `shutdown` it stops accepting rpcs and taking
/// events, gives deliveries in flight `config.shutdown_grace` to finish, commits what was
/// acknowledged, closes the consumers and flushes the producer, each within
/// [`CLOSE_TIMEOUT`], and returns.
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    stats::describe();
    let transport = match &config.ca_file {
        Some(path) => {
            HyperTransport::with_ca_file(path).map_err(|e| StartError(format!("--ca-file: {e}")))?
        }
        None => HyperTransport::default(),
    };
    let config = Arc::new(config);
    let kafka = Arc::new(kafka::Kafka::connect(&config).map_err(StartError)?);
    kafka
        .ensure_subscriptions_topic()
        .await
        .map_err(StartError)?;
    let registry = registry::Registry::new(config.clone(), kafka.clone(), Arc::new(transport));
    let router = api::router(config.clone(), kafka.clone());
    router.set_ready(false);
    let ready = router.clone();
    let reg = registry.clone();
    tokio::spawn(async move {
        match reg.follow(move || ready.set_ready(true)).await {
            Ok(()) => {}
            Err(e) => tracing::error!(error = %e, "the subscriptions registry stopped"),
        }
    });
    let (stop_tx, mut stop_rx) = watch::channel(false);
    let serving = tokio::spawn(brief_runtime::serve(listener, router, async move {
        let _ = stop_rx.wait_for(|stop| *stop).await;
    }));
    shutdown.await;
    let _ = stop_tx.send(true);
    let (served, ()) = tokio::join!(serving, registry.shutdown(config.shutdown_grace));
    kafka.flush(CLOSE_TIMEOUT).await;
    tracing::info!("stopped");
    match served {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(StartError(format!("serving: {e}"))),
        Err(e) => Err(StartError(format!("serving: {e}"))),
    }
}
