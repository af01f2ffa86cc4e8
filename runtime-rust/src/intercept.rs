//! Interceptors (middleware) as tower layers, the Rust form of runtime-go's client and server
//! interceptors (docs/go.md, "Options, interceptors and call options"; docs/rust.md,
//! Interceptors).
//!
//! - A **client** layer ([`crate::ClientOptions::layer`]) wraps every call of a client: a
//!   `tower::Service<`[`ClientCall`]`, Response = Bytes, Error = CallFailure>` around the whole
//!   call, retries and the client's metrics included, inside the call options (it sees and may
//!   change [`ClientCall::opts`]: headers, the timeout). It sees the encoded input and answers the
//!   output's bytes, so one layer serves every rpc of every dependency.
//! - A **server** layer ([`crate::RouterBuilder::layer`]) wraps every rpc handler of a router: a
//!   `tower::Service<`[`ServerCall`]`, Response = `[`ServerOutput`]`, Error = ErrorReply>` that
//!   runs after the request is decoded, with the request's [`Context`] (deadline, caller, request
//!   id), and sees the decoded input ([`ServerCall::input`]). An [`ErrorReply`] it returns is
//!   answered as a handler's error would be; a panic is `internal`; an output of the wrong type is
//!   `internal`. Server layers do not wrap event consumers.
//!
//! The first layer given is the outermost: it runs first and sees the result last. A router or
//! client without layers takes none of this path (no boxing, no `Any`).
use crate::client::{CallOptions, RpcInfo};
use crate::errors::{CallFailure, ErrorReply};
use crate::meta::Context;
use bytes::Bytes;
use std::any::Any;
use std::sync::Arc;
use tower::util::BoxCloneSyncService;

pub use tower::{Layer, Service, ServiceExt};

/// One call as a client layer sees it.
#[derive(Debug, Clone)]
pub struct ClientCall {
    /// What the call runs under (deadline, request id, trace).
    pub ctx: Context,
    /// The called service (the dependency).
    pub service: Arc<str>,
    /// The rpc.
    pub rpc: RpcInfo,
    /// The encoded input (JSON).
    pub body: Bytes,
    /// The call's options: headers and timeout, which a layer may change.
    pub opts: CallOptions,
}

impl ClientCall {
    /// `"<service>.<rpc>"`, like runtime-go's procedure (`"summer.sum"`).
    pub fn procedure(&self) -> String {
        format!("{}.{}", self.service, self.rpc.name)
    }
}

/// The rest of a client call below a layer: the next layer, or the call itself.
pub type ClientService = BoxCloneSyncService<ClientCall, Bytes, CallFailure>;

/// One rpc request as a server layer sees it.
pub struct ServerCall {
    /// The request's context (deadline, caller, request id, trace).
    pub ctx: Context,
    /// The serving service.
    pub service: Arc<str>,
    /// The rpc's name.
    pub rpc: &'static str,
    /// The decoded input, of the rpc's generated input type.
    pub input: Box<dyn Any + Send>,
}

impl std::fmt::Debug for ServerCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerCall")
            .field("ctx", &self.ctx)
            .field("service", &self.service)
            .field("rpc", &self.rpc)
            .finish_non_exhaustive()
    }
}

impl ServerCall {
    /// `"<service>.<rpc>"`.
    pub fn procedure(&self) -> String {
        format!("{}.{}", self.service, self.rpc)
    }

    /// The input as `T` (a generated input type), if it is one.
    pub fn input<T: 'static>(&self) -> Option<&T> {
        self.input.downcast_ref()
    }
}

/// What a handler answered, as a server layer sees it: the rpc's generated output type, boxed
/// (`downcast_ref` to read it).
pub type ServerOutput = Box<dyn Any + Send>;

/// The rest of an rpc below a server layer: the next layer, or the handler.
pub type ServerService = BoxCloneSyncService<ServerCall, ServerOutput, ErrorReply>;

/// A layer kept type-erased until the client or router is built.
pub(crate) type Wrap<S> = Arc<dyn Fn(S) -> S + Send + Sync>;

/// `layer` as a [`Wrap`] of boxed services of `Req`.
pub(crate) fn wrap<L, Req, Resp, Err>(layer: L) -> Wrap<BoxCloneSyncService<Req, Resp, Err>>
where
    L: Layer<BoxCloneSyncService<Req, Resp, Err>> + Send + Sync + 'static,
    L::Service: Service<Req, Response = Resp, Error = Err> + Clone + Send + Sync + 'static,
    <L::Service as Service<Req>>::Future: Send + 'static,
    Req: 'static,
    Resp: 'static,
    Err: 'static,
{
    Arc::new(move |inner| BoxCloneSyncService::new(layer.layer(inner)))
}

/// `core` wrapped in `layers`, the first given outermost.
pub(crate) fn stack<S>(core: S, layers: &[Wrap<S>]) -> S {
    layers.iter().rev().fold(core, |inner, wrap| wrap(inner))
}
