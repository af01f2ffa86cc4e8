//! Rendering of diagnostics, in one place: human (codespan-reporting), JSON, SARIF 2.1.0 and
//! GitHub Actions workflow commands.
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Sources;
use codespan_reporting::diagnostic as cs;
use codespan_reporting::term;
use serde::Serialize;

/// Output formats of diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

/// Renders diagnostics for people, with snippets and carets. `color` selects ANSI colours.
pub fn human(diags: &[Diagnostic], sources: &Sources, color: bool) -> String {
    let mut buf: Vec<u8> = Vec::new();
    {
        let mut writer: Box<dyn term::termcolor::WriteColor> = if color {
            Box::new(term::termcolor::Ansi::new(&mut buf))
        } else {
            Box::new(term::termcolor::NoColor::new(&mut buf))
        };
        let config = term::Config::default();
        for d in diags {
            // An error here only means the writer failed; the buffer cannot fail.
            let _ = term::emit(&mut writer, &config, sources, &to_codespan(d));
        }
    }
    String::from_utf8_lossy(&buf).into_owned()
}

fn to_codespan(d: &Diagnostic) -> cs::Diagnostic<crate::source::FileId> {
    let sev = match d.severity {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
        Severity::Note => cs::Severity::Note,
    };
    let mut notes: Vec<String> = d
        .category
        .map(|c| format!("category: {}", c.name()))
        .into_iter()
        .chain(d.notes.iter().cloned())
        .collect();
    if let Some(h) = &d.hint {
        notes.push(format!("help: {h}"));
    }
    cs::Diagnostic::new(sev)
        .with_code(d.code)
        .with_message(&d.message)
        .with_labels(
            d.labels
                .iter()
                .map(|l| {
                    let style = if l.primary {
                        cs::LabelStyle::Primary
                    } else {
                        cs::LabelStyle::Secondary
                    };
                    cs::Label::new(style, l.span.file, l.span.range.clone())
                        .with_message(&l.message)
                })
                .collect(),
        )
        .with_notes(notes)
}

/// The version of the `--format json` document (its top-level `schema` field; docs/diagnostics.md).
/// Raised when a field changes meaning or disappears; new fields do not raise it.
pub const JSON_SCHEMA: u32 = 1;

/// One diagnostic as a flat JSON record for tools. Lines and columns are 1-based; `end_*` is
/// exclusive; paths are relative to the working directory, with forward slashes.
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic {
    pub code: &'static str,
    /// The stable rule name of a lint or breaking-change code (`RPC_LOWER_CAMEL_CASE`).
    pub rule: Option<&'static str>,
    /// The category of a breaking change: `WIRE` or `SOURCE`.
    pub category: Option<&'static str>,
    pub severity: Severity,
    pub message: String,
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub end_line: Option<usize>,
    pub end_column: Option<usize>,
    pub labels: Vec<JsonLabel>,
    pub notes: Vec<String>,
    /// The fix: a did-you-mean or the concrete change to make, when there is one.
    pub hint: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct JsonLabel {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub message: String,
    pub primary: bool,
}

/// The stable name of the lint rule or breaking-change check a code belongs to.
pub fn rule_name(code: &str) -> Option<&'static str> {
    crate::lint::RULES
        .iter()
        .find(|r| r.code == code)
        .map(|r| r.name)
        .or_else(|| crate::breaking::rule(code).map(|r| r.name))
}

/// Converts diagnostics to flat records with resolved positions; `prefix` (the project directory
/// relative to the working directory) is joined onto every path.
pub fn records(diags: &[Diagnostic], sources: &Sources, prefix: &str) -> Vec<JsonDiagnostic> {
    diags
        .iter()
        .map(|d| {
            let labels: Vec<JsonLabel> = d
                .labels
                .iter()
                .filter_map(|l| {
                    let f = sources.get(l.span.file)?;
                    let (line, column) = f.line_col(l.span.range.start);
                    let (end_line, end_column) = f.line_col(l.span.range.end);
                    Some(JsonLabel {
                        file: prefixed(prefix, &f.path),
                        line,
                        column,
                        end_line,
                        end_column,
                        message: l.message.clone(),
                        primary: l.primary,
                    })
                })
                .collect();
            let main = labels.iter().find(|l| l.primary).or(labels.first());
            JsonDiagnostic {
                code: d.code,
                rule: rule_name(d.code),
                category: d.category.map(|c| c.name()),
                severity: d.severity,
                message: d.message.clone(),
                file: main.map(|l| l.file.clone()),
                line: main.map(|l| l.line),
                column: main.map(|l| l.column),
                end_line: main.map(|l| l.end_line),
                end_column: main.map(|l| l.end_column),
                notes: d.notes.clone(),
                hint: d.hint.clone(),
                labels,
            }
        })
        .collect()
}

