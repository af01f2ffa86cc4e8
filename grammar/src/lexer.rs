//! The `.brief` lexer: logos tokens with byte spans; comments are collected aside for the formatter.
use logos::Logos;
use std::fmt;
use std::ops::Range;

/// A token of the `.brief` language. Keywords are contextual: the parser accepts them as names too.
#[derive(Logos, Debug, Clone, PartialEq, Eq)]
#[logos(skip r"[ \t\r\n\f\u{FEFF}]+")]
pub enum Tok {
    #[token("service")]
    KwService,
    #[token("rpc")]
    KwRpc,
    #[token("message")]
    KwMessage,
    #[token("enum")]
    KwEnum,
    #[token("schema")]
    KwSchema,
    #[token("import")]
    KwImport,
    #[token("error")]
    KwError,
    #[token("throws")]
    KwThrows,
    #[token("map")]
    KwMap,
    #[regex(r"[A-Za-z_][A-Za-z0-9_]*", |lex| lex.slice().to_owned())]
    Ident(String),
    #[regex(r"-?[0-9]+", |lex| lex.slice().to_owned())]
    Int(String),
    /// A double-quoted string; the payload is the unescaped value.
    #[regex(r#""([^"\\\n]|\\[^\n])*""#, |lex| unescape(lex.slice()))]
    Str(String),
    /// A backtick doc string; the payload is the text between the backticks.
    #[regex(r"`[^`]*`", |lex| { let s = lex.slice(); s[1..s.len() - 1].to_owned() })]
    Doc(String),
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token("?")]
    Question,
    #[token(",")]
    Comma,
    #[token("@")]
    At,
    #[token(".")]
    Dot,
    #[regex(r"//[^\n]*")]
    LineComment,
    #[token("/*", block_comment)]
    BlockComment(bool),
    #[regex(r#""([^"\\\n]|\\[^\n])*"#)]
    UnterminatedStr,
    #[regex(r"`[^`]*")]
    UnterminatedDoc,
}

/// Scans a block comment to its closing `*/`; the payload says whether it was closed.
fn block_comment(lex: &mut logos::Lexer<Tok>) -> bool {
    match lex.remainder().find("*/") {
        Some(i) => {
            lex.bump(i + 2);
            true
        }
        None => {
            lex.bump(lex.remainder().len());
            false
        }
    }
}

fn unescape(quoted: &str) -> String {
    let inner = &quoted[1..quoted.len() - 1];
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Tok::KwService => "`service`",
            Tok::KwRpc => "`rpc`",
            Tok::KwMessage => "`message`",
            Tok::KwEnum => "`enum`",
            Tok::KwSchema => "`schema`",
            Tok::KwImport => "`import`",
            Tok::KwError => "`error`",
            Tok::KwThrows => "`throws`",
            Tok::KwMap => "`map`",
            Tok::Ident(_) => "a name",
            Tok::Int(_) => "a number",
            Tok::Str(_) => "a string",
            Tok::Doc(_) => "a doc string",
            Tok::LParen => "`(`",
            Tok::RParen => "`)`",
            Tok::LBrace => "`{`",
            Tok::RBrace => "`}`",
            Tok::LBracket => "`[`",
            Tok::RBracket => "`]`",
            Tok::Question => "`?`",
            Tok::Comma => "`,`",
            Tok::At => "`@`",
            Tok::Dot => "`.`",
            Tok::LineComment | Tok::BlockComment(_) => "a comment",
            Tok::UnterminatedStr => "an unterminated string",
            Tok::UnterminatedDoc => "an unterminated doc string",
        };
        f.write_str(s)
    }
}

/// A comment kept with its span so that the formatter and the language server can use it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Comment {
    pub span: Range<usize>,
    pub text: String,
    pub block: bool,
}

/// A problem found while lexing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LexError {
    InvalidChar(char),
    UnterminatedStr,
    UnterminatedDoc,
    UnterminatedComment,
}

/// The lexer's output: the tokens the parser sees, the comments, and the lexical errors.
#[derive(Debug, Default)]
pub struct Lexed {
    pub tokens: Vec<(usize, Tok, usize)>,
    pub comments: Vec<Comment>,
    pub errors: Vec<(Range<usize>, LexError)>,
}

/// Splits `src` into tokens. Never fails: bad input becomes errors and is skipped.
pub fn lex(src: &str) -> Lexed {
    let mut out = Lexed::default();
    let mut lexer = Tok::lexer(src);
    while let Some(res) = lexer.next() {
        let span = lexer.span();
        match res {
            Ok(Tok::LineComment) => out.comments.push(Comment {
                text: src[span.clone()].to_owned(),
                span,
                block: false,
            }),
            Ok(Tok::BlockComment(closed)) => {
                if !closed {
                    out.errors
                        .push((span.start..span.start + 2, LexError::UnterminatedComment));
                }
                out.comments.push(Comment {
                    text: src[span.clone()].to_owned(),
                    span,
                    block: true,
                });
            }
            Ok(Tok::UnterminatedStr) => out.errors.push((span, LexError::UnterminatedStr)),
            Ok(Tok::UnterminatedDoc) => out
                .errors
                .push((span.start..span.start + 1, LexError::UnterminatedDoc)),
            Ok(tok) => out.tokens.push((span.start, tok, span.end)),
            Err(()) => {
                let c = src[span.start..].chars().next().unwrap_or('\u{FFFD}');
                // Merge a run of invalid characters into one error: no cascade.
                match out.errors.last_mut() {
                    Some((r, LexError::InvalidChar(_))) if r.end == span.start => r.end = span.end,
                    _ => out.errors.push((span, LexError::InvalidChar(c))),
                }
            }
        }
    }
    out
}

/// The offset of the first token at or after `from`, skipping blanks and comments; the end of
/// `src` if there is none. Bad input counts as a token: it starts where it starts.
pub fn next_token(src: &str, from: usize) -> usize {
    let Some(rest) = src.get(from..) else {
        return src.len();
    };
    let mut lexer = Tok::lexer(rest);
    while let Some(res) = lexer.next() {
        if !matches!(res, Ok(Tok::LineComment | Tok::BlockComment(_))) {
            return from + lexer.span().start;
        }
    }
    src.len()
}

#[cfg(test)]
mod tests {
    use super::next_token;

    #[test]
    fn next_token_skips_blanks_and_comments() {
        let src = "a // one\n /* two */\n\t@x /* open";
        assert_eq!(next_token(src, 0), 0);
        assert_eq!(next_token(src, 1), src.find('@').unwrap_or(0));
        assert_eq!(next_token(src, src.find('@').unwrap_or(0) + 2), src.len());
        assert_eq!(next_token(src, src.len() + 3), src.len());
        assert_eq!(next_token("  # bad", 0), 2);
    }
}
