//! Refuses state-changing requests from other sites (CSRF defence in depth
//! beside `SameSite=Lax` cookies), following the Fetch Metadata approach
//! (W3C "Fetch Metadata Request Headers"; OWASP CSRF Prevention Cheat Sheet):
//! trust `Sec-Fetch-Site` when the browser sends it, else compare `Origin`
//! with `Host`. Requests with neither (curl, server-to-server) carry no
//! ambient browser credentials and pass.

use app::error::AppError;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Whether a request comes from another site. `allowed_origin` is an extra
/// origin to accept (the public URL behind a proxy).
pub fn is_cross_site(headers: &HeaderMap, allowed_origin: Option<&str>) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return !matches!(site.as_bytes(), b"same-origin" | b"none");
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else {
        return false;
    };
    if allowed_origin == Some(origin) {
        return false;
    }
    let origin_host = origin.split_once("://").map(|(_, h)| h);
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    match (origin_host, host) {
        (Some(o), Some(h)) => !o.eq_ignore_ascii_case(h),
        _ => true,
    }
}

/// Middleware: `403` with [`AppError::Forbidden`] as JSON for a cross-site
/// request whose method is not GET, HEAD or OPTIONS.
pub async fn refuse_cross_site(
    State(allowed_origin): State<Option<String>>,
    req: Request,
    next: Next,
) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && is_cross_site(req.headers(), allowed_origin.as_deref()) {
        tracing::warn!(
            path = %req.uri().path(),
            origin = ?req.headers().get(header::ORIGIN),
            "refused a cross-site request"
        );
        return (StatusCode::FORBIDDEN, axum::Json(AppError::Forbidden)).into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        assert!(!is_cross_site(
            &headers(&[("sec-fetch-site", "same-origin")]),
            None
        ));
        assert!(!is_cross_site(
            &headers(&[("sec-fetch-site", "none")]),
            None
        ));
        assert!(is_cross_site(
            &headers(&[("sec-fetch-site", "cross-site")]),
            None
        ));
        assert!(is_cross_site(
            &headers(&[("sec-fetch-site", "same-site")]),
            None
        ));
    }

    #[test]
    fn origin_must_match_host() {
        let same = headers(&[
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000"),
        ]);
        assert!(!is_cross_site(&same, None));
        let other = headers(&[
            ("origin", "https://evil.example"),
            ("host", "127.0.0.1:3000"),
        ]);
        assert!(is_cross_site(&other, None));
        assert!(!is_cross_site(&other, Some("https://evil.example")));
        assert!(is_cross_site(
            &headers(&[("origin", "null"), ("host", "a")]),
            None
        ));
        assert!(!is_cross_site(&headers(&[("host", "a")]), None));
    }
}
