//! Who may see what. One rule, used by every read path (feed, profile,
//! permalink, shares, comments, reactions, search):
//!
//! - the author always sees their post;
//! - nobody else sees an unpublished one (its video is still processing,
//!   or failed);
//! - nobody sees posts across a block, in either direction;
//! - `Public`: every signed-in user; `Friends`: the author's friends;
//!   `OnlyMe`: the author alone.
//!
//! A post the viewer may not see answers `NotFound`, never `Forbidden`, so
//! its existence doesn't leak. Signed-out visitors see nothing (Hearth is
//! for people with an account).

use crate::db::entities::{blocks, follows, friendships, posts};
use crate::error::AppResult;
use crate::ids::UserId;
use crate::models::Visibility;
use crate::services::social;
use sea_orm::sea_query::{Query, SelectStatement};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait};
use std::collections::HashSet;

/// The viewer's friends and blocks, loaded once per request.
#[derive(Debug, Clone)]
pub struct ViewerCtx {
    /// The signed-in user.
    pub viewer: UserId,
    /// Their friends.
    pub friends: HashSet<UserId>,
    /// People they blocked or who blocked them.
    pub blocked: HashSet<UserId>,
}

impl ViewerCtx {
    /// Loads `viewer`'s friends and blocks (two queries).
    ///
    /// # Errors
    /// `Internal` on database failure.
    pub async fn load<C: ConnectionTrait>(db: &C, viewer: UserId) -> AppResult<Self> {
        Ok(Self {
            viewer,
            friends: social::friend_ids(db, viewer).await?.into_iter().collect(),
            blocked: social::blocked_ids(db, viewer).await?,
        })
    }

    /// Whether the viewer may see a post by `author` with `visibility`.
    pub fn can_see(&self, author: UserId, visibility: Visibility) -> bool {
        if author == self.viewer {
            return true;
        }
        if self.blocked.contains(&author) {
            return false;
        }
        match visibility {
            Visibility::Public => true,
            Visibility::Friends => self.friends.contains(&author),
            Visibility::OnlyMe => false,
        }
    }

    /// [`ViewerCtx::can_see`] for a stored post, which must also be
    /// published unless the viewer wrote it.
    pub fn can_see_post(&self, post: &posts::Model) -> bool {
        (post.published || post.author_id == self.viewer.0)
            && self.can_see(UserId(post.author_id), visibility_of(post))
    }
}

/// A stored post's visibility (unknown values read as `OnlyMe`, the safe side).
pub fn visibility_of(post: &posts::Model) -> Visibility {
    Visibility::parse(&post.visibility).unwrap_or(Visibility::OnlyMe)
}

fn friends_of(me: UserId) -> (SelectStatement, SelectStatement) {
    let as_a = Query::select()
        .column(friendships::Column::UserBId)
        .from(friendships::Entity)
        .and_where(friendships::Column::UserAId.eq(me.0))
        .and_where(friendships::Column::Status.eq(friendships::ACCEPTED))
        .to_owned();
    let as_b = Query::select()
        .column(friendships::Column::UserAId)
        .from(friendships::Entity)
        .and_where(friendships::Column::UserBId.eq(me.0))
        .and_where(friendships::Column::Status.eq(friendships::ACCEPTED))
        .to_owned();
    (as_a, as_b)
}

/// SQL condition on `posts`: published, and Public or Friends-only by one
/// of `me`'s friends.
fn shared_with(me: UserId) -> Condition {
    let (as_a, as_b) = friends_of(me);
    let audience = Condition::any()
        .add(posts::Column::Visibility.eq(Visibility::Public.as_str()))
        .add(
            Condition::all()
                .add(posts::Column::Visibility.eq(Visibility::Friends.as_str()))
                .add(
                    Condition::any()
                        .add(posts::Column::AuthorId.in_subquery(as_a))
                        .add(posts::Column::AuthorId.in_subquery(as_b)),
                ),
        );
    Condition::all()
        .add(posts::Column::Published.eq(true))
        .add(audience)
}

/// SQL condition on `posts`: not written by someone `me` blocked or who
/// blocked `me`.
fn not_blocked_with(me: UserId) -> Condition {
    let blocked_by_me = Query::select()
        .column(blocks::Column::BlockedId)
        .from(blocks::Entity)
        .and_where(blocks::Column::BlockerId.eq(me.0))
        .to_owned();
    let blocking_me = Query::select()
        .column(blocks::Column::BlockerId)
        .from(blocks::Entity)
        .and_where(blocks::Column::BlockedId.eq(me.0))
        .to_owned();
    Condition::all()
        .add(posts::Column::AuthorId.not_in_subquery(blocked_by_me))
        .add(posts::Column::AuthorId.not_in_subquery(blocking_me))
}

/// SQL condition on `posts` for "`me` may see it, written by anyone".
pub fn visible_to(me: UserId) -> Condition {
    Condition::any().add(posts::Column::AuthorId.eq(me.0)).add(
        Condition::all()
            .add(not_blocked_with(me))
            .add(shared_with(me)),
    )
}

/// SQL condition on `posts` for `me`'s home feed: their own posts, and
/// posts by people they follow that they may see (following is what puts
/// someone in the feed; becoming friends follows both ways). Blocks are
/// excluded here too, not only by blocking removing follows: a follow
/// that outlived a block must not bring the posts back.
pub fn in_feed_of(me: UserId) -> Condition {
    let followees = Query::select()
        .column(follows::Column::FolloweeId)
        .from(follows::Entity)
        .and_where(follows::Column::FollowerId.eq(me.0))
        .to_owned();
    Condition::any().add(posts::Column::AuthorId.eq(me.0)).add(
        Condition::all()
            .add(posts::Column::AuthorId.in_subquery(followees))
            .add(not_blocked_with(me))
            .add(shared_with(me)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> ViewerCtx {
        ViewerCtx {
            viewer: UserId(1),
            friends: [UserId(2)].into_iter().collect(),
            blocked: [UserId(3)].into_iter().collect(),
        }
    }

    #[test]
    fn the_rule() {
        let c = ctx();
        for v in Visibility::ALL {
            assert!(c.can_see(UserId(1), v), "own {v:?}");
            assert!(!c.can_see(UserId(3), v), "blocked {v:?}");
        }
        assert!(c.can_see(UserId(2), Visibility::Public));
        assert!(c.can_see(UserId(2), Visibility::Friends));
        assert!(!c.can_see(UserId(2), Visibility::OnlyMe));
        assert!(c.can_see(UserId(4), Visibility::Public));
        assert!(!c.can_see(UserId(4), Visibility::Friends));
        assert!(!c.can_see(UserId(4), Visibility::OnlyMe));
    }
}
