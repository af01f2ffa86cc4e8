//! Habits from other languages and a forgotten `}`, recognized in the token stream before parsing:
//! each one is reported once, where it is, with the .brief spelling, and the tokens are rewritten
//! to that spelling so that the rest of the file parses as the author meant (no cascade).
use crate::lexer::{LexError, Tok};
use crate::{SyntaxError, SyntaxErrorKind};
use std::ops::Range;

type Token = (usize, Tok, usize);

/// Rewrites `tokens` in place, removing the lexical errors a habit explains from `lex_errors`,
/// and returns the errors that report the habits.
pub(crate) fn rewrite(
    src: &str,
    tokens: &mut Vec<Token>,
    lex_errors: &mut Vec<(Range<usize>, LexError)>,
) -> Vec<SyntaxError> {
    let mut errors = generics(src, tokens, lex_errors);
    errors.extend(returns(src, tokens));
    errors.extend(unclosed_braces(tokens));
    errors.extend(postfix_types(src, tokens));
    errors
}

fn is_name(t: &Tok) -> bool {
    matches!(
        t,
        Tok::Ident(_)
            | Tok::KwService
            | Tok::KwRpc
            | Tok::KwMessage
            | Tok::KwEnum
            | Tok::KwSchema
            | Tok::KwImport
            | Tok::KwError
            | Tok::KwThrows
            | Tok::KwMap
    )
}

fn tok(tokens: &[Token], i: usize) -> Option<&Tok> {
    tokens.get(i).map(|t| &t.1)
}

fn name_at(tokens: &[Token], i: usize) -> bool {
    tok(tokens, i).is_some_and(is_name)
}

fn habit(span: Range<usize>, found: &str, label: String, hint: String) -> SyntaxError {
    SyntaxError {
        span,
        kind: SyntaxErrorKind::Habit {
            found: found.to_owned(),
            label,
            hint,
        },
    }
}

/// `list<T>`, `Map<K, V>`, `Optional<T>`: the `<` and `>` are invalid characters; the type is
/// rewritten to `[]T`, `map[K]V`, `?T`.
fn generics(
    src: &str,
    tokens: &mut Vec<Token>,
    lex_errors: &mut Vec<(Range<usize>, LexError)>,
) -> Vec<SyntaxError> {
    let mut out = Vec::new();
    let mut e = 0;
    while e < lex_errors.len() {
        let Some(fix) = generic_at(src, tokens, lex_errors, e) else {
            e += 1;
            continue;
        };
        let GenericFix {
            first,
            last,
            gt,
            replacement,
            written,
        } = fix;
        let start = tokens[first].0;
        let end = lex_errors[gt].0.end;
        tokens.splice(first..=last, replacement);
        lex_errors.remove(gt);
        lex_errors.remove(e);
        let what = src.get(start..end).unwrap_or("");
        out.push(habit(
            start..end,
            "`<`",
            format!("written `{written}` in .brief"),
            format!("write `{written}` instead of `{what}`"),
        ));
    }
    out
}

struct GenericFix {
    first: usize,
    last: usize,
    gt: usize,
    replacement: Vec<Token>,
    written: String,
}

