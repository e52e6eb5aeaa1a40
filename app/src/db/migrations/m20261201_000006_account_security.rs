//! Accounts for real (issue F): email confirmation and two-factor columns
//! on `users`; who owns a session and when it was last used on
//! `sessions`; `account_tokens` (email confirmation, email change and
//! password reset links, stored as SHA-256 hashes only);
//! `recovery_codes` (two-factor fallbacks, hashed); `retired_usernames`
//! (a deleted account's name stays taken for 30 days); `data_exports`
//! ("Download your data" archives); and the "Deleted account" user
//! ([`crate::services::accounts::GHOST_USER_ID`]) that keeps a deleted
//! person's messages in other people's conversations.

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
    CreatedAtMs,
    SendReadReceipts,
    ShowPresence,
    EmailConfirmedAtMs,
    TotpSecret,
    TotpEnabledAtMs,
    TotpLastStep,
}

#[derive(DeriveIden)]
enum Profiles {
    Table,
    UserId,
    DisplayName,
    Bio,
    UpdatedAtMs,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    UserId,
    LastActiveMs,
}

#[derive(DeriveIden)]
enum AccountTokens {
    Table,
    Id,
    UserId,
    Purpose,
    TokenHash,
    Email,
    CreatedAtMs,
    ExpiresAtMs,
    UsedAtMs,
}

#[derive(DeriveIden)]
enum RecoveryCodes {
    Table,
    Id,
    UserId,
    CodeHash,
    UsedAtMs,
}

#[derive(DeriveIden)]
enum RetiredUsernames {
    Table,
    UsernameKey,
    FreeAtMs,
}

#[derive(DeriveIden)]
enum DataExports {
    Table,
    Id,
    UserId,
    Key,
    Status,
    SizeBytes,
    Failure,
    CreatedAtMs,
    ExpiresAtMs,
}

fn big(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).big_integer().not_null().to_owned()
}

