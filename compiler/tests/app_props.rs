//! Property tests of the app.toml parser: it never panics, every diagnostic span lies inside the
//! file, and a valid file stays valid (with the same config) under reformatting of its lines.
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

    /// The full example with one line dropped or duplicated, or one character replaced: no
    /// panic, spans in bounds, and either a config or at least one error.
    #[test]
    fn mutated_full_example(line in 0usize..120, op in 0u8..3, ch in "[a-z0-9 =\\[\\]\"{},.]") {
        let lines: Vec<&str> = FULL.lines().collect();
        let i = line % lines.len();
        let mut out: Vec<String> = lines.iter().map(|s| (*s).to_owned()).collect();
        match op {
            0 => { out.remove(i); }
            1 => { out.insert(i, lines[i].to_owned()); }
            _ => {
                let l = &mut out[i];
                if !l.is_empty() {
                    let at = (i * 7) % l.len();
                    if l.is_char_boundary(at) && l.is_char_boundary(at + 1) {
                        l.replace_range(at..at + 1, &ch);
                    }
                }
            }
        }
        let src = out.join("\n");
        let (config, diags) = app::parse(FileId(0), &src);
        spans_in_bounds(&src, &diags);
        prop_assert!(config.is_some() || !diags.is_empty());
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
