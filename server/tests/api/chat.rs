//! Chat over HTTP: one-to-one conversations between friends, groups and
//! rooms, message rules, history paging, unread counts, read receipts and
//! the exact replay of durable live events after a reconnect.

use crate::helpers::{Person, TestApp, spawn_app};
use app::error::AppError;
use app::events::{LiveEnvelope, LiveEvent};
use app::ids::{ConversationId, EventId, MessageId, UserId};
use app::models::{
    ConversationDetail, ConversationKind, ConversationSummary, LiveSettings, MemberRole,
    MessageView, MessagesPage, ReadMarker, RoomCard, UnreadCounts,
};
use app::server_fns::chat::{
    AddGroupMembers, CreateGroup, CreateRoom, DeleteMessage, EditMessage, GetConversation,
    GetLiveSettings, GetUnreadCounts, JoinRoom, LeaveConversation, ListConversations, ListMessages,
    ListRooms, MarkConversationRead, OpenDirectConversation, RemoveGroupMember, RenameConversation,
    SendMessage, UpdateLiveSettings,
};
use app::server_fns::social::Unfriend;
use futures::StreamExt;
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

async fn open(app: &TestApp, who: &Person, other: UserId) -> Result<ConversationId, AppError> {
    app.call_as::<OpenDirectConversation, _>(who, &[("user_id", &other.to_string())])
        .await
}

/// Befriends `a` and `b` and opens their one-to-one conversation.
async fn direct(app: &TestApp, a: &Person, b: &Person) -> ConversationId {
    app.befriend(a, b).await;
    open(app, a, b.id).await.expect("open direct")
}

async fn send(
    app: &TestApp,
    who: &Person,
    conversation: ConversationId,
    body: &str,
) -> Result<MessageView, AppError> {
    app.call_as::<SendMessage, _>(
        who,
        &[
            ("conversation_id", &conversation.to_string()),
            ("body", body),
        ],
    )
    .await
}

async fn page(
    app: &TestApp,
    who: &Person,
    conversation: ConversationId,
    before: Option<MessageId>,
) -> Result<MessagesPage, AppError> {
    let conversation = conversation.to_string();
    let before = before.map(|b| b.to_string());
    let mut form = vec![("conversation_id", conversation.as_str())];
    if let Some(before) = &before {
        form.push(("before", before));
    }
    app.call_as::<ListMessages, _>(who, &form).await
}

async fn edit(
    app: &TestApp,
    who: &Person,
    message: MessageId,
    body: &str,
) -> Result<MessageView, AppError> {
    app.call_as::<EditMessage, _>(who, &[("message_id", &message.to_string()), ("body", body)])
        .await
}

async fn delete(app: &TestApp, who: &Person, message: MessageId) -> Result<MessageView, AppError> {
    app.call_as::<DeleteMessage, _>(who, &[("message_id", &message.to_string())])
        .await
}

fn bodies(page: &MessagesPage) -> Vec<&str> {
    page.messages.iter().map(|m| m.body.as_str()).collect()
}

async fn detail(
    app: &TestApp,
    who: &Person,
    conversation: ConversationId,
) -> Result<ConversationDetail, AppError> {
    app.call_as::<GetConversation, _>(who, &[("conversation_id", &conversation.to_string())])
        .await
}

async fn mailbox(app: &TestApp, who: &Person) -> Vec<ConversationSummary> {
    app.call_as::<ListConversations, _>(who, &[])
        .await
        .expect("mailbox")
}

async fn unread(app: &TestApp, who: &Person) -> UnreadCounts {
    app.call_as::<GetUnreadCounts, _>(who, &[])
        .await
        .expect("unread counts")
}

async fn mark_read(
    app: &TestApp,
    who: &Person,
    conversation: ConversationId,
    message: MessageId,
) -> Result<(), AppError> {
    app.call_as::<MarkConversationRead, _>(
        who,
        &[
            ("conversation_id", &conversation.to_string()),
            ("message_id", &message.to_string()),
        ],
    )
    .await
}

/// `members[0]=..&members[1]=..` as server functions read lists.
fn members_form<'a>(fields: &[(&'a str, &'a str)], members: &[UserId]) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .chain(
            members
                .iter()
                .enumerate()
                .map(|(i, m)| (format!("members[{i}]"), m.to_string())),
        )
        .collect()
}

