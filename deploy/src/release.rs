//! The release record: a `Release` custom resource (CRD in crd/releases.yaml) per service,
//! environment and version, with the rendered manifests and the inputs they were rendered from,
//! each as JSON + gzip + base64, inline or split into `ReleaseChunk`s so that no object nears the
//! API server's 1 MiB limit; history capped.
use crate::objects::{self, chunk_kind, release_kind};
use crate::{ClusterStages, Error, Inputs, Plan, StageInput, ENV_LABEL, SERVICE_LABEL};
use base64::Engine;
use kube::api::{DeleteParams, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use serde_json::{json, Value};
use std::io::{Read, Write};

/// The CRDs of the release record (Release and ReleaseChunk).
pub(crate) const CRDS: &str = include_str!("../crd/releases.yaml");

/// The most base64 text kept in one object (inline or one chunk): far below 1 MiB.
pub(crate) const CHUNK: usize = 512 * 1024;

const ENCODING: &str = "json+gzip+base64";
const RELEASE_LABEL: &str = "paasctl.brief.dev/release";

/// Where a release is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReleasePhase {
    Pending,
    Deployed,
    Failed,
    Superseded,
    /// Failed, then undone by an automatic rollback to an earlier release (or a canary aborted).
    RolledBack,
    /// A canary running beside the deployed (stable) release.
    Canary,
}

impl ReleasePhase {
    pub fn as_str(self) -> &'static str {
        match self {
            ReleasePhase::Pending => "pending",
            ReleasePhase::Deployed => "deployed",
            ReleasePhase::Failed => "failed",
            ReleasePhase::Superseded => "superseded",
            ReleasePhase::RolledBack => "rolled-back",
            ReleasePhase::Canary => "canary",
        }
    }

    fn parse(s: &str) -> ReleasePhase {
        match s {
            "deployed" => ReleasePhase::Deployed,
            "failed" => ReleasePhase::Failed,
            "superseded" => ReleasePhase::Superseded,
            "rolled-back" => ReleasePhase::RolledBack,
            "canary" => ReleasePhase::Canary,
            _ => ReleasePhase::Pending,
        }
    }
}

/// One release as recorded in the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseInfo {
    /// The Release object's name, `<service>-<env>-v<version>`.
    pub name: String,
    pub service: String,
    pub env: String,
    /// The cluster this record is in (platform.toml's name).
    pub cluster: String,
    pub version: u64,
    pub image: String,
    pub strategy: String,
    pub who: String,
    /// RFC 3339 time of the deploy's start.
    pub when: String,
    pub phase: ReleasePhase,
    /// The stage reached.
    pub stage: String,
    pub message: String,
    /// The version a rollback reapplied.
    pub rollback_of: Option<u64>,
    /// How many ReleaseChunks hold the manifests (0: inline).
    pub chunks: usize,
    /// Whether the record keeps the release's inputs (records of an older paasctl do not).
    pub inputs: bool,
    /// How many ReleaseChunks hold the inputs (0: inline, or no inputs).
    pub input_chunks: usize,
}

/// The two payloads of a record: each stored under its own key of `spec`, chunked alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Manifests,
    Inputs,
}

impl Part {
    /// The key in the Release's `spec` and the chunks' `spec.part`.
    fn key(self) -> &'static str {
        match self {
            Part::Manifests => "manifests",
            Part::Inputs => "inputs",
        }
    }

    /// The chunk name suffix: `<release>-c<i>` for the manifests, `<release>-i<i>` for inputs.
    fn letter(self) -> char {
        match self {
            Part::Manifests => 'c',
            Part::Inputs => 'i',
        }
    }
}

/// What a record keeps: every cluster's manifests and, when recorded, the inputs.
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    pub manifests: Vec<ClusterStages>,
    pub inputs: Option<Inputs>,
}

fn s(v: &Value, p: &str) -> String {
    v.pointer(p)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned()
}

fn info(o: &DynamicObject) -> ReleaseInfo {
    let d = &o.data;
    ReleaseInfo {
        name: o.metadata.name.clone().unwrap_or_default(),
        service: s(d, "/spec/service"),
        env: s(d, "/spec/env"),
        cluster: s(d, "/spec/cluster"),
        version: d
            .pointer("/spec/version")
            .and_then(Value::as_u64)
            .unwrap_or(0),
        image: s(d, "/spec/image"),
        strategy: s(d, "/spec/strategy"),
        who: s(d, "/spec/who"),
        when: s(d, "/spec/when"),
        phase: ReleasePhase::parse(&s(d, "/status/phase")),
        stage: s(d, "/status/stage"),
        message: s(d, "/status/message"),
        rollback_of: d.pointer("/spec/rollbackOf").and_then(Value::as_u64),
        chunks: count(d, "/spec/manifests/chunks"),
        inputs: d.pointer("/spec/inputs/encoding").is_some(),
        input_chunks: count(d, "/spec/inputs/chunks"),
    }
}

