//! State of one profile photo editor (the avatar's or the cover's): the
//! chosen file and its local preview, the upload's progress, and the last
//! error; and the steps between them (choose, save, cancel).

use crate::components::photos::{PhotoUpload, preview_url, revoke_preview, start_upload};
use crate::contexts::auth_context::{AuthContext, use_auth};
use crate::error::AppError;
use crate::models::{MAX_PHOTO_BYTES, MediaPurpose};
use crate::server_fns::media::set_profile_photo;
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::File;

/// Shown for a file over [`MAX_PHOTO_BYTES`] (as the server says it).
const TOO_LARGE: &str = "Photos can be at most 20 MB each. Choose a smaller one.";
/// Shown when the browser can't draw the chosen file (the server says the
/// same of files it can't decode).
const UNREADABLE: &str = "This file isn't a photo we can read. Use a JPEG, PNG, WebP or GIF.";

/// Where an editor is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Phase {
    /// Showing the saved picture (or the placeholder).
    Idle,
    /// A file is chosen and previewed, not yet sent.
    Chosen,
    /// Sending the file; the fraction sent so far (0.0–1.0).
    Uploading(f64),
    /// Sent; making it the profile's picture.
    Saving,
}

/// The words of an editor: every label names the picture it is about.
pub struct Texts {
    /// Label of the file input.
    pub change: &'static str,
    /// Save button.
    pub save: &'static str,
    /// Remove button.
    pub remove: &'static str,
    /// Accessible name of the progress bar.
    pub uploading: &'static str,
    /// Alt text of the preview.
    pub preview_alt: &'static str,
    /// The end of `change` and `remove` that phones leave out of sight
    /// (the cover's buttons must fit in one row on the picture).
    pub phone_tail: &'static str,
}

/// The [`Texts`] for `purpose` (the cover's for anything but `Avatar`).
pub fn texts(purpose: MediaPurpose) -> &'static Texts {
    match purpose {
        MediaPurpose::Avatar => &Texts {
            change: "Change profile picture",
            save: "Save profile picture",
            remove: "Remove profile picture",
            uploading: "Uploading profile picture",
            preview_alt: "Your new profile picture (not saved yet)",
            phone_tail: "",
        },
        _ => &Texts {
            change: "Change cover photo",
            save: "Save cover photo",
            remove: "Remove cover photo",
            uploading: "Uploading cover photo",
            preview_alt: "Your new cover photo (not saved yet)",
            phone_tail: " photo",
        },
    }
}

/// The chosen file and the upload in flight.
#[derive(Default)]
struct Pending {
    file: Option<File>,
    upload: Option<PhotoUpload>,
}

/// One editor's state; `Copy`, so every part of the editor holds it.
#[derive(Clone, Copy)]
pub struct PhotoEdit {
    /// `Avatar` or `Cover`.
    pub purpose: MediaPurpose,
    /// Whether the profile has one now (it offers "Remove" then).
    pub has_photo: bool,
    /// Where the editor is.
    pub phase: RwSignal<Phase>,
    /// `blob:` URL of the chosen file while one is chosen.
    pub preview: RwSignal<Option<String>>,
    /// The last failure, as a sentence.
    pub error: RwSignal<Option<String>>,
    /// False until the page has hydrated (the controls need JavaScript).
    pub ready: RwSignal<bool>,
    /// In the browser only: thread-bound values that the multi-threaded
    /// server could drop on another thread, which panics.
    pending: Option<StoredValue<Pending, LocalStorage>>,
    /// Bumped by every save and cancel, so a stale upload's answer is ignored.
    run: StoredValue<u64>,
    auth: AuthContext,
    on_changed: Callback<()>,
}

impl PhotoEdit {
    /// An idle editor for `purpose`. `on_changed` runs after the profile's
    /// picture changed on the server (the page refetches the profile).
    pub fn new(purpose: MediaPurpose, has_photo: bool, on_changed: Callback<()>) -> Self {
        let this = Self {
            purpose,
            has_photo,
            phase: RwSignal::new(Phase::Idle),
            preview: RwSignal::new(None),
            error: RwSignal::new(None),
            ready: RwSignal::new(false),
            pending: cfg!(target_arch = "wasm32")
                .then(|| StoredValue::new_local(Pending::default())),
            run: StoredValue::new(0),
            auth: use_auth(),
            on_changed,
        };
        Effect::new(move |_| this.ready.set(true));
        on_cleanup(move || this.release());
        this
    }

