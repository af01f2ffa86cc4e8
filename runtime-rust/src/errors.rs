//! Errors on the wire (docs/protocol.md section 4): the transport [`Code`]s with their statuses
//! and classification, [`TransportError`], the generic [`AppError`], the error envelope, and how a
//! client reads a non-200 answer ([`interpret`]).
use serde_json::{Map, Value};
use std::fmt;

/// A transport code (section 4.2). New codes come only with a new protocol version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    Canceled,
    Unknown,
    InvalidArgument,
    DeadlineExceeded,
    NotFound,
    AlreadyExists,
    PermissionDenied,
    ResourceExhausted,
    FailedPrecondition,
    Aborted,
    OutOfRange,
    Unimplemented,
    Internal,
    Unavailable,
    DataLoss,
    Unauthenticated,
}

impl Code {
    /// Every code, in the order of section 4.2.
    pub const ALL: [Code; 16] = [
        Code::Canceled,
        Code::Unknown,
        Code::InvalidArgument,
        Code::DeadlineExceeded,
        Code::NotFound,
        Code::AlreadyExists,
        Code::PermissionDenied,
        Code::ResourceExhausted,
        Code::FailedPrecondition,
        Code::Aborted,
        Code::OutOfRange,
        Code::Unimplemented,
        Code::Internal,
        Code::Unavailable,
        Code::DataLoss,
        Code::Unauthenticated,
    ];

    /// The code's wire name (`invalid_argument`).
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Canceled => "canceled",
            Code::Unknown => "unknown",
            Code::InvalidArgument => "invalid_argument",
            Code::DeadlineExceeded => "deadline_exceeded",
            Code::NotFound => "not_found",
            Code::AlreadyExists => "already_exists",
            Code::PermissionDenied => "permission_denied",
            Code::ResourceExhausted => "resource_exhausted",
            Code::FailedPrecondition => "failed_precondition",
            Code::Aborted => "aborted",
            Code::OutOfRange => "out_of_range",
            Code::Unimplemented => "unimplemented",
            Code::Internal => "internal",
            Code::Unavailable => "unavailable",
            Code::DataLoss => "data_loss",
            Code::Unauthenticated => "unauthenticated",
        }
    }

    /// The code of a wire name, `None` for anything else (application error names included).
    pub fn parse(name: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// The HTTP status a server answers with.
    pub fn http_status(self) -> u16 {
        match self {
            Code::Canceled => 499,
            Code::Unknown | Code::Internal | Code::DataLoss => 500,
            Code::InvalidArgument | Code::OutOfRange => 400,
            Code::DeadlineExceeded => 504,
            Code::NotFound => 404,
            Code::AlreadyExists | Code::Aborted => 409,
            Code::PermissionDenied => 403,
            Code::ResourceExhausted => 429,
            Code::FailedPrecondition => 412,
            Code::Unimplemented => 501,
            Code::Unavailable => 503,
            Code::Unauthenticated => 401,
        }
    }

    /// Whether an `@idempotent` call may be retried after it (section 6.2).
    pub fn retryable(self) -> bool {
        self == Code::Unavailable
    }

    /// Whether it counts as a failure for the circuit breaker (section 6.1).
    pub fn breaker_failure(self) -> bool {
        matches!(
            self,
            Code::Unknown
                | Code::Internal
                | Code::Unavailable
                | Code::DeadlineExceeded
                | Code::DataLoss
        )
    }

    /// The code of a non-200 status without a usable envelope (section 4.4).
    pub fn from_status(status: u16) -> Code {
        match status {
            400 => Code::InvalidArgument,
            401 => Code::Unauthenticated,
            403 => Code::PermissionDenied,
            404 | 501 => Code::Unimplemented,
            408 | 504 => Code::DeadlineExceeded,
            409 => Code::Aborted,
            412 => Code::FailedPrecondition,
            413 => Code::ResourceExhausted,
            429 | 502 | 503 => Code::Unavailable,
            499 => Code::Canceled,
            _ => Code::Unknown,
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a [`TransportError`] came from, which decides how a server answers when a handler
/// returns it (section 4.5) and how the breaker counts it (section 6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Made by the application (a handler's own `TransportError::new`).
    Local,
    /// The failure of an outgoing brief call (the peer's answer or no answer).
    Outgoing,
    /// An outgoing call's answer that could not be used (section 4.4: a 200 or declared details
    /// that do not decode, a response over the limit).
    LocalFailure,
    /// An outgoing call rejected by an open circuit breaker.
    CircuitOpen,
}

/// A transport error: a [`Code`], a message for logs and free-form details.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct TransportError {
    pub code: Code,
    pub message: String,
    pub details: Box<Map<String, Value>>,
    pub origin: Origin,
}

impl TransportError {
    /// An error with `code` and `message`, made by the application.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        TransportError {
            code,
            message: message.into(),
            details: Box::default(),
            origin: Origin::Local,
        }
    }

    /// The same error with `details`.
    pub fn with_details(mut self, details: Map<String, Value>) -> Self {
        self.details = Box::new(details);
        self
    }

    pub(crate) fn outgoing(mut self) -> Self {
        self.origin = Origin::Outgoing;
        self
    }

    pub(crate) fn local_failure(code: Code, message: impl Into<String>) -> Self {
        let mut e = TransportError::new(code, message);
        e.origin = Origin::LocalFailure;
        e
    }

    /// The rejection of a call by the open circuit breaker of dependency `dep`.
    pub(crate) fn circuit_open(dep: &str) -> Self {
        let mut e = TransportError::new(
            Code::Unavailable,
            format!("circuit open: calls to {dep} are rejected for a while"),
        );
        e.origin = Origin::CircuitOpen;
        e
    }

    /// Whether this is the rejection of an open circuit breaker (it is also `unavailable`).
    pub fn is_circuit_open(&self) -> bool {
        self.origin == Origin::CircuitOpen
    }

    /// Whether the answer was `internal` with `details.reason` = `DEPENDENCY_FAILED` (4.5).
    pub fn is_dependency_failed(&self) -> bool {
        self.code == Code::Internal
            && self.details.get("reason").and_then(Value::as_str) == Some("DEPENDENCY_FAILED")
    }
}

