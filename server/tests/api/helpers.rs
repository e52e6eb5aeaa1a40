//! Spawning the app and calling its server functions.

use app::error::AppError;
use app::state::AppState;
use leptos::server_fn::ServerFn;
use server::Application;
use server::config::Config;
use std::net::SocketAddr;

/// A running app with its own database and a cookie-keeping client.
pub struct TestApp {
    pub addr: SocketAddr,
    pub state: AppState,
    pub client: reqwest::Client,
    pub _dir: tempfile::TempDir,
}

/// A user the tests sign up.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub username: String,
    pub email: String,
    pub password: String,
}

impl TestUser {
    pub fn new(username: &str) -> Self {
        Self {
            username: username.to_owned(),
            email: format!("{}@example.com", username.to_lowercase()),
            password: "correct horse battery".to_owned(),
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(configure: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
    let mut config = Config::for_tests(url);
    configure(&mut config);
    let application = Application::build(&config).await.expect("build app");
    let addr = application.local_addr().expect("addr");
    let state = application.state().clone();
    tokio::spawn(application.run_until_stopped());
    TestApp {
        addr,
        state,
        client: new_client(),
        _dir: dir,
    }
}

/// A cookie-keeping client that doesn't follow redirects. Every request
/// gives up after 30 s, so a response that never ends fails its test
/// instead of hanging the suite.
pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .timeout(std::time::Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// POSTs a form to server function `S` with `client`.
    pub async fn call_with<S: ServerFn>(
        &self,
        client: &reqwest::Client,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        client
            .post(self.url(S::PATH))
            .form(form)
            .send()
            .await
            .expect("request")
    }

    /// POSTs a form to server function `S` with the default client and
    /// decodes the result.
    pub async fn call<S, T>(&self, form: &[(&str, &str)]) -> Result<T, AppError>
    where
        S: ServerFn,
        T: serde::de::DeserializeOwned,
    {
        decode(self.call_with::<S>(&self.client, form).await).await
    }

    /// POSTs the sign-up form for `user` and returns the raw response.
    pub async fn sign_up_raw(
        &self,
        client: &reqwest::Client,
        user: &TestUser,
    ) -> reqwest::Response {
        client
            .post(self.url(app::server_fns::auth::SignUp::PATH))
            .form(&sign_up_form(user))
            .send()
            .await
            .expect("request")
    }

    pub async fn sign_up_with(
        &self,
        client: &reqwest::Client,
        user: &TestUser,
    ) -> Result<(), AppError> {
        decode(self.sign_up_raw(client, user).await).await
    }

    pub async fn sign_up(&self, user: &TestUser) -> Result<(), AppError> {
        self.sign_up_with(&self.client, user).await
    }

    pub async fn log_in_with(
        &self,
        client: &reqwest::Client,
        login: &str,
        password: &str,
    ) -> Result<(), AppError> {
        decode(
            self.call_with::<app::server_fns::auth::LogIn>(
                client,
                &[("login", login), ("password", password)],
            )
            .await,
        )
        .await
    }

    /// Posts `body` with the default visibility (Friends).
    pub async fn create_post_with(
        &self,
        client: &reqwest::Client,
        body: &str,
    ) -> Result<app::models::PostView, AppError> {
        decode(
            self.call_with::<app::server_fns::posts::CreatePost>(client, &[("body", body)])
                .await,
        )
        .await
    }

    /// Posts `body` seen by `visibility` (`public`, `friends`, `only_me`).
    pub async fn create_post_as(
        &self,
        client: &reqwest::Client,
        body: &str,
        visibility: &str,
    ) -> Result<app::models::PostView, AppError> {
        decode(
            self.call_with::<app::server_fns::posts::CreatePost>(
                client,
                &[("body", body), ("visibility", visibility)],
            )
            .await,
        )
        .await
    }

    /// Calls a server function taking `user_id` (friend requests, follows,
    /// blocks) with `client`.
    pub async fn with_user<S: ServerFn, T: serde::de::DeserializeOwned>(
        &self,
        client: &reqwest::Client,
        user: app::ids::UserId,
    ) -> Result<T, AppError> {
        decode(
            self.call_with::<S>(client, &[("user_id", &user.to_string())])
                .await,
        )
        .await
    }

    /// The signed-in user of `client`.
    pub async fn me(&self, client: &reqwest::Client) -> app::models::CurrentUser {
        let me: Option<app::models::CurrentUser> = decode(
            self.call_with::<app::server_fns::auth::GetCurrentUser>(client, &[])
                .await,
        )
        .await
        .expect("me");
        me.expect("signed in")
    }
}

/// The sign-up form's fields for `user` (first name "Test", last name the
/// username).
pub fn sign_up_form(user: &TestUser) -> Vec<(&'static str, String)> {
    vec![
        ("username", user.username.clone()),
        ("email", user.email.clone()),
        ("first_name", "Test".into()),
        ("last_name", user.username.clone()),
        ("password", user.password.clone()),
        ("password_confirm", user.password.clone()),
    ]
}

/// A server function's JSON result or its `AppError`.
pub async fn decode<T: serde::de::DeserializeOwned>(
    resp: reqwest::Response,
) -> Result<T, AppError> {
    let status = resp.status();
    let text = resp.text().await.expect("body");
    if status.is_success() {
        Ok(serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad body {text:?}: {e}")))
    } else {
        Err(serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("bad error {status} {text:?}: {e}")))
    }
}

/// The `hearth_session` cookie value in a response, if set.
pub fn session_cookie(resp: &reqwest::Response) -> Option<String> {
    resp.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{}=", server::SESSION_COOKIE)))
        .map(str::to_owned)
}

/// A signed-up person with their own cookie jar, and the raw
/// `name=value` session cookie for hand-made (WebSocket) requests.
#[derive(Debug, Clone)]
pub struct Person {
    pub client: reqwest::Client,
    pub id: app::ids::UserId,
    pub username: String,
    pub display_name: String,
    pub cookie: String,
}

impl TestApp {
    /// Signs up `name` with a fresh client.
    pub async fn person(&self, name: &str) -> Person {
        let client = new_client();
        let resp = self.sign_up_raw(&client, &TestUser::new(name)).await;
        let cookie = session_cookie(&resp)
            .expect("session cookie")
            .split(';')
            .next()
            .expect("pair")
            .to_owned();
        decode::<()>(resp).await.expect("sign up");
        let me = self.me(&client).await;
        Person {
            client,
            id: me.id,
            username: me.username,
            display_name: me.display_name,
            cookie,
        }
    }

    /// Calls server function `S` as `who` and decodes the result.
    pub async fn call_as<S, T>(&self, who: &Person, form: &[(&str, &str)]) -> Result<T, AppError>
    where
        S: ServerFn,
        T: serde::de::DeserializeOwned,
    {
        decode(self.call_with::<S>(&who.client, form).await).await
    }

    /// Makes `a` and `b` friends (`a` asks, `b` accepts).
    pub async fn befriend(&self, a: &Person, b: &Person) {
        let _: app::models::FriendState = self
            .with_user::<app::server_fns::social::SendFriendRequest, _>(&a.client, b.id)
            .await
            .expect("friend request");
        self.with_user::<app::server_fns::social::AcceptFriendRequest, ()>(&b.client, a.id)
            .await
            .expect("accept");
    }
}
