//! The linter: style and hygiene rules over checked `.brief` files (see docs/lint.md).
//!
//! Pure like the rest of the core: it reads an [`Output`] of a check run and a parsed
//! `brief.toml`, and returns diagnostics. Each rule has a stable code (`L0101`), a stable name
//! (`RPC_LOWER_CAMEL_CASE`), a default (on or off) and a one-line rationale.
pub mod config;
mod rules;

pub use config::{parse_config, LintConfig};

use crate::diagnostic::{codes, Diagnostic};
use crate::directives::{self, DirectiveKind};
use crate::project::Output;
use crate::source::Span;
use std::collections::{HashMap, HashSet};

/// One lint rule.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    /// Whether the rule runs without being enabled in brief.toml.
    pub default_on: bool,
    pub rationale: &'static str,
}

/// Every lint rule, in code order. Codes and names never change meaning.
pub const RULES: &[Rule] = &[
    Rule { code: codes::L0101, name: "RPC_LOWER_CAMEL_CASE", default_on: true, rationale: "rpc names become method names and URL path segments; one style reads the same in every language" },
    Rule { code: codes::L0102, name: "FIELD_LOWER_CAMEL_CASE", default_on: true, rationale: "a field's name is its JSON name on the wire; lowerCamelCase is what JSON APIs use" },
    Rule { code: codes::L0103, name: "TYPE_UPPER_CAMEL_CASE", default_on: true, rationale: "messages and enums become types in generated code, where UpperCamelCase is the norm" },
    Rule { code: codes::L0104, name: "ERROR_UPPER_CAMEL_CASE", default_on: true, rationale: "errors become types and are sent by name; UpperCamelCase like other types" },
    Rule { code: codes::L0105, name: "ENUM_VALUE_LOWER_SNAKE_CASE", default_on: true, rationale: "an enum value is a string constant on the wire; lower_snake_case is stable across languages" },
    Rule { code: codes::L0106, name: "TOPIC_DOTTED_LOWER", default_on: true, rationale: "topics are routing keys on the data bus: `entity.event`, lowercase, dot-separated" },
    Rule { code: codes::L0201, name: "RPC_DOC", default_on: true, rationale: "an rpc is a public API: say what it does for the callers and the generated docs" },
    Rule { code: codes::L0202, name: "EVENT_DOC", default_on: true, rationale: "subscribers of another team read the event's doc to know when it is published" },
    Rule { code: codes::L0203, name: "SERVICE_DOC", default_on: true, rationale: "the service doc is the first line of every generated client and of the service catalogue" },
    Rule { code: codes::L0204, name: "TYPE_DOC", default_on: false, rationale: "documented types make generated code self-explanatory (off by default: noisy on small DTOs)" },
    Rule { code: codes::L0301, name: "RPC_READ_IDEMPOTENT", default_on: true, rationale: "rpcs without @idempotent are never retried; reads (get*, list*, find*, ...) almost always may be" },
    Rule { code: codes::L0302, name: "RPC_TIMEOUT", default_on: false, rationale: "an explicit per-call timeout documents the latency budget (off by default: the platform default applies)" },
    Rule { code: codes::L0401, name: "UNUSED_TYPE", default_on: true, rationale: "a type no rpc, event or error reaches is dead code in every generated client" },
    Rule { code: codes::L0402, name: "DEPRECATED_USE", default_on: true, rationale: "new uses of deprecated types make them harder to remove" },
    Rule { code: codes::L0501, name: "IGNORE_WITHOUT_REASON", default_on: true, rationale: "an ignore must say why, so reviewers can judge it; without a reason it does not ignore" },
    Rule { code: codes::L0502, name: "IGNORE_UNKNOWN_RULE", default_on: true, rationale: "an ignore of a rule that does not exist is a typo that silences nothing" },
    Rule { code: codes::L0503, name: "IGNORE_UNUSED", default_on: true, rationale: "an ignore that suppresses nothing is stale and hides future findings" },
];

/// Finds a rule by code or name (case-insensitive).
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .find(|r| r.code.eq_ignore_ascii_case(id) || r.name.eq_ignore_ascii_case(id))
}

/// A finding of one rule, at one element.
#[derive(Debug)]
pub(crate) struct Finding {
    pub diag: Diagnostic,
    /// The start of the element (with its annotations) in its file, for `brief:ignore`.
    pub element: usize,
}

