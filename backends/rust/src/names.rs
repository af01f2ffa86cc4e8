//! Rust naming: keywords and how they are escaped (`r#type`; `self`, `Self`, `crate` and `super`,
//! which cannot be raw, get `_` appended), type, field, method, constant and module names on
//! brief-codegen's word splitting, and Rust string literals. Collisions are escaped by
//! brief-codegen's `Scope`.
use brief_codegen::naming::{self, Digits};

/// Rust's strict and reserved keywords (2021 edition), which raw identifiers can escape.
pub const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers: they get `_` appended (`self_`).
pub const NOT_RAW: &[&str] = &["self", "Self", "crate", "super", "_"];

/// `name` as a usable identifier: `r#type`, `self_`, or itself.
pub fn escape(name: &str) -> String {
    if NOT_RAW.contains(&name) {
        format!("{name}_")
    } else if KEYWORDS.contains(&name) {
        format!("r#{name}")
    } else {
        name.to_owned()
    }
}

/// A name that must not start with a digit or be empty: `_` in front then.
fn lead(s: String) -> String {
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{s}")
    } else {
        s
    }
}

/// `UpperCamel` for types and enum variants (`image_info` → `ImageInfo`, `EUR` → `Eur`).
pub fn type_name(name: &str) -> String {
    lead(naming::upper_camel(name, Digits::FollowCase))
}

/// `snake_case` for fields, methods and modules (`userId` → `user_id`); not escaped.
pub fn snake(name: &str) -> String {
    lead(naming::lower_snake(name, Digits::FollowCase))
}

/// `SCREAMING_SNAKE` for constants (`getItem` → `GET_ITEM`).
pub fn constant(name: &str) -> String {
    snake(name).to_ascii_uppercase()
}

/// A Rust string literal of `s`.
pub fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(type_name("image_info"), "ImageInfo");
        assert_eq!(type_name("EUR"), "Eur");
        assert_eq!(snake("userId"), "user_id");
        assert_eq!(snake("getItem"), "get_item");
        assert_eq!(constant("getItem"), "GET_ITEM");
        assert_eq!(escape("type"), "r#type");
        assert_eq!(escape("self"), "self_");
        assert_eq!(escape("Self"), "Self_");
        assert_eq!(escape("name"), "name");
        assert_eq!(snake("_1"), "_1");
        assert_eq!(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
    }
}
