//! Server functions, one per file, grouped by domain. Each is thin: it takes
//! the session and state from context, calls a service and returns
//! [`crate::error::AppError`] on failure.

pub mod account;
pub mod auth;
pub mod chat;
pub mod comments;
pub mod leaving;
pub mod media;
pub mod notifications;
pub mod posts;
pub mod profiles;
pub mod search;
pub mod sessions;
pub mod social;
pub mod two_factor;
