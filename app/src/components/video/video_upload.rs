//! The video chosen for a post and its resumable upload: create it, send
//! it 5 MiB at a time from the server's offset, pause, resume, cancel,
//! retry failed requests with backoff (re-syncing with `HEAD` first), and
//! remember it in `localStorage` so it can continue after a reload. The
//! composer shows it with [`super::VideoUploadPanel`].

mod upload_loop;

use super::resume_store;
use super::tus_client as tus;
use super::upload_math::{SavedUpload, Throughput, percent, upload_id};
use leptos::prelude::*;
use leptos::task::spawn_local;
use upload_loop::Step;
use web_sys::{File, XmlHttpRequest};

/// Browser objects of an upload.
#[derive(Default)]
struct Local {
    file: Option<File>,
    request: Option<XmlHttpRequest>,
}

/// Where the upload is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadPhase {
    /// No video chosen.
    Idle,
    /// Creating the upload on the server.
    Starting,
    /// Sending bytes.
    Uploading,
    /// Paused by the person.
    Paused,
    /// A request failed; the next try (number `attempt`) starts in
    /// `delay_s` seconds.
    Retrying {
        /// 1 for the first retry.
        attempt: u32,
        /// Seconds waited before it.
        delay_s: u32,
    },
    /// Stopped: `message` says why; `can_retry` when trying again may
    /// help (not for a refused file).
    Failed {
        /// Why, for the person.
        message: String,
        /// Offer "Retry".
        can_retry: bool,
    },
    /// Every byte is on the server.
    Done,
}

/// The video being attached. Copyable handle over signals owned by the
/// component that made it; when that is cleaned up, a running upload
/// stops (and stays remembered for resuming).
#[derive(Clone, Copy)]
pub struct VideoUpload {
    /// Where it is.
    pub phase: RwSignal<UploadPhase>,
    /// The chosen file's name.
    pub file_name: RwSignal<String>,
    /// The chosen file's size, bytes.
    pub size: RwSignal<u64>,
    /// Bytes on the server (plus those of the chunk in flight).
    pub sent: RwSignal<u64>,
    /// Estimated seconds left, once the speed is known.
    pub secs_left: RwSignal<Option<f64>>,
    /// An unfinished upload from an earlier visit, offered for resuming.
    pub saved: RwSignal<Option<SavedUpload>>,
    /// The "Add video" file input (the resume prompt opens it).
    pub input: NodeRef<leptos::html::Input>,
    url: RwSignal<Option<String>>,
    /// The file and the request in flight: browser only (a thread-bound
    /// value must not be made on the server, where a page's values may be
    /// dropped on another thread).
    local: Option<StoredValue<Local, LocalStorage>>,
    /// Bytes the server has confirmed.
    confirmed: StoredValue<u64>,
    /// Bumped to stop the running loop (pause, cancel, a new file).
    run: StoredValue<u64>,
    meter: StoredValue<Throughput>,
}

impl VideoUpload {
    /// Nothing chosen; in the browser, reads the remembered upload.
    pub fn new() -> Self {
        let upload = Self {
            phase: RwSignal::new(UploadPhase::Idle),
            file_name: RwSignal::new(String::new()),
            size: RwSignal::new(0),
            sent: RwSignal::new(0),
            secs_left: RwSignal::new(None),
            saved: RwSignal::new(None),
            input: NodeRef::new(),
            url: RwSignal::new(None),
            local: cfg!(target_arch = "wasm32").then(|| StoredValue::new_local(Local::default())),
            confirmed: StoredValue::new(0),
            run: StoredValue::new(0),
            meter: StoredValue::new(Throughput::default()),
        };
        // Effects run only in the browser, where storage is.
        Effect::new(move |_| upload.saved.set(resume_store::load()));
        on_cleanup(move || upload.stop());
        upload
    }

    /// A video is chosen (reactive).
    pub fn active(&self) -> bool {
        self.phase
            .try_with(|p| *p != UploadPhase::Idle)
            .unwrap_or(false)
    }

    /// Every byte is on the server (reactive).
    pub fn done(&self) -> bool {
        self.phase
            .try_with(|p| *p == UploadPhase::Done)
            .unwrap_or(false)
    }

    /// A video is chosen but not uploaded yet: the post must wait
    /// (reactive).
    pub fn blocks_post(&self) -> bool {
        self.active() && !self.done()
    }

    /// Whole percent uploaded (reactive).
    pub fn percent(&self) -> u8 {
        percent(
            self.sent.try_get().unwrap_or(0),
            self.size.try_get().unwrap_or(0),
        )
    }

    /// The finished upload's id, for `create_post(video = …)`.
    pub fn upload_id(&self) -> Option<String> {
        if self.phase.get_untracked() != UploadPhase::Done {
            return None;
        }
        self.url.get_untracked().as_deref().and_then(upload_id)
    }

