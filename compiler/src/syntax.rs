//! Turns the grammar crate's syntax errors into diagnostics.
use crate::diagnostic::{codes, Diagnostic};
use crate::source::{FileId, Span};
use grammar::lexer::LexError;
use grammar::{SyntaxError, SyntaxErrorKind};

pub fn to_diagnostic(file: FileId, e: &SyntaxError) -> Diagnostic {
    let span = Span::new(file, e.span.clone());
    match &e.kind {
        SyntaxErrorKind::Unexpected { found, expected } => {
            let d = Diagnostic::new(codes::E0101, format!("unexpected {found}"))
                .primary(span, format!("expected {}", one_of(expected)));
            hint_for(found, expected, d)
        }
        SyntaxErrorKind::UnexpectedEof { expected } => {
            Diagnostic::new(codes::E0102, "the file ends in the middle of a declaration")
                .primary(span, format!("expected {}", one_of(expected)))
        }
        SyntaxErrorKind::Lex(LexError::InvalidChar(c)) => {
            let d = Diagnostic::new(
                codes::E0103,
                format!("invalid character `{}`", c.escape_debug()),
            )
            .primary(span, "not part of the .brief language");
            match c {
                ':' => d.hint("drop the `:`: fields are written `name Type`, e.g. `id int`"),
                '<' | '>' => d.hint(
                    "there are no generic types: a list is `[]T`, a map `map[K]V`, an optional `?T`",
                ),
                _ => d,
            }
        }
        SyntaxErrorKind::Habit { found, label, hint } => {
            Diagnostic::new(codes::E0101, format!("unexpected {found}"))
                .primary(span, label.clone())
                .hint(hint.clone())
        }
        SyntaxErrorKind::Unclosed { next } => Diagnostic::new(codes::E0107, "unclosed `{`")
            .primary(span, "this `{` has no matching `}`")
            .secondary(
                Span::new(file, next.clone()),
                "the next declaration starts here",
            )
            .hint("add a `}` before the next declaration"),
        SyntaxErrorKind::Lex(LexError::UnterminatedStr) => {
            Diagnostic::new(codes::E0104, "unterminated string")
                .primary(span, "this string has no closing `\"` on its line")
        }
        SyntaxErrorKind::Lex(LexError::UnterminatedDoc) => {
            Diagnostic::new(codes::E0105, "unterminated doc string")
                .primary(span, "this doc string has no closing backtick")
        }
        SyntaxErrorKind::Lex(LexError::UnterminatedComment) => {
            Diagnostic::new(codes::E0106, "unterminated block comment")
                .primary(span, "this comment has no closing `*/`")
        }
    }
}

fn one_of(expected: &[String]) -> String {
    match expected {
        [] => "something else".to_owned(),
        [one] => one.clone(),
        [init @ .., last] if init.len() < 6 => format!("{} or {}", init.join(", "), last),
        many => format!(
            "one of {} things, such as {}",
            many.len(),
            many[..4].join(", ")
        ),
    }
}

fn hint_for(found: &str, expected: &[String], d: Diagnostic) -> Diagnostic {
    if found == "`{`" && expected.iter().any(|e| e == "`(`") {
        return d.hint("an rpc is written `rpc name (Input) Output`");
    }
    if found == "`:`" || found == "`;`" {
        return d.hint("fields are written `name Type` without punctuation");
    }
    d
}
