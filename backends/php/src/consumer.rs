//! The consumer of the events a service subscribes to (app.toml `subscribe`): a handler
//! interface with one `on<Topic>` method per subscription and the glue class that
//! `Brief\Runtime\Server` routes `POST /events/<topic>` to.
use crate::model::{docblock, Body};
use crate::names;
use brief_codegen::scope::Scope;
use compiler::ir::Ir;
use compiler::{codes, Diagnostic};
use serde::Serialize;

/// Methods of the consumer glue (PHP compares method names case-insensitively).
const CONSUMER_METHODS: &[&str] = &["__construct", "decode", "handle", "topics"];

#[derive(Debug, Serialize)]
pub struct ConsumerVm {
    pub doc: String,
    pub name: String,
    pub handler: String,
    pub subs: Vec<SubscriptionVm>,
}

#[derive(Debug, Serialize)]
pub struct SubscriptionVm {
    pub doc: String,
    pub method: String,
    /// The message class, fully qualified.
    pub message: String,
    pub topic: String,
}

/// The two files of the consumer in `namespace` (class name, body), or none without
/// subscriptions. `taken` are the class names already in that namespace; `deps` the
/// dependencies' (contract name, sub-namespace, type classes).
pub fn bodies(
    ir: &Ir,
    namespace: &str,
    taken: &[String],
    deps: &[(String, String, std::collections::BTreeMap<String, String>)],
) -> Result<Vec<(String, Body)>, Diagnostic> {
    if ir.subscriptions.is_empty() {
        return Ok(Vec::new());
    }
    let prefix = match (&ir.service, &ir.app) {
        (Some(c), _) => names::upper(&c.name),
        (None, Some(app)) => names::upper(&app.name),
        (None, None) => "App".to_owned(),
    };
    let lc: Vec<String> = taken.iter().map(|t| t.to_ascii_lowercase()).collect();
    let lc: Vec<&str> = lc.iter().map(String::as_str).collect();
    let mut scope = Scope::with(&lc);
    let handler = names::claim_class(&mut scope, &format!("{prefix}EventHandler"), "_");
    let name = names::claim_class(&mut scope, &format!("{prefix}Consumer"), "_");
    let mut methods = Scope::with(CONSUMER_METHODS);
    let mut subs = Vec::new();
    for s in &ir.subscriptions {
        let unknown = || {
            Diagnostic::new(
                codes::E0503,
                format!(
                    "subscription to `{}`: no type `{}` in `{}`",
                    s.topic, s.message, s.dependency
                ),
            )
        };
        let (_, sub_ns, classes) = deps
            .iter()
            .find(|(c, _, _)| *c == s.dependency)
            .ok_or_else(unknown)?;
        let class = classes.get(&s.message).ok_or_else(unknown)?;
        let method = names::claim_member(
            &mut methods,
            &format!("on{}", names::upper(&s.topic)),
            "Event",
            true,
        );
        subs.push(SubscriptionVm {
            doc: docblock(
                &[names::doc_safe(&format!(
                    "Topic {} of {} (deliveries of one event are deduplicated).",
                    s.topic, s.dependency
                ))],
                "    ",
            ),
            method,
            message: format!("\\{namespace}\\{sub_ns}\\{class}"),
            topic: names::quote(&s.topic),
        });
    }
    let vm = |doc: String| ConsumerVm {
        doc: docblock(&[doc], ""),
        name: name.clone(),
        handler: handler.clone(),
        subs: subs
            .iter()
            .map(|s| SubscriptionVm {
                doc: s.doc.clone(),
                method: s.method.clone(),
                message: s.message.clone(),
                topic: s.topic.clone(),
            })
            .collect(),
    };
    Ok(vec![
        (
            handler.clone(),
            Body::EventHandler(vm(
                "The handler of the events this service subscribes to: one method per topic."
                    .to_owned(),
            )),
        ),
        (
            name.clone(),
            Body::Consumer(vm(format!(
                "Consumes the subscribed events with its {handler}: give it to Brief\\Runtime\\Server."
            ))),
        ),
    ])
}
