//! The social graph: friend requests and friendships, follows and blocks,
//! and the lists built on them (friends, requests, people you may know, the
//! directory).
//!
//! Friend requests: send, cancel (sender, while pending), accept or decline
//! (receiver), unfriend (either side). One row per pair, so one request per
//! pair exists in either direction; sending to someone who already sent you
//! one accepts it. A declined sender may ask again after
//! [`REQUEST_AGAIN_AFTER_MS`]. Becoming friends follows both ways;
//! unfriending removes both follows. Blocking ends friendship, requests and
//! follows both ways, and hides each from the other: to the blocked person
//! the blocker looks like nobody (`NotFound`). It also removes the blocked
//! person's comments and reactions from the blocker's posts. A declined
//! request outlives a block: unblocking doesn't skip the 30-day wait.
//!
//! Following, requesting and accepting check blocks and write in one write
//! transaction holding the pair's lock (`lock_pair`), as blocking does, so
//! a follow or friend request racing a block can't outlive it.

use crate::db::entities::{blocks, comments, follows, friendships, posts, reactions, users};
use crate::error::{AppError, AppResult};
use crate::hub::EventHub;
use crate::ids::UserId;
use crate::models::{
    FriendState, FriendsOverview, NotificationKind, PEOPLE_PAGE_SIZE, PeoplePage, PersonCard,
    Relationship,
};
use crate::services::notifications::{self, Notice};
use crate::time_fmt::{exact_time, now_ms};
use friendships::{ACCEPTED, DECLINED, PENDING};
use sea_orm::sea_query::{OnConflict, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Statement,
};
use std::collections::{HashMap, HashSet};

/// A declined request may be sent again after 30 days.
pub const REQUEST_AGAIN_AFTER_MS: i64 = 30 * 86_400_000;

/// The `(user_a_id, user_b_id)` key of a pair: lower id first.
fn pair(a: UserId, b: UserId) -> (i64, i64) {
    (a.0.min(b.0), a.0.max(b.0))
}

/// Serializes the write transactions that change the relationship of `a`
/// and `b` (requests, answers, follows, blocks), so that each one's block
/// check still holds when it commits. On SQLite [`crate::db::begin_write`]
/// already holds the database's write lock; on PostgreSQL this takes a
/// transaction-scoped advisory lock on the pair (two pairs sharing a key
/// only wait for each other).
async fn lock_pair(txn: &DatabaseTransaction, a: UserId, b: UserId) -> AppResult<()> {
    if txn.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let (lo, hi) = pair(a, b);
    let key = lo.wrapping_shl(32) ^ hi;
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT pg_advisory_xact_lock($1)",
        [key.into()],
    ))
    .await?;
    Ok(())
}

async fn friendship_row<C: ConnectionTrait>(
    db: &C,
    a: UserId,
    b: UserId,
) -> AppResult<Option<friendships::Model>> {
    Ok(friendships::Entity::find_by_id(pair(a, b)).one(db).await?)
}

/// Whether `blocker` has blocked `blocked`.
pub async fn has_blocked<C: ConnectionTrait>(
    db: &C,
    blocker: UserId,
    blocked: UserId,
) -> AppResult<bool> {
    Ok(blocks::Entity::find_by_id((blocker.0, blocked.0))
        .one(db)
        .await?
        .is_some())
}

/// Whether either of the two has blocked the other.
pub async fn blocked_either_way<C: ConnectionTrait>(
    db: &C,
    a: UserId,
    b: UserId,
) -> AppResult<bool> {
    Ok(has_blocked(db, a, b).await? || has_blocked(db, b, a).await?)
}

/// Whether `a` and `b` are friends.
pub async fn are_friends<C: ConnectionTrait>(db: &C, a: UserId, b: UserId) -> AppResult<bool> {
    Ok(friendship_row(db, a, b)
        .await?
        .is_some_and(|f| f.status == ACCEPTED))
}

