//! [`Timestamp`], the contract type `time`: an instant in years 0000–9999 UTC with nanoseconds,
//! written as RFC 3339 in UTC with exactly 9 fractional digits and read strictly (section 3.1).
//! It wraps a `time::OffsetDateTime` (the `time` crate, re-exported as `brief_runtime::time`).
use serde::de::Error as _;
use serde::ser::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// An instant of the contract type `time`, always held in UTC. Its zero value ([`Default`]) is
/// `0001-01-01T00:00:00.000000000Z`, as the protocol says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(OffsetDateTime);

impl Default for Timestamp {
    fn default() -> Self {
        Timestamp(
            PrimitiveDateTime::new(
                Date::from_ordinal_date(1, 1).unwrap_or(Date::MIN),
                Time::MIDNIGHT,
            )
            .assume_utc(),
        )
    }
}

impl Timestamp {
    /// The instant `t`, or `None` outside years 0000–9999 UTC.
    pub fn new(t: OffsetDateTime) -> Option<Self> {
        let utc = t.to_offset(UtcOffset::UTC);
        (0..=9999).contains(&utc.year()).then_some(Timestamp(utc))
    }

    /// Now, in UTC.
    pub fn now() -> Self {
        Timestamp(OffsetDateTime::now_utc())
    }

    /// Seconds and nanoseconds since the Unix epoch, or `None` outside years 0000–9999.
    pub fn from_unix(seconds: i64, nanos: u32) -> Option<Self> {
        let t = OffsetDateTime::from_unix_timestamp(seconds).ok()?;
        Self::new(t.replace_nanosecond(nanos).ok()?)
    }

    /// The wrapped `time::OffsetDateTime` (in UTC).
    pub fn get(&self) -> OffsetDateTime {
        self.0
    }

    /// Parses RFC 3339 strictly: `T` and `Z` upper-case, `±hh:mm` offsets, 0–9 fractional
    /// digits, no leap second, a real date, years 0000–9999 once in UTC.
    pub fn parse(s: &str) -> Result<Self, String> {
        parse(s)
            .ok_or_else(|| format!("invalid time {s:?} (want RFC 3339, like 2026-01-02T03:04:05Z)"))
    }
}

impl From<Timestamp> for OffsetDateTime {
    fn from(t: Timestamp) -> Self {
        t.0
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.nanosecond()
        )
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if !(0..=9999).contains(&self.0.year()) {
            return Err(S::Error::custom("time outside years 0000..9999"));
        }
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Timestamp::parse(&s).map_err(D::Error::custom)
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0')))
}

fn parse(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let year = i32::try_from(digits(&b[0..4])?).ok()?;
    let month = Month::try_from(u8::try_from(digits(&b[5..7])?).ok()?).ok()?;
    let day = u8::try_from(digits(&b[8..10])?).ok()?;
    let (h, m, sec) = (
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
    );
    if h > 23 || m > 59 || sec > 59 {
        return None;
    }
    let mut rest = &b[19..];
    let mut nanos = 0u32;
    if rest.first() == Some(&b'.') {
        let n = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 || n > 9 {
            return None;
        }
        nanos = digits(&rest[1..=n])? * 10u32.pow(9 - u32::try_from(n).ok()?);
        rest = &rest[1 + n..];
    }
    let offset_seconds: i32 = match rest {
        [b'Z'] => 0,
        [sign @ (b'+' | b'-'), oh1, oh2, b':', om1, om2] => {
            let oh = i32::try_from(digits(&[*oh1, *oh2])?).ok()?;
            let om = i32::try_from(digits(&[*om1, *om2])?).ok()?;
            if oh > 23 || om > 59 {
                return None;
            }
            let v = oh * 3600 + om * 60;
            if *sign == b'-' {
                -v
            } else {
                v
            }
        }
        _ => return None,
    };
    let date = Date::from_calendar_date(year, month, day).ok()?;
    let time = Time::from_hms_nano(
        u8::try_from(h).ok()?,
        u8::try_from(m).ok()?,
        u8::try_from(sec).ok()?,
        nanos,
    )
    .ok()?;
    let offset = UtcOffset::from_whole_seconds(offset_seconds).ok()?;
    let local = PrimitiveDateTime::new(date, time).assume_offset(offset);
    let utc = local.checked_to_offset(UtcOffset::UTC)?;
    Timestamp::new(utc)
}
