//! Migrations apply on a fresh SQLite file and on a fresh PostgreSQL
//! database, and the app works on both. PostgreSQL is reached at
//! `HEARTH_TEST_POSTGRES_URL` (default: the local server's `test`
//! database); when it's unreachable the PostgreSQL half is skipped, unless
//! `HEARTH_REQUIRE_POSTGRES=1` (CI) makes that a failure.

use crate::helpers::{TestUser, spawn_app_with};
use sea_orm::{ConnectionTrait, DbBackend, Statement};

#[tokio::test]
async fn sqlite_file_is_created_with_wal_and_foreign_keys() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("nested/folder/hearth.db");
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let db = app::db::connect_and_migrate(&url).await.expect("migrate");
    assert!(path.exists());
    let mode = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA journal_mode",
        ))
        .await
        .expect("query")
        .expect("row");
    assert_eq!(mode.try_get_by_index::<String>(0).expect("mode"), "wal");
    let fk = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA foreign_keys",
        ))
        .await
        .expect("query")
        .expect("row");
    assert_eq!(fk.try_get_by_index::<i32>(0).expect("fk"), 1);
    // Running again is a no-op.
    app::db::connect_and_migrate(&url)
        .await
        .expect("migrate again");
}

#[tokio::test]
async fn migrations_and_the_app_work_on_postgres() {
    let Some(pg) = crate::helpers::FreshPostgres::create("hearth_test").await else {
        return;
    };
    let url = pg.url();

    let outcome = async {
        let app = spawn_app_with(|c| c.database_url = url.clone()).await;
        app.sign_up(&TestUser::new("pg_user"))
            .await
            .expect("sign up on postgres");
        let post = app
            .create_post_with(&app.client, "hello from postgres")
            .await
            .expect("post");
        assert_eq!(post.body, "hello from postgres");
        // Full-text search runs on PostgreSQL's tsvector columns.
        let found: app::models::SearchResults = crate::helpers::decode(
            app.call_with::<app::server_fns::search::SearchAll>(
                &app.client,
                &[("query", "Postgres hello")],
            )
            .await,
        )
        .await
        .expect("search posts");
        assert_eq!(found.posts.len(), 1);
        let found: app::models::SearchResults = crate::helpers::decode(
            app.call_with::<app::server_fns::search::SearchAll>(&app.client, &[("query", "pg_us")])
                .await,
        )
        .await
        .expect("search people");
        assert_eq!(found.people.len(), 1);
        let dup = app
            .sign_up_with(&crate::helpers::new_client(), &TestUser::new("PG_USER"))
            .await
            .expect_err("should fail");
        assert!(dup.field_message("username").is_some());
        app.state.db.clone().close().await.expect("close");
        // Migrating an up-to-date database is a no-op.
        let db = app::db::connect_and_migrate(&url)
            .await
            .expect("migrate again");
        db.close().await.expect("close");
    };
    outcome.await;
    pg.drop_db().await;
}
