//! Security headers on every response.
//!
//! * `Content-Security-Policy` (see [`content_security_policy`]): scripts
//!   only from Hearth itself or inline with this response's nonce. The
//!   nonce is made here per request and handed to Leptos as a request
//!   extension (`leptos::nonce::Nonce`); the app's `shell` provides it, so
//!   the hydration script and the serialized resources carry it.
//! * `X-Content-Type-Options: nosniff`,
//!   `Referrer-Policy: strict-origin-when-cross-origin` and
//!   `Permissions-Policy: camera=(self), microphone=(self), geolocation=()`.
//! * `Cache-Control` unless the handler chose its own (the media routes
//!   answer `private, no-cache` with an ETag), see [`cache_control`]: a
//!   year and `immutable` for the hashed files under `/pkg`, a day for the
//!   other static assets (`/img`, `/vendor`, `/favicon.svg`), and
//!   `no-store` for pages and server-function answers, which carry
//!   personal data.
//! * Over https (`HEARTH_PUBLIC_URL` is https, or a trusted proxy said so
//!   with `X-Forwarded-Proto`): `Strict-Transport-Security:
//!   max-age=31536000`, and every cookie set is marked `Secure`.
//!
//! Layered inside [`crate::proxy::resolve_client`], whose
//! [`ClientConnection`] says whether the request came over https.

use crate::config::Config;
use crate::proxy::ClientConnection;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use leptos::config::LeptosOptions;
use leptos::nonce::Nonce;
use std::sync::Arc;

/// `Strict-Transport-Security` over https: one year.
pub const HSTS: &str = "max-age=31536000";
/// `Permissions-Policy`: camera and microphone for Hearth itself (taking
/// photos and videos), no geolocation.
pub const PERMISSIONS_POLICY: &str = "camera=(self), microphone=(self), geolocation=()";
/// `Referrer-Policy`.
pub const REFERRER_POLICY: &str = "strict-origin-when-cross-origin";

/// What the headers depend on besides the request.
#[derive(Debug, Clone)]
pub struct SecurityHeaders {
    /// `HEARTH_PUBLIC_URL` is https.
    public_https: bool,
    /// `host[:port]` of `HEARTH_PUBLIC_URL`, for the live socket's
    /// `connect-src` when a proxy rewrites `Host`.
    public_host: Option<String>,
    /// cargo-leptos' live-reload port under `cargo leptos watch`, whose
    /// WebSocket the `AutoReload` script opens.
    reload_port: Option<u32>,
    /// The files under `/pkg` carry content hashes in their names.
    hashed_pkg: bool,
}

impl SecurityHeaders {
    /// Settings from the configuration and Leptos' options.
    pub fn new(config: &Config, options: &LeptosOptions) -> Self {
        let public_host = config
            .public_origin()
            .and_then(|o| o.split_once("://").map(|(_, h)| h.to_owned()))
            .filter(|h| is_host(h));
        let reload_port = std::env::var_os("LEPTOS_WATCH")
            .is_some()
            .then(|| options.reload_external_port.unwrap_or(options.reload_port));
        Self {
            public_https: config.secure_cookies(),
            public_host,
            reload_port,
            hashed_pkg: options.hash_files,
        }
    }
}

/// Whether `path` is a static asset (public, cacheable, no personal data).
pub fn is_static_asset(path: &str) -> bool {
    ["/pkg", "/img", "/vendor"].iter().any(|dir| {
        path.strip_prefix(dir)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    }) || path == "/favicon.svg"
}

/// Time a browser keeps a hashed file: a year, the longest RFC 9111 lets
/// caches count on.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Time a browser keeps an unhashed static file (icons, hls.js) before
/// asking again: a day.
pub const STATIC_DAY: &str = "public, max-age=86400";

/// The default `Cache-Control` for `path` (a handler's own wins):
/// [`IMMUTABLE`] under `/pkg` when its names are hashed, `no-cache`
/// (revalidate with `Last-Modified`) there when not, [`STATIC_DAY`] for
/// the other static files, and `no-store` for everything else, which may
/// carry personal data.
pub fn cache_control(path: &str, hashed_pkg: bool) -> &'static str {
    let pkg = path == "/pkg" || path.starts_with("/pkg/");
    match (pkg, is_static_asset(path)) {
        (true, _) if hashed_pkg => IMMUTABLE,
        (true, _) => "no-cache",
        (false, true) => STATIC_DAY,
        (false, false) => "no-store",
    }
}

