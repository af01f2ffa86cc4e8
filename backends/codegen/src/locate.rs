//! Diagnostics of a backend located in the run's sources: an IR [`Loc`] back to a [`Span`].
use compiler::ir::Loc;
use compiler::{Diagnostic, Sources, Span};

/// The span of `loc` among `sources` (matched by project-relative path), if the file is there.
pub fn span(sources: &Sources, loc: &Loc) -> Option<Span> {
    let (file, _) = sources.iter().find(|(_, f)| f.path == loc.file)?;
    Some(Span::new(file, loc.start..loc.end))
}

/// `d` with a primary label at `loc` when it can be found, else with a note naming the place.
pub fn at(d: Diagnostic, sources: &Sources, loc: &Loc, message: &str) -> Diagnostic {
    match span(sources, loc) {
        Some(s) => d.primary(s, message.to_owned()),
        None => d.note(format!("at {}:{}:{}", loc.file, loc.line, loc.column)),
    }
}