fn count(d: &Value, p: &str) -> usize {
    d.pointer(p)
        .and_then(Value::as_u64)
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(0)
}

fn stages_json(stages: &[StageInput]) -> Value {
    Value::Array(
        stages
            .iter()
            .map(|s| json!({"name": s.name, "yaml": s.yaml}))
            .collect(),
    )
}

fn stages_of(v: &Value) -> Vec<StageInput> {
    let text = |s: &Value, k: &str| s.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    v.as_array()
        .into_iter()
        .flatten()
        .map(|s| StageInput {
            name: text(s, "name"),
            yaml: text(s, "yaml"),
        })
        .collect()
}

/// JSON, gzip, base64: how each payload of a record is kept.
fn pack(json: &Value, what: &str) -> Result<String, Error> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(json.to_string().as_bytes())
        .and_then(|()| gz.finish())
        .map(|bytes| base64::engine::general_purpose::STANDARD.encode(bytes))
        .map_err(|e| Error::Input(format!("cannot compress the {what}: {e}")))
}

/// The inverse of [`pack`].
fn unpack(text: &str, what: &str) -> Result<Value, Error> {
    let bad = |e: String| Error::Input(format!("unreadable release {what}: {e}"));
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|e| bad(e.to_string()))?;
    let mut json = String::new();
    flate2::read::GzDecoder::new(bytes.as_slice())
        .read_to_string(&mut json)
        .map_err(|e| bad(e.to_string()))?;
    serde_json::from_str(&json).map_err(|e| bad(e.to_string()))
}

/// Every cluster's stages as JSON (`{"clusters": [{"cluster", "stages"}]}`), gzip, base64.
pub(crate) fn encode(manifests: &[ClusterStages]) -> Result<String, Error> {
    let json = json!({"clusters": manifests.iter().map(|c| json!({
        "cluster": c.cluster, "stages": stages_json(&c.stages),
    })).collect::<Vec<_>>()});
    pack(&json, "manifests")
}

/// The inverse of [`encode`]; a record of one cluster's stages alone (the first format) is read
/// as `cluster`'s.
pub(crate) fn decode(text: &str, cluster: &str) -> Result<Vec<ClusterStages>, Error> {
    let v = unpack(text, "manifests")?;
    if v.is_array() {
        return Ok(vec![ClusterStages {
            cluster: cluster.to_owned(),
            stages: stages_of(&v),
        }]);
    }
    Ok(v.get("clusters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|c| ClusterStages {
            cluster: c
                .get("cluster")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
            stages: c.get("stages").map(stages_of).unwrap_or_default(),
        })
        .collect())
}

/// The inputs as JSON, gzip, base64.
pub(crate) fn encode_inputs(inputs: &Inputs) -> Result<String, Error> {
    let json = serde_json::to_value(inputs)
        .map_err(|e| Error::Input(format!("cannot write the inputs: {e}")))?;
    pack(&json, "inputs")
}

/// The inverse of [`encode_inputs`].
pub(crate) fn decode_inputs(text: &str) -> Result<Inputs, Error> {
    serde_json::from_value(unpack(text, "inputs")?)
        .map_err(|e| Error::Input(format!("unreadable release inputs: {e}")))
}

/// Splits text into pieces of at most `size` bytes (base64 is ASCII).
pub(crate) fn split(text: &str, size: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while rest.len() > size {
        let (a, b) = rest.split_at(size);
        out.push(a);
        rest = b;
    }
    out.push(rest);
    out
}

/// The releases of one service and environment, oldest first.
pub(crate) async fn list(
    client: &kube::Client,
    namespace: &str,
    service: &str,
    env: &str,
) -> Result<Vec<ReleaseInfo>, Error> {
    let api = objects::api(client, &release_kind(), Some(namespace));
    let found = match api
        .list(&ListParams::default().labels(&objects::selector(service, env)))
        .await
    {
        Ok(l) => l,
        // No CRD yet (nothing was ever deployed) or no namespace: no releases.
        Err(kube::Error::Api(s)) if s.code == 404 => return Ok(Vec::new()),
        Err(e) => return Err(Error::api("list releases", e)),
    };
    let mut out: Vec<ReleaseInfo> = found.items.iter().map(info).collect();
    out.sort_by_key(|r| r.version);
    Ok(out)
}

