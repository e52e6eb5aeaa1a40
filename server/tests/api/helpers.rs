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
    /// The app's PostgreSQL database, dropped with it (PostgreSQL runs).
    pub _pg: Option<FreshPostgres>,
}

/// The database the test apps run on: SQLite (the default), or PostgreSQL
/// under `HEARTH_TEST_BACKEND=postgres` (each app then gets a fresh
/// database on the test server, see [`FreshPostgres`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend `HEARTH_TEST_BACKEND` asks for.
    pub fn from_env() -> Self {
        match std::env::var("HEARTH_TEST_BACKEND").as_deref() {
            Err(_) | Ok("" | "sqlite") => Self::Sqlite,
            Ok("postgres" | "postgresql" | "pg") => Self::Postgres,
            Ok(other) => panic!("HEARTH_TEST_BACKEND={other:?}: expected sqlite or postgres"),
        }
    }
}

/// The database of an external server process (`crash.rs`, `video.rs`):
/// a SQLite file in `dir`, or a fresh PostgreSQL database under
/// `HEARTH_TEST_BACKEND=postgres` (dropped when the guard drops).
pub async fn test_database_url(dir: &std::path::Path) -> (String, Option<FreshPostgres>) {
    match Backend::from_env() {
        Backend::Sqlite => (
            format!("sqlite://{}?mode=rwc", dir.join("hearth.db").display()),
            None,
        ),
        Backend::Postgres => {
            let pg = FreshPostgres::create_migrated().await;
            (pg.url(), Some(pg))
        }
    }
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

/// An app on the backend `HEARTH_TEST_BACKEND` asks for (SQLite unless
/// it says `postgres`). A `configure` that sets `database_url` itself
/// keeps its database.
pub async fn spawn_app_with(configure: impl FnOnce(&mut Config)) -> TestApp {
    spawn_app_on(Backend::from_env(), configure).await
}

/// An app on SQLite whatever `HEARTH_TEST_BACKEND` says, for tests about
/// SQLite itself.
pub async fn spawn_sqlite_app() -> TestApp {
    spawn_app_on(Backend::Sqlite, |_| {}).await
}

pub async fn spawn_app_on(backend: Backend, configure: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite_url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
    let mut config = Config::for_tests(sqlite_url.clone());
    configure(&mut config);
    let pg = if backend == Backend::Postgres && config.database_url == sqlite_url {
        let pg = FreshPostgres::create_migrated().await;
        config.database_url = pg.url();
        Some(pg)
    } else {
        None
    };
    let application = Application::build(&config).await.expect("build app");
    let addr = application.local_addr().expect("addr");
    let state = application.state().clone();
    tokio::spawn(application.run_until_stopped());
    TestApp {
        addr,
        state,
        client: new_client(),
        _dir: dir,
        _pg: pg,
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

    /// Logs in; `Ok(())` only when that signed in (no second step).
    pub async fn log_in_with(
        &self,
        client: &reqwest::Client,
        login: &str,
        password: &str,
    ) -> Result<(), AppError> {
        match self.log_in_step_with(client, login, password).await? {
            app::models::LogInStep::SignedIn => Ok(()),
            app::models::LogInStep::TwoFactor => panic!("log-in asked for a two-factor code"),
        }
    }

    /// Logs in and returns which step comes next.
    pub async fn log_in_step_with(
        &self,
        client: &reqwest::Client,
        login: &str,
        password: &str,
    ) -> Result<app::models::LogInStep, AppError> {
        decode(
            self.call_with::<app::server_fns::auth::LogIn>(
                client,
                &[("login", login), ("password", password)],
            )
            .await,
        )
        .await
    }

    /// Every mail written to the outbox (tests run without SMTP), oldest
    /// first.
    pub fn outbox(&self) -> Vec<SentMail> {
        let dir = match &self.state.mailer {
            app::mail::Mailer::Outbox(dir) => dir.clone(),
            app::mail::Mailer::Smtp { .. } => panic!("this app sends over SMTP"),
        };
        let mut files: Vec<(std::time::SystemTime, std::path::PathBuf)> = std::fs::read_dir(&dir)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                    .map(|e| {
                        let t = e
                            .metadata()
                            .and_then(|m| m.modified())
                            .unwrap_or(std::time::UNIX_EPOCH);
                        (t, e.path())
                    })
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
            .into_iter()
            .map(|(_, p)| SentMail::parse(&std::fs::read(&p).expect("read mail")))
            .collect()
    }

    /// Waits up to 15 s for a mail to `to` whose subject contains
    /// `subject`, beyond the first `skip` such mails.
    pub async fn wait_for_mail(&self, to: &str, subject: &str, skip: usize) -> SentMail {
        for _ in 0..150 {
            let found: Vec<SentMail> = self
                .outbox()
                .into_iter()
                .filter(|m| m.to == to && m.subject.contains(subject))
                .collect();
            if let Some(m) = found.into_iter().nth(skip) {
                return m;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!(
            "no mail to {to} about {subject:?}; outbox: {:?}",
            self.outbox()
        );
    }
}

/// A mail as it arrived (parsed with `mail-parser`).
#[derive(Debug, Clone)]
pub struct SentMail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl SentMail {
    pub fn parse(raw: &[u8]) -> Self {
        let m = mail_parser::MessageParser::default()
            .parse(raw)
            .expect("a parsable mail");
        Self {
            to: m
                .to()
                .and_then(|a| a.first())
                .and_then(|a| a.address())
                .unwrap_or_default()
                .to_owned(),
            subject: m.subject().unwrap_or_default().to_owned(),
            text: m.body_text(0).unwrap_or_default().into_owned(),
            html: m.body_html(0).unwrap_or_default().into_owned(),
        }
    }

    /// The token of the first link to `path` (e.g. `/reset-password`) in
    /// the text part.
    pub fn token(&self, path: &str) -> String {
        let needle = format!("{path}?token=");
        let at = self
            .text
            .find(&needle)
            .unwrap_or_else(|| panic!("no {needle} link in {:?}", self.text));
        self.text[at + needle.len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect()
    }
}

impl TestApp {
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

/// A fresh database on the test PostgreSQL server
/// (`HEARTH_TEST_POSTGRES_URL`, default the local server's `test`
/// database), dropped by [`FreshPostgres::drop_db`] or, at the latest,
/// when this value drops (a failing test too). Databases that outlived
/// their test process (killed by a timeout, say) are dropped by the next
/// run's first `create`.
pub struct FreshPostgres {
    pub admin: sea_orm::DatabaseConnection,
    pub admin_url: String,
    pub name: String,
    dropped: std::sync::atomic::AtomicBool,
}

/// The PostgreSQL server the tests use.
fn postgres_admin_url() -> String {
    std::env::var("HEARTH_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// Nanoseconds since the epoch.
fn now_nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_nanos()
}

impl FreshPostgres {
    /// Creates `{prefix}_{pid}_{nanos}`, or `None` when PostgreSQL is
    /// unreachable (a failure instead under `HEARTH_REQUIRE_POSTGRES=1`).
    pub async fn create(prefix: &str) -> Option<Self> {
        match Self::try_create(prefix, None).await {
            Ok(pg) => Some(pg),
            Err(e) => {
                assert!(
                    std::env::var("HEARTH_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                    "PostgreSQL required but unreachable at {}: {e}",
                    postgres_admin_url()
                );
                eprintln!("skipping a PostgreSQL test ({prefix}): {e}");
                None
            }
        }
    }

    /// A fresh database with every migration applied, for a test app
    /// (`HEARTH_TEST_BACKEND=postgres`): a copy of a template database
    /// migrated once per test process, which saves each app its own run
    /// of the migrations. Fails when PostgreSQL is unreachable.
    pub async fn create_migrated() -> Self {
        static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
        let template = TEMPLATE
            .get_or_init(|| async {
                let template = Self::create_required("hearth_tpl", None).await;
                app::db::connect_and_migrate(&template.url())
                    .await
                    .expect("migrate the template database")
                    .close()
                    .await
                    .expect("close");
                // Kept for the process's other apps; the next run's
                // first `create` drops it.
                template
                    .dropped
                    .store(true, std::sync::atomic::Ordering::SeqCst);
                template.name.clone()
            })
            .await;
        Self::create_required("hearth_app", Some(template)).await
    }

    /// Like [`FreshPostgres::create`] (a copy of `template` if given),
    /// failing when PostgreSQL is unreachable.
    async fn create_required(prefix: &str, template: Option<&str>) -> Self {
        Self::try_create(prefix, template)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "HEARTH_TEST_BACKEND=postgres but PostgreSQL is unreachable at {}: {e}",
                    postgres_admin_url()
                )
            })
    }

    async fn try_create(prefix: &str, template: Option<&str>) -> Result<Self, sea_orm::DbErr> {
        use sea_orm::ConnectionTrait as _;
        static SWEPT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
        let admin_url = postgres_admin_url();
        let admin = sea_orm::Database::connect(&admin_url).await?;
        if !SWEPT.swap(true, std::sync::atomic::Ordering::SeqCst) {
            drop_leftovers(&admin, &admin_url).await;
        }
        let name = format!("{prefix}_{}_{}", std::process::id(), now_nanos());
        let template = template
            .map(|t| format!(" TEMPLATE {t}"))
            .unwrap_or_default();
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}{template}"))
            .await?;
        Ok(Self {
            admin,
            admin_url,
            name,
            dropped: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// The new database's URL.
    pub fn url(&self) -> String {
        let base = self
            .admin_url
            .rsplit_once('/')
            .expect("url has a database")
            .0;
        format!("{base}/{}", self.name)
    }

    /// Drops the database, closing whatever still uses it.
    pub async fn drop_db(&self) {
        use sea_orm::ConnectionTrait as _;
        self.admin
            .execute_unprepared(&format!("DROP DATABASE {} WITH (FORCE)", self.name))
            .await
            .expect("drop database");
        self.dropped
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Drop for FreshPostgres {
    /// Drops the database unless `drop_db` did. `Drop` can't await, and
    /// the test's runtime may be single-threaded: a thread of its own with
    /// its own runtime and connection does it, and is waited for, so the
    /// database is gone before the test returns (the app still running on
    /// it is cut off by `FORCE`).
    fn drop(&mut self) {
        if self.dropped.load(std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        let dropper = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                use sea_orm::ConnectionTrait as _;
                let admin = sea_orm::Database::connect(&admin_url).await?;
                admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await?;
                admin.close().await
            })
        });
        match dropper.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("couldn't drop test database {}: {e}", self.name),
            Err(_) => eprintln!("couldn't drop test database {}: panicked", self.name),
        }
    }
}

/// Drops the test databases (`{prefix}_{pid}_{nanos}`, as
/// [`FreshPostgres::create`] names them) that earlier runs left behind:
/// those whose process is gone (judged only when the server is local,
/// where the pid means something), and any over a day old. Runs once per
/// test process.
async fn drop_leftovers(admin: &sea_orm::DatabaseConnection, admin_url: &str) {
    use sea_orm::ConnectionTrait as _;
    let local = ["@127.0.0.1", "@localhost", "@[::1]"]
        .iter()
        .any(|h| admin_url.contains(h));
    let rows = match admin
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT datname FROM pg_database WHERE datname ~ '^[a-z][a-z0-9_]*_[0-9]+_[0-9]{16,}$'",
        ))
        .await
    {
        Ok(rows) => rows,
        Err(e) => {
            eprintln!("couldn't list leftover test databases: {e}");
            return;
        }
    };
    let now = now_nanos();
    for row in rows {
        let Ok(name) = row.try_get_by_index::<String>(0) else {
            continue;
        };
        let mut parts = name.rsplitn(3, '_');
        let (Some(Ok(nanos)), Some(Ok(pid))) = (
            parts.next().map(str::parse::<u128>),
            parts.next().map(str::parse::<u32>),
        ) else {
            continue;
        };
        if pid == std::process::id() {
            continue;
        }
        let gone = local && !std::path::Path::new(&format!("/proc/{pid}")).exists();
        let old = now.saturating_sub(nanos) > 24 * 3600 * 1_000_000_000;
        if (gone || old)
            && let Err(e) = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await
        {
            eprintln!("couldn't drop leftover test database {name}: {e}");
        }
    }
}
