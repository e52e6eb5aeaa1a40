//! Hardening after the security review: `conversation_bans` (someone a
//! group or room admin removed can't re-join on their own); the group's
//! name at the time on "added you to a group" notifications
//! (`notifications.conversation_name`), so people who left don't see its
//! later names; and an index on `live_events.message_id`, used to rewrite
//! the stored events of an edited or deleted message.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Conversations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ConversationBans {
    Table,
    ConversationId,
    UserId,
    BannedBy,
    CreatedAtMs,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    ConversationName,
}

#[derive(DeriveIden)]
enum LiveEvents {
    Table,
    MessageId,
}

fn big(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).big_integer().not_null().to_owned()
}

fn fk(
    from: (impl IntoIden + 'static, impl IntoIden + 'static),
    to: (impl IntoIden + 'static, impl IntoIden + 'static),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(on_delete)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ConversationBans::Table)
                    .col(big(ConversationBans::ConversationId))
                    .col(big(ConversationBans::UserId))
                    .col(
                        ColumnDef::new(ConversationBans::BannedBy)
                            .big_integer()
                            .null(),
                    )
                    .col(big(ConversationBans::CreatedAtMs))
                    .primary_key(
                        Index::create()
                            .col(ConversationBans::ConversationId)
                            .col(ConversationBans::UserId),
                    )
                    .foreign_key(&mut fk(
                        (ConversationBans::Table, ConversationBans::ConversationId),
                        (Conversations::Table, Conversations::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (ConversationBans::Table, ConversationBans::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (ConversationBans::Table, ConversationBans::BannedBy),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        // Deleting an account removes its bans (and clears `banned_by`).
        for (name, col) in [
            ("idx_conversation_bans_user", ConversationBans::UserId),
            (
                "idx_conversation_bans_banned_by",
                ConversationBans::BannedBy,
            ),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(ConversationBans::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Notifications::Table)
                    .add_column(
                        ColumnDef::new(Notifications::ConversationName)
                            .text()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_live_events_message")
                    .table(LiveEvents::Table)
                    .col(LiveEvents::MessageId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("idx_live_events_message").to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Notifications::Table)
                    .drop_column(Notifications::ConversationName)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(ConversationBans::Table).to_owned())
            .await?;
        Ok(())
    }
}
