//! Friends, follows and blocks: the relationship buttons on a profile, a
//! profile's friends, the `/friends` and `/people` pages.

mod actions;
mod friends_page;
mod people_page;
mod profile_friends;
mod relationship_actions;

pub(crate) use actions::user_action_form;
pub use actions::{SocialActions, use_social_actions};
pub use friends_page::FriendsPage;
pub use people_page::PeoplePage;
pub use profile_friends::ProfileFriends;
pub use relationship_actions::RelationshipActions;
