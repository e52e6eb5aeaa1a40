//! Chat (conversations, members, messages), the durable live-event log that
//! reconnecting sockets replay, notifications, and the per-user live
//! settings (read receipts, presence) with the last-seen time.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    SendReadReceipts,
    ShowPresence,
    LastSeenAtMs,
}

#[derive(DeriveIden)]
enum Posts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Comments {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Conversations {
    Table,
    Id,
    Kind,
    Name,
    CreatedBy,
    DirectKey,
    CreatedAtMs,
    LastActivityMs,
    LastMessageId,
}

#[derive(DeriveIden)]
enum ConversationMembers {
    Table,
    ConversationId,
    UserId,
    Role,
    JoinedAtMs,
    LastReadMessageId,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
    ConversationId,
    SenderId,
    Body,
    CreatedAtMs,
    EditedAtMs,
    DeletedAtMs,
}

#[derive(DeriveIden)]
enum LiveEvents {
    Table,
    Id,
    CreatedAtMs,
    UserId,
    ConversationId,
    MessageId,
    Payload,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    RecipientId,
    Kind,
    GroupKey,
    ActorId,
    ActorCount,
    PostId,
    CommentId,
    ConversationId,
    UpdatedAtMs,
    ReadAtMs,
}

#[derive(DeriveIden)]
enum NotificationActors {
    Table,
    NotificationId,
    ActorId,
    CreatedAtMs,
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

fn id_col(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).big_integer().not_null().to_owned()
}

fn pk_col(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden + 'static,
    cols: Vec<DynIden>,
    unique: bool,
) -> Result<(), DbErr> {
    let mut stmt = Index::create();
    stmt.name(name).table(table);
    for col in cols {
        stmt.col(col);
    }
    if unique {
        stmt.unique();
    }
    manager.create_index(stmt.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for col in [
            ColumnDef::new(Users::SendReadReceipts)
                .boolean()
                .not_null()
                .default(true)
                .to_owned(),
            ColumnDef::new(Users::ShowPresence)
                .boolean()
                .not_null()
                .default(true)
                .to_owned(),
            ColumnDef::new(Users::LastSeenAtMs)
                .big_integer()
                .null()
                .to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .add_column(col)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Conversations::Table)
                    .col(pk_col(Conversations::Id))
                    .col(ColumnDef::new(Conversations::Kind).string_len(8).not_null())
                    .col(ColumnDef::new(Conversations::Name).string_len(80).null())
                    .col(
                        ColumnDef::new(Conversations::CreatedBy)
                            .big_integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Conversations::DirectKey)
                            .string_len(48)
                            .null()
                            .unique_key(),
                    )
                    .col(id_col(Conversations::CreatedAtMs))
                    .col(id_col(Conversations::LastActivityMs))
                    .col(
                        ColumnDef::new(Conversations::LastMessageId)
                            .big_integer()
                            .null(),
                    )
                    .foreign_key(&mut fk(
                        (Conversations::Table, Conversations::CreatedBy),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_conversations_kind_activity",
            Conversations::Table,
            vec![
                Conversations::Kind.into_iden(),
                Conversations::LastActivityMs.into_iden(),
            ],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(ConversationMembers::Table)
                    .col(id_col(ConversationMembers::ConversationId))
                    .col(id_col(ConversationMembers::UserId))
                    .col(
                        ColumnDef::new(ConversationMembers::Role)
                            .string_len(8)
                            .not_null(),
                    )
                    .col(id_col(ConversationMembers::JoinedAtMs))
                    .col(
                        ColumnDef::new(ConversationMembers::LastReadMessageId)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .primary_key(
                        Index::create()
                            .col(ConversationMembers::ConversationId)
                            .col(ConversationMembers::UserId),
                    )
                    .foreign_key(&mut fk(
                        (
                            ConversationMembers::Table,
                            ConversationMembers::ConversationId,
                        ),
                        (Conversations::Table, Conversations::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (ConversationMembers::Table, ConversationMembers::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_conversation_members_user",
            ConversationMembers::Table,
            vec![ConversationMembers::UserId.into_iden()],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Messages::Table)
                    .col(pk_col(Messages::Id))
                    .col(id_col(Messages::ConversationId))
                    .col(id_col(Messages::SenderId))
                    .col(ColumnDef::new(Messages::Body).text().not_null())
                    .col(id_col(Messages::CreatedAtMs))
                    .col(ColumnDef::new(Messages::EditedAtMs).big_integer().null())
                    .col(ColumnDef::new(Messages::DeletedAtMs).big_integer().null())
                    .foreign_key(&mut fk(
                        (Messages::Table, Messages::ConversationId),
                        (Conversations::Table, Conversations::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (Messages::Table, Messages::SenderId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_messages_conversation",
            Messages::Table,
            vec![
                Messages::ConversationId.into_iden(),
                Messages::Id.into_iden(),
            ],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(LiveEvents::Table)
                    .col(pk_col(LiveEvents::Id))
                    .col(id_col(LiveEvents::CreatedAtMs))
                    .col(ColumnDef::new(LiveEvents::UserId).big_integer().null())
                    .col(
                        ColumnDef::new(LiveEvents::ConversationId)
                            .big_integer()
                            .null(),
                    )
                    .col(ColumnDef::new(LiveEvents::MessageId).big_integer().null())
                    .col(ColumnDef::new(LiveEvents::Payload).text().not_null())
                    .foreign_key(&mut fk(
                        (LiveEvents::Table, LiveEvents::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (LiveEvents::Table, LiveEvents::ConversationId),
                        (Conversations::Table, Conversations::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_live_events_user",
            LiveEvents::Table,
            vec![LiveEvents::UserId.into_iden(), LiveEvents::Id.into_iden()],
            false,
        )
        .await?;
        index(
            manager,
            "idx_live_events_conversation",
            LiveEvents::Table,
            vec![
                LiveEvents::ConversationId.into_iden(),
                LiveEvents::Id.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "idx_live_events_created",
            LiveEvents::Table,
            vec![LiveEvents::CreatedAtMs.into_iden()],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Notifications::Table)
                    .col(pk_col(Notifications::Id))
                    .col(id_col(Notifications::RecipientId))
                    .col(
                        ColumnDef::new(Notifications::Kind)
                            .string_len(24)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Notifications::GroupKey)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(id_col(Notifications::ActorId))
                    .col(
                        ColumnDef::new(Notifications::ActorCount)
                            .integer()
                            .not_null()
                            .default(1),
                    )
                    .col(ColumnDef::new(Notifications::PostId).big_integer().null())
                    .col(
                        ColumnDef::new(Notifications::CommentId)
                            .big_integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Notifications::ConversationId)
                            .big_integer()
                            .null(),
                    )
                    .col(id_col(Notifications::UpdatedAtMs))
                    .col(ColumnDef::new(Notifications::ReadAtMs).big_integer().null())
                    .foreign_key(&mut fk(
                        (Notifications::Table, Notifications::RecipientId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (Notifications::Table, Notifications::ActorId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (Notifications::Table, Notifications::PostId),
                        (Posts::Table, Posts::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (Notifications::Table, Notifications::CommentId),
                        (Comments::Table, Comments::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (Notifications::Table, Notifications::ConversationId),
                        (Conversations::Table, Conversations::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_notifications_group",
            Notifications::Table,
            vec![
                Notifications::RecipientId.into_iden(),
                Notifications::GroupKey.into_iden(),
            ],
            true,
        )
        .await?;
        index(
            manager,
            "idx_notifications_recent",
            Notifications::Table,
            vec![
                Notifications::RecipientId.into_iden(),
                Notifications::UpdatedAtMs.into_iden(),
                Notifications::Id.into_iden(),
            ],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(NotificationActors::Table)
                    .col(id_col(NotificationActors::NotificationId))
                    .col(id_col(NotificationActors::ActorId))
                    .col(id_col(NotificationActors::CreatedAtMs))
                    .primary_key(
                        Index::create()
                            .col(NotificationActors::NotificationId)
                            .col(NotificationActors::ActorId),
                    )
                    .foreign_key(&mut fk(
                        (
                            NotificationActors::Table,
                            NotificationActors::NotificationId,
                        ),
                        (Notifications::Table, Notifications::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (NotificationActors::Table, NotificationActors::ActorId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            NotificationActors::Table.into_iden(),
            Notifications::Table.into_iden(),
            LiveEvents::Table.into_iden(),
            Messages::Table.into_iden(),
            ConversationMembers::Table.into_iden(),
            Conversations::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        for col in [
            Users::SendReadReceipts.into_iden(),
            Users::ShowPresence.into_iden(),
            Users::LastSeenAtMs.into_iden(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
