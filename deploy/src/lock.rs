//! The deploy lock: a coordination.k8s.io Lease per service and environment in the system
//! namespace. A held, unexpired lease refuses a second deploy (naming its holder); an expired one
//! (a crashed deploy) is taken over. The holder renews it while the deploy runs.
use crate::Error;
use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use k8s_openapi::jiff::Timestamp;
use kube::api::{DeleteParams, PostParams};
use kube::Api;
use std::time::Duration;

/// A held lock; renewed by a background task until released.
pub(crate) struct Lock {
    api: Api<Lease>,
    name: String,
    who: String,
    renew: tokio::task::JoinHandle<()>,
}

/// The lease's name for a service and environment.
pub(crate) fn lease_name(service: &str, env: &str) -> String {
    format!("deploy-{service}-{env}")
}

fn now() -> MicroTime {
    MicroTime(Timestamp::now())
}

/// Whether a lease is held by someone and not yet expired; returns the holder.
pub(crate) fn live_holder(lease: &Lease) -> Option<String> {
    let spec = lease.spec.as_ref()?;
    let holder = spec.holder_identity.clone().filter(|h| !h.is_empty())?;
    let renewed = spec.renew_time.as_ref().or(spec.acquire_time.as_ref())?;
    let duration = i64::from(spec.lease_duration_seconds.unwrap_or(0));
    let age = Timestamp::now().as_second() - renewed.0.as_second();
    (age < duration).then(|| {
        format!(
            "{holder} (since {}, renewed {age}s ago)",
            spec.acquire_time
                .as_ref()
                .map(|t| t.0.to_string())
                .unwrap_or_default()
        )
    })
}

/// Takes the lock for `who`, or refuses with the holder.
pub(crate) async fn acquire(
    client: &kube::Client,
    namespace: &str,
    service: &str,
    env: &str,
    who: &str,
    duration: Duration,
) -> Result<Lock, Error> {
    let api: Api<Lease> = Api::namespaced(client.clone(), namespace);
    let name = lease_name(service, env);
    let seconds = i32::try_from(duration.as_secs()).unwrap_or(i32::MAX).max(1);
    let spec = LeaseSpec {
        holder_identity: Some(who.to_owned()),
        lease_duration_seconds: Some(seconds),
        acquire_time: Some(now()),
        renew_time: Some(now()),
        ..LeaseSpec::default()
    };
    let refused = |holder: String| Error::Locked {
        cluster: String::new(),
        holder,
        lease: format!("{namespace}/{name}"),
    };
    match api
        .get_opt(&name)
        .await
        .map_err(|e| Error::api(format!("read lease {name}"), e))?
    {
        None => {
            let lease = Lease {
                metadata: ObjectMeta {
                    name: Some(name.clone()),
                    namespace: Some(namespace.to_owned()),
                    ..ObjectMeta::default()
                },
                spec: Some(spec),
            };
            match api.create(&PostParams::default(), &lease).await {
                Ok(_) => {}
                Err(kube::Error::Api(s)) if s.code == 409 => {
                    return Err(refused(
                        "another deploy that started at the same moment".to_owned(),
                    ))
                }
                Err(e) => return Err(Error::api(format!("create lease {name}"), e)),
            }
        }
        Some(mut lease) => {
            if let Some(holder) = live_holder(&lease) {
                return Err(refused(holder));
            }
            // Expired or released: take it over; the resourceVersion makes a race lose with 409.
            lease.spec = Some(spec);
            match api.replace(&name, &PostParams::default(), &lease).await {
                Ok(_) => {}
                Err(kube::Error::Api(s)) if s.code == 409 => {
                    return Err(refused(
                        "another deploy that took it over at the same moment".to_owned(),
                    ))
                }
                Err(e) => return Err(Error::api(format!("take over lease {name}"), e)),
            }
        }
    }
    let renew = tokio::spawn(renew_loop(
        api.clone(),
        name.clone(),
        who.to_owned(),
        duration,
    ));
    Ok(Lock {
        api,
        name,
        who: who.to_owned(),
        renew,
    })
}

/// Renews the lease every third of its duration while `who` holds it (errors are retried on the
/// next tick; a lease someone else took over is left alone).
async fn renew_loop(api: Api<Lease>, name: String, who: String, duration: Duration) {
    let every = (duration / 3).max(Duration::from_millis(200));
    loop {
        tokio::time::sleep(every).await;
        if let Ok(Some(mut lease)) = api.get_opt(&name).await {
            let Some(spec) = lease.spec.as_mut() else {
                continue;
            };
            if spec.holder_identity.as_deref() != Some(who.as_str()) {
                return;
            }
            spec.renew_time = Some(now());
            let _ = api.replace(&name, &PostParams::default(), &lease).await;
        }
    }
}

impl Lock {
    /// Stops renewing and deletes the lease.
    pub(crate) async fn release(self) -> Result<(), Error> {
        self.renew.abort();
        let _ = self.renew.await;
        // Delete only the lease as we last saw it held by us (a resourceVersion precondition).
        let current = self.api.get_opt(&self.name).await.ok().flatten();
        let ours = current.as_ref().is_some_and(|l| {
            l.spec.as_ref().and_then(|s| s.holder_identity.as_deref()) == Some(self.who.as_str())
        });
        if !ours {
            return Ok(());
        }
        let params = DeleteParams {
            preconditions: current.and_then(|l| {
                l.metadata
                    .resource_version
                    .map(|rv| kube::api::Preconditions {
                        resource_version: Some(rv),
                        uid: None,
                    })
            }),
            ..DeleteParams::default()
        };
        match self.api.delete(&self.name, &params).await {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(s)) if s.code == 404 || s.code == 409 => Ok(()),
            Err(e) => Err(Error::api(format!("release lease {}", self.name), e)),
        }
    }
}