    /// The words for this editor's picture.
    pub fn texts(&self) -> &'static Texts {
        texts(self.purpose)
    }

    /// True from choosing a file until it is saved or cancelled.
    pub fn editing(&self) -> bool {
        self.phase.get() != Phase::Idle
    }

    /// Previews `file` (refusing one over the size limit at once).
    pub fn choose(&self, file: File) {
        self.reset();
        self.error.set(None);
        if file.size() > MAX_PHOTO_BYTES as f64 {
            self.error.set(Some(TOO_LARGE.to_owned()));
            return;
        }
        self.preview.set(preview_url(&file));
        self.with_pending(|p| p.file = Some(file));
        self.phase.set(Phase::Chosen);
    }

    /// The preview failed to load: the file is no picture the browser reads.
    pub fn unreadable(&self) {
        self.reset();
        self.error.set(Some(UNREADABLE.to_owned()));
    }

    /// Drops the chosen file (aborting its upload) and the error.
    pub fn cancel(&self) {
        self.reset();
        self.error.set(None);
    }

    /// Uploads the chosen file with progress, then makes it the profile's
    /// picture; on success refreshes the signed-in user (the top bar) and
    /// runs `on_changed`, keeping the preview until the page redraws.
    pub fn save(&self) {
        let Some(file) = self.with_pending(|p| p.file.clone()).flatten() else {
            return;
        };
        let run = self.run.get_value() + 1;
        self.run.set_value(run);
        self.error.set(None);
        self.phase.set(Phase::Uploading(0.0));
        let this = *self;
        let on_progress = move |sent: f64| {
            if this.is_current(run) {
                this.phase.try_set(Phase::Uploading(sent));
            }
        };
        let (handle, uploaded) = match start_upload(&file, self.purpose, on_progress) {
            Ok(started) => started,
            Err(e) => return self.fail(&e),
        };
        self.with_pending(|p| p.upload = Some(handle));
        spawn_local(async move {
            let result = match uploaded.await {
                Ok(photo) if this.is_current(run) => {
                    this.phase.try_set(Phase::Saving);
                    set_profile_photo(this.purpose, photo.id).await
                }
                other => other,
            };
            if !this.is_current(run) {
                return;
            }
            this.with_pending(|p| p.upload = None);
            match result {
                Ok(_) => this.changed(),
                Err(e) => this.fail(&e),
            }
        });
    }

    /// After a change on the server: the top bar and the page refetch.
    pub fn changed(&self) {
        self.auth.refresh();
        self.on_changed.run(());
    }

    /// Shows `error`. A refused file is dropped; after any other failure
    /// the preview stays, to try again.
    fn fail(&self, error: &AppError) {
        match error {
            AppError::Validation { .. } | AppError::TooLarge(_) => self.reset(),
            _ => {
                self.phase.try_set(Phase::Chosen);
            }
        }
        self.error.try_set(Some(error.to_string()));
    }

    /// Runs `f` on the browser-only values (`None` on the server or once
    /// the editor is gone).
    fn with_pending<U>(&self, f: impl FnOnce(&mut Pending) -> U) -> Option<U> {
        self.pending.and_then(|p| p.try_update_value(f))
    }

    fn is_current(&self, run: u64) -> bool {
        self.run.try_get_value() == Some(run)
    }

    /// Back to idle: aborts an upload, drops the file, frees the preview.
    fn reset(&self) {
        self.release();
        self.preview.try_set(None);
        self.phase.try_set(Phase::Idle);
    }

    /// Aborts an upload, drops the file and frees the preview without
    /// notifying anyone (also run when the editor goes away).
    fn release(&self) {
        self.run.try_update_value(|n| *n += 1);
        if let Some(Some(upload)) = self.with_pending(|p| {
            p.file = None;
            p.upload.take()
        }) {
            upload.abort();
        }
        if let Some(Some(url)) = self.preview.try_update_untracked(Option::take) {
            revoke_preview(&url);
        }
    }
}
