//! Video processing, server-only: the settings ([`VideoSettings`]), probing
//! a source with `ffprobe` ([`probe`]), transcoding it to HLS with `ffmpeg`
//! ([`transcode`]) and a poster frame ([`poster_frame`]). Both tools come
//! from Debian's `ffmpeg` package (5.1 here); `scripts/setup.sh` installs
//! it. ffmpeg runs at low priority (`nice -n 10`) so pages stay fast while
//! a video transcodes.

use crate::models::video::{
    DEFAULT_MAX_VIDEO_BYTES, DEFAULT_MAX_VIDEO_SECONDS, MAX_SOURCE_SIZE, Rendition,
    SEGMENT_SECONDS, renditions_for,
};
use anyhow::Context as _;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::Command;

/// Video settings from the server's configuration.
#[derive(Debug, Clone)]
pub struct VideoSettings {
    /// Folder for uploads in progress (tus appends to a local file there);
    /// created on first use.
    pub upload_dir: PathBuf,
    /// Largest upload, bytes (`HEARTH_VIDEO_MAX_BYTES`, 1 GiB).
    pub max_bytes: u64,
    /// Longest video, seconds (`HEARTH_VIDEO_MAX_SECONDS`, 600).
    pub max_seconds: u32,
    /// Transcodes at once in this process (`HEARTH_TRANSCODE_CONCURRENCY`, 1).
    pub transcode_concurrency: usize,
    /// How long a claimed job stays claimed without a heartbeat before
    /// another worker may take it over (after a crash).
    pub job_lease: Duration,
}

impl VideoSettings {
    /// Defaults with uploads in `upload_dir`.
    pub fn new(upload_dir: impl Into<PathBuf>) -> Self {
        Self {
            upload_dir: upload_dir.into(),
            max_bytes: DEFAULT_MAX_VIDEO_BYTES,
            max_seconds: DEFAULT_MAX_VIDEO_SECONDS,
            transcode_concurrency: 1,
            job_lease: Duration::from_secs(60),
        }
    }

    /// The file holding upload `key`'s bytes.
    pub fn upload_path(&self, key: &str) -> PathBuf {
        self.upload_dir.join(key)
    }

    /// The scratch folder for attempt `attempt` at transcoding `key`. Each
    /// attempt has its own: an ffmpeg orphaned by a killed server may still
    /// be writing the previous one.
    pub fn work_dir(&self, key: &str, attempt: i32) -> PathBuf {
        self.upload_dir.join(format!("{key}.work{attempt}"))
    }
}

/// What a source is, as far as transcoding cares.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    /// Display width (after rotation metadata), pixels.
    pub width: u32,
    /// Display height (after rotation metadata), pixels.
    pub height: u32,
    /// Length, milliseconds.
    pub duration_ms: u64,
    /// Whether it has an audio stream.
    pub has_audio: bool,
}

/// Why a source can't be posted; the message is for its author.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VideoRefusal {
    /// Not a video ffprobe can read (or a still image).
    #[error("This file isn't a video we can read. Try an MP4, MOV or WebM video.")]
    NotAVideo,
    /// Longer than the limit.
    #[error("Videos can be at most {0} long.")]
    TooLong(String),
    /// Larger than 4K.
    #[error("Videos can be at most 4K (3840 × 2160).")]
    TooBig,
}

#[derive(Deserialize)]
struct ProbeJson {
    #[serde(default)]
    streams: Vec<StreamJson>,
    format: Option<FormatJson>,
}

#[derive(Deserialize)]
struct StreamJson {
    codec_type: Option<String>,
    codec_name: Option<String>,
    width: Option<u32>,
    height: Option<u32>,
    #[serde(default)]
    side_data_list: Vec<serde_json::Value>,
    #[serde(default)]
    tags: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    disposition: serde_json::Map<String, serde_json::Value>,
}

#[derive(Deserialize)]
struct FormatJson {
    format_name: Option<String>,
    duration: Option<String>,
}

/// Formats ffprobe reports for still pictures, which are not videos.
const IMAGE_FORMATS: [&str; 4] = ["image2", "png_pipe", "jpeg_pipe", "webp_pipe"];

