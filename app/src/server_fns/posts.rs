//! Posts, feeds, shares and reactions.

mod create_post;
mod delete_post;
mod get_post;
mod list_feed;
mod list_reactors;
mod list_user_posts;
mod react_to_post;
mod share_post;
mod update_post;

pub use create_post::*;
pub use delete_post::*;
pub use get_post::*;
pub use list_feed::*;
pub use list_reactors::*;
pub use list_user_posts::*;
pub use react_to_post::*;
pub use share_post::*;
pub use update_post::*;
