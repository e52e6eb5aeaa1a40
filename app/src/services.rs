//! Business rules, as plain async functions over a SeaORM connection, so they
//! run on the pool or inside a transaction and integration tests reach them
//! without HTTP. Server-only.

pub mod account_deletion;
pub mod accounts;
pub mod chat;
pub mod comments;
pub mod data_export;
pub mod demo;
pub mod email;
pub mod limits;
pub mod live_log;
pub mod media;
pub mod notifications;
pub mod passwords;
pub mod posts;
pub mod presence;
pub mod profiles;
pub mod reactions;
pub mod search;
pub mod sessions;
pub mod social;
pub mod throttle;
pub mod tokens;
pub mod two_factor;
pub mod videos;
pub mod visibility;
