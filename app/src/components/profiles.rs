//! Profile pages.

mod profile_editor;
mod profile_page;

pub use profile_editor::ProfileEditor;
pub use profile_page::ProfilePage;
