//! The unfinished video upload remembered in `localStorage` (key
//! [`STORAGE_KEY`]), so the composer can offer to continue it after a
//! reload. Browser only; every function does nothing when storage is
//! unavailable (private windows may refuse it).

use super::upload_math::SavedUpload;

/// The `localStorage` key.
pub const STORAGE_KEY: &str = "hearth.video-upload";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The remembered upload, if any (and readable).
pub fn load() -> Option<SavedUpload> {
    let text = storage()?.get_item(STORAGE_KEY).ok().flatten()?;
    serde_json::from_str(&text).ok()
}

/// Remembers `saved`, replacing what was there.
pub fn save(saved: &SavedUpload) {
    if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(saved)) {
        let _ = storage.set_item(STORAGE_KEY, &text);
    }
}

/// Forgets the remembered upload.
pub fn forget() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(STORAGE_KEY);
    }
}
