//! brief-runtime: what generated Rust code links against (docs/rust.md), speaking the brief wire
//! protocol 1.1 (docs/protocol.md): the JSON mapping ([`codec`], [`Timestamp`]), errors
//! ([`errors`]), call metadata ([`Context`]), discovery, a pooled [`Client`], the [`Router`]
//! and [`serve`] (HTTP/1.1 and h2c, the timeouts of section 7), events and the data bus
//! ([`events`]), interceptors as tower layers ([`intercept`]), and Prometheus [`metrics`].
//!
//! Generated code depends only on this crate: it re-exports `serde`, `serde_json`, `thiserror`,
//! `tokio`, `hyper`, `http`, `bytes`, `time` and `tower`.
pub mod breaker;
pub mod budget;
pub mod client;
pub mod codec;
mod conn;
pub mod discovery;
pub mod errors;
pub mod events;
pub mod intercept;
pub mod meta;
pub mod metrics;
pub mod server;
mod timestamp;
pub mod transport;

pub use bytes;
pub use http;
pub use hyper;
pub use serde;
pub use serde_json;
pub use thiserror;
pub use time;
pub use tokio;
pub use tower;

pub use client::{CallOptions, Client, ClientOptions, ConfigError, RetryPolicy, RpcInfo};
pub use errors::{
    AppError, ApplicationError, CallFailure, Code, ErrorReply, FromFailure, IntoReply,
    TransportError,
};
pub use events::{Bus, Publisher};
pub use meta::Context;
pub use server::{
    serve, serve_addr, serve_with, shutdown_signal, HandlerResult, Router, RouterBuilder,
    ServeOptions,
};
pub use timestamp::Timestamp;
