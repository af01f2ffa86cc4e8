//! Lint's casing: the style predicates and the conversions its naming rules suggest, on the
//! compiler's one word splitter ([`crate::naming`]).
use crate::naming::{self, Digits};

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

/// Lint reads a digit as a lower-case letter (`v2Api` is `v2` `api`): see [`Digits::AsLower`].
const LINT: Digits = Digits::AsLower;

pub fn lower_camel(s: &str) -> String {
    naming::lower_camel(s, LINT)
}

pub fn upper_camel(s: &str) -> String {
    naming::upper_camel(s, LINT)
}

pub fn lower_snake(s: &str) -> String {
    naming::lower_snake(s, LINT)
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
        naming::words(s, LINT).join(".")
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
