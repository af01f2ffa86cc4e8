//! app.toml as text: the table a line is in, and the reference of each key read from
//! docs/app-toml.md (its tables of keys), for hovers.
use std::ops::Range;

/// docs/app-toml.md, the reference of every key.
const REFERENCE: &str = include_str!("../../docs/app-toml.md");

/// The schema path of the table the end of `text` is in: `""` at the top, `engine`,
/// `dependencies.0` in an element of `[[dependencies]]`, `envs.prod.engine`.
pub fn table_at(text: &str) -> String {
    let Some(header) = text
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
    else {
        return String::new();
    };
    let array = header.starts_with("[[");
    let inner = header.trim_start_matches('[');
    let inner = inner.split(']').next().unwrap_or("");
    let path: Vec<&str> = inner
        .split('.')
        .map(|s| s.trim().trim_matches('"'))
        .collect();
    let mut path = path.join(".");
    if array {
        path.push_str(".0");
    }
    path
}

/// The section of docs/app-toml.md that documents the keys of a table path (`""`, `engine`,
/// `dependencies.0`, `envs.prod`, `envs.prod.engine`).
fn section(table: &str) -> &'static str {
    let segs: Vec<&str> = table.split('.').collect();
    match segs.as_slice() {
        [""] => "## Keys",
        ["engine"] | ["envs", _, "engine"] => "### `[engine]`",
        ["dependencies", ..] => "### `[[dependencies]]`",
        ["storages", ..] => "### `[[storages]]`",
        ["crons", ..] => "### `[[crons]]`",
        ["autoscaling"] | ["envs", _, "autoscaling"] => "### `[autoscaling]`",
        ["envs", _] => "## Environment overrides: `[envs.<env>]`",
        _ => "",
    }
}

/// The row of `key` in the first table of a section: its cells after the key, with the
/// section's header row naming them.
fn row(heading: &str, key: &str) -> Option<Vec<(String, String)>> {
    if heading.is_empty() {
        return None;
    }
    let start = REFERENCE.find(&format!("\n{heading}\n"))?;
    let body = &REFERENCE[start + heading.len() + 2..];
    let body = &body[..body.find("\n#").unwrap_or(body.len())];
    let cells = |l: &str| -> Vec<String> {
        l.trim()
            .trim_matches('|')
            .split(" | ")
            .map(|c| c.trim().to_owned())
            .collect()
    };
    let mut rows = body.lines().filter(|l| l.starts_with('|'));
    let header = cells(rows.next()?);
    let wanted = format!("`{key}`");
    let found = rows.map(cells).find(|c| c.first() == Some(&wanted))?;
    Some(header.into_iter().zip(found).skip(1).collect())
}

/// The hover of the key or table header at byte `offset` of app.toml's `text`: the byte range
/// of the name, and its reference as markdown.
pub fn hover(text: &str, offset: usize) -> Option<(Range<usize>, String)> {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = &text[line_start..line_end];
    let indent = line.len() - line.trim_start().len();
    let trimmed = line.trim();
    let (table, key, range) = if trimmed.starts_with('[') {
        let end = trimmed.rfind(']').map_or(trimmed.len(), |i| i + 1);
        let header = &trimmed[..end];
        let key = if header.starts_with("[envs.") {
            "[envs.<env>]".to_owned()
        } else {
            header.to_owned()
        };
        let range = line_start + indent..line_start + indent + end;
        (String::new(), key, range)
    } else {
        let eq = line.find('=')?;
        if offset >= line_start + eq {
            return None;
        }
        let written = line[..eq].trim();
        let table = table_at(&text[..line_start]);
        let (sub, key) = written.rsplit_once('.').unwrap_or(("", written));
        let table = [table.as_str(), sub]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(".");
        let range = line_start + indent..line_start + indent + written.len();
        (table, key.to_owned(), range)
    };
    let heading = section(&table);
    let cells = row(heading, &key)?;
    let mut value = format!("**`{key}`**");
    if let Some(array) = table.strip_suffix(".0") {
        value.push_str(&format!(" in `[[{array}]]`"));
    } else if !table.is_empty() {
        value.push_str(&format!(" in `[{table}]`"));
    }
    value.push('\n');
    for (name, cell) in cells {
        value.push_str(&format!("\n- {name}: {cell}"));
    }
    value.push_str("\n\nSee docs/app-toml.md.");
    Some((range, value))
}
