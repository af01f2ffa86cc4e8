//! One scope's taken names, so that generated names never collide: names are claimed in a fixed
//! order and a collision is escaped deterministically (a `_` suffix until the name is free). The
//! language's keywords and a backend's own reserved names are supplied by the backend.
use std::collections::BTreeSet;

/// The names taken in one scope of the generated code (a package, a type's fields, ...).
#[derive(Debug, Default, Clone)]
pub struct Scope {
    taken: BTreeSet<String>,
}

impl Scope {
    /// A scope in which `reserved` (keywords, names every generated unit declares) are taken.
    pub fn with(reserved: &[&str]) -> Self {
        let mut s = Scope::default();
        s.reserve(reserved);
        s
    }

    /// Marks `names` as taken.
    pub fn reserve(&mut self, names: &[&str]) {
        self.taken.extend(names.iter().map(|s| (*s).to_owned()));
    }

    /// Whether `name` is taken.
    pub fn contains(&self, name: &str) -> bool {
        self.taken.contains(name)
    }

    /// Takes `name`, or `name_`, `name__`, ... whichever is free first.
    pub fn claim(&mut self, name: &str) -> String {
        let mut n = name.to_owned();
        while self.taken.contains(&n) {
            n.push('_');
        }
        self.taken.insert(n.clone());
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collisions_get_a_suffix_in_claim_order() {
        let mut s = Scope::with(&["Server"]);
        assert!(s.contains("Server"));
        assert_eq!(s.claim("Server"), "Server_");
        assert_eq!(s.claim("Server"), "Server__");
        assert_eq!(s.claim("Other"), "Other");
        assert_eq!(s.claim("Other"), "Other_");
        s.reserve(&["Third"]);
        assert_eq!(s.claim("Third"), "Third_");
    }
}
