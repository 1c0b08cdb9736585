//! When to try a request again and how long to wait first.
//!
//! Graph says how long to wait with `Retry-After` (seconds, possibly
//! fractional like `2.128`, or an HTTP date); without it we back off
//! exponentially with jitter so that many tenants' syncs do not retry in
//! lockstep.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;

/// The longest backoff step without a `Retry-After`.
pub(crate) const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// The longest `Retry-After` we sleep through inside one call; longer
/// waits end the call with `Throttled` so sync can move on.
pub(crate) const MAX_WAIT: Duration = Duration::from_secs(60);

/// Parses a `Retry-After` value: delta seconds (fractions allowed) or an
/// HTTP date, relative to `now`. Garbage and negative values give `None`.
pub(crate) fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds));
    }
    let at = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

/// The wait before retry number `attempt` (0-based): `base * 2^attempt`,
/// capped at [`MAX_BACKOFF`], scaled by `jitter` in `[0.5, 1.0]`.
pub(crate) fn backoff(base: Duration, attempt: u32, jitter: f64) -> Duration {
    let factor = 2u32.saturating_pow(attempt.min(16));
    let step = base.saturating_mul(factor).min(MAX_BACKOFF);
    step.mul_f64(jitter.clamp(0.5, 1.0))
}

/// A jittered backoff for retry number `attempt`.
pub(crate) fn jittered_backoff(base: Duration, attempt: u32) -> Duration {
    let jitter = rand::thread_rng().gen_range(0.5..=1.0);
    backoff(base, attempt, jitter)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn fractional_retry_after_seconds_are_honoured() {
        let now = Utc::now();

        assert_eq!(
            parse_retry_after("2.128", now),
            Some(Duration::from_millis(2128))
        );
        assert_eq!(
            parse_retry_after(" 10 ", now),
            Some(Duration::from_secs(10))
        );
    }

    #[test]
    fn retry_after_may_be_an_http_date() {
        let now = Utc.with_ymd_and_hms(2015, 10, 21, 7, 27, 0).unwrap();

        let wait = parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now);
        assert_eq!(wait, Some(Duration::from_secs(60)));
    }

    #[test]
    fn nonsense_retry_after_is_ignored() {
        let now = Utc::now();

        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-3", now), None);
        assert_eq!(parse_retry_after("NaN", now), None);
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let base = Duration::from_secs(1);

        assert_eq!(backoff(base, 0, 1.0), Duration::from_secs(1));
        assert_eq!(backoff(base, 3, 1.0), Duration::from_secs(8));
        assert_eq!(backoff(base, 30, 1.0), MAX_BACKOFF);
        assert_eq!(backoff(base, 1, 0.5), Duration::from_secs(1));
    }

    #[test]
    fn jitter_stays_within_half_and_full_step() {
        for _ in 0..100 {
            let wait = jittered_backoff(Duration::from_secs(4), 0);
            assert!(
                wait >= Duration::from_secs(2) && wait <= Duration::from_secs(4),
                "{wait:?}"
            );
        }
    }
}
