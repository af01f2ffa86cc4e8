//! Rendering of diagnostics, in one place: human (codespan-reporting) and JSON.
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
    let mut notes = d.notes.clone();
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

/// One diagnostic as a flat JSON record for tools. Lines and columns are 1-based; `end_*` is exclusive.
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub end_line: Option<usize>,
    pub end_column: Option<usize>,
    pub labels: Vec<JsonLabel>,
    pub notes: Vec<String>,
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

/// Converts diagnostics to flat records with resolved positions.
pub fn records(diags: &[Diagnostic], sources: &Sources) -> Vec<JsonDiagnostic> {
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
                        file: f.path.clone(),
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

/// Renders diagnostics as a JSON document: `{"diagnostics": [...], "errors": N, "warnings": N}`.
pub fn json(diags: &[Diagnostic], sources: &Sources) -> String {
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diags
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    let doc = serde_json::json!({
        "diagnostics": records(diags, sources),
        "errors": errors,
        "warnings": warnings,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".to_owned());
    s.push('\n');
    s
}
