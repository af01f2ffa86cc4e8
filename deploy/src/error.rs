//! The errors of the deploy driver, each with a message that names what failed and in which
//! cluster.
use std::fmt;

/// Why a deploy, a status or a releases query failed.
#[derive(Debug)]
pub enum Error {
    /// No kubeconfig, a bad context, an unreachable cluster.
    Cluster(String),
    /// The stage YAML cannot be read as Kubernetes objects.
    Input(String),
    /// The release asked for (a rollback's target) is not recorded.
    NoRelease(String),
    /// Another deploy of the same service and environment holds the lock in `cluster`.
    Locked {
        cluster: String,
        holder: String,
        lease: String,
    },
    /// The API server refused a request.
    Api { what: String, message: String },
    /// Objects did not become ready in time in `cluster`: `Kind/namespace/name: why` each.
    Timeout {
        cluster: String,
        stage: String,
        not_ready: Vec<String>,
    },
    /// An object failed in `cluster` (a Job's Failed condition, a Deployment past its progress
    /// deadline, an object the API server refused).
    Failed {
        cluster: String,
        stage: String,
        failed: Vec<String>,
    },
    /// Several clusters failed at once: each one's error.
    Several(Vec<Error>),
    /// The release failed and was rolled back automatically to `to` (`rollback`: why the
    /// rollback failed too, if it did).
    RolledBack {
        error: Box<Error>,
        to: u64,
        rollback: Option<Box<Error>>,
    },
}

impl Error {
    /// A failed request about `what`: the API server's refusal, or [`Error::Cluster`] when it
    /// did not answer at all (connection refused, TLS, a timeout).
    pub(crate) fn api(what: impl Into<String>, e: kube::Error) -> Error {
        match &e {
            kube::Error::Api(s) => Error::Api {
                what: what.into(),
                message: format!("{} ({})", s.message, s.code),
            },
            other => Error::Cluster(format!(
                "{}: the API server did not answer: {other}",
                what.into()
            )),
        }
    }

    /// The error as met in `cluster` (its name given to what carries one, prefixed to the rest).
    pub(crate) fn in_cluster(self, cluster: &str) -> Error {
        let named = |m: String| {
            if cluster.is_empty() || m.starts_with("cluster `") {
                m
            } else {
                format!("cluster `{cluster}`: {m}")
            }
        };
        match self {
            Error::Cluster(m) => Error::Cluster(named(m)),
            Error::Api { what, message } => Error::Api {
                what: named(what),
                message,
            },
            Error::Locked { holder, lease, .. } => Error::Locked {
                cluster: cluster.to_owned(),
                holder,
                lease,
            },
            Error::Timeout {
                stage, not_ready, ..
            } => Error::Timeout {
                cluster: cluster.to_owned(),
                stage,
                not_ready,
            },
            Error::Failed { stage, failed, .. } => Error::Failed {
                cluster: cluster.to_owned(),
                stage,
                failed,
            },
            other => other,
        }
    }

    /// One error from several (none: `None`; one: itself).
    pub(crate) fn join(mut errors: Vec<Error>) -> Option<Error> {
        match errors.len() {
            0 => None,
            1 => errors.pop(),
            _ => Some(Error::Several(errors)),
        }
    }

    /// Whether the cluster could not be reached or configured (every error of several).
    pub fn is_cluster(&self) -> bool {
        match self {
            Error::Cluster(_) => true,
            Error::Several(all) => all.iter().all(Error::is_cluster),
            _ => false,
        }
    }
}

fn prefix(f: &mut fmt::Formatter<'_>, cluster: &str) -> fmt::Result {
    if cluster.is_empty() {
        Ok(())
    } else {
        write!(f, "cluster `{cluster}`: ")
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Cluster(m) if m.starts_with("cluster `") => write!(f, "{m}"),
            Error::Cluster(m) => write!(f, "cluster: {m}"),
            Error::Input(m) => write!(f, "manifests: {m}"),
            Error::NoRelease(m) => write!(f, "{m}"),
            Error::Locked {
                cluster,
                holder,
                lease,
            } => {
                prefix(f, cluster)?;
                write!(
                    f,
                    "another deploy is running: lease `{lease}` is held by {holder}"
                )
            }
            Error::Api { what, message } => write!(f, "{what}: {message}"),
            Error::Timeout {
                cluster,
                stage,
                not_ready,
            } => {
                prefix(f, cluster)?;
                write!(f, "stage `{stage}` timed out; not ready:")?;
                for o in not_ready {
                    write!(f, "\n  {o}")?;
                }
                Ok(())
            }
            Error::Failed {
                cluster,
                stage,
                failed,
            } => {
                prefix(f, cluster)?;
                write!(f, "stage `{stage}` failed:")?;
                for o in failed {
                    write!(f, "\n  {o}")?;
                }
                Ok(())
            }
            Error::RolledBack {
                error,
                to,
                rollback,
            } => {
                write!(f, "{error}")?;
                match rollback {
                    None => write!(f, "\nrolled back automatically to v{to}"),
                    Some(e) => write!(f, "\nthe automatic rollback to v{to} failed too: {e}"),
                }
            }
            Error::Several(all) => {
                for (i, e) in all.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "{e}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for Error {}