/// Reads ffprobe's JSON (`-show_format -show_streams`) into a [`Probe`],
/// applying rotation metadata (a phone's portrait video is stored
/// landscape with a 90° display matrix).
///
/// # Errors
/// [`VideoRefusal::NotAVideo`] when there is no video stream, only a
/// still image, or no duration.
pub fn parse_probe(json: &str) -> Result<Probe, VideoRefusal> {
    let parsed: ProbeJson = serde_json::from_str(json).map_err(|_| VideoRefusal::NotAVideo)?;
    let format = parsed.format.ok_or(VideoRefusal::NotAVideo)?;
    let format_name = format.format_name.unwrap_or_default();
    if IMAGE_FORMATS.iter().any(|f| format_name.contains(f)) {
        return Err(VideoRefusal::NotAVideo);
    }
    let video = parsed
        .streams
        .iter()
        .find(|s| {
            // Cover art in an audio file is a "video" stream marked attached_pic.
            let cover_art = s
                .disposition
                .get("attached_pic")
                .and_then(serde_json::Value::as_i64)
                == Some(1);
            s.codec_type.as_deref() == Some("video") && !cover_art
        })
        .ok_or(VideoRefusal::NotAVideo)?;
    if matches!(video.codec_name.as_deref(), Some("mjpeg" | "png" | "gif")) {
        return Err(VideoRefusal::NotAVideo);
    }
    let (w, h) = (
        video.width.ok_or(VideoRefusal::NotAVideo)?,
        video.height.ok_or(VideoRefusal::NotAVideo)?,
    );
    let seconds: f64 = format
        .duration
        .as_deref()
        .and_then(|d| d.parse().ok())
        .filter(|d: &f64| d.is_finite() && *d > 0.0)
        .ok_or(VideoRefusal::NotAVideo)?;
    let rotation = video
        .side_data_list
        .iter()
        .find_map(|d| d.get("rotation").and_then(serde_json::Value::as_f64))
        .or_else(|| {
            video
                .tags
                .get("rotate")
                .and_then(|v| v.as_str())
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0.0);
    let quarter_turn = (rotation.round() as i64).rem_euclid(180) == 90;
    let (width, height) = if quarter_turn { (h, w) } else { (w, h) };
    Ok(Probe {
        width,
        height,
        duration_ms: (seconds * 1000.0).round() as u64,
        has_audio: parsed
            .streams
            .iter()
            .any(|s| s.codec_type.as_deref() == Some("audio")),
    })
}

/// Checks a probed source against the limits: at most `max_seconds` long
/// and at most 4K ([`MAX_SOURCE_SIZE`], either orientation).
///
/// # Errors
/// [`VideoRefusal::TooLong`] or [`VideoRefusal::TooBig`].
pub fn check_limits(p: &Probe, max_seconds: u32) -> Result<(), VideoRefusal> {
    if p.duration_ms > u64::from(max_seconds) * 1000 + 500 {
        let label = if max_seconds.is_multiple_of(60) {
            let m = max_seconds / 60;
            format!("{m} minute{}", if m == 1 { "" } else { "s" })
        } else {
            format!("{max_seconds} seconds")
        };
        return Err(VideoRefusal::TooLong(label));
    }
    let (long, short) = (p.width.max(p.height), p.width.min(p.height));
    if long > MAX_SOURCE_SIZE.0 || short > MAX_SOURCE_SIZE.1 {
        return Err(VideoRefusal::TooBig);
    }
    Ok(())
}

/// Runs ffprobe on `path`.
///
/// # Errors
/// `Ok(Err(refusal))` for what isn't an acceptable video; `Err` when
/// ffprobe can't be run at all.
pub async fn probe(path: &Path) -> anyhow::Result<Result<Probe, VideoRefusal>> {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
        ])
        .arg(path)
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output()
        .await
        .context("running ffprobe (is Debian's ffmpeg package installed?)")?;
    if !out.status.success() {
        return Ok(Err(VideoRefusal::NotAVideo));
    }
    Ok(parse_probe(&String::from_utf8_lossy(&out.stdout)))
}

/// One rendition as made for a source: its rung and display size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Planned {
    /// The rung (short side, bit rates).
    pub rung: Rendition,
    /// Display width, pixels (even).
    pub width: u32,
    /// Display height, pixels (even).
    pub height: u32,
}

