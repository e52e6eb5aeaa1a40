use crate::helpers::{TestUser, decode, new_client, spawn_app};
use app::error::AppError;
use app::models::{FEED_PAGE_SIZE, FeedPage, PostView};
use app::server_fns::posts::{DeletePost, GetPost, ListFeed, ListUserPosts, UpdatePost};

#[tokio::test]
async fn posts_need_a_signed_in_user() {
    let app = spawn_app().await;
    assert_eq!(
        app.create_post_with(&app.client, "hi").await,
        Err(AppError::Unauthorized)
    );
    let feed = decode::<FeedPage>(app.call_with::<ListFeed>(&app.client, &[]).await).await;
    assert_eq!(feed, Err(AppError::Unauthorized));
}

#[tokio::test]
async fn create_keeps_line_breaks_and_rejects_bad_lengths() {
    let app = spawn_app().await;
    app.sign_up(&TestUser::new("mia")).await.expect("sign up");
    let post = app
        .create_post_with(&app.client, "  line one\r\nline <b>two</b>  ")
        .await
        .expect("post");
    assert_eq!(post.body, "line one\nline <b>two</b>");
    assert!(post.can_edit);
    let err = app
        .create_post_with(&app.client, "   ")
        .await
        .expect_err("should fail");
    assert!(err.field_message("body").is_some());
    let err = app
        .create_post_with(&app.client, &"x".repeat(5_001))
        .await
        .expect_err("should fail");
    assert!(err.field_message("body").is_some());
    assert!(
        app.create_post_with(&app.client, &"x".repeat(5_000))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn only_the_author_may_edit_or_delete() {
    let app = spawn_app().await;
    app.sign_up(&TestUser::new("nina")).await.expect("author");
    let post = app
        .create_post_as(&app.client, "original", "public")
        .await
        .expect("post");
    let other = new_client();
    app.sign_up_with(&other, &TestUser::new("omar"))
        .await
        .expect("other");
    let id = post.id.to_string();

    // The other user sees it, without edit rights.
    let seen: PostView = decode(app.call_with::<GetPost>(&other, &[("post_id", &id)]).await)
        .await
        .expect("visible");
    assert!(!seen.can_edit);

    let edit = decode::<PostView>(
        app.call_with::<UpdatePost>(
            &other,
            &[
                ("post_id", &id),
                ("body", "hacked"),
                ("visibility", "public"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(edit, Err(AppError::Forbidden));
    let delete = decode::<()>(
        app.call_with::<DeletePost>(&other, &[("post_id", &id)])
            .await,
    )
    .await;
    assert_eq!(delete, Err(AppError::Forbidden));

    let unchanged: PostView = decode(
        app.call_with::<GetPost>(&app.client, &[("post_id", &id)])
            .await,
    )
    .await
    .expect("still there");
    assert_eq!(unchanged.body, "original");
    assert_eq!(unchanged.edited_at_ms, None);

    // The author can.
    let edited: PostView = decode(
        app.call_with::<UpdatePost>(
            &app.client,
            &[
                ("post_id", &id),
                ("body", "edited"),
                ("visibility", "public"),
            ],
        )
        .await,
    )
    .await
    .expect("edit");
    assert_eq!(edited.body, "edited");
    assert!(edited.edited_at_ms.is_some());
    decode::<()>(
        app.call_with::<DeletePost>(&app.client, &[("post_id", &id)])
            .await,
    )
    .await
    .expect("delete");
    let gone = decode::<PostView>(
        app.call_with::<GetPost>(&app.client, &[("post_id", &id)])
            .await,
    )
    .await;
    assert_eq!(gone, Err(AppError::NotFound));
}

#[tokio::test]
async fn feed_pages_by_cursor_newest_first_without_gaps_or_repeats() {
    let app = spawn_app().await;
    app.sign_up(&TestUser::new("paul")).await.expect("sign up");
    for i in 0..45 {
        app.create_post_with(&app.client, &format!("post {i}"))
            .await
            .expect("post");
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let form: Vec<(&str, &str)> = cursor
            .as_deref()
            .map(|c| vec![("cursor", c)])
            .unwrap_or_default();
        let page: FeedPage = decode(app.call_with::<ListFeed>(&app.client, &form).await)
            .await
            .expect("page");
        assert!(page.posts.len() <= FEED_PAGE_SIZE as usize);
        // Every page but the last is full.
        assert!(page.next_cursor.is_none() || page.posts.len() == FEED_PAGE_SIZE as usize);
        seen.extend(page.posts.iter().map(|p| p.body.clone()));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let expected: Vec<String> = (0..45).rev().map(|i| format!("post {i}")).collect();
    assert_eq!(seen, expected);

    let bad = decode::<FeedPage>(
        app.call_with::<ListFeed>(&app.client, &[("cursor", "zzz")])
            .await,
    )
    .await;
    assert!(
        bad.expect_err("should fail")
            .field_message("cursor")
            .is_some()
    );
}

#[tokio::test]
async fn a_profile_lists_only_its_owners_posts() {
    let app = spawn_app().await;
    app.sign_up(&TestUser::new("quinn")).await.expect("a");
    let mine = app
        .create_post_as(&app.client, "by quinn", "public")
        .await
        .expect("post");
    let other = new_client();
    app.sign_up_with(&other, &TestUser::new("rosa"))
        .await
        .expect("b");
    app.create_post_as(&other, "by rosa", "public")
        .await
        .expect("post");
    let author = mine.author.id.to_string();
    let page: FeedPage = decode(
        app.call_with::<ListUserPosts>(&other, &[("user_id", &author)])
            .await,
    )
    .await
    .expect("page");
    let bodies: Vec<_> = page.posts.iter().map(|p| p.body.as_str()).collect();
    assert_eq!(bodies, ["by quinn"]);
}

#[tokio::test]
async fn profile_edits_are_validated_and_owner_only() {
    use app::models::ProfileView;
    use app::server_fns::profiles::{GetProfile, UpdateProfile};
    let app = spawn_app().await;
    app.sign_up(&TestUser::new("sara")).await.expect("sign up");
    decode::<()>(
        app.call_with::<UpdateProfile>(
            &app.client,
            &[("display_name", "Sara S."), ("bio", "Hello!")],
        )
        .await,
    )
    .await
    .expect("update");
    let long_bio = "x".repeat(301);
    let err = decode::<()>(
        app.call_with::<UpdateProfile>(
            &app.client,
            &[("display_name", "Sara"), ("bio", &long_bio)],
        )
        .await,
    )
    .await
    .expect_err("should fail");
    assert!(err.field_message("bio").is_some());

    let other = new_client();
    app.sign_up_with(&other, &TestUser::new("tom"))
        .await
        .expect("other");
    let seen: ProfileView = decode(
        app.call_with::<GetProfile>(&other, &[("username", "SARA")])
            .await,
    )
    .await
    .expect("profile");
    assert_eq!(seen.display_name, "Sara S.");
    assert_eq!(seen.bio, "Hello!");
    assert!(!seen.is_owner);
    let missing = decode::<ProfileView>(
        app.call_with::<GetProfile>(&other, &[("username", "nobody")])
            .await,
    )
    .await;
    assert_eq!(missing, Err(AppError::NotFound));
}
