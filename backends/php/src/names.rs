//! PHP naming: reserved words, class/member/case names on brief-codegen's word splitting,
//! namespaces, PHP string literals and docblock text.
//!
//! The reserved-word rule (docs/php.md): PHP class names are case-insensitive and may not be a
//! keyword or reserved type name (`class`, `list`, `match`, `int`, ...): such a class name gets
//! its kind appended (`Match` -> `MatchMessage`, an enum `enum` -> `EnumEnum`). Methods and
//! properties may be keywords in PHP 8 and keep their names, except `$this` (a property `this`
//! becomes `thisField`) and the properties every exception has (`message`, `code`, ... on an
//! error become `messageField`). An enum case `Class` becomes `ClassValue`. Any remaining
//! collision gets brief-codegen's `_` suffix.
use brief_codegen::naming::{self, Digits};
use brief_codegen::scope::Scope;

/// PHP keywords and reserved names that cannot name a class, interface or enum (lower case;
/// PHP compares them case-insensitively).
pub const RESERVED: &[&str] = &[
    "__halt_compiler",
    "abstract",
    "and",
    "array",
    "as",
    "bool",
    "break",
    "callable",
    "case",
    "catch",
    "class",
    "clone",
    "const",
    "continue",
    "declare",
    "default",
    "die",
    "do",
    "echo",
    "else",
    "elseif",
    "empty",
    "enddeclare",
    "endfor",
    "endforeach",
    "endif",
    "endswitch",
    "endwhile",
    "enum",
    "eval",
    "exit",
    "extends",
    "false",
    "final",
    "finally",
    "float",
    "fn",
    "for",
    "foreach",
    "function",
    "global",
    "goto",
    "if",
    "implements",
    "include",
    "include_once",
    "instanceof",
    "insteadof",
    "int",
    "interface",
    "isset",
    "iterable",
    "list",
    "match",
    "mixed",
    "namespace",
    "never",
    "new",
    "null",
    "numeric",
    "object",
    "or",
    "parent",
    "print",
    "private",
    "protected",
    "public",
    "readonly",
    "require",
    "require_once",
    "resource",
    "return",
    "self",
    "static",
    "string",
    "switch",
    "throw",
    "trait",
    "true",
    "try",
    "unset",
    "use",
    "var",
    "void",
    "while",
    "xor",
    "yield",
];

/// The UpperCamel PHP name of a contract name (classes, enum cases, namespace segments), `X` in
/// front when nothing or a digit would lead.
pub fn upper(name: &str) -> String {
    let mut out = naming::upper_camel(name, Digits::FollowCase);
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'X');
    }
    out
}

/// The lowerCamel PHP name of a contract name (properties, methods), `x` in front when nothing
/// or a digit would lead.
pub fn lower(name: &str) -> String {
    let mut out = naming::lower_camel(name, Digits::FollowCase);
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'x');
    }
    out
}

/// Whether `name` cannot name a class.
pub fn is_reserved(name: &str) -> bool {
    RESERVED.contains(&name.to_ascii_lowercase().as_str())
}

/// Claims a class name in a namespace's scope (kept in lower case, as PHP compares class
/// names): `name` + `kind` when `name` is reserved or taken, then the scope's `_` escape.
pub fn claim_class(scope: &mut Scope, name: &str, kind: &str) -> String {
    let lc = name.to_ascii_lowercase();
    let base = if is_reserved(name) || scope.contains(&lc) {
        format!("{name}{kind}")
    } else {
        name.to_owned()
    };
    let got = scope.claim(&base.to_ascii_lowercase());
    format!("{base}{}", &got[base.len()..])
}

/// Claims a member name (property, method, enum case): `name` + `kind` when it is taken, then
/// the scope's `_` escape. `case_insensitive` for methods and enum cases' `class`.
pub fn claim_member(scope: &mut Scope, name: &str, kind: &str, case_insensitive: bool) -> String {
    let key = |s: &str| {
        if case_insensitive {
            s.to_ascii_lowercase()
        } else {
            s.to_owned()
        }
    };
    let base = if scope.contains(&key(name)) {
        format!("{name}{kind}")
    } else {
        name.to_owned()
    };
    let got = scope.claim(&key(&base));
    format!("{base}{}", &got[base.len()..])
}

/// Checks a PHP namespace: `\`-separated identifiers (letters, digits, `_`, not starting with a
/// digit), none of them reserved, no leading or trailing `\`.
pub fn validate_namespace(ns: &str) -> Result<(), String> {
    let ok = !ns.is_empty()
        && ns.split('\\').all(|s| {
            !s.is_empty()
                && !s.starts_with(|c: char| c.is_ascii_digit())
                && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !is_reserved(s)
        });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{ns}` is not a PHP namespace (like Acme\\Shop\\Generated)"
        ))
    }
}

/// A PHP single-quoted string literal of `s`.
pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// Text made safe inside a `/** */` docblock.
pub fn doc_safe(s: &str) -> String {
    s.replace("*/", "*\\/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(upper("image-storage"), "ImageStorage");
        assert_eq!(upper("userId"), "UserId");
        assert_eq!(upper("2fa"), "X2fa");
        assert_eq!(lower("user_id"), "userId");
        assert_eq!(lower("class"), "class");
        assert_eq!(lower("_1"), "x1");
    }

    #[test]
    fn reserved_class_names_take_their_kind() {
        let mut s = Scope::default();
        assert_eq!(claim_class(&mut s, "Match", "Message"), "MatchMessage");
        assert_eq!(claim_class(&mut s, "Item", "Message"), "Item");
        assert_eq!(claim_class(&mut s, "ITEM", "Message"), "ITEMMessage");
        assert_eq!(
            claim_class(&mut s, "ItemMessage", "Message"),
            "ItemMessageMessage"
        );
        let mut m = Scope::with(&["this"]);
        assert_eq!(claim_member(&mut m, "this", "Field", false), "thisField");
        assert_eq!(claim_member(&mut m, "list", "Field", false), "list");
    }

    #[test]
    fn namespaces_and_literals() {
        assert!(validate_namespace("Acme\\Shop\\Generated").is_ok());
        for bad in [
            "",
            "\\Acme",
            "Acme\\",
            "Acme\\\\B",
            "1a",
            "Acme\\List",
            "a-b",
        ] {
            assert!(validate_namespace(bad).is_err(), "{bad}");
        }
        assert_eq!(quote("a'b\\c"), "'a\\'b\\\\c'");
        assert_eq!(doc_safe("a */ b"), "a *\\/ b");
    }
}
