//! The upload loop of a [`VideoUpload`]: one tus request at a time
//! (create, `HEAD` for the server's offset, `PATCH` a chunk) until every
//! byte is sent, the loop is stopped, or a request failed for good.
//! Failures are retried with backoff, each retry resuming from the
//! server's offset; a `409` re-syncs at once; an upload gone (expired)
//! starts over once.

use super::{UploadPhase, VideoUpload, discard_remote};
use crate::components::video::resume_store;
use crate::components::video::tus_client::{self as tus, TusError};
use crate::components::video::upload_math::{SavedUpload, Throughput, backoff_delay_ms, chunk_end};
use leptos::prelude::*;
use web_sys::File;

/// What the loop does next.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Step {
    Create,
    Sync,
    Send,
}

impl VideoUpload {
    /// The upload loop: one request at a time until done, stopped or
    /// failed for good.
    pub(super) async fn drive(self, generation: u64, mut step: Step) {
        let Some(file) = self.file() else {
            return;
        };
        let size = file.size() as u64;
        let mut offset = self.confirmed.get_value();
        let mut attempt = 0_u32;
        let mut conflicts = 0_u32;
        let mut restarted = false;
        loop {
            if !self.current(generation) {
                return;
            }
            let url = self.url.get_untracked().unwrap_or_default();
            let outcome = match step {
                Step::Create => match tus::create(&file).await {
                    Ok(url) if !self.current(generation) => {
                        discard_remote(url);
                        return;
                    }
                    Ok(url) => {
                        self.adopt(url, &file);
                        offset = 0;
                        step = Step::Send;
                        Ok(())
                    }
                    Err(e) => Err(e),
                },
                Step::Sync => tus::offset(&url).await.map(|o| {
                    offset = o.min(size);
                    step = Step::Send;
                }),
                Step::Send if offset >= size => {
                    self.complete(size);
                    return;
                }
                Step::Send => match self.send_chunk(generation, &file, &url, offset, size).await {
                    Ok(o) => {
                        offset = o;
                        attempt = 0;
                        conflicts = 0;
                        Ok(())
                    }
                    Err(e) => Err(e),
                },
            };
            if !self.current(generation) {
                return;
            }
            match outcome {
                Ok(()) => {
                    self.confirmed.set_value(offset);
                    self.phase.set(UploadPhase::Uploading);
                    self.progress(offset, size);
                }
                Err(e) if e.conflict() && conflicts < 3 => {
                    conflicts += 1;
                    step = Step::Sync;
                }
                // Expired or unknown (e.g. remembered too long): start over once.
                Err(e) if e.gone() && step != Step::Create && !restarted => {
                    restarted = true;
                    resume_store::forget();
                    self.url.set(None);
                    self.sent.set(0);
                    self.confirmed.set_value(0);
                    self.meter.update_value(Throughput::reset);
                    self.phase.set(UploadPhase::Starting);
                    step = Step::Create;
                }
                Err(e) => {
                    let delay = if e.retryable() || e.conflict() {
                        backoff_delay_ms(attempt)
                    } else {
                        None
                    };
                    let Some(delay) = delay else {
                        self.fail(&e);
                        return;
                    };
                    attempt += 1;
                    self.phase.set(UploadPhase::Retrying {
                        attempt,
                        delay_s: delay / 1000,
                    });
                    self.secs_left.set(None);
                    tus::sleep_ms(delay).await;
                    if !self.current(generation) {
                        return;
                    }
                    self.meter.update_value(Throughput::reset);
                    // tus: continue from the server's offset, not ours.
                    if step != Step::Create {
                        step = Step::Sync;
                    }
                }
            }
        }
    }

    /// Sends the chunk at `offset`; returns the server's new offset.
    async fn send_chunk(
        &self,
        generation: u64,
        file: &File,
        url: &str,
        offset: u64,
        size: u64,
    ) -> Result<u64, TusError> {
        let end = chunk_end(offset, size);
        let chunk = file
            .slice_with_f64_and_f64(offset as f64, end as f64)
            .map_err(|_| TusError {
                status: 0,
                message: "This file can't be read any more. Choose it again.".to_owned(),
            })?;
        let this = *self;
        let (xhr, answer) = tus::patch(url, &chunk, offset, move |loaded| {
            if this.current(generation) {
                this.progress(offset + loaded.min(end - offset), size);
            }
        })?;
        self.set_request(Some(xhr));
        let result = answer.await;
        // A stopped loop's request is no longer the one in flight.
        if self.current(generation) {
            self.set_request(None);
        }
        result
    }

    /// Takes the new upload's URL and remembers it for resuming.
    fn adopt(&self, url: String, file: &File) {
        resume_store::save(&SavedUpload {
            upload_url: url.clone(),
            file_name: file.name(),
            size: file.size() as u64,
            last_modified: file.last_modified(),
        });
        self.url.set(Some(url));
    }

    fn progress(&self, sent: u64, size: u64) {
        let now = crate::time_fmt::now_ms() as f64;
        let left = self
            .meter
            .try_update_value(|m| {
                m.record(now, sent);
                m.secs_left(sent, size)
            })
            .flatten();
        self.sent.try_set(sent);
        self.secs_left.try_set(left);
    }

    fn complete(&self, size: u64) {
        self.sent.set(size);
        self.secs_left.set(None);
        self.phase.set(UploadPhase::Done);
    }

    /// Stops for good; "Retry" is offered unless the file was refused.
    fn fail(&self, e: &TusError) {
        self.secs_left.set(None);
        self.phase.set(UploadPhase::Failed {
            message: e.message.clone(),
            can_retry: e.retryable() || e.conflict(),
        });
    }
}
