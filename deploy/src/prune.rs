//! Prune: after the last stage, deletes the objects of this service and environment that carry
//! the driver's labels but are not in the new release.
use crate::objects::{self, Object};
use crate::{Error, Event, Progress};
use futures::stream::{self, StreamExt};
use kube::api::{DeleteParams, ListParams};
use std::collections::BTreeSet;

/// How many kinds are listed at once.
const LISTS_AT_ONCE: usize = 4;

/// Deletes every labelled object of `service`/`env` that `keep` does not have; returns their ids.
pub(crate) async fn prune(
    client: &kube::Client,
    service: &str,
    env: &str,
    keep: &[Object],
    cluster: &str,
    progress: Progress<'_>,
) -> Result<Vec<String>, Error> {
    let keep: BTreeSet<String> = keep.iter().map(Object::id).collect();
    let selector = objects::selector(service, env);
    let kinds = objects::known_kinds();
    // Every kind listed (namespaced kinds across every namespace), a few at a time: each request
    // in flight is a connection of its own (kube's client speaks HTTP/1.1), and a new one costs a
    // TLS handshake, more than a list. The lists are served from the API server's watch cache
    // (`resourceVersion=0`), as Argo CD prunes from its cluster cache: a consistent list waits
    // for the cache to catch up with etcd, up to 100 ms per list. The cache is milliseconds
    // behind: what it still shows but is gone answers 404 to the delete (skipped), and what it
    // does not show yet (only what another deploy of this service applied a moment before,
    // which the lock rules out) is pruned by the next deploy. Deleted in prune order.
    let listed: Vec<_> = stream::iter(kinds.iter().map(|kind| {
        let selector = &selector;
        async move {
            match kube::Api::<kube::api::DynamicObject>::all_with(client.clone(), &kind.resource)
                .list_metadata(&ListParams::default().labels(selector).match_any())
                .await
            {
                Ok(l) => Ok(l.items),
                // A kind whose CRD the cluster does not have (HTTPRoute) has nothing to prune.
                Err(kube::Error::Api(s)) if s.code == 404 => Ok(Vec::new()),
                Err(e) => Err(Error::api(format!("list {}", kind.resource.plural), e)),
            }
        }
    }))
    .buffered(LISTS_AT_ONCE)
    .collect()
    .await;
    let mut pruned = Vec::new();
    for (kind, found) in kinds.iter().zip(listed) {
        for item in found? {
            let name = item.metadata.name.clone().unwrap_or_default();
            let ns = item.metadata.namespace.clone();
            let id = objects::id(&kind.resource.kind, ns.as_deref(), &name);
            if keep.contains(&id) || item.metadata.deletion_timestamp.is_some() {
                continue;
            }
            match objects::api(client, kind, ns.as_deref())
                .delete(&name, &DeleteParams::background())
                .await
            {
                Ok(_) => {}
                // Gone already (the cache showed it a moment after its deletion).
                Err(kube::Error::Api(s)) if s.code == 404 => continue,
                Err(e) => return Err(Error::api(format!("prune {id}"), e)),
            }
            progress(&Event::Pruned {
                cluster: cluster.to_owned(),
                object: id.clone(),
            });
            pruned.push(id);
        }
    }
    Ok(pruned)
}
