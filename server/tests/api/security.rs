use crate::helpers::{TestUser, sign_up_form, spawn_app};
use app::db::entities::users;
use app::server_fns::auth::SignUp;
use leptos::server_fn::ServerFn;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

#[tokio::test]
async fn cross_origin_posts_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let user = TestUser::new("victim");
    for (header, value) in [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
        ("origin", "null"),
    ] {
        let resp = app
            .client
            .post(app.url(SignUp::PATH))
            .header(header, value)
            .form(&sign_up_form(&user))
            .send()
            .await
            .expect("request");
        assert_eq!(resp.status(), 403, "{header}: {value}");
    }
    assert_eq!(
        users::Entity::find()
            .filter(users::Column::Id.ne(app::services::accounts::GHOST_USER_ID))
            .count(&app.state.db)
            .await
            .expect("count"),
        0
    );

    // The same request from the site itself goes through.
    let resp = app
        .client
        .post(app.url(SignUp::PATH))
        .header("origin", format!("http://{}", app.addr))
        .header("sec-fetch-site", "same-origin")
        .form(&sign_up_form(&user))
        .send()
        .await
        .expect("request");
    assert!(resp.status().is_success(), "{}", resp.status());
    assert_eq!(
        users::Entity::find()
            .filter(users::Column::Id.ne(app::services::accounts::GHOST_USER_ID))
            .count(&app.state.db)
            .await
            .expect("count"),
        1
    );
}

#[tokio::test]
async fn cross_origin_gets_still_render() {
    let app = spawn_app().await;
    let resp = app
        .client
        .get(app.url("/"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn pages_render_on_the_server_and_escape_user_text() {
    let app = spawn_app().await;
    let html = app
        .client
        .get(app.url("/"))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(
        html.contains("Welcome to Hearth"),
        "signed-out home is the landing page"
    );

    app.sign_up(&TestUser::new("wren")).await.expect("sign up");
    let post = app
        .create_post_with(&app.client, "<b>bold</b> see https://example.com/x")
        .await
        .expect("post");
    let html = app
        .client
        .get(app.url("/"))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(
        html.contains("&lt;b&gt;bold&lt;/b&gt;"),
        "user text escaped"
    );
    assert!(!html.contains("<b>bold"), "no raw user HTML");
    assert!(
        html.contains(r#"href="https://example.com/x""#),
        "links made clickable"
    );

    let permalink = app
        .client
        .get(app.url(&format!("/p/{}", post.id)))
        .send()
        .await
        .expect("get");
    assert_eq!(permalink.status(), 200);
    let missing = app
        .client
        .get(app.url("/p/999999"))
        .send()
        .await
        .expect("get");
    assert_eq!(missing.status(), 404);
    let profile = app
        .client
        .get(app.url("/u/WREN"))
        .send()
        .await
        .expect("get");
    assert_eq!(profile.status(), 200);
    assert!(profile.text().await.expect("body").contains("@wren"));
}

#[tokio::test]
async fn user_text_cannot_break_out_of_a_textarea() {
    let app = spawn_app().await;
    app.sign_up(&TestUser::new("xavi")).await.expect("sign up");
    // The author's edit box holds the text in a <textarea>.
    app.create_post_with(&app.client, "</textarea><img src=x onerror=alert(1)>")
        .await
        .expect("post");
    use app::server_fns::profiles::UpdateProfile;
    use leptos::server_fn::ServerFn as _;
    let resp = app
        .client
        .post(app.url(UpdateProfile::PATH))
        .form(&[
            ("display_name", "Xavi"),
            ("bio", "</textarea><script>alert(2)</script>"),
        ])
        .send()
        .await
        .expect("update");
    assert!(resp.status().is_success());
    for path in ["/", "/u/xavi"] {
        let html = app
            .client
            .get(app.url(path))
            .send()
            .await
            .expect("get")
            .text()
            .await
            .expect("body");
        assert!(!html.contains("<img src=x"), "{path}: raw HTML from a post");
        assert!(
            !html.contains("<script>alert(2)"),
            "{path}: raw HTML from a bio"
        );
    }
}

#[tokio::test]
async fn server_function_errors_carry_their_http_status() {
    use app::server_fns::posts::{CreatePost, GetPost};
    let app = spawn_app().await;
    let anon = app
        .call_with::<GetPost>(&app.client, &[("post_id", "1")])
        .await;
    assert_eq!(anon.status(), 401);
    app.sign_up(&TestUser::new("stat_user"))
        .await
        .expect("sign up");
    let missing = app
        .call_with::<GetPost>(&app.client, &[("post_id", "999")])
        .await;
    assert_eq!(missing.status(), 404);
    let empty = app
        .call_with::<CreatePost>(&app.client, &[("body", "  ")])
        .await;
    assert_eq!(empty.status(), 422);
    let body: app::error::AppError = empty.json().await.expect("AppError body");
    assert!(body.field_message("body").is_some());
    let dup = app
        .sign_up_raw(&crate::helpers::new_client(), &TestUser::new("stat_user"))
        .await;
    assert_eq!(dup.status(), 422);
}
