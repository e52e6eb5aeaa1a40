//! The arithmetic and wording of a resumable video upload, free of the
//! browser so it can be tested: which bytes go in the next `PATCH`, how
//! long to wait before a retry, throughput and time left, what to say
//! about a refusal, whether a chosen file is the one an unfinished upload
//! was made from, and the `Upload-Metadata` header.

use crate::models::UPLOAD_CHUNK_BYTES;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Retries of a failing request before the upload stops and offers
/// "Retry" (waits of 1, 2, 4, 8 and 16 s).
pub const MAX_RETRIES: u32 = 5;

/// Throughput is averaged over this much recent time, milliseconds.
const WINDOW_MS: f64 = 20_000.0;

/// Throughput needs this much history before a time left is shown, ms.
const MIN_SPAN_MS: f64 = 1_500.0;

/// End (exclusive) of the chunk that starts at `offset` of a file of
/// `size` bytes: [`UPLOAD_CHUNK_BYTES`] on, or the end of the file.
pub fn chunk_end(offset: u64, size: u64) -> u64 {
    offset.saturating_add(UPLOAD_CHUNK_BYTES).min(size)
}

/// Milliseconds to wait before retry number `attempt` (0 for the first):
/// 1, 2, 4, 8, 16 s; `None` once [`MAX_RETRIES`] are used up.
pub fn backoff_delay_ms(attempt: u32) -> Option<u32> {
    (attempt < MAX_RETRIES).then(|| 1000 << attempt)
}

/// Whole percent of `total` that `sent` is, rounded down (100 only when
/// everything is sent; 0 for an empty total).
pub fn percent(sent: u64, total: u64) -> u8 {
    if total == 0 {
        return 0;
    }
    let p = u128::from(sent.min(total)) * 100 / u128::from(total);
    u8::try_from(p).unwrap_or(100)
}

/// A moving average of upload speed over the last 20 s of progress.
#[derive(Debug, Clone, Default)]
pub struct Throughput {
    /// (time in ms, bytes sent by then), oldest first.
    samples: VecDeque<(f64, u64)>,
}

impl Throughput {
    /// Forgets the history (after a pause or a re-sync).
    pub fn reset(&mut self) {
        self.samples.clear();
    }

    /// Notes that `sent` bytes are on the server side at `now_ms`. A
    /// count lower than the last one (the server had less) starts over.
    pub fn record(&mut self, now_ms: f64, sent: u64) {
        if self.samples.back().is_some_and(|(_, b)| *b > sent) {
            self.samples.clear();
        }
        self.samples.push_back((now_ms, sent));
        // Keep one sample at or before the window's start, so the span
        // covers the whole window.
        while self.samples.len() > 2
            && self
                .samples
                .get(1)
                .is_some_and(|(t, _)| now_ms - t >= WINDOW_MS)
        {
            self.samples.pop_front();
        }
    }

    /// Bytes per second over the window, once there is enough history.
    pub fn bytes_per_sec(&self) -> Option<f64> {
        let (t0, b0) = *self.samples.front()?;
        let (t1, b1) = *self.samples.back()?;
        let span = t1 - t0;
        (span >= MIN_SPAN_MS && b1 > b0).then(|| (b1 - b0) as f64 * 1000.0 / span)
    }

    /// Seconds until `total` bytes are sent at the current speed.
    pub fn secs_left(&self, sent: u64, total: u64) -> Option<f64> {
        let rate = self.bytes_per_sec()?;
        Some(total.saturating_sub(sent) as f64 / rate)
    }
}

/// "less than a minute left", "about 3 min left", "about 1 h 20 min left".
pub fn time_left_label(secs: f64) -> String {
    let secs = secs.max(0.0);
    if secs < 60.0 {
        return "less than a minute left".to_owned();
    }
    let minutes = (secs / 60.0).round() as u64;
    if minutes < 60 {
        return format!("about {minutes} min left");
    }
    match (minutes / 60, minutes % 60) {
        (h, 0) => format!("about {h} h left"),
        (h, m) => format!("about {h} h {m} min left"),
    }
}

/// The line under the progress bar: "42 % · about 3 min left", or
/// "42 %" until the speed is known.
pub fn progress_label(percent: u8, secs_left: Option<f64>) -> String {
    match secs_left {
        Some(s) if percent < 100 => format!("{percent} % · {}", time_left_label(s)),
        _ => format!("{percent} %"),
    }
}

