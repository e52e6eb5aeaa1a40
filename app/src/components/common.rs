//! Widgets used across pages.

mod avatar;
mod errors;
mod focus;
mod form_field;
mod icon;
mod lazy;
mod load_more;
mod not_found;
mod page_state;
mod person_card;
mod relative_time;
mod top_bar;
mod url;

pub use avatar::{Avatar, Cover, PLACEHOLDER_AVATAR, PLACEHOLDER_COVER};
pub use errors::{ErrorNotice, FieldError, action_error};
pub use focus::{focus_within, moves_within};
pub use form_field::{FormField, NewPasswordFields};
pub use icon::{ICON_SPRITE, Icon, IconName};
pub use lazy::{lazy_view, sendable};
pub use load_more::{LoadMore, NEAR_VIEWPORT_MARGIN_PX, Paged, Pager};
pub use not_found::NotFound;
pub use page_state::{ErrorAlert, Loading, page_error};
pub use person_card::{PersonCard, mutual_friends_text};
pub use relative_time::RelativeTime;
pub use top_bar::TopBar;
pub use url::encode_query_value;
