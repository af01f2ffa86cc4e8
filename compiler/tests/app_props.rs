//! Property tests of the app.toml parser: it never panics, every diagnostic span lies inside the
//! file, invalid TOML is always reported, a file that means the same TOML gives the same config,
//! and a valid file stays valid (with the same config) under reformatting of its lines.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use compiler::app;
use compiler::FileId;
use proptest::prelude::*;

const FULL: &str = include_str!("../../golden/cases/full-app/app.toml");

fn spans_in_bounds(src: &str, diags: &[compiler::Diagnostic]) {
    for d in diags {
        for l in &d.labels {
            assert!(l.span.range.start <= l.span.range.end, "{d:?}");
            assert!(l.span.range.end <= src.len(), "{d:?}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Arbitrary text: no panic, spans in bounds.
    #[test]
    fn arbitrary_text(src in "\\PC{0,200}") {
        let (_, diags) = app::parse(FileId(0), &src);
        spans_in_bounds(&src, &diags);
    }

    /// The full example with one line (chosen by proptest) dropped or duplicated, or one
    /// character at a chosen position replaced: no panic, spans in bounds; text that is not TOML
    /// is exactly one E0401 and no config; text that is the same TOML (a duplicated comment or
    /// blank line, a replaced character inside a comment) gives the same config without
    /// diagnostics; and no config is ever returned without a reason, or errors without a location.
    #[test]
    fn mutated_full_example(
        line in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        op in 0u8..3,
        ch in "[a-z0-9 =\\[\\]\"{},.#]",
    ) {
        let lines: Vec<&str> = FULL.lines().collect();
        let i = line.index(lines.len());
        let mut out: Vec<String> = lines.iter().map(|s| (*s).to_owned()).collect();
        match op {
            0 => { out.remove(i); }
            1 => { out.insert(i, lines[i].to_owned()); }
            _ => {
                let l = &mut out[i];
                let boundaries: Vec<usize> = l.char_indices().map(|(b, _)| b).collect();
                prop_assume!(!boundaries.is_empty());
                let b = boundaries[at.index(boundaries.len())];
                let len = l[b..].chars().next().map_or(0, char::len_utf8);
                l.replace_range(b..b + len, &ch);
            }
        }
        let src = out.join("\n");
        let (config, diags) = app::parse(FileId(0), &src);
        spans_in_bounds(&src, &diags);
        for d in diags.iter().filter(|d| d.is_error()) {
            prop_assert!(d.primary_span().is_some(), "error without a location: {:?}", d);
        }
        match src.parse::<toml::Table>() {
            Err(_) => {
                let codes: Vec<&str> = diags.iter().map(|d| d.code).collect();
                prop_assert_eq!(codes, vec!["E0401"], "not TOML:\n{}", src);
                prop_assert!(config.is_none());
            }
            Ok(table) if table == FULL.parse::<toml::Table>().unwrap() => {
                prop_assert!(diags.is_empty(), "same TOML, new diagnostics: {:?}", diags);
                let (full, _) = app::parse(FileId(0), FULL);
                prop_assert_eq!(config.map(|c| c.config), full.map(|c| c.config));
            }
            Ok(_) => {
                prop_assert!(config.is_some() || diags.iter().any(|d| d.is_error()),
                    "no config and no error:\n{}", src);
            }
        }
    }

    /// Extra blank lines and spaces around `=` change nothing.
    #[test]
    fn layout_does_not_matter(spaces in 0usize..4, blank in 0usize..3) {
        let pad = " ".repeat(spaces);
        let src: String = FULL
            .lines()
            .map(|l| {
                let l = if l.starts_with('#') { l.to_owned() } else { l.replacen(" = ", &format!("{pad} = {pad}"), 1) };
                format!("{l}\n{}", "\n".repeat(blank))
            })
            .collect();
        let (a, da) = app::parse(FileId(0), FULL);
        let (b, db) = app::parse(FileId(0), &src);
        prop_assert!(da.is_empty() && db.is_empty(), "{db:?}");
        prop_assert_eq!(a.unwrap().config, b.unwrap().config);
    }
}