/// The Content-Security-Policy: scripts from Hearth (`/pkg`, hls.js from
/// `/vendor`) or inline with `nonce`, WebAssembly compilation; styles from
/// `/pkg/hearth.css` and `style` attributes (BlurHash placeholders and
/// aspect ratios are computed per photo), but no inline `<style>` elements
/// in browsers that know `style-src-elem`; images also from `data:` and
/// `blob:` (previews of photos being uploaded), media from `blob:` (hls.js
/// plays through MediaSource), workers from `blob:` (hls.js transmuxes in
/// one); the live WebSocket on `ws_hosts` (`'self'` covers same-origin
/// WebSockets only in CSP 3 browsers); no plugins, no `<base>`, forms only
/// to Hearth, and no framing.
pub fn content_security_policy(nonce: Option<&str>, ws_hosts: &[String]) -> String {
    let script_nonce = nonce.map(|n| format!(" 'nonce-{n}'")).unwrap_or_default();
    let mut connect = String::from("'self'");
    for host in ws_hosts {
        connect.push_str(&format!(" ws://{host} wss://{host}"));
    }
    format!(
        "default-src 'self'; \
         script-src 'self'{script_nonce} 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; \
         style-src-elem 'self'; \
         style-src-attr 'unsafe-inline'; \
         img-src 'self' data: blob:; \
         media-src 'self' blob:; \
         worker-src 'self' blob:; \
         connect-src {connect}; \
         object-src 'none'; \
         base-uri 'none'; \
         form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// Middleware: the headers described in the module docs.
pub async fn security_headers(
    State(settings): State<Arc<SecurityHeaders>>,
    mut req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path();
    let is_static = is_static_asset(path);
    // Decided before the handler runs: no copy of the path is kept.
    let cache = cache_control(path, settings.hashed_pkg);
    let nonce = (!is_static).then(Nonce::new);
    if let Some(nonce) = &nonce {
        req.extensions_mut().insert(nonce.clone());
    }
    let https = settings.public_https
        || req
            .extensions()
            .get::<ClientConnection>()
            .is_some_and(|c| c.forwarded_https);
    let ws_hosts = ws_hosts(&settings, req.headers());

    let mut res = next.run(req).await;
    let status = res.status();
    let headers = res.headers_mut();
    let csp = content_security_policy(nonce.as_deref(), &ws_hosts);
    if let Ok(csp) = HeaderValue::from_str(&csp) {
        headers
            .entry(header::CONTENT_SECURITY_POLICY)
            .or_insert(csp);
    }
    set_default(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set_default(headers, header::REFERRER_POLICY, REFERRER_POLICY);
    set_default(
        headers,
        HeaderName::from_static("permissions-policy"),
        PERMISSIONS_POLICY,
    );
    if status != StatusCode::NOT_MODIFIED {
        set_default(headers, header::CACHE_CONTROL, cache);
    }
    if https {
        set_default(headers, header::STRICT_TRANSPORT_SECURITY, HSTS);
        secure_cookies(headers);
    }
    res
}

fn set_default(headers: &mut HeaderMap, name: HeaderName, value: &'static str) {
    headers
        .entry(name)
        .or_insert(HeaderValue::from_static(value));
}

/// Hosts the live WebSocket may be opened on: the request's `Host` and the
/// public URL's, and the live-reload port under `cargo leptos watch`.
fn ws_hosts(settings: &SecurityHeaders, headers: &HeaderMap) -> Vec<String> {
    let mut hosts = Vec::new();
    let request_host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| is_host(h))
        .map(str::to_ascii_lowercase);
    for host in [request_host.clone(), settings.public_host.clone()]
        .into_iter()
        .flatten()
    {
        if !hosts.contains(&host) {
            hosts.push(host);
        }
    }
    if let (Some(port), Some(host)) = (settings.reload_port, request_host) {
        hosts.push(format!("{}:{port}", host_name(&host)));
    }
    hosts
}

/// `host[:port]` without anything that could end a CSP source expression.
fn is_host(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 255
        && h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
}

/// `host` of `host[:port]` (IPv6 literals keep their brackets).
fn host_name(host: &str) -> &str {
    if host.starts_with('[') {
        return host.split_inclusive(']').next().unwrap_or(host);
    }
    host.split(':').next().unwrap_or(host)
}

/// Adds `; Secure` to every `Set-Cookie` that lacks it.
fn secure_cookies(headers: &mut HeaderMap) {
    let cookies: Vec<HeaderValue> = headers
        .get_all(header::SET_COOKIE)
        .iter()
        .cloned()
        .collect();
    if cookies.is_empty() {
        return;
    }
    headers.remove(header::SET_COOKIE);
    for cookie in cookies {
        let secured = match cookie.to_str() {
            Ok(text) if !has_secure(text) => {
                HeaderValue::from_str(&format!("{text}; Secure")).unwrap_or(cookie)
            }
            _ => cookie,
        };
        headers.append(header::SET_COOKIE, secured);
    }
}

/// Whether a `Set-Cookie` value has the `Secure` attribute.
fn has_secure(set_cookie: &str) -> bool {
    set_cookie
        .split(';')
        .skip(1)
        .any(|attr| attr.trim().eq_ignore_ascii_case("secure"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_assets_are_told_apart() {
        for p in [
            "/pkg/hearth.js",
            "/pkg",
            "/img/x.png",
            "/vendor/hls.min.js",
            "/favicon.svg",
        ] {
            assert!(is_static_asset(p), "{p}");
        }
        for p in [
            "/",
            "/pkgs",
            "/api/log_in",
            "/media/k/f.jpg",
            "/images",
            "/favicon.svg/x",
        ] {
            assert!(!is_static_asset(p), "{p}");
        }
    }

    #[test]
    fn hashed_files_are_kept_for_a_year_and_pages_never() {
        assert_eq!(cache_control("/pkg/hearth.AbC.wasm", true), IMMUTABLE);
        assert_eq!(cache_control("/pkg/hearth.wasm", false), "no-cache");
        assert_eq!(cache_control("/img/icons.svg", true), STATIC_DAY);
        assert_eq!(cache_control("/favicon.svg", true), STATIC_DAY);
        assert_eq!(cache_control("/", true), "no-store");
        assert_eq!(cache_control("/api/log_in", true), "no-store");
        assert_eq!(cache_control("/pkgs", true), "no-store");
    }

    #[test]
    fn the_policy_has_the_nonce_and_the_socket_hosts() {
        let csp = content_security_policy(Some("abc"), &["h.example:3000".to_owned()]);
        assert!(
            csp.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval';"),
            "{csp}"
        );
        assert!(
            csp.contains("connect-src 'self' ws://h.example:3000 wss://h.example:3000;"),
            "{csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        let csp = content_security_policy(None, &[]);
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval';"),
            "{csp}"
        );
        assert!(csp.contains("connect-src 'self';"), "{csp}");
    }

    #[test]
    fn hosts_that_could_inject_sources_are_dropped() {
        assert!(is_host("127.0.0.1:3000"));
        assert!(is_host("[::1]:3000"));
        assert!(!is_host("evil.example; script-src *"));
        assert!(!is_host("a b"));
        assert!(!is_host(""));
        assert_eq!(host_name("[::1]:3000"), "[::1]");
        assert_eq!(host_name("h.example:3000"), "h.example");
    }

    #[test]
    fn cookies_get_secure_once() {
        let mut h = HeaderMap::new();
        h.append(
            header::SET_COOKIE,
            HeaderValue::from_static("hearth_session=x; HttpOnly; SameSite=Lax; Path=/"),
        );
        h.append(
            header::SET_COOKIE,
            HeaderValue::from_static("other=y; Secure"),
        );
        secure_cookies(&mut h);
        let all: Vec<&str> = h
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().expect("ascii"))
            .collect();
        assert_eq!(
            all,
            [
                "hearth_session=x; HttpOnly; SameSite=Lax; Path=/; Secure",
                "other=y; Secure"
            ]
        );
        // A cookie whose value merely says "Secure" still gets the attribute.
        assert!(!has_secure("Secure=1; Path=/"));
    }
}
