//! `paasctl explain`: the title and severity of a diagnostic code, and where it is documented.
use crate::output::{usage_error, EXIT_OK};
use compiler::lint;

pub fn run(code: Option<&str>, all: bool) -> i32 {
    if all || code.is_none() {
        for c in compiler::codes::ALL {
            println!(
                "{}  {:<8} {}",
                c.code,
                format!("{:?}", c.severity).to_lowercase(),
                c.title
            );
        }
        return EXIT_OK;
    }
    let code = code.unwrap_or_default().to_uppercase();
    match compiler::codes::lookup(&code) {
        Some(c) => {
            println!(
                "{}: {} ({})",
                c.code,
                c.title,
                format!("{:?}", c.severity).to_lowercase()
            );
            if let Some(extra) = explain_tool_code(c.code) {
                println!("{extra}");
            } else {
                println!(
                    "See docs/diagnostics.md#{} for examples.",
                    c.code.to_lowercase()
                );
            }
            EXIT_OK
        }
        None => usage_error(&format!(
            "unknown code `{code}`; `paasctl explain --all` lists them"
        )),
    }
}

/// What `paasctl explain` adds for the tools' codes: name, default, rationale, and the docs page.
fn explain_tool_code(code: &str) -> Option<String> {
    if let Some(r) = lint::RULES.iter().find(|r| r.code == code) {
        let default = if r.default_on { "on" } else { "off" };
        return Some(format!(
            "Lint rule {} (default: {default}): {}.\nSee docs/lint.md; silence one finding with `// brief:ignore {} reason`.",
            r.name, r.rationale, r.code
        ));
    }
    if let Some(r) = compiler::breaking::RULES.iter().find(|r| r.code == code) {
        return Some(format!(
            "Breaking-change check {} (category {}): {}.\nSee docs/breaking.md; waive one with `// brief:allow-breaking {} reason`.",
            r.name,
            r.category.name(),
            r.rationale,
            r.code
        ));
    }
    match code.as_bytes().first() {
        Some(b'L') => Some("See docs/lint.md.".to_owned()),
        Some(b'B') => Some("See docs/breaking.md.".to_owned()),
        Some(b'F') => Some("See docs/fmt.md; `paasctl fmt` fixes it.".to_owned()),
        _ => None,
    }
}
