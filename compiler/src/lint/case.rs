//! Lint's casing: the style predicates and the conversions its naming rules suggest.
//!
//! `words`, `lower_camel` and `lower_snake` are kept here together, as they were in the rules, so
//! that one casing module of the compiler can replace them in one step.

pub fn is_lower_camel(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase()) && s.chars().all(|c| c.is_ascii_alphanumeric())
}

pub fn is_upper_camel(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase()) && s.chars().all(|c| c.is_ascii_alphanumeric())
}

pub fn is_lower_snake(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !s.contains("__")
        && !s.ends_with('_')
}

pub fn is_dotted_lower(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() >= 2 && parts.iter().all(|p| is_lower_snake(p))
}

/// Splits a name into lowercase words at `_`, `-`, `.`, spaces and case changes.
fn words(s: &str) -> Vec<String> {
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

fn capitalize(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

pub fn lower_camel(s: &str) -> String {
    let w = words(s);
    let mut out = String::new();
    for (i, x) in w.iter().enumerate() {
        if i == 0 {
            out.push_str(x);
        } else {
            out.push_str(&capitalize(x));
        }
    }
    out
}

pub fn upper_camel(s: &str) -> String {
    words(s).iter().map(|w| capitalize(w)).collect()
}

pub fn lower_snake(s: &str) -> String {
    words(s).join("_")
}

pub fn dotted_lower(s: &str) -> String {
    let parts: Vec<String> = s
        .split('.')
        .map(lower_snake)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() >= 2 {
        parts.join(".")
    } else {
        // One segment: its words become the segments (`ItemStored` -> `item.stored`).
        words(s).join(".")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        assert!(
            is_lower_camel("getUser") && !is_lower_camel("GetUser") && !is_lower_camel("get_user")
        );
        assert!(is_upper_camel("HTTPError") && !is_upper_camel("not_found"));
        assert!(
            is_lower_snake("dark_blue") && !is_lower_snake("darkBlue") && !is_lower_snake("a__b")
        );
        assert!(
            is_dotted_lower("service.create")
                && !is_dotted_lower("ServiceCreated")
                && !is_dotted_lower("one")
        );
        assert_eq!(lower_camel("Get_user_by_ID"), "getUserById");
        assert_eq!(upper_camel("not_found"), "NotFound");
        assert_eq!(lower_snake("DarkBlue"), "dark_blue");
        assert_eq!(lower_snake("HTTPServer"), "http_server");
        assert_eq!(dotted_lower("ServiceCreated"), "service.created");
    }
}
