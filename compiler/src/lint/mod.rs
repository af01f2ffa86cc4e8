//! The linter: style and hygiene rules over checked `.brief` files (see docs/lint.md).
//!
//! Pure like the rest of the core: it reads an [`Output`] of a check run and a parsed
//! `brief.toml`, and returns diagnostics. Each rule has a stable code (`L0101`), a stable name
//! (`RPC_LOWER_CAMEL_CASE`), a default (on or off), a one-line rationale and a check; each lives
//! in its own file under `rules/`, listed once in the registry there.
mod case;
pub mod config;
mod ignores;
mod rules;

pub use config::{parse_config, LintConfig};
pub use rules::RULES;

use crate::diagnostic::{codes, Diagnostic};
use crate::project::Output;
use crate::source::FileId;
use grammar::ast::Item;

/// One lint rule: its stable identity, its default and its check. The title and the default
/// severity are the diagnostic registry's (`codes::lookup(rule.code)`).
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    /// Whether the rule runs without being enabled in brief.toml.
    pub default_on: bool,
    /// Why the rule exists, in one line (`paasctl explain`).
    pub rationale: &'static str,
    pub check: Check,
}

/// How a rule finds its findings.
#[derive(Debug, Clone, Copy)]
pub enum Check {
    /// Called for every item of every `.brief` file of the run.
    Item(fn(FileId, &Item, &mut Vec<Finding>)),
    /// Called once with the whole check run.
    Run(fn(&Output, &mut Vec<Finding>)),
    /// Found by the check of the rule with this code, in the same pass.
    With(&'static str),
    /// Found while applying the `brief:ignore` comments (`lint/ignores.rs`).
    Ignores,
}

/// Finds a rule by code or name (case-insensitive).
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .find(|r| r.code.eq_ignore_ascii_case(id) || r.name.eq_ignore_ascii_case(id))
}

/// A finding of one rule, at one element.
#[derive(Debug)]
pub struct Finding {
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
    let mut out: Vec<Diagnostic> = ignores::apply(output, findings, config)
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
