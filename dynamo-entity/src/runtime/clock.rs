//! The current time, for managed timestamps and TTL checks, without a date-time crate.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// Where a table's "now" comes from: for TTL checks (is an item expired?) and for the
/// `created_at`/`updated_at` fields. The system clock unless a test, or a read "as of" a time,
/// says otherwise ([`Table::with_clock`](crate::Table::with_clock)).
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use dynamo_entity::Clock;
///
/// let then = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
/// assert_eq!(Clock::fixed(then).now(), then);
/// ```
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> SystemTime + Send + Sync>);

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Clock(Arc::new(SystemTime::now))
    }

    /// Always `at`.
    pub fn fixed(at: SystemTime) -> Self {
        Clock(Arc::new(move || at))
    }

    /// Whatever `now` says, each time it is asked.
    pub fn new(now: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        Clock(Arc::new(now))
    }

    /// The time now.
    pub fn now(&self) -> SystemTime {
        (self.0)()
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clock")
    }
}

use crate::codec::key_value::push_timestamp;

/// Seconds since the Unix epoch (negative before it).
pub(crate) fn epoch_seconds(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// Year, month and day of a day count since 1970-01-01 (proleptic Gregorian calendar), after
/// Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `time` as the fixed-width RFC 3339 text that timestamp fields store.
pub(crate) fn timestamp_text(time: SystemTime) -> String {
    let nanos = time
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let secs = epoch_seconds(time);
    let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
    let of_day = secs.rem_euclid(86_400) as u32;
    let mut out = String::with_capacity(30);
    // Years outside 0..=9999 do not occur on a working clock; an empty string would then fail
    // to decode rather than store a wrong time.
    let year = i32::try_from(year).unwrap_or(-1);
    match push_timestamp(
        &mut out,
        year,
        month,
        day,
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60,
        nanos,
    ) {
        Ok(()) => out,
        Err(_) => String::new(),
    }
}

/// A pause before retry `attempt` (1, 2, ...): exponential, capped at 1 s, with full jitter
/// (uniform between zero and the cap), so that competing retries spread out.
pub(crate) fn jittered_backoff(attempt: u32) -> std::time::Duration {
    let cap_ms = (25u64 << attempt.min(6)).min(1_000);
    // A random source of its own for each thread (fastrand's), so that retries started at the
    // same instant, or on a coarse clock, still draw different pauses.
    std::time::Duration::from_millis(fastrand::u64(0..=cap_ms))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn backoff_is_spread_over_its_whole_range() {
        // 4,000 draws for attempt 6 (0 to 1,000 ms): every tenth of the range is hit about
        // 400 times; far fewer or more would mean the draws are not uniform.
        let mut tenths = [0u32; 10];
        for _ in 0..4_000 {
            let ms = jittered_backoff(6).as_millis() as usize;
            tenths[(ms / 100).min(9)] += 1;
        }
        for (tenth, hits) in tenths.iter().enumerate() {
            assert!((250..=550).contains(hits), "tenth {tenth}: {hits} of 4000");
        }
        // Threads started together draw different pauses.
        let barrier = std::sync::Barrier::new(8);
        let draws: Vec<u128> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    scope.spawn(|| {
                        barrier.wait();
                        jittered_backoff(6).as_millis()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let mut distinct = draws.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert!(distinct.len() >= 6, "{draws:?}");
    }

    #[test]
    fn backoff_stays_under_its_cap() {
        for attempt in 1..10 {
            let cap = (25u64 << attempt.min(6)).min(1_000);
            assert!(jittered_backoff(attempt) <= Duration::from_millis(cap));
        }
    }

    #[test]
    fn formats_known_instants() {
        let at = |secs: u64, nanos: u32| UNIX_EPOCH + Duration::new(secs, nanos);
        assert_eq!(timestamp_text(at(0, 0)), "1970-01-01T00:00:00.000000000Z");
        assert_eq!(
            timestamp_text(at(951_782_400, 5)),
            "2000-02-29T00:00:00.000000005Z"
        );
        assert_eq!(
            timestamp_text(at(1_705_314_600, 0)),
            "2024-01-15T10:30:00.000000000Z"
        );
        assert_eq!(
            timestamp_text(at(4_102_444_799, 0)),
            "2099-12-31T23:59:59.000000000Z"
        );
        assert_eq!(epoch_seconds(at(1_705_314_600, 999)), 1_705_314_600);
    }

    #[cfg(feature = "chrono")]
    #[test]
    fn agrees_with_chrono_on_every_day_for_three_centuries() {
        for day in (-25_567i64..83_000).step_by(7) {
            let secs = day * 86_400 + 45_296;
            let time = if secs >= 0 {
                UNIX_EPOCH + Duration::from_secs(secs as u64)
            } else {
                UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
            };
            let chrono = chrono::DateTime::from_timestamp(secs, 0).unwrap();
            assert_eq!(
                timestamp_text(time),
                crate::codec::key_value::KeyValue::to_key_string(&chrono).unwrap()
            );
        }
    }
}
