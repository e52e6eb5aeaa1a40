//! The social graph (friendships, follows, blocks), post visibility and
//! shares, reactions, comments, mentions, and full-text search indexes
//! (SQLite FTS5 / PostgreSQL tsvector).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Posts {
    Table,
    Id,
    Visibility,
    SharedPostId,
    IsShare,
}

#[derive(DeriveIden)]
enum Friendships {
    Table,
    UserAId,
    UserBId,
    RequesterId,
    Status,
    CreatedAtMs,
    UpdatedAtMs,
}

#[derive(DeriveIden)]
enum Follows {
    Table,
    FollowerId,
    FolloweeId,
    CreatedAtMs,
}

#[derive(DeriveIden)]
enum Blocks {
    Table,
    BlockerId,
    BlockedId,
    CreatedAtMs,
}

#[derive(DeriveIden)]
enum Reactions {
    Table,
    PostId,
    UserId,
    Kind,
    CreatedAtMs,
}

#[derive(DeriveIden)]
enum Comments {
    Table,
    Id,
    PostId,
    AuthorId,
    ParentId,
    Body,
    CreatedAtMs,
    EditedAtMs,
}

#[derive(DeriveIden)]
enum Mentions {
    Table,
    Id,
    PostId,
    CommentId,
    UserId,
}