async fn call_owned<S, T>(
    app: &TestApp,
    who: &Person,
    form: &[(String, String)],
) -> Result<T, AppError>
where
    S: leptos::server_fn::ServerFn,
    T: serde::de::DeserializeOwned,
{
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app.call_as::<S, T>(who, &form).await
}

async fn create_group(
    app: &TestApp,
    who: &Person,
    name: &str,
    members: &[UserId],
) -> Result<ConversationId, AppError> {
    call_owned::<CreateGroup, _>(app, who, &members_form(&[("name", name)], members)).await
}

async fn add_members(
    app: &TestApp,
    who: &Person,
    conversation: ConversationId,
    members: &[UserId],
) -> Result<(), AppError> {
    let c = conversation.to_string();
    call_owned::<AddGroupMembers, _>(app, who, &members_form(&[("conversation_id", &c)], members))
        .await
}

async fn remove_member(
    app: &TestApp,
    who: &Person,
    conversation: ConversationId,
    user: UserId,
) -> Result<(), AppError> {
    app.call_as::<RemoveGroupMember, _>(
        who,
        &[
            ("conversation_id", &conversation.to_string()),
            ("user_id", &user.to_string()),
        ],
    )
    .await
}

async fn rename(
    app: &TestApp,
    who: &Person,
    conversation: ConversationId,
    name: &str,
) -> Result<(), AppError> {
    app.call_as::<RenameConversation, _>(
        who,
        &[
            ("conversation_id", &conversation.to_string()),
            ("name", name),
        ],
    )
    .await
}

async fn set_live_settings(app: &TestApp, who: &Person, receipts: bool, presence: bool) {
    let saved: LiveSettings = app
        .call_as::<UpdateLiveSettings, _>(
            who,
            &[
                ("send_read_receipts", &receipts.to_string()),
                ("show_presence", &presence.to_string()),
            ],
        )
        .await
        .expect("update live settings");
    assert_eq!(
        saved,
        LiveSettings {
            send_read_receipts: receipts,
            show_presence: presence
        }
    );
}

fn is_validation(r: &Result<impl std::fmt::Debug, AppError>, field: &str) -> bool {
    matches!(r, Err(AppError::Validation { field: f, .. }) if f == field)
}

#[tokio::test]
async fn one_to_one_needs_friends_and_history_outlives_the_friendship() {
    let app = spawn_app().await;
    let ana = app.person("ana_dm").await;
    let bo = app.person("bo_dm").await;

    // Strangers can't open a one-to-one, and nobody can with themselves.
    assert_eq!(open(&app, &ana, bo.id).await, Err(AppError::Forbidden));
    assert_eq!(open(&app, &bo, ana.id).await, Err(AppError::Forbidden));
    let own = open(&app, &ana, ana.id).await;
    assert!(is_validation(&own, "user_id"), "{own:?}");

    // Friends can: one conversation per pair, whoever opens it, however
    // often.
    app.befriend(&ana, &bo).await;
    let c = open(&app, &ana, bo.id).await.expect("open");
    assert_eq!(open(&app, &bo, ana.id).await, Ok(c));
    assert_eq!(open(&app, &ana, bo.id).await, Ok(c));
    let d = detail(&app, &bo, c).await.expect("detail");
    assert_eq!(d.kind, ConversationKind::Direct);
    assert_eq!(d.other.as_ref().map(|o| o.id), Some(ana.id));
    assert_eq!(d.title, ana.display_name);
    assert_eq!(d.cannot_send, None);

    send(&app, &ana, c, "hello").await.expect("send");
    send(&app, &bo, c, "hi back").await.expect("reply");

    // Unfriended: the history stays readable for both, but nobody can send
    // or reopen.
    app.call_as::<Unfriend, ()>(&bo, &[("user_id", &ana.id.to_string())])
        .await
        .expect("unfriend");
    for who in [&ana, &bo] {
        let history = page(&app, who, c, None).await.expect("history");
        assert_eq!(bodies(&history), ["hello", "hi back"]);
        assert_eq!(
            send(&app, who, c, "still there?").await,
            Err(AppError::Forbidden)
        );
        assert!(
            detail(&app, who, c)
                .await
                .expect("detail")
                .cannot_send
                .is_some()
        );
    }
    assert_eq!(open(&app, &ana, bo.id).await, Err(AppError::Forbidden));
    let history = page(&app, &ana, c, None).await.expect("history");
    assert_eq!(history.messages.len(), 2, "refused sends stored nothing");
}

