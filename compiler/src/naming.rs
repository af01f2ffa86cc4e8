//! Names shared by the compiler and every backend: word splitting and casing (one splitter for
//! lint's naming rules and the generated code), and the discovery environment variable of a
//! dependency (docs/protocol.md section 8), so manifests, generated clients and hints agree.
//!
//! Names are split into words at every character that is not an ASCII letter or digit and at
//! case changes: before an upper-case letter that follows a lower-case one (`userId`), and before
//! the last of a run of upper-case letters when a lower-case one follows (`HTTPServer` ->
//! `http`, `server`). Digits are where the two users differ, see [`Digits`].

/// How digits take part in case changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Digits {
    /// A digit continues the case of the letters before it (the rule of the `heck` crate, which
    /// the Go backend's names follow): `v2Api` -> `v2`, `api`, but `V2API` and `2Api` are one word.
    FollowCase,
    /// A digit counts as a lower-case letter, so an upper-case letter after it starts a word
    /// (lint's naming rules): `V2API` -> `v2`, `api`; `2Api` -> `2`, `api`.
    AsLower,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Boundary,
    Lower,
    Upper,
}

/// The words of `name`, lower-cased (ASCII).
pub fn words(name: &str, digits: Digits) -> Vec<String> {
    let mut out = Vec::new();
    for part in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let chars: Vec<char> = part.chars().collect();
        let mut word = String::new();
        let mut mode = Mode::Boundary;
        for (i, &c) in chars.iter().enumerate() {
            let next = chars.get(i + 1).copied();
            let next_mode =
                if c.is_ascii_lowercase() || (c.is_ascii_digit() && digits == Digits::AsLower) {
                    Mode::Lower
                } else if c.is_ascii_uppercase() {
                    Mode::Upper
                } else {
                    mode
                };
            let upper_next = next.is_some_and(|n| n.is_ascii_uppercase());
            let lower_next = next.is_some_and(|n| n.is_ascii_lowercase());
            if next_mode == Mode::Lower && upper_next {
                // `aB`: a word ends after this character.
                word.push(c.to_ascii_lowercase());
                out.push(std::mem::take(&mut word));
                mode = Mode::Boundary;
            } else if mode == Mode::Upper && c.is_ascii_uppercase() && lower_next {
                // `ABc`: a word starts at this character.
                if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
                word.push(c.to_ascii_lowercase());
                mode = Mode::Boundary;
            } else {
                word.push(c.to_ascii_lowercase());
                mode = next_mode;
            }
        }
        if !word.is_empty() {
            out.push(word);
        }
    }
    out
}

