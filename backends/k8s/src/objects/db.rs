//! The db stage: one migration Job per postgresql storage with `migrations`.
use super::ctx::Ctx;
use super::{fit_name, push, short_hash};
use crate::StageFile;
use compiler::app::{Storage, StorageKind};
use k8s_openapi::api::batch::v1::{Job, JobSpec};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

/// The db stage's objects.
pub(super) fn build(ctx: &Ctx<'_>, db: &mut StageFile) {
    for st in &ctx.r.app.storages {
        let Some(dir) = &st.migrations else { continue };
        if st.kind != StorageKind::Postgresql {
            continue;
        }
        let (job_name, job) = migration(ctx, st, dir);
        push(db, &job, &job_name);
    }
}

/// The migration Job of storage `st` from directory `dir`, with its name: a hash of the image,
/// the storage, the directory and the settings makes every change a new Job.
fn migration(ctx: &Ctx<'_>, st: &Storage, dir: &str) -> (String, Job) {
    let (name, r) = (ctx.name, ctx.r);
    let key = format!("{}\0{}\0{dir}\0{}", r.image.full, st.name, ctx.config_map);
    let job_name = fit_name(
        &format!("{name}-migrate-{}-{}", st.name, short_hash(key.as_bytes())),
        63,
    );
    let mut c = ctx.container();
    c.name = "migrate".into();
    c.args = Some(vec![
        "migrate".into(),
        "--storage".into(),
        st.name.clone(),
        "--dir".into(),
        dir.to_owned(),
    ]);
    let job = Job {
        metadata: ObjectMeta {
            labels: Some(ctx.labels(&job_name, "migration")),
            ..ctx.meta(&job_name, "migration")
        },
        spec: Some(JobSpec {
            active_deadline_seconds: Some(900),
            backoff_limit: Some(2),
            ttl_seconds_after_finished: Some(86400),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(ctx.pod_labels(&job_name, "migration", true)),
                    annotations: ctx.pod_annotations(true),
                    ..Default::default()
                }),
                spec: Some(ctx.pod_spec(vec![c], Some("Never"))),
            },
            ..Default::default()
        }),
        ..Default::default()
    };
    (job_name, job)
}