#[tokio::test]
async fn non_members_can_neither_read_nor_write_a_group() {
    let app = spawn_app().await;
    let ana = app.person("ana_g").await;
    let bo = app.person("bo_g").await;
    let cy = app.person("cy_g").await;
    app.befriend(&ana, &bo).await;
    app.befriend(&ana, &cy).await;
    let g = create_group(&app, &ana, "Secret", &[bo.id])
        .await
        .expect("group");
    let m = send(&app, &ana, g, "members only").await.expect("send");

    // Cy is Ana's friend but not a member: every read or write is NotFound,
    // exactly as for a conversation that doesn't exist.
    let missing = ConversationId(g.0 + 1_000);
    for c in [g, missing] {
        assert_eq!(
            send(&app, &cy, c, "let me in").await,
            Err(AppError::NotFound)
        );
        assert_eq!(page(&app, &cy, c, None).await, Err(AppError::NotFound));
        assert_eq!(detail(&app, &cy, c).await, Err(AppError::NotFound));
        assert_eq!(mark_read(&app, &cy, c, m.id).await, Err(AppError::NotFound));
        assert_eq!(
            add_members(&app, &cy, c, &[ana.id]).await,
            Err(AppError::NotFound)
        );
        assert_eq!(
            app.call_as::<LeaveConversation, ()>(&cy, &[("conversation_id", &c.to_string())])
                .await,
            Err(AppError::NotFound)
        );
    }
    assert_eq!(
        page(&app, &ana, missing, None).await,
        Err(AppError::NotFound)
    );
    assert_eq!(edit(&app, &cy, m.id, "x").await, Err(AppError::NotFound));
    assert_eq!(delete(&app, &cy, m.id).await, Err(AppError::NotFound));
    assert!(mailbox(&app, &cy).await.is_empty());

    // Nothing changed for the members.
    for who in [&ana, &bo] {
        let history = page(&app, who, g, None).await.expect("history");
        assert_eq!(history.messages, vec![m.clone()]);
    }
    assert_eq!(unread(&app, &bo).await.messages, 1);
}

#[tokio::test]
async fn message_bodies_are_checked_and_only_the_sender_edits_or_deletes() {
    let app = spawn_app().await;
    let ana = app.person("ana_v").await;
    let bo = app.person("bo_v").await;
    let c = direct(&app, &ana, &bo).await;

    for bad in [String::new(), "  \n ".to_owned(), "x".repeat(4_001)] {
        let r = send(&app, &ana, c, &bad).await;
        assert!(is_validation(&r, "body"), "{} chars: {r:?}", bad.len());
    }
    let longest = send(&app, &ana, c, &"é".repeat(4_000))
        .await
        .expect("4,000 characters are fine");
    assert_eq!(longest.body.chars().count(), 4_000);
    assert_eq!(
        page(&app, &bo, c, None).await.expect("page").messages.len(),
        1
    );

    let m = send(&app, &ana, c, "original").await.expect("send");
    assert!(!m.edited && !m.deleted);
    // The other member may neither edit nor delete it.
    assert_eq!(
        edit(&app, &bo, m.id, "hijacked").await,
        Err(AppError::Forbidden)
    );
    assert_eq!(delete(&app, &bo, m.id).await, Err(AppError::Forbidden));
    let r = edit(&app, &ana, m.id, "").await;
    assert!(is_validation(&r, "body"), "{r:?}");

    let edited = edit(&app, &ana, m.id, "fixed").await.expect("edit");
    assert_eq!((edited.body.as_str(), edited.edited), ("fixed", true));
    let seen = page(&app, &bo, c, None).await.expect("page");
    assert_eq!(seen.messages.last(), Some(&edited));

    let deleted = delete(&app, &ana, m.id).await.expect("delete");
    assert!(deleted.deleted);
    assert_eq!(deleted.body, "");
    let seen = page(&app, &bo, c, None).await.expect("page");
    let last = seen.messages.last().expect("still listed");
    assert_eq!(
        (last.id, last.deleted, last.body.as_str()),
        (m.id, true, "")
    );
    let preview = mailbox(&app, &bo).await[0]
        .last_message
        .clone()
        .expect("preview");
    assert!(preview.deleted);
    assert_eq!(preview.excerpt, "");
    // Gone for good: no edit or second delete.
    assert_eq!(
        edit(&app, &ana, m.id, "back").await,
        Err(AppError::NotFound)
    );
    assert_eq!(delete(&app, &ana, m.id).await, Err(AppError::NotFound));
}

