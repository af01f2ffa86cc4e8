//! `paasctl explain`: the full explanation of a diagnostic code (or lint / breaking rule name),
//! from docs/explain.md, which is compiled into the binary.
use crate::output::{usage_error, EXIT_OK};
use compiler::diagnostic::did_you_mean;
use compiler::lint;

/// docs/explain.md: one `## CODE` section per registered code, the one home of the explanations.
const EXPLANATIONS: &str = include_str!("../../../docs/explain.md");

pub fn run(code: Option<&str>, all: bool) -> i32 {
    let Some(id) = code.filter(|_| !all) else {
        for c in compiler::codes::ALL {
            println!(
                "{}  {:<8} {}",
                c.code,
                format!("{:?}", c.severity).to_lowercase(),
                c.title
            );
        }
        return EXIT_OK;
    };
    let Some(c) = resolve(id).and_then(compiler::codes::lookup) else {
        let names = compiler::codes::ALL
            .iter()
            .map(|c| c.code)
            .chain(lint::RULES.iter().map(|r| r.name))
            .chain(compiler::breaking::RULES.iter().map(|r| r.name));
        let hint = did_you_mean(id, names)
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        return usage_error(&format!(
            "unknown code or rule `{id}`{hint}; `paasctl explain --all` lists them"
        ));
    };
    println!(
        "{}: {} ({})",
        c.code,
        c.title,
        format!("{:?}", c.severity).to_lowercase()
    );
    if let Some(body) = section(c.code) {
        println!();
        println!("{}", body.trim());
    }
    println!();
    println!("Docs: {}", anchor(c.code));
    EXIT_OK
}

/// The code a command-line argument names: a code in any case, or a lint rule's or breaking
/// check's name (`RPC_LOWER_CAMEL_CASE`, `field_removed`).
pub fn resolve(id: &str) -> Option<&'static str> {
    if let Some(c) = compiler::codes::lookup(&id.to_uppercase()) {
        return Some(c.code);
    }
    lint::rule(id)
        .map(|r| r.code)
        .or_else(|| compiler::breaking::rule(id).map(|r| r.code))
}

/// The body of a code's `## CODE` section of docs/explain.md, without its heading and title line.
pub fn section(code: &str) -> Option<&'static str> {
    let heading = format!("\n## {code}\n");
    let start = EXPLANATIONS.find(&heading)? + heading.len();
    let rest = &EXPLANATIONS[start..];
    let body = &rest[..rest.find("\n## ").unwrap_or(rest.len())];
    // The first line is `**title** (severity)`, which the first printed line already says.
    let body = body.trim_start();
    Some(match body.strip_prefix("**") {
        Some(_) => body.split_once('\n').map_or("", |(_, b)| b),
        None => body,
    })
}

/// Where a code is documented: its section of docs/explain.md (a `## CODE` heading's anchor).
pub fn anchor(code: &str) -> String {
    format!("docs/explain.md#{}", code.to_lowercase())
}
