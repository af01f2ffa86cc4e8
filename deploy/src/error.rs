//! The errors of the deploy driver, each with a message that names what failed.
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
    /// Another deploy of the same service and environment holds the lock.
    Locked { holder: String, lease: String },
    /// The API server refused a request.
    Api { what: String, message: String },
    /// Objects did not become ready in time: `Kind/namespace/name: why` each.
    Timeout {
        stage: String,
        not_ready: Vec<String>,
    },
    /// An object failed (a Job's Failed condition, a Deployment past its progress deadline).
    Failed { stage: String, failed: Vec<String> },
}

impl Error {
    pub(crate) fn api(what: impl Into<String>, e: kube::Error) -> Error {
        let message = match &e {
            kube::Error::Api(s) => format!("{} ({})", s.message, s.code),
            other => other.to_string(),
        };
        Error::Api {
            what: what.into(),
            message,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Cluster(m) => write!(f, "cluster: {m}"),
            Error::Input(m) => write!(f, "manifests: {m}"),
            Error::NoRelease(m) => write!(f, "{m}"),
            Error::Locked { holder, lease } => write!(
                f,
                "another deploy is running: lease `{lease}` is held by {holder}"
            ),
            Error::Api { what, message } => write!(f, "{what}: {message}"),
            Error::Timeout { stage, not_ready } => {
                write!(f, "stage `{stage}` timed out; not ready:")?;
                for o in not_ready {
                    write!(f, "\n  {o}")?;
                }
                Ok(())
            }
            Error::Failed { stage, failed } => {
                write!(f, "stage `{stage}` failed:")?;
                for o in failed {
                    write!(f, "\n  {o}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for Error {}