#[tokio::test]
async fn history_pages_are_thirty_newest_first_pages_oldest_first_within() {
    let app = spawn_app().await;
    let ana = app.person("ana_p").await;
    let bo = app.person("bo_p").await;
    let c = direct(&app, &ana, &bo).await;
    let mut sent = Vec::new();
    for i in 1..=65 {
        sent.push(send(&app, &ana, c, &format!("m{i}")).await.expect("send"));
    }
    let expect = |range: std::ops::RangeInclusive<usize>| -> Vec<String> {
        range.map(|i| format!("m{i}")).collect()
    };

    let first = page(&app, &bo, c, None).await.expect("page 1");
    assert_eq!(bodies(&first), expect(36..=65));
    assert_eq!(first.messages, sent[35..].to_vec());
    assert_eq!(first.older, Some(sent[35].id));

    let second = page(&app, &bo, c, first.older).await.expect("page 2");
    assert_eq!(bodies(&second), expect(6..=35));
    assert_eq!(second.older, Some(sent[5].id));

    let third = page(&app, &bo, c, second.older).await.expect("page 3");
    assert_eq!(bodies(&third), expect(1..=5));
    assert_eq!(third.older, None);
}

#[tokio::test]
async fn mailbox_lists_unread_until_marked_read() {
    let app = spawn_app().await;
    let ana = app.person("ana_u").await;
    let bo = app.person("bo_u").await;
    let c = direct(&app, &ana, &bo).await;

    // An empty one-to-one shows only for whoever opened it.
    assert_eq!(mailbox(&app, &ana).await.len(), 1);
    assert!(mailbox(&app, &bo).await.is_empty());

    let first = send(&app, &ana, c, "first").await.expect("send");
    let second = send(&app, &ana, c, "second").await.expect("send");
    let rows = mailbox(&app, &bo).await;
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(
        (row.id, row.kind, row.unread),
        (c, ConversationKind::Direct, 2)
    );
    assert_eq!(row.title, ana.display_name);
    assert_eq!(row.other.as_ref().map(|o| o.id), Some(ana.id));
    let preview = row.last_message.as_ref().expect("preview");
    assert_eq!(
        (preview.sender_id, preview.excerpt.as_str()),
        (ana.id, "second")
    );
    assert_eq!(unread(&app, &bo).await.messages, 2);
    // Your own messages are never unread.
    assert_eq!(mailbox(&app, &ana).await[0].unread, 0);
    assert_eq!(unread(&app, &ana).await.messages, 0);

    mark_read(&app, &bo, c, first.id).await.expect("read first");
    assert_eq!(mailbox(&app, &bo).await[0].unread, 1);
    mark_read(&app, &bo, c, second.id)
        .await
        .expect("read second");
    assert_eq!(mailbox(&app, &bo).await[0].unread, 0);
    assert_eq!(unread(&app, &bo).await.messages, 0);
    // Never backwards.
    mark_read(&app, &bo, c, first.id).await.expect("read older");
    assert_eq!(unread(&app, &bo).await.messages, 0);

    // A deleted message is not waiting to be read.
    let oops = send(&app, &ana, c, "oops").await.expect("send");
    assert_eq!(unread(&app, &bo).await.messages, 1);
    delete(&app, &ana, oops.id).await.expect("delete");
    assert_eq!(unread(&app, &bo).await.messages, 0);
}

