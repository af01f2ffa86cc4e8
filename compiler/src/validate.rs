//! The validators of names and values that the checks of `.brief` files and of app.toml share:
//! DNS labels, host names, topic names and durations. One rule each, in one place.

/// Longest DNS label (RFC 1035 section 2.3.4).
pub const MAX_DNS_LABEL: usize = 63;

/// Longest host name (RFC 1035 section 2.3.4).
pub const MAX_HOST_NAME: usize = 253;

/// Longest topic name.
pub const MAX_TOPIC: usize = 200;

/// An RFC 1035 label, as Kubernetes requires of Service names (DNS-1035): lower-case letters,
/// digits and `-`, starting with a letter, not ending with `-`, at most 63 characters.
///
/// Service names (`service "name"` and app.toml's `name`), dependency and environment names all
/// follow this rule, so that a name accepted in one place is accepted in the other (E0502).
pub fn check_dns_label(s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Err("must not be empty".to_owned());
    }
    if s.len() > MAX_DNS_LABEL {
        return Err(format!(
            "is {} characters long; the limit is {MAX_DNS_LABEL}",
            s.len()
        ));
    }
    if !s.bytes().all(is_label_byte) {
        return Err("may contain only lower-case letters, digits and `-`".to_owned());
    }
    if !s.as_bytes()[0].is_ascii_lowercase() {
        return Err("must start with a lower-case letter".to_owned());
    }
    if s.ends_with('-') {
        return Err("must not end with `-`".to_owned());
    }
    Ok(())
}

/// Whether `s` is an RFC 1035 label (see [`check_dns_label`]).
pub fn is_dns_label(s: &str) -> bool {
    check_dns_label(s).is_ok()
}

/// One label of a host name (RFC 1123 relaxes RFC 1035: it may start with a digit).
fn is_host_label(l: &str) -> bool {
    !l.is_empty()
        && l.len() <= MAX_DNS_LABEL
        && l.bytes().all(is_label_byte)
        && !l.starts_with('-')
        && !l.ends_with('-')
}

fn is_label_byte(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'
}

/// A fully qualified host name: at least two RFC 1123 labels separated by dots, at most 253.
pub fn check_host_name(s: &str) -> Result<(), String> {
    if s.len() > MAX_HOST_NAME {
        return Err(format!(
            "is {} characters long; the limit is {MAX_HOST_NAME}",
            s.len()
        ));
    }
    let labels: Vec<&str> = s.split('.').collect();
    if labels.len() < 2 {
        return Err("must be a fully qualified host name such as `api.example.com`".to_owned());
    }
    match labels.into_iter().find(|l| !is_host_label(l)) {
        Some(l) => Err(format!(
            "label `{l}` is not a DNS label (lower-case letters, digits and inner `-`)"
        )),
        None => Ok(()),
    }
}

/// The host of `s` when `s` is written as a URL (`https://api.example.com/`, `api.example.com/v1`)
/// rather than a host name: with the scheme and the path dropped. `None` for anything else.
pub fn host_of_url(s: &str) -> Option<&str> {
    let rest = s.split_once("://").map_or(s, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    (host.len() != s.len() && !host.is_empty()).then_some(host)
}

/// A topic name: 1 to 200 ASCII letters, digits, `.`, `_` and `-` (it appears unescaped in
/// `/events/<topic>` URLs and in metric labels; docs/protocol.md section 9).
pub fn is_topic_name(s: &str) -> bool {
    (1..=MAX_TOPIC).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Parses a duration such as `250ms` or `2s` into milliseconds; zero is not a duration.
pub fn parse_duration_ms(s: &str) -> Option<u64> {
    let (num, mult) = if let Some(n) = s.strip_suffix("ms") {
        (n, 1)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1000)
    } else {
        return None;
    };
    if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    num.parse::<u64>()
        .ok()?
        .checked_mul(mult)
        .filter(|&v| v > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_written_for_host_names() {
        assert_eq!(host_of_url("https://x.example.com/"), Some("x.example.com"));
        assert_eq!(host_of_url("x.example.com/v1"), Some("x.example.com"));
        assert_eq!(host_of_url("x.example.com"), None);
        assert_eq!(host_of_url("https://"), None);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration_ms("250ms"), Some(250));
        assert_eq!(parse_duration_ms("2s"), Some(2000));
        for bad in [
            "",
            "ms",
            "s",
            "0ms",
            "0s",
            "1.5s",
            "1m",
            "-1s",
            "1 s",
            "99999999999999999999s",
        ] {
            assert_eq!(parse_duration_ms(bad), None, "{bad}");
        }
    }

    #[test]
    fn topic_names() {
        for ok in [
            "service.create",
            "a",
            "user_v2.created-at",
            &"a".repeat(200),
        ] {
            assert!(is_topic_name(ok), "{ok}");
        }
        for bad in ["", "a/b", "a%2F", "a b", "ü", "a?x", &"a".repeat(201)] {
            assert!(!is_topic_name(bad), "{bad}");
        }
    }

    #[test]
    fn dns_labels_are_rfc_1035() {
        for ok in ["a", "summer", "image-storage", "a1", "a-1", &"a".repeat(63)] {
            assert!(is_dns_label(ok), "{ok}");
        }
        for bad in [
            "",
            "-a",
            "a-",
            "A",
            "a_b",
            "a.b",
            &"a".repeat(64),
            "ä",
            // RFC 1123 would allow these; Kubernetes Service names (RFC 1035) do not.
            "1a",
            "9-lives",
            "0",
        ] {
            assert!(!is_dns_label(bad), "{bad}");
        }
        assert_eq!(
            check_dns_label("1a").err().as_deref(),
            Some("must start with a lower-case letter")
        );
    }

    #[test]
    fn host_names() {
        for ok in ["api.example.com", "a.b", "1x.example.com", "x-1.y"] {
            assert!(check_host_name(ok).is_ok(), "{ok}");
        }
        for bad in ["localhost", "a..b", "-a.b", "a-.b", "A.b", "a_b.c", ""] {
            assert!(check_host_name(bad).is_err(), "{bad}");
        }
        assert!(check_host_name(&format!("{}.com", "a.".repeat(130))).is_err());
    }
}
