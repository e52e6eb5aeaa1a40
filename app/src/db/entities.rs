//! SeaORM entities, one module per table.

pub mod blocks;
pub mod comments;
pub mod follows;
pub mod friendships;
pub mod mentions;
pub mod posts;
pub mod profiles;
pub mod reactions;
pub mod sessions;
pub mod users;
