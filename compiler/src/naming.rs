//! Names shared by every backend: the discovery environment variable of a dependency
//! (docs/protocol.md section 8), so manifests, generated clients and hints always agree.

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
