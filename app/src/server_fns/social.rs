//! Friend requests, follows, blocks and people lists.

mod accept_friend_request;
mod block_user;
mod cancel_friend_request;
mod decline_friend_request;
mod follow_user;
mod get_friends_overview;
mod list_blocked;
mod list_people;
mod list_people_you_may_know;
mod list_user_friends;
mod send_friend_request;
mod unblock_user;
mod unfollow_user;
mod unfriend;

pub use accept_friend_request::*;
pub use block_user::*;
pub use cancel_friend_request::*;
pub use decline_friend_request::*;
pub use follow_user::*;
pub use get_friends_overview::*;
pub use list_blocked::*;
pub use list_people::*;
pub use list_people_you_may_know::*;
pub use list_user_friends::*;
pub use send_friend_request::*;
pub use unblock_user::*;
pub use unfollow_user::*;
pub use unfriend::*;
