//! Validation of cron schedules: the five-field syntax Kubernetes CronJobs accept, and macros.

/// Macros accepted instead of five fields.
pub const MACROS: &[&str] = &[
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@midnight",
    "@hourly",
];

const FIELDS: &[(&str, u32, u32, &[&str])] = &[
    ("minute", 0, 59, &[]),
    ("hour", 0, 23, &[]),
    ("day of month", 1, 31, &[]),
    (
        "month",
        1,
        12,
        &[
            "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        ],
    ),
    (
        "day of week",
        0,
        7,
        &["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
    ),
];

/// Checks a schedule; the error says which field is wrong and why.
pub fn validate(schedule: &str) -> Result<(), String> {
    let s = schedule.trim();
    if s.starts_with('@') {
        return if MACROS.contains(&s) {
            Ok(())
        } else {
            Err(format!(
                "unknown macro `{s}` (expected one of {})",
                MACROS.join(", ")
            ))
        };
    }
    let parts: Vec<&str> = s.split_whitespace().collect();
    if parts.len() != 5 {
        return Err(format!(
            "a schedule has 5 fields (minute hour day-of-month month day-of-week), found {}",
            parts.len()
        ));
    }
    for (part, (what, lo, hi, names)) in parts.iter().zip(FIELDS) {
        field(part, *lo, *hi, names).map_err(|e| format!("{what} field `{part}`: {e}"))?;
    }
    Ok(())
}

fn field(s: &str, lo: u32, hi: u32, names: &[&str]) -> Result<(), String> {
    for item in s.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((r, st)) => (r, Some(st)),
            None => (item, None),
        };
        if let Some(st) = step {
            match st.parse::<u32>() {
                Ok(n) if n >= 1 && n <= hi.max(1) => {}
                _ => return Err(format!("step `{st}` must be a number from 1 to {hi}")),
            }
        }
        if range == "*" {
            continue;
        }
        let (a, b) = match range.split_once('-') {
            Some((a, b)) => (value(a, lo, hi, names)?, Some(value(b, lo, hi, names)?)),
            None => (value(range, lo, hi, names)?, None),
        };
        if let Some(b) = b {
            if b < a {
                return Err(format!("range `{range}` goes backwards"));
            }
        }
    }
    Ok(())
}

fn value(s: &str, lo: u32, hi: u32, names: &[&str]) -> Result<u32, String> {
    if s.is_empty() {
        return Err("empty value".to_owned());
    }
    let lower = s.to_ascii_lowercase();
    if let Some(i) = names.iter().position(|n| *n == lower) {
        // Month names start at 1, weekday names at 0.
        return Ok(i as u32 + lo);
    }
    match s.parse::<u32>() {
        Ok(n) if (lo..=hi).contains(&n) => Ok(n),
        Ok(n) => Err(format!("{n} is out of range {lo}-{hi}")),
        Err(_) => Err(format!("`{s}` is not a number")),
    }
}

#[cfg(test)]
mod tests {
    use super::validate;

    #[test]
    fn accepts_common_schedules() {
        for s in [
            "* * * * *",
            "*/5 * * * *",
            "0 3 * * *",
            "0 0 1 1 *",
            "15 2 * * mon-fri",
            "0 0 * jan,jul sun",
            "0-30/10 8-18 * * 1-5",
            "@daily",
            "@hourly",
        ] {
            assert_eq!(validate(s), Ok(()), "{s}");
        }
    }

    #[test]
    fn rejects_bad_schedules() {
        for (s, want) in [
            ("* * * *", "5 fields"),
            ("60 * * * *", "minute field"),
            ("* 24 * * *", "hour field"),
            ("* * 0 * *", "day of month"),
            ("* * * 13 *", "month field"),
            ("* * * * 8", "day of week"),
            ("*/0 * * * *", "step"),
            ("5-1 * * * *", "backwards"),
            ("x * * * *", "not a number"),
            ("@fortnightly", "unknown macro"),
        ] {
            let e = validate(s).expect_err(s);
            assert!(e.contains(want), "{s}: {e}");
        }
    }
}
