//! Posts: the composer, post cards, lists with "Load more", the feed and
//! the permalink page.

mod composer;
mod feed;
mod post_body;
mod post_card;
mod post_list;
mod post_page;

pub use composer::Composer;
pub use feed::Feed;
pub use post_body::PostBody;
pub use post_card::PostCard;
pub use post_list::{ListSource, PostList};
pub use post_page::PostPage;
