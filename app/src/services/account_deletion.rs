//! Deleting an account, for good.
//!
//! After the password (and, when two-factor is on, a code) is checked, one
//! transaction:
//!
//! - reassigns the messages the person sent to the "Deleted account" user
//!   ([`GHOST_USER_ID`]), so other people's conversations keep them (a
//!   message that was only a photo reads "This message was deleted", as
//!   its photo goes);
//! - hands a group's admin role to its longest-standing member when the
//!   person was its only admin, and deletes groups nobody is left in;
//! - regroups notifications the person acted in with others ("Ana and 2
//!   others liked...") around the remaining people;
//! - moves every photo, video and "Download your data" archive of theirs
//!   to the media trash (the files are deleted after the commit, retried
//!   until the store confirms);
//! - keeps the username taken for [`USERNAME_RETIRED_MS`] (30 days);
//! - deletes every row about them: posts (shares of them lose their
//!   original, as when a post is deleted), comments, reactions,
//!   mentions, friendships and requests, follows and blocks both ways,
//!   notifications to and by them, memberships, live events, sessions,
//!   account links, recovery codes, archives, the profile and the
//!   account. Foreign keys would cascade most of this; it is deleted
//!   explicitly so nothing depends on them.
//!
//! Then every session of theirs ends (open sockets close) and the trash is
//! emptied.

use crate::db::entities::{
    account_tokens, blocks, comments, conversation_members, conversations, data_exports, follows,
    friendships, live_events, media, media_trash, mentions, messages, notification_actors,
    notifications, posts, profiles, reactions, recovery_codes, retired_usernames, sessions, users,
    videos,
};
use crate::error::{AppError, AppResult};
use crate::ids::UserId;
use crate::models::{ConversationKind, MemberRole};
use crate::services::accounts::{GHOST_USER_ID, USERNAME_RETIRED_MS, verify_password};
use crate::services::two_factor;
use crate::state::AppState;
use crate::time_fmt::now_ms;
use sea_orm::sea_query::{Expr, OnConflict, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait as _, Condition, ConnectionTrait, EntityTrait as _,
    QueryFilter as _, QueryOrder as _,
};

/// Deletes `user`'s account after checking `password` and, when
/// two-factor is on, `code` (an authenticator code or an unused recovery
/// code, checked by [`two_factor::verify_log_in`]). Signs out every
/// session of theirs; the caller's own browser session should be flushed
/// too. Wrong answers count toward the account lock (3 in a row lock it
/// for 5 minutes), as at log-in; nothing else changes then.
///
/// # Errors
/// `Validation` on `password` for a wrong password, on `code` for a
/// missing or wrong two-factor code; `RateLimited` while the account is
/// locked or when this failure locked it; `Unauthorized` if the account
/// is already gone; `Forbidden` for the "Deleted account" user;
/// `Internal` on database failure.
pub async fn delete_account(
    state: &AppState,
    user: UserId,
    password: &str,
    code: Option<&str>,
) -> AppResult<()> {
    if user.0 == GHOST_USER_ID {
        return Err(AppError::Forbidden);
    }
    let row = users::Entity::find_by_id(user.0)
        .one(&state.db)
        .await?
        .ok_or(AppError::Unauthorized)?;
    // Counts toward the account lock, as a wrong log-in does, so a
    // borrowed session can't guess the password here.
    crate::services::accounts::guarded_attempt(
        &state.db,
        row.id,
        AppError::validation("password", "That password isn't right."),
        crate::services::accounts::AttemptEnd::Release,
        async {
            Ok(!password.is_empty()
                && verify_password(password.to_owned(), row.password_hash.clone()).await?)
        },
    )
    .await?;
    if row.totp_enabled_at_ms.is_some() {
        // An authenticator code or an unused recovery code; a wrong one
        // counts toward the lock too.
        two_factor::verify_log_in(&state.db, user, code.unwrap_or("")).await?;
    }

    let txn = crate::db::begin_write(&state.db).await?;
    let uploading = erase(&txn, &row).await?;
    txn.commit().await?;
    tracing::info!(user = user.0, "account deleted");

    crate::services::sessions::end_all(&state.db, &state.revocations, user, None).await?;
    for key in uploading {
        let _ = tokio::fs::remove_file(state.video.upload_path(&key)).await;
    }
    state.empty_media_trash().await;
    Ok(())
}