/// A file size for people: "850 KB", "12.3 MB", "1.2 GB".
pub fn size_label(bytes: u64) -> String {
    const KIB: f64 = 1024.0;
    let b = bytes as f64;
    if b < KIB * KIB {
        format!("{} KB", (b / KIB).ceil() as u64)
    } else if b < KIB * KIB * KIB {
        format!("{:.1} MB", b / (KIB * KIB))
    } else {
        format!("{:.1} GB", b / (KIB * KIB * KIB))
    }
}

/// What the browser keeps (in `localStorage`) about an unfinished upload,
/// so it can continue after a reload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedUpload {
    /// Where the upload lives (`Location` of its creation).
    pub upload_url: String,
    /// The file's name.
    pub file_name: String,
    /// The file's size, bytes.
    pub size: u64,
    /// The file's `lastModified`, ms since epoch (kept for diagnosis; a
    /// copy of the same file may differ in it).
    pub last_modified: f64,
}

impl SavedUpload {
    /// Whether a file chosen now is the one this upload was made from:
    /// the same name and size.
    pub fn matches(&self, name: &str, size: u64) -> bool {
        self.file_name == name && self.size == size
    }
}

/// The upload's id (what `create_post(video = …)` takes): the last path
/// segment of its URL.
pub fn upload_id(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let id = path.trim_end_matches('/').rsplit('/').next()?;
    (!id.is_empty() && !id.contains(':')).then(|| id.to_owned())
}

/// Whether a request that failed with `status` (0: no answer) may succeed
/// if sent again: no answer, timeouts, rate limits and server errors.
pub fn is_retryable(status: u16) -> bool {
    matches!(status, 0 | 408 | 423 | 429 | 500 | 502 | 503 | 504)
}

/// The sentence to show for a refusal with `status` and `body`: the
/// server's own sentence when it sent one, else one per status.
pub fn error_message(status: u16, body: &str) -> String {
    let body = body.trim();
    let readable = !body.is_empty()
        && body.chars().count() <= 300
        && !body.starts_with(['<', '{', '['])
        && status != 0;
    if readable {
        return body.to_owned();
    }
    match status {
        0 => "Couldn't reach Hearth. Check your connection and try again.",
        401 => "Please log in to continue.",
        403 => "You can't do that.",
        404 | 410 => "This upload is no longer on the server. Choose the video again.",
        413 => "This video is too large.",
        415 => "This file isn't a video Hearth can take.",
        429 => "Too many uploads at once. Try again in a minute.",
        _ => "Something went wrong on our side. Please try again.",
    }
    .to_owned()
}

/// `Upload-Metadata` for a file: `filename <base64>,filetype <base64>`
/// (no `filetype` when the browser doesn't know it).
pub fn upload_metadata(name: &str, mime: &str) -> String {
    let mut out = format!("filename {}", base64(name.as_bytes()));
    if !mime.is_empty() {
        out.push_str(",filetype ");
        out.push_str(&base64(mime.as_bytes()));
    }
    out
}