/// The renditions for a source of display size `width` × `height`: the
/// rungs not above its short side, each keeping the aspect ratio (a
/// vertical video stays vertical), sizes rounded to even numbers (H.264
/// 4:2:0 needs them).
pub fn plan(width: u32, height: u32) -> Vec<Planned> {
    let short = width.min(height).max(2);
    let even = |x: f64| ((x / 2.0).round() as u32 * 2).max(2);
    renditions_for(short)
        .into_iter()
        .map(|rung| {
            let scale = f64::from(rung.height) / f64::from(short);
            let (w, h) = if width >= height {
                (even(f64::from(width) * scale), rung.height)
            } else {
                (rung.height, even(f64::from(height) * scale))
            };
            Planned {
                rung,
                width: w,
                height: h,
            }
        })
        .collect()
}

/// ffmpeg's arguments to transcode `src` into HLS under `out` (`out/master.m3u8`,
/// `out/{short side}/index.m3u8` and `seg_NNN.ts`): H.264 (veryfast, main
/// profile, yuv420p) and AAC stereo per rendition, a key frame every 2 s
/// so segments are cut at exactly [`SEGMENT_SECONDS`], a VOD playlist, and
/// progress as `key=value` lines on stdout.
pub fn hls_args(src: &Path, out: &Path, renditions: &[Planned], has_audio: bool) -> Vec<String> {
    let n = renditions.len();
    let mut filter = if n == 1 {
        "[0:v]".to_owned()
    } else {
        let outs: String = (0..n).map(|i| format!("[s{i}]")).collect();
        format!("[0:v]split={n}{outs};")
    };
    for (i, r) in renditions.iter().enumerate() {
        let input = if n == 1 {
            String::new()
        } else {
            format!("[s{i}]")
        };
        if i > 0 {
            filter.push(';');
        }
        filter.push_str(&format!(
            "{input}scale={}:{}:flags=bicubic,setsar=1[v{i}]",
            r.width, r.height
        ));
    }
    let mut args: Vec<String> = ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    args.push(src.display().to_string());
    args.extend(["-filter_complex".to_owned(), filter]);
    for i in 0..n {
        args.extend(["-map".to_owned(), format!("[v{i}]")]);
        if has_audio {
            args.extend(["-map".to_owned(), "0:a:0".to_owned()]);
        }
    }
    args.extend(
        [
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-profile:v",
            "main",
            "-pix_fmt",
            "yuv420p",
            "-sc_threshold",
            "0",
            "-force_key_frames",
            "expr:gte(t,n_forced*2)",
        ]
        .iter()
        .map(|s| (*s).to_owned()),
    );
    for (i, r) in renditions.iter().enumerate() {
        let k = r.rung.video_kbps;
        args.extend([
            format!("-b:v:{i}"),
            format!("{k}k"),
            format!("-maxrate:v:{i}"),
            format!("{}k", k * 107 / 100),
            format!("-bufsize:v:{i}"),
            format!("{}k", k * 3 / 2),
        ]);
        if has_audio {
            args.extend([format!("-b:a:{i}"), format!("{}k", r.rung.audio_kbps)]);
        }
    }
    if has_audio {
        args.extend(["-c:a", "aac", "-ac", "2"].iter().map(|s| (*s).to_owned()));
    }
    let map: Vec<String> = renditions
        .iter()
        .enumerate()
        .map(|(i, r)| {
            if has_audio {
                format!("v:{i},a:{i},name:{}", r.rung.height)
            } else {
                format!("v:{i},name:{}", r.rung.height)
            }
        })
        .collect();
    args.extend([
        "-f".to_owned(),
        "hls".to_owned(),
        "-hls_time".to_owned(),
        SEGMENT_SECONDS.to_string(),
        "-hls_playlist_type".to_owned(),
        "vod".to_owned(),
        "-hls_flags".to_owned(),
        "independent_segments".to_owned(),
        "-hls_segment_filename".to_owned(),
        out.join("%v/seg_%03d.ts").display().to_string(),
        "-master_pl_name".to_owned(),
        "master.m3u8".to_owned(),
        "-var_stream_map".to_owned(),
        map.join(" "),
        "-progress".to_owned(),
        "pipe:1".to_owned(),
        "-nostats".to_owned(),
        out.join("%v/index.m3u8").display().to_string(),
    ]);
    args
}

