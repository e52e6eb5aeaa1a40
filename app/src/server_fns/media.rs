//! Photos: profile pictures and the photos of a post. Uploading itself is
//! the streaming route `POST /api/media?purpose=…` (multipart, field
//! `file`), not a server function.

mod remove_post_photo;
mod remove_profile_photo;
mod set_profile_photo;
mod update_photo_alt;

pub use remove_post_photo::*;
pub use remove_profile_photo::*;
pub use set_profile_photo::*;
pub use update_photo_alt::*;
