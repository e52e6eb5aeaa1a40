//! Chat: one-to-one conversations between friends, named groups and public
//! rooms; messages with edit and delete; read positions and unread counts.
//!
//! Rules:
//! - A one-to-one conversation exists once per pair and is opened only
//!   between friends who haven't blocked each other. If they stop being
//!   friends (or block), the history stays readable but nobody can send
//!   or edit (deleting one's own messages stays allowed).
//! - Groups: the creator is admin and picks friends to add; any member may
//!   add their own friends; the admin renames and removes members; anyone
//!   may leave (an admin who leaves hands the role to the longest-standing
//!   member; an empty group is deleted).
//! - Rooms: listed in a directory; anyone joins or leaves; the creator is
//!   admin.
//! - Someone an admin removed from a group or room is banned from it: they
//!   can't join the room again, and only an admin can add them back to the
//!   group (which lifts the ban).
//! - Non-members learn nothing: every read or write on a conversation they
//!   are not in is `NotFound`.
//! - A message is committed, with its durable live event, before the
//!   sender gets the answer; every member's open tabs get it live.

use crate::db::entities::{
    conversation_bans, conversation_members, conversations, messages, users,
};
use crate::error::{AppError, AppResult};
use crate::events::LiveEvent;
use crate::hub::{Audience, EventHub};
use crate::ids::{ConversationId, MessageId, UserId};
use crate::models::{
    ConversationDetail, ConversationKind, ConversationSummary, MESSAGES_PAGE_SIZE, MediaPurpose,
    MemberRole, MemberView, MessagePreview, MessageView, MessagesPage, PhotoInput, ReadMarker,
    RoomCard, UnreadCounts,
};
use crate::services::live_log::{Outbox, Target, member_ids, rewrite_message};
use crate::services::media;
use crate::services::notifications::{self, Notice};
use crate::services::posts::authors;
use crate::services::social::{are_friends, blocked_either_way};
use crate::time_fmt::now_ms;
use crate::validation;
use sea_orm::sea_query::{Expr, ExprTrait as _, OnConflict};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, FromQueryResult, JoinType, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::collections::HashMap;

/// Rooms listed in the directory, most recently active first.
pub const ROOMS_LISTED: u64 = 100;
/// Conversations listed in the mailbox, most recently active first.
pub const MAILBOX_LIMIT: u64 = 200;
/// Mailbox excerpts are cut to this many characters.
const EXCERPT_CHARS: usize = 120;

fn direct_key(a: UserId, b: UserId) -> String {
    format!("{}:{}", std::cmp::min(a.0, b.0), std::cmp::max(a.0, b.0))
}

fn kind_of(c: &conversations::Model) -> ConversationKind {
    ConversationKind::parse(&c.kind).unwrap_or(ConversationKind::Group)
}

async fn membership<C: ConnectionTrait>(
    db: &C,
    conversation: ConversationId,
    user: UserId,
) -> AppResult<Option<conversation_members::Model>> {
    Ok(
        conversation_members::Entity::find_by_id((conversation.0, user.0))
            .one(db)
            .await?,
    )
}

/// Whether `user` is a member of `conversation`.
///
/// # Errors
/// On database failure.
pub async fn is_member<C: ConnectionTrait>(
    db: &C,
    conversation: ConversationId,
    user: UserId,
) -> AppResult<bool> {
    Ok(membership(db, conversation, user).await?.is_some())
}

/// The conversation and `me`'s membership; `NotFound` unless a member.
async fn member_of<C: ConnectionTrait>(
    db: &C,
    me: UserId,
    conversation: ConversationId,
) -> AppResult<(conversations::Model, conversation_members::Model)> {
    let member = membership(db, conversation, me)
        .await?
        .ok_or(AppError::NotFound)?;
    let conv = conversations::Entity::find_by_id(conversation.0)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((conv, member))
}

fn member_row(
    conversation: i64,
    user: UserId,
    role: MemberRole,
    now: i64,
) -> conversation_members::ActiveModel {
    conversation_members::ActiveModel {
        conversation_id: Set(conversation),
        user_id: Set(user.0),
        role: Set(role.as_str().to_owned()),
        joined_at_ms: Set(now),
        last_read_message_id: Set(0),
    }
}

/// Whether an admin removed `user` from `conversation` (see
/// `conversation_bans`).
async fn is_banned<C: ConnectionTrait>(
    db: &C,
    conversation: ConversationId,
    user: UserId,
) -> AppResult<bool> {
    Ok(
        conversation_bans::Entity::find_by_id((conversation.0, user.0))
            .one(db)
            .await?
            .is_some(),
    )
}

/// The other member of a one-to-one conversation.
async fn other_member<C: ConnectionTrait>(
    db: &C,
    conversation: ConversationId,
    me: UserId,
) -> AppResult<Option<UserId>> {
    Ok(member_ids(db, conversation)
        .await?
        .into_iter()
        .find(|u| *u != me))
}

