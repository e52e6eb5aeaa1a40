//! Posts: the composer, post cards (with reactions, comments and shares),
//! lists with "Load more", the feed and the permalink page.

mod comments;
mod composer;
mod feed;
mod owner_controls;
mod photo_editor;
mod post_body;
mod post_card;
mod post_list;
mod post_page;
mod reactions;
mod share_box;
mod shared_post;
mod visibility;

pub use comments::CommentsSection;
pub use composer::Composer;
pub use feed::{Feed, FeedTop};
pub use post_body::{PostBody, text_runs};
pub use post_card::PostCard;
pub use post_list::{ListSource, PostList};
pub use post_page::PostPage;
pub use visibility::{VisibilityIcon, VisibilitySelect};
