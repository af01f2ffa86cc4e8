//! A JSON document as one generated file: pretty-printed (two-space indent, keys in insertion
//! order), with a final newline; and the internal error when that fails.
use brief_codegen::GeneratedFile;
use compiler::Diagnostic;
use serde_json::{Map, Value};

/// `value` pretty-printed as the file `path`.
pub fn file(path: &str, value: &Value, backend: &str) -> Result<GeneratedFile, Vec<Diagnostic>> {
    match serde_json::to_string_pretty(value) {
        Ok(mut text) => {
            text.push('\n');
            Ok(GeneratedFile::new(path, text))
        }
        Err(e) => Err(vec![Diagnostic::new(
            compiler::codes::E0701,
            format!("the {backend} backend failed: {e}"),
        )
        .note("this is a bug of paasctl, not of the project; please report it")]),
    }
}

/// Inserts `description` (when there is one) and `deprecated: true` (when deprecated) into `obj`.
pub fn annotate(obj: &mut Map<String, Value>, description: Option<String>, deprecated: bool) {
    if let Some(d) = description {
        obj.insert("description".to_owned(), Value::String(d));
    }
    if deprecated {
        obj.insert("deprecated".to_owned(), Value::Bool(true));
    }
}