/// Reads one line of ffmpeg's `-progress` output: the microseconds of
/// output written so far (`out_time_us=`, or the misnamed `out_time_ms=`,
/// which is also microseconds), or `None` for other lines.
pub fn progress_us(line: &str) -> Option<u64> {
    let (key, value) = line.trim().split_once('=')?;
    match key {
        "out_time_us" | "out_time_ms" => value.parse().ok(),
        _ => None,
    }
}

/// Percent done, 0–99, from microseconds written and the duration (100 is
/// kept for "finished").
pub fn percent(written_us: u64, duration_ms: u64) -> u8 {
    if duration_ms == 0 {
        return 0;
    }
    let p = written_us.saturating_mul(100) / duration_ms.saturating_mul(1000);
    u8::try_from(p.min(99)).unwrap_or(99)
}

/// Transcodes `src` to HLS under `out` (see [`hls_args`]) at low priority,
/// calling `on_percent` as the percentage grows. The caller clears `out`
/// first.
///
/// # Errors
/// When ffmpeg can't start or exits with an error (its message included).
pub async fn transcode(
    src: &Path,
    out: &Path,
    probe: &Probe,
    renditions: &[Planned],
    mut on_percent: impl FnMut(u8),
) -> anyhow::Result<()> {
    for r in renditions {
        tokio::fs::create_dir_all(out.join(r.rung.height.to_string())).await?;
    }
    let mut child = Command::new("nice")
        .args(["-n", "10", "ffmpeg"])
        .args(hls_args(src, out, renditions, probe.has_audio))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .context("starting ffmpeg (is Debian's ffmpeg package installed?)")?;
    let stdout = child.stdout.take().context("ffmpeg stdout")?;
    let mut stderr = child.stderr.take().context("ffmpeg stderr")?;
    let errors = tokio::spawn(async move {
        let mut s = String::new();
        let _ = tokio::io::AsyncReadExt::read_to_string(&mut stderr, &mut s).await;
        s
    });
    let mut lines = BufReader::new(stdout).lines();
    let mut last = 0;
    while let Some(line) = lines.next_line().await? {
        if let Some(us) = progress_us(&line) {
            let p = percent(us, probe.duration_ms);
            if p > last {
                last = p;
                on_percent(p);
            }
        }
    }
    let status = child.wait().await?;
    let errors = errors.await.unwrap_or_default();
    anyhow::ensure!(
        status.success(),
        "ffmpeg failed ({status}): {}",
        errors.trim()
    );
    Ok(())
}

