//! `video-bench`: transcode speed and tus upload throughput (see
//! `docs/bench.md`).
//!
//! ```text
//! cargo run --release -p bench --bin video-bench
//! ```

use clap::Parser;

/// Measures video transcoding and resumable uploads.
#[derive(Debug, Parser)]
#[command(about)]
struct Cli {
    #[command(flatten)]
    options: bench::video::Options,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,sqlx=warn")),
        )
        .init();
    bench::video::run(Cli::parse().options).await
}
