//! Photo widgets shared by posts, chat and profiles: the browser upload
//! client with progress.

mod upload;

pub use upload::{PhotoUpload, files_of, preview_url, revoke_preview, start_upload};
