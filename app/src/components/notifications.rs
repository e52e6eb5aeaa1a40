//! The notifications page (`/notifications`).

mod notifications_page;

pub use notifications_page::NotificationsPage;