/// A release's object name.
pub(crate) fn name(service: &str, env: &str, version: u64) -> String {
    format!("{service}-{env}-v{version}")
}

/// Stores one payload of release `name`: the reference kept in its `spec` (`{"encoding", "data"}`
/// inline when small, else `{"encoding", "chunks"}` with the text in that many ReleaseChunks).
async fn store(
    client: &kube::Client,
    namespace: &str,
    name: &str,
    part: Part,
    data: String,
) -> Result<Value, Error> {
    if data.len() <= CHUNK {
        return Ok(json!({"encoding": ENCODING, "data": data}));
    }
    let pieces = split(&data, CHUNK);
    let chunk_api = objects::api(client, &chunk_kind(), Some(namespace));
    for (i, piece) in pieces.iter().enumerate() {
        let chunk_name = format!("{name}-{}{i}", part.letter());
        let chunk: DynamicObject = serde_json::from_value(json!({
            "apiVersion": "paasctl.brief.dev/v1alpha1",
            "kind": "ReleaseChunk",
            "metadata": {"name": chunk_name, "namespace": namespace,
                         "labels": {RELEASE_LABEL: name}},
            "spec": {"release": name, "part": part.key(), "index": i, "data": piece},
        }))
        .map_err(|e| Error::Input(e.to_string()))?;
        chunk_api
            .create(&PostParams::default(), &chunk)
            .await
            .map_err(|e| Error::api(format!("record release chunk {chunk_name}"), e))?;
    }
    Ok(json!({"encoding": ENCODING, "chunks": pieces.len()}))
}

/// Records a new release in `cluster` as `pending` (with every cluster's manifests, chunked when
/// large).
pub(crate) async fn create(
    client: &kube::Client,
    namespace: &str,
    plan: &Plan,
    cluster: &str,
    version: u64,
    when: &str,
) -> Result<ReleaseInfo, Error> {
    let name = name(&plan.service, &plan.env, version);
    let manifests = store(
        client,
        namespace,
        &name,
        Part::Manifests,
        encode(&plan.manifests)?,
    )
    .await?;
    let inputs = match &plan.inputs {
        Some(i) => Some(store(client, namespace, &name, Part::Inputs, encode_inputs(i)?).await?),
        None => None,
    };
    let labels = json!({
        SERVICE_LABEL: plan.service,
        ENV_LABEL: plan.env,
        "app.kubernetes.io/managed-by": "paasctl",
    });
    let release: DynamicObject = serde_json::from_value(json!({
        "apiVersion": "paasctl.brief.dev/v1alpha1",
        "kind": "Release",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": {
            "service": plan.service, "env": plan.env, "cluster": cluster, "version": version,
            "image": plan.image, "strategy": plan.strategy, "who": plan.who, "when": when,
            "manifests": manifests,
            "inputs": inputs,
            "rollbackOf": plan.rollback_of,
        },
    }))
    .map_err(|e| Error::Input(e.to_string()))?;
    let created = objects::api(client, &release_kind(), Some(namespace))
        .create(&PostParams::default(), &release)
        .await
        .map_err(|e| Error::api(format!("record release {name}"), e))?;
    set_status(client, namespace, &name, ReleasePhase::Pending, "", "").await?;
    let mut out = info(&created);
    out.phase = ReleasePhase::Pending;
    Ok(out)
}

