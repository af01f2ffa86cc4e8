//! The IR: the resolved, typed, serde-serialisable model of one service project.
//!
//! It is the only input backends get, and `paasctl ir` prints it as JSON (see docs/ir.md).
//! Bump [`IR_VERSION`] on any incompatible change of its JSON form.
use crate::app::AppConfig;
use serde::{Deserialize, Serialize};

/// Re-exported from [`crate::source`], where locations live next to spans.
pub use crate::source::Loc;

/// Version of the IR's JSON form.
pub const IR_VERSION: u32 = 1;

/// One service project: its own contract, the contracts it calls, and its validated app.toml.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ir {
    pub version: u32,
    /// The service's own contract (`service.brief`), if the project has one.
    pub service: Option<Contract>,
    /// Contracts of the services it calls (`rpc/<dependency>.brief`), sorted by name.
    pub dependencies: Vec<Contract>,
    /// The validated app.toml, if the project has one (absent when checking a lone .brief file).
    pub app: Option<AppConfig>,
    /// app.toml's subscriptions joined with the dependencies' `schema` events (checked by E0503),
    /// sorted by dependency, then topic. Absent in IR JSON written before it existed.
    #[serde(default)]
    pub subscriptions: Vec<Subscription>,
}

impl Ir {
    /// The dependency contract a subscription is to.
    pub fn subscription_contract(&self, s: &Subscription) -> Option<&Contract> {
        self.dependencies.iter().find(|c| c.name == s.dependency)
    }

    /// The message a subscription delivers, resolved in the dependency's contract.
    pub fn subscription_message(&self, s: &Subscription) -> Option<&Message> {
        match self.subscription_contract(s)?.type_def(&s.message)? {
            TypeDef::Message(m) => Some(m),
            _ => None,
        }
    }
}

/// One subscription of app.toml (`[[dependencies]] subscribe = [...]`), resolved against the
/// dependency's contract.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Subscription {
    /// The dependency's name: the `name` of one of [`Ir::dependencies`].
    pub dependency: String,
    /// The topic, as in the dependency's `schema "topic" Type`.
    pub topic: String,
    /// Name of the message the event carries, a type of that dependency's contract.
    pub message: String,
}

/// `@deprecated("reason")`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deprecated {
    pub reason: Option<String>,
}

/// One service's contract: a `service` declaration with its rpcs, events and every type they reach.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contract {
    /// The service name from `service "name"`.
    pub name: String,
    pub doc: Option<String>,
    pub deprecated: Option<Deprecated>,
    pub rpcs: Vec<Rpc>,
    /// Events this service publishes (`schema "topic" Type`).
    pub events: Vec<Event>,
    /// Every message, enum and error of the contract file and the files it imports, in source order.
    pub types: Vec<TypeDef>,
    pub loc: Loc,
}

impl Contract {
    /// Looks up a type of this contract by name.
    pub fn type_def(&self, name: &str) -> Option<&TypeDef> {
        self.types.iter().find(|t| t.name() == name)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rpc {
    pub name: String,
    pub doc: Option<String>,
    /// Name of the input message.
    pub input: String,
    /// Name of the output message.
    pub output: String,
    /// Names of the application errors it may return (`throws (...)`), in declared order.
    pub errors: Vec<String>,
    /// `@idempotent`: safe to retry.
    pub idempotent: bool,
    /// `@timeout("250ms")`, in milliseconds.
    pub timeout_ms: Option<u64>,
    pub deprecated: Option<Deprecated>,
    pub loc: Loc,
}

/// `schema "topic" Type`: an event on the data bus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub topic: String,
    /// Name of the message carried.
    pub message: String,
    pub doc: Option<String>,
    pub deprecated: Option<Deprecated>,
    pub loc: Loc,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TypeDef {
    Message(Message),
    Enum(Enum),
    Error(ErrorType),
}

impl TypeDef {
    pub fn name(&self) -> &str {
        match self {
            TypeDef::Message(m) => &m.name,
            TypeDef::Enum(e) => &e.name,
            TypeDef::Error(e) => &e.name,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub name: String,
    pub doc: Option<String>,
    pub fields: Vec<Field>,
    pub deprecated: Option<Deprecated>,
    pub loc: Loc,
}

/// A typed application error (`error Name { fields }`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorType {
    pub name: String,
    pub doc: Option<String>,
    pub fields: Vec<Field>,
    pub deprecated: Option<Deprecated>,
    pub loc: Loc,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    /// The name exactly as written; it is also the JSON name on the wire.
    pub name: String,
    #[serde(rename = "type")]
    pub ty: Type,
    pub doc: Option<String>,
    pub deprecated: Option<Deprecated>,
    pub loc: Loc,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Enum {
    pub name: String,
    pub doc: Option<String>,
    pub values: Vec<EnumValue>,
    pub deprecated: Option<Deprecated>,
    pub loc: Loc,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnumValue {
    pub name: String,
    pub doc: Option<String>,
    pub deprecated: Option<Deprecated>,
    pub loc: Loc,
}

/// A resolved type. Nesting depth is bounded by the checker (at most 32 levels).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Type {
    Int,
    Float,
    Bool,
    String,
    Bytes,
    Time,
    List { elem: Box<Type> },
    Map { key: MapKey, value: Box<Type> },
    Optional { inner: Box<Type> },
    Message { name: String },
    Enum { name: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MapKey {
    String,
    Int,
}
