//! Search (people by name prefix, posts by words, visibility respected) and
//! the feed query's plan.

use crate::helpers::{TestApp, TestUser, decode, new_client, spawn_app, spawn_sqlite_app};
use app::ids::UserId;
use app::models::SearchResults;
use app::server_fns::posts::{DeletePost, UpdatePost};
use app::server_fns::profiles::UpdateProfile;
use app::server_fns::search::SearchAll;
use app::services::posts::{Cursor, Scope, list_query};
use sea_orm::{ConnectionTrait, DbBackend, QueryTrait, Statement};

#[tokio::test]
async fn finds_people_by_name_prefix_and_posts_by_words() {
    let app = spawn_app().await;
    let ana = new_client();
    let user = TestUser::new("ana_lopez");
    let resp = ana
        .post(app.url(<app::server_fns::auth::SignUp as leptos::server_fn::ServerFn>::PATH))
        .form(&[
            ("username", user.username.as_str()),
            ("email", user.email.as_str()),
            ("first_name", "Anabel"),
            ("last_name", "López"),
            ("password", user.password.as_str()),
            ("password_confirm", user.password.as_str()),
        ])
        .send()
        .await
        .expect("sign up");
    assert!(resp.status().is_success());
    app.create_post_as(&ana, "Picnic by the river on Sunday", "public")
        .await
        .expect("post");
    app.create_post_as(&ana, "A secret river plan", "only_me")
        .await
        .expect("post");

    let bob = new_client();
    app.sign_up_with(&bob, &TestUser::new("bob_b"))
        .await
        .expect("sign up");
    let search = |q: &'static str| {
        let (app, bob) = (&app, &bob);
        async move {
            decode::<SearchResults>(app.call_with::<SearchAll>(bob, &[("query", q)]).await)
                .await
                .expect("search")
        }
    };
    for q in ["anab", "ANABEL", "lopez", "lópez", "ana_lo", "anabel lóp"] {
        let found = search(q).await;
        assert_eq!(
            found
                .people
                .iter()
                .map(|p| p.username.as_str())
                .collect::<Vec<_>>(),
            ["ana_lopez"],
            "{q}"
        );
    }
    assert!(search("zzz").await.people.is_empty());

    let found = search("river").await;
    assert_eq!(
        found
            .posts
            .iter()
            .map(|p| p.body.as_str())
            .collect::<Vec<_>>(),
        ["Picnic by the river on Sunday"],
        "the Only-me post stays hidden from others"
    );
    assert_eq!(search("picnic sunday").await.posts.len(), 1);
    assert!(
        search("picnic winter").await.posts.is_empty(),
        "all words must match"
    );
    // Query syntax is not passed through: `OR` and `NEAR` are words that
    // must match too (with FTS5's OR the river post would come back), and
    // `*` makes no prefix query.
    assert_eq!(search("\"river* OR NEAR(").await.posts.len(), 0);
    assert_eq!(search("river*").await.posts.len(), 1);
    assert_eq!(search("pic*").await.posts.len(), 0, "no prefix matching");
    assert_eq!(search("picnic OR winter").await.posts.len(), 0);

    // Edits and deletions are reflected (the index follows the table).
    let mine: SearchResults = decode(
        app.call_with::<SearchAll>(&ana, &[("query", "river")])
            .await,
    )
    .await
    .expect("own");
    assert_eq!(mine.posts.len(), 2);
}

async fn search_as(app: &TestApp, client: &reqwest::Client, q: &str) -> SearchResults {
    decode(app.call_with::<SearchAll>(client, &[("query", q)]).await)
        .await
        .expect("search")
}

fn bodies(found: &SearchResults) -> Vec<&str> {
    found.posts.iter().map(|p| p.body.as_str()).collect()
}