/// A poster frame from `src` as JPEG bytes: the frame at 1 s (or the
/// middle of a shorter video), at most 1,280 px on its longest side.
///
/// # Errors
/// When ffmpeg fails.
pub async fn poster_frame(src: &Path, probe: &Probe) -> anyhow::Result<Vec<u8>> {
    let at_ms = 1000.min(probe.duration_ms / 2);
    let out = Command::new("nice")
        .args([
            "-n",
            "10",
            "ffmpeg",
            "-nostdin",
            "-hide_banner",
            "-loglevel",
            "error",
        ])
        .args(["-ss", &format!("{:.3}", at_ms as f64 / 1000.0), "-i"])
        .arg(src)
        .args([
            "-frames:v",
            "1",
            "-vf",
            "scale='if(gte(iw,ih),min(1280,iw),-2)':'if(gte(iw,ih),-2,min(1280,ih))'",
            "-q:v",
            "3",
            "-f",
            "image2pipe",
            "-c:v",
            "mjpeg",
            "pipe:1",
        ])
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output()
        .await
        .context("running ffmpeg for the poster")?;
    anyhow::ensure!(
        out.status.success() && !out.stdout.is_empty(),
        "ffmpeg poster failed: {}",
        String::from_utf8_lossy(&out.stderr).trim()
    );
    Ok(out.stdout)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LANDSCAPE: &str = r#"{"streams":[
        {"codec_type":"video","codec_name":"h264","width":1920,"height":1080},
        {"codec_type":"audio","codec_name":"aac"}],
        "format":{"format_name":"mov,mp4,m4a,3gp,3g2,mj2","duration":"25.000000"}}"#;

    #[test]
    fn probes_size_duration_and_audio() {
        let p = parse_probe(LANDSCAPE).expect("video");
        assert_eq!(
            (p.width, p.height, p.duration_ms, p.has_audio),
            (1920, 1080, 25_000, true)
        );
    }

    #[test]
    fn rotation_turns_a_phone_video_upright() {
        let json = r#"{"streams":[{"codec_type":"video","codec_name":"h264","width":1920,"height":1080,
            "side_data_list":[{"side_data_type":"Display Matrix","rotation":-90}]}],
            "format":{"format_name":"mov","duration":"3.5"}}"#;
        let p = parse_probe(json).expect("video");
        assert_eq!((p.width, p.height, p.has_audio), (1080, 1920, false));
    }

    #[test]
    fn stills_and_garbage_are_not_videos() {
        let jpeg = r#"{"streams":[{"codec_type":"video","codec_name":"mjpeg","width":10,"height":10}],
            "format":{"format_name":"image2","duration":"0.04"}}"#;
        assert_eq!(parse_probe(jpeg), Err(VideoRefusal::NotAVideo));
        let audio =
            r#"{"streams":[{"codec_type":"audio"}],"format":{"format_name":"mp3","duration":"9"}}"#;
        assert_eq!(parse_probe(audio), Err(VideoRefusal::NotAVideo));
        assert_eq!(parse_probe("not json"), Err(VideoRefusal::NotAVideo));
    }

    #[test]
    fn limits_name_the_rule() {
        let mut p = parse_probe(LANDSCAPE).expect("video");
        assert_eq!(check_limits(&p, 600), Ok(()));
        p.duration_ms = 601_000;
        assert_eq!(
            check_limits(&p, 600).unwrap_err().to_string(),
            "Videos can be at most 10 minutes long."
        );
        p.duration_ms = 1000;
        p.width = 4096;
        assert_eq!(check_limits(&p, 600), Err(VideoRefusal::TooBig));
        (p.width, p.height) = (2160, 3840);
        assert_eq!(check_limits(&p, 600), Ok(()), "vertical 4K is fine");
    }

    #[test]
    fn plans_keep_the_aspect_and_never_upscale() {
        let sizes = |w, h| {
            plan(w, h)
                .iter()
                .map(|p| (p.width, p.height))
                .collect::<Vec<_>>()
        };
        assert_eq!(sizes(1280, 720), vec![(640, 360), (1280, 720)]);
        assert_eq!(sizes(720, 1280), vec![(360, 640), (720, 1280)]);
        assert_eq!(sizes(426, 240), vec![(426, 240)]);
        assert_eq!(sizes(1920, 1080), vec![(640, 360), (1280, 720)]);
    }

    #[test]
    fn hls_args_map_each_rendition() {
        let r = plan(1280, 720);
        let args = hls_args(Path::new("/in.mp4"), Path::new("/out"), &r, true).join(" ");
        assert!(args.contains("split=2[s0][s1];[s0]scale=640:360"), "{args}");
        assert!(
            args.contains("-var_stream_map v:0,a:0,name:360 v:1,a:1,name:720"),
            "{args}"
        );
        assert!(args.contains("-b:v:1 2500k"), "{args}");
        assert!(args.contains("-hls_time 10"), "{args}");
        let silent = hls_args(Path::new("/in.mp4"), Path::new("/out"), &r[..1], false).join(" ");
        assert!(silent.contains("[0:v]scale=640:360"), "{silent}");
        assert!(!silent.contains("0:a"), "{silent}");
    }

    #[test]
    fn progress_lines_become_percent() {
        assert_eq!(progress_us("out_time_us=12500000"), Some(12_500_000));
        assert_eq!(progress_us("out_time_ms=12500000"), Some(12_500_000));
        assert_eq!(progress_us("frame=10"), None);
        assert_eq!(percent(12_500_000, 25_000), 50);
        assert_eq!(percent(30_000_000, 25_000), 99);
        assert_eq!(percent(1, 0), 0);
    }
}
