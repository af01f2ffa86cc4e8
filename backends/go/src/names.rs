//! Go naming: Go's keywords, predeclared names and initialisms; exported and unexported
//! identifiers and package names on brief-codegen's word splitting; Go string literals.
//! (Collisions are escaped by brief-codegen's `Scope`.)
use brief_codegen::naming::{self, Digits};
use brief_codegen::plan;
use brief_codegen::scope::Scope;

/// Go keywords (never produced for exported names, which start upper-case; used for package names).
pub const KEYWORDS: &[&str] = &[
    "break",
    "case",
    "chan",
    "const",
    "continue",
    "default",
    "defer",
    "else",
    "fallthrough",
    "for",
    "func",
    "go",
    "goto",
    "if",
    "import",
    "interface",
    "map",
    "package",
    "range",
    "return",
    "select",
    "struct",
    "switch",
    "type",
    "var",
];

/// Go's predeclared identifiers (types, constants, zero value, builtin functions).
pub const PREDECLARED: &[&str] = &[
    "any",
    "append",
    "bool",
    "byte",
    "cap",
    "clear",
    "close",
    "comparable",
    "complex",
    "complex128",
    "complex64",
    "copy",
    "delete",
    "error",
    "false",
    "float32",
    "float64",
    "imag",
    "int",
    "int16",
    "int32",
    "int64",
    "int8",
    "iota",
    "len",
    "make",
    "max",
    "min",
    "new",
    "nil",
    "panic",
    "print",
    "println",
    "real",
    "recover",
    "rune",
    "string",
    "true",
    "uint",
    "uint16",
    "uint32",
    "uint64",
    "uint8",
    "uintptr",
];

/// Words written all upper-case in Go names (the list of Go's own style checkers).
pub const INITIALISMS: &[&str] = &[
    "ACL", "API", "ASCII", "CPU", "CSS", "DNS", "EOF", "GUID", "HTML", "HTTP", "HTTPS", "ID", "IP",
    "JSON", "QPS", "RAM", "RPC", "SLA", "SMTP", "SQL", "SSH", "TCP", "TLS", "TTL", "UDP", "UI",
    "UID", "URI", "URL", "UTF8", "UUID", "VM", "XML", "XMPP", "XSRF", "XSS",
];

/// The exported Go name of a contract name: UpperCamel words (a digit follows the case before
/// it, [`Digits::FollowCase`]), initialisms upper-case (`userId` -> `UserID`), `X` in front when
/// nothing or a digit would lead. A name written all upper-case as one word (`EUR`, `V2API`) is
/// an initialism of the contract's own and is kept as it is.
pub fn exported(name: &str) -> String {
    let one_initialism = name.len() > 1
        && name.starts_with(|c: char| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if one_initialism {
        return name.to_owned();
    }
    let mut out = String::new();
    for word in naming::words(name, Digits::FollowCase) {
        let upper = word.to_ascii_uppercase();
        if INITIALISMS.contains(&upper.as_str()) {
            out.push_str(&upper);
        } else {
            out.push_str(&naming::capitalize(&word));
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'X');
    }
    out
}

/// Claims `name` in `scope`, or `name` + `kind` when `name` is taken (a message `Server` becomes
/// `ServerMessage`, a field `error` of an error type `ErrorField`), so that Go names carry no
/// `_`; only when that is taken too does the scope's `_` escape apply.
pub fn claim(scope: &mut Scope, name: &str, kind: &str) -> String {
    if scope.contains(name) {
        scope.claim(&format!("{name}{kind}"))
    } else {
        scope.claim(name)
    }
}

/// An unexported form of an exported Go name: its leading upper-case run in lower case
/// (`Mode` -> `mode`, `URLKind` -> `urlKind`, `ID` -> `id`).
pub fn unexported(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let run = chars.iter().take_while(|c| c.is_ascii_uppercase()).count();
    let lower_to = if run > 1 && run < chars.len() && chars[run].is_ascii_lowercase() {
        run - 1
    } else {
        run
    };
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < lower_to {
                c.to_ascii_lowercase()
            } else {
                *c
            }
        })
        .collect()
}

/// A Go package name from a service name or import path element: lower-case letters and digits
/// only; `prefix` in front when it would be empty, start with a digit or be a keyword or
/// predeclared identifier.
pub fn package(name: &str, prefix: &str) -> String {
    plan::flat_name(name, prefix, &[KEYWORDS, PREDECLARED])
}

/// The environment variable a client discovers a dependency's base URL from (runtime-go's
/// `EnvVarName`): `image-storage` -> `SERVICE_IMAGE_STORAGE_URL`.
pub fn env_var(service: &str) -> String {
    compiler::naming::discovery_env_var(service)
}

/// A Go interpreted string literal of `s`.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            '\u{feff}' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
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
    fn exported_names() {
        assert_eq!(exported("sum"), "Sum");
        assert_eq!(exported("userId"), "UserID");
        assert_eq!(exported("user_id"), "UserID");
        assert_eq!(exported("createdAt"), "CreatedAt");
        assert_eq!(exported("HTTPServer"), "HTTPServer");
        assert_eq!(exported("image_url"), "ImageURL");
        assert_eq!(exported("type"), "Type");
        assert_eq!(exported("_"), "X");
        assert_eq!(exported("_1"), "X1");
        assert_eq!(exported("payment.done"), "PaymentDone");
        assert_eq!(exported("v2Api"), "V2API");
        assert_eq!(exported("V2API"), "V2API");
        assert_eq!(exported("EUR"), "EUR");
        assert_eq!(exported("NOT_FOUND"), "NotFound");
        assert_eq!(exported("A"), "A");
        assert_eq!(exported("2fa"), "X2fa");
    }

    #[test]
    fn collisions_take_the_kind() {
        let mut s = Scope::with(&["Server"]);
        assert_eq!(claim(&mut s, "Server", "Message"), "ServerMessage");
        assert_eq!(claim(&mut s, "Server", "Message"), "ServerMessage_");
        assert_eq!(claim(&mut s, "Other", "Message"), "Other");
    }

    #[test]
    fn unexported_names() {
        assert_eq!(unexported("Mode"), "mode");
        assert_eq!(unexported("URLKind"), "urlKind");
        assert_eq!(unexported("ID"), "id");
        assert_eq!(unexported("Mode_"), "mode_");
    }

    #[test]
    fn packages() {
        assert_eq!(package("image-storage", "x"), "imagestorage");
        assert_eq!(package("type", "pkg"), "pkgtype");
        assert_eq!(package("len", "pkg"), "pkglen");
        assert_eq!(package("3d", "pkg"), "pkg3d");
    }

    #[test]
    fn env_vars_and_quotes() {
        assert_eq!(env_var("image-storage"), "SERVICE_IMAGE_STORAGE_URL");
        assert_eq!(quote("a\"b\\\n\u{1}é"), "\"a\\\"b\\\\\\n\\x01é\"");
    }
}
