//! Output planning: which output unit (package, namespace, module) each contract of the IR goes
//! to, and the unit names of dependencies, unique by collision numbering.
use compiler::ir::{Contract, Ir};
use std::collections::BTreeSet;

/// One dependency contract and the name of the unit generated for it.
#[derive(Debug, Clone)]
pub struct Unit<'a> {
    pub contract: &'a Contract,
    pub name: String,
}

/// The dependencies of `ir` sorted by service name, then file, each named `name(contract)`; a
/// name already given gets `2`, `3`, ... appended (`a-b` and `ab` may both give `abclient`).
pub fn dependencies<'a>(ir: &'a Ir, name: impl Fn(&Contract) -> String) -> Vec<Unit<'a>> {
    let mut sorted: Vec<&Contract> = ir.dependencies.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name).then(a.loc.file.cmp(&b.loc.file)));
    let mut taken = BTreeSet::new();
    let mut out = Vec::new();
    for c in sorted {
        let base = name(c);
        let mut unit = base.clone();
        let mut n = 2;
        while !taken.insert(unit.clone()) {
            unit = format!("{base}{n}");
            n += 1;
        }
        out.push(Unit {
            contract: c,
            name: unit,
        });
    }
    out
}

/// A flat lower-case name (a Go package, a file stem) from a service name or a path element:
/// ASCII letters and digits only, lower-cased; `prefix` in front when it would be empty, start
/// with a digit, or be one of `reserved` (the language's keywords and predeclared names).
pub fn flat_name(name: &str, prefix: &str, reserved: &[&[&str]]) -> String {
    let mut out: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if out.is_empty()
        || out.starts_with(|c: char| c.is_ascii_digit())
        || reserved.iter().any(|r| r.contains(&out.as_str()))
    {
        out.insert_str(0, prefix);
    }
    out
}

/// The last `/`-separated element of an import path or module name.
pub fn last_element(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use compiler::ir::Loc;

    fn contract(name: &str, file: &str) -> Contract {
        Contract {
            name: name.to_owned(),
            doc: None,
            deprecated: None,
            rpcs: Vec::new(),
            events: Vec::new(),
            types: Vec::new(),
            loc: Loc {
                file: file.to_owned(),
                start: 0,
                end: 0,
                line: 1,
                column: 1,
            },
        }
    }

    #[test]
    fn dependency_units_are_sorted_and_numbered() {
        let ir = Ir {
            version: 1,
            service: None,
            dependencies: vec![
                contract("ab", "rpc/ab.brief"),
                contract("a-b", "rpc/a-b.brief"),
                contract("zed", "rpc/zed.brief"),
                contract("a-b", "rpc/other.brief"),
            ],
            app: None,
            subscriptions: Vec::new(),
        };
        let units = dependencies(&ir, |c| flat_name(&c.name, "x", &[]) + "client");
        let got: Vec<(&str, &str)> = units
            .iter()
            .map(|u| (u.contract.loc.file.as_str(), u.name.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("rpc/a-b.brief", "abclient"),
                ("rpc/other.brief", "abclient2"),
                ("rpc/ab.brief", "abclient3"),
                ("rpc/zed.brief", "zedclient"),
            ]
        );
    }

    #[test]
    fn flat_names() {
        let kw: &[&str] = &["type"];
        assert_eq!(flat_name("image-storage", "x", &[kw]), "imagestorage");
        assert_eq!(flat_name("type", "pkg", &[kw]), "pkgtype");
        assert_eq!(flat_name("3d", "pkg", &[kw]), "pkg3d");
        assert_eq!(flat_name("--", "pkg", &[kw]), "pkg");
        assert_eq!(last_element("example.com/a/gen"), "gen");
        assert_eq!(last_element("gen"), "gen");
    }
}