fn generic_at(
    src: &str,
    tokens: &[Token],
    lex_errors: &[(Range<usize>, LexError)],
    e: usize,
) -> Option<GenericFix> {
    let (lt, LexError::InvalidChar('<')) = lex_errors.get(e)? else {
        return None;
    };
    if lt.len() != 1 {
        return None;
    }
    let first = tokens.iter().rposition(|t| t.2 <= lt.start)?;
    let head = &tokens[first];
    if !is_name(&head.1) {
        return None;
    }
    let head_name = src.get(head.0..head.2)?.to_lowercase();
    let gt = lex_errors
        .iter()
        .position(|(r, k)| r.start > lt.end && matches!(k, LexError::InvalidChar('>')))?;
    let gt_range = &lex_errors[gt].0;
    if gt_range.len() != 1 || gt <= e {
        return None;
    }
    let inner: Vec<usize> = (first + 1..tokens.len())
        .take_while(|&i| tokens[i].2 <= gt_range.start)
        .collect();
    let args: Vec<&Token> = inner
        .iter()
        .map(|&i| &tokens[i])
        .filter(|t| t.1 != Tok::Comma)
        .collect();
    let commas = inner.len() - args.len();
    if args.iter().any(|t| !is_name(&t.1)) || commas + 1 != args.len() {
        return None;
    }
    let text = |t: &Token| src.get(t.0..t.2).unwrap_or("").to_owned();
    let (h0, h1) = (head.0, head.2);
    let last = *inner.last()?;
    let (replacement, written) = match (head_name.as_str(), args.as_slice()) {
        (
            "list" | "vec" | "array" | "seq" | "set" | "slice" | "sequence" | "iterable" | "ilist"
            | "collection" | "arraylist" | "hashset",
            [t],
        ) => (
            vec![
                (h0, Tok::LBracket, h1),
                (h1, Tok::RBracket, h1),
                (*t).clone(),
            ],
            format!("[]{}", text(t)),
        ),
        ("map" | "hashmap" | "dict" | "dictionary" | "record" | "btreemap" | "mapping", [k, v]) => {
            (
                vec![
                    (h0, Tok::KwMap, h1),
                    (h1, Tok::LBracket, h1),
                    (*k).clone(),
                    (k.2, Tok::RBracket, k.2),
                    (*v).clone(),
                ],
                format!("map[{}]{}", text(k), text(v)),
            )
        }
        ("option" | "optional" | "maybe" | "nullable", [t]) => (
            vec![(h0, Tok::Question, h1), (*t).clone()],
            format!("?{}", text(t)),
        ),
        _ => return None,
    };
    Some(GenericFix {
        first,
        last,
        gt,
        replacement,
        written,
    })
}

/// `rpc get (GetIn) returns (GetOut)` or `... returns GetOut`: `returns` is dropped.
fn returns(src: &str, tokens: &mut Vec<Token>) -> Vec<SyntaxError> {
    let mut out = Vec::new();
    let mut i = 0;
    while i + 5 < tokens.len() {
        let shape = tokens[i].1 == Tok::KwRpc
            && name_at(tokens, i + 1)
            && tokens[i + 2].1 == Tok::LParen
            && name_at(tokens, i + 3)
            && tokens[i + 4].1 == Tok::RParen
            && matches!(&tokens[i + 5].1, Tok::Ident(s) if s == "returns");
        if !shape {
            i += 1;
            continue;
        }
        let at = i + 5;
        let parenthesized = tok(tokens, at + 1) == Some(&Tok::LParen)
            && name_at(tokens, at + 2)
            && tok(tokens, at + 3) == Some(&Tok::RParen);
        let bare = matches!(tok(tokens, at + 1), Some(Tok::Ident(_)));
        if !(parenthesized || bare) {
            i += 1;
            continue;
        }
        let span = tokens[at].0..tokens[at].2;
        let output = if parenthesized { at + 2 } else { at + 1 };
        let text = |k: usize| src.get(tokens[k].0..tokens[k].2).unwrap_or("");
        let written = format!("rpc {} ({}) {}", text(i + 1), text(i + 3), text(output));
        if parenthesized {
            tokens.remove(at + 3);
            tokens.remove(at + 1);
        }
        tokens.remove(at);
        out.push(habit(
            span,
            "`returns`",
            "the output type follows the input directly".to_owned(),
            format!("drop `returns`: `{written}`"),
        ));
        i = at;
    }
    out
}

/// A `{` whose declaration runs into the next one (a `{` or a top-level declaration before its
/// `}`): reported where it opened, and closed before the next declaration.
fn unclosed_braces(tokens: &mut Vec<Token>) -> Vec<SyntaxError> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i].1 != Tok::LBrace {
            i += 1;
            continue;
        }
        let close = (i + 1..tokens.len())
            .find(|&j| matches!(tokens[j].1, Tok::LBrace | Tok::RBrace))
            .unwrap_or(tokens.len());
        if tok(tokens, close) == Some(&Tok::RBrace) {
            i = close + 1;
            continue;
        }
        let next = (i + 1..close)
            .find(|&k| starts_top_level(tokens, k))
            .or_else(|| {
                (close < tokens.len())
                    .then(|| owner_of_brace(tokens, close))
                    .flatten()
            });
        let Some((keyword, next)) = next.map(|k| (k, before_annotations(tokens, k))) else {
            i += 1;
            continue;
        };
        if next <= i {
            i += 1;
            continue;
        }
        let at = tokens[next].0;
        out.push(SyntaxError {
            span: tokens[i].0..tokens[i].2,
            kind: SyntaxErrorKind::Unclosed {
                next: tokens[keyword].0..tokens[keyword].2,
            },
        });
        tokens.insert(next, (at, Tok::RBrace, at));
        i = next + 1;
    }
    out
}

