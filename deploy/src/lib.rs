//! The paasctl deploy driver (docs/deploy.md): applies the rendered stages of one service in one
//! environment to a cluster with server-side apply, waits for readiness (kstatus rules), prunes
//! what the new release no longer has, keeps a `Release` record per version, and holds a Lease so
//! that only one deploy of a service and environment runs at a time.
//!
//! This crate knows nothing of the manifests backend: the caller renders the stages and passes
//! their YAML in. The entry points are synchronous; each runs its own Tokio runtime.
mod apply;
mod canary;
mod cluster;
mod error;
mod event;
mod lock;
mod objects;
mod prune;
pub mod readiness;
mod release;
pub mod route;
mod run;
mod sync;

pub use canary::{abort as canary_abort, canary_replicas, promote_plan, TRACK_LABEL};
pub use cluster::Target;
pub use error::Error;
pub use event::Event;
pub use release::{ReleaseInfo, ReleasePhase};
pub use run::{
    deploy, releases, rollback_plan, status, ClusterReleases, ClusterStatus, DeployOutcome,
    ObjectStatus, StageStatus, StatusReport,
};
pub use sync::{sync, SyncOutcome};

use std::collections::BTreeMap;
use std::time::Duration;

/// The label that marks an object as applied by this driver for one service (its value).
pub const SERVICE_LABEL: &str = "paasctl.brief.dev/service";
/// The label that marks an object as applied by this driver for one environment (its value).
pub const ENV_LABEL: &str = "paasctl.brief.dev/env";
/// The field manager of every server-side apply.
pub const FIELD_MANAGER: &str = "paasctl";

/// One rendered stage: its name (`init`, `db`, `app`, `balancing`) and multi-document YAML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageInput {
    pub name: String,
    pub yaml: String,
}

/// The rendered stages of one cluster (by its name), in apply order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterStages {
    pub cluster: String,
    pub stages: Vec<StageInput>,
}

/// What to deploy: one service in one environment, its image and, per cluster of the
/// environment, its stages in apply order. Every cluster's record keeps all of `manifests`, also
/// those of clusters this deploy does not reach (`--context`), so any cluster can be rebuilt from
/// any other.
#[derive(Debug, Clone)]
pub struct Plan {
    pub service: String,
    pub env: String,
    pub image: String,
    /// `simple`; `canary` (a canary beside the stable release, [`Options::canary_percent`] of the
    /// traffic by replica ratio); `rollback` for a release that reapplies an earlier one;
    /// `canary-promote` for a promoted canary.
    pub strategy: String,
    /// The version a rollback reapplies.
    pub rollback_of: Option<u64>,
    /// Who deploys (recorded in the release and the lock), e.g. `$USER`.
    pub who: String,
    pub manifests: Vec<ClusterStages>,
    /// What the manifests were rendered from, kept in the record so that a rollback can render
    /// them again with a newer toolchain and platform (none: not recorded).
    pub inputs: Option<Inputs>,
}

/// What a release was rendered from (besides its image, which the record keeps anyway): the
/// project's files, the platform config's hash and the toolchain's version. The driver only
/// stores and returns them; the caller renders (docs/deploy.md, Rollback).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Inputs {
    /// Every file the compiler read (app.toml, every `.brief`), by path from the project's
    /// root, with forward slashes.
    pub files: BTreeMap<String, String>,
    /// Directories the project names whose content the compiler does not read (a storage's
    /// `migrations`): they must exist for the project to check.
    #[serde(default)]
    pub dirs: Vec<String>,
    /// A hash of the platform config the release was rendered with.
    pub platform_hash: String,
    /// The toolchain that rendered it, e.g. `paasctl 0.1.0`.
    pub toolchain: String,
}

impl Plan {
    /// The stages of one cluster.
    pub fn stages(&self, cluster: &str) -> Option<&[StageInput]> {
        self.manifests
            .iter()
            .find(|c| c.cluster == cluster)
            .map(|c| c.stages.as_slice())
    }
}

/// How to deploy.
#[derive(Debug, Clone)]
pub struct Options {
    /// How long each stage may take to become ready.
    pub timeout: Duration,
    /// Apply every stage in order without waiting for readiness (as `kubectl apply` does).
    pub no_wait: bool,
    /// Server-side dry run: nothing is changed (no release record, no lock, no prune).
    pub dry_run: bool,
    /// Leave a failed release failed instead of rolling back to the last deployed one.
    pub no_auto_rollback: bool,
    /// The canary's share of the traffic in percent (1 to 99), for the `canary` strategy.
    pub canary_percent: u32,
    /// How many releases of a service and environment are kept.
    pub history: usize,
    /// The namespace of the release records and locks.
    pub system_namespace: String,
    /// How long a lock lives without being renewed (a crashed deploy's lock expires after it).
    pub lease_duration: Duration,
    /// How often readiness is polled.
    pub poll: Duration,
    /// `sync`: leave out (and report) the clusters that do not answer instead of failing.
    pub skip_unreachable: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            timeout: Duration::from_secs(300),
            no_wait: false,
            dry_run: false,
            no_auto_rollback: false,
            canary_percent: 10,
            history: 10,
            system_namespace: "paasctl-system".to_owned(),
            lease_duration: Duration::from_secs(60),
            poll: Duration::from_millis(500),
            skip_unreachable: false,
        }
    }
}

/// Receives the driver's events (the CLI prints them on stderr, or as JSON lines).
pub type Progress<'a> = &'a (dyn Fn(&Event) + Sync);
