//! A guard against page renders that never finish.
//!
//! Leptos 0.8's server rendering of `<Suspense>` still loses a wake-up now
//! and then (about one page render in a few hundred in our integration
//! suite, on leptos 0.8.23 / reactive_graph 0.2.16; upstream reports of the
//! same class: leptos-rs/leptos#4647, #4673, #4851). The render future then
//! waits forever: the browser spins, and a test that fetches the page hangs.
//! Our pages render with `SsrMode::Async`, so nothing is sent until the
//! whole page is ready, and rendering a page only reads. A `GET` for a page
//! whose whole body hasn't been produced after [`RENDER_DEADLINE`] (the
//! stall can also come after the status line) is therefore safe to render
//! again: this middleware does that once, logs it as an error (so a
//! stall is seen, not hidden), and answers 503 with `Retry-After: 1` if the
//! second render stalls too.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Duration;

/// How long a page render may take before it is taken as stalled. Debug
/// builds under a loaded CI render a page in well under a second.
pub const RENDER_DEADLINE: Duration = Duration::from_secs(8);

/// Largest page body the guard holds (pages are tens of kilobytes).
pub const MAX_PAGE_BYTES: usize = 16 * 1024 * 1024;

/// Middleware for the page routes: renders a stalled `GET` page again once.
/// Other methods and server-function calls (`/api/...`) pass untouched.
pub async fn retry_stalled_render(req: Request, next: Next) -> Response {
    retry_stalled_with(req, RENDER_DEADLINE, |r| next.clone().run(r)).await
}

/// [`retry_stalled_render`] with the deadline and the inner service given,
/// for tests.
pub async fn retry_stalled_with<F, Fut>(req: Request, deadline: Duration, run: F) -> Response
where
    F: Fn(Request) -> Fut,
    Fut: Future<Output = Response>,
{
    let is_page = req.method() == Method::GET && !req.uri().path().starts_with("/api/");
    if !is_page {
        return run(req).await;
    }
    let (parts, _body) = req.into_parts();
    for attempt in 1..=2 {
        let again = Request::from_parts(parts.clone(), Body::empty());
        // The whole page, body included: a render can also stall after the
        // status line went out, halfway through the body.
        let whole = async {
            let (head, body) = run(again).await.into_parts();
            match axum::body::to_bytes(body, MAX_PAGE_BYTES).await {
                Ok(bytes) => Response::from_parts(head, Body::from(bytes)),
                Err(e) => {
                    tracing::error!(error = %e, "reading a rendered page");
                    StatusCode::INTERNAL_SERVER_ERROR.into_response()
                }
            }
        };
        match tokio::time::timeout(deadline, whole).await {
            Ok(res) => {
                if attempt > 1 {
                    tracing::warn!(path = %parts.uri.path(), "page rendered on the second try");
                }
                return res;
            }
            Err(_) => tracing::error!(
                path = %parts.uri.path(),
                attempt,
                "page render stalled (a lost wake-up in server rendering)"
            ),
        }
    }
    let mut res = (
        StatusCode::SERVICE_UNAVAILABLE,
        "Hearth took too long to draw this page. Please reload.",
    )
        .into_response();
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt as _;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn get(path: &str) -> Request {
        Request::builder().uri(path).body(Body::empty()).unwrap()
    }

    /// An inner service that stalls on its first `stalls` calls.
    fn stalling(
        stalls: usize,
        calls: Arc<AtomicUsize>,
    ) -> impl Fn(Request) -> std::pin::Pin<Box<dyn Future<Output = Response> + Send>> {
        move |_req| {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            Box::pin(async move {
                if n < stalls {
                    std::future::pending::<()>().await;
                }
                StatusCode::OK.into_response()
            })
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_stalled_page_is_rendered_again_once() {
        let calls = Arc::new(AtomicUsize::new(0));
        let res =
            retry_stalled_with(get("/p/1"), RENDER_DEADLINE, stalling(1, calls.clone())).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_that_stalls_after_the_status_is_rendered_again() {
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = calls.clone();
        let run = move |_req: Request| {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            Box::pin(async move {
                if n == 0 {
                    // Status and a first chunk, then nothing, forever.
                    let chunks = futures::stream::iter([Ok::<_, std::io::Error>(
                        bytes::Bytes::from_static(b"<html>"),
                    )])
                    .chain(futures::stream::pending());
                    Response::new(Body::from_stream(chunks))
                } else {
                    (StatusCode::OK, "<html>whole</html>").into_response()
                }
            }) as std::pin::Pin<Box<dyn Future<Output = Response> + Send>>
        };
        let res = retry_stalled_with(get("/u/ann"), RENDER_DEADLINE, run).await;
        assert_eq!(res.status(), StatusCode::OK);
        let body = axum::body::to_bytes(res.into_body(), 1024)
            .await
            .expect("body");
        assert_eq!(&body[..], b"<html>whole</html>");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn two_stalls_answer_503_with_retry_after() {
        let calls = Arc::new(AtomicUsize::new(0));
        let res = retry_stalled_with(get("/"), RENDER_DEADLINE, stalling(5, calls.clone())).await;
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(res.headers()[header::RETRY_AFTER], "1");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn server_functions_and_posts_are_never_repeated() {
        for req in [
            get("/api/create_post"),
            Request::builder()
                .method(Method::POST)
                .uri("/login")
                .body(Body::empty())
                .unwrap(),
        ] {
            let calls = Arc::new(AtomicUsize::new(0));
            let run = stalling(1, calls.clone());
            let res = tokio::time::timeout(
                Duration::from_secs(60),
                retry_stalled_with(req, RENDER_DEADLINE, run),
            )
            .await;
            assert!(res.is_err(), "a stalled non-page request is left alone");
            assert_eq!(calls.load(Ordering::SeqCst), 1);
        }
    }
}
