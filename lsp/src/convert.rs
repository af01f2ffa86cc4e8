//! Conversions between the compiler's byte offsets and LSP's UTF-16 positions, and from the one
//! `Diagnostic` type to LSP diagnostics (the same code, range, notes, hint and related labels).
use compiler::{Diagnostic, FileId, Severity, Sources, Span};
use lsp_types::{
    DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Position, Range,
    Url,
};
use std::collections::HashMap;
use std::path::Path;

/// The LSP position of byte `offset` in `text` (line, UTF-16 code units into the line).
pub fn position(text: &str, offset: usize) -> Position {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let character = before[line_start..].encode_utf16().count();
    Position::new(to_u32(line), to_u32(character))
}

/// The start of every line of a text, for many positions in one text (each found by a binary
/// search instead of a scan from the start).
#[derive(Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// The same as [`position`], for the text this index was made of.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let character = text[start..offset].encode_utf16().count();
        Position::new(to_u32(line), to_u32(character))
    }
}

/// Positions of offsets that mostly grow (the tokens of a file in order): each is counted from
/// the previous one when on the same line, so a very long line is not rescanned per token.
#[derive(Debug)]
pub struct LineCursor<'t> {
    text: &'t str,
    lines: LineIndex,
    at: usize,
    pos: Position,
}

impl<'t> LineCursor<'t> {
    pub fn new(text: &'t str) -> Self {
        LineCursor {
            text,
            lines: LineIndex::new(text),
            at: 0,
            pos: Position::new(0, 0),
        }
    }

    /// The position of `offset` (as [`position`] gives it).
    pub fn position(&mut self, offset: usize) -> Position {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        let step = self.text.get(self.at..offset).filter(|s| !s.contains('\n'));
        self.pos = match step {
            Some(s) => Position::new(
                self.pos.line,
                self.pos.character + to_u32(s.encode_utf16().count()),
            ),
            None => self.lines.position(self.text, offset),
        };
        self.at = offset;
        self.pos
    }
}

/// The byte offset of an LSP position in `text`, clamped to the line's end and the text's end.
pub fn offset(text: &str, pos: Position) -> usize {
    let mut line_start = 0;
    for _ in 0..pos.line {
        match text[line_start..].find('\n') {
            Some(i) => line_start += i + 1,
            None => return text.len(),
        }
    }
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let mut units = 0u32;
    for (i, c) in text[line_start..line_end].char_indices() {
        if units >= pos.character {
            return line_start + i;
        }
        units += to_u32(c.len_utf16());
    }
    line_end
}

/// The LSP range of a byte range.
pub fn range(text: &str, r: &std::ops::Range<usize>) -> Range {
    Range::new(position(text, r.start), position(text, r.end))
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The `file://` URL of a path (`None` for a relative or unrepresentable path).
pub fn url(path: &Path) -> Option<Url> {
    Url::from_file_path(path).ok()
}

/// LSP ranges of spans in the files of a run, with one [`LineIndex`] per file made on first use.
#[derive(Debug)]
pub struct Positions<'s> {
    sources: &'s Sources,
    lines: HashMap<FileId, LineIndex>,
}

impl<'s> Positions<'s> {
    pub fn new(sources: &'s Sources) -> Self {
        Positions {
            sources,
            lines: HashMap::new(),
        }
    }

    /// The LSP range of a span.
    pub fn range(&mut self, span: &Span) -> Range {
        let text = self
            .sources
            .get(span.file)
            .map(|f| f.text.as_ref())
            .unwrap_or("");
        let lines = self
            .lines
            .entry(span.file)
            .or_insert_with(|| LineIndex::new(text));
        Range::new(
            lines.position(text, span.range.start),
            lines.position(text, span.range.end),
        )
    }
}

/// An LSP diagnostic for `d`, whose primary span is in a file of the run whose paths are
/// relative to `root`. The message carries the notes and the hint, as `check` prints them.
pub fn diagnostic(d: &Diagnostic, positions: &mut Positions, root: &Path) -> lsp_types::Diagnostic {
    let sources = positions.sources;
    let mut range_of = |span: &compiler::Span| positions.range(span);
    let primary = d.primary_span();
    let mut message = d.message.clone();
    if let Some(l) = d.labels.iter().find(|l| l.primary && !l.message.is_empty()) {
        message.push_str(&format!(" ({})", l.message));
    }
    for n in &d.notes {
        message.push_str(&format!("\nnote: {n}"));
    }
    if let Some(h) = &d.hint {
        message.push_str(&format!("\nhelp: {h}"));
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .filter(|l| !l.primary)
        .filter_map(|l| {
            let uri = url(&root.join(sources.path(l.span.file)))?;
            Some(DiagnosticRelatedInformation {
                location: Location::new(uri, range_of(&l.span)),
                message: l.message.clone(),
            })
        })
        .collect();
    lsp_types::Diagnostic {
        range: primary.map(range_of).unwrap_or_default(),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            _ => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(d.code.to_owned())),
        source: Some("brief".to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::{offset, position};
    use lsp_types::Position;

    #[test]
    fn positions_count_utf16_units_and_round_trip() {
        let text = "ab\nп😀x\n";
        // `x` is after a 2-byte and a 4-byte char: 2 UTF-16 units for the emoji.
        let x = text.find('x').unwrap_or(0);
        assert_eq!(position(text, x), Position::new(1, 3));
        assert_eq!(offset(text, Position::new(1, 3)), x);
        assert_eq!(
            offset(text, Position::new(0, 99)),
            2,
            "clamped to the line end"
        );
        assert_eq!(
            offset(text, Position::new(9, 0)),
            text.len(),
            "clamped to the end"
        );
        assert_eq!(position(text, text.len()), Position::new(2, 0));
        let index = super::LineIndex::new(text);
        for i in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
            assert_eq!(index.position(text, i), position(text, i), "at {i}");
        }
        let mut cursor = super::LineCursor::new(text);
        for i in [0, 1, 3, 5, 9, 10, 4, 11, 2] {
            assert_eq!(cursor.position(i), position(text, i), "cursor at {i}");
        }
    }
}
