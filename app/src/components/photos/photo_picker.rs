//! The photos chosen for a post or a message before it is sent: each
//! one's local preview, upload progress, outcome and alt text. Uploads
//! start as soon as a file is added. Used by the post composer and the
//! chat composer; [`super::PickedPhotos`] shows it.

use super::upload::{preview_url, revoke_preview, start_upload};
use crate::error::AppError;
use crate::models::{MediaPurpose, Photo, PhotoInput};
use futures::channel::oneshot;
use futures::future::{Either, select};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::sync::{Arc, Mutex};
use web_sys::File;

/// One chosen file. Its signals are reference-counted, so they live as
/// long as the picker or a pending upload needs them. Its upload is
/// cancelled when it is removed or the last copy of it is dropped.
#[derive(Clone)]
pub struct PickedPhoto {
    /// Unique within its picker (the list key).
    pub key: u64,
    /// `blob:` URL of the local preview.
    pub preview: Option<String>,
    /// Fraction sent so far, 0.0–1.0.
    pub progress: ArcRwSignal<f64>,
    /// `None` while uploading; then the stored photo or why it failed.
    pub outcome: ArcRwSignal<Option<Result<Photo, AppError>>>,
    /// Alt text typed for it.
    pub alt: ArcRwSignal<String>,
    /// Stops the upload (the request itself stays in its browser task).
    cancel: Arc<Mutex<Option<oneshot::Sender<()>>>>,
}

impl PickedPhoto {
    /// Still uploading.
    pub fn uploading(&self) -> bool {
        self.outcome.try_with(Option::is_none).unwrap_or(false)
    }

    /// The upload's error, if it failed.
    pub fn error(&self) -> Option<AppError> {
        self.outcome.with(|o| o.clone().and_then(Result::err))
    }

    fn cancel(&self) {
        if let Some(tx) = self.cancel.lock().ok().and_then(|mut c| c.take()) {
            let _ = tx.send(());
        }
    }

    /// Cancels the upload if it is still running and frees the preview.
    fn release(&self) {
        self.cancel();
        if let Some(url) = &self.preview {
            revoke_preview(url);
        }
    }
}

/// Photos being attached, at most `max`, in the order chosen.
#[derive(Clone, Copy)]
pub struct PhotoPicker {
    purpose: MediaPurpose,
    max: usize,
    items: RwSignal<Vec<PickedPhoto>>,
    next_key: StoredValue<u64>,
    /// Why some files were left out ("You can add up to 10 photos."), if any.
    pub notice: RwSignal<Option<String>>,
}

impl PhotoPicker {
    /// An empty picker for uploads of `purpose`. When its owner is cleaned
    /// up, unfinished uploads are cancelled and previews freed.
    pub fn new(purpose: MediaPurpose, max: usize) -> Self {
        let picker = Self {
            purpose,
            max,
            items: RwSignal::new(Vec::new()),
            next_key: StoredValue::new(0),
            notice: RwSignal::new(None),
        };
        // Untracked: notifying here would re-run the owner's effects after
        // it was disposed (their reads of other disposed values panic).
        on_cleanup(move || {
            let old = picker
                .items
                .try_update_untracked(std::mem::take)
                .unwrap_or_default();
            for item in &old {
                item.release();
            }
        });
        picker
    }

    // The readers below use `try_`: when the page around a composer is
    // replaced (e.g. on log-out), its attribute effects can run once more
    // after the picker's signals were disposed; they then read "empty".

    /// The chosen photos (reactive).
    pub fn items(&self) -> Vec<PickedPhoto> {
        self.items.try_get().unwrap_or_default()
    }

    /// Nothing chosen (reactive).
    pub fn is_empty(&self) -> bool {
        self.items.try_with(Vec::is_empty).unwrap_or(true)
    }

    /// Some upload is still running (reactive).
    pub fn uploading(&self) -> bool {
        self.items
            .try_with(|items| items.iter().any(PickedPhoto::uploading))
            .unwrap_or(false)
    }

    /// The uploaded photos, in order, with their alt texts (failed ones are
    /// left out).
    pub fn inputs(&self) -> Vec<PhotoInput> {
        self.items.with_untracked(|items| {
            items
                .iter()
                .filter_map(|item| {
                    let id = item.outcome.with_untracked(|o| match o {
                        Some(Ok(photo)) => Some(photo.id.clone()),
                        _ => None,
                    })?;
                    let alt = item.alt.get_untracked().trim().to_owned();
                    Some(PhotoInput { id, alt })
                })
                .collect()
        })
    }

    /// Adds `files` and starts uploading each; files beyond the limit are
    /// left out with a notice.
    pub fn add(&self, files: Vec<File>) {
        if files.is_empty() {
            return;
        }
        let room = self.max.saturating_sub(self.items.with_untracked(Vec::len));
        self.notice
            .set((files.len() > room).then(|| match self.max {
                1 => "You can add one photo.".to_owned(),
                n => format!("You can add up to {n} photos."),
            }));
        for file in files.into_iter().take(room) {
            self.start(&file);
        }
    }

    /// Replaces what is chosen by `files` (for a single-photo picker).
    pub fn replace(&self, files: Vec<File>) {
        if !files.is_empty() {
            self.clear();
            self.add(files);
        }
    }

    fn start(&self, file: &File) {
        let key = self.next_key.get_value();
        self.next_key.set_value(key + 1);
        let (cancel_tx, cancel_rx) = oneshot::channel::<()>();
        let item = PickedPhoto {
            key,
            preview: preview_url(file),
            progress: ArcRwSignal::new(0.0),
            outcome: ArcRwSignal::new(None),
            alt: ArcRwSignal::new(String::new()),
            cancel: Arc::new(Mutex::new(Some(cancel_tx))),
        };
        spawn_local(upload(
            file.clone(),
            self.purpose,
            item.progress.clone(),
            item.outcome.clone(),
            cancel_rx,
        ));
        self.items.update(|items| items.push(item));
    }

    /// Removes one photo, cancelling its upload.
    pub fn remove(&self, key: u64) {
        self.items.update(|items| {
            items.retain(|item| {
                if item.key != key {
                    return true;
                }
                item.cancel();
                if let Some(url) = &item.preview {
                    revoke_preview(url);
                }
                false
            });
        });
        self.notice.set(None);
    }

    /// Removes everything (after sending), cancelling unfinished uploads.
    pub fn clear(&self) {
        let old = self.items.try_update(std::mem::take).unwrap_or_default();
        for item in &old {
            item.release();
        }
        self.notice.try_set(None);
    }
}

/// Uploads `file` (progress into `progress`, the result into `outcome`)
/// until it ends or `cancel` fires, which aborts it. From a wasm chunk of
/// its own, fetched when the first photo is chosen
/// (`components::common::sendable` tells how `#[lazy]` works).
#[lazy]
async fn upload(
    file: File,
    purpose: MediaPurpose,
    progress: ArcRwSignal<f64>,
    outcome: ArcRwSignal<Option<Result<Photo, AppError>>>,
    cancel: oneshot::Receiver<()>,
) {
    match start_upload(&file, purpose, move |f| progress.set(f)) {
        Ok((handle, done)) => {
            // Pinned here, `done` (and the request's event handlers in it)
            // outlives the abort, whose last events it gets.
            let done = std::pin::pin!(done);
            match select(done, cancel).await {
                Either::Left((result, _)) => outcome.set(Some(result)),
                // Cancelled, or every copy of the item dropped.
                Either::Right(_) => handle.abort(),
            }
        }
        Err(e) => outcome.set(Some(Err(e))),
    }
}
