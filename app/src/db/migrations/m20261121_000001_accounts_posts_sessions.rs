//! Accounts, profiles, posts and sessions.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Username,
    UsernameKey,
    Email,
    FirstName,
    LastName,
    PasswordHash,
    FailedLogins,
    LockedUntilMs,
    CreatedAtMs,
}

#[derive(DeriveIden)]
enum Profiles {
    Table,
    UserId,
    DisplayName,
    Bio,
    AvatarUrl,
    CoverUrl,
    UpdatedAtMs,
}

#[derive(DeriveIden)]
enum Posts {
    Table,
    Id,
    AuthorId,
    Body,
    CreatedAtMs,
    EditedAtMs,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    Data,
    ExpiryMs,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(
                        ColumnDef::new(Users::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Users::Username).string_len(30).not_null())
                    .col(
                        ColumnDef::new(Users::UsernameKey)
                            .string_len(30)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(Users::Email)
                            .string_len(254)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Users::FirstName).string_len(60).not_null())
                    .col(ColumnDef::new(Users::LastName).string_len(60).not_null())
                    .col(ColumnDef::new(Users::PasswordHash).text().not_null())
                    .col(
                        ColumnDef::new(Users::FailedLogins)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(ColumnDef::new(Users::LockedUntilMs).big_integer().null())
                    .col(ColumnDef::new(Users::CreatedAtMs).big_integer().not_null())
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Profiles::Table)
                    .col(
                        ColumnDef::new(Profiles::UserId)
                            .big_integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(Profiles::DisplayName)
                            .string_len(60)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Profiles::Bio).text().not_null().default(""))
                    .col(ColumnDef::new(Profiles::AvatarUrl).text().not_null())
                    .col(ColumnDef::new(Profiles::CoverUrl).text().not_null())
                    .col(
                        ColumnDef::new(Profiles::UpdatedAtMs)
                            .big_integer()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Profiles::Table, Profiles::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Posts::Table)
                    .col(
                        ColumnDef::new(Posts::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Posts::AuthorId).big_integer().not_null())
                    .col(ColumnDef::new(Posts::Body).text().not_null())
                    .col(ColumnDef::new(Posts::CreatedAtMs).big_integer().not_null())
                    .col(ColumnDef::new(Posts::EditedAtMs).big_integer().null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(Posts::Table, Posts::AuthorId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The feed reads newest first by (created_at_ms, id); a profile reads
        // one author's posts in the same order.
        manager
            .create_index(
                Index::create()
                    .name("idx_posts_created")
                    .table(Posts::Table)
                    .col(Posts::CreatedAtMs)
                    .col(Posts::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_posts_author_created")
                    .table(Posts::Table)
                    .col(Posts::AuthorId)
                    .col(Posts::CreatedAtMs)
                    .col(Posts::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(
                        ColumnDef::new(Sessions::Id)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Sessions::Data).text().not_null())
                    .col(ColumnDef::new(Sessions::ExpiryMs).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sessions_expiry")
                    .table(Sessions::Table)
                    .col(Sessions::ExpiryMs)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Sessions::Table.into_iden(),
            Posts::Table.into_iden(),
            Profiles::Table.into_iden(),
            Users::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
