//! Business rules, as plain async functions over a SeaORM connection, so they
//! run on the pool or inside a transaction and integration tests reach them
//! without HTTP. Server-only.

pub mod accounts;
pub mod chat;
pub mod comments;
pub mod demo;
pub mod live_log;
pub mod media;
pub mod notifications;
pub mod posts;
pub mod presence;
pub mod profiles;
pub mod reactions;
pub mod search;
pub mod social;
pub mod throttle;
pub mod videos;
pub mod visibility;
