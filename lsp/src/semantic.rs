//! Semantic tokens (the whole file) and folding ranges of a `.brief` file: the lexer's tokens,
//! each name classified by what the model says it is (a message, a field, a built-in type...).
use crate::convert::{LineCursor, LineIndex};
use crate::index;
use compiler::check::BUILTINS;
use compiler::model::SymbolKind;
use compiler::{FileId, Output};
use grammar::ast::Item;
use grammar::lexer::{self, Tok};
use lsp_types::{
    FoldingRange, FoldingRangeKind, SemanticToken, SemanticTokenModifier, SemanticTokenType,
    SemanticTokens, SemanticTokensLegend,
};
use std::collections::HashMap;

/// The token types, in legend order (a token's type is its index here).
const TYPES: &[SemanticTokenType] = &[
    SemanticTokenType::KEYWORD,
    SemanticTokenType::STRING,
    SemanticTokenType::COMMENT,
    SemanticTokenType::NUMBER,
    SemanticTokenType::DECORATOR,
    SemanticTokenType::STRUCT,
    SemanticTokenType::ENUM,
    SemanticTokenType::CLASS,
    SemanticTokenType::PROPERTY,
    SemanticTokenType::ENUM_MEMBER,
    SemanticTokenType::METHOD,
    SemanticTokenType::TYPE,
    SemanticTokenType::NAMESPACE,
    SemanticTokenType::EVENT,
];

const KEYWORD: u32 = 0;
const STRING: u32 = 1;
const COMMENT: u32 = 2;
const NUMBER: u32 = 3;
const DECORATOR: u32 = 4;
const TYPE: u32 = 11;

/// The modifiers, in legend order (bit `i` is the `i`-th).
const MODIFIERS: &[SemanticTokenModifier] = &[
    SemanticTokenModifier::DECLARATION,
    SemanticTokenModifier::DOCUMENTATION,
    SemanticTokenModifier::DEFAULT_LIBRARY,
    SemanticTokenModifier::DEPRECATED,
];

const DECLARATION: u32 = 1;
const DOCUMENTATION: u32 = 2;
const DEFAULT_LIBRARY: u32 = 4;
const DEPRECATED: u32 = 8;

/// The legend the server announces.
pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TYPES.to_vec(),
        token_modifiers: MODIFIERS.to_vec(),
    }
}

fn kind_type(kind: SymbolKind) -> u32 {
    match kind {
        SymbolKind::Message => 5,
        SymbolKind::Enum => 6,
        SymbolKind::Error => 7,
        SymbolKind::Field => 8,
        SymbolKind::EnumValue => 9,
        SymbolKind::Rpc => 10,
        SymbolKind::Service => 12,
        SymbolKind::Event => 13,
    }
}

