//! Server functions, one per file, grouped by domain. Each is thin: it takes
//! the session and state from context, calls a service and returns
//! [`crate::error::AppError`] on failure.

pub mod auth;
pub mod chat;
pub mod comments;
pub mod media;
pub mod notifications;
pub mod posts;
pub mod profiles;
pub mod search;
pub mod social;
