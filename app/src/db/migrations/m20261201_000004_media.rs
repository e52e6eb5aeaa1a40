//! Photos: the `media` table (one row per processed upload, its variants
//! live in the media store under its key), `media_trash` (files to remove
//! after a commit, retried until gone), and the profile's avatar and cover
//! pointing at `media` rows instead of URLs.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Media {
    Table,
    Id,
    Key,
    OwnerId,
    Purpose,
    ContentType,
    SizeBytes,
    Width,
    Height,
    Blurhash,
    Alt,
    PostId,
    MessageId,
    Position,
    CreatedAtMs,
}

#[derive(DeriveIden)]
enum MediaTrash {
    Table,
    Id,
    Key,
    Attempts,
    NextAttemptAtMs,
}

#[derive(DeriveIden)]
enum Profiles {
    Table,
    AvatarUrl,
    CoverUrl,
    AvatarMediaId,
    CoverMediaId,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Posts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
}

fn big(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).big_integer().not_null().to_owned()
}

fn int(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).integer().not_null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Media::Table)
                    .col(
                        ColumnDef::new(Media::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(Media::Key)
                            .string_len(32)
                            .not_null()
                            .unique_key(),
                    )
                    .col(big(Media::OwnerId))
                    .col(ColumnDef::new(Media::Purpose).string_len(8).not_null())
                    .col(ColumnDef::new(Media::ContentType).string_len(40).not_null())
                    .col(big(Media::SizeBytes))
                    .col(int(Media::Width))
                    .col(int(Media::Height))
                    .col(ColumnDef::new(Media::Blurhash).string_len(64).not_null())
                    .col(ColumnDef::new(Media::Alt).text().not_null().default(""))
                    .col(ColumnDef::new(Media::PostId).big_integer().null())
                    .col(ColumnDef::new(Media::MessageId).big_integer().null())
                    .col(int(Media::Position).default(0))
                    .col(big(Media::CreatedAtMs))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Media::Table, Media::OwnerId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Media::Table, Media::PostId)
                            .to(Posts::Table, Posts::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Media::Table, Media::MessageId)
                            .to(Messages::Table, Messages::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_media_post", Media::PostId),
            ("idx_media_message", Media::MessageId),
            ("idx_media_owner", Media::OwnerId),
            ("idx_media_created", Media::CreatedAtMs),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Media::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(MediaTrash::Table)
                    .col(
                        ColumnDef::new(MediaTrash::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(MediaTrash::Key).string_len(32).not_null())
                    .col(int(MediaTrash::Attempts).default(0))
                    .col(big(MediaTrash::NextAttemptAtMs))
                    .to_owned(),
            )
            .await?;
        // The profile now points at its photos; the placeholder URLs were
        // never anything else. SQLite changes one column per ALTER TABLE.
        for col in [Profiles::AvatarUrl, Profiles::CoverUrl] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Profiles::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        for col in [Profiles::AvatarMediaId, Profiles::CoverMediaId] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Profiles::Table)
                        .add_column(ColumnDef::new(col).big_integer().null())
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in [Profiles::AvatarMediaId, Profiles::CoverMediaId] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Profiles::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        for col in [Profiles::AvatarUrl, Profiles::CoverUrl] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Profiles::Table)
                        .add_column(ColumnDef::new(col).string().not_null().default(""))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(MediaTrash::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Media::Table).to_owned())
            .await
    }
}
