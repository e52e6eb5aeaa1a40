//! `live-bench`: load benchmark of Hearth's live chat (see `docs/bench.md`).
//!
//! ```text
//! cargo run --release -p bench --bin live-bench -- --clients 1000
//! cargo run --release -p bench --bin live-bench -- --clients 1000 \
//!     --postgres postgres://postgres@127.0.0.1:5432/test --instances 2
//! ```

use clap::{Parser, Subcommand};
use std::net::SocketAddr;

/// Measures Hearth's live chat: WebSocket clients exchanging messages with
/// a server child process on loopback.
#[derive(Debug, Parser)]
#[command(about, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    options: bench::live::Options,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Internal: the server under test (started by the benchmark itself).
    #[command(hide = true)]
    ServeChild {
        /// Database URL (already migrated and filled).
        #[arg(long)]
        db: String,
        /// Address to bind; port 0 picks a free one.
        #[arg(long)]
        addr: SocketAddr,
        /// Redis shared with the other instances (`HEARTH_REDIS_URL`);
        /// unset: this instance works alone.
        #[arg(long, requires = "redis_namespace")]
        redis_url: Option<String>,
        /// Prefix of the run's Redis keys (`HEARTH_REDIS_NAMESPACE`).
        #[arg(long)]
        redis_namespace: Option<String>,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::ServeChild {
            db,
            addr,
            redis_url,
            redis_namespace,
        }) => {
            let redis = redis_url.map(|url| bench::live::child::ChildRedis {
                url,
                namespace: redis_namespace.unwrap_or_default(),
            });
            bench::live::child::serve(db, addr, redis).await
        }
        None => bench::live::run(cli.options).await,
    }
}