/// Every token of the file, in order, as LSP encodes them (relative to the previous one, one
/// per line: a token that spans lines is cut at each line end).
pub fn tokens(output: &Output, file: FileId) -> SemanticTokens {
    let text = index::text(output, file);
    let model = &output.model;
    // What the model knows at each name's start: (type, modifiers).
    let mut names: HashMap<usize, (u32, u32)> = HashMap::new();
    for (id, d) in model.declarations(file) {
        let deprecated = if model.in_deprecated(id) {
            DEPRECATED
        } else {
            0
        };
        names.insert(
            d.name_span.range.start,
            (kind_type(d.kind), DECLARATION | deprecated),
        );
    }
    for u in model.uses_in_file(file) {
        if let Some(d) = model.decl(u.decl) {
            let deprecated = if d.deprecated.is_some() {
                DEPRECATED
            } else {
                0
            };
            names.insert(u.span.range.start, (kind_type(d.kind), deprecated));
        }
    }
    let lexed = lexer::lex(text);
    let mut raw: Vec<(usize, usize, u32, u32)> = Vec::new();
    let mut decorator: Option<usize> = None;
    for (start, tok, end) in &lexed.tokens {
        let (start, end) = (*start, *end);
        if let Some(at) = decorator {
            match tok {
                Tok::Ident(_) | Tok::Dot => {
                    if let Some(last) = raw.last_mut().filter(|l| l.0 == at) {
                        last.1 = end;
                    } else {
                        raw.push((at, end, DECORATOR, 0));
                    }
                    continue;
                }
                _ => decorator = None,
            }
        }
        let class = match tok {
            _ if names.contains_key(&start) => names.get(&start).copied(),
            Tok::At => {
                decorator = Some(start);
                Some((DECORATOR, 0))
            }
            Tok::KwService
            | Tok::KwRpc
            | Tok::KwMessage
            | Tok::KwEnum
            | Tok::KwSchema
            | Tok::KwImport
            | Tok::KwError
            | Tok::KwThrows
            | Tok::KwMap => Some((KEYWORD, 0)),
            Tok::Ident(name) if BUILTINS.contains(&name.as_str()) => Some((TYPE, DEFAULT_LIBRARY)),
            Tok::Str(_) | Tok::UnterminatedStr => Some((STRING, 0)),
            Tok::Doc(_) | Tok::UnterminatedDoc => Some((COMMENT, DOCUMENTATION)),
            Tok::Int(_) => Some((NUMBER, 0)),
            _ => None,
        };
        if let Some((ty, mods)) = class {
            raw.push((start, end, ty, mods));
        }
    }
    raw.extend(
        lexed
            .comments
            .iter()
            .map(|c| (c.span.start, c.span.end, COMMENT, 0)),
    );
    raw.sort_by_key(|t| t.0);
    let mut lines = LineCursor::new(text);
    let mut data = Vec::with_capacity(raw.len());
    let (mut prev_line, mut prev_char) = (0u32, 0u32);
    for (start, end, ty, mods) in raw {
        let mut from = start;
        while from < end {
            let line_end = text[from..end].find('\n').map_or(end, |i| from + i);
            let a = lines.position(from);
            let b = lines.position(line_end);
            if b.character > a.character {
                let delta_line = a.line - prev_line;
                let delta_start = if delta_line == 0 {
                    a.character - prev_char
                } else {
                    a.character
                };
                data.push(SemanticToken {
                    delta_line,
                    delta_start,
                    length: b.character - a.character,
                    token_type: ty,
                    token_modifiers_bitset: mods,
                });
                (prev_line, prev_char) = (a.line, a.character);
            }
            from = line_end + 1;
        }
    }
    SemanticTokens {
        result_id: None,
        data,
    }
}

/// The folding ranges of a file: every declaration and block comment over several lines, and
/// each run of imports.
pub fn folding(output: &Output, file: FileId) -> Vec<FoldingRange> {
    let text = index::text(output, file);
    let Some(parsed) = output
        .files
        .get(output.sources.path(file))
        .map(|f| &f.parsed)
    else {
        return Vec::new();
    };
    let lines = LineIndex::new(text);
    let line = |offset: usize| lines.position(text, offset).line;
    let mut out = Vec::new();
    let mut push = |start: usize, end: usize, kind: Option<FoldingRangeKind>| {
        let (a, b) = (line(start), line(end.saturating_sub(1).max(start)));
        if b > a {
            out.push(FoldingRange {
                start_line: a,
                start_character: None,
                end_line: b,
                end_character: None,
                kind,
                collapsed_text: None,
            });
        }
    };
    let mut imports: Option<(usize, usize)> = None;
    for item in &parsed.file.items {
        let span = item.span();
        if matches!(item, Item::Import(_)) {
            imports = Some(imports.map_or((span.start, span.end), |(s, _)| (s, span.end)));
            continue;
        }
        if let Some((s, e)) = imports.take() {
            push(s, e, Some(FoldingRangeKind::Imports));
        }
        push(span.start, span.end, None);
    }
    if let Some((s, e)) = imports {
        push(s, e, Some(FoldingRangeKind::Imports));
    }
    for c in parsed.comments.iter().filter(|c| c.block) {
        push(c.span.start, c.span.end, Some(FoldingRangeKind::Comment));
    }
    out.sort_by_key(|f| (f.start_line, f.end_line));
    out
}
