//! SeaORM entities, one module per table.

pub mod posts;
pub mod profiles;
pub mod sessions;
pub mod users;
