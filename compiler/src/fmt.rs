//! The canonical formatter of `.brief` files (pure: text in, text out; see docs/fmt.md).
//!
//! It prints the AST in one style and puts every comment back where it was: own-line comments
//! stay before what they preceded, trailing comments stay at the end of their line, and runs of
//! blank lines collapse to one. An element with a comment *inside* it (between its tokens) is
//! printed as written. Formatting is idempotent, and it never changes the IR (except locations).
use grammar::ast::{self, Annotation, Item, Literal, TypeExpr, TypeMod};
use grammar::{Comment, Parsed};

/// Indentation of fields and enum values.
pub const INDENT: &str = "    ";

/// Formats a parsed file. `None` when the file has syntax errors: such a file is never rewritten.
pub fn format_parsed(src: &str, parsed: &Parsed) -> Option<String> {
    if !parsed.errors.is_empty() {
        return None;
    }
    let mut p = Printer {
        src,
        comments: &parsed.comments,
        next: 0,
        rows: Vec::new(),
    };
    p.file(&parsed.file);
    Some(render(&p.rows))
}

/// Parses and formats `src`; `None` when it does not parse.
pub fn format_source(src: &str) -> Option<String> {
    format_parsed(src, &grammar::parse(src))
}

/// One output line (or a group of them, for verbatim text and block comments).
#[derive(Debug)]
enum Row {
    Blank,
    /// An own-line comment, verbatim, at a depth.
    Comment {
        depth: usize,
        text: String,
    },
    /// A line of code at a depth, with an optional trailing comment.
    Code {
        depth: usize,
        text: String,
        trailing: Option<String>,
    },
    /// A field or enum value, aligned with the other cells of its block.
    Cell {
        block: usize,
        name: String,
        ty: Option<String>,
        doc: Option<String>,
        trailing: Option<String>,
    },
}

struct Printer<'a> {
    src: &'a str,
    comments: &'a [Comment],
    /// Index of the first comment not printed yet.
    next: usize,
    rows: Vec<Row>,
}