#[tokio::test]
async fn group_admin_renames_and_removes_members_add_their_own_friends() {
    let app = spawn_app().await;
    let ana = app.person("ana_a").await;
    let bo = app.person("bo_a").await;
    let cy = app.person("cy_a").await;
    let dee = app.person("dee_a").await;
    let eve = app.person("eve_a").await;
    app.befriend(&ana, &bo).await;
    app.befriend(&ana, &cy).await;
    app.befriend(&bo, &dee).await;

    // Only friends, at least one, and a name.
    let r = create_group(&app, &ana, "Nope", &[eve.id]).await;
    assert!(is_validation(&r, "members"), "{r:?}");
    let r = create_group(&app, &ana, "Alone", &[ana.id]).await;
    assert!(is_validation(&r, "members"), "{r:?}");
    let r = create_group(&app, &ana, "   ", &[bo.id]).await;
    assert!(is_validation(&r, "name"), "{r:?}");

    let g = create_group(&app, &ana, "Hikers", &[bo.id, cy.id])
        .await
        .expect("group");
    let as_ana = detail(&app, &ana, g).await.expect("detail");
    assert_eq!(
        (as_ana.kind, as_ana.my_role),
        (ConversationKind::Group, MemberRole::Admin)
    );
    assert_eq!(as_ana.title, "Hikers");
    assert_eq!(as_ana.members.len(), 3);
    assert_eq!(as_ana.members[0].person.id, ana.id, "admins first");
    assert_eq!(
        detail(&app, &bo, g).await.expect("detail").my_role,
        MemberRole::Member
    );

    // A plain member can't rename or remove.
    assert_eq!(rename(&app, &bo, g, "Bo's").await, Err(AppError::Forbidden));
    assert_eq!(
        remove_member(&app, &bo, g, cy.id).await,
        Err(AppError::Forbidden)
    );

    // Members add their own friends, not strangers (nor Ana's friends they
    // don't know).
    let r = add_members(&app, &bo, g, &[eve.id]).await;
    assert!(is_validation(&r, "members"), "{r:?}");
    add_members(&app, &bo, g, &[dee.id])
        .await
        .expect("add friend");
    assert_eq!(
        detail(&app, &dee, g)
            .await
            .expect("dee is in")
            .members
            .len(),
        4
    );
    assert_eq!(detail(&app, &eve, g).await, Err(AppError::NotFound));

    // The admin renames and removes.
    rename(&app, &ana, g, "Hill walkers").await.expect("rename");
    assert_eq!(
        detail(&app, &cy, g).await.expect("detail").title,
        "Hill walkers"
    );
    let r = rename(&app, &ana, g, &"n".repeat(81)).await;
    assert!(is_validation(&r, "name"), "{r:?}");
    remove_member(&app, &ana, g, dee.id).await.expect("remove");
    assert_eq!(detail(&app, &dee, g).await, Err(AppError::NotFound));
    assert_eq!(send(&app, &dee, g, "hey").await, Err(AppError::NotFound));
    assert_eq!(
        remove_member(&app, &ana, g, dee.id).await,
        Err(AppError::NotFound)
    );
    assert!(!mailbox(&app, &dee).await.iter().any(|s| s.id == g));

    // Leaving works; the admin leaving hands the role on.
    app.call_as::<LeaveConversation, ()>(&bo, &[("conversation_id", &g.to_string())])
        .await
        .expect("leave");
    assert_eq!(detail(&app, &bo, g).await, Err(AppError::NotFound));
    app.call_as::<LeaveConversation, ()>(&ana, &[("conversation_id", &g.to_string())])
        .await
        .expect("admin leaves");
    let left = detail(&app, &cy, g).await.expect("detail");
    assert_eq!(left.members.len(), 1);
    assert_eq!(left.my_role, MemberRole::Admin);

    // One-to-one chats can't be left.
    let c = open(&app, &ana, bo.id).await.expect("direct");
    assert_eq!(
        app.call_as::<LeaveConversation, ()>(&ana, &[("conversation_id", &c.to_string())])
            .await,
        Err(AppError::Forbidden)
    );
}