/// `w` with its first character upper-cased (ASCII).
pub fn capitalize(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// `lowerCamel` of the words of `name`.
pub fn lower_camel(name: &str, digits: Digits) -> String {
    let mut out = String::new();
    for (i, w) in words(name, digits).iter().enumerate() {
        if i == 0 {
            out.push_str(w);
        } else {
            out.push_str(&capitalize(w));
        }
    }
    out
}

/// `UpperCamel` of the words of `name`.
pub fn upper_camel(name: &str, digits: Digits) -> String {
    words(name, digits).iter().map(|w| capitalize(w)).collect()
}

/// `lower_snake` of the words of `name`.
pub fn lower_snake(name: &str, digits: Digits) -> String {
    words(name, digits).join("_")
}

/// Upper snake case as the protocol defines it: ASCII letters upper-cased, digits kept, every
/// other character (code point) becomes `_`, with no collapsing: `image-storage` -> `IMAGE_STORAGE`.
pub fn upper_snake(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// The variable a client reads a dependency's base URL from: `image-storage` ->
/// `SERVICE_IMAGE_STORAGE_URL`.
pub fn discovery_env_var(dependency: &str) -> String {
    format!("SERVICE_{}_URL", upper_snake(dependency))
}

#[cfg(test)]
mod tests {
    use super::*;
    use heck::{ToSnakeCase, ToUpperCamelCase};

    /// lint's splitter before it moved here (compiler/src/lint/rules.rs), kept as the oracle.
    fn lint_words(s: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut cur = String::new();
        let chars: Vec<char> = s.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            if !c.is_ascii_alphanumeric() {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                continue;
            }
            let boundary = c.is_ascii_uppercase()
                && i > 0
                && (chars[i - 1].is_ascii_lowercase()
                    || chars[i - 1].is_ascii_digit()
                    || (chars[i - 1].is_ascii_uppercase()
                        && chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase())));
            if boundary && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            cur.push(c.to_ascii_lowercase());
        }
        if !cur.is_empty() {
            out.push(cur);
        }
        out
    }

    fn lint_lower_camel(s: &str) -> String {
        let mut out = String::new();
        for (i, x) in lint_words(s).iter().enumerate() {
            if i == 0 {
                out.push_str(x);
            } else {
                out.push_str(&capitalize(x));
            }
        }
        out
    }

    fn lint_upper_camel(s: &str) -> String {
        lint_words(s).iter().map(|w| capitalize(w)).collect()
    }

    fn lint_lower_snake(s: &str) -> String {
        lint_words(s).join("_")
    }

    /// How the Go backend split names with heck before it moved here.
    fn heck_words(s: &str) -> Vec<String> {
        s.to_snake_case()
            .split('_')
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// Every identifier-like run and every string literal of the golden `.brief` files.
    fn golden_names() -> Vec<String> {
        fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "brief" || x == "toml") {
                    let Ok(text) = std::fs::read_to_string(&p) else {
                        continue;
                    };
                    let mut cur = String::new();
                    for c in text.chars() {
                        if c.is_ascii_alphanumeric() || c == '_' {
                            cur.push(c);
                        } else if !cur.is_empty() {
                            out.push(std::mem::take(&mut cur));
                        }
                    }
                    out.extend(text.split('"').skip(1).step_by(2).map(str::to_owned));
                }
            }
        }
        let mut out = Vec::new();
        walk(
            std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../golden")),
            &mut out,
        );
        out.sort();
        out.dedup();
        out
    }

    const TRICKY: &[&str] = &[
        "HTTPServer",
        "userID",
        "userId",
        "v2Api",
        "V2API",
        "V2Api",
        "2Api",
        "a_b",
        "a__b",
        "_a",
        "a_",
        "ABc",
        "aBCd",
        "ABCdEF",
        "A2b",
        "a2B",
        "A2B",
        "HTTP2Server",
        "ID2X",
        "x9y",
        "9",
        "",
        "_",
        "_1",
        "payment.done",
        "image-storage",
        "URLKind",
        "getHTTPResponseCode",
        "a1b2C3",
        "ÄBc",
        "naïveName",
        "x--y",
        "ALLCAPS",
        "lowercase",
        "MixedCASEWord",
    ];

    /// Every string of length up to 6 over letters of both cases, a digit and separators.
    fn exhaustive() -> Vec<String> {
        let alphabet = ['a', 'B', 'c', 'D', '1', '_', '.'];
        let mut all = vec![String::new()];
        let mut frontier = vec![String::new()];
        for _ in 0..6 {
            let mut next = Vec::new();
            for s in &frontier {
                for c in alphabet {
                    next.push(format!("{s}{c}"));
                }
            }
            all.extend(next.iter().cloned());
            frontier = next;
        }
        all
    }

    #[test]
    fn follow_case_splits_as_heck_on_every_ascii_name() {
        let names: Vec<String> = golden_names()
            .into_iter()
            .chain(TRICKY.iter().map(|s| (*s).to_owned()))
            .chain(exhaustive())
            .filter(|s| s.is_ascii())
            .collect();
        assert!(names.len() > 100_000);
        for n in &names {
            assert_eq!(words(n, Digits::FollowCase), heck_words(n), "{n:?}");
            let heck_upper: String = heck_words(n)
                .iter()
                .map(|w| w.to_upper_camel_case())
                .collect();
            assert_eq!(upper_camel(n, Digits::FollowCase), heck_upper, "{n:?}");
        }
    }

    #[test]
    fn as_lower_splits_as_lint_did_on_every_name() {
        let names: Vec<String> = golden_names()
            .into_iter()
            .chain(TRICKY.iter().map(|s| (*s).to_owned()))
            .chain(exhaustive())
            .collect();
        for n in &names {
            assert_eq!(words(n, Digits::AsLower), lint_words(n), "{n:?}");
            assert_eq!(
                lower_camel(n, Digits::AsLower),
                lint_lower_camel(n),
                "{n:?}"
            );
            assert_eq!(
                upper_camel(n, Digits::AsLower),
                lint_upper_camel(n),
                "{n:?}"
            );
            assert_eq!(
                lower_snake(n, Digits::AsLower),
                lint_lower_snake(n),
                "{n:?}"
            );
        }
    }

    #[test]
    fn words_of_tricky_names() {
        let w = |s, d| words(s, d).join(" ");
        for d in [Digits::FollowCase, Digits::AsLower] {
            assert_eq!(w("HTTPServer", d), "http server");
            assert_eq!(w("userID", d), "user id");
            assert_eq!(w("v2Api", d), "v2 api");
            assert_eq!(w("a_b", d), "a b");
            assert_eq!(w("payment.done", d), "payment done");
            assert_eq!(w("__", d), "");
        }
        assert_eq!(w("V2API", Digits::FollowCase), "v2api");
        assert_eq!(w("V2API", Digits::AsLower), "v2 api");
        assert_eq!(w("2Api", Digits::FollowCase), "2api");
        assert_eq!(w("2Api", Digits::AsLower), "2 api");
        assert_eq!(lower_camel("user_id", Digits::AsLower), "userId");
        assert_eq!(
            upper_camel("image-storage", Digits::AsLower),
            "ImageStorage"
        );
        assert_eq!(lower_snake("HTTPServer", Digits::AsLower), "http_server");
    }

    /// The protocol's own conformance vectors (golden/wire/discovery.json), shared with runtime-go.
    #[test]
    fn matches_the_wire_vectors() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../golden/wire/discovery.json");
        let text = std::fs::read_to_string(path).unwrap();
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        let pairs = doc["env_names"].as_array().unwrap();
        assert!(pairs.len() >= 5);
        for pair in pairs {
            let (name, var) = (pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
            assert_eq!(discovery_env_var(name), var, "{name}");
        }
    }
}
