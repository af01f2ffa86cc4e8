//! Prune: after the last stage, deletes the objects of this service and environment that carry
//! the driver's labels but are not in the new release.
use crate::objects::{self, Object};
use crate::{Error, Event, Progress};
use futures::future::join_all;
use kube::api::{DeleteParams, ListParams};
use std::collections::BTreeSet;

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
    // Every kind listed at once (namespaced kinds across every namespace), deleted in prune order.
    let listed = join_all(kinds.iter().map(|kind| {
        let selector = &selector;
        async move {
            match kube::Api::<kube::api::DynamicObject>::all_with(client.clone(), &kind.resource)
                .list_metadata(&ListParams::default().labels(selector))
                .await
            {
                Ok(l) => Ok(l.items),
                // A kind whose CRD the cluster does not have (HTTPRoute) has nothing to prune.
                Err(kube::Error::Api(s)) if s.code == 404 => Ok(Vec::new()),
                Err(e) => Err(Error::api(format!("list {}", kind.resource.plural), e)),
            }
        }
    }))
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
            objects::api(client, kind, ns.as_deref())
                .delete(&name, &DeleteParams::background())
                .await
                .map_err(|e| Error::api(format!("prune {id}"), e))?;
            progress(&Event::Pruned {
                cluster: cluster.to_owned(),
                object: id.clone(),
            });
            pruned.push(id);
        }
    }
    Ok(pruned)
}
