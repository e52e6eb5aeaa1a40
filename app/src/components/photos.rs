//! Photo widgets shared by posts, chat and profiles: the browser upload
//! client with progress, the picker of photos to attach (state, tiles,
//! "Add photos", drop and paste), the grid on posts and the viewer.

mod add_photos;
mod photo_grid;
mod photo_picker;
mod photo_viewer;
mod picked_photos;
mod upload;

pub use add_photos::{AddPhotosInput, PHOTO_ACCEPT, drag_has_files, dropped_files, pasted_files};
pub use photo_grid::PhotoGrid;
pub use photo_picker::{PhotoPicker, PickedPhoto};
pub use photo_viewer::PhotoViewer;
pub use picked_photos::PickedPhotos;
pub use upload::{PhotoUpload, files_of, preview_url, revoke_preview, start_upload};
