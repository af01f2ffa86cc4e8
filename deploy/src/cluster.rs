//! Which cluster to talk to: a kubeconfig (default `$KUBECONFIG`, then `~/.kube/config`) and an
//! optional context; makes the kube-rs client.
use crate::Error;
use kube::config::{KubeConfigOptions, Kubeconfig};
use std::path::PathBuf;

/// One cluster: its name (platform.toml's, as recorded in the releases and named in messages),
/// a kubeconfig file and a context in it (each defaulted as kubectl does).
#[derive(Debug, Clone, Default)]
pub struct Target {
    pub name: String,
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
}

impl Target {
    /// A cluster reached through the default kubeconfig and its current context.
    pub fn named(name: &str) -> Target {
        Target {
            name: name.to_owned(),
            ..Target::default()
        }
    }

    /// A short name for messages: `cluster `name``, else the context, else the current context.
    pub fn label(&self) -> String {
        match (&self.name, &self.context) {
            (n, _) if !n.is_empty() => format!("cluster `{n}`"),
            (_, Some(c)) => format!("context `{c}`"),
            _ => "the current context".to_owned(),
        }
    }

    pub(crate) async fn client(&self) -> Result<kube::Client, Error> {
        let options = KubeConfigOptions {
            context: self.context.clone(),
            ..KubeConfigOptions::default()
        };
        let config = match &self.kubeconfig {
            Some(path) => {
                let kc = Kubeconfig::read_from(path).map_err(|e| {
                    Error::Cluster(format!("cannot read kubeconfig `{}`: {e}", path.display()))
                })?;
                kube::Config::from_custom_kubeconfig(kc, &options).await
            }
            None => kube::Config::from_kubeconfig(&options).await,
        }
        .map_err(|e| Error::Cluster(format!("{}: {e}", self.label())))?;
        kube::Client::try_from(config).map_err(|e| Error::Cluster(format!("{}: {e}", self.label())))
    }
}

/// A Tokio runtime for one synchronous entry point.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Cluster(format!("cannot start the async runtime: {e}")))
}