    /// Starts uploading `file`, replacing any video chosen before. If it
    /// is the remembered unfinished upload's file (same name and size),
    /// continues that upload from the server's offset; otherwise the
    /// remembered one is deleted.
    pub fn choose(&self, file: File) {
        self.stop();
        if let Some(old) = self.url.get_untracked() {
            discard_remote(old);
        }
        let name = file.name();
        let size = file.size() as u64;
        let resumed = match self.saved.get_untracked() {
            Some(saved) if saved.matches(&name, size) => Some(saved.upload_url),
            Some(saved) => {
                resume_store::forget();
                discard_remote(saved.upload_url);
                None
            }
            None => None,
        };
        self.saved.set(None);
        self.file_name.set(name);
        self.size.set(size);
        self.sent.set(0);
        self.confirmed.set_value(0);
        self.set_file(Some(file));
        let sync = resumed.is_some();
        self.url.set(resumed);
        self.launch(sync);
    }

    /// Stops sending; [`VideoUpload::resume`] continues.
    pub fn pause(&self) {
        if matches!(
            self.phase.get_untracked(),
            UploadPhase::Uploading | UploadPhase::Retrying { .. }
        ) {
            self.stop();
            // The chunk in flight is lost: show what the server has.
            self.sent.set(self.confirmed.get_value());
            self.phase.set(UploadPhase::Paused);
            self.secs_left.set(None);
        }
    }

    /// Continues after a pause or a failure, from the server's offset.
    pub fn resume(&self) {
        if matches!(
            self.phase.get_untracked(),
            UploadPhase::Paused | UploadPhase::Failed { .. }
        ) {
            self.launch(true);
        }
    }

    /// Stops, deletes the upload on the server and forgets the video.
    pub fn cancel(&self) {
        self.stop();
        if let Some(url) = self.url.get_untracked() {
            discard_remote(url);
        }
        resume_store::forget();
        self.reset();
    }

    /// Forgets the video after it was posted (the upload is the post's now).
    pub fn finish(&self) {
        self.stop();
        resume_store::forget();
        self.reset();
    }

    /// Drops the remembered unfinished upload ("Discard"), deleting it.
    pub fn discard_saved(&self) {
        if let Some(saved) = self.saved.get_untracked() {
            discard_remote(saved.upload_url);
        }
        resume_store::forget();
        self.saved.set(None);
    }

    fn reset(&self) {
        self.url.try_set(None);
        self.set_file(None);
        self.phase.try_set(UploadPhase::Idle);
        self.file_name.try_set(String::new());
        self.size.try_set(0);
        self.sent.try_set(0);
        self.confirmed.try_set_value(0);
        self.secs_left.try_set(None);
    }

    /// Ends the running loop and its request. Safe after disposal.
    fn stop(&self) {
        self.run.try_update_value(|n| *n += 1);
        if let Some(xhr) = self.set_request(None) {
            let _ = xhr.abort();
        }
    }

    fn file(&self) -> Option<File> {
        self.local?.try_with_value(|l| l.file.clone()).flatten()
    }

    fn set_file(&self, file: Option<File>) {
        if let Some(local) = self.local {
            local.try_update_value(|l| l.file = file);
        }
    }

    /// Replaces the request in flight; returns the one before.
    fn set_request(&self, request: Option<XmlHttpRequest>) -> Option<XmlHttpRequest> {
        self.local?
            .try_update_value(|l| std::mem::replace(&mut l.request, request))
            .flatten()
    }

    fn current(&self, generation: u64) -> bool {
        self.run.try_get_value() == Some(generation)
    }

    /// Starts a new loop; `sync` asks the server's offset first.
    fn launch(&self, sync: bool) {
        self.stop();
        let generation = self.run.get_value();
        let has_url = self.url.get_untracked().is_some();
        self.phase.set(if has_url {
            UploadPhase::Uploading
        } else {
            UploadPhase::Starting
        });
        self.secs_left.set(None);
        self.meter.update_value(Throughput::reset);
        let step = match (has_url, sync) {
            (false, _) => Step::Create,
            (true, true) => Step::Sync,
            (true, false) => Step::Send,
        };
        let this = *self;
        spawn_local(async move { drive(this, generation, step).await });
    }
}

impl Default for VideoUpload {
    fn default() -> Self {
        Self::new()
    }
}

/// [`VideoUpload`]'s upload loop, from a wasm chunk of its own: the tus
/// client and the loop are fetched when a video is first chosen, not with
/// the feed (`components::common::sendable` tells how `#[lazy]` works).
#[lazy]
async fn drive(upload: VideoUpload, generation: u64, step: Step) {
    upload.drive(generation, step).await;
}

/// Deletes an upload on the server in the background.
fn discard_remote(url: String) {
    spawn_local(async move {
        let _ = tus::delete(&url).await;
    });
}
