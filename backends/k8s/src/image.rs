//! Validation of container image references: `[host[:port]/]path[:tag][@sha256:<64 hex>]`.

fn is_path_component(s: &str) -> bool {
    // [a-z0-9]+ separated by `.`, `_`, `__` or one or more `-`.
    if s.is_empty()
        || !s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
    {
        return false;
    }
    let first = s.as_bytes()[0];
    let last = s.as_bytes()[s.len() - 1];
    first.is_ascii_alphanumeric()
        && last.is_ascii_alphanumeric()
        && !s.contains("..")
        && !s.contains("___")
}

fn is_host(s: &str) -> bool {
    let (host, port) = match s.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (s, None),
    };
    let host_ok = !host.is_empty()
        && host.split('.').all(|l| {
            !l.is_empty()
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        });
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    host_ok && port_ok
}

/// Checks a repository without tag or digest, e.g. `registry.example:5000/team/app`.
pub fn check_repository(repo: &str) -> Result<(), String> {
    if repo.len() > 255 {
        return Err("is longer than 255 characters".to_owned());
    }
    let mut parts: Vec<&str> = repo.split('/').collect();
    let first = parts[0];
    let has_host =
        parts.len() > 1 && (first.contains('.') || first.contains(':') || first == "localhost");
    if has_host {
        if !is_host(first) {
            return Err(format!("has an invalid registry host `{first}`"));
        }
        parts.remove(0);
    }
    if let Some(bad) = parts.iter().find(|p| !is_path_component(p)) {
        return Err(format!(
            "has an invalid path component `{bad}` (lower-case letters, digits and inner `.`, `_`, `-`)"
        ));
    }
    Ok(())
}

/// A checked image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    pub full: String,
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl ImageRef {
    /// The version for `app.kubernetes.io/version`: the tag, else the digest's first 12 hex digits.
    pub fn version(&self) -> String {
        match (&self.tag, &self.digest) {
            (Some(t), _) => t.clone(),
            (None, Some(d)) => d.trim_start_matches("sha256:").chars().take(12).collect(),
            (None, None) => "unversioned".to_owned(),
        }
    }
}

/// Parses an image reference. A tag or a digest is required, and the tag may not be `latest`
/// (a manifest must say which build it runs).
pub fn parse(s: &str) -> Result<ImageRef, String> {
    if s.is_empty() {
        return Err("is empty".to_owned());
    }
    let (rest, digest) = match s.split_once('@') {
        Some((r, d)) => {
            let hex = d.strip_prefix("sha256:").ok_or_else(|| {
                format!("has a digest `{d}` that is not `sha256:<64 hex digits>`")
            })?;
            if hex.len() != 64
                || !hex
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            {
                return Err(format!(
                    "has a digest `{d}` that is not `sha256:<64 hex digits>`"
                ));
            }
            (r, Some(d.to_owned()))
        }
        None => (s, None),
    };
    // A tag is after the last `:` that follows the last `/`.
    let slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (repo, tag) = match rest[slash..].rfind(':') {
        Some(i) => (&rest[..slash + i], Some(&rest[slash + i + 1..])),
        None => (rest, None),
    };
    check_repository(repo)?;
    if let Some(t) = tag {
        let ok = !t.is_empty()
            && t.len() <= 128
            && t.as_bytes()[0] != b'.'
            && t.as_bytes()[0] != b'-'
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
        if !ok {
            return Err(format!("has an invalid tag `{t}`"));
        }
        if t == "latest" {
            return Err(
                "uses the tag `latest`; name the exact build (a version, a commit or a digest)"
                    .to_owned(),
            );
        }
    }
    if tag.is_none() && digest.is_none() {
        return Err(
            "has no tag and no digest; name the exact build (`repo:tag` or `repo@sha256:...`)"
                .to_owned(),
        );
    }
    Ok(ImageRef {
        full: s.to_owned(),
        repository: repo.to_owned(),
        tag: tag.map(str::to_owned),
        digest,
    })
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn accepts_valid_references() {
        for s in [
            "app:1.0",
            "registry.paas.internal/services/app:1.2.3",
            "localhost:5000/app:dev",
            "reg.example:443/a/b/c:v1_2-rc.1",
            "reg.example/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "reg.example/app:1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ] {
            assert!(parse(s).is_ok(), "{s}: {:?}", parse(s));
        }
        assert_eq!(parse("r.example/app:1.0").unwrap().version(), "1.0");
    }

    #[test]
    fn rejects_invalid_references() {
        for (s, want) in [
            ("", "empty"),
            ("App:1", "path component"),
            ("reg.example/app", "no tag"),
            ("reg.example/app:latest", "latest"),
            ("reg.example/app:", "invalid tag"),
            ("reg.example/app:1@sha256:xyz", "digest"),
            ("reg..example/app:1", "registry host"),
            ("reg.example//app:1", "path component"),
            ("reg.example/app:-x", "invalid tag"),
        ] {
            let e = parse(s).expect_err(s);
            assert!(e.contains(want), "{s}: {e}");
        }
    }
}
