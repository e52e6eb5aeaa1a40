//! Security headers (CSP with a per-response nonce, nosniff, referrer and
//! permissions policies, no-store, HSTS) and trusted-proxy handling
//! (`HEARTH_TRUSTED_PROXIES`: the client IP from `X-Forwarded-For`, https
//! from `X-Forwarded-Proto`, only from a trusted peer).

use crate::helpers::{
    TestApp, TestUser, decode, session_cookie, sign_up_form, spawn_app, spawn_app_with,
};
use app::error::AppError;
use app::models::LogInStep;
use leptos::server_fn::ServerFn as _;
use reqwest::header::HeaderMap;

/// Trusts the test client's own address, 127.0.0.1, as a proxy.
fn behind_local_proxy(c: &mut server::config::Config) {
    c.trusted_proxies = "127.0.0.1/32".parse().expect("valid list");
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).map(|v| v.to_str().expect("ascii header"))
}

/// The nonce in a Content-Security-Policy's `script-src`.
fn nonce_of(csp: &str) -> String {
    let start = csp.find("'nonce-").expect("a nonce in the CSP") + "'nonce-".len();
    let len = csp[start..].find('\'').expect("closing quote");
    csp[start..start + len].to_owned()
}

/// The opening `<script ...>` tags of a page.
fn script_tags(html: &str) -> Vec<&str> {
    html.match_indices("<script")
        .map(|(i, _)| {
            let end = html[i..].find('>').expect("tag ends");
            &html[i..=i + end]
        })
        .collect()
}

async fn page(app: &TestApp, path: &str) -> (HeaderMap, String) {
    let resp = app.client.get(app.url(path)).send().await.expect("get");
    assert!(resp.status().is_success(), "{path}: {}", resp.status());
    let headers = resp.headers().clone();
    (headers, resp.text().await.expect("body"))
}

async fn log_in_from(
    app: &TestApp,
    forwarded_for: Option<&str>,
    login: &str,
) -> Result<LogInStep, AppError> {
    let mut req = app
        .client
        .post(app.url(app::server_fns::auth::LogIn::PATH))
        .form(&[("login", login), ("password", "whatever12345")]);
    if let Some(ip) = forwarded_for {
        req = req.header("x-forwarded-for", ip);
    }
    decode(req.send().await.expect("log in")).await
}

#[tokio::test]
async fn pages_have_a_csp_whose_fresh_nonce_the_inline_scripts_carry() {
    let app = spawn_app().await;
    let (h1, body1) = page(&app, "/").await;
    let (h2, _) = page(&app, "/").await;
    let csp1 = header(&h1, "content-security-policy").expect("CSP on /");
    let csp2 = header(&h2, "content-security-policy").expect("CSP on /");
    let (n1, n2) = (nonce_of(csp1), nonce_of(csp2));
    assert!(n1.len() >= 22, "128 bits of nonce: {n1}");
    assert_ne!(n1, n2, "every response has its own nonce");
    // Exactly the policy the server documents.
    let host = app.addr.to_string();
    assert_eq!(
        csp1,
        server::headers::content_security_policy(Some(&n1), std::slice::from_ref(&host))
    );
    for part in [
        "default-src 'self'",
        &format!("script-src 'self' 'nonce-{n1}' 'wasm-unsafe-eval'"),
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        &format!("connect-src 'self' ws://{host} wss://{host}"),
        "form-action 'self'",
    ] {
        assert!(csp1.split("; ").any(|d| d == part), "{part:?} in {csp1}");
    }
    // Every <script> of the page (the hydration script, the serialized
    // resources) carries this response's nonce.
    let tags = script_tags(&body1);
    assert!(!tags.is_empty(), "the page has scripts");
    for tag in tags {
        assert!(tag.contains(&format!("nonce=\"{n1}\"")), "{tag}");
    }
    // Pages that aren't found get one too.
    let resp = app
        .client
        .get(app.url("/no/such/page"))
        .send()
        .await
        .expect("get");
    let csp = header(resp.headers(), "content-security-policy")
        .expect("CSP on 404")
        .to_owned();
    let body = resp.text().await.expect("body");
    let n = nonce_of(&csp);
    for tag in script_tags(&body) {
        assert!(tag.contains(&format!("nonce=\"{n}\"")), "{tag}");
    }
}

