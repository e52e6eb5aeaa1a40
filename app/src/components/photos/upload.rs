//! Uploading one photo from the browser to `POST /api/media?purpose=…`
//! with real progress (XMLHttpRequest's upload events; `fetch` has none).
//! Compiles on both sides, runs only in the browser (from event handlers).

use crate::error::AppError;
use crate::models::{MediaPurpose, Photo};
use futures::channel::oneshot;
use leptos::wasm_bindgen::JsCast as _;
use leptos::wasm_bindgen::closure::Closure;
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::{File, FormData, ProgressEvent, XmlHttpRequest};

/// An upload in flight; [`PhotoUpload::abort`] cancels it.
#[derive(Clone)]
pub struct PhotoUpload {
    xhr: XmlHttpRequest,
}

impl PhotoUpload {
    /// Cancels the upload; its future then answers `Network`.
    pub fn abort(&self) {
        let _ = self.xhr.abort();
    }
}

/// Starts uploading `file` for `purpose`. `on_progress` receives the
/// fraction sent (0.0–1.0) as bytes leave the browser. Returns the handle
/// and a future with the stored [`Photo`] or the server's [`AppError`]
/// (`TooLarge`, `Validation` on `file` for what isn't a photo, ...), or
/// `Network` if the request failed or was aborted.
pub fn start_upload<P: Fn(f64) + 'static>(
    file: &File,
    purpose: MediaPurpose,
    on_progress: P,
) -> Result<
    (
        PhotoUpload,
        impl std::future::Future<Output = Result<Photo, AppError>> + 'static + use<P>,
    ),
    AppError,
> {
    let xhr = XmlHttpRequest::new().map_err(|_| AppError::Network)?;
    xhr.open_with_async(
        "POST",
        &format!("/api/media?purpose={}", purpose.as_str()),
        true,
    )
    .map_err(|_| AppError::Network)?;
    let form = FormData::new().map_err(|_| AppError::Network)?;
    form.append_with_blob_and_filename("file", file, &file.name())
        .map_err(|_| AppError::Network)?;

    let (tx, rx) = oneshot::channel::<()>();
    let tx = Rc::new(RefCell::new(Some(tx)));
    let done = {
        let tx = tx.clone();
        Closure::<dyn FnMut(ProgressEvent)>::new(move |_| {
            if let Some(tx) = tx.borrow_mut().take() {
                let _ = tx.send(());
            }
        })
    };
    let progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |ev: ProgressEvent| {
        if ev.length_computable() && ev.total() > 0.0 {
            on_progress((ev.loaded() / ev.total()).clamp(0.0, 1.0));
        }
    });
    if let Ok(upload) = xhr.upload() {
        upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
    }
    // `loadend` fires once after load, error, abort or timeout.
    xhr.set_onloadend(Some(done.as_ref().unchecked_ref()));
    xhr.send_with_opt_form_data(Some(&form))
        .map_err(|_| AppError::Network)?;

    let handle = PhotoUpload { xhr: xhr.clone() };
    let fut = async move {
        let _ = rx.await;
        // The handlers must live until the request ends.
        drop((done, progress));
        let status = xhr.status().unwrap_or(0);
        let text = xhr.response_text().ok().flatten().unwrap_or_default();
        if status == 0 {
            return Err(AppError::Network);
        }
        if (200..300).contains(&status) {
            serde_json::from_str::<Photo>(&text).map_err(|_| AppError::Network)
        } else {
            Err(
                serde_json::from_str::<AppError>(&text).unwrap_or(match status {
                    413 => AppError::TooLarge("Photos can be at most 20 MB each.".to_owned()),
                    _ => AppError::Internal,
                }),
            )
        }
    };
    Ok((handle, fut))
}

/// The files in an `<input type=file>`'s list, in order.
pub fn files_of(list: Option<web_sys::FileList>) -> Vec<File> {
    let Some(list) = list else {
        return Vec::new();
    };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// A `blob:` URL previewing `file` locally (revoke it with
/// [`revoke_preview`] when done).
pub fn preview_url(file: &File) -> Option<String> {
    web_sys::Url::create_object_url_with_blob(file).ok()
}

/// Frees a URL from [`preview_url`].
pub fn revoke_preview(url: &str) {
    let _ = web_sys::Url::revoke_object_url(url);
}
