//! "Download your data" and "Delete account": an archive is built in the
//! background and downloadable by its owner only until it expires; a
//! deleted account leaves no row that names it, no file of its own, and
//! its messages in other people's conversations under "Deleted account".

use crate::helpers::{Person, TestApp, TestUser, decode, spawn_app};
use crate::media::upload;
use app::db::entities::{data_exports, videos};
use app::error::AppError;
use app::ids::{ConversationId, UserId};
use app::models::{
    DataExportInfo, DataExportStatus, MessagesPage, PeoplePage, PostView, ProfileView,
    SearchResults,
};
use app::server_fns::chat::{ListMessages, OpenDirectConversation, SendMessage};
use app::server_fns::leaving::{DeleteAccount, ListDataExports, RequestDataExport};
use reqwest::StatusCode;
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, DbBackend,
    EntityTrait as _, QueryFilter as _, Statement,
};
use std::io::Read as _;
use std::time::Duration;

async fn exports(app: &TestApp, who: &Person) -> Vec<DataExportInfo> {
    app.call_as::<ListDataExports, _>(who, &[])
        .await
        .expect("list exports")
}

/// Waits up to 20 s for `who`'s newest archive to be ready.
async fn ready_export(app: &TestApp, who: &Person) -> DataExportInfo {
    for _ in 0..200 {
        let list = exports(app, who).await;
        if let Some(e) = list.first() {
            assert_ne!(e.status, DataExportStatus::Failed, "export failed");
            if e.status == DataExportStatus::Ready {
                return e.clone();
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the export never became ready");
}

async fn download(app: &TestApp, client: &reqwest::Client, key: &str) -> reqwest::Response {
    client
        .get(app.url(&format!("/api/exports/{key}")))
        .send()
        .await
        .expect("download")
}

fn entry(zip: &mut zip::ZipArchive<std::io::Cursor<Vec<u8>>>, name: &str) -> Vec<u8> {
    let mut file = zip
        .by_name(name)
        .unwrap_or_else(|e| panic!("{name} in the zip: {e}"));
    let mut out = Vec::new();
    file.read_to_end(&mut out).expect("read entry");
    out
}

async fn post_with_photo(app: &TestApp, who: &Person, body: &str, photo: &str) -> PostView {
    app.call_as::<app::server_fns::posts::CreatePost, _>(
        who,
        &[
            ("body", body),
            ("visibility", "friends"),
            ("photos[0][id]", photo),
            ("photos[0][alt]", "A photo"),
        ],
    )
    .await
    .expect("post with photo")
}

/// A ready 2-rendition video of `owner`'s, put straight into the store
/// (no ffmpeg needed): its top rendition's segments are `AAAA` and `BBBB`.
async fn fake_video(app: &TestApp, owner: UserId) -> String {
    let key = app::media::new_key();
    let now = app::time_fmt::now_ms();
    videos::ActiveModel {
        key: Set(key.clone()),
        owner_id: Set(owner.0),
        post_id: Set(None),
        status: Set(videos::READY.to_owned()),
        upload_length: Set(8),
        upload_offset: Set(8),
        upload_expires_at_ms: Set(now),
        file_name: Set("clip.mp4".to_owned()),
        progress: Set(100),
        failure: Set(None),
        size_bytes: Set(16),
        width: Set(1280),
        height: Set(720),
        duration_ms: Set(20_000),
        renditions: Set("360,720".to_owned()),
        blurhash: Set(String::new()),
        created_at_ms: Set(now),
        updated_at_ms: Set(now),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .expect("video row");
    let playlist = "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\nseg_000.ts\n#EXTINF:10.0,\nseg_001.ts\n#EXT-X-ENDLIST\n";
    for (rung, a, b) in [("360", "xx", "yy"), ("720", "AAAA", "BBBB")] {
        let put = |name: String, bytes: &str| {
            let media = app.state.media.clone();
            let key = key.clone();
            let bytes = bytes.as_bytes().to_vec();
            async move { media.put_file(&key, &name, bytes).await.expect("put") }
        };
        put(format!("hls/{rung}/index.m3u8"), playlist).await;
        put(format!("hls/{rung}/seg_000.ts"), a).await;
        put(format!("hls/{rung}/seg_001.ts"), b).await;
    }
    key
}

#[tokio::test]
async fn an_export_is_built_mailed_and_downloadable_by_its_owner_until_it_expires() {
    let app = spawn_app().await;
    let ana = app.person("ana_export").await;
    let ben = app.person("ben_export").await;
    app.befriend(&ana, &ben).await;
    let photo = upload(&app, &ana.client, "post", 800, 600).await;
    post_with_photo(&app, &ana, "Lunch at the harbour", &photo.id).await;
    let video = fake_video(&app, ana.id).await;
    let conversation: ConversationId = app
        .call_as::<OpenDirectConversation, _>(&ana, &[("user_id", &ben.id.to_string())])
        .await
        .expect("open");
    let _: app::models::MessageView = app
        .call_as::<SendMessage, _>(
            &ana,
            &[
                ("conversation_id", &conversation.to_string()),
                ("body", "See you at noon"),
            ],
        )
        .await
        .expect("send");

    // Signed out: nothing.
    let anon = crate::helpers::new_client();
    let err = decode::<DataExportInfo>(app.call_with::<RequestDataExport>(&anon, &[]).await)
        .await
        .expect_err("signed out");
    assert_eq!(err, AppError::Unauthorized);

    let asked: DataExportInfo = app
        .call_as::<RequestDataExport, _>(&ana, &[])
        .await
        .expect("request");
    assert_eq!(asked.status, DataExportStatus::Pending);
    assert!(asked.download_url.is_none());
    // One at a time, and one an hour.
    let again = app
        .call_as::<RequestDataExport, DataExportInfo>(&ana, &[])
        .await
        .expect_err("second request");
    assert!(
        matches!(again, AppError::RateLimited { retry_after_s } if retry_after_s > 60),
        "{again:?}"
    );

    let ready = ready_export(&app, &ana).await;
    assert_eq!(ready.id, asked.id);
    assert!(ready.size_bytes > 0);
    assert_eq!(
        ready.download_url.as_deref(),
        Some(format!("/api/exports/{}", ready.id).as_str())
    );
    let week = app::services::data_export::EXPORT_TTL_MS;
    assert!(ready.expires_at_ms > app::time_fmt::now_ms() + week - 60_000);
    let mail = app
        .wait_for_mail("ana_export@example.com", "Your Hearth data is ready", 0)
        .await;
    assert!(mail.text.contains("/settings/account"), "{}", mail.text);
    // Still one an hour once it is ready.
    assert!(matches!(
        app.call_as::<RequestDataExport, DataExportInfo>(&ana, &[])
            .await,
        Err(AppError::RateLimited { .. })
    ));

    let resp = download(&app, &ana.client, &ready.id).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "application/zip");
    assert_eq!(resp.headers()["cache-control"], "private, no-store");
    let disposition = resp.headers()["content-disposition"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"hearth-export-ana_export-20")
            && disposition.ends_with(".zip\""),
        "{disposition}"
    );
    let bytes = resp.bytes().await.expect("body").to_vec();
    assert_eq!(bytes.len() as u64, ready.size_bytes);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    for name in [
        "README.txt",
        "profile.json",
        "comments.json",
        "reactions.json",
        "friends.json",
        "follows.json",
    ] {
        entry(&mut zip, name);
    }
    let posts: serde_json::Value =
        serde_json::from_slice(&entry(&mut zip, "posts.json")).expect("posts json");
    assert_eq!(posts[0]["text"], "Lunch at the harbour");
    assert_eq!(
        posts[0]["photos"][0]["file"],
        format!("photos/{}.jpg", photo.id)
    );
    let profile: serde_json::Value =
        serde_json::from_slice(&entry(&mut zip, "profile.json")).expect("profile json");
    assert_eq!(profile["username"], "ana_export");
    let friends: serde_json::Value =
        serde_json::from_slice(&entry(&mut zip, "friends.json")).expect("friends json");
    assert_eq!(friends[0]["username"], "ben_export");
    let messages: serde_json::Value =
        serde_json::from_slice(&entry(&mut zip, "messages.json")).expect("messages json");
    assert_eq!(messages[0]["text"], "See you at noon");
    assert_eq!(messages[0]["conversation_id"], conversation.0);
    let jpeg = entry(&mut zip, &format!("photos/{}.jpg", photo.id));
    assert_eq!(&jpeg[..3], &[0xFF, 0xD8, 0xFF], "a JPEG");
    let mut largest = None;
    for slot in app::models::VARIANT_SLOTS.iter().rev() {
        if let Some(b) = app.state.media.get(&photo.id, *slot).await.expect("store") {
            largest = Some(b);
            break;
        }
    }
    assert!(
        largest.is_some_and(|b| b.as_ref() == jpeg.as_slice()),
        "the zip holds the largest variant"
    );
    assert_eq!(entry(&mut zip, &format!("videos/{video}.ts")), b"AAAABBBB");

    // Nobody else, signed out, or with a made-up key.
    assert_eq!(
        download(&app, &ben.client, &ready.id).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        download(&app, &anon, &ready.id).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        download(&app, &ana.client, &app::media::new_key())
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        download(&app, &ana.client, "..%2F..%2Fetc").await.status(),
        StatusCode::NOT_FOUND
    );
    assert!(exports(&app, &ben).await.is_empty());

    // Expired: 404 and no longer listed; the sweep deletes file and row.
    data_exports::Entity::update_many()
        .col_expr(
            data_exports::Column::ExpiresAtMs,
            sea_orm::sea_query::Expr::value(app::time_fmt::now_ms() - 1),
        )
        .filter(data_exports::Column::Key.eq(&ready.id))
        .exec(&app.state.db)
        .await
        .expect("expire");
    assert_eq!(
        download(&app, &ana.client, &ready.id).await.status(),
        StatusCode::NOT_FOUND
    );
    assert!(exports(&app, &ana).await.is_empty());
    let swept = app::services::data_export::sweep_expired(&app.state.db, app::time_fmt::now_ms())
        .await
        .expect("sweep");
    assert_eq!(swept, 1);
    app.state.empty_media_trash().await;
    assert!(
        app.state
            .media
            .get_file(&ready.id, app::services::data_export::EXPORT_FILE)
            .await
            .expect("store")
            .is_none()
    );
    assert!(
        data_exports::Entity::find()
            .filter(data_exports::Column::Key.eq(&ready.id))
            .one(&app.state.db)
            .await
            .expect("db")
            .is_none()
    );
}

/// Every (table, column) of the schema that can hold a user's id.
async fn user_columns(app: &TestApp) -> Vec<(String, String)> {
    let db = &app.state.db;
    let backend = db.get_database_backend();
    let tables = db
        .query_all_raw(Statement::from_string(
            backend,
            if backend == DbBackend::Postgres {
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
                 AND table_name <> 'seaql_migrations'"
            } else {
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
                 AND name NOT LIKE '%_fts%' AND name <> 'seaql_migrations'"
            },
        ))
        .await
        .expect("tables");
    let named = [
        "author_id",
        "sender_id",
        "owner_id",
        "actor_id",
        "recipient_id",
        "requester_id",
        "follower_id",
        "followee_id",
        "blocker_id",
        "blocked_id",
        "user_a_id",
        "user_b_id",
        "created_by",
    ];
    let mut out = Vec::new();
    for t in tables {
        let table: String = t.try_get_by_index(0).expect("name");
        let cols = db
            .query_all_raw(Statement::from_string(
                backend,
                if backend == DbBackend::Postgres {
                    format!(
                        "SELECT column_name::text AS name FROM information_schema.columns \
                         WHERE table_schema = current_schema() AND table_name = '{table}'"
                    )
                } else {
                    format!("PRAGMA table_info(\"{table}\")")
                },
            ))
            .await
            .expect("columns");
        for c in cols {
            let col: String = c.try_get("", "name").expect("column name");
            if col.ends_with("user_id") || named.contains(&col.as_str()) {
                out.push((table.clone(), col));
            }
        }
        if table == "users" {
            out.push((table.clone(), "id".to_owned()));
        }
    }
    out
}

async fn rows_naming(app: &TestApp, table: &str, col: &str, id: i64) -> i64 {
    app.state
        .db
        .query_one_raw(Statement::from_string(
            app.state.db.get_database_backend(),
            format!("SELECT COUNT(*) FROM \"{table}\" WHERE \"{col}\" = {id}"),
        ))
        .await
        .expect("count")
        .expect("a row")
        .try_get_by_index::<i64>(0)
        .expect("count")
}

#[tokio::test]
#[allow(clippy::too_many_lines)]
async fn a_deleted_account_leaves_nothing_but_its_messages_under_deleted_account() {
    let app = spawn_app().await;
    let ana = app.person("ana_leaves").await;
    let ben = app.person("ben_stays").await;
    let cat = app.person("cat_stays").await;
    let dan = app.person("dan_stays").await;
    app.befriend(&ana, &ben).await;
    app.befriend(&ben, &cat).await;

    // A profile photo, a post with a photo (mentioning Ben), comments both
    // ways, reactions both ways, follows both ways, a block.
    let avatar = upload(&app, &ana.client, "avatar", 300, 300).await;
    let _: app::models::Photo = app
        .call_as::<app::server_fns::media::SetProfilePhoto, _>(
            &ana,
            &[("purpose", "avatar"), ("id", &avatar.id)],
        )
        .await
        .expect("avatar");
    let photo = upload(&app, &ana.client, "post", 400, 300).await;
    let anas_post = post_with_photo(&app, &ana, "Hello @ben_stays", &photo.id).await;
    let bens_post = app
        .create_post_with(&ben.client, "Ben's news")
        .await
        .expect("ben posts");
    let comment = |who: &Person, post: &PostView, body: &str| {
        let post = post.id.to_string();
        let body = body.to_owned();
        let who = who.clone();
        let app = &app;
        async move {
            let _: app::models::CommentView = app
                .call_as::<app::server_fns::comments::AddComment, _>(
                    &who,
                    &[("post_id", &post), ("body", &body)],
                )
                .await
                .expect("comment");
        }
    };
    comment(&ben, &anas_post, "Nice one").await;
    comment(&ana, &bens_post, "Congrats").await;
    comment(&cat, &bens_post, "Me too").await;
    for (who, post) in [(&ana, &bens_post), (&ben, &anas_post), (&cat, &bens_post)] {
        let _: app::models::ReactionSummary = app
            .call_as::<app::server_fns::posts::ReactToPost, _>(
                who,
                &[("post_id", &post.id.to_string()), ("kind", "like")],
            )
            .await
            .expect("react");
    }
    app.with_user::<app::server_fns::social::FollowUser, ()>(&cat.client, ana.id)
        .await
        .expect("cat follows ana");
    app.with_user::<app::server_fns::social::FollowUser, ()>(&ana.client, cat.id)
        .await
        .expect("ana follows cat");
    app.with_user::<app::server_fns::social::BlockUser, ()>(&ana.client, dan.id)
        .await
        .expect("ana blocks dan");

    // A one-to-one chat with Ben, with a photo-only message from Ana.
    let conversation: ConversationId = app
        .call_as::<OpenDirectConversation, _>(&ana, &[("user_id", &ben.id.to_string())])
        .await
        .expect("open");
    let conv = conversation.to_string();
    for (who, body) in [(&ana, "Hi Ben"), (&ben, "Hi Ana"), (&ana, "Bye for now")] {
        let _: app::models::MessageView = app
            .call_as::<SendMessage, _>(who, &[("conversation_id", &conv), ("body", body)])
            .await
            .expect("send");
    }
    let chat_photo = upload(&app, &ana.client, "message", 200, 200).await;
    let _: app::models::MessageView = app
        .call_as::<SendMessage, _>(
            &ana,
            &[
                ("conversation_id", &conv),
                ("body", ""),
                ("photo[id]", &chat_photo.id),
                ("photo[alt]", ""),
            ],
        )
        .await
        .expect("send a photo");

    // Another session, a reset link, and an archive of their data.
    let laptop = crate::helpers::new_client();
    app.log_in_with(&laptop, "ana_leaves", "correct horse battery")
        .await
        .expect("second session");
    let _: () = app
        .call_as::<app::server_fns::account::RequestPasswordReset, _>(
            &ana,
            &[("login", "ana_leaves")],
        )
        .await
        .expect("reset link");
    let _: DataExportInfo = app
        .call_as::<RequestDataExport, _>(&ana, &[])
        .await
        .expect("export");
    let archive = ready_export(&app, &ana).await;

    // Everything is in place before.
    let columns = user_columns(&app).await;
    for needed in [
        ("notifications", "recipient_id"),
        ("notification_actors", "actor_id"),
        ("sessions", "user_id"),
        ("account_tokens", "user_id"),
        ("data_exports", "user_id"),
        ("mentions", "user_id"),
        ("media", "owner_id"),
        ("videos", "owner_id"),
    ] {
        assert!(
            columns.iter().any(|(t, c)| t == needed.0 && c == needed.1),
            "{needed:?} not found in {columns:?}"
        );
    }
    let mut before = 0;
    for (t, c) in &columns {
        before += rows_naming(&app, t, c, ana.id.0).await;
    }
    assert!(before > 20, "only {before} rows name Ana");

    // A wrong password refuses and changes nothing.
    let wrong = app
        .call_as::<DeleteAccount, ()>(&ana, &[("password", "not my password")])
        .await
        .expect_err("wrong password");
    assert!(wrong.field_message("password").is_some(), "{wrong:?}");
    assert_eq!(app.me(&ana.client).await.id, ana.id);
    let mut unchanged = 0;
    for (t, c) in &columns {
        unchanged += rows_naming(&app, t, c, ana.id.0).await;
    }
    assert_eq!(unchanged, before);

    // The right one deletes.
    let _: () = app
        .call_as::<DeleteAccount, _>(&ana, &[("password", "correct horse battery"), ("code", "")])
        .await
        .expect("delete");

    for (t, c) in &columns {
        assert_eq!(
            rows_naming(&app, t, c, ana.id.0).await,
            0,
            "{t}.{c} still names the deleted account"
        );
    }
    // Both browsers are signed out.
    for client in [&ana.client, &laptop] {
        let me: Option<app::models::CurrentUser> = decode(
            app.call_with::<app::server_fns::auth::GetCurrentUser>(client, &[])
                .await,
        )
        .await
        .expect("me");
        assert!(me.is_none());
    }
    // Their files are gone from the store.
    for key in [&avatar.id, &photo.id, &chat_photo.id] {
        for slot in app::models::VARIANT_SLOTS {
            assert!(
                app.state
                    .media
                    .get(key, slot)
                    .await
                    .expect("store")
                    .is_none(),
                "{key}/{slot}.jpg is still stored"
            );
        }
    }
    assert!(
        app.state
            .media
            .get_file(&archive.id, app::services::data_export::EXPORT_FILE)
            .await
            .expect("store")
            .is_none()
    );

    // Ben still has the conversation, with Ana's messages from "Deleted
    // account"; the photo-only one reads as deleted.
    let page: MessagesPage = app
        .call_as::<ListMessages, _>(&ben, &[("conversation_id", &conv)])
        .await
        .expect("ben reads");
    let bodies: Vec<(&str, &str, bool)> = page
        .messages
        .iter()
        .map(|m| (m.sender.display_name.as_str(), m.body.as_str(), m.deleted))
        .collect();
    assert_eq!(
        bodies,
        vec![
            ("Deleted account", "Hi Ben", false),
            (ben.display_name.as_str(), "Hi Ana", false),
            ("Deleted account", "Bye for now", false),
            ("Deleted account", "", true),
        ]
    );
    assert!(page.messages.iter().all(|m| m.photo.is_none()));
    assert_eq!(page.messages[0].sender.id, UserId(0));
    // Ben's post keeps Cat's comment; Ana's are gone.
    let bens: PostView = app
        .call_as::<app::server_fns::posts::GetPost, _>(
            &ben,
            &[("post_id", &bens_post.id.to_string())],
        )
        .await
        .expect("ben's post");
    assert_eq!(bens.comment_count, 1);

    // No profile, for them or for "Deleted account".
    for name in ["ana_leaves", "deleted-account"] {
        let err = app
            .call_as::<app::server_fns::profiles::GetProfile, ProfileView>(
                &ben,
                &[("username", name)],
            )
            .await
            .expect_err("no profile");
        assert_eq!(err, AppError::NotFound, "{name}");
    }
    // Nobody finds the ghost in lists or search.
    let people: PeoplePage = app
        .call_as::<app::server_fns::social::ListPeople, _>(&ben, &[])
        .await
        .expect("people");
    assert!(
        people
            .people
            .iter()
            .all(|p| p.id != UserId(0) && p.id != ana.id)
    );
    let found: SearchResults = app
        .call_as::<app::server_fns::search::SearchAll, _>(&ben, &[("query", "Deleted")])
        .await
        .expect("search");
    assert!(found.people.is_empty(), "{:?}", found.people);

    // The name stays taken; the account can't log in.
    let again = app
        .sign_up_with(
            &crate::helpers::new_client(),
            &TestUser {
                email: "someone.else@example.com".to_owned(),
                ..TestUser::new("Ana_Leaves")
            },
        )
        .await
        .expect_err("username retired");
    assert!(again.field_message("username").is_some(), "{again:?}");
    let log_in = app
        .log_in_with(
            &crate::helpers::new_client(),
            "ana_leaves",
            "correct horse battery",
        )
        .await
        .expect_err("no account");
    assert_eq!(log_in, AppError::InvalidCredentials);
    // Their email address is free again.
    app.sign_up_with(
        &crate::helpers::new_client(),
        &TestUser {
            email: "ana_leaves@example.com".to_owned(),
            ..TestUser::new("ana_returns")
        },
    )
    .await
    .expect("the address can be used again");
}