/// An application error the caller's code has no type for (a name the rpc does not declare), or
/// the raw form of a declared one: name, message and the details object.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{name}: {message}")]
pub struct AppError {
    pub name: String,
    pub message: String,
    pub details: Value,
}

/// A generated application error type (one per contract `error`).
pub trait ApplicationError: serde::Serialize + serde::de::DeserializeOwned + Default {
    /// The error's name as declared (the envelope's `code`).
    const NAME: &'static str;
    /// The envelope's `message`: the doc string or a description.
    fn message(&self) -> String;
}

/// A generated per-rpc error: what the server answers for it (sections 4.3 and 4.5).
pub trait IntoReply {
    fn into_reply(self) -> ErrorReply;
}

impl IntoReply for TransportError {
    fn into_reply(self) -> ErrorReply {
        ErrorReply::from_transport(&self)
    }
}

/// A generated per-rpc error: built from the failure of a call (declared application errors
/// decoded into their types) or from a transport error.
pub trait FromFailure: From<TransportError> {
    fn from_failure(f: CallFailure) -> Self;
}

/// What went wrong with a call before its generated error type is built.
#[derive(Debug, Clone, PartialEq)]
pub enum CallFailure {
    Transport(TransportError),
    App(AppError),
}

/// An error response: status and envelope, ready to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorReply {
    pub status: u16,
    pub code: String,
    pub message: String,
    pub details: Box<Value>,
}

impl ErrorReply {
    /// The reply of a transport code.
    pub fn transport(code: Code, message: impl Into<String>) -> Self {
        ErrorReply {
            status: code.http_status(),
            code: code.as_str().to_owned(),
            message: message.into(),
            details: Box::new(Value::Object(Map::new())),
        }
    }

