//! Profile pages.

mod profile_editor;
mod profile_page;
mod profile_photo_editor;

pub use profile_editor::ProfileEditor;
pub use profile_page::ProfilePage;