#[tokio::test]
async fn rooms_are_listed_for_everyone_and_joined_before_sending() {
    let app = spawn_app().await;
    let ana = app.person("ana_r").await;
    let eve = app.person("eve_r").await;
    let r: Result<ConversationId, _> = app.call_as::<CreateRoom, _>(&ana, &[("name", "")]).await;
    assert!(is_validation(&r, "name"), "{r:?}");
    let room: ConversationId = app
        .call_as::<CreateRoom, _>(&ana, &[("name", "Board games")])
        .await
        .expect("room");
    assert_eq!(
        detail(&app, &ana, room).await.expect("detail").my_role,
        MemberRole::Admin
    );

    let rooms: Vec<RoomCard> = app.call_as::<ListRooms, _>(&eve, &[]).await.expect("rooms");
    assert_eq!(rooms.len(), 1);
    assert_eq!(
        (
            rooms[0].id,
            rooms[0].name.as_str(),
            rooms[0].member_count,
            rooms[0].joined
        ),
        (room, "Board games", 1, false)
    );
    assert_eq!(send(&app, &eve, room, "hi").await, Err(AppError::NotFound));

    app.call_as::<JoinRoom, ()>(&eve, &[("conversation_id", &room.to_string())])
        .await
        .expect("join");
    let m = send(&app, &eve, room, "hi all").await.expect("send");
    assert_eq!(
        page(&app, &ana, room, None).await.expect("page").messages,
        vec![m]
    );
    let rooms: Vec<RoomCard> = app.call_as::<ListRooms, _>(&eve, &[]).await.expect("rooms");
    assert_eq!((rooms[0].member_count, rooms[0].joined), (2, true));

    // Groups aren't rooms: nobody joins one uninvited.
    let bo = app.person("bo_r").await;
    app.befriend(&ana, &bo).await;
    let g = create_group(&app, &ana, "Private", &[bo.id])
        .await
        .expect("group");
    assert_eq!(
        app.call_as::<JoinRoom, ()>(&eve, &[("conversation_id", &g.to_string())])
            .await,
        Err(AppError::NotFound)
    );
    let rooms: Vec<RoomCard> = app.call_as::<ListRooms, _>(&eve, &[]).await.expect("rooms");
    assert_eq!(rooms.len(), 1, "groups are not listed");
}

#[tokio::test]
async fn read_receipts_are_shared_only_between_people_who_both_send_them() {
    let app = spawn_app().await;
    let ana = app.person("ana_rr").await;
    let bo = app.person("bo_rr").await;
    let c = direct(&app, &ana, &bo).await;
    let defaults: LiveSettings = app
        .call_as::<GetLiveSettings, _>(&bo, &[])
        .await
        .expect("settings");
    assert!(defaults.send_read_receipts, "{defaults:?}");

    let m = send(&app, &ana, c, "did you see this?")
        .await
        .expect("send");
    mark_read(&app, &bo, c, m.id).await.expect("read");
    let bo_marker = ReadMarker {
        user_id: bo.id,
        message_id: m.id,
    };
    assert_eq!(
        detail(&app, &ana, c).await.expect("detail").receipts,
        vec![bo_marker]
    );
    assert_eq!(
        detail(&app, &bo, c).await.expect("detail").receipts,
        vec![ReadMarker {
            user_id: ana.id,
            message_id: m.id
        }]
    );

    // Bo opts out: Ana no longer sees Bo's marker, and Bo sees nobody's.
    set_live_settings(&app, &bo, false, true).await;
    assert_eq!(
        app.call_as::<GetLiveSettings, LiveSettings>(&bo, &[]).await,
        Ok(LiveSettings {
            send_read_receipts: false,
            show_presence: true
        })
    );
    let reply = send(&app, &bo, c, "yes").await.expect("reply");
    mark_read(&app, &ana, c, reply.id)
        .await
        .expect("read reply");
    assert_eq!(
        detail(&app, &ana, c).await.expect("detail").receipts,
        vec![]
    );
    assert_eq!(detail(&app, &bo, c).await.expect("detail").receipts, vec![]);

    // Back on: both see each other's current positions.
    set_live_settings(&app, &bo, true, true).await;
    assert_eq!(
        detail(&app, &ana, c).await.expect("detail").receipts,
        vec![ReadMarker {
            user_id: bo.id,
            message_id: reply.id
        }]
    );
}

fn ws_request(
    app: &TestApp,
    who: &Person,
    after: Option<EventId>,
) -> tokio_tungstenite::tungstenite::handshake::client::Request {
    let query = after.map(|a| format!("?after={a}")).unwrap_or_default();
    let mut req = format!("ws://{}/ws{query}", app.addr)
        .into_client_request()
        .expect("request");
    req.headers_mut()
        .insert("cookie", who.cookie.parse().expect("header"));
    req.headers_mut().insert(
        "origin",
        format!("http://{}", app.addr).parse().expect("header"),
    );
    req
}