/// Why `me` can't send in `conv`, if they can't.
async fn cannot_send<C: ConnectionTrait>(
    db: &C,
    me: UserId,
    conv: &conversations::Model,
) -> AppResult<Option<String>> {
    if kind_of(conv) != ConversationKind::Direct {
        return Ok(None);
    }
    let Some(other) = other_member(db, ConversationId(conv.id), me).await? else {
        return Ok(Some("This person has left Hearth.".to_owned()));
    };
    if blocked_either_way(db, me, other).await? || !are_friends(db, me, other).await? {
        return Ok(Some(
            "You can't reply to this conversation: you are no longer friends.".to_owned(),
        ));
    }
    Ok(None)
}

/// Inserts a conversation created now by `me`.
async fn insert_conversation(
    txn: &DatabaseTransaction,
    me: UserId,
    kind: ConversationKind,
    name: Option<String>,
    direct_key: Option<String>,
) -> Result<conversations::Model, sea_orm::DbErr> {
    let now = now_ms();
    conversations::ActiveModel {
        kind: Set(kind.as_str().to_owned()),
        name: Set(name),
        created_by: Set(Some(me.0)),
        direct_key: Set(direct_key),
        created_at_ms: Set(now),
        last_activity_ms: Set(now),
        last_message_id: Set(None),
        ..Default::default()
    }
    .insert(txn)
    .await
}

/// Queues "`user` joined / left `conversation`" for that user's tabs.
async fn membership_changed(
    txn: &DatabaseTransaction,
    out: &mut Outbox,
    user: UserId,
    conversation: ConversationId,
    member: bool,
) -> AppResult<()> {
    out.add(
        txn,
        Target::User(user),
        None,
        LiveEvent::MembershipChanged {
            conversation_id: conversation,
            member,
        },
    )
    .await
    .map(drop)
}

/// Queues "`conversation`'s name or members changed" for its members.
async fn conversation_changed(
    txn: &DatabaseTransaction,
    out: &mut Outbox,
    conversation: ConversationId,
) -> AppResult<()> {
    out.add(
        txn,
        Target::Conversation(conversation),
        None,
        LiveEvent::ConversationChanged {
            conversation_id: conversation,
        },
    )
    .await
    .map(drop)
}

/// Creates a group or room named `name` with `me` as its admin; returns it
/// with `me`'s membership event queued in the returned outbox.
async fn create_named(
    txn: &DatabaseTransaction,
    me: UserId,
    kind: ConversationKind,
    name: String,
) -> AppResult<(conversations::Model, Outbox)> {
    let conv = insert_conversation(txn, me, kind, Some(name), None).await?;
    member_row(conv.id, me, MemberRole::Admin, conv.created_at_ms)
        .insert(txn)
        .await?;
    let mut out = Outbox::default();
    membership_changed(txn, &mut out, me, ConversationId(conv.id), true).await?;
    Ok((conv, out))
}

/// Which of `users` share read receipts.
async fn receipt_sharers<C: ConnectionTrait>(
    db: &C,
    users: impl IntoIterator<Item = i64>,
) -> AppResult<Vec<i64>> {
    Ok(users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .filter(users::Column::Id.is_in(users))
        .filter(users::Column::SendReadReceipts.eq(true))
        .into_tuple()
        .all(db)
        .await?)
}