fn pk(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

fn owner_fk(table: impl IntoIden, col: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, col)
        .to(Users::Table, Users::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

async fn add_column(
    manager: &SchemaManager<'_>,
    table: impl IntoIden,
    col: ColumnDef,
) -> Result<(), DbErr> {
    // One column per statement: SQLite's ALTER TABLE adds one at a time.
    manager
        .alter_table(
            Table::alter()
                .table(table)
                .add_column(col.to_owned())
                .to_owned(),
        )
        .await
}

async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden,
    cols: Vec<DynIden>,
) -> Result<(), DbErr> {
    let mut stmt = Index::create().name(name).table(table).to_owned();
    for c in cols {
        stmt.col(c);
    }
    manager.create_index(stmt).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            ColumnDef::new(Users::EmailConfirmedAtMs)
                .big_integer()
                .null()
                .to_owned(),
            ColumnDef::new(Users::TotpSecret)
                .string_len(64)
                .null()
                .to_owned(),
            ColumnDef::new(Users::TotpEnabledAtMs)
                .big_integer()
                .null()
                .to_owned(),
            ColumnDef::new(Users::TotpLastStep)
                .big_integer()
                .null()
                .to_owned(),
        ] {
            add_column(manager, Users::Table, col).await?;
        }
        add_column(
            manager,
            Sessions::Table,
            ColumnDef::new(Sessions::UserId)
                .big_integer()
                .null()
                .to_owned(),
        )
        .await?;
        add_column(
            manager,
            Sessions::Table,
            big(Sessions::LastActiveMs).default(0).to_owned(),
        )
        .await?;
        index(
            manager,
            "idx_sessions_user",
            Sessions::Table,
            vec![Sessions::UserId.into_iden()],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(AccountTokens::Table)
                    .col(pk(AccountTokens::Id))
                    .col(big(AccountTokens::UserId))
                    .col(
                        ColumnDef::new(AccountTokens::Purpose)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AccountTokens::TokenHash)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(AccountTokens::Email).string_len(254).null())
                    .col(big(AccountTokens::CreatedAtMs))
                    .col(big(AccountTokens::ExpiresAtMs))
                    .col(ColumnDef::new(AccountTokens::UsedAtMs).big_integer().null())
                    .foreign_key(&mut owner_fk(AccountTokens::Table, AccountTokens::UserId))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_account_tokens_user",
            AccountTokens::Table,
            vec![
                AccountTokens::UserId.into_iden(),
                AccountTokens::Purpose.into_iden(),
                AccountTokens::CreatedAtMs.into_iden(),
            ],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(RecoveryCodes::Table)
                    .col(pk(RecoveryCodes::Id))
                    .col(big(RecoveryCodes::UserId))
                    .col(
                        ColumnDef::new(RecoveryCodes::CodeHash)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(RecoveryCodes::UsedAtMs).big_integer().null())
                    .foreign_key(&mut owner_fk(RecoveryCodes::Table, RecoveryCodes::UserId))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_recovery_codes_user",
            RecoveryCodes::Table,
            vec![RecoveryCodes::UserId.into_iden()],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(RetiredUsernames::Table)
                    .col(
                        ColumnDef::new(RetiredUsernames::UsernameKey)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(big(RetiredUsernames::FreeAtMs))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(DataExports::Table)
                    .col(pk(DataExports::Id))
                    .col(big(DataExports::UserId))
                    .col(
                        ColumnDef::new(DataExports::Key)
                            .string_len(32)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(DataExports::Status)
                            .string_len(10)
                            .not_null(),
                    )
                    .col(big(DataExports::SizeBytes).default(0))
                    .col(ColumnDef::new(DataExports::Failure).text().null())
                    .col(big(DataExports::CreatedAtMs))
                    .col(big(DataExports::ExpiresAtMs))
                    .foreign_key(&mut owner_fk(DataExports::Table, DataExports::UserId))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_data_exports_user",
            DataExports::Table,
            vec![DataExports::UserId.into_iden()],
        )
        .await?;

        // The "Deleted account" user: id 0 (never handed out by either
        // database's sequence), a username and email no one can sign up
        // with (`-` is not allowed in usernames, `.invalid` is reserved by
        // RFC 2606) and a password hash no password matches.
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(Users::Table)
                    .columns([
                        Users::Id,
                        Users::Username,
                        Users::UsernameKey,
                        Users::Email,
                        Users::FirstName,
                        Users::LastName,
                        Users::PasswordHash,
                        Users::FailedLogins,
                        Users::CreatedAtMs,
                        Users::SendReadReceipts,
                        Users::ShowPresence,
                    ])
                    .values_panic([
                        0_i64.into(),
                        "deleted-account".into(),
                        "deleted-account".into(),
                        "deleted-account@hearth.invalid".into(),
                        "Deleted".into(),
                        "account".into(),
                        "!".into(),
                        0_i32.into(),
                        0_i64.into(),
                        false.into(),
                        false.into(),
                    ])
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(Profiles::Table)
                    .columns([
                        Profiles::UserId,
                        Profiles::DisplayName,
                        Profiles::Bio,
                        Profiles::UpdatedAtMs,
                    ])
                    .values_panic([
                        0_i64.into(),
                        "Deleted account".into(),
                        "".into(),
                        0_i64.into(),
                    ])
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .exec_stmt(
                Query::delete()
                    .from_table(Users::Table)
                    .and_where(Expr::col(Users::Id).eq(0))
                    .to_owned(),
            )
            .await?;
        for t in [
            DataExports::Table.into_iden(),
            RetiredUsernames::Table.into_iden(),
            RecoveryCodes::Table.into_iden(),
            AccountTokens::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        manager
            .drop_index(Index::drop().name("idx_sessions_user").to_owned())
            .await?;
        for (t, c) in [
            (
                Sessions::Table.into_iden(),
                Sessions::LastActiveMs.into_iden(),
            ),
            (Sessions::Table.into_iden(), Sessions::UserId.into_iden()),
            (Users::Table.into_iden(), Users::TotpLastStep.into_iden()),
            (Users::Table.into_iden(), Users::TotpEnabledAtMs.into_iden()),
            (Users::Table.into_iden(), Users::TotpSecret.into_iden()),
            (
                Users::Table.into_iden(),
                Users::EmailConfirmedAtMs.into_iden(),
            ),
        ] {
            manager
                .alter_table(Table::alter().table(t).drop_column(c).to_owned())
                .await?;
        }
        Ok(())
    }
}
