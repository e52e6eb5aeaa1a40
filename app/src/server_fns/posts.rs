//! Posts and feeds.

mod create_post;
mod delete_post;
mod get_post;
mod list_feed;
mod list_user_posts;
mod update_post;

pub use create_post::*;
pub use delete_post::*;
pub use get_post::*;
pub use list_feed::*;
pub use list_user_posts::*;
pub use update_post::*;
