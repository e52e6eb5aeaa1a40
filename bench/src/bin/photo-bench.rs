//! `photo-bench`: photo pipeline throughput and the feed's latency while
//! uploads run (see `docs/bench.md`).
//!
//! ```text
//! cargo run --release -p bench --bin photo-bench
//! ```

use clap::Parser;

/// Measures the photo pipeline and the feed under concurrent uploads.
#[derive(Debug, Parser)]
#[command(about)]
struct Cli {
    #[command(flatten)]
    options: bench::photos::Options,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,sqlx=warn")),
        )
        .init();
    bench::photos::run(Cli::parse().options).await
}
