//! Front end of the `.brief` contract language: logos lexer, LALRPOP grammar, AST with spans.
//!
//! [`parse`] never fails and never panics: syntax errors are returned beside a best-effort tree,
//! so that one mistake does not hide the rest of the file.
pub mod ast;
mod habits;
pub mod lexer;

use lalrpop_util::{lalrpop_mod, ErrorRecovery, ParseError};
use lexer::{LexError, Tok};
use std::ops::Range;

lalrpop_mod!(
    #[allow(
        clippy::all,
        clippy::pedantic,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        unused
    )]
    parser,
    "/brief.rs"
);

pub use ast::File;
pub use lexer::Comment;

/// A syntax error with the byte range it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Range<usize>,
    pub kind: SyntaxErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyntaxErrorKind {
    /// A token the grammar does not allow here; `expected` is human-readable.
    Unexpected {
        found: String,
        expected: Vec<String>,
    },
    /// The file ended in the middle of a declaration.
    UnexpectedEof { expected: Vec<String> },
    /// A lexical error.
    Lex(LexError),
    /// Another language's spelling (`returns`, `list<T>`, `string?`); parsing went on as if the
    /// .brief spelling in `hint` had been written. `found` is the offending token, for people.
    Habit {
        found: String,
        label: String,
        hint: String,
    },
    /// A `{` (the span) that is not closed before the next declaration, whose keyword is at
    /// `next`; parsing went on as if a `}` stood before that declaration (and its annotations).
    Unclosed { next: Range<usize> },
}

/// The result of parsing one file.
#[derive(Debug, Default)]
pub struct Parsed {
    pub file: File,
    pub comments: Vec<Comment>,
    pub errors: Vec<SyntaxError>,
}

/// Parses one `.brief` source text.
pub fn parse(src: &str) -> Parsed {
    let mut lexed = lexer::lex(src);
    let habits = habits::rewrite(src, &mut lexed.tokens, &mut lexed.errors);
    let mut errors: Vec<SyntaxError> = lexed
        .errors
        .into_iter()
        .map(|(span, e)| SyntaxError {
            span,
            kind: SyntaxErrorKind::Lex(e),
        })
        .chain(habits)
        .collect();
    let mut recovered: Vec<ErrorRecovery<usize, Tok, SyntaxError>> = Vec::new();
    let tokens = lexed.tokens.into_iter().map(Ok::<_, SyntaxError>);
    let file = match parser::FileParser::new().parse(&mut recovered, tokens) {
        Ok(file) => file,
        Err(e) => {
            recovered.push(ErrorRecovery {
                error: e,
                dropped_tokens: Vec::new(),
            });
            File::default()
        }
    };
    errors.extend(
        recovered
            .into_iter()
            .map(|rec| convert(rec.error, src.len())),
    );
    // An unterminated doc string or comment swallows the rest of the file: the end-of-file
    // error that follows is its consequence, not a second mistake.
    if errors.iter().any(|e| {
        matches!(
            e.kind,
            SyntaxErrorKind::Lex(LexError::UnterminatedDoc | LexError::UnterminatedComment)
        )
    }) {
        errors.retain(|e| !matches!(e.kind, SyntaxErrorKind::UnexpectedEof { .. }));
    }
    let errors = suppress_cascades(errors, &file);
    Parsed {
        file,
        comments: lexed.comments,
        errors,
    }
}

/// Panic-mode reporting: after an error, later errors stay quiet until a declaration (an item,
/// a field or an enum value) has been completed after it. One mistake, one diagnostic. Habits
/// and unclosed braces are not cascades (parsing went on as if they had been fixed): they are
/// all kept, and do not quiet what follows.
fn suppress_cascades(errors: Vec<SyntaxError>, file: &File) -> Vec<SyntaxError> {
    let (fixed, mut errors): (Vec<SyntaxError>, Vec<SyntaxError>) =
        errors.into_iter().partition(|e| {
            matches!(
                e.kind,
                SyntaxErrorKind::Habit { .. } | SyntaxErrorKind::Unclosed { .. }
            )
        });
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    let mut clean: Vec<Range<usize>> = Vec::new();
    for item in &file.items {
        clean.push(item.span().clone());
        match item {
            ast::Item::Message(m) => clean.extend(m.fields.iter().map(|f| f.span.clone())),
            ast::Item::Error(m) => clean.extend(m.fields.iter().map(|f| f.span.clone())),
            ast::Item::Enum(e) => clean.extend(e.values.iter().map(|v| v.span.clone())),
            _ => {}
        }
    }
    clean.sort_by_key(|r| r.start);
    let mut out: Vec<SyntaxError> = Vec::new();
    for err in errors {
        let quiet = match out.last() {
            None => false,
            Some(prev) => !clean
                .iter()
                .any(|c| c.end >= prev.span.end && c.end <= err.span.start),
        };
        if !quiet {
            out.push(err);
        }
    }
    out.extend(fixed);
    out.sort_by_key(|e| (e.span.start, e.span.end));
    out
}

fn convert(e: ParseError<usize, Tok, SyntaxError>, len: usize) -> SyntaxError {
    match e {
        ParseError::InvalidToken { location } => SyntaxError {
            span: location..location + 1,
            kind: SyntaxErrorKind::Lex(LexError::InvalidChar('?')),
        },
        ParseError::UnrecognizedEof { location, expected } => SyntaxError {
            span: location.min(len)..location.min(len),
            kind: SyntaxErrorKind::UnexpectedEof {
                expected: humanize(&expected),
            },
        },
        ParseError::UnrecognizedToken {
            token: (l, tok, r),
            expected,
        } => SyntaxError {
            span: l..r,
            kind: SyntaxErrorKind::Unexpected {
                found: tok.to_string(),
                expected: humanize(&expected),
            },
        },
        ParseError::ExtraToken { token: (l, tok, r) } => SyntaxError {
            span: l..r,
            kind: SyntaxErrorKind::Unexpected {
                found: tok.to_string(),
                expected: vec!["the end of the file".to_owned()],
            },
        },
        ParseError::User { error } => error,
    }
}

const NAME_KEYWORDS: [&str; 9] = [
    "service", "rpc", "message", "enum", "schema", "import", "error", "throws", "map",
];

/// Turns LALRPOP's terminal names into words for people; keywords that are also names are folded
/// into "a name".
fn humanize(expected: &[String]) -> Vec<String> {
    let raw: Vec<&str> = expected.iter().map(|s| s.trim_matches('"')).collect();
    let has_ident = raw.contains(&"ident");
    let mut out: Vec<String> = raw
        .iter()
        .filter(|t| !(has_ident && NAME_KEYWORDS.contains(t)))
        .map(|t| match *t {
            "ident" => "a name".to_owned(),
            "str" => "a string".to_owned(),
            "doc" => "a doc string".to_owned(),
            "int" => "a number".to_owned(),
            other => format!("`{other}`"),
        })
        .collect();
    out.dedup();
    out
}