/// The next frame, or `None` if none arrives within `wait`.
async fn frame_within<S>(ws: &mut S, wait: Duration) -> Option<LiveEnvelope>
where
    S: futures::Stream<Item = Result<Message, WsError>> + Unpin,
{
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let msg = tokio::time::timeout_at(deadline, ws.next()).await.ok()?;
        if let Message::Text(text) = msg.expect("open").expect("frame") {
            return Some(serde_json::from_str(&text).expect("envelope"));
        }
    }
}

/// The next durable frame (ephemeral ones, e.g. presence, are skipped).
async fn next_durable<S>(ws: &mut S) -> (EventId, LiveEvent)
where
    S: futures::Stream<Item = Result<Message, WsError>> + Unpin,
{
    loop {
        let env = frame_within(ws, Duration::from_secs(5))
            .await
            .expect("durable event within 5 s");
        if let Some(id) = env.id {
            return (id, env.event);
        }
    }
}

/// Fails on any durable frame within `wait`.
async fn no_more_durable<S>(ws: &mut S, wait: Duration)
where
    S: futures::Stream<Item = Result<Message, WsError>> + Unpin,
{
    let deadline = tokio::time::Instant::now() + wait;
    while let Some(env) = frame_within(
        ws,
        deadline.saturating_duration_since(tokio::time::Instant::now()),
    )
    .await
    {
        assert_eq!(env.id, None, "unexpected durable frame {env:?}");
    }
}

async fn connect(
    app: &TestApp,
    who: &Person,
    after: Option<EventId>,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let (mut ws, _) = tokio_tungstenite::connect_async(ws_request(app, who, after))
        .await
        .expect("connect");
    let hello = frame_within(&mut ws, Duration::from_secs(5))
        .await
        .expect("hello");
    assert_eq!(
        (hello.id, hello.event),
        (None, LiveEvent::Hello { user_id: who.id })
    );
    ws
}

fn created(event: &LiveEvent) -> &MessageView {
    match event {
        LiveEvent::MessageCreated { message } => message,
        other => panic!("expected MessageCreated, got {other:?}"),
    }
}

#[tokio::test]
async fn reconnecting_replays_each_missed_durable_event_exactly_once() {
    let app = spawn_app().await;
    let ana = app.person("ana_ws").await;
    let bo = app.person("bo_ws").await;
    let c = direct(&app, &ana, &bo).await;

    let mut ws = connect(&app, &bo, None).await;
    let live = send(&app, &ana, c, "while you're here")
        .await
        .expect("send");
    let (n, event) = next_durable(&mut ws).await;
    assert_eq!(created(&event), &live);
    ws.close(None).await.expect("close");
    drop(ws);

    let one = send(&app, &ana, c, "missed one").await.expect("send");
    let two = send(&app, &ana, c, "missed two").await.expect("send");
    let cursor = app.me(&bo.client).await.live_cursor;

    let mut ws = connect(&app, &bo, Some(n)).await;
    let (id1, e1) = next_durable(&mut ws).await;
    let (id2, e2) = next_durable(&mut ws).await;
    assert!(n < id1 && id1 < id2, "ids {n} < {id1} < {id2}");
    assert_eq!(created(&e1), &one);
    assert_eq!(created(&e2), &two);
    assert_eq!(cursor, id2, "live_cursor is the newest event");
    no_more_durable(&mut ws, Duration::from_millis(500)).await;

    // Live events keep flowing after the replay, once each.
    let three = send(&app, &ana, c, "live again").await.expect("send");
    let (id3, e3) = next_durable(&mut ws).await;
    assert!(id3 > id2);
    assert_eq!(created(&e3), &three);
    no_more_durable(&mut ws, Duration::from_millis(300)).await;
    ws.close(None).await.expect("close");

    // Resuming after the first missed one gives the rest only.
    let mut ws = connect(&app, &bo, Some(id1)).await;
    let (id, e) = next_durable(&mut ws).await;
    assert_eq!((id, created(&e)), (id2, &two));
    let (id, e) = next_durable(&mut ws).await;
    assert_eq!((id, created(&e)), (id3, &three));
    no_more_durable(&mut ws, Duration::from_millis(500)).await;
    ws.close(None).await.expect("close");

    // Resuming at the cursor replays nothing.
    let mut ws = connect(&app, &bo, Some(id3)).await;
    no_more_durable(&mut ws, Duration::from_millis(300)).await;
}