/// Opens (or finds) the one-to-one conversation of `me` and `other`.
///
/// # Errors
/// `Forbidden` unless they are friends and neither blocked the other;
/// `Validation` when `other` is `me`.
pub async fn open_direct(
    db: &DatabaseConnection,
    me: UserId,
    other: UserId,
) -> AppResult<ConversationId> {
    if me == other {
        return Err(AppError::validation("user_id", "Pick someone else."));
    }
    if blocked_either_way(db, me, other).await? || !are_friends(db, me, other).await? {
        return Err(AppError::Forbidden);
    }
    let key = direct_key(me, other);
    let existing = || async {
        conversations::Entity::find()
            .filter(conversations::Column::DirectKey.eq(key.clone()))
            .one(db)
            .await
    };
    if let Some(c) = existing().await? {
        return Ok(ConversationId(c.id));
    }
    let txn = crate::db::begin_ordered_write(db).await?;
    let inserted =
        insert_conversation(&txn, me, ConversationKind::Direct, None, Some(key.clone())).await;
    let conv = match inserted {
        Ok(conv) => conv,
        Err(_) => {
            // A concurrent open of the same pair won the unique key.
            drop(txn);
            return existing()
                .await?
                .map(|c| ConversationId(c.id))
                .ok_or(AppError::Internal);
        }
    };
    for user in [me, other] {
        member_row(conv.id, user, MemberRole::Member, conv.created_at_ms)
            .insert(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(ConversationId(conv.id))
}

/// Adds `users` to `conv` inside `txn`: each must be a friend of `me`
/// (not blocked) and not already a member. Queues their membership events
/// and "added you" notifications.
async fn add_members_in(
    txn: &DatabaseTransaction,
    out: &mut Outbox,
    me: UserId,
    conv: &conversations::Model,
    users: &[UserId],
) -> AppResult<usize> {
    let now = now_ms();
    let mut added = 0;
    let mut seen = std::collections::HashSet::new();
    let admin = membership(txn, ConversationId(conv.id), me)
        .await?
        .is_some_and(|m| MemberRole::parse(&m.role) == MemberRole::Admin);
    for &user in users {
        if user == me || !seen.insert(user) {
            continue;
        }
        if !are_friends(txn, me, user).await? || blocked_either_way(txn, me, user).await? {
            return Err(AppError::validation(
                "members",
                "You can only add your friends.",
            ));
        }
        if membership(txn, ConversationId(conv.id), user)
            .await?
            .is_some()
        {
            continue;
        }
        if is_banned(txn, ConversationId(conv.id), user).await? {
            if !admin {
                return Err(AppError::validation(
                    "members",
                    "An admin removed someone you picked; only an admin can add them back.",
                ));
            }
            conversation_bans::Entity::delete_by_id((conv.id, user.0))
                .exec(txn)
                .await?;
        }
        member_row(conv.id, user, MemberRole::Member, now)
            .insert(txn)
            .await?;
        membership_changed(txn, out, user, ConversationId(conv.id), true).await?;
        notifications::record(
            txn,
            out,
            Notice::added_to_group(me, user, ConversationId(conv.id)),
        )
        .await?;
        added += 1;
    }
    Ok(added)
}

/// Creates a group named `name` with `me` as admin and `members` (friends
/// of `me`, at least one).
///
/// # Errors
/// `Validation` on `name` (1–80 characters) or `members` (none, or not
/// friends).
pub async fn create_group(
    db: &DatabaseConnection,
    hub: &EventHub,
    me: UserId,
    name: &str,
    members: &[UserId],
) -> AppResult<ConversationId> {
    let name = validation::conversation_name(name)?;
    if !members.iter().any(|m| *m != me) {
        return Err(AppError::validation("members", "Pick at least one friend."));
    }
    let _order = hub.ordered().await;
    let txn = crate::db::begin_ordered_write(db).await?;
    let (conv, mut out) = create_named(&txn, me, ConversationKind::Group, name).await?;
    add_members_in(&txn, &mut out, me, &conv, members).await?;
    txn.commit().await?;
    out.publish(hub);
    Ok(ConversationId(conv.id))
}

/// Creates a public room named `name`, `me` as admin.
///
/// # Errors
/// `Validation` on `name`.
pub async fn create_room(
    db: &DatabaseConnection,
    hub: &EventHub,
    me: UserId,
    name: &str,
) -> AppResult<ConversationId> {
    let name = validation::conversation_name(name)?;
    let _order = hub.ordered().await;
    let txn = crate::db::begin_ordered_write(db).await?;
    let (conv, out) = create_named(&txn, me, ConversationKind::Room, name).await?;
    txn.commit().await?;
    out.publish(hub);
    Ok(ConversationId(conv.id))
}

/// Joins public room `room`.
///
/// # Errors
/// `NotFound` unless it is a room; `Forbidden` if an admin removed `me`
/// from it.
pub async fn join_room(
    db: &DatabaseConnection,
    hub: &EventHub,
    me: UserId,
    room: ConversationId,
) -> AppResult<()> {
    let conv = conversations::Entity::find_by_id(room.0)
        .one(db)
        .await?
        .filter(|c| kind_of(c) == ConversationKind::Room)
        .ok_or(AppError::NotFound)?;
    if is_member(db, room, me).await? {
        return Ok(());
    }
    let _order = hub.ordered().await;
    let txn = crate::db::begin_ordered_write(db).await?;
    if is_banned(&txn, room, me).await? {
        return Err(AppError::Forbidden);
    }
    // A newcomer starts reading at the room's newest message: its history
    // isn't unread for them.
    let newest = conversations::Entity::find_by_id(room.0)
        .one(&txn)
        .await?
        .and_then(|c| c.last_message_id)
        .unwrap_or(0);
    let mut row = member_row(conv.id, me, MemberRole::Member, now_ms());
    row.last_read_message_id = Set(newest);
    row.insert(&txn).await?;
    let mut out = Outbox::default();
    membership_changed(&txn, &mut out, me, room, true).await?;
    conversation_changed(&txn, &mut out, room).await?;
    txn.commit().await?;
    out.publish(hub);
    Ok(())
}

/// Adds `users` (friends of `me`) to group `conversation`.
///
/// # Errors
/// `NotFound` unless `me` is a member; `Forbidden` for one-to-one chats and
/// rooms; `Validation` if someone isn't `me`'s friend.
pub async fn add_members(
    db: &DatabaseConnection,
    hub: &EventHub,
    me: UserId,
    conversation: ConversationId,
    users: &[UserId],
) -> AppResult<()> {
    let (conv, _) = member_of(db, me, conversation).await?;
    if kind_of(&conv) != ConversationKind::Group {
        return Err(AppError::Forbidden);
    }
    let _order = hub.ordered().await;
    let txn = crate::db::begin_ordered_write(db).await?;
    let mut out = Outbox::default();
    if add_members_in(&txn, &mut out, me, &conv, users).await? > 0 {
        conversation_changed(&txn, &mut out, conversation).await?;
    }
    txn.commit().await?;
    out.publish(hub);
    Ok(())
}

/// Removes `user` from group or room `conversation` (admin only); they
/// are banned from it (see `conversation_bans`).
///
/// # Errors
/// `NotFound` unless both are members; `Forbidden` unless `me` is its
/// admin, or for removing yourself (leave instead).
pub async fn remove_member(
    db: &DatabaseConnection,
    hub: &EventHub,
    me: UserId,
    conversation: ConversationId,
    user: UserId,
) -> AppResult<()> {
    let (conv, mine) = member_of(db, me, conversation).await?;
    if kind_of(&conv) == ConversationKind::Direct
        || MemberRole::parse(&mine.role) != MemberRole::Admin
        || user == me
    {
        return Err(AppError::Forbidden);
    }
    membership(db, conversation, user)
        .await?
        .ok_or(AppError::NotFound)?;
    let _order = hub.ordered().await;
    let txn = crate::db::begin_ordered_write(db).await?;
    conversation_members::Entity::delete_by_id((conversation.0, user.0))
        .exec(&txn)
        .await?;
    conversation_bans::Entity::insert(conversation_bans::ActiveModel {
        conversation_id: Set(conversation.0),
        user_id: Set(user.0),
        banned_by: Set(Some(me.0)),
        created_at_ms: Set(now_ms()),
    })
    .on_conflict(
        OnConflict::columns([
            conversation_bans::Column::ConversationId,
            conversation_bans::Column::UserId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    let mut out = Outbox::default();
    membership_changed(&txn, &mut out, user, conversation, false).await?;
    conversation_changed(&txn, &mut out, conversation).await?;
    txn.commit().await?;
    out.publish(hub);
    Ok(())
}

/// Leaves group or room `conversation`.
///
/// # Errors
/// `NotFound` unless a member; `Forbidden` for one-to-one chats.
pub async fn leave(
    db: &DatabaseConnection,
    hub: &EventHub,
    me: UserId,
    conversation: ConversationId,
) -> AppResult<()> {
    let (conv, mine) = member_of(db, me, conversation).await?;
    if kind_of(&conv) == ConversationKind::Direct {
        return Err(AppError::Forbidden);
    }
    let _order = hub.ordered().await;
    let txn = crate::db::begin_ordered_write(db).await?;
    conversation_members::Entity::delete_by_id((conversation.0, me.0))
        .exec(&txn)
        .await?;
    let rest = conversation_members::Entity::find()
        .filter(conversation_members::Column::ConversationId.eq(conversation.0))
        .order_by_asc(conversation_members::Column::JoinedAtMs)
        .order_by_asc(conversation_members::Column::UserId)
        .all(&txn)
        .await?;
    let mut out = Outbox::default();
    membership_changed(&txn, &mut out, me, conversation, false).await?;
    if rest.is_empty() && kind_of(&conv) == ConversationKind::Group {
        conversations::Entity::delete_by_id(conversation.0)
            .exec(&txn)
            .await?;
    } else {
        let admin_left = MemberRole::parse(&mine.role) == MemberRole::Admin;
        let has_admin = rest
            .iter()
            .any(|m| MemberRole::parse(&m.role) == MemberRole::Admin);
        if admin_left
            && !has_admin
            && let Some(heir) = rest.first()
        {
            let mut heir: conversation_members::ActiveModel = heir.clone().into();
            heir.role = Set(MemberRole::Admin.as_str().to_owned());
            heir.update(&txn).await?;
        }
        conversation_changed(&txn, &mut out, conversation).await?;
    }
    txn.commit().await?;
    out.publish(hub);
    Ok(())
}

/// Renames group or room `conversation` (admin only).
///
/// # Errors
/// `NotFound` unless a member; `Forbidden` unless admin of a group or
/// room; `Validation` on `name`.
pub async fn rename(
    db: &DatabaseConnection,
    hub: &EventHub,
    me: UserId,
    conversation: ConversationId,
    name: &str,
) -> AppResult<()> {
    let (conv, mine) = member_of(db, me, conversation).await?;
    if kind_of(&conv) == ConversationKind::Direct
        || MemberRole::parse(&mine.role) != MemberRole::Admin
    {
        return Err(AppError::Forbidden);
    }
    let name = validation::conversation_name(name)?;
    let _order = hub.ordered().await;
    let txn = crate::db::begin_ordered_write(db).await?;
    let mut active: conversations::ActiveModel = conv.into();
    active.name = Set(Some(name));
    active.update(&txn).await?;
    let mut out = Outbox::default();
    conversation_changed(&txn, &mut out, conversation).await?;
    txn.commit().await?;
    out.publish(hub);
    Ok(())
}

/// Sends `body` to `conversation` as `me`; returns the stored message once
/// it (and its live event) committed. The sender has read their own
/// message.
///
/// # Errors
/// `NotFound` unless `me` is a member; `Forbidden` in a one-to-one chat
/// with someone who is no longer a friend (or blocked); `Validation` on
/// `body` (1–4,000 characters, or 0–4,000 with a photo) or `photos` (not
/// `me`'s unused chat upload).
pub async fn send_message(
    db: &DatabaseConnection,
    hub: &EventHub,
    me: UserId,
    conversation: ConversationId,
    body: &str,
    photo: Option<&PhotoInput>,
) -> AppResult<MessageView> {
    let body = match photo {
        Some(_) => validation::message_caption(body)?,
        None => validation::message_body(body)?,
    };
    let (conv, _) = member_of(db, me, conversation).await?;
    if cannot_send(db, me, &conv).await?.is_some() {
        return Err(AppError::Forbidden);
    }
    let mut upload = media::unattached_uploads(
        db,
        me,
        MediaPurpose::Message,
        photo.map(std::slice::from_ref).unwrap_or_default(),
        1,
    )
    .await?
    .pop();
    let _order = hub.ordered().await;
    let now = now_ms();
    let txn = crate::db::begin_ordered_write(db).await?;
    let row = messages::ActiveModel {
        conversation_id: Set(conversation.0),
        sender_id: Set(me.0),
        body: Set(body),
        created_at_ms: Set(now),
        edited_at_ms: Set(None),
        deleted_at_ms: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    if let Some(upload) = upload.take() {
        media::attach_to_message(&txn, row.id, upload).await?;
    }
    conversations::Entity::update_many()
        .col_expr(conversations::Column::LastMessageId, Expr::value(row.id))
        .col_expr(conversations::Column::LastActivityMs, Expr::value(now))
        .filter(conversations::Column::Id.eq(conversation.0))
        .exec(&txn)
        .await?;
    conversation_members::Entity::update_many()
        .col_expr(
            conversation_members::Column::LastReadMessageId,
            Expr::value(row.id),
        )
        .filter(conversation_members::Column::ConversationId.eq(conversation.0))
        .filter(conversation_members::Column::UserId.eq(me.0))
        .exec(&txn)
        .await?;
    let view = to_views(&txn, vec![row]).await?.remove(0);
    let mut out = Outbox::default();
    out.add(
        &txn,
        Target::Conversation(conversation),
        Some(view.id),
        LiveEvent::MessageCreated {
            message: view.clone(),
        },
    )
    .await?;
    txn.commit().await?;
    out.publish(hub);
    Ok(view)
}

/// `me`'s own, not deleted message `id`.
async fn own_message(
    db: &DatabaseConnection,
    me: UserId,
    id: MessageId,
) -> AppResult<messages::Model> {
    let msg = messages::Entity::find_by_id(id.0)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if !is_member(db, ConversationId(msg.conversation_id), me).await? {
        return Err(AppError::NotFound);
    }
    if msg.sender_id != me.0 {
        return Err(AppError::Forbidden);
    }
    if msg.deleted_at_ms.is_some() {
        return Err(AppError::NotFound);
    }
    Ok(msg)
}

async fn update_message(
    db: &DatabaseConnection,
    hub: &EventHub,
    msg: messages::Model,
    body: String,
    deleted: bool,
) -> AppResult<MessageView> {
    let conversation = ConversationId(msg.conversation_id);
    let _order = hub.ordered().await;
    let txn = crate::db::begin_ordered_write(db).await?;
    if deleted {
        media::trash_message_photo(&txn, msg.id).await?;
    }
    let mut active: messages::ActiveModel = msg.into();
    active.body = Set(body);
    if deleted {
        active.deleted_at_ms = Set(Some(now_ms()));
    } else {
        active.edited_at_ms = Set(Some(now_ms()));
    }
    let row = active.update(&txn).await?;
    let view = to_views(&txn, vec![row]).await?.remove(0);
    // The log no longer holds the old text (or, deleted, any text).
    rewrite_message(&txn, &view).await?;
    let mut out = Outbox::default();
    out.add(
        &txn,
        Target::Conversation(conversation),
        Some(view.id),
        LiveEvent::MessageUpdated {
            message: view.clone(),
        },
    )
    .await?;
    txn.commit().await?;
    out.publish(hub);
    Ok(view)
}

/// Replaces the text of `me`'s message `id` (shown as edited).
///
/// # Errors
/// `NotFound` if not visible or deleted; `Forbidden` if not `me`'s, or in
/// a one-to-one chat where `me` can't send any more (no longer friends, or
/// blocked); `Validation` on `body`.
pub async fn edit_message(
    db: &DatabaseConnection,
    hub: &EventHub,
    me: UserId,
    id: MessageId,
    body: &str,
) -> AppResult<MessageView> {
    let body = validation::message_body(body)?;
    let msg = own_message(db, me, id).await?;
    let conv = conversations::Entity::find_by_id(msg.conversation_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if cannot_send(db, me, &conv).await?.is_some() {
        return Err(AppError::Forbidden);
    }
    update_message(db, hub, msg, body, false).await
}

/// Deletes `me`'s message `id`: its text is erased and members see
/// "This message was deleted".
///
/// # Errors
/// `NotFound` if not visible or already deleted; `Forbidden` if not `me`'s.
pub async fn delete_message(
    db: &DatabaseConnection,
    hub: &EventHub,
    me: UserId,
    id: MessageId,
) -> AppResult<MessageView> {
    let msg = own_message(db, me, id).await?;
    update_message(db, hub, msg, String::new(), true).await
}

async fn to_views<C: ConnectionTrait>(
    db: &C,
    rows: Vec<messages::Model>,
) -> AppResult<Vec<MessageView>> {
    let senders = authors(db, rows.iter().map(|m| m.sender_id)).await?;
    let ids: Vec<i64> = rows.iter().map(|m| m.id).collect();
    let mut photos = media::photos_of_messages(db, &ids).await?;
    rows.into_iter()
        .map(|m| {
            let sender = senders
                .get(&m.sender_id)
                .cloned()
                .ok_or_else(|| anyhow::anyhow!("message {} has no sender", m.id))?;
            Ok(MessageView {
                id: MessageId(m.id),
                conversation_id: ConversationId(m.conversation_id),
                sender,
                body: if m.deleted_at_ms.is_some() {
                    String::new()
                } else {
                    m.body
                },
                photo: if m.deleted_at_ms.is_some() {
                    None
                } else {
                    photos.remove(&m.id)
                },
                created_at_ms: m.created_at_ms,
                edited: m.edited_at_ms.is_some(),
                deleted: m.deleted_at_ms.is_some(),
            })
        })
        .collect()
}

/// Current views of messages `ids` (for replay), by id.
///
/// # Errors
/// On database failure.
pub async fn message_views<C: ConnectionTrait>(
    db: &C,
    ids: &[MessageId],
) -> AppResult<HashMap<MessageId, MessageView>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = messages::Entity::find()
        .filter(messages::Column::Id.is_in(ids.iter().map(|m| m.0)))
        .all(db)
        .await?;
    Ok(to_views(db, rows)
        .await?
        .into_iter()
        .map(|v| (v.id, v))
        .collect())
}

/// A page of `conversation`'s history before message `before` (newest
/// page when `None`), oldest first.
///
/// # Errors
/// `NotFound` unless `me` is a member.
pub async fn list_messages<C: ConnectionTrait>(
    db: &C,
    me: UserId,
    conversation: ConversationId,
    before: Option<MessageId>,
) -> AppResult<MessagesPage> {
    member_of(db, me, conversation).await?;
    let mut query = messages::Entity::find()
        .filter(messages::Column::ConversationId.eq(conversation.0))
        .order_by_desc(messages::Column::Id)
        .limit(MESSAGES_PAGE_SIZE + 1);
    if let Some(before) = before {
        query = query.filter(messages::Column::Id.lt(before.0));
    }
    let mut rows = query.all(db).await?;
    let more = rows.len() as u64 > MESSAGES_PAGE_SIZE;
    rows.truncate(MESSAGES_PAGE_SIZE as usize);
    rows.reverse();
    let older = more
        .then(|| rows.first().map(|m| MessageId(m.id)))
        .flatten();
    Ok(MessagesPage {
        messages: to_views(db, rows).await?,
        older,
    })
}

/// The title of `conv` for `me`: its name, or the other person's name.
fn title_of(conv: &conversations::Model, other: Option<&crate::models::Author>) -> String {
    match (&conv.name, other) {
        (Some(name), _) => name.clone(),
        (None, Some(other)) => other.display_name.clone(),
        (None, None) => "Conversation".to_owned(),
    }
}

/// Whether `user` shares read receipts.
async fn sends_receipts<C: ConnectionTrait>(db: &C, user: UserId) -> AppResult<bool> {
    Ok(users::Entity::find_by_id(user.0)
        .one(db)
        .await?
        .is_some_and(|u| u.send_read_receipts))
}

/// The header data of `conversation`: members, `me`'s role, whether `me`
/// may send, and read positions (only between members who both share
/// read receipts).
///
/// # Errors
/// `NotFound` unless `me` is a member.
pub async fn conversation_detail<C: ConnectionTrait>(
    db: &C,
    me: UserId,
    conversation: ConversationId,
) -> AppResult<ConversationDetail> {
    let (conv, mine) = member_of(db, me, conversation).await?;
    let rows = conversation_members::Entity::find()
        .filter(conversation_members::Column::ConversationId.eq(conversation.0))
        .order_by_asc(conversation_members::Column::UserId)
        .all(db)
        .await?;
    let people = authors(db, rows.iter().map(|m| m.user_id)).await?;
    let mut members: Vec<MemberView> = rows
        .iter()
        .filter_map(|m| {
            Some(MemberView {
                person: people.get(&m.user_id)?.clone(),
                role: MemberRole::parse(&m.role),
            })
        })
        .collect();
    members.sort_by_key(|m| {
        (
            m.role != MemberRole::Admin,
            m.person.display_name.to_lowercase(),
        )
    });
    let kind = kind_of(&conv);
    let other = if kind == ConversationKind::Direct {
        rows.iter()
            .find(|m| m.user_id != me.0)
            .and_then(|m| people.get(&m.user_id).cloned())
    } else {
        None
    };
    let receipts = if sends_receipts(db, me).await? {
        let sharing = receipt_sharers(db, rows.iter().map(|m| m.user_id)).await?;
        rows.iter()
            .filter(|m| m.user_id != me.0 && sharing.contains(&m.user_id))
            .map(|m| ReadMarker {
                user_id: UserId(m.user_id),
                message_id: MessageId(m.last_read_message_id),
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(ConversationDetail {
        id: conversation,
        kind,
        title: title_of(&conv, other.as_ref()),
        cannot_send: cannot_send(db, me, &conv).await?,
        other,
        members,
        my_role: MemberRole::parse(&mine.role),
        receipts,
    })
}

#[derive(Debug, FromQueryResult)]
struct UnreadRow {
    conversation_id: i64,
    n: i64,
}

/// Unread messages from others per conversation of `me`.
async fn unread_by_conversation<C: ConnectionTrait>(
    db: &C,
    me: UserId,
) -> AppResult<HashMap<i64, u32>> {
    let rows = messages::Entity::find()
        .select_only()
        .column(messages::Column::ConversationId)
        .column_as(messages::Column::Id.count(), "n")
        .join(
            JoinType::InnerJoin,
            messages::Entity::belongs_to(conversation_members::Entity)
                .from(messages::Column::ConversationId)
                .to(conversation_members::Column::ConversationId)
                .into(),
        )
        .filter(conversation_members::Column::UserId.eq(me.0))
        .filter(
            Expr::col((messages::Entity, messages::Column::Id)).gt(Expr::col((
                conversation_members::Entity,
                conversation_members::Column::LastReadMessageId,
            ))),
        )
        .filter(messages::Column::SenderId.ne(me.0))
        .filter(messages::Column::DeletedAtMs.is_null())
        .group_by(messages::Column::ConversationId)
        .into_model::<UnreadRow>()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.conversation_id, u32::try_from(r.n).unwrap_or(u32::MAX)))
        .collect())
}

/// `me`'s conversations, most recently active first, with the last
/// message and unread count. One-to-one chats show once they hold a
/// message (or if `me` opened them).
///
/// # Errors
/// On database failure.
pub async fn mailbox<C: ConnectionTrait>(
    db: &C,
    me: UserId,
) -> AppResult<Vec<ConversationSummary>> {
    let convs = conversations::Entity::find()
        .join(
            JoinType::InnerJoin,
            conversations::Entity::belongs_to(conversation_members::Entity)
                .from(conversations::Column::Id)
                .to(conversation_members::Column::ConversationId)
                .into(),
        )
        .filter(conversation_members::Column::UserId.eq(me.0))
        .order_by_desc(conversations::Column::LastActivityMs)
        .order_by_desc(conversations::Column::Id)
        .limit(MAILBOX_LIMIT)
        .all(db)
        .await?;
    let convs: Vec<_> = convs
        .into_iter()
        .filter(|c| {
            kind_of(c) != ConversationKind::Direct
                || c.last_message_id.is_some()
                || c.created_by == Some(me.0)
        })
        .collect();
    let unread = unread_by_conversation(db, me).await?;
    let direct_ids: Vec<i64> = convs
        .iter()
        .filter(|c| kind_of(c) == ConversationKind::Direct)
        .map(|c| c.id)
        .collect();
    let others: HashMap<i64, i64> = conversation_members::Entity::find()
        .filter(conversation_members::Column::ConversationId.is_in(direct_ids))
        .filter(conversation_members::Column::UserId.ne(me.0))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.conversation_id, m.user_id))
        .collect();
    let last: HashMap<i64, messages::Model> = messages::Entity::find()
        .filter(messages::Column::Id.is_in(convs.iter().filter_map(|c| c.last_message_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let people = authors(
        db,
        others
            .values()
            .copied()
            .chain(last.values().map(|m| m.sender_id)),
    )
    .await?;
    Ok(convs
        .into_iter()
        .map(|c| {
            let other = others.get(&c.id).and_then(|u| people.get(u)).cloned();
            let last_message =
                c.last_message_id
                    .and_then(|id| last.get(&id))
                    .map(|m| MessagePreview {
                        sender_id: UserId(m.sender_id),
                        sender_name: people
                            .get(&m.sender_id)
                            .map(|a| a.display_name.clone())
                            .unwrap_or_default(),
                        excerpt: if m.deleted_at_ms.is_some() {
                            String::new()
                        } else if m.body.is_empty() {
                            // Only a photo (text is required otherwise).
                            "Photo".to_owned()
                        } else {
                            m.body.chars().take(EXCERPT_CHARS).collect()
                        },
                        deleted: m.deleted_at_ms.is_some(),
                    });
            ConversationSummary {
                id: ConversationId(c.id),
                kind: kind_of(&c),
                title: title_of(&c, other.as_ref()),
                other,
                last_message,
                last_activity_ms: c.last_activity_ms,
                unread: unread.get(&c.id).copied().unwrap_or(0),
            }
        })
        .collect())
}

/// Marks `conversation` read by `me` up to message `up_to` (never
/// backwards). Tells `me`'s other tabs, and, if `me` shares read
/// receipts, the members who share theirs.
///
/// # Errors
/// `NotFound` unless `me` is a member.
pub async fn mark_read(
    db: &DatabaseConnection,
    hub: &EventHub,
    me: UserId,
    conversation: ConversationId,
    up_to: MessageId,
) -> AppResult<()> {
    let (conv, mine) = member_of(db, me, conversation).await?;
    let up_to = std::cmp::min(up_to.0, conv.last_message_id.unwrap_or(0));
    if up_to <= mine.last_read_message_id {
        return Ok(());
    }
    conversation_members::Entity::update_many()
        .col_expr(
            conversation_members::Column::LastReadMessageId,
            Expr::value(up_to),
        )
        .filter(conversation_members::Column::ConversationId.eq(conversation.0))
        .filter(conversation_members::Column::UserId.eq(me.0))
        .filter(conversation_members::Column::LastReadMessageId.lt(up_to))
        .exec(db)
        .await?;
    let mut audience = vec![me];
    if sends_receipts(db, me).await? {
        let members = member_ids(db, conversation).await?;
        let sharing = receipt_sharers(db, members.iter().map(|u| u.0)).await?;
        audience.extend(sharing.into_iter().map(UserId).filter(|u| *u != me));
    }
    hub.publish(
        Audience::Users(audience),
        LiveEvent::ConversationRead {
            conversation_id: conversation,
            user_id: me,
            message_id: MessageId(up_to),
        },
    );
    Ok(())
}

/// The top bar's badges for `me`.
///
/// # Errors
/// On database failure.
pub async fn unread_counts<C: ConnectionTrait>(db: &C, me: UserId) -> AppResult<UnreadCounts> {
    let messages = unread_by_conversation(db, me)
        .await?
        .values()
        .fold(0u32, |a, n| a.saturating_add(*n));
    Ok(UnreadCounts {
        messages,
        notifications: notifications::unread_count(db, me).await?,
    })
}

/// Public rooms, most recently active first, with member counts.
///
/// # Errors
/// On database failure.
pub async fn list_rooms<C: ConnectionTrait>(db: &C, me: UserId) -> AppResult<Vec<RoomCard>> {
    let rooms = conversations::Entity::find()
        .filter(conversations::Column::Kind.eq(ConversationKind::Room.as_str()))
        .order_by_desc(conversations::Column::LastActivityMs)
        .order_by_desc(conversations::Column::Id)
        .limit(ROOMS_LISTED)
        .all(db)
        .await?;
    let ids: Vec<i64> = rooms.iter().map(|r| r.id).collect();
    let counts: HashMap<i64, i64> = conversation_members::Entity::find()
        .select_only()
        .column(conversation_members::Column::ConversationId)
        .column_as(conversation_members::Column::UserId.count(), "n")
        .filter(conversation_members::Column::ConversationId.is_in(ids.clone()))
        .group_by(conversation_members::Column::ConversationId)
        .into_tuple::<(i64, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let joined: Vec<i64> = conversation_members::Entity::find()
        .select_only()
        .column(conversation_members::Column::ConversationId)
        .filter(conversation_members::Column::ConversationId.is_in(ids))
        .filter(conversation_members::Column::UserId.eq(me.0))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rooms
        .into_iter()
        .map(|r| RoomCard {
            id: ConversationId(r.id),
            member_count: u32::try_from(counts.get(&r.id).copied().unwrap_or(0)).unwrap_or(0),
            joined: joined.contains(&r.id),
            name: r.name.unwrap_or_default(),
            last_activity_ms: r.last_activity_ms,
        })
        .collect())
}