/// Ids of `user`'s friends.
pub async fn friend_ids<C: ConnectionTrait>(db: &C, user: UserId) -> AppResult<Vec<UserId>> {
    let rows = friendships::Entity::find()
        .filter(friendships::Column::Status.eq(ACCEPTED))
        .filter(
            Condition::any()
                .add(friendships::Column::UserAId.eq(user.0))
                .add(friendships::Column::UserBId.eq(user.0)),
        )
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|f| {
            UserId(if f.user_a_id == user.0 {
                f.user_b_id
            } else {
                f.user_a_id
            })
        })
        .collect())
}

/// Ids of everyone `user` has blocked or is blocked by.
pub async fn blocked_ids<C: ConnectionTrait>(db: &C, user: UserId) -> AppResult<HashSet<UserId>> {
    let rows = blocks::Entity::find()
        .filter(
            Condition::any()
                .add(blocks::Column::BlockerId.eq(user.0))
                .add(blocks::Column::BlockedId.eq(user.0)),
        )
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|b| {
            UserId(if b.blocker_id == user.0 {
                b.blocked_id
            } else {
                b.blocker_id
            })
        })
        .collect())
}

/// Resolves `other` for `viewer`: `NotFound` if there's no such account or
/// `other` has blocked `viewer`.
async fn visible_person<C: ConnectionTrait>(
    db: &C,
    viewer: UserId,
    other: UserId,
) -> AppResult<()> {
    if other.0 == crate::services::accounts::GHOST_USER_ID
        || users::Entity::find_by_id(other.0).one(db).await?.is_none()
        || has_blocked(db, other, viewer).await?
    {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// `viewer`'s relationship with `other`.
///
/// # Errors
/// `NotFound` if `other` doesn't exist or has blocked `viewer`.
pub async fn relationship<C: ConnectionTrait>(
    db: &C,
    viewer: UserId,
    other: UserId,
) -> AppResult<Relationship> {
    if viewer == other {
        return Ok(Relationship {
            friend: FriendState::Myself,
            following: false,
            follows_you: false,
            can_request_again_at_ms: None,
        });
    }
    visible_person(db, viewer, other).await?;
    let following = follows::Entity::find_by_id((viewer.0, other.0))
        .one(db)
        .await?
        .is_some();
    let follows_you = follows::Entity::find_by_id((other.0, viewer.0))
        .one(db)
        .await?
        .is_some();
    let mut can_request_again_at_ms = None;
    let friend = if has_blocked(db, viewer, other).await? {
        FriendState::Blocked
    } else {
        match friendship_row(db, viewer, other).await? {
            Some(f) if f.status == ACCEPTED => FriendState::Friends,
            Some(f) if f.status == PENDING && f.requester_id == viewer.0 => {
                FriendState::RequestSent
            }
            Some(f) if f.status == PENDING => FriendState::RequestReceived,
            Some(f) => {
                if f.requester_id == viewer.0 {
                    let again = f.updated_at_ms + REQUEST_AGAIN_AFTER_MS;
                    can_request_again_at_ms = (again > now_ms()).then_some(again);
                }
                FriendState::NotFriends
            }
            None => FriendState::NotFriends,
        }
    };
    Ok(Relationship {
        friend,
        following,
        follows_you,
        can_request_again_at_ms,
    })
}

fn conflict(message: &str) -> AppError {
    AppError::Conflict(message.to_owned())
}

async fn ensure_can_interact<C: ConnectionTrait>(
    db: &C,
    me: UserId,
    other: UserId,
) -> AppResult<()> {
    if me == other {
        return Err(conflict("You can't do that with yourself."));
    }
    visible_person(db, me, other).await?;
    if has_blocked(db, me, other).await? {
        return Err(conflict("You blocked this person. Unblock them first."));
    }
    Ok(())
}

async fn follow_row<C: ConnectionTrait>(
    db: &C,
    follower: UserId,
    followee: UserId,
) -> AppResult<()> {
    follows::Entity::insert(follows::ActiveModel {
        follower_id: Set(follower.0),
        followee_id: Set(followee.0),
        created_at_ms: Set(now_ms()),
    })
    .on_conflict(
        OnConflict::columns([follows::Column::FollowerId, follows::Column::FolloweeId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

async fn unfollow_both<C: ConnectionTrait>(db: &C, a: UserId, b: UserId) -> AppResult<()> {
    follows::Entity::delete_many()
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(follows::Column::FollowerId.eq(a.0))
                        .add(follows::Column::FolloweeId.eq(b.0)),
                )
                .add(
                    Condition::all()
                        .add(follows::Column::FollowerId.eq(b.0))
                        .add(follows::Column::FolloweeId.eq(a.0)),
                ),
        )
        .exec(db)
        .await?;
    Ok(())
}

async fn make_friends<C: ConnectionTrait>(db: &C, row: friendships::Model) -> AppResult<()> {
    let (a, b) = (UserId(row.user_a_id), UserId(row.user_b_id));
    let mut active: friendships::ActiveModel = row.into();
    active.status = Set(ACCEPTED.to_owned());
    active.updated_at_ms = Set(now_ms());
    friendships::Entity::update(active).exec(db).await?;
    follow_row(db, a, b).await?;
    follow_row(db, b, a).await
}

/// `from` asks `to` to be friends; if `to` already asked `from`, they
/// become friends. Returns the new state from `from`'s side.
///
/// # Errors
/// `NotFound` (no such person, or they blocked `from`); `Conflict` for
/// yourself, someone you blocked, friends already, a request already sent,
/// or within 30 days of a declined one (the message says when).
pub async fn send_request(
    db: &DatabaseConnection,
    hub: &EventHub,
    from: UserId,
    to: UserId,
) -> AppResult<FriendState> {
    let txn = crate::db::begin_write(db).await?;
    lock_pair(&txn, from, to).await?;
    ensure_can_interact(&txn, from, to).await?;
    let now = now_ms();
    let state = match friendship_row(&txn, from, to).await? {
        Some(f) if f.status == ACCEPTED => return Err(conflict("You're already friends.")),
        Some(f) if f.status == PENDING && f.requester_id == from.0 => {
            return Err(conflict("You already sent a friend request."));
        }
        Some(f) if f.status == PENDING => {
            make_friends(&txn, f).await?;
            FriendState::Friends
        }
        Some(f) => {
            // Declined. The decliner may ask now; the declined sender waits.
            let again = f.updated_at_ms + REQUEST_AGAIN_AFTER_MS;
            if f.requester_id == from.0 && now < again {
                return Err(AppError::Conflict(format!(
                    "Your last request was declined. You can ask again after {}.",
                    exact_time(again)
                )));
            }
            let mut active: friendships::ActiveModel = f.into();
            active.requester_id = Set(from.0);
            active.status = Set(PENDING.to_owned());
            active.created_at_ms = Set(now);
            active.updated_at_ms = Set(now);
            friendships::Entity::update(active).exec(&txn).await?;
            FriendState::RequestSent
        }
        None => {
            let (a, b) = pair(from, to);
            friendships::Entity::insert(friendships::ActiveModel {
                user_a_id: Set(a),
                user_b_id: Set(b),
                requester_id: Set(from.0),
                status: Set(PENDING.to_owned()),
                created_at_ms: Set(now),
                updated_at_ms: Set(now),
            })
            .exec_without_returning(&txn)
            .await?;
            FriendState::RequestSent
        }
    };
    txn.commit().await?;
    let kind = if state == FriendState::Friends {
        NotificationKind::FriendAccepted
    } else {
        NotificationKind::FriendRequest
    };
    notifications::notify(db, hub, [Notice::person(kind, from, to)]).await?;
    Ok(state)
}

async fn pending_from<C: ConnectionTrait>(
    db: &C,
    requester: UserId,
    receiver: UserId,
) -> AppResult<friendships::Model> {
    match friendship_row(db, requester, receiver).await? {
        Some(f) if f.status == PENDING && f.requester_id == requester.0 => Ok(f),
        _ => Err(conflict("There's no pending friend request.")),
    }
}

/// `from` withdraws their pending request to `to`.
///
/// # Errors
/// `Conflict` when `from` has no pending request to `to`.
pub async fn cancel_request<C: ConnectionTrait>(db: &C, from: UserId, to: UserId) -> AppResult<()> {
    let f = pending_from(db, from, to).await?;
    friendships::Entity::delete_by_id((f.user_a_id, f.user_b_id))
        .exec(db)
        .await?;
    Ok(())
}

/// `me` accepts `requester`'s pending request; both now follow each other.
///
/// # Errors
/// `NotFound` if `requester` is gone or has blocked `me`; `Conflict` when
/// `me` blocked them, or `requester` has no pending request to `me`
/// (including trying to accept one's own request).
pub async fn accept_request(
    db: &DatabaseConnection,
    hub: &EventHub,
    me: UserId,
    requester: UserId,
) -> AppResult<()> {
    let txn = crate::db::begin_write(db).await?;
    lock_pair(&txn, me, requester).await?;
    ensure_can_interact(&txn, me, requester).await?;
    let f = pending_from(&txn, requester, me).await?;
    make_friends(&txn, f).await?;
    txn.commit().await?;
    notifications::resolve_friend_request(db, hub, me, requester).await?;
    notifications::notify(
        db,
        hub,
        [Notice::person(
            NotificationKind::FriendAccepted,
            me,
            requester,
        )],
    )
    .await?;
    Ok(())
}

/// `me` declines `requester`'s pending request.
///
/// # Errors
/// `Conflict` when `requester` has no pending request to `me`.
pub async fn decline_request<C: ConnectionTrait>(
    db: &C,
    hub: &EventHub,
    me: UserId,
    requester: UserId,
) -> AppResult<()> {
    let f = pending_from(db, requester, me).await?;
    let mut active: friendships::ActiveModel = f.into();
    active.status = Set(DECLINED.to_owned());
    active.updated_at_ms = Set(now_ms());
    friendships::Entity::update(active).exec(db).await?;
    notifications::resolve_friend_request(db, hub, me, requester).await
}

/// Ends the friendship of `me` and `other`, and both follows.
///
/// # Errors
/// `Conflict` when they aren't friends.
pub async fn unfriend(db: &DatabaseConnection, me: UserId, other: UserId) -> AppResult<()> {
    let txn = crate::db::begin_write(db).await?;
    match friendship_row(&txn, me, other).await? {
        Some(f) if f.status == ACCEPTED => {
            friendships::Entity::delete_by_id((f.user_a_id, f.user_b_id))
                .exec(&txn)
                .await?;
            unfollow_both(&txn, me, other).await?;
        }
        _ => return Err(conflict("You aren't friends.")),
    }
    txn.commit().await?;
    Ok(())
}

/// `me` follows `other` (idempotent).
///
/// # Errors
/// `NotFound` / `Conflict` as for [`send_request`] for yourself and blocks.
pub async fn follow(db: &DatabaseConnection, me: UserId, other: UserId) -> AppResult<()> {
    let txn = crate::db::begin_write(db).await?;
    lock_pair(&txn, me, other).await?;
    ensure_can_interact(&txn, me, other).await?;
    follow_row(&txn, me, other).await?;
    txn.commit().await?;
    Ok(())
}

/// `me` stops following `other` (idempotent).
///
/// # Errors
/// `Internal` on database failure.
pub async fn unfollow<C: ConnectionTrait>(db: &C, me: UserId, other: UserId) -> AppResult<()> {
    follows::Entity::delete_by_id((me.0, other.0))
        .exec(db)
        .await?;
    Ok(())
}

/// `me` blocks `other`: ends friendship, requests and follows both ways
/// (a declined request stays on record), and removes `other`'s comments
/// (with their replies) and reactions from `me`'s posts.
///
/// # Errors
/// `Conflict` for yourself; `NotFound` for no such person.
pub async fn block(db: &DatabaseConnection, me: UserId, other: UserId) -> AppResult<()> {
    if me == other {
        return Err(conflict("You can't block yourself."));
    }
    if users::Entity::find_by_id(other.0).one(db).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let txn = crate::db::begin_write(db).await?;
    lock_pair(&txn, me, other).await?;
    blocks::Entity::insert(blocks::ActiveModel {
        blocker_id: Set(me.0),
        blocked_id: Set(other.0),
        created_at_ms: Set(now_ms()),
    })
    .on_conflict(
        OnConflict::columns([blocks::Column::BlockerId, blocks::Column::BlockedId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    let (a, b) = pair(me, other);
    friendships::Entity::delete_many()
        .filter(friendships::Column::UserAId.eq(a))
        .filter(friendships::Column::UserBId.eq(b))
        .filter(friendships::Column::Status.ne(DECLINED))
        .exec(&txn)
        .await?;
    unfollow_both(&txn, me, other).await?;
    let my_posts = Query::select()
        .column(posts::Column::Id)
        .from(posts::Entity)
        .and_where(posts::Column::AuthorId.eq(me.0))
        .to_owned();
    comments::Entity::delete_many()
        .filter(comments::Column::AuthorId.eq(other.0))
        .filter(comments::Column::PostId.in_subquery(my_posts.clone()))
        .exec(&txn)
        .await?;
    reactions::Entity::delete_many()
        .filter(reactions::Column::UserId.eq(other.0))
        .filter(reactions::Column::PostId.in_subquery(my_posts))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// `me` unblocks `other` (idempotent). Friendship and follows don't return.
///
/// # Errors
/// `Internal` on database failure.
pub async fn unblock<C: ConnectionTrait>(db: &C, me: UserId, other: UserId) -> AppResult<()> {
    blocks::Entity::delete_by_id((me.0, other.0))
        .exec(db)
        .await?;
    Ok(())
}

/// Person cards for `ids`, in the order given (unknown ids are skipped).
pub async fn cards<C: ConnectionTrait>(db: &C, ids: &[UserId]) -> AppResult<Vec<PersonCard>> {
    let mut found = crate::services::posts::authors(db, ids.iter().map(|u| u.0)).await?;
    Ok(ids
        .iter()
        .filter_map(|id| found.remove(&id.0))
        .map(|a| PersonCard {
            id: a.id,
            username: a.username,
            display_name: a.display_name,
            avatar: a.avatar,
            mutual_friends: None,
        })
        .collect())
}

/// `user`'s friends by display name, as `viewer` may see them.
///
/// # Errors
/// `NotFound` if `user` has blocked `viewer`.
pub async fn list_friends<C: ConnectionTrait>(
    db: &C,
    viewer: UserId,
    user: UserId,
) -> AppResult<Vec<PersonCard>> {
    if viewer != user {
        visible_person(db, viewer, user).await?;
    }
    let hidden = blocked_ids(db, viewer).await?;
    let ids: Vec<UserId> = friend_ids(db, user)
        .await?
        .into_iter()
        .filter(|id| !hidden.contains(id))
        .collect();
    let mut people = cards(db, &ids).await?;
    people.sort_by_key(|p| (p.display_name.to_lowercase(), p.id));
    Ok(people)
}

/// The viewer's friends and pending requests both ways.
///
/// # Errors
/// `Internal` on database failure.
pub async fn overview<C: ConnectionTrait>(db: &C, me: UserId) -> AppResult<FriendsOverview> {
    let pending = friendships::Entity::find()
        .filter(friendships::Column::Status.eq(PENDING))
        .filter(
            Condition::any()
                .add(friendships::Column::UserAId.eq(me.0))
                .add(friendships::Column::UserBId.eq(me.0)),
        )
        .order_by_desc(friendships::Column::CreatedAtMs)
        .order_by_asc(friendships::Column::UserAId)
        .order_by_asc(friendships::Column::UserBId)
        .all(db)
        .await?;
    let other = |f: &friendships::Model| {
        UserId(if f.user_a_id == me.0 {
            f.user_b_id
        } else {
            f.user_a_id
        })
    };
    let received: Vec<UserId> = pending
        .iter()
        .filter(|f| f.requester_id != me.0)
        .map(other)
        .collect();
    let sent: Vec<UserId> = pending
        .iter()
        .filter(|f| f.requester_id == me.0)
        .map(other)
        .collect();
    Ok(FriendsOverview {
        friends: list_friends(db, me, me).await?,
        received: cards(db, &received).await?,
        sent: cards(db, &sent).await?,
    })
}

/// Friends of `me`'s friends who aren't `me`, friends already, blocked
/// either way, or in a pending request with `me`; most mutual friends
/// first, at most `limit`.
///
/// # Errors
/// `Internal` on database failure.
pub async fn people_you_may_know<C: ConnectionTrait>(
    db: &C,
    me: UserId,
    limit: usize,
) -> AppResult<Vec<PersonCard>> {
    let friends = friend_ids(db, me).await?;
    let friend_set: HashSet<UserId> = friends.iter().copied().collect();
    let mut excluded = blocked_ids(db, me).await?;
    excluded.insert(me);
    excluded.extend(friend_set.iter().copied());
    let pending = friendships::Entity::find()
        .filter(
            Condition::any()
                .add(friendships::Column::UserAId.eq(me.0))
                .add(friendships::Column::UserBId.eq(me.0)),
        )
        .all(db)
        .await?;
    excluded.extend(pending.iter().map(|f| {
        UserId(if f.user_a_id == me.0 {
            f.user_b_id
        } else {
            f.user_a_id
        })
    }));

    let raw_friends: Vec<i64> = friends.iter().map(|u| u.0).collect();
    let second = friendships::Entity::find()
        .filter(friendships::Column::Status.eq(ACCEPTED))
        .filter(
            Condition::any()
                .add(friendships::Column::UserAId.is_in(raw_friends.clone()))
                .add(friendships::Column::UserBId.is_in(raw_friends)),
        )
        .all(db)
        .await?;
    let mut mutual: HashMap<UserId, u32> = HashMap::new();
    for f in second {
        for (friend, candidate) in [(f.user_a_id, f.user_b_id), (f.user_b_id, f.user_a_id)] {
            let candidate = UserId(candidate);
            if friend_set.contains(&UserId(friend)) && !excluded.contains(&candidate) {
                *mutual.entry(candidate).or_default() += 1;
            }
        }
    }
    let mut ranked: Vec<(UserId, u32)> = mutual.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked.truncate(limit);
    let ids: Vec<UserId> = ranked.iter().map(|(id, _)| *id).collect();
    let mut people = cards(db, &ids).await?;
    for (person, (_, n)) in people.iter_mut().zip(ranked) {
        person.mutual_friends = Some(n);
    }
    Ok(people)
}

/// People `me` blocked, most recent first.
///
/// # Errors
/// `Internal` on database failure.
pub async fn blocked_by_me<C: ConnectionTrait>(db: &C, me: UserId) -> AppResult<Vec<PersonCard>> {
    let ids: Vec<UserId> = blocks::Entity::find()
        .filter(blocks::Column::BlockerId.eq(me.0))
        .order_by_desc(blocks::Column::CreatedAtMs)
        .order_by_asc(blocks::Column::BlockedId)
        .all(db)
        .await?
        .into_iter()
        .map(|b| UserId(b.blocked_id))
        .collect();
    cards(db, &ids).await
}

/// Everyone on Hearth by username (case-insensitive), a page at a time,
/// leaving out people blocked either way. `cursor` is the last username key
/// of the previous page.
///
/// # Errors
/// `Internal` on database failure.
pub async fn directory<C: ConnectionTrait>(
    db: &C,
    me: UserId,
    cursor: Option<&str>,
) -> AppResult<PeoplePage> {
    let hidden: Vec<i64> = blocked_ids(db, me)
        .await?
        .into_iter()
        .map(|u| u.0)
        .collect();
    let mut query = users::Entity::find()
        .filter(users::Column::Id.is_not_in(hidden))
        .filter(users::Column::Id.ne(crate::services::accounts::GHOST_USER_ID));
    if let Some(c) = cursor {
        query = query.filter(users::Column::UsernameKey.gt(c));
    }
    let mut rows = query
        .order_by_asc(users::Column::UsernameKey)
        .limit(PEOPLE_PAGE_SIZE + 1)
        .all(db)
        .await?;
    let has_more = rows.len() as u64 > PEOPLE_PAGE_SIZE;
    rows.truncate(PEOPLE_PAGE_SIZE as usize);
    let next_cursor = has_more
        .then(|| rows.last().map(|u| u.username_key.clone()))
        .flatten();
    let ids: Vec<UserId> = rows.iter().map(|u| UserId(u.id)).collect();
    Ok(PeoplePage {
        people: cards(db, &ids).await?,
        next_cursor,
    })
}