impl Printer<'_> {
    /// Adds a blank line, never two in a row, never first, never right after a `{`.
    fn push_blank(&mut self) {
        match self.rows.last() {
            None | Some(Row::Blank) => {}
            Some(Row::Code { text, .. }) if text.ends_with('{') => {}
            Some(_) => self.rows.push(Row::Blank),
        }
    }

    /// Whether the source between two offsets holds a blank line.
    fn blank_between(&self, from: usize, to: usize) -> bool {
        self.src
            .get(from..to)
            .is_some_and(|gap| gap.matches('\n').count() >= 2)
    }

    /// Prints the comments that start before `until`. Those on the same line as the previous code
    /// become its trailing comment; the others are own-line comments at `depth`, keeping one blank
    /// line where the source had any. With `force_blank`, a blank line separates what follows from
    /// the previous code (after its trailing comments). `prev_end` is where the previous code ended.
    fn comments_before(&mut self, until: usize, depth: usize, prev_end: usize, force_blank: bool) {
        let mut last_end = prev_end;
        let mut own_line_started = false;
        while let Some(c) = self.comments.get(self.next) {
            if c.span.start >= until {
                break;
            }
            self.next += 1;
            let same_line = !self
                .src
                .get(last_end..c.span.start)
                .unwrap_or("\n")
                .contains('\n');
            let text = clean_comment(c);
            if same_line && !own_line_started && self.attach_trailing(&text) {
                last_end = c.span.end;
                continue;
            }
            if !own_line_started {
                own_line_started = true;
                if force_blank {
                    self.push_blank();
                }
            }
            if self.blank_between(last_end, c.span.start) {
                self.push_blank();
            }
            self.rows.push(Row::Comment { depth, text });
            last_end = c.span.end;
        }
        if !own_line_started && force_blank {
            self.push_blank();
        }
        if self.blank_between(last_end, until) {
            self.push_blank();
        }
    }

    /// Attaches a trailing comment to the last code row; false when there is none to attach to.
    fn attach_trailing(&mut self, text: &str) -> bool {
        match self.rows.last_mut() {
            Some(Row::Code { trailing, .. } | Row::Cell { trailing, .. }) => {
                match trailing {
                    Some(t) => {
                        t.push(' ');
                        t.push_str(text);
                    }
                    None => *trailing = Some(text.to_owned()),
                }
                true
            }
            _ => false,
        }
    }

    /// Whether a comment starts strictly inside `range`: then that range is printed as written.
    fn has_inner_comment(&self, range: &std::ops::Range<usize>) -> bool {
        self.comments[self.next..]
            .iter()
            .take_while(|c| c.span.start < range.end)
            .any(|c| c.span.start > range.start)
    }

    /// Skips the comments inside `range` (they are printed as part of its verbatim text).
    fn skip_inner(&mut self, end: usize) {
        while self
            .comments
            .get(self.next)
            .is_some_and(|c| c.span.start < end)
        {
            self.next += 1;
        }
    }

    fn slice(&self, r: &std::ops::Range<usize>) -> String {
        self.src.get(r.clone()).unwrap_or_default().to_owned()
    }

    fn code(&mut self, depth: usize, text: String) {
        self.rows.push(Row::Code {
            depth,
            text,
            trailing: None,
        });
    }

    /// Prints an atom: canonical `text` unless a comment sits inside `range`, then verbatim.
    fn atom(&mut self, depth: usize, range: std::ops::Range<usize>, text: impl FnOnce() -> String) {
        if self.has_inner_comment(&range) {
            let verbatim = self.slice(&range);
            self.skip_inner(range.end);
            self.code(depth, verbatim);
        } else {
            self.code(depth, text());
        }
    }

    fn file(&mut self, file: &ast::File) {
        let mut prev_end = 0;
        let mut prev_block = false;
        for (i, item) in file.items.iter().enumerate() {
            let annotations = annotations_of(item);
            let start = annotations
                .first()
                .map(|a| a.span.start)
                .unwrap_or(item.span().start);
            let block = self.is_block(item);
            let force = i > 0 && (block || prev_block);
            self.comments_before(start, 0, prev_end, force);
            prev_end = self.annotations(annotations, 0, start);
            self.comments_before(item.span().start, 0, prev_end, false);
            prev_end = self.item(item);
            prev_block = block;
        }
        self.comments_before(usize::MAX, 0, prev_end, false);
    }

    /// Prints annotations, one per line; returns where the last one ended.
    fn annotations(&mut self, annotations: &[Annotation], depth: usize, start: usize) -> usize {
        let mut prev_end = start;
        for (i, a) in annotations.iter().enumerate() {
            if i > 0 {
                self.comments_before(a.span.start, depth, prev_end, false);
            }
            let src = self.src;
            self.atom(depth, a.span.clone(), || annotation(src, a));
            prev_end = a.span.end;
        }
        prev_end
    }

    fn is_block(&self, item: &Item) -> bool {
        match item {
            Item::Message(_) | Item::Enum(_) => true,
            Item::Error(e) => self.open_brace(header_end_error(e)).is_some(),
            _ => false,
        }
    }

    /// The offset just past the `{` that follows `from` (skipping blanks and comments), if any.
    fn open_brace(&self, from: usize) -> Option<usize> {
        let at = grammar::lexer::next_token(self.src, from);
        (self.src.as_bytes().get(at) == Some(&b'{')).then_some(at + 1)
    }

    /// Prints one item (without its annotations); returns where it ended in the source.
    fn item(&mut self, item: &Item) -> usize {
        let src = self.src;
        match item {
            Item::Service(s) => self.atom(0, s.span.clone(), || {
                let mut t = format!("service {}", raw(src, &s.name.span));
                push_doc(&mut t, src, &s.doc);
                t
            }),
            Item::Import(imp) => self.atom(0, imp.span.clone(), || {
                format!("import {}", raw(src, &imp.path.span))
            }),
            Item::Rpc(r) => self.atom(0, r.span.clone(), || {
                let mut t = format!("rpc {} ({}) {}", r.name.name, r.input.name, r.output.name);
                if !r.throws.is_empty() {
                    let names: Vec<&str> = r.throws.iter().map(|n| n.name.as_str()).collect();
                    t.push_str(&format!(" throws ({})", names.join(", ")));
                }
                push_doc(&mut t, src, &r.doc);
                t
            }),
            Item::Schema(s) => self.atom(0, s.span.clone(), || {
                let mut t = format!("schema {} {}", raw(src, &s.topic.span), s.ty.name);
                push_doc(&mut t, src, &s.doc);
                t
            }),
            Item::Message(m) => {
                let head = header(src, "message", &m.name, &m.doc);
                self.block(
                    m.span.clone(),
                    header_end(&m.name, &m.doc),
                    head,
                    Body::Fields(&m.fields),
                );
            }
            Item::Enum(e) => {
                let head = header(src, "enum", &e.name, &e.doc);
                self.block(
                    e.span.clone(),
                    header_end(&e.name, &e.doc),
                    head,
                    Body::Values(&e.values),
                );
            }
            Item::Error(e) => {
                let head = header(src, "error", &e.name, &e.doc);
                if self.open_brace(header_end_error(e)).is_some() {
                    self.block(
                        e.span.clone(),
                        header_end_error(e),
                        head,
                        Body::Fields(&e.fields),
                    );
                } else {
                    self.atom(0, e.span.clone(), || head);
                }
            }
        }
        item.span().end
    }

    /// Prints `head {`, the body's cells, and `}`.
    fn block(&mut self, span: std::ops::Range<usize>, head_end: usize, head: String, body: Body) {
        let src = self.src;
        let brace = self.open_brace(head_end).unwrap_or(head_end);
        let close = span.end.saturating_sub(1).max(brace);
        let block_id = self.rows.len();
        let empty = match body {
            Body::Fields(f) => f.is_empty(),
            Body::Values(v) => v.is_empty(),
        };
        let inner_comments = self.comments[self.next..]
            .iter()
            .any(|c| c.span.start >= brace && c.span.start < close);
        if empty && !inner_comments && !self.has_inner_comment(&(span.start..brace)) {
            self.code(0, format!("{head} {{}}"));
            return;
        }
        self.atom(0, span.start..brace, || format!("{head} {{"));
        let mut prev_end = brace;
        match body {
            Body::Fields(fields) => {
                for f in fields {
                    prev_end = self.member(&f.annotations, f.span.clone(), prev_end, block_id, {
                        move || {
                            (
                                f.name.name.clone(),
                                Some(type_text(&f.ty)),
                                f.doc.as_ref().map(|d| raw(src, &d.span)),
                            )
                        }
                    });
                }
            }
            Body::Values(values) => {
                for v in values {
                    prev_end = self.member(&v.annotations, v.span.clone(), prev_end, block_id, {
                        move || {
                            (
                                v.name.name.clone(),
                                None,
                                v.doc.as_ref().map(|d| raw(src, &d.span)),
                            )
                        }
                    });
                }
            }
        }
        // Comments after the last member stay inside the block; no blank line before `}`.
        self.comments_before(close, 1, prev_end, false);
        if matches!(self.rows.last(), Some(Row::Blank)) {
            self.rows.pop();
        }
        self.code(0, "}".to_owned());
    }

    /// Prints one field or enum value with its annotations; returns where it ended.
    fn member(
        &mut self,
        annotations: &[Annotation],
        span: std::ops::Range<usize>,
        prev_end: usize,
        block: usize,
        cell: impl FnOnce() -> (String, Option<String>, Option<String>),
    ) -> usize {
        let start = annotations
            .first()
            .map(|a| a.span.start)
            .unwrap_or(span.start);
        self.comments_before(start, 1, prev_end, false);
        let end = self.annotations(annotations, 1, start);
        self.comments_before(span.start, 1, end, false);
        if self.has_inner_comment(&span) {
            let verbatim = self.slice(&span);
            self.skip_inner(span.end);
            self.code(1, verbatim);
        } else {
            let (name, ty, doc) = cell();
            self.rows.push(Row::Cell {
                block,
                name,
                ty,
                doc,
                trailing: None,
            });
        }
        span.end
    }
}

