//! What the driver reports while it works: one [`Event`] per step, per cluster where it happens
//! in one. The CLI prints each as a human line ([`std::fmt::Display`]) or as one JSON object per
//! line (`--format json`, serde: `{"event": "stage-progress", "cluster": ..., ...}`).
use serde::Serialize;
use std::fmt;

/// One step of a deploy, rollback or sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Event {
    /// The tool's namespace and the Release CRDs are ready in a cluster.
    Installed { cluster: String },
    /// A release a crashed deploy left `pending` was marked failed.
    Recovered { cluster: String, version: u64 },
    /// A new release is recorded (in every cluster of the deploy).
    Release {
        service: String,
        env: String,
        version: u64,
        strategy: String,
        clusters: Vec<String>,
    },
    /// A stage's objects are being applied in a cluster.
    StageApplying {
        cluster: String,
        stage: String,
        objects: usize,
    },
    /// How many objects of a stage are ready in a cluster (sent when the count changes).
    StageProgress {
        cluster: String,
        stage: String,
        ready: usize,
        total: usize,
    },
    /// A stage is ready in every cluster (or applied, without waiting).
    StageDone { stage: String },
    /// An object the release no longer has was deleted.
    Pruned { cluster: String, object: String },
    /// The release is deployed in every cluster.
    Deployed { version: u64 },
    /// The release failed (the error names the cluster and what was not ready).
    Failed { version: u64, error: String },
    /// A failed release is being rolled back to an earlier one.
    AutoRollback { failed: u64, to: u64 },
    /// A cluster already runs the release of record.
    InSync { cluster: String, version: u64 },
    /// A cluster is being brought to the release of record (`from`: its own latest deployed).
    Syncing {
        cluster: String,
        version: u64,
        from: Option<u64>,
    },
    /// A cluster did not answer and is left out (`sync --skip-unreachable`).
    Unreachable { cluster: String, error: String },
    /// A free-form note (a dry run's result and the like).
    Note { message: String },
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Installed { cluster } => write!(f, "{cluster}: init: release records ready"),
            Event::Recovered { cluster, version } => write!(
                f,
                "{cluster}: release v{version} was left pending by a deploy that did not finish: \
                 marked failed"
            ),
            Event::Release {
                service,
                env,
                version,
                strategy,
                clusters,
            } => write!(
                f,
                "release v{version} of {service} in {env} ({strategy}) in {}",
                clusters.join(", ")
            ),
            Event::StageApplying {
                cluster,
                stage,
                objects,
            } => write!(f, "{cluster}: {stage}: applying {objects} objects"),
            Event::StageProgress {
                cluster,
                stage,
                ready,
                total,
            } => write!(f, "{cluster}: {stage}: {ready}/{total} ready"),
            Event::StageDone { stage } => write!(f, "{stage}: done in every cluster"),
            Event::Pruned { cluster, object } => write!(f, "{cluster}: pruned {object}"),
            Event::Deployed { version } => write!(f, "release v{version} deployed"),
            Event::Failed { version, error } => write!(f, "release v{version} failed: {error}"),
            Event::AutoRollback { failed, to } => write!(
                f,
                "rolling back automatically: v{failed} failed, returning to v{to}"
            ),
            Event::InSync { cluster, version } => {
                write!(f, "{cluster}: in sync at release v{version}")
            }
            Event::Syncing {
                cluster,
                version,
                from,
            } => match from {
                Some(v) => write!(f, "{cluster}: at v{v}, bringing it to release v{version}"),
                None => write!(
                    f,
                    "{cluster}: has no deployed release, bringing it to release v{version}"
                ),
            },
            Event::Unreachable { cluster, error } => {
                write!(f, "{cluster}: did not answer, left out: {error}")
            }
            Event::Note { message } => write!(f, "{message}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_print_as_lines_and_serialize_tagged() {
        let e = Event::StageProgress {
            cluster: "eu1".into(),
            stage: "app".into(),
            ready: 1,
            total: 2,
        };
        assert_eq!(e.to_string(), "eu1: app: 1/2 ready");
        assert_eq!(
            serde_json::to_string(&e).unwrap_or_default(),
            r#"{"event":"stage-progress","cluster":"eu1","stage":"app","ready":1,"total":2}"#
        );
    }
}