/// Renders diagnostics as a JSON document:
/// `{"schema": 1, "diagnostics": [...], "errors": N, "warnings": N}`; `prefix` as for [`records`].
pub fn json(diags: &[Diagnostic], sources: &Sources, prefix: &str) -> String {
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diags
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    let doc = serde_json::json!({
        "schema": JSON_SCHEMA,
        "diagnostics": records(diags, sources, prefix),
        "errors": errors,
        "warnings": warnings,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".to_owned());
    s.push('\n');
    s
}

/// Joins a path prefix (such as the project directory as given on the command line) onto a
/// project-relative path, with forward slashes and without a leading `./`.
pub fn prefixed(prefix: &str, path: &str) -> String {
    let prefix = prefix.replace('\\', "/");
    let prefix = prefix.trim_start_matches("./").trim_end_matches('/');
    if prefix.is_empty() || prefix == "." {
        path.to_owned()
    } else {
        format!("{prefix}/{path}")
    }
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// Renders diagnostics as a SARIF 2.1.0 log for code scanning. Every registered code is a rule of
/// `runs[0].tool.driver.rules`; `uri_prefix` is joined onto file paths (repository-relative URIs).
pub fn sarif(diags: &[Diagnostic], sources: &Sources, uri_prefix: &str) -> String {
    use crate::diagnostic::codes;
    let rules: Vec<serde_json::Value> = codes::ALL
        .iter()
        .map(|c| {
            serde_json::json!({
                "id": c.code,
                "name": c.code,
                "shortDescription": { "text": c.title },
                "defaultConfiguration": { "level": level(c.severity) },
                "help": { "text": format!("`paasctl explain {}`; docs/explain.md#{}", c.code, c.code.to_lowercase()) },
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = records(diags, sources, uri_prefix)
        .into_iter()
        .map(|r| {
            let mut text = r.message.clone();
            if let Some(h) = &r.hint {
                text.push_str(&format!(" (help: {h})"));
            }
            let mut result = serde_json::json!({
                "ruleId": r.code,
                "level": level(r.severity),
                "message": { "text": text },
            });
            if let Some(i) = codes::ALL.iter().position(|c| c.code == r.code) {
                result["ruleIndex"] = serde_json::json!(i);
            }
            let mut properties = serde_json::Map::new();
            for (key, value) in [("rule", r.rule), ("category", r.category)] {
                if let Some(v) = value {
                    properties.insert(key.to_owned(), serde_json::json!(v));
                }
            }
            if !properties.is_empty() {
                result["properties"] = serde_json::Value::Object(properties);
            }
            if let (Some(file), Some(line), Some(col), Some(end_line), Some(end_col)) =
                (&r.file, r.line, r.column, r.end_line, r.end_column)
            {
                // SARIF regions may not be empty; an empty span covers one column.
                let end_col = if (end_line, end_col) <= (line, col) {
                    col + 1
                } else {
                    end_col
                };
                let end_line = end_line.max(line);
                result["locations"] = serde_json::json!([{
                    "physicalLocation": {
                        "artifactLocation": { "uri": file },
                        "region": {
                            "startLine": line, "startColumn": col,
                            "endLine": end_line, "endColumn": end_col,
                        },
                    },
                }]);
            }
            result
        })
        .collect();
    let doc = serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "paasctl",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".to_owned());
    s.push('\n');
    s
}

/// Escapes the message of a GitHub workflow command.
fn gh_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value of a GitHub workflow command.
fn gh_prop(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Renders diagnostics as GitHub Actions annotations, one workflow command per line:
/// `::error file=F,line=L,col=C,endLine=L,endColumn=C,title=CODE::message`.
pub fn github(diags: &[Diagnostic], sources: &Sources, path_prefix: &str) -> String {
    let mut out = String::new();
    for r in records(diags, sources, path_prefix) {
        let cmd = match r.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let mut props = Vec::new();
        if let (Some(file), Some(line), Some(col), Some(end_line), Some(end_col)) =
            (&r.file, r.line, r.column, r.end_line, r.end_column)
        {
            props.push(format!("file={}", gh_prop(file)));
            props.push(format!("line={line}"));
            props.push(format!("col={col}"));
            props.push(format!("endLine={end_line}"));
            props.push(format!("endColumn={end_col}"));
        }
        props.push(format!("title={}", gh_prop(r.code)));
        let mut msg = r.message.clone();
        if let Some(c) = r.category {
            msg.push_str(&format!(" [{c}]"));
        }
        if let Some(h) = &r.hint {
            msg.push_str(&format!("\nhelp: {h}"));
        }
        out.push_str(&format!("::{cmd} {}::{}\n", props.join(","), gh_data(&msg)));
    }
    out
}

/// Renders in any format; `prefix` is joined onto paths by the machine formats (JSON, SARIF,
/// GitHub), so that they are relative to the working directory.
pub fn render(
    format: Format,
    diags: &[Diagnostic],
    sources: &Sources,
    color: bool,
    prefix: &str,
) -> String {
    match format {
        Format::Human => human(diags, sources, color),
        Format::Json => json(diags, sources, prefix),
        Format::Sarif => sarif(diags, sources, prefix),
        Format::Github => github(diags, sources, prefix),
    }
}