/// Standard base64 with padding (RFC 4648 §4).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1024 * 1024;

    #[test]
    fn chunks_are_five_mib_and_stop_at_the_end() {
        assert_eq!(chunk_end(0, 12 * MIB), 5 * MIB);
        assert_eq!(chunk_end(5 * MIB, 12 * MIB), 10 * MIB);
        assert_eq!(chunk_end(10 * MIB, 12 * MIB), 12 * MIB);
        assert_eq!(chunk_end(3, 10), 10);
        assert_eq!(chunk_end(0, 0), 0);
        // Resuming from an odd server offset keeps 5 MiB steps from there.
        assert_eq!(chunk_end(7 * MIB + 3, 20 * MIB), 12 * MIB + 3);
    }

    #[test]
    fn backoff_doubles_then_gives_up() {
        let delays: Vec<_> = (0..7).map(backoff_delay_ms).collect();
        assert_eq!(
            delays,
            [
                Some(1000),
                Some(2000),
                Some(4000),
                Some(8000),
                Some(16000),
                None,
                None
            ]
        );
    }

    #[test]
    fn percent_rounds_down_and_reaches_100_only_at_the_end() {
        assert_eq!(percent(0, 0), 0);
        assert_eq!(percent(0, 10), 0);
        assert_eq!(percent(999, 1000), 99);
        assert_eq!(percent(1000, 1000), 100);
        assert_eq!(percent(2000, 1000), 100);
        assert_eq!(percent(u64::MAX / 2, u64::MAX), 49);
    }

    #[test]
    fn throughput_is_a_moving_average() {
        let mut t = Throughput::default();
        assert_eq!(t.bytes_per_sec(), None);
        t.record(0.0, 0);
        t.record(1000.0, MIB);
        // Too little history yet.
        assert_eq!(t.bytes_per_sec(), None);
        t.record(2000.0, 2 * MIB);
        assert_eq!(t.bytes_per_sec(), Some(MIB as f64));
        assert_eq!(t.secs_left(2 * MIB, 12 * MIB), Some(10.0));
        // 30 s later at a quarter of the speed: the old fast samples fall
        // out of the 20 s window.
        for s in 1..=30_u64 {
            t.record(2000.0 + s as f64 * 1000.0, 2 * MIB + s * MIB / 4);
        }
        let rate = t.bytes_per_sec().expect("rate");
        assert!((rate - MIB as f64 / 4.0).abs() < 1.0, "{rate}");
    }

    #[test]
    fn throughput_starts_over_when_the_server_had_less() {
        let mut t = Throughput::default();
        t.record(0.0, 0);
        t.record(5000.0, 10 * MIB);
        t.record(6000.0, 5 * MIB);
        assert_eq!(t.bytes_per_sec(), None);
        t.reset();
        assert_eq!(t.secs_left(0, 1), None);
    }

    #[test]
    fn time_left_reads_naturally() {
        assert_eq!(time_left_label(5.0), "less than a minute left");
        assert_eq!(time_left_label(-3.0), "less than a minute left");
        assert_eq!(time_left_label(60.0), "about 1 min left");
        assert_eq!(time_left_label(150.0), "about 3 min left");
        assert_eq!(time_left_label(3599.0), "about 1 h left");
        assert_eq!(
            time_left_label(3600.0 + 20.0 * 60.0),
            "about 1 h 20 min left"
        );
        assert_eq!(progress_label(42, Some(170.0)), "42 % · about 3 min left");
        assert_eq!(progress_label(42, None), "42 %");
        assert_eq!(progress_label(100, Some(0.0)), "100 %");
    }

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(size_label(1), "1 KB");
        assert_eq!(size_label(850 * 1024), "850 KB");
        assert_eq!(size_label(12 * MIB + 300 * 1024), "12.3 MB");
        assert_eq!(size_label(1200 * MIB), "1.2 GB");
    }

    #[test]
    fn resume_needs_the_same_name_and_size() {
        let saved = SavedUpload {
            upload_url: "/api/videos/uploads/ab12".into(),
            file_name: "holiday.mp4".into(),
            size: 1234,
            last_modified: 1.0,
        };
        assert!(saved.matches("holiday.mp4", 1234));
        assert!(!saved.matches("holiday.mp4", 1235));
        assert!(!saved.matches("Holiday.mp4", 1234));
        let json = serde_json::to_string(&saved).expect("json");
        assert_eq!(
            serde_json::from_str::<SavedUpload>(&json).expect("parse"),
            saved
        );
    }

    #[test]
    fn upload_ids_are_the_last_segment() {
        let id = |u| upload_id(u);
        assert_eq!(id("/api/videos/uploads/ab12").as_deref(), Some("ab12"));
        assert_eq!(
            id("http://127.0.0.1:3000/api/videos/uploads/ab12/?x=1").as_deref(),
            Some("ab12")
        );
        assert_eq!(
            id("https://h.example/api/videos/uploads/cd#f").as_deref(),
            Some("cd")
        );
        assert_eq!(id(""), None);
        assert_eq!(id("http:"), None);
    }

    #[test]
    fn refusals_say_the_servers_sentence() {
        assert_eq!(
            error_message(413, "Videos can be at most 1 GB.\n"),
            "Videos can be at most 1 GB."
        );
        assert_eq!(error_message(413, ""), "This video is too large.");
        assert_eq!(
            error_message(415, "<html>nope</html>"),
            "This file isn't a video Hearth can take."
        );
        assert!(error_message(0, "").starts_with("Couldn't reach Hearth"));
        assert!(error_message(502, "").starts_with("Something went wrong"));
        assert!(is_retryable(0) && is_retryable(503) && is_retryable(429));
        assert!(!is_retryable(409) && !is_retryable(413) && !is_retryable(404));
    }

    #[test]
    fn metadata_is_base64() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(
            upload_metadata("holiday.mp4", "video/mp4"),
            "filename aG9saWRheS5tcDQ=,filetype dmlkZW8vbXA0"
        );
        assert_eq!(upload_metadata("é", ""), "filename w6k=");
    }
}
