//! Discovery (docs/protocol.md section 8): a dependency's base URL from an explicit setting or
//! `SERVICE_<NAME>_URL`.

/// The environment variable of dependency `name`: ASCII letters upper-cased, digits kept, every
/// other character (per code point) `_`: `image-storage` → `SERVICE_IMAGE_STORAGE_URL`.
pub fn env_var(name: &str) -> String {
    let middle: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("SERVICE_{middle}_URL")
}

/// The base URL (without trailing `/`) for dependency `name`: `explicit` if given, else the
/// variable read through `env`. The error names the variable.
pub fn resolve(
    name: &str,
    explicit: Option<&str>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<String, String> {
    let var = env_var(name);
    let (value, from) = match explicit {
        Some(v) => (v.to_owned(), "the explicit base URL".to_owned()),
        None => match env(&var) {
            Some(v) if !v.trim().is_empty() => (v, var.clone()),
            _ => {
                return Err(format!(
                    "no base URL for dependency {name:?}: set {var} (like http://{name}:8080)"
                ))
            }
        },
    };
    check_url(value.trim())
        .map(|u| u.trim_end_matches('/').to_owned())
        .map_err(|why| {
            format!("{from} {value:?} for dependency {name:?} ({var}) is invalid: {why}")
        })
}

/// A base URL from `explicit` or variable `var` (read through `env`), checked as in
/// [`resolve`]; `what` names it in errors (`this service's own base URL`).
pub fn resolve_var(
    var: &str,
    what: &str,
    explicit: Option<&str>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<String, String> {
    let (value, from) = match explicit {
        Some(v) => (v.to_owned(), "the explicit base URL".to_owned()),
        None => match env(var) {
            Some(v) if !v.trim().is_empty() => (v, var.to_owned()),
            _ => return Err(format!("no {what}: set {var} (like http://host:8080)")),
        },
    };
    check_url(value.trim())
        .map(|u| u.trim_end_matches('/').to_owned())
        .map_err(|why| format!("{from} {value:?} for {what} ({var}) is invalid: {why}"))
}

fn check_url(v: &str) -> Result<&str, &'static str> {
    let rest = v
        .strip_prefix("http://")
        .or_else(|| v.strip_prefix("https://"))
        .ok_or("want an absolute http or https URL")?;
    if rest.contains('?') || rest.contains('#') {
        return Err("a query or fragment is not allowed");
    }
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err("no host");
    }
    v.parse::<http::Uri>().map_err(|_| "not a URL")?;
    Ok(v)
}
