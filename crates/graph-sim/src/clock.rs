//! Graph's timestamp format and a monotonic "now" for mutations.
//!
//! Graph writes DateTimeOffset values in UTC with up to seven fractional
//! digits (`2021-08-13T08:43:35.5533333Z`); the simulator always writes
//! seven. Every change the simulator makes stamps `lastUpdateDateTime` with
//! `Stamper::next`, which never repeats or goes backwards, so a client
//! polling with `lastUpdateDateTime ge <last seen>` always sees the change.

use chrono::{DateTime, Duration, SecondsFormat, Utc};

/// Formats an instant the way Graph does, with 7 fractional digits.
pub fn format_time(t: DateTime<Utc>) -> String {
    let ticks = t.timestamp_subsec_nanos() / 100;
    format!("{}.{ticks:07}Z", t.format("%Y-%m-%dT%H:%M:%S"))
}

/// Formats an instant as the `date` inside Graph's `innerError` (no zone).
pub fn format_error_date(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// RFC 3339 with whole seconds, used by token error bodies.
pub fn format_token_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
        .replace('T', " ")
}

/// Parses an ISO-8601 instant with any number of fractional digits.
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Hands out strictly increasing "now" instants.
#[derive(Debug)]
pub struct Stamper {
    last: DateTime<Utc>,
}

impl Stamper {
    /// A stamper that will never return anything at or before `floor`.
    pub fn new(floor: DateTime<Utc>) -> Self {
        Self { last: floor }
    }

    /// The current time, or one tick after the last stamp if the wall clock
    /// has not moved past it.
    pub fn next(&mut self) -> DateTime<Utc> {
        let now = Utc::now();
        self.last = if now > self.last {
            now
        } else {
            self.last + Duration::nanoseconds(100)
        };
        self.last
    }

    /// Raises the floor (used when data newer than the floor is loaded).
    pub fn observe(&mut self, t: DateTime<Utc>) {
        if t > self.last {
            self.last = t;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_seven_fractional_digits_and_parses_back() {
        let t = parse_time("2021-08-13T08:43:35.5533333Z").expect("valid");
        assert_eq!(format_time(t), "2021-08-13T08:43:35.5533333Z");
        assert_eq!(
            format_time(parse_time("2025-01-01T00:00:00Z").expect("valid")),
            "2025-01-01T00:00:00.0000000Z"
        );
    }

    #[test]
    fn stamper_never_goes_backwards() {
        let future = Utc::now() + Duration::hours(1);
        let mut stamper = Stamper::new(future);
        let a = stamper.next();
        let b = stamper.next();
        assert!(a > future && b > a);
    }
}
