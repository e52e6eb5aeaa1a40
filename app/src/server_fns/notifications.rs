//! Notifications: list, mark read, delete.

mod delete_notification;
mod list_notifications;
mod mark_all_notifications_read;
mod mark_notification_read;

pub use delete_notification::*;
pub use list_notifications::*;
pub use mark_all_notifications_read::*;
pub use mark_notification_read::*;
