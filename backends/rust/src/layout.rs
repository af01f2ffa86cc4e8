//! The few places where generated code's layout depends on its width, laid out as rustfmt
//! would (max width 100): attributes with arguments and function signatures that go vertical
//! when they do not fit on one line.

/// rustfmt's default maximum line width.
pub const MAX_WIDTH: usize = 100;
/// rustfmt's default `attr_fn_like_width`: the most the arguments of an attribute may take on
/// one line.
pub const ATTR_ARGS_WIDTH: usize = 70;

/// `#[name(args)]` at `indent` spaces: one line if it fits, else one argument per line.
pub fn attribute(indent: usize, name: &str, args: &[String]) -> Vec<String> {
    let pad = " ".repeat(indent);
    let joined = args.join(", ");
    let one = format!("{pad}#[{name}({joined})]");
    if one.len() <= MAX_WIDTH && joined.len() <= ATTR_ARGS_WIDTH {
        return vec![one];
    }
    let mut out = vec![format!("{pad}#[{name}(")];
    for (i, a) in args.iter().enumerate() {
        let comma = if i + 1 < args.len() { "," } else { "" };
        out.push(format!("{pad}    {a}{comma}"));
    }
    out.push(format!("{pad})]"));
    out
}

/// A signature `head(params) tail` at `indent` spaces (`tail` like ` -> T {` or ` -> T;`): one
/// line if it fits, else one parameter per line with a trailing comma.
pub fn signature(indent: usize, head: &str, params: &[String], tail: &str) -> Vec<String> {
    let pad = " ".repeat(indent);
    let one = format!("{pad}{head}({}){tail}", params.join(", "));
    if one.len() <= MAX_WIDTH {
        return vec![one];
    }
    let mut out = vec![format!("{pad}{head}(")];
    for p in params {
        out.push(format!("{pad}    {p},"));
    }
    out.push(format!("{pad}){tail}"));
    out
}

/// rustfmt's default `chain_width`: a method chain longer than this goes one call per line.
pub const CHAIN_WIDTH: usize = 60;

/// A method chain `root.a().b` at `indent` spaces: one line if it fits, else one element per
/// line, the first joined to a root no longer than the indent unit (`self.get()`).
pub fn chain(indent: usize, root: &str, calls: &[String]) -> Vec<String> {
    let pad = " ".repeat(indent);
    let whole = format!("{root}{}", calls.concat());
    if whole.len() <= CHAIN_WIDTH && indent + whole.len() <= MAX_WIDTH {
        return vec![format!("{pad}{whole}")];
    }
    let (first, rest) = if root.len() <= 4 {
        (
            format!("{pad}{root}{}", calls.first().cloned().unwrap_or_default()),
            calls.get(1..).unwrap_or_default(),
        )
    } else {
        (format!("{pad}{root}"), calls)
    };
    let mut out = vec![first];
    out.extend(rest.iter().map(|c| format!("{pad}    {c}")));
    out
}

/// Doc comment lines (`///` or `//!`) at `indent` spaces; blank lines as a bare marker.
pub fn doc(indent: usize, marker: &str, lines: &[String]) -> Vec<String> {
    let pad = " ".repeat(indent);
    lines
        .iter()
        .map(|l| {
            if l.is_empty() {
                format!("{pad}{marker}")
            } else {
                format!("{pad}{marker} {l}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vertical_when_too_wide() {
        assert_eq!(
            attribute(4, "serde", &["a".into(), "b".into()]),
            vec!["    #[serde(a, b)]"]
        );
        let long: Vec<String> = (0..20).map(|i| format!("arg{i}")).collect();
        let v = attribute(0, "serde", &long);
        assert_eq!(v.first().map(String::as_str), Some("#[serde("));
        assert_eq!(v.last().map(String::as_str), Some(")]"));
        assert_eq!(v[20], "    arg19");
        let s = signature(4, "fn f", &long, " -> X;");
        assert_eq!(s[1], "        arg0,");
        assert_eq!(s.last().map(String::as_str), Some("    ) -> X;"));
    }
}