enum Body<'a> {
    Fields(&'a [ast::Field]),
    Values(&'a [ast::EnumValue]),
}

fn annotations_of(item: &Item) -> &[Annotation] {
    match item {
        Item::Service(x) => &x.annotations,
        Item::Import(_) => &[],
        Item::Rpc(x) => &x.annotations,
        Item::Message(x) => &x.annotations,
        Item::Enum(x) => &x.annotations,
        Item::Error(x) => &x.annotations,
        Item::Schema(x) => &x.annotations,
    }
}

fn raw(src: &str, r: &std::ops::Range<usize>) -> String {
    src.get(r.clone()).unwrap_or_default().to_owned()
}

fn push_doc(t: &mut String, src: &str, doc: &Option<ast::Doc>) {
    if let Some(d) = doc {
        t.push(' ');
        t.push_str(&raw(src, &d.span));
    }
}

fn header(src: &str, kw: &str, name: &ast::Ident, doc: &Option<ast::Doc>) -> String {
    let mut t = format!("{kw} {}", name.name);
    push_doc(&mut t, src, doc);
    t
}

fn header_end(name: &ast::Ident, doc: &Option<ast::Doc>) -> usize {
    doc.as_ref().map(|d| d.span.end).unwrap_or(name.span.end)
}

fn header_end_error(e: &ast::ErrorDecl) -> usize {
    header_end(&e.name, &e.doc)
}

/// `@name` or `@name(arg, ...)`; string arguments keep their escapes as written.
pub fn annotation(src: &str, a: &Annotation) -> String {
    let mut t = format!("@{}", a.name.name);
    if !a.args.is_empty() {
        let args: Vec<String> = a
            .args
            .iter()
            .map(|l| match l {
                Literal::Str(s) => raw(src, &s.span),
                Literal::Int { value, .. } => value.clone(),
                Literal::Name(n) => n.name.clone(),
            })
            .collect();
        t.push_str(&format!("({})", args.join(", ")));
    }
    t
}

/// A type expression in canonical form: `[]?map[string]T`.
pub fn type_text(ty: &TypeExpr) -> String {
    let mut t = String::new();
    for m in &ty.mods {
        match m {
            TypeMod::List(_) => t.push_str("[]"),
            TypeMod::Optional(_) => t.push('?'),
            TypeMod::Map { key, .. } => {
                t.push_str("map[");
                t.push_str(&key.name);
                t.push(']');
            }
        }
    }
    t.push_str(&ty.base.name);
    t
}

/// A comment as printed: line comments lose trailing whitespace; block comments are verbatim.
fn clean_comment(c: &Comment) -> String {
    if c.block {
        c.text.clone()
    } else {
        c.text.trim_end().to_owned()
    }
}

fn width(s: &str) -> usize {
    s.chars().count()
}

/// Lays the rows out: indentation, alignment of cells per block, one newline at the end.
fn render(rows: &[Row]) -> String {
    // Column widths per block: names (of cells followed by something) and types (of cells with docs).
    let mut name_w: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    let mut type_w: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    for r in rows {
        if let Row::Cell {
            block,
            name,
            ty,
            doc,
            ..
        } = r
        {
            if ty.is_some() || doc.is_some() {
                let w = name_w.entry(*block).or_default();
                *w = (*w).max(width(name));
            }
            if let (Some(t), Some(_)) = (ty, doc) {
                let w = type_w.entry(*block).or_default();
                *w = (*w).max(width(t));
            }
        }
    }
    let mut out = String::new();
    for r in rows {
        match r {
            Row::Blank => {}
            Row::Comment { depth, text } => {
                out.push_str(&INDENT.repeat(*depth));
                out.push_str(text);
            }
            Row::Code {
                depth,
                text,
                trailing,
            } => {
                out.push_str(&INDENT.repeat(*depth));
                out.push_str(text);
                if let Some(t) = trailing {
                    out.push(' ');
                    out.push_str(t);
                }
            }
            Row::Cell {
                block,
                name,
                ty,
                doc,
                trailing,
            } => {
                let mut line = String::from(INDENT);
                line.push_str(name);
                let nw = name_w.get(block).copied().unwrap_or(0);
                if let Some(t) = ty {
                    pad(&mut line, name, nw);
                    line.push(' ');
                    line.push_str(t);
                    if let Some(d) = doc {
                        pad(&mut line, t, type_w.get(block).copied().unwrap_or(0));
                        line.push(' ');
                        line.push_str(d);
                    }
                } else if let Some(d) = doc {
                    pad(&mut line, name, nw);
                    line.push(' ');
                    line.push_str(d);
                }
                if let Some(t) = trailing {
                    line.push(' ');
                    line.push_str(t);
                }
                out.push_str(&line);
            }
        }
        out.push('\n');
    }
    out
}

fn pad(line: &mut String, cell: &str, w: usize) {
    for _ in width(cell)..w {
        line.push(' ');
    }
}

/// Longest diff shown in an F0001 diagnostic, in lines.
const MAX_DIFF_LINES: usize = 24;

/// The F0001 finding of `fmt --check` for a file whose formatted text differs: located at the
/// first line that changes, with a short unified diff as a note. `None` when nothing changes.
pub fn check_diagnostic(
    file: crate::source::FileId,
    path: &str,
    original: &str,
    formatted: &str,
) -> Option<crate::diagnostic::Diagnostic> {
    use crate::diagnostic::{codes, Diagnostic};
    if original == formatted {
        return None;
    }
    let diff = similar::TextDiff::from_lines(original, formatted);
    // Byte offset of the first changed line of the original.
    let mut offset = 0usize;
    let mut first = None;
    for op in diff.ops() {
        if let similar::DiffOp::Equal { len, .. } = op {
            for line in original[offset..].split_inclusive('\n').take(*len) {
                offset += line.len();
            }
        } else {
            first = Some(offset);
            break;
        }
    }
    let start = first.unwrap_or(0).min(original.len());
    let end = original[start..]
        .find('\n')
        .map(|i| start + i)
        .unwrap_or(original.len());
    let unified = diff
        .unified_diff()
        .context_radius(1)
        .header(
            &format!("{path} (as written)"),
            &format!("{path} (formatted)"),
        )
        .to_string();
    let mut lines: Vec<&str> = unified.lines().collect();
    let total = lines.len();
    lines.truncate(MAX_DIFF_LINES);
    let mut note = lines.join("\n");
    if total > MAX_DIFF_LINES {
        note.push_str(&format!("\n... {} more diff lines", total - MAX_DIFF_LINES));
    }
    Some(
        Diagnostic::new(codes::F0001, format!("`{path}` is not formatted"))
            .primary(
                crate::source::Span::new(file, start..end),
                "first line that changes",
            )
            .note(note)
            .hint(format!("run `paasctl fmt {path}`")),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn fmt(s: &str) -> String {
        let once = format_source(s).unwrap();
        let twice = format_source(&once).unwrap();
        assert_eq!(once, twice, "not idempotent");
        once
    }

    #[test]
    fn aligns_fields() {
        let out = fmt("message A { a int `x` bbb ?string `y` c []int }");
        assert_eq!(
            out,
            "message A {\n    a   int     `x`\n    bbb ?string `y`\n    c   []int\n}\n"
        );
    }

    #[test]
    fn keeps_comments() {
        let src = "// head\n\n\n// about A\nmessage A { // open\n  a int // trailing\n\n\n  // own\n  b int\n  // last\n}\nrpc x (A) A // t\n";
        let out = fmt(src);
        assert_eq!(
            out,
            "// head\n\n// about A\nmessage A { // open\n    a int // trailing\n\n    // own\n    b int\n    // last\n}\n\nrpc x (A) A // t\n"
        );
    }

    #[test]
    fn refuses_broken_files() {
        assert!(format_source("message A {").is_none());
    }

    #[test]
    fn annotations_on_own_lines() {
        let out = fmt("@idempotent @timeout( \"1s\" ) rpc get(A)B throws(X,Y)`d`");
        assert_eq!(
            out,
            "@idempotent\n@timeout(\"1s\")\nrpc get (A) B throws (X, Y) `d`\n"
        );
    }

    #[test]
    fn inner_comment_keeps_element_verbatim() {
        let out = fmt("rpc get /* odd */ (A) B\n");
        assert_eq!(out, "rpc get /* odd */ (A) B\n");
    }
}