/// Sets a release's phase, stage reached and message.
pub(crate) async fn set_status(
    client: &kube::Client,
    namespace: &str,
    name: &str,
    phase: ReleasePhase,
    stage: &str,
    message: &str,
) -> Result<(), Error> {
    let patch = json!({"status": {"phase": phase.as_str(), "stage": stage, "message": message}});
    objects::api(client, &release_kind(), Some(namespace))
        .patch_status(name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .map(|_| ())
        .map_err(|e| Error::api(format!("update release {name}"), e))
}

/// What a release record keeps: every cluster's manifests and the inputs (none in a record of
/// an older paasctl), each joined from its chunks when it has them.
pub(crate) async fn stored(
    client: &kube::Client,
    namespace: &str,
    release: &ReleaseInfo,
) -> Result<Stored, Error> {
    let obj = objects::api(client, &release_kind(), Some(namespace))
        .get(&release.name)
        .await
        .map_err(|e| Error::api(format!("read release {}", release.name), e))?;
    let chunks = if release.chunks > 0 || release.input_chunks > 0 {
        objects::api(client, &chunk_kind(), Some(namespace))
            .list(&ListParams::default().labels(&format!("{RELEASE_LABEL}={}", release.name)))
            .await
            .map_err(|e| Error::api(format!("read chunks of {}", release.name), e))?
            .items
    } else {
        Vec::new()
    };
    let text = |part: Part, count: usize| {
        if count == 0 {
            return Ok(s(&obj.data, &format!("/spec/{}/data", part.key())));
        }
        join(&release.name, part, count, &chunks)
    };
    let manifests = decode(&text(Part::Manifests, release.chunks)?, &release.cluster)?;
    let inputs = if release.inputs {
        Some(decode_inputs(&text(Part::Inputs, release.input_chunks)?)?)
    } else {
        None
    };
    Ok(Stored { manifests, inputs })
}

/// The text of one payload from its chunks (a chunk without `part` is the manifests').
fn join(
    release: &str,
    part: Part,
    count: usize,
    chunks: &[DynamicObject],
) -> Result<String, Error> {
    let mut parts: Vec<(u64, String)> = chunks
        .iter()
        .filter(|c| {
            c.data
                .pointer("/spec/part")
                .and_then(Value::as_str)
                .unwrap_or(Part::Manifests.key())
                == part.key()
        })
        .map(|c| {
            (
                c.data
                    .pointer("/spec/index")
                    .and_then(Value::as_u64)
                    .unwrap_or(0),
                s(&c.data, "/spec/data"),
            )
        })
        .collect();
    if parts.len() != count {
        return Err(Error::Input(format!(
            "release {release} has {} of its {count} {} chunks",
            parts.len(),
            part.key()
        )));
    }
    parts.sort_by_key(|p| p.0);
    Ok(parts.into_iter().map(|p| p.1).collect())
}

/// The stored manifests of a release, every cluster's.
pub(crate) async fn manifests(
    client: &kube::Client,
    namespace: &str,
    release: &ReleaseInfo,
) -> Result<Vec<ClusterStages>, Error> {
    Ok(stored(client, namespace, release).await?.manifests)
}

/// Deletes the oldest of `older` (the releases before the one just recorded, oldest first) so
/// that `keep` remain with it (at least itself); returns their names.
pub(crate) async fn cap(
    client: &kube::Client,
    namespace: &str,
    older: &[ReleaseInfo],
    keep: usize,
) -> Result<Vec<String>, Error> {
    let excess = older.len().saturating_sub(keep.max(1) - 1);
    let mut deleted = Vec::new();
    for r in &older[..excess] {
        remove(client, namespace, r).await?;
        deleted.push(r.name.clone());
    }
    Ok(deleted)
}

/// Deletes one release record and its chunks.
pub(crate) async fn remove(
    client: &kube::Client,
    namespace: &str,
    r: &ReleaseInfo,
) -> Result<(), Error> {
    {
        if r.chunks > 0 || r.input_chunks > 0 {
            objects::api(client, &chunk_kind(), Some(namespace))
                .delete_collection(
                    &DeleteParams::default(),
                    &ListParams::default().labels(&format!("{RELEASE_LABEL}={}", r.name)),
                )
                .await
                .map_err(|e| Error::api(format!("delete chunks of {}", r.name), e))?;
        }
        match objects::api(client, &release_kind(), Some(namespace))
            .delete(&r.name, &DeleteParams::default())
            .await
        {
            Ok(_) => {}
            Err(kube::Error::Api(s)) if s.code == 404 => {}
            Err(e) => return Err(Error::api(format!("delete release {}", r.name), e)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_round_trip_and_split() {
        let stages = vec![ClusterStages {
            cluster: "eu1".to_owned(),
            stages: vec![StageInput {
                name: "init".to_owned(),
                yaml: "apiVersion: v1\nkind: Namespace\n".repeat(50),
            }],
        }];
        let text = encode(&stages).unwrap_or_default();
        assert!(matches!(decode(&text, "other"), Ok(s) if s == stages));
        let parts = split(&text, 7);
        assert!(parts.iter().all(|p| p.len() <= 7));
        assert_eq!(parts.concat(), text);
    }

    #[test]
    fn inputs_round_trip() {
        let inputs = Inputs {
            files: [
                ("app.toml".to_owned(), "name = \"x\"\n".to_owned()),
                ("service.brief".to_owned(), "service x {}\n".to_owned()),
            ]
            .into_iter()
            .collect(),
            dirs: vec!["migrations".to_owned()],
            platform_hash: "0123456789abcdef".to_owned(),
            toolchain: "paasctl 0.1.0".to_owned(),
        };
        let text = encode_inputs(&inputs).unwrap_or_default();
        assert!(matches!(decode_inputs(&text), Ok(i) if i == inputs));
        assert!(decode_inputs("not base64!").is_err());
    }
}