fn user_fk(
    table: impl IntoIden + 'static,
    col: impl IntoIden + 'static,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, col)
        .to(Users::Table, Users::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn id_col(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).big_integer().not_null().to_owned()
}

fn time_col(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).big_integer().not_null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A friendship row per pair, the lower id first, so one request per
        // pair exists whichever side sent it.
        manager
            .create_table(
                Table::create()
                    .table(Friendships::Table)
                    .col(id_col(Friendships::UserAId))
                    .col(id_col(Friendships::UserBId))
                    .col(id_col(Friendships::RequesterId))
                    .col(
                        ColumnDef::new(Friendships::Status)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(time_col(Friendships::CreatedAtMs))
                    .col(time_col(Friendships::UpdatedAtMs))
                    .primary_key(
                        Index::create()
                            .col(Friendships::UserAId)
                            .col(Friendships::UserBId),
                    )
                    .foreign_key(&mut user_fk(Friendships::Table, Friendships::UserAId))
                    .foreign_key(&mut user_fk(Friendships::Table, Friendships::UserBId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_friendships_b")
                    .table(Friendships::Table)
                    .col(Friendships::UserBId)
                    .col(Friendships::Status)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Follows::Table)
                    .col(id_col(Follows::FollowerId))
                    .col(id_col(Follows::FolloweeId))
                    .col(time_col(Follows::CreatedAtMs))
                    .primary_key(
                        Index::create()
                            .col(Follows::FollowerId)
                            .col(Follows::FolloweeId),
                    )
                    .foreign_key(&mut user_fk(Follows::Table, Follows::FollowerId))
                    .foreign_key(&mut user_fk(Follows::Table, Follows::FolloweeId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_follows_followee")
                    .table(Follows::Table)
                    .col(Follows::FolloweeId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Blocks::Table)
                    .col(id_col(Blocks::BlockerId))
                    .col(id_col(Blocks::BlockedId))
                    .col(time_col(Blocks::CreatedAtMs))
                    .primary_key(
                        Index::create()
                            .col(Blocks::BlockerId)
                            .col(Blocks::BlockedId),
                    )
                    .foreign_key(&mut user_fk(Blocks::Table, Blocks::BlockerId))
                    .foreign_key(&mut user_fk(Blocks::Table, Blocks::BlockedId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_blocks_blocked")
                    .table(Blocks::Table)
                    .col(Blocks::BlockedId)
                    .to_owned(),
            )
            .await?;

        // Posts: who may see them, and shares. Existing posts become
        // Friends-only, the default.
        manager
            .alter_table(
                Table::alter()
                    .table(Posts::Table)
                    .add_column(
                        ColumnDef::new(Posts::Visibility)
                            .string_len(16)
                            .not_null()
                            .default("friends"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Posts::Table)
                    .add_column(
                        ColumnDef::new(Posts::IsShare)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Posts::Table)
                    .add_column(ColumnDef::new(Posts::SharedPostId).big_integer().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_posts_shared")
                    .table(Posts::Table)
                    .col(Posts::SharedPostId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Reactions::Table)
                    .col(id_col(Reactions::PostId))
                    .col(id_col(Reactions::UserId))
                    .col(ColumnDef::new(Reactions::Kind).string_len(8).not_null())
                    .col(time_col(Reactions::CreatedAtMs))
                    .primary_key(
                        Index::create()
                            .col(Reactions::PostId)
                            .col(Reactions::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Reactions::Table, Reactions::PostId)
                            .to(Posts::Table, Posts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(&mut user_fk(Reactions::Table, Reactions::UserId))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Comments::Table)
                    .col(
                        ColumnDef::new(Comments::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(id_col(Comments::PostId))
                    .col(id_col(Comments::AuthorId))
                    .col(ColumnDef::new(Comments::ParentId).big_integer().null())
                    .col(ColumnDef::new(Comments::Body).text().not_null())
                    .col(time_col(Comments::CreatedAtMs))
                    .col(ColumnDef::new(Comments::EditedAtMs).big_integer().null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(Comments::Table, Comments::PostId)
                            .to(Posts::Table, Posts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(&mut user_fk(Comments::Table, Comments::AuthorId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Comments::Table, Comments::ParentId)
                            .to(Comments::Table, Comments::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_comments_post")
                    .table(Comments::Table)
                    .col(Comments::PostId)
                    .col(Comments::ParentId)
                    .col(Comments::CreatedAtMs)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Mentions::Table)
                    .col(
                        ColumnDef::new(Mentions::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Mentions::PostId).big_integer().null())
                    .col(ColumnDef::new(Mentions::CommentId).big_integer().null())
                    .col(id_col(Mentions::UserId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Mentions::Table, Mentions::PostId)
                            .to(Posts::Table, Posts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Mentions::Table, Mentions::CommentId)
                            .to(Comments::Table, Comments::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(&mut user_fk(Mentions::Table, Mentions::UserId))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_mentions_post", Mentions::PostId),
            ("idx_mentions_comment", Mentions::CommentId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Mentions::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }

        let db = manager.get_connection();
        match db.get_database_backend() {
            DbBackend::Sqlite => {
                for sql in SQLITE_SEARCH {
                    db.execute_unprepared(sql).await?;
                }
            }
            DbBackend::Postgres => {
                for sql in POSTGRES_SEARCH {
                    db.execute_unprepared(sql).await?;
                }
            }
            _ => return Err(DbErr::Migration("unsupported database".into())),
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() == DbBackend::Sqlite {
            for sql in [
                "DROP TRIGGER IF EXISTS posts_fts_ai",
                "DROP TRIGGER IF EXISTS posts_fts_ad",
                "DROP TRIGGER IF EXISTS posts_fts_au",
                "DROP TRIGGER IF EXISTS users_fts_ai",
                "DROP TRIGGER IF EXISTS users_fts_ad",
                "DROP TRIGGER IF EXISTS users_fts_au",
                "DROP TABLE IF EXISTS posts_fts",
                "DROP TABLE IF EXISTS users_fts",
            ] {
                db.execute_unprepared(sql).await?;
            }
        }
        for table in [
            Mentions::Table.into_iden(),
            Comments::Table.into_iden(),
            Reactions::Table.into_iden(),
            Blocks::Table.into_iden(),
            Follows::Table.into_iden(),
            Friendships::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// SQLite: external-content FTS5 tables kept in sync by triggers.
const SQLITE_SEARCH: &[&str] = &[
    "CREATE VIRTUAL TABLE posts_fts USING fts5(body, content='posts', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "INSERT INTO posts_fts(rowid, body) SELECT id, body FROM posts",
    "CREATE TRIGGER posts_fts_ai AFTER INSERT ON posts BEGIN INSERT INTO posts_fts(rowid, body) VALUES (new.id, new.body); END",
    "CREATE TRIGGER posts_fts_ad AFTER DELETE ON posts BEGIN INSERT INTO posts_fts(posts_fts, rowid, body) VALUES ('delete', old.id, old.body); END",
    "CREATE TRIGGER posts_fts_au AFTER UPDATE OF body ON posts BEGIN INSERT INTO posts_fts(posts_fts, rowid, body) VALUES ('delete', old.id, old.body); INSERT INTO posts_fts(rowid, body) VALUES (new.id, new.body); END",
    "CREATE VIRTUAL TABLE users_fts USING fts5(username, first_name, last_name, content='users', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "INSERT INTO users_fts(rowid, username, first_name, last_name) SELECT id, username, first_name, last_name FROM users",
    "CREATE TRIGGER users_fts_ai AFTER INSERT ON users BEGIN INSERT INTO users_fts(rowid, username, first_name, last_name) VALUES (new.id, new.username, new.first_name, new.last_name); END",
    "CREATE TRIGGER users_fts_ad AFTER DELETE ON users BEGIN INSERT INTO users_fts(users_fts, rowid, username, first_name, last_name) VALUES ('delete', old.id, old.username, old.first_name, old.last_name); END",
    "CREATE TRIGGER users_fts_au AFTER UPDATE OF username, first_name, last_name ON users BEGIN INSERT INTO users_fts(users_fts, rowid, username, first_name, last_name) VALUES ('delete', old.id, old.username, old.first_name, old.last_name); INSERT INTO users_fts(rowid, username, first_name, last_name) VALUES (new.id, new.username, new.first_name, new.last_name); END",
];

/// PostgreSQL: generated tsvector columns with GIN indexes (the `simple`
/// configuration: no stemming, so names and any language match as typed).
const POSTGRES_SEARCH: &[&str] = &[
    "ALTER TABLE posts ADD COLUMN body_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED",
    "CREATE INDEX idx_posts_body_tsv ON posts USING GIN (body_tsv)",
    "ALTER TABLE users ADD COLUMN name_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', username || ' ' || replace(username, '_', ' ') || ' ' || first_name || ' ' || last_name)) STORED",
    "CREATE INDEX idx_users_name_tsv ON users USING GIN (name_tsv)",
];
