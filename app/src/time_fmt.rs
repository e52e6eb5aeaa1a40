//! Time display shared by server rendering and the browser: relative times
//! ("5 min ago") and exact UTC timestamps for hover titles. Times are
//! milliseconds since the Unix epoch, UTC.

/// Milliseconds since the Unix epoch, now (browser clock in wasm).
pub fn now_ms() -> i64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_now()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let d = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
    }
}

#[cfg(target_arch = "wasm32")]
fn js_now() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now() as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0
    }
}

/// "just now", "5 min ago", "3 h ago", "2 d ago", then the date ("12 Mar 2026").
/// Times in the future (clock skew) read as "just now".
pub fn relative_time(now_ms: i64, then_ms: i64) -> String {
    let secs = (now_ms - then_ms).max(0) / 1000;
    match secs {
        0..=59 => "just now".to_owned(),
        60..=3599 => format!("{} min ago", secs / 60),
        3600..=86_399 => format!("{} h ago", secs / 3600),
        86_400..=604_799 => format!("{} d ago", secs / 86_400),
        _ => {
            let (y, m, d, _, _) = civil(then_ms);
            format!("{d} {} {y}", MONTHS[(m - 1) as usize])
        }
    }
}

/// Exact time in UTC, e.g. "2026-11-21 13:05 UTC".
pub fn exact_time(ms: i64) -> String {
    let (y, m, d, hh, mm) = civil(ms);
    format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02} UTC")
}

/// ISO 8601 for `<time datetime>`, e.g. "2026-11-21T13:05Z".
pub fn iso_time(ms: i64) -> String {
    let (y, m, d, hh, mm) = civil(ms);
    format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}Z")
}

/// A wait in words: "45 seconds", "1 minute", "5 minutes" (rounded up).
pub fn duration_words(secs: u64) -> String {
    if secs < 60 {
        let s = secs.max(1);
        format!("{s} second{}", if s == 1 { "" } else { "s" })
    } else {
        let m = secs.div_ceil(60);
        format!("{m} minute{}", if m == 1 { "" } else { "s" })
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// (year, month 1–12, day, hour, minute) in UTC. Days-to-civil conversion from
/// Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms".
fn civil(ms: i64) -> (i64, u32, u32, u32, u32) {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, (sod / 3600) as u32, ((sod % 3600) / 60) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_steps() {
        let now = 1_800_000_000_000;
        assert_eq!(relative_time(now, now - 5_000), "just now");
        assert_eq!(relative_time(now, now + 5_000), "just now");
        assert_eq!(relative_time(now, now - 5 * 60_000), "5 min ago");
        assert_eq!(relative_time(now, now - 3 * 3_600_000), "3 h ago");
        assert_eq!(relative_time(now, now - 2 * 86_400_000), "2 d ago");
    }

    #[test]
    fn exact_known_instants() {
        assert_eq!(exact_time(0), "1970-01-01 00:00 UTC");
        // 2000-02-29 12:34:56 UTC
        assert_eq!(exact_time(951_827_696_000), "2000-02-29 12:34 UTC");
        assert_eq!(iso_time(951_827_696_000), "2000-02-29T12:34Z");
        assert_eq!(
            relative_time(1_800_000_000_000, 951_827_696_000),
            "29 Feb 2000"
        );
    }

    #[test]
    fn waits_in_words() {
        assert_eq!(duration_words(300), "5 minutes");
        assert_eq!(duration_words(299), "5 minutes");
        assert_eq!(duration_words(61), "2 minutes");
        assert_eq!(duration_words(1), "1 second");
        assert_eq!(duration_words(0), "1 second");
        assert_eq!(duration_words(45), "45 seconds");
    }
}