/// Whether a declaration that only exists at the top level starts at token `k`.
fn starts_top_level(tokens: &[Token], k: usize) -> bool {
    match tok(tokens, k) {
        Some(Tok::KwService | Tok::KwSchema | Tok::KwImport) => {
            matches!(tok(tokens, k + 1), Some(Tok::Str(_)))
        }
        Some(Tok::KwRpc) => name_at(tokens, k + 1) && tok(tokens, k + 2) == Some(&Tok::LParen),
        _ => false,
    }
}

/// The keyword of the declaration whose `{` is token `brace`: `message|enum|error Name doc? {`.
fn owner_of_brace(tokens: &[Token], brace: usize) -> Option<usize> {
    let mut k = brace.checked_sub(1)?;
    if matches!(tok(tokens, k), Some(Tok::Doc(_))) {
        k = k.checked_sub(1)?;
    }
    if !name_at(tokens, k) {
        return None;
    }
    let kw = k.checked_sub(1)?;
    matches!(
        tok(tokens, kw),
        Some(Tok::KwMessage | Tok::KwEnum | Tok::KwError)
    )
    .then_some(kw)
}

/// The first of the annotations (`@a.b(...)`) right before token `k`, or `k`.
fn before_annotations(tokens: &[Token], mut k: usize) -> usize {
    loop {
        let mut j = k;
        if j > 0 && tokens[j - 1].1 == Tok::RParen {
            match (0..j - 1).rev().find(|&p| tokens[p].1 == Tok::LParen) {
                Some(p) => j = p,
                None => return k,
            }
        }
        while j > 0 && (name_at(tokens, j - 1) || tokens[j - 1].1 == Tok::Dot) {
            j -= 1;
        }
        if j > 0 && j < k && tokens[j - 1].1 == Tok::At {
            k = j - 1;
        } else {
            return k;
        }
    }
}

/// Field types written with a suffix, `string?` and `int[]`: rewritten to `?string`, `[]int`.
fn postfix_types(src: &str, tokens: &mut [Token]) -> Vec<SyntaxError> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i].1 == Tok::LBrace && owner_kind(tokens, i) {
            i = fields(src, tokens, i + 1, &mut out);
        } else {
            i += 1;
        }
    }
    out
}

/// Whether the `{` at `brace` opens a message or an error (whose members are fields).
fn owner_kind(tokens: &[Token], brace: usize) -> bool {
    owner_of_brace(tokens, brace)
        .is_some_and(|kw| matches!(tokens[kw].1, Tok::KwMessage | Tok::KwError))
}

