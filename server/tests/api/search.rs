//! Search (people by name prefix, posts by words, visibility respected) and
//! the feed query's plan.

use crate::helpers::{TestUser, decode, new_client, spawn_app};
use app::ids::UserId;
use app::models::SearchResults;
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
    assert!(search("picnic sunday").await.posts.len() == 1);
    assert!(
        search("picnic winter").await.posts.is_empty(),
        "all words must match"
    );
    // Query syntax is not passed through.
    assert!(search("\"river* OR NEAR(").await.posts.len() <= 1);

    // Edits and deletions are reflected (the index follows the table).
    let mine: SearchResults = decode(
        app.call_with::<SearchAll>(&ana, &[("query", "river")])
            .await,
    )
    .await
    .expect("own");
    assert_eq!(mine.posts.len(), 2);
}

#[tokio::test]
async fn the_feed_query_is_answered_from_indexes() {
    let app = spawn_app().await;
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