#[tokio::test]
async fn pages_and_server_functions_are_no_store_with_the_other_headers() {
    let app = spawn_app().await;
    for path in ["/", "/forgot-password", "/people", "/no/such/page"] {
        let resp = app.client.get(app.url(path)).send().await.expect("get");
        let h = resp.headers();
        assert_eq!(header(h, "cache-control"), Some("no-store"), "{path}");
        assert_eq!(
            header(h, "x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            header(h, "referrer-policy"),
            Some("strict-origin-when-cross-origin"),
            "{path}"
        );
        assert_eq!(
            header(h, "permissions-policy"),
            Some("camera=(self), microphone=(self), geolocation=()"),
            "{path}"
        );
        // Plain http: no HSTS.
        assert_eq!(header(h, "strict-transport-security"), None, "{path}");
    }
    // A server function's answer (personal data).
    let resp = app
        .client
        .post(app.url(app::server_fns::auth::SignUp::PATH))
        .form(&sign_up_form(&TestUser::new("nostore")))
        .send()
        .await
        .expect("sign up");
    assert!(resp.status().is_success());
    assert_eq!(header(resp.headers(), "cache-control"), Some("no-store"));
    assert_eq!(
        header(resp.headers(), "x-content-type-options"),
        Some("nosniff")
    );
}

#[tokio::test]
async fn static_assets_are_not_no_store_and_media_keep_their_caching() {
    let app = spawn_app().await;
    for path in [
        "/favicon.svg",
        "/pkg/hearth.css",
        "/pkg/hearth.js",
        "/vendor/hls.min.js",
        "/img/x.png",
    ] {
        let resp = app.client.get(app.url(path)).send().await.expect("get");
        let h = resp.headers();
        assert!(
            !header(h, "cache-control").is_some_and(|c| c.contains("no-store")),
            "{path}: {:?}",
            h.get("cache-control")
        );
        assert_eq!(
            header(h, "x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
    }
    // Photos: `private, no-cache` with an ETag, and 304s untouched.
    let ana = app.person("ana_headers").await;
    let photo = crate::media::upload(&app, &ana.client, "post", 64, 48).await;
    let resp = ana
        .client
        .get(app.url(&photo.url(160)))
        .send()
        .await
        .expect("photo");
    assert_eq!(resp.status(), 200);
    assert_eq!(
        header(resp.headers(), "cache-control"),
        Some("private, no-cache")
    );
    let etag = header(resp.headers(), "etag").expect("etag").to_owned();
    let again = ana
        .client
        .get(app.url(&photo.url(160)))
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("revalidate");
    assert_eq!(again.status(), 304);
    assert_eq!(
        header(again.headers(), "cache-control"),
        Some("private, no-cache")
    );
}

#[tokio::test]
async fn x_forwarded_for_from_an_untrusted_peer_is_ignored() {
    let app = spawn_app().await;
    // 25 attempts, each "from" another address: all count for 127.0.0.1.
    for i in 0..25 {
        let res = log_in_from(&app, Some(&format!("203.0.113.{i}")), &format!("nobody{i}")).await;
        assert_eq!(res, Err(AppError::InvalidCredentials), "attempt {i}");
    }
    let res = log_in_from(&app, Some("198.51.100.99"), "nobody").await;
    assert!(matches!(res, Err(AppError::RateLimited { .. })), "{res:?}");
    let res = log_in_from(&app, None, "nobody").await;
    assert!(matches!(res, Err(AppError::RateLimited { .. })), "{res:?}");
}

#[tokio::test]
async fn x_forwarded_for_from_a_trusted_proxy_names_the_client() {
    let app = spawn_app_with(behind_local_proxy).await;
    for i in 0..25 {
        // A spoofed first entry is skipped: the proxy's own entry counts.
        let res = log_in_from(&app, Some("192.0.2.1, 203.0.113.7"), &format!("nobody{i}")).await;
        assert_eq!(res, Err(AppError::InvalidCredentials), "attempt {i}");
    }
    let res = log_in_from(&app, Some("203.0.113.7"), "nobody").await;
    assert!(matches!(res, Err(AppError::RateLimited { .. })), "{res:?}");
    // Other clients behind the proxy, and the proxy itself, are untouched.
    assert_eq!(
        log_in_from(&app, Some("203.0.113.8"), "nobody").await,
        Err(AppError::InvalidCredentials)
    );
    assert_eq!(
        log_in_from(&app, Some("192.0.2.1"), "nobody").await,
        Err(AppError::InvalidCredentials)
    );
    assert_eq!(
        log_in_from(&app, None, "nobody").await,
        Err(AppError::InvalidCredentials)
    );
    // RFC 7239 `Forwarded` works too when there is no X-Forwarded-For.
    for i in 0..25 {
        let res = app
            .client
            .post(app.url(app::server_fns::auth::LogIn::PATH))
            .header("forwarded", "for=\"[2001:db8::7]:4711\";proto=https")
            .form(&[
                ("login", format!("nobody{i}").as_str()),
                ("password", "whatever12345"),
            ])
            .send()
            .await
            .expect("log in");
        assert_eq!(
            decode::<LogInStep>(res).await,
            Err(AppError::InvalidCredentials)
        );
    }
    let res = app
        .client
        .post(app.url(app::server_fns::auth::LogIn::PATH))
        .header("forwarded", "for=\"[2001:db8::8]\"")
        .form(&[("login", "nobody"), ("password", "whatever12345")])
        .send()
        .await
        .expect("log in");
    // Same /64 as 2001:db8::7: limited together.
    assert!(matches!(
        decode::<LogInStep>(res).await,
        Err(AppError::RateLimited { .. })
    ));
}

#[tokio::test]
async fn the_session_records_the_forwarded_client_address() {
    let app = spawn_app_with(behind_local_proxy).await;
    let user = TestUser::new("viaproxy");
    let resp = app
        .client
        .post(app.url(app::server_fns::auth::SignUp::PATH))
        .header("x-forwarded-for", "203.0.113.50")
        .form(&sign_up_form(&user))
        .send()
        .await
        .expect("sign up");
    assert!(resp.status().is_success(), "{}", resp.status());
    use sea_orm::EntityTrait as _;
    let sessions = app::db::entities::sessions::Entity::find()
        .all(&app.state.db)
        .await
        .expect("sessions");
    let recorded = sessions.iter().any(|s| s.data.contains("203.0.113.50"));
    assert!(
        recorded,
        "the session's IP is the forwarded one: {sessions:?}"
    );
}

#[tokio::test]
async fn https_through_a_trusted_proxy_means_secure_cookies_and_hsts() {
    let app = spawn_app_with(behind_local_proxy).await;
    let resp = app
        .client
        .post(app.url(app::server_fns::auth::SignUp::PATH))
        .header("x-forwarded-proto", "https")
        .form(&sign_up_form(&TestUser::new("tlsproxy")))
        .send()
        .await
        .expect("sign up");
    assert!(resp.status().is_success());
    let cookie = session_cookie(&resp).expect("session cookie");
    assert!(cookie.contains("; Secure"), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert_eq!(
        header(resp.headers(), "strict-transport-security"),
        Some("max-age=31536000")
    );
    // The same proxy forwarding plain http: no Secure, no HSTS.
    let resp = crate::helpers::new_client()
        .post(app.url(app::server_fns::auth::SignUp::PATH))
        .header("x-forwarded-proto", "http")
        .form(&sign_up_form(&TestUser::new("plainproxy")))
        .send()
        .await
        .expect("sign up");
    let cookie = session_cookie(&resp).expect("session cookie");
    assert!(!cookie.contains("Secure"), "{cookie}");
    assert_eq!(header(resp.headers(), "strict-transport-security"), None);
}

#[tokio::test]
async fn x_forwarded_proto_from_an_untrusted_peer_is_ignored() {
    let app = spawn_app().await;
    let resp = app
        .client
        .post(app.url(app::server_fns::auth::SignUp::PATH))
        .header("x-forwarded-proto", "https")
        .form(&sign_up_form(&TestUser::new("spoofedtls")))
        .send()
        .await
        .expect("sign up");
    let cookie = session_cookie(&resp).expect("session cookie");
    assert!(!cookie.contains("Secure"), "{cookie}");
    assert_eq!(header(resp.headers(), "strict-transport-security"), None);
}

#[tokio::test]
async fn an_https_public_url_means_hsts() {
    let app = spawn_app_with(|c| c.public_url = Some("https://hearth.example".into())).await;
    let resp = app.client.get(app.url("/")).send().await.expect("get");
    assert_eq!(
        header(resp.headers(), "strict-transport-security"),
        Some("max-age=31536000")
    );
    // The public host may open the live socket too.
    let csp = header(resp.headers(), "content-security-policy").expect("CSP");
    assert!(csp.contains("wss://hearth.example"), "{csp}");
}

#[tokio::test]
async fn pkg_files_go_out_precompressed_and_revalidated_when_unhashed() {
    let site = tempfile::tempdir().expect("site root");
    let pkg = site.path().join("pkg");
    std::fs::create_dir_all(&pkg).expect("pkg dir");
    let js = "console.log('hearth');\n".repeat(200);
    std::fs::write(pkg.join("t.js"), &js).expect("js");
    // Stand-ins for what cargo-leptos --precompress writes beside it.
    std::fs::write(pkg.join("t.js.br"), b"brotli bytes").expect("br");
    std::fs::write(pkg.join("t.js.gz"), b"gzip bytes").expect("gz");
    let root = site.path().display().to_string();
    let app = spawn_app_with(|c| c.site_root = Some(root)).await;

    let get = |encoding: &'static str| {
        app.client
            .get(app.url("/pkg/t.js"))
            .header("accept-encoding", encoding)
            .send()
    };
    let br = get("gzip, br").await.expect("get");
    assert_eq!(header(br.headers(), "content-encoding"), Some("br"));
    // The test binary has no hash.txt beside it: names aren't hashed, so
    // browsers revalidate instead of keeping the file for a year.
    assert_eq!(header(br.headers(), "cache-control"), Some("no-cache"));
    assert_eq!(br.bytes().await.expect("body").as_ref(), b"brotli bytes");
    let gz = get("gzip").await.expect("get");
    assert_eq!(header(gz.headers(), "content-encoding"), Some("gzip"));
    assert_eq!(gz.bytes().await.expect("body").as_ref(), b"gzip bytes");
    let plain = get("identity").await.expect("get");
    assert_eq!(header(plain.headers(), "content-encoding"), None);
    assert_eq!(plain.text().await.expect("body"), js);
}

#[tokio::test]
async fn pages_are_compressed_on_the_fly_for_browsers_that_accept_it() {
    let app = spawn_app().await;
    let get = |encoding: &'static str| {
        app.client
            .get(app.url("/"))
            .header("accept-encoding", encoding)
            .send()
    };
    let plain = get("identity").await.expect("get");
    assert_eq!(header(plain.headers(), "content-encoding"), None);
    let html = plain.text().await.expect("body");
    assert!(html.contains("Log in"), "the log-in page");

    let br = get("gzip, deflate, br").await.expect("get");
    assert_eq!(header(br.headers(), "content-encoding"), Some("br"));
    let packed = br.bytes().await.expect("body");
    assert!(
        packed.len() * 2 < html.len(),
        "{} of {}",
        packed.len(),
        html.len()
    );
    let mut unpacked = Vec::new();
    brotli::BrotliDecompress(&mut packed.as_ref(), &mut unpacked).expect("valid brotli");
    let unpacked = String::from_utf8(unpacked).expect("UTF-8");
    // The same page (its CSP nonce differs per request, so not byte for byte).
    assert!(unpacked.starts_with("<!DOCTYPE html>"), "{unpacked:.80}");
    assert!(unpacked.contains("Log in"));
}