#[tokio::test]
async fn edited_and_deleted_posts_are_searched_as_they_are_now() {
    let app = spawn_app().await;
    let ana = app.person("ana_edit").await;
    let bo = app.person("bo_reader").await;
    let post = app
        .create_post_as(&ana.client, "Walrus sighting at the harbour", "public")
        .await
        .expect("post");
    let other = app
        .create_post_as(&ana.client, "Another walrus, same harbour", "public")
        .await
        .expect("post");
    for who in [&ana.client, &bo.client] {
        assert_eq!(search_as(&app, who, "walrus").await.posts.len(), 2);
        assert_eq!(
            bodies(&search_as(&app, who, "sighting").await),
            ["Walrus sighting at the harbour"]
        );
    }

    // Edit: the old words are gone from the index, the new ones are in.
    let edited: app::models::PostView = app
        .call_as::<UpdatePost, _>(
            &ana,
            &[
                ("post_id", &post.id.to_string()),
                ("body", "Narwhal spotted near the pier"),
                ("visibility", "public"),
            ],
        )
        .await
        .expect("edit");
    assert_eq!(edited.body, "Narwhal spotted near the pier");
    for who in [&ana.client, &bo.client] {
        assert!(
            search_as(&app, who, "sighting").await.posts.is_empty(),
            "a word only the old text had"
        );
        assert_eq!(
            bodies(&search_as(&app, who, "walrus").await),
            ["Another walrus, same harbour"],
            "the other post still matches, the edited one doesn't"
        );
        assert_eq!(
            bodies(&search_as(&app, who, "narwhal pier").await),
            ["Narwhal spotted near the pier"]
        );
    }
    // Made Only-me by an edit: gone for others, still found by the author.
    let _: app::models::PostView = app
        .call_as::<UpdatePost, _>(
            &ana,
            &[
                ("post_id", &other.id.to_string()),
                ("body", "Another walrus, same harbour"),
                ("visibility", "only_me"),
            ],
        )
        .await
        .expect("edit");
    assert!(search_as(&app, &bo.client, "walrus").await.posts.is_empty());
    assert_eq!(search_as(&app, &ana.client, "walrus").await.posts.len(), 1);

    // Delete: not found by anyone, and the index holds no stale row (a
    // stale FTS row would surface as a match with no post, or an error).
    let _: () = app
        .call_as::<DeletePost, _>(&ana, &[("post_id", &post.id.to_string())])
        .await
        .expect("delete");
    for who in [&ana.client, &bo.client] {
        assert!(search_as(&app, who, "narwhal").await.posts.is_empty());
        assert!(search_as(&app, who, "sighting").await.posts.is_empty());
    }
    // (PostgreSQL's index is a generated column of `posts` itself.)
    let backend = app.state.db.get_database_backend();
    let stale = app
        .state
        .db
        .query_all_raw(Statement::from_string(
            backend,
            if backend == DbBackend::Postgres {
                "SELECT id FROM posts WHERE body_tsv @@ to_tsquery('simple', 'narwhal | sighting')"
            } else {
                "SELECT rowid FROM posts_fts WHERE posts_fts MATCH 'narwhal OR sighting'"
            },
        ))
        .await
        .expect("fts query");
    assert!(stale.is_empty(), "{} stale index rows", stale.len());
}

#[tokio::test]
async fn a_renamed_person_is_found_by_the_new_name_only() {
    let app = spawn_app().await;
    let ana = app.person("ana_rename").await;
    let bo = app.person("bo_looker").await;
    // Signed up as "Test ana_rename".
    let found = search_as(&app, &bo.client, "ana_rename").await;
    assert_eq!(
        found.people.iter().map(|p| p.id).collect::<Vec<_>>(),
        [ana.id]
    );
    app.call_as::<UpdateProfile, ()>(&ana, &[("display_name", "Quetzal Zymurgy"), ("bio", "")])
        .await
        .expect("rename");
    let profile: app::models::ProfileView = app
        .call_as::<app::server_fns::profiles::GetProfile, _>(&bo, &[("username", "ana_rename")])
        .await
        .expect("profile");
    assert_eq!(profile.display_name, "Quetzal Zymurgy");
    for q in ["quetzal", "zymurgy", "Quetzal Zym", "quet"] {
        let found = search_as(&app, &bo.client, q).await;
        assert_eq!(
            found.people.iter().map(|p| p.id).collect::<Vec<_>>(),
            [ana.id],
            "found by the new name: {q}"
        );
        assert_eq!(found.people[0].display_name, "Quetzal Zymurgy");
    }
    // The old name ("Test") no longer finds her; the username still does.
    let found = search_as(&app, &bo.client, "test").await;
    assert!(
        !found.people.iter().any(|p| p.id == ana.id),
        "found by the old name: {found:?}"
    );
    let found = search_as(&app, &bo.client, "ana_rename").await;
    assert_eq!(
        found.people.iter().map(|p| p.id).collect::<Vec<_>>(),
        [ana.id]
    );
}

/// SQLite only: it reads SQLite's `EXPLAIN QUERY PLAN`.
#[tokio::test]
async fn the_feed_query_is_answered_from_indexes() {
    let app = spawn_sqlite_app().await;
    let query = list_query(
        UserId(1),
        Scope::Feed,
        Some(Cursor {
            created_at_ms: 1_800_000_000_000,
            id: 99,
        }),
    );
    let stmt = query.build(DbBackend::Sqlite);
    let sql = stmt.sql.clone();
    let plan = app
        .state
        .db
        .query_all_raw(Statement {
            sql: format!("EXPLAIN QUERY PLAN {}", stmt.sql),
            ..stmt
        })
        .await
        .expect("explain");
    let lines: Vec<String> = plan
        .iter()
        .map(|row| row.try_get_by_index::<String>(3).expect("detail"))
        .collect();
    println!("feed query:\n{sql}\nplan:\n{}", lines.join("\n"));
    assert!(!lines.is_empty());
    for line in &lines {
        let scans_table =
            line.starts_with("SCAN ") && !line.contains("USING") && !line.contains("CONSTANT");
        assert!(!scans_table, "full table scan in the feed plan: {line}");
    }
    // Posts are reached per author through (author_id, created_at_ms, id):
    // the viewer's own and each followed person's, from the cursor down.
    assert!(
        lines
            .iter()
            .any(|l| l.contains("SEARCH posts USING INDEX idx_posts_author_created")),
        "{lines:?}"
    );
}