/// Everything in [`delete_account`]'s transaction. Returns the keys of
/// videos still uploading (their local files go after the commit).
async fn erase<C: ConnectionTrait>(db: &C, user: &users::Model) -> AppResult<Vec<String>> {
    let me = user.id;
    let now = now_ms();

    // Messages stay, under the ghost. One that was only a photo would be
    // blank once its photo goes: it reads as deleted instead.
    let photo_messages = Query::select()
        .column(media::Column::MessageId)
        .from(media::Entity)
        .and_where(media::Column::OwnerId.eq(me))
        .and_where(media::Column::MessageId.is_not_null())
        .to_owned();
    messages::Entity::update_many()
        .col_expr(messages::Column::DeletedAtMs, Expr::value(now))
        .filter(messages::Column::SenderId.eq(me))
        .filter(messages::Column::Body.eq(""))
        .filter(messages::Column::DeletedAtMs.is_null())
        .filter(messages::Column::Id.in_subquery(photo_messages))
        .exec(db)
        .await?;
    messages::Entity::update_many()
        .col_expr(messages::Column::SenderId, Expr::value(GHOST_USER_ID))
        .filter(messages::Column::SenderId.eq(me))
        .exec(db)
        .await?;

    hand_over_groups(db, me).await?;
    regroup_notifications(db, me).await?;

    // Files: photos, videos and archives to the trash.
    let photos = media::Entity::find()
        .filter(media::Column::OwnerId.eq(me))
        .all(db)
        .await?;
    let clips = videos::Entity::find()
        .filter(videos::Column::OwnerId.eq(me))
        .all(db)
        .await?;
    let keys: Vec<String> = photos
        .iter()
        .map(|m| m.key.clone())
        .chain(clips.iter().map(|v| v.key.clone()))
        .collect();
    if !keys.is_empty() {
        media_trash::Entity::insert_many(keys.into_iter().map(|key| media_trash::ActiveModel {
            key: Set(key),
            attempts: Set(0),
            next_attempt_at_ms: Set(now),
            ..Default::default()
        }))
        .exec_without_returning(db)
        .await?;
    }
    let photo_ids: Vec<i64> = photos.iter().map(|m| m.id).collect();
    for col in [
        profiles::Column::AvatarMediaId,
        profiles::Column::CoverMediaId,
    ] {
        profiles::Entity::update_many()
            .col_expr(col, Expr::value(Option::<i64>::None))
            .filter(col.is_in(photo_ids.clone()))
            .exec(db)
            .await?;
    }
    media::Entity::delete_many()
        .filter(media::Column::OwnerId.eq(me))
        .exec(db)
        .await?;
    videos::Entity::delete_many()
        .filter(videos::Column::OwnerId.eq(me))
        .exec(db)
        .await?;
    let archives = data_exports::Entity::find()
        .filter(data_exports::Column::UserId.eq(me))
        .all(db)
        .await?;
    crate::services::data_export::trash_rows(db, &archives).await?;

    // The name stays taken for a while.
    retired_usernames::Entity::insert(retired_usernames::ActiveModel {
        username_key: Set(user.username_key.clone()),
        free_at_ms: Set(now + USERNAME_RETIRED_MS),
    })
    .on_conflict(
        OnConflict::column(retired_usernames::Column::UsernameKey)
            .update_column(retired_usernames::Column::FreeAtMs)
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;

    // Everything else about them.
    notification_actors::Entity::delete_many()
        .filter(notification_actors::Column::ActorId.eq(me))
        .exec(db)
        .await?;
    notifications::Entity::delete_many()
        .filter(
            Condition::any()
                .add(notifications::Column::RecipientId.eq(me))
                .add(notifications::Column::ActorId.eq(me)),
        )
        .exec(db)
        .await?;
    mentions::Entity::delete_many()
        .filter(mentions::Column::UserId.eq(me))
        .exec(db)
        .await?;
    reactions::Entity::delete_many()
        .filter(reactions::Column::UserId.eq(me))
        .exec(db)
        .await?;
    // Replies to their comments go with them (as when a comment is
    // deleted); so do the comments, reactions and mentions on their posts.
    comments::Entity::delete_many()
        .filter(comments::Column::AuthorId.eq(me))
        .exec(db)
        .await?;
    let own_posts = Query::select()
        .column(posts::Column::Id)
        .from(posts::Entity)
        .and_where(posts::Column::AuthorId.eq(me))
        .to_owned();
    posts::Entity::update_many()
        .col_expr(
            posts::Column::SharedPostId,
            Expr::value(Option::<i64>::None),
        )
        .filter(posts::Column::SharedPostId.in_subquery(own_posts))
        .filter(posts::Column::AuthorId.ne(me))
        .exec(db)
        .await?;
    posts::Entity::delete_many()
        .filter(posts::Column::AuthorId.eq(me))
        .exec(db)
        .await?;
    friendships::Entity::delete_many()
        .filter(
            Condition::any()
                .add(friendships::Column::UserAId.eq(me))
                .add(friendships::Column::UserBId.eq(me))
                .add(friendships::Column::RequesterId.eq(me)),
        )
        .exec(db)
        .await?;
    follows::Entity::delete_many()
        .filter(
            Condition::any()
                .add(follows::Column::FollowerId.eq(me))
                .add(follows::Column::FolloweeId.eq(me)),
        )
        .exec(db)
        .await?;
    blocks::Entity::delete_many()
        .filter(
            Condition::any()
                .add(blocks::Column::BlockerId.eq(me))
                .add(blocks::Column::BlockedId.eq(me)),
        )
        .exec(db)
        .await?;
    conversation_members::Entity::delete_many()
        .filter(conversation_members::Column::UserId.eq(me))
        .exec(db)
        .await?;
    conversations::Entity::update_many()
        .col_expr(
            conversations::Column::CreatedBy,
            Expr::value(Option::<i64>::None),
        )
        .filter(conversations::Column::CreatedBy.eq(me))
        .exec(db)
        .await?;
    live_events::Entity::delete_many()
        .filter(live_events::Column::UserId.eq(me))
        .exec(db)
        .await?;
    sessions::Entity::delete_many()
        .filter(sessions::Column::UserId.eq(me))
        .exec(db)
        .await?;
    account_tokens::Entity::delete_many()
        .filter(account_tokens::Column::UserId.eq(me))
        .exec(db)
        .await?;
    recovery_codes::Entity::delete_many()
        .filter(recovery_codes::Column::UserId.eq(me))
        .exec(db)
        .await?;
    profiles::Entity::delete_by_id(me).exec(db).await?;
    users::Entity::delete_by_id(me).exec(db).await?;

    Ok(clips
        .into_iter()
        .filter(|v| v.status == videos::UPLOADING)
        .map(|v| v.key)
        .collect())
}

/// Groups and rooms `me` is in: when `me` is their only admin, the
/// longest-standing other member becomes admin; a group nobody else is in
/// is deleted (rooms stay, as when the last member leaves).
async fn hand_over_groups<C: ConnectionTrait>(db: &C, me: i64) -> AppResult<()> {
    let mine = conversation_members::Entity::find()
        .filter(conversation_members::Column::UserId.eq(me))
        .all(db)
        .await?;
    for membership in mine {
        let Some(conv) = conversations::Entity::find_by_id(membership.conversation_id)
            .one(db)
            .await?
        else {
            continue;
        };
        let kind = ConversationKind::parse(&conv.kind);
        if kind == Some(ConversationKind::Direct) {
            continue;
        }
        let rest = conversation_members::Entity::find()
            .filter(conversation_members::Column::ConversationId.eq(conv.id))
            .filter(conversation_members::Column::UserId.ne(me))
            .order_by_asc(conversation_members::Column::JoinedAtMs)
            .order_by_asc(conversation_members::Column::UserId)
            .all(db)
            .await?;
        if rest.is_empty() {
            if kind == Some(ConversationKind::Group) {
                conversations::Entity::delete_by_id(conv.id)
                    .exec(db)
                    .await?;
            }
            continue;
        }
        let was_admin = MemberRole::parse(&membership.role) == MemberRole::Admin;
        let has_admin = rest
            .iter()
            .any(|m| MemberRole::parse(&m.role) == MemberRole::Admin);
        if was_admin
            && !has_admin
            && let Some(heir) = rest.first()
        {
            conversation_members::Entity::update_many()
                .col_expr(
                    conversation_members::Column::Role,
                    Expr::value(MemberRole::Admin.as_str()),
                )
                .filter(conversation_members::Column::ConversationId.eq(heir.conversation_id))
                .filter(conversation_members::Column::UserId.eq(heir.user_id))
                .exec(db)
                .await?;
        }
    }
    Ok(())
}

/// Notifications `me` acted in: where others acted too, the newest of
/// them becomes the one named and the count drops; the rest go with the
/// account.
async fn regroup_notifications<C: ConnectionTrait>(db: &C, me: i64) -> AppResult<()> {
    let groups: Vec<i64> = notification_actors::Entity::find()
        .filter(notification_actors::Column::ActorId.eq(me))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.notification_id)
        .collect();
    for id in groups {
        let others = notification_actors::Entity::find()
            .filter(notification_actors::Column::NotificationId.eq(id))
            .filter(notification_actors::Column::ActorId.ne(me))
            .order_by_desc(notification_actors::Column::CreatedAtMs)
            .order_by_asc(notification_actors::Column::ActorId)
            .all(db)
            .await?;
        let Some(newest) = others.first() else {
            continue;
        };
        notifications::Entity::update_many()
            .col_expr(notifications::Column::ActorId, Expr::value(newest.actor_id))
            .col_expr(
                notifications::Column::ActorCount,
                Expr::value(i32::try_from(others.len()).unwrap_or(i32::MAX)),
            )
            .filter(notifications::Column::Id.eq(id))
            .filter(notifications::Column::RecipientId.ne(me))
            .exec(db)
            .await?;
    }
    Ok(())
}
