//! The `[lint]` table of `brief.toml` at the project root: which rules run, at which severity.
//!
//! ```toml
//! [lint]
//! enable = ["RPC_TIMEOUT"]          # rules that are off by default; "all" turns every rule on
//! disable = ["L0204", "EVENT_DOC"]  # rules to turn off
//! [lint.severity]
//! L0101 = "error"                   # "error", "warning", "note" or "off"
//! ```
use super::{rule, RULES};
use crate::diagnostic::{codes, Diagnostic, Severity};
use crate::source::{FileId, Span};
use std::collections::{BTreeSet, HashMap};

/// The effective lint configuration.
#[derive(Debug, Clone)]
pub struct LintConfig {
    enabled: BTreeSet<&'static str>,
    severity: HashMap<&'static str, Severity>,
}

impl Default for LintConfig {
    fn default() -> Self {
        LintConfig {
            enabled: RULES
                .iter()
                .filter(|r| r.default_on)
                .map(|r| r.code)
                .collect(),
            severity: HashMap::new(),
        }
    }
}

impl LintConfig {
    /// Whether a lint code runs. Codes that are not lint rules always pass through.
    pub fn is_enabled(&self, code: &str) -> bool {
        rule(code).is_none() || self.enabled.contains(code)
    }

    /// The severity of a code: the override from brief.toml, else `default`.
    pub fn severity(&self, code: &str, default: Severity) -> Severity {
        self.severity.get(code).copied().unwrap_or(default)
    }

    pub fn enable(&mut self, code: &'static str) {
        self.enabled.insert(code);
    }
}

/// Parses the text of brief.toml (file `id` in the run's sources). Problems are L0001 (syntax,
/// unknown keys, wrong types) and L0002 (unknown rules); the config is still built from the rest.
pub fn parse_config(id: FileId, text: &str) -> (LintConfig, Vec<Diagnostic>) {
    let mut cfg = LintConfig::default();
    let mut diags = Vec::new();
    let doc = match text.parse::<toml_edit::ImDocument<String>>() {
        Ok(d) => d,
        Err(e) => {
            let range = e.span().unwrap_or(0..0);
            diags.push(
                Diagnostic::new(codes::L0001, "brief.toml is not valid TOML")
                    .primary(Span::new(id, range), e.message().to_owned()),
            );
            return (cfg, diags);
        }
    };
    let span = |item: Option<std::ops::Range<usize>>| Span::new(id, item.unwrap_or(0..0));
    for (key, item) in doc.as_table().iter() {
        if key != "lint" {
            let ks = doc.as_table().key(key).and_then(|k| k.span());
            diags.push(
                Diagnostic::new(codes::L0001, format!("unknown table `{key}` in brief.toml"))
                    .primary(span(ks), "not a brief.toml section")
                    .hint("brief.toml has one table: [lint]"),
            );
            continue;
        }
        let Some(lint) = item.as_table_like() else {
            diags.push(
                Diagnostic::new(codes::L0001, "`lint` must be a table")
                    .primary(span(item.span()), "expected a table"),
            );
            continue;
        };
        for (k, v) in lint.iter() {
            let kspan = lint.key(k).and_then(|k| k.span());
            match k {
                "enable" | "disable" => {
                    let Some(arr) = v.as_array() else {
                        diags.push(
                            Diagnostic::new(
                                codes::L0001,
                                format!("`lint.{k}` must be a list of rule ids"),
                            )
                            .primary(span(v.span().or(kspan)), "expected an array of strings"),
                        );
                        continue;
                    };
                    for val in arr.iter() {
                        let Some(s) = val.as_str() else {
                            diags.push(
                                Diagnostic::new(
                                    codes::L0001,
                                    format!("`lint.{k}` must be a list of rule ids"),
                                )
                                .primary(span(val.span()), "expected a string"),
                            );
                            continue;
                        };
                        let targets: Vec<&'static str> = if s.eq_ignore_ascii_case("all") {
                            RULES.iter().map(|r| r.code).collect()
                        } else if let Some(r) = rule(s) {
                            vec![r.code]
                        } else {
                            diags.push(unknown_rule(s, span(val.span())));
                            continue;
                        };
                        for t in targets {
                            if k == "enable" {
                                cfg.enabled.insert(t);
                            } else {
                                cfg.enabled.remove(t);
                            }
                        }
                    }
                }
                "severity" => {
                    let Some(t) = v.as_table_like() else {
                        diags.push(
                            Diagnostic::new(codes::L0001, "`lint.severity` must be a table")
                                .primary(
                                    span(v.span().or(kspan)),
                                    "expected a table of rule = severity",
                                ),
                        );
                        continue;
                    };
                    for (rk, rv) in t.iter() {
                        let rkspan = t.key(rk).and_then(|k| k.span());
                        let Some(r) = rule(rk) else {
                            diags.push(unknown_rule(rk, span(rkspan)));
                            continue;
                        };
                        match rv.as_str() {
                            Some("error") => {
                                cfg.severity.insert(r.code, Severity::Error);
                            }
                            Some("warning") => {
                                cfg.severity.insert(r.code, Severity::Warning);
                            }
                            Some("note") => {
                                cfg.severity.insert(r.code, Severity::Note);
                            }
                            Some("off") => {
                                cfg.enabled.remove(r.code);
                            }
                            _ => diags.push(
                                Diagnostic::new(
                                    codes::L0001,
                                    format!("invalid severity for `{rk}`"),
                                )
                                .primary(
                                    span(rv.span()),
                                    "expected \"error\", \"warning\", \"note\" or \"off\"",
                                ),
                            ),
                        }
                    }
                }
                other => diags.push(
                    Diagnostic::new(
                        codes::L0001,
                        format!("unknown key `lint.{other}` in brief.toml"),
                    )
                    .primary(span(kspan), "unknown key")
                    .hint("[lint] has the keys enable, disable and severity"),
                ),
            }
        }
    }
    // Severity overrides of disabled rules enable nothing; an override of an enabled rule stays.
    (cfg, diags)
}

fn unknown_rule(written: &str, span: Span) -> Diagnostic {
    let mut d = Diagnostic::new(codes::L0002, format!("unknown lint rule `{written}`"))
        .primary(span, "no such rule");
    if let Some(s) =
        crate::diagnostic::did_you_mean(written, RULES.iter().flat_map(|r| [r.code, r.name]))
    {
        d = d.hint(format!("did you mean `{s}`?"));
    }
    d
}