/// What `paasctl lint` reports for a check run of a project rooted at `root`: the check's errors,
/// the problems of `root/brief.toml` (read through `fs`, added to the run's sources), and the lint
/// findings under that configuration, sorted.
pub fn lint_output(
    output: &mut Output,
    fs: &dyn crate::fs::FileSystem,
    root: &std::path::Path,
) -> Vec<Diagnostic> {
    let mut diags: Vec<Diagnostic> = output
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .cloned()
        .collect();
    let path = root.join("brief.toml");
    let config = if fs.is_file(&path) {
        match fs.read(&path) {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let id = output.sources.add("brief.toml", text.clone().into());
                let (cfg, cdiags) = parse_config(id, &text);
                diags.extend(cdiags);
                cfg
            }
            Err(e) => {
                diags.push(Diagnostic::new(
                    codes::L0001,
                    format!("cannot read `brief.toml`: {e}"),
                ));
                LintConfig::default()
            }
        }
    } else {
        LintConfig::default()
    };
    diags.extend(lint(output, &config));
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diags
}

/// Lints every `.brief` file of a check run. Returns the findings that survive the config and
/// the `brief:ignore` comments, with the severities of the config, sorted.
pub fn lint(output: &Output, config: &LintConfig) -> Vec<Diagnostic> {
    let findings = rules::run(output);
    let mut out = Vec::new();
    // Ignores per file: (file id, target) -> directives.
    let mut used: HashSet<(crate::source::FileId, usize)> = HashSet::new();
    let mut ignores: HashMap<(crate::source::FileId, usize, &'static str), usize> = HashMap::new();
    let mut all_ignores = Vec::new();
    for loaded in output.files.values() {
        let Some(text) = output.sources.get(loaded.id).map(|f| f.text.clone()) else {
            continue;
        };
        for d in directives::directives(&text, &loaded.parsed) {
            if d.kind != DirectiveKind::Ignore {
                continue;
            }
            let span = Span::new(loaded.id, d.span.clone());
            let Some(written) = &d.rule else {
                out.push(
                    Diagnostic::new(
                        codes::L0501,
                        "`brief:ignore` names no rule and gives no reason",
                    )
                    .primary(span, "incomplete ignore")
                    .hint("write `// brief:ignore RULE_ID why it is fine here`"),
                );
                continue;
            };
            let Some(r) = rule(written) else {
                let mut diag =
                    Diagnostic::new(codes::L0502, format!("unknown lint rule `{written}`"))
                        .primary(span, "no such rule");
                if let Some(s) = crate::diagnostic::did_you_mean(
                    written,
                    RULES.iter().flat_map(|r| [r.code, r.name]),
                ) {
                    diag = diag.hint(format!("did you mean `{s}`?"));
                }
                out.push(diag);
                continue;
            };
            if d.reason.is_empty() {
                out.push(
                    Diagnostic::new(
                        codes::L0501,
                        format!("`brief:ignore {written}` gives no reason"),
                    )
                    .primary(span, "a reason is required; this ignore has no effect")
                    .hint(format!(
                        "write `// brief:ignore {written} why it is fine here`"
                    )),
                );
                continue;
            }
            ignores.insert((loaded.id, d.target, r.code), all_ignores.len());
            all_ignores.push((loaded.id, d.target, r.code, span));
        }
    }
    let mut used_ignores: HashSet<usize> = HashSet::new();
    for f in findings {
        if !config.is_enabled(f.diag.code) {
            continue;
        }
        let Some(file) = f.diag.primary_span().map(|s| s.file) else {
            continue;
        };
        if let Some(&i) = ignores.get(&(file, f.element, f.diag.code)) {
            used_ignores.insert(i);
            used.insert((file, f.element));
            continue;
        }
        out.push(f.diag);
    }
    for (i, (_, _, code, span)) in all_ignores.into_iter().enumerate() {
        if !used_ignores.contains(&i) && config.is_enabled(code) {
            out.push(
                Diagnostic::new(
                    codes::L0503,
                    format!("`brief:ignore {code}` suppresses nothing"),
                )
                .primary(span, "no finding of this rule on the next element")
                .hint("remove the comment, or move it right before the element it is about"),
            );
        }
    }
    let mut out: Vec<Diagnostic> = out
        .into_iter()
        .filter(|d| config.is_enabled(d.code))
        .map(|d| {
            let sev = config.severity(d.code, d.severity);
            d.with_severity(sev)
        })
        .collect();
    out.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    out
}
