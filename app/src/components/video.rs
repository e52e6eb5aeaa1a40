//! Video posts in the browser: the resumable (tus) upload client and its
//! state, the composer's "Add video" input and upload panel, the player
//! (hls.js loaded on first play, or native HLS), and a post's video in its
//! card with the author's processing state.

mod hls;
mod player;
mod post_video;
mod quality;
mod resume_store;
mod tus_client;
mod upload_math;
mod upload_panel;
mod video_upload;

pub use player::VideoPlayer;
pub use post_video::PostVideo;
pub use resume_store::STORAGE_KEY;
pub use upload_panel::{AddVideoInput, VIDEO_ACCEPT, VideoUploadPanel};
pub use video_upload::{UploadPhase, VideoUpload};
