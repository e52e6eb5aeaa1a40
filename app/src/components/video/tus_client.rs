//! The tus 1.0 requests of a video upload (see [`crate::models::video`]):
//! create (`POST`), ask the offset (`HEAD`), send a chunk (`PATCH`, with
//! upload progress) and terminate (`DELETE`), over XMLHttpRequest, plus a
//! timer for backoff. Compiles on both sides, runs only in the browser.

use super::upload_math::{error_message, is_retryable, upload_metadata};
use crate::models::{TUS_VERSION, UPLOADS_PATH};
use futures::channel::oneshot;
use leptos::wasm_bindgen::JsCast as _;
use leptos::wasm_bindgen::closure::Closure;
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use web_sys::{Blob, File, ProgressEvent, XmlHttpRequest};

/// Requests other than `PATCH` give up after this long, ms.
const SHORT_TIMEOUT_MS: u32 = 30_000;

/// Why a request failed: the HTTP status (0 when no answer came) and a
/// sentence to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TusError {
    /// HTTP status, or 0 for no answer (offline, aborted, timed out).
    pub status: u16,
    /// The server's sentence, or one for the status.
    pub message: String,
}

impl TusError {
    fn from_reply(status: u16, body: &str) -> Self {
        Self {
            status,
            message: error_message(status, body),
        }
    }

    /// No answer at all.
    fn network() -> Self {
        Self::from_reply(0, "")
    }

    /// An answer the protocol doesn't allow (e.g. no `Upload-Offset`):
    /// treated as a passing server fault.
    fn malformed() -> Self {
        Self::from_reply(502, "")
    }

    /// Sending the same request again may work.
    pub fn retryable(&self) -> bool {
        is_retryable(self.status)
    }

    /// The server's offset differs from ours (`409`): ask it with `HEAD`.
    pub fn conflict(&self) -> bool {
        self.status == 409
    }

    /// The upload is gone: unknown, expired or someone else's.
    pub fn gone(&self) -> bool {
        matches!(self.status, 404 | 410)
    }
}

/// A finished request.
struct Reply {
    status: u16,
    body: String,
    xhr: XmlHttpRequest,
}

impl Reply {
    fn header(&self, name: &str) -> Option<String> {
        self.xhr.get_response_header(name).ok().flatten()
    }

    fn offset(&self) -> Result<u64, TusError> {
        self.header("Upload-Offset")
            .and_then(|v| v.trim().parse().ok())
            .ok_or_else(TusError::malformed)
    }

    /// The reply if it is a success (any 2xx).
    fn check(self) -> Result<Self, TusError> {
        if (200..300).contains(&self.status) {
            Ok(self)
        } else if self.status == 0 {
            Err(TusError::network())
        } else {
            Err(TusError::from_reply(self.status, &self.body))
        }
    }
}

/// Opens a request with the tus headers, sends `body` and returns the
/// request (to abort it) and its answer. `on_progress` gets the bytes of
/// `body` sent so far.
fn send(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&Blob>,
    on_progress: Option<Box<dyn Fn(u64)>>,
    timeout_ms: u32,
) -> Result<
    (
        XmlHttpRequest,
        impl Future<Output = Reply> + 'static + use<>,
    ),
    TusError,
> {
    let xhr = XmlHttpRequest::new().map_err(|_| TusError::network())?;
    xhr.open_with_async(method, url, true)
        .map_err(|_| TusError::network())?;
    xhr.set_timeout(timeout_ms);
    xhr.set_request_header("Tus-Resumable", TUS_VERSION)
        .map_err(|_| TusError::network())?;
    for (name, value) in headers {
        xhr.set_request_header(name, value)
            .map_err(|_| TusError::network())?;
    }

    let (tx, rx) = oneshot::channel::<()>();
    let tx = Rc::new(RefCell::new(Some(tx)));
    // `loadend` fires once after load, error, abort or timeout.
    let done = Closure::<dyn FnMut(ProgressEvent)>::new(move |_| {
        if let Some(tx) = tx.borrow_mut().take() {
            let _ = tx.send(());
        }
    });
    xhr.set_onloadend(Some(done.as_ref().unchecked_ref()));
    let progress = on_progress.map(|f| {
        let progress =
            Closure::<dyn FnMut(ProgressEvent)>::new(
                move |ev: ProgressEvent| f(ev.loaded() as u64),
            );
        if let Ok(upload) = xhr.upload() {
            upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
        }
        progress
    });
    xhr.send_with_opt_blob(body)
        .map_err(|_| TusError::network())?;

    let handle = xhr.clone();
    let answer = async move {
        let _ = rx.await;
        // The handlers must live until the request ends.
        drop((done, progress));
        let status = xhr.status().unwrap_or(0);
        let body = xhr.response_text().ok().flatten().unwrap_or_default();
        Reply { status, body, xhr }
    };
    Ok((handle, answer))
}

/// Creates an upload for `file`; returns its URL (`Location`).
pub async fn create(file: &File) -> Result<String, TusError> {
    let length = (file.size() as u64).to_string();
    let metadata = upload_metadata(&file.name(), &file.type_());
    let (_, answer) = send(
        "POST",
        UPLOADS_PATH,
        &[("Upload-Length", &length), ("Upload-Metadata", &metadata)],
        None,
        None,
        SHORT_TIMEOUT_MS,
    )?;
    let reply = answer.await.check()?;
    reply
        .header("Location")
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.trim().to_owned())
        .ok_or_else(TusError::malformed)
}

/// The server's offset of the upload at `url` (`HEAD`).
pub async fn offset(url: &str) -> Result<u64, TusError> {
    let (_, answer) = send("HEAD", url, &[], None, None, SHORT_TIMEOUT_MS)?;
    answer.await.check()?.offset()
}

/// Sends `chunk` to the upload at `url` as the bytes from `offset` on.
/// `on_progress` gets the bytes of `chunk` sent so far. Returns the
/// request (abort it to stop) and the server's new offset.
pub fn patch<P: Fn(u64) + 'static>(
    url: &str,
    chunk: &Blob,
    offset: u64,
    on_progress: P,
) -> Result<
    (
        XmlHttpRequest,
        impl Future<Output = Result<u64, TusError>> + 'static + use<P>,
    ),
    TusError,
> {
    let offset = offset.to_string();
    let (xhr, answer) = send(
        "PATCH",
        url,
        &[
            ("Upload-Offset", &offset),
            ("Content-Type", "application/offset+octet-stream"),
        ],
        Some(chunk),
        Some(Box::new(on_progress)),
        0,
    )?;
    Ok((xhr, async move { answer.await.check()?.offset() }))
}

/// Terminates the upload at `url` (`DELETE`); an upload already gone
/// counts as done.
pub async fn delete(url: &str) -> Result<(), TusError> {
    let (_, answer) = send("DELETE", url, &[], None, None, SHORT_TIMEOUT_MS)?;
    match answer.await.check() {
        Err(e) if !e.gone() => Err(e),
        _ => Ok(()),
    }
}

/// Waits `ms` milliseconds.
pub async fn sleep_ms(ms: u32) {
    let (tx, rx) = oneshot::channel::<()>();
    let wake = Closure::once_into_js(move || {
        let _ = tx.send(());
    });
    let Some(window) = web_sys::window() else {
        return;
    };
    if window
        .set_timeout_with_callback_and_timeout_and_arguments_0(
            wake.unchecked_ref(),
            i32::try_from(ms).unwrap_or(i32::MAX),
        )
        .is_ok()
    {
        let _ = rx.await;
    }
}
