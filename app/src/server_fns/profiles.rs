//! Reading and editing profiles.

mod get_profile;
mod update_profile;

pub use get_profile::*;
pub use update_profile::*;