/// Walks the fields from `p` to the closing `}` (or the first thing that is not a field),
/// fixing suffixed types; returns where it stopped.
fn fields(src: &str, tokens: &mut [Token], mut p: usize, out: &mut Vec<SyntaxError>) -> usize {
    loop {
        while tok(tokens, p) == Some(&Tok::At) {
            p += 1;
            while name_at(tokens, p) && tok(tokens, p + 1) == Some(&Tok::Dot) {
                p += 2;
            }
            if !name_at(tokens, p) {
                return p;
            }
            p += 1;
            if tok(tokens, p) == Some(&Tok::LParen) {
                match (p..tokens.len()).find(|&q| tokens[q].1 == Tok::RParen) {
                    Some(q) => p = q + 1,
                    None => return p,
                }
            }
        }
        if !name_at(tokens, p) {
            return p;
        }
        p += 1;
        let start = p;
        loop {
            match tok(tokens, p) {
                Some(Tok::LBracket) if tok(tokens, p + 1) == Some(&Tok::RBracket) => p += 2,
                Some(Tok::Question) => p += 1,
                Some(Tok::KwMap)
                    if tok(tokens, p + 1) == Some(&Tok::LBracket)
                        && name_at(tokens, p + 2)
                        && tok(tokens, p + 3) == Some(&Tok::RBracket) =>
                {
                    p += 4;
                }
                _ => break,
            }
        }
        if !name_at(tokens, p) {
            return p;
        }
        p += 1;
        let suffix = match tok(tokens, p) {
            Some(Tok::Question) => Some(1),
            Some(Tok::LBracket) if tok(tokens, p + 1) == Some(&Tok::RBracket) => Some(2),
            _ => None,
        };
        if let Some(n) = suffix {
            let ty = src.get(tokens[start].0..tokens[p - 1].2).unwrap_or("");
            let (sigil, what) = if n == 1 {
                ("?", "an optional type")
            } else {
                ("[]", "a list type")
            };
            out.push(habit(
                tokens[p].0..tokens[p + n - 1].2,
                if n == 1 { "`?`" } else { "`[`" },
                format!("{what} is written with `{sigil}` before it"),
                format!("write `{sigil}{ty}`"),
            ));
            // Move the suffix in front of the type, with empty spans there so that spans stay
            // in order: rotate [start, p + n) right by n.
            let at = tokens[start].0;
            tokens[start..p + n].rotate_right(n);
            for t in &mut tokens[start..start + n] {
                t.0 = at;
                t.2 = at;
            }
            p += n;
        }
        if matches!(tok(tokens, p), Some(Tok::Doc(_))) {
            p += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{parse, SyntaxErrorKind};

    fn kinds(src: &str) -> Vec<SyntaxErrorKind> {
        parse(src).errors.into_iter().map(|e| e.kind).collect()
    }

    fn hint(src: &str) -> String {
        match kinds(src).as_slice() {
            [SyntaxErrorKind::Habit { hint, .. }] => hint.clone(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn returns_is_one_error_and_the_rpc_parses() {
        let p = parse("service \"x\"\nrpc get (A) returns (B)\nrpc put (A) returns B\n");
        assert_eq!(p.errors.len(), 2, "{:?}", p.errors);
        assert_eq!(p.file.items.len(), 3);
    }

    #[test]
    fn generics_become_brief_types() {
        assert_eq!(
            hint("message A { a list<int> }"),
            "write `[]int` instead of `list<int>`"
        );
        assert_eq!(
            hint("message A { a Map<string, B> }"),
            "write `map[string]B` instead of `Map<string, B>`"
        );
        assert_eq!(
            hint("message A { a Optional<B> }"),
            "write `?B` instead of `Optional<B>`"
        );
        assert!(matches!(
            kinds("message A { a Foo<B> }").as_slice(),
            [
                SyntaxErrorKind::Lex(crate::lexer::LexError::InvalidChar('<')),
                ..
            ]
        ));
    }

    #[test]
    fn suffixes_move_in_front() {
        assert_eq!(hint("message A { a string? b int }"), "write `?string`");
        assert_eq!(hint("message A { a []B? }"), "write `?[]B`");
        assert_eq!(hint("error E { a int[] `doc` }"), "write `[]int`");
        let p = parse("message A { a string? b int }");
        match &p.file.items[..] {
            [crate::ast::Item::Message(m)] => assert_eq!(m.fields.len(), 2),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_unclosed_brace_is_reported_where_it_opened() {
        let src = "message A {\n  id int\n\n@deprecated(\"x\")\nmessage B {\n  ok bool\n}\n";
        let p = parse(src);
        assert_eq!(p.file.items.len(), 2);
        match p.errors.as_slice() {
            [e] => {
                assert_eq!(e.span, 10..11);
                let at = src.find("message B").unwrap_or(0);
                assert!(matches!(&e.kind, SyntaxErrorKind::Unclosed { next } if next.start == at));
            }
            other => panic!("{other:?}"),
        }
        let p = parse("message A {\n  id int\nrpc get (A) A\n");
        assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
        // At the end of the file the brace is left to the end-of-file error.
        assert!(matches!(
            kinds("message A {\n id int\n").as_slice(),
            [SyntaxErrorKind::UnexpectedEof { .. }]
        ));
    }
}