    /// The reply of a declared application error (422, details = its fields).
    pub fn app<E: ApplicationError>(e: &E) -> Self {
        match serde_json::to_value(e) {
            Ok(details) => ErrorReply {
                status: 422,
                code: E::NAME.to_owned(),
                message: e.message(),
                details: Box::new(details),
            },
            Err(err) => {
                tracing::error!(error = %err, name = E::NAME, "cannot encode an application error");
                ErrorReply::internal()
            }
        }
    }

    /// `internal` with the message `internal error`: nothing of the cause leaks.
    pub fn internal() -> Self {
        ErrorReply::transport(Code::Internal, "internal error")
    }

    /// The reply to a handler that returned a transport error (sections 4.3 and 4.5).
    pub fn from_transport(e: &TransportError) -> Self {
        match e.origin {
            Origin::Local => {
                let mut r = ErrorReply::transport(e.code, e.message.clone());
                r.details = Box::new(Value::Object((*e.details).clone()));
                r
            }
            _ => match e.code {
                Code::DeadlineExceeded | Code::Canceled => {
                    ErrorReply::transport(e.code, e.message.clone())
                }
                code => {
                    tracing::warn!(code = %code, message = %e.message, "a dependency failed");
                    let mut r = ErrorReply::transport(Code::Internal, "a dependency failed");
                    r.details = Box::new(serde_json::json!({
                        "reason": "DEPENDENCY_FAILED",
                        "downstream_code": code.as_str(),
                    }));
                    r
                }
            },
        }
    }

    /// The reply to a handler that returned an application error its rpc does not declare.
    pub fn undeclared(e: &AppError) -> Self {
        tracing::error!(name = %e.name, "a handler returned an undeclared application error");
        ErrorReply::internal()
    }

    /// The JSON envelope `{"error": {"code", "message", "details"}}`.
    pub fn body(&self) -> Vec<u8> {
        let v = serde_json::json!({"error": {
            "code": self.code,
            "message": self.message,
            "details": self.details,
        }});
        serde_json::to_vec(&v).unwrap_or_default()
    }
}

/// How a client reads a non-200 answer with body `body` (section 4.4). `declared` are the
/// application error names of the rpc; a declared name comes back as [`CallFailure::App`]
/// for the generated code to decode into its type.
pub fn interpret(status: u16, body: &[u8]) -> CallFailure {
    let envelope = serde_json::from_slice::<Value>(body).ok();
    let error = envelope
        .as_ref()
        .and_then(|v| v.get("error"))
        .filter(|e| e.is_object());
    if let Some(e) = error {
        if let Some(code) = e
            .get("code")
            .and_then(Value::as_str)
            .filter(|c| !c.is_empty())
        {
            let message = e
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let details = e.get("details").cloned().unwrap_or(Value::Null);
            if let Some(c) = Code::parse(code) {
                let details = match details {
                    Value::Object(m) => m,
                    _ => Map::new(),
                };
                return CallFailure::Transport(
                    TransportError::new(c, message)
                        .with_details(details)
                        .outgoing(),
                );
            }
            if status == 422 {
                let details = if details.is_null() {
                    Value::Object(Map::new())
                } else {
                    details
                };
                return CallFailure::App(AppError {
                    name: code.to_owned(),
                    message,
                    details,
                });
            }
        }
    }
    let code = Code::from_status(status);
    CallFailure::Transport(
        TransportError::new(
            code,
            format!("HTTP status {status} without a brief error envelope"),
        )
        .outgoing(),
    )
}

/// Decodes a declared application error's details into its generated type; failure is a local
/// failure (`internal`, section 4.4).
pub fn decode_app<E: ApplicationError>(e: &AppError) -> Result<E, TransportError> {
    let text = serde_json::to_vec(&e.details).unwrap_or_default();
    crate::codec::decode::<E>(&text).map_err(|_| {
        TransportError::local_failure(
            Code::Internal,
            format!("the details of application error {} do not decode", e.name),
        )
    })
}
