//! Widgets used across pages.

mod avatar;
mod errors;
mod not_found;
mod relative_time;
mod top_bar;

pub use avatar::Avatar;
pub use errors::{ErrorNotice, FieldError, action_error};
pub use not_found::NotFound;
pub use relative_time::RelativeTime;
pub use top_bar::TopBar;
