//! `server`: runs Hearth (default) or loads demo data (`seed-demo`).

// Leptos' typed views (not erased outside cargo-leptos debug builds) nest
// deeper than the default limit of 128.
#![recursion_limit = "256"]

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use server::Application;
use server::config::Config;
use tracing_subscriber::EnvFilter;

/// Hearth, a social network for friends and family.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    config: Config,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the site (the default).
    Serve,
    /// Add the demo people, posts, photos and conversations that are
    /// missing (idempotent), then exit.
    SeedDemo,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .init();
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let application = Application::build(&cli.config).await?;
            tracing::info!(addr = %application.local_addr()?, "Hearth is listening");
            application.run_until_stopped().await
        }
        Command::SeedDemo => {
            let db = app::db::connect_and_migrate(&cli.config.database_url).await?;
            let media = app::media::MediaStore::open(&cli.config.media_url)?;
            let report = app::services::demo::seed(&db, &media)
                .await
                .map_err(|e| anyhow::anyhow!("seeding demo data: {e}"))
                .context("seed-demo")?;
            let extra = report.lived_in;
            println!(
                "demo data: {} people, {} friendships, {} posts, {} profile photos, \
                 {} photo posts, {} reactions and comments, {} messages added \
                 (password for every demo account: {})",
                report.users_added,
                report.friendships_added,
                report.posts_added,
                extra.profile_photos,
                extra.photo_posts,
                extra.engagements,
                extra.messages,
                app::services::demo::DEMO_PASSWORD
            );
            Ok(())
        }
    }
}
