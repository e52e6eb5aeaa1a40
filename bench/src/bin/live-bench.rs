//! `live-bench`: load benchmark of Hearth's live chat (see `docs/bench.md`).
//!
//! ```text
//! cargo run --release -p bench --bin live-bench -- --clients 1000
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
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::ServeChild { db, addr }) => bench::live::child::serve(db, addr).await,
        None => bench::live::run(cli.options).await,
    }
}
