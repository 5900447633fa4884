//! Timestamps at a fixed precision.
//!
//! Every time in redline is UTC, truncated to whole microseconds on the way in. SQLite and
//! PostgreSQL both keep microseconds exactly, so a record read back from either store is
//! byte-identical to the one that was signed or hashed into the log.

use std::{fmt, str::FromStr};

use serde::{Serialize, Serializer};

/// A UTC instant with microsecond precision, written in RFC 3339 (`2015-12-23T14:00:00Z`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(jiff::Timestamp);

impl Timestamp {
    /// Truncates any finer precision to whole microseconds.
    pub fn from_jiff(instant: jiff::Timestamp) -> Self {
        let microseconds = instant.as_microsecond();
        // A value that came from a valid jiff::Timestamp, truncated toward the past, stays in
        // range, so this conversion cannot fail; keep the original rather than panic.
        Self(jiff::Timestamp::from_microsecond(microseconds).unwrap_or(instant))
    }

    pub fn from_microseconds(microseconds: i64) -> Result<Self, String> {
        jiff::Timestamp::from_microsecond(microseconds)
            .map(Self)
            .map_err(|error| format!("{microseconds} µs since 1970 is out of range: {error}"))
    }

    pub fn as_microseconds(&self) -> i64 {
        self.0.as_microsecond()
    }

    pub fn as_jiff(&self) -> jiff::Timestamp {
        self.0
    }

    /// Parses RFC 3339 (an offset is required; `Z` or `+02:00`), normalising to UTC.
    pub fn parse(text: &str) -> Result<Self, String> {
        jiff::Timestamp::from_str(text)
            .map(Self::from_jiff)
            .map_err(|error| {
                format!("`{text}` is not an RFC 3339 time with an offset, such as `2026-11-22T10:00:00Z`: {error}")
            })
    }

    /// This time plus a whole number of seconds (negative to go back), if it stays in range.
    pub fn plus_seconds(&self, seconds: i64) -> Option<Self> {
        self.0
            .checked_add(jiff::SignedDuration::from_secs(seconds))
            .ok()
            .map(Self)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, formatter)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

crate::text::checked_text_type!(Timestamp, {
    "format": "date-time",
    "description": "RFC 3339 time with an offset; stored in UTC with microsecond precision."
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_to_microseconds_and_normalises_to_utc() {
        let parsed = Timestamp::parse("2026-11-22T12:00:00.123456789+02:00").expect("test fixture");
        assert_eq!(parsed.to_string(), "2026-11-22T10:00:00.123456Z");
        let round_trip =
            Timestamp::from_microseconds(parsed.as_microseconds()).expect("test fixture");
        assert_eq!(round_trip, parsed);
    }

    #[test]
    fn rejects_times_without_offset() {
        assert!(Timestamp::parse("2026-11-22T10:00:00").is_err());
        assert!(Timestamp::parse("yesterday").is_err());
    }
}
