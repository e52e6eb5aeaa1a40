//! Load benchmarks for Hearth. Not tests: they run a real server (a child
//! process) on loopback and print figures. See `docs/bench.md`.
//!
//! - [`live`]: the live chat benchmark behind the `live-bench` binary.
//! - [`photos`]: the photo pipeline and the feed under uploads
//!   (`photo-bench`).
//! - [`procfs`]: memory and CPU figures of a process, read from `/proc`.
//! - [`video`]: transcode speed and resumable upload throughput
//!   (`video-bench`).

pub mod live;
pub mod photos;
pub mod procfs;
pub mod video;
