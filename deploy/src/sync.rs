//! `sync`: brings every cluster of an environment to the release of record, the newest release
//! deployed in any of them. A cluster whose newest deployed release is older (it was down, or
//! deployed to alone with `--context`), or that has none at all (its state was lost), gets the
//! record's manifests for it, read from a cluster that has them, recorded there under the same
//! version. With [`crate::Options::skip_unreachable`] a cluster that does not answer is reported
//! ([`Event::Unreachable`]) and left out; the release of record is then the newest among those
//! that answer (a cluster only ever moves forward, so none is taken back).
use crate::release::{self, ReleaseInfo, ReleasePhase};
use crate::run::{connect, each, record_and_apply, recover, under_lock};
use crate::{cluster, Error, Event, Options, Plan, Progress, Target};
use futures::future::join_all;

/// What a sync did.
#[derive(Debug, Clone, Default)]
pub struct SyncOutcome {
    /// The release of record.
    pub version: u64,
    /// The clusters that were brought to it (the others already ran it).
    pub synced: Vec<String>,
    /// The clusters left out because they did not answer (`Options::skip_unreachable`).
    pub unreachable: Vec<String>,
}

/// Brings every target cluster to the release of record (docs/deploy.md).
pub fn sync(
    targets: &[Target],
    service: &str,
    env: &str,
    who: &str,
    options: &Options,
    progress: Progress<'_>,
) -> Result<SyncOutcome, Error> {
    cluster::runtime()?.block_on(async {
        let ns = options.system_namespace.as_str();
        // Every cluster must answer (a cluster that cannot be read cannot be compared), unless
        // `skip_unreachable`: then those that do not are reported and left out.
        let listed = join_all(targets.iter().map(|t| async move {
            async {
                let client = t.client().await?;
                let history = release::list(&client, ns, service, env).await?;
                Ok::<_, Error>((client, history))
            }
            .await
            .map_err(|e| e.in_cluster(&t.name))
        }))
        .await;
        let mut found = Vec::new();
        let mut reachable = Vec::new();
        let mut unreachable = Vec::new();
        let mut errors = Vec::new();
        let mut refused = Vec::new();
        for (t, l) in targets.iter().zip(listed) {
            match l {
                Ok(x) => {
                    found.push(x);
                    reachable.push(t);
                }
                // Only a cluster that does not answer is left out; one that refuses is an error.
                Err(e) if options.skip_unreachable && e.is_cluster() => {
                    unreachable.push(t.name.clone());
                    errors.push(e);
                }
                Err(e) => refused.push(e),
            }
        }
        if found.is_empty() {
            refused.append(&mut errors);
        }
        if let Some(e) = Error::join(refused) {
            return Err(e);
        }
        for (cluster, e) in unreachable.iter().zip(&errors) {
            progress(&Event::Unreachable {
                cluster: cluster.clone(),
                error: e.to_string(),
            });
        }
        let newest_deployed = |h: &[ReleaseInfo]| {
            h.iter()
                .filter(|r| r.phase == ReleasePhase::Deployed)
                .max_by_key(|r| r.version)
                .cloned()
        };
        let Some((holder, record)) = found
            .iter()
            .filter_map(|(c, h)| newest_deployed(h).map(|r| (c, r)))
            .max_by_key(|(_, r)| r.version)
        else {
            return Err(Error::NoRelease(format!(
                "{service} in {env} has no deployed release in any cluster: deploy it first"
            )));
        };
        let stored = release::stored(holder, ns, &record).await?;
        let mut stale = Vec::new();
        for (t, (_, h)) in reachable.iter().zip(&found) {
            let own = newest_deployed(h).map(|r| r.version);
            if own == Some(record.version) {
                progress(&Event::InSync {
                    cluster: t.name.clone(),
                    version: record.version,
                });
            } else {
                progress(&Event::Syncing {
                    cluster: t.name.clone(),
                    version: record.version,
                    from: own,
                });
                stale.push((*t).clone());
            }
        }
        if stale.is_empty() {
            return Ok(SyncOutcome {
                version: record.version,
                synced: Vec::new(),
                unreachable,
            });
        }
        let plan = Plan {
            service: service.to_owned(),
            env: env.to_owned(),
            image: record.image.clone(),
            strategy: record.strategy.clone(),
            rollback_of: record.rollback_of,
            who: record.who.clone(),
            manifests: stored.manifests,
            inputs: stored.inputs,
        };
        let conns = connect(&stale, &plan.manifests, Some((service, env))).await?;
        let lock_plan = Plan {
            who: who.to_owned(),
            ..plan.clone()
        };
        under_lock(&conns, &lock_plan, options, progress, |conns| async {
            let histories = each(conns, |c| recover(c, ns, &plan, progress)).await?;
            // A record of the same version (a deploy that failed or was cut off there) makes
            // way for the release of record.
            each(conns, |c| {
                let same: Vec<ReleaseInfo> = conns
                    .iter()
                    .position(|x| std::ptr::eq(x, c))
                    .and_then(|i| histories.get(i))
                    .into_iter()
                    .flatten()
                    .filter(|r| r.version == record.version)
                    .cloned()
                    .collect();
                async move {
                    for r in &same {
                        release::remove(&c.client, ns, r).await?;
                    }
                    Ok(())
                }
            })
            .await?;
            let histories: Vec<Vec<ReleaseInfo>> = histories
                .into_iter()
                .map(|h| {
                    h.into_iter()
                        .filter(|r| r.version != record.version)
                        .collect()
                })
                .collect();
            record_and_apply(
                conns,
                &plan,
                record.version,
                &record.when,
                &histories,
                options,
                progress,
            )
            .await
        })
        .await?;
        Ok(SyncOutcome {
            version: record.version,
            synced: stale.into_iter().map(|t| t.name).collect(),
            unreachable,
        })
    })
}
