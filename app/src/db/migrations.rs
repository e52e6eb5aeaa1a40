//! Schema migrations (sea-orm-migration), applied at start-up by
//! [`crate::db::connect_and_migrate`]. Never edit a released migration: add one.

mod m20261121_000001_accounts_posts_sessions;
mod m20261121_000002_social;
mod m20261121_000003_live;
mod m20261201_000004_media;
mod m20261201_000005_video;
mod m20261201_000006_account_security;
mod m20261201_000007_hardening;

use sea_orm_migration::prelude::*;

/// All migrations, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_accounts_posts_sessions::Migration),
            Box::new(m20261121_000002_social::Migration),
            Box::new(m20261121_000003_live::Migration),
            Box::new(m20261201_000004_media::Migration),
            Box::new(m20261201_000005_video::Migration),
            Box::new(m20261201_000006_account_security::Migration),
            Box::new(m20261201_000007_hardening::Migration),
        ]
    }
}
