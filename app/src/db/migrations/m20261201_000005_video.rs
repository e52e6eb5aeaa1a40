//! Video: the `videos` table (one row per video from its first uploaded
//! byte to its HLS renditions in the media store), `jobs` (the durable
//! background job queue: transcodes now, mail later) and
//! `posts.published` (a post with a video reaches others only once the
//! video is ready).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Videos {
    Table,
    Id,
    Key,
    OwnerId,
    PostId,
    Status,
    UploadLength,
    UploadOffset,
    UploadExpiresAtMs,
    FileName,
    Progress,
    Failure,
    SizeBytes,
    Width,
    Height,
    DurationMs,
    Renditions,
    Blurhash,
    CreatedAtMs,
    UpdatedAtMs,
}

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Id,
    Kind,
    Payload,
    Status,
    Attempts,
    MaxAttempts,
    RunAtMs,
    LeaseUntilMs,
    LastError,
    CreatedAtMs,
    UpdatedAtMs,
}

#[derive(DeriveIden)]
enum Posts {
    Table,
    Id,
    Published,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

fn big(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).big_integer().not_null().to_owned()
}

fn int(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).integer().not_null().to_owned()
}

fn pk(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Videos::Table)
                    .col(pk(Videos::Id))
                    .col(
                        ColumnDef::new(Videos::Key)
                            .string_len(32)
                            .not_null()
                            .unique_key(),
                    )
                    .col(big(Videos::OwnerId))
                    .col(ColumnDef::new(Videos::PostId).big_integer().null())
                    .col(ColumnDef::new(Videos::Status).string_len(12).not_null())
                    .col(big(Videos::UploadLength))
                    .col(big(Videos::UploadOffset).default(0))
                    .col(big(Videos::UploadExpiresAtMs))
                    .col(
                        ColumnDef::new(Videos::FileName)
                            .text()
                            .not_null()
                            .default(""),
                    )
                    .col(int(Videos::Progress).default(0))
                    .col(ColumnDef::new(Videos::Failure).text().null())
                    .col(big(Videos::SizeBytes).default(0))
                    .col(int(Videos::Width).default(0))
                    .col(int(Videos::Height).default(0))
                    .col(big(Videos::DurationMs).default(0))
                    .col(
                        ColumnDef::new(Videos::Renditions)
                            .string_len(32)
                            .not_null()
                            .default(""),
                    )
                    .col(
                        ColumnDef::new(Videos::Blurhash)
                            .string_len(64)
                            .not_null()
                            .default(""),
                    )
                    .col(big(Videos::CreatedAtMs))
                    .col(big(Videos::UpdatedAtMs))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Videos::Table, Videos::OwnerId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Videos::Table, Videos::PostId)
                            .to(Posts::Table, Posts::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_videos_post", Videos::PostId),
            ("idx_videos_owner", Videos::OwnerId),
            ("idx_videos_expires", Videos::UploadExpiresAtMs),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Videos::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(Jobs::Table)
                    .col(pk(Jobs::Id))
                    .col(ColumnDef::new(Jobs::Kind).string_len(32).not_null())
                    .col(ColumnDef::new(Jobs::Payload).text().not_null())
                    .col(ColumnDef::new(Jobs::Status).string_len(10).not_null())
                    .col(int(Jobs::Attempts).default(0))
                    .col(int(Jobs::MaxAttempts))
                    .col(big(Jobs::RunAtMs))
                    .col(ColumnDef::new(Jobs::LeaseUntilMs).big_integer().null())
                    .col(ColumnDef::new(Jobs::LastError).text().null())
                    .col(big(Jobs::CreatedAtMs))
                    .col(big(Jobs::UpdatedAtMs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_jobs_due")
                    .table(Jobs::Table)
                    .col(Jobs::Kind)
                    .col(Jobs::Status)
                    .col(Jobs::RunAtMs)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Posts::Table)
                    .add_column(
                        ColumnDef::new(Posts::Published)
                            .boolean()
                            .not_null()
                            .default(true),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Posts::Table)
                    .drop_column(Posts::Published)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(Jobs::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Videos::Table).to_owned())
            .await
    }
}
