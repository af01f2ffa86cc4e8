//! The typed app.toml model (part of the IR) and the per-environment merge of overrides.
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Declares a closed set of lower-case words as an enum with its list of spellings.
macro_rules! word_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $var:ident = $word:literal,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vm])* #[serde(rename = $word)] $var,)*
        }

        impl $name {
            /// Every value, in documented order.
            pub const ALL: &'static [$name] = &[$($name::$var,)*];
            /// Every spelling, in documented order.
            pub const WORDS: &'static [&'static str] = &[$($word,)*];

            /// The spelling in app.toml.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$var => $word,)* }
            }

            /// Parses the spelling in app.toml.
            pub fn from_word(s: &str) -> Option<Self> {
                match s { $($word => Some($name::$var),)* _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

word_enum! {
    /// What role a service plays; it decides which objects it gets (see docs/app-toml.md).
    #[derive(Default)]
    Kind {
        /// An ordinary service with an API (the default).
        #[default]
        Business = "business",
        /// A shared platform service (auth, billing, ...): an API, scheduled like a business one.
        Infrastructure = "infrastructure",
        /// The edge of the platform: an API meant to be reachable from outside (`public_host`).
        Gateway = "gateway",
        /// No API: consumes events and runs jobs. Gets no Service and accepts no traffic.
        Worker = "worker",
    }
}

word_enum! {
    /// The language runtime, which decides the base image and the run conventions.
    EngineName {
        Golang = "golang",
        Php = "php",
        Rust = "rust",
        Python = "python",
        Node = "node",
        Java = "java",
        Static = "static",
    }
}

word_enum! {
    /// A resource class; the platform config maps each to CPU and memory requests and limits.
    #[derive(Default)]
    Size {
        Nano = "nano",
        #[default]
        Small = "small",
        Medium = "medium",
        Large = "large",
        Xlarge = "xlarge",
    }
}

word_enum! {
    /// A storage the platform provisions for the service.
    StorageKind {
        Postgresql = "postgresql",
        Redis = "redis",
        Mongodb = "mongodb",
        Rabbitmq = "rabbitmq",
    }
}

/// The validated content of app.toml.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppConfig {
    /// The service name: a DNS-1035 label, the same as in `service "name"`.
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub kind: Kind,
    #[serde(default = "one")]
    pub replicas: u32,
    pub engine: Option<Engine>,
    /// Host name under which the service is reachable from outside, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_host: Option<String>,
    /// Non-secret environment variables.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Names of secrets (values live in vault), each delivered as an environment variable.
    #[serde(default)]
    pub secrets: Vec<String>,
    #[serde(default)]
    pub dependencies: Vec<Dependency>,
    #[serde(default)]
    pub storages: Vec<Storage>,
    #[serde(default)]
    pub crons: Vec<Cron>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscaling: Option<Autoscaling>,
    /// Per-environment overrides, by environment name.
    #[serde(default)]
    pub envs: BTreeMap<String, EnvOverride>,
}

fn one() -> u32 {
    1
}

/// `[engine]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Engine {
    pub name: EngineName,
    /// Runtime version, e.g. `1.23`; empty means the platform's current default.
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub size: Size,
}

/// `[[dependencies]]`: a service this one calls or whose events it consumes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dependency {
    pub name: String,
    /// Topics of the dependency's `schema` events this service consumes.
    #[serde(default)]
    pub subscribe: Vec<String>,
}

/// `[[storages]]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Storage {
    pub kind: StorageKind,
    pub name: String,
    /// Project-relative directory of SQL migrations (postgresql only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub migrations: Option<String>,
}

/// `[[crons]]`: a scheduled command run in the service's image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cron {
    pub name: String,
    /// Five-field cron syntax (minute hour day-of-month month day-of-week) or `@daily` etc.
    pub schedule: String,
    /// The command and its arguments.
    pub command: Vec<String>,
}

/// `[autoscaling]`: horizontal autoscaling on CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Autoscaling {
    pub min: u32,
    pub max: u32,
    /// Target average CPU utilisation in percent of the request.
    #[serde(default = "default_cpu")]
    pub cpu: u32,
}

/// The default CPU target of `[autoscaling]`, in percent.
pub const DEFAULT_CPU_PERCENT: u32 = 70;

fn default_cpu() -> u32 {
    DEFAULT_CPU_PERCENT
}

/// `[envs.<env>]`: what one environment changes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvOverride {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<EngineOverride>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_host: Option<String>,
    /// Merged over the top-level `[env]`, variable by variable.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    /// Added to the top-level `secrets`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<String>,
    /// Replaces the top-level `[autoscaling]` as a whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscaling: Option<Autoscaling>,
}

/// `[envs.<env>.engine]`: the engine's version and size may differ per environment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineOverride {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<Size>,
}

/// The configuration in force in one environment: the top level with `[envs.<env>]` merged in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EffectiveConfig {
    /// The environment's name.
    pub env_name: String,
    pub name: String,
    pub description: String,
    pub kind: Kind,
    pub replicas: u32,
    pub engine: Option<Engine>,
    pub public_host: Option<String>,
    pub env: BTreeMap<String, String>,
    /// Sorted, without duplicates.
    pub secrets: Vec<String>,
    pub dependencies: Vec<Dependency>,
    pub storages: Vec<Storage>,
    pub crons: Vec<Cron>,
    pub autoscaling: Option<Autoscaling>,
}

impl AppConfig {
    /// The configuration for environment `env`: scalars and tables of `[envs.<env>]` replace the
    /// top-level ones, `env` variables are merged key by key, `secrets` are added. An environment
    /// without a section gets the top level unchanged.
    pub fn for_env(&self, env: &str) -> EffectiveConfig {
        let o = self.envs.get(env).cloned().unwrap_or_default();
        let engine = self.engine.clone().map(|mut e| {
            if let Some(eo) = &o.engine {
                if let Some(v) = &eo.version {
                    e.version = v.clone();
                }
                if let Some(s) = eo.size {
                    e.size = s;
                }
            }
            e
        });
        let mut vars = self.env.clone();
        vars.extend(o.env);
        let mut secrets = self.secrets.clone();
        secrets.extend(o.secrets);
        secrets.sort();
        secrets.dedup();
        EffectiveConfig {
            env_name: env.to_owned(),
            name: self.name.clone(),
            description: self.description.clone(),
            kind: self.kind,
            replicas: o.replicas.unwrap_or(self.replicas),
            engine,
            public_host: o.public_host.or_else(|| self.public_host.clone()),
            env: vars,
            secrets,
            dependencies: self.dependencies.clone(),
            storages: self.storages.clone(),
            crons: self.crons.clone(),
            autoscaling: o.autoscaling.or(self.autoscaling),
        }
    }
}
