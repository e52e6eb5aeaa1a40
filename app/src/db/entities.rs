//! SeaORM entities, one module per table.

pub mod account_tokens;
pub mod blocks;
pub mod comments;
pub mod conversation_bans;
pub mod conversation_members;
pub mod conversations;
pub mod data_exports;
pub mod follows;
pub mod friendships;
pub mod jobs;
pub mod live_events;
pub mod media;
pub mod media_trash;
pub mod mentions;
pub mod messages;
pub mod notification_actors;
pub mod notifications;
pub mod posts;
pub mod profiles;
pub mod reactions;
pub mod recovery_codes;
pub mod retired_usernames;
pub mod sessions;
pub mod users;
pub mod videos;
