//! Gaps around blocks, unfriending and removals found by the security
//! review, and stale text in the live-event log and notifications:
//!
//! - a post's author always sees and may delete the comments on their
//!   post; blocking removes the blocked person's comments and reactions
//!   from the blocker's posts;
//! - one-to-one messages can't be edited once the two can't write to each
//!   other (deleting stays allowed);
//! - follows and friend requests racing a block never outlive it (on
//!   SQLite and, when reachable, PostgreSQL), accepting checks blocks, and
//!   the feed leaves out blocked people even if a follow survived;
//! - a declined request outlives block + unblock;
//! - an admin's removal from a room or group can't be undone by the
//!   removed person;
//! - edited and deleted message text leaves `live_events`; "added you to a
//!   group" keeps the group's name at the time.

use crate::helpers::{Person, TestApp, spawn_app, spawn_app_with};
use app::db::entities::{blocks, follows, friendships, live_events, reactions};
use app::error::AppError;
use app::ids::{CommentId, ConversationId, MessageId, PostId, UserId};
use app::models::{
    CommentView, CommentsPage, FeedPage, FriendState, MessageView, NotificationKind,
    NotificationTarget, NotificationsPage, PostView, ReactionSummary,
};
use app::server_fns::chat::{
    AddGroupMembers, CreateGroup, CreateRoom, DeleteMessage, EditMessage, GetConversation,
    JoinRoom, LeaveConversation, OpenDirectConversation, RemoveGroupMember, RenameConversation,
    SendMessage,
};
use app::server_fns::comments::{AddComment, DeleteComment, ListComments, ListReplies};
use app::server_fns::notifications::ListNotifications;
use app::server_fns::posts::{GetPost, ListFeed, ReactToPost};
use app::server_fns::social::{
    AcceptFriendRequest, BlockUser, DeclineFriendRequest, FollowUser, SendFriendRequest,
    UnblockUser, Unfriend,
};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

async fn public_post(app: &TestApp, who: &Person, body: &str) -> PostId {
    app.create_post_as(&who.client, body, "public")
        .await
        .expect("post")
        .id
}

async fn comment(app: &TestApp, who: &Person, post: PostId, body: &str) -> CommentId {
    let c: CommentView = app
        .call_as::<AddComment, _>(who, &[("post_id", &post.to_string()), ("body", body)])
        .await
        .expect("comment");
    c.id
}

async fn reply(app: &TestApp, who: &Person, post: PostId, parent: CommentId, body: &str) {
    let _: CommentView = app
        .call_as::<AddComment, _>(
            who,
            &[
                ("post_id", &post.to_string()),
                ("parent_id", &parent.to_string()),
                ("body", body),
            ],
        )
        .await
        .expect("reply");
}

async fn comments(app: &TestApp, who: &Person, post: PostId) -> Vec<CommentView> {
    let page: CommentsPage = app
        .call_as::<ListComments, _>(who, &[("post_id", &post.to_string())])
        .await
        .expect("comments");
    page.comments
}

async fn react(app: &TestApp, who: &Person, post: PostId) {
    let _: ReactionSummary = app
        .call_as::<ReactToPost, _>(who, &[("post_id", &post.to_string()), ("kind", "love")])
        .await
        .expect("react");
}

async fn block(app: &TestApp, who: &Person, whom: &Person) {
    app.with_user::<BlockUser, ()>(&who.client, whom.id)
        .await
        .expect("block");
}

async fn unblock(app: &TestApp, who: &Person, whom: &Person) {
    app.with_user::<UnblockUser, ()>(&who.client, whom.id)
        .await
        .expect("unblock");
}

async fn reactions_by(app: &TestApp, who: &Person, post: PostId) -> usize {
    reactions::Entity::find()
        .filter(reactions::Column::PostId.eq(post.0))
        .filter(reactions::Column::UserId.eq(who.id.0))
        .all(&app.state.db)
        .await
        .expect("reactions")
        .len()
}

#[tokio::test]
async fn blocking_removes_the_blocked_persons_comments_and_reactions_from_the_blockers_posts() {
    let app = spawn_app().await;
    let ana = app.person("ana_bg").await;
    let bo = app.person("bo_bg").await;
    let cy = app.person("cy_bg").await;
    let post = public_post(&app, &ana, "my garden").await;
    let bos = public_post(&app, &bo, "bo's garden").await;
    let bo_comment = comment(&app, &bo, post, "nice roses").await;
    reply(&app, &cy, post, bo_comment, "agreed").await;
    comment(&app, &cy, post, "lovely").await;
    react(&app, &bo, post).await;
    react(&app, &cy, post).await;
    // Ana's own comment on Bo's post is hers: Ana blocking Bo keeps it.
    comment(&app, &ana, bos, "yours too").await;
    assert_eq!(comments(&app, &cy, post).await.len(), 2);

    block(&app, &ana, &bo).await;

    // Everyone (not only Ana) now sees Cy's comment alone: Bo's comment
    // went, with the reply under it, and so did Bo's reaction.
    for who in [&ana, &cy] {
        let seen = comments(&app, who, post).await;
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert_eq!(seen[0].body, "lovely");
    }
    assert_eq!(reactions_by(&app, &bo, post).await, 0);
    assert_eq!(reactions_by(&app, &cy, post).await, 1);
    let as_cy: PostView = app
        .call_as::<GetPost, _>(&cy, &[("post_id", &post.to_string())])
        .await
        .expect("post");
    assert_eq!((as_cy.reactions.total(), as_cy.comment_count), (1, 1));
    let r: Result<CommentsPage, _> = app
        .call_as::<ListReplies, _>(&cy, &[("comment_id", &bo_comment.to_string())])
        .await;
    assert_eq!(r, Err(AppError::NotFound));
    // Only the blocker's posts are cleaned: Ana's comment on Bo's post
    // stays (Cy still sees it).
    assert_eq!(comments(&app, &cy, bos).await.len(), 1);
}

#[tokio::test]
async fn a_post_author_sees_and_deletes_comments_by_someone_who_blocked_them() {
    let app = spawn_app().await;
    let ana = app.person("ana_bh").await;
    let bo = app.person("bo_bh").await;
    let cy = app.person("cy_bh").await;
    let post = public_post(&app, &ana, "my kitchen").await;
    let bos = public_post(&app, &bo, "bo's kitchen").await;
    let bo_comment = comment(&app, &bo, post, "too many pans").await;
    comment(&app, &ana, bos, "nice oven").await;
    react(&app, &ana, bos).await;

    // Bo blocks Ana: Ana's comment and reaction leave Bo's post.
    block(&app, &bo, &ana).await;
    assert!(comments(&app, &cy, bos).await.is_empty());
    assert_eq!(reactions_by(&app, &ana, bos).await, 0);

    // Bo's comment on Ana's post is still seen by everyone, and Ana, whose
    // post it is, sees it too and may delete it.
    assert_eq!(comments(&app, &cy, post).await.len(), 1);
    let as_ana = comments(&app, &ana, post).await;
    assert_eq!(as_ana.len(), 1, "the author sees every comment on her post");
    assert_eq!(as_ana[0].id, bo_comment);
    assert!(as_ana[0].can_delete && !as_ana[0].can_edit);
    app.call_as::<DeleteComment, ()>(&ana, &[("comment_id", &bo_comment.to_string())])
        .await
        .expect("the author deletes a comment on her post");
    assert!(comments(&app, &cy, post).await.is_empty());
}

async fn open_direct(app: &TestApp, a: &Person, b: &Person) -> ConversationId {
    app.befriend(a, b).await;
    app.call_as::<OpenDirectConversation, _>(a, &[("user_id", &b.id.to_string())])
        .await
        .expect("open direct")
}

async fn send(app: &TestApp, who: &Person, c: ConversationId, body: &str) -> MessageView {
    app.call_as::<SendMessage, _>(who, &[("conversation_id", &c.to_string()), ("body", body)])
        .await
        .expect("send")
}

async fn edit(
    app: &TestApp,
    who: &Person,
    m: MessageId,
    body: &str,
) -> Result<MessageView, AppError> {
    app.call_as::<EditMessage, _>(who, &[("message_id", &m.to_string()), ("body", body)])
        .await
}

async fn delete(app: &TestApp, who: &Person, m: MessageId) -> Result<MessageView, AppError> {
    app.call_as::<DeleteMessage, _>(who, &[("message_id", &m.to_string())])
        .await
}

#[tokio::test]
async fn direct_messages_cant_be_edited_once_the_two_cant_write() {
    let app = spawn_app().await;
    let ana = app.person("ana_bm").await;
    let bo = app.person("bo_bm").await;
    let cy = app.person("cy_bm").await;

    // Unfriended.
    let c = open_direct(&app, &ana, &bo).await;
    let m = send(&app, &ana, c, "see you at 8").await;
    edit(&app, &ana, m.id, "see you at 9")
        .await
        .expect("edit while friends");
    app.with_user::<Unfriend, ()>(&ana.client, bo.id)
        .await
        .expect("unfriend");
    assert_eq!(
        edit(&app, &ana, m.id, "actually, never").await,
        Err(AppError::Forbidden)
    );
    // Deleting one's own message stays allowed.
    assert!(delete(&app, &ana, m.id).await.expect("delete").deleted);

    // Blocked, either side editing.
    let c = open_direct(&app, &ana, &cy).await;
    let from_ana = send(&app, &ana, c, "hello cy").await;
    let from_cy = send(&app, &cy, c, "hello ana").await;
    block(&app, &cy, &ana).await;
    assert_eq!(
        edit(&app, &ana, from_ana.id, "changed").await,
        Err(AppError::Forbidden)
    );
    assert_eq!(
        edit(&app, &cy, from_cy.id, "changed").await,
        Err(AppError::Forbidden)
    );
    assert!(delete(&app, &cy, from_cy.id).await.expect("delete").deleted);
}

fn pair(a: UserId, b: UserId) -> (i64, i64) {
    (a.0.min(b.0), a.0.max(b.0))
}

async fn follows_between(app: &TestApp, a: &Person, b: &Person) -> usize {
    let mut n = 0;
    for (x, y) in [(a.id, b.id), (b.id, a.id)] {
        n += usize::from(
            follows::Entity::find_by_id((x.0, y.0))
                .one(&app.state.db)
                .await
                .expect("follows")
                .is_some(),
        );
    }
    n
}

/// Rounds of a follow, friend request or acceptance fired at the same
/// time as a block; after each, the block holds and nothing outlived it.
async fn race_rounds(app: &TestApp, tag: &str) {
    let ana = app.person(&format!("ana_{tag}")).await;
    let bo = app.person(&format!("bo_{tag}")).await;
    let db = &app.state.db;
    for round in 0..32 {
        // Alternate who blocks whom, and what races the block.
        let (actor, blocker) = if round % 2 == 0 {
            (&bo, &ana)
        } else {
            (&ana, &bo)
        };
        match round % 6 {
            0 | 1 => {
                let (_, blocked) = tokio::join!(
                    app.with_user::<FollowUser, ()>(&actor.client, blocker.id),
                    app.with_user::<BlockUser, ()>(&blocker.client, actor.id),
                );
                blocked.expect("block");
            }
            2 | 3 => {
                let (_, blocked) = tokio::join!(
                    app.with_user::<SendFriendRequest, FriendState>(&actor.client, blocker.id),
                    app.with_user::<BlockUser, ()>(&blocker.client, actor.id),
                );
                blocked.expect("block");
            }
            _ => {
                // The blocker asked; the other accepts as the block lands.
                let _: FriendState = app
                    .with_user::<SendFriendRequest, _>(&blocker.client, actor.id)
                    .await
                    .expect("request");
                let (_, blocked) = tokio::join!(
                    app.with_user::<AcceptFriendRequest, ()>(&actor.client, blocker.id),
                    app.with_user::<BlockUser, ()>(&blocker.client, actor.id),
                );
                blocked.expect("block");
            }
        }
        assert!(
            blocks::Entity::find_by_id((blocker.id.0, actor.id.0))
                .one(db)
                .await
                .expect("block row")
                .is_some()
        );
        assert_eq!(
            follows_between(app, &ana, &bo).await,
            0,
            "round {round}: a follow outlived the block"
        );
        let friendship = friendships::Entity::find_by_id(pair(ana.id, bo.id))
            .one(db)
            .await
            .expect("friendship");
        assert!(
            friendship.is_none(),
            "round {round}: {friendship:?} outlived the block"
        );
        unblock(app, blocker, actor).await;
    }
}

#[tokio::test]
async fn follows_and_requests_racing_a_block_never_outlive_it() {
    let app = spawn_app().await;
    race_rounds(&app, "race").await;
}

#[tokio::test]
async fn follows_and_requests_racing_a_block_never_outlive_it_on_postgres() {
    let Some(pg) = crate::helpers::FreshPostgres::create("hearth_race").await else {
        return;
    };
    let url = pg.url();
    {
        let app = spawn_app_with(|c| c.database_url = url.clone()).await;
        race_rounds(&app, "pgrace").await;
        app.state.db.clone().close().await.expect("close");
    }
    pg.drop_db().await;
}

async fn feed_bodies(app: &TestApp, who: &Person) -> Vec<String> {
    let page: FeedPage = app.call_as::<ListFeed, _>(who, &[]).await.expect("feed");
    page.posts.into_iter().map(|p| p.body).collect()
}

#[tokio::test]
async fn the_feed_leaves_out_blocked_people_even_with_a_stray_follow() {
    let app = spawn_app().await;
    let ana = app.person("ana_bf").await;
    let bo = app.person("bo_bf").await;
    app.with_user::<FollowUser, ()>(&ana.client, bo.id)
        .await
        .expect("follow");
    app.with_user::<FollowUser, ()>(&bo.client, ana.id)
        .await
        .expect("follow");
    public_post(&app, &bo, "from bo").await;
    public_post(&app, &ana, "from ana").await;
    assert!(
        feed_bodies(&app, &ana)
            .await
            .contains(&"from bo".to_owned())
    );

    block(&app, &ana, &bo).await;
    // Follows that outlived the block (as a lost race would leave them)
    // still don't put the other's posts in either feed.
    for (follower, followee) in [(&ana, &bo), (&bo, &ana)] {
        follows::Entity::insert(follows::ActiveModel {
            follower_id: Set(follower.id.0),
            followee_id: Set(followee.id.0),
            created_at_ms: Set(0),
        })
        .exec_without_returning(&app.state.db)
        .await
        .expect("stray follow");
    }
    assert_eq!(feed_bodies(&app, &ana).await, vec!["from ana".to_owned()]);
    assert_eq!(feed_bodies(&app, &bo).await, vec!["from bo".to_owned()]);
}

#[tokio::test]
async fn a_declined_request_outlives_block_and_unblock() {
    let app = spawn_app().await;
    let ana = app.person("ana_bd").await;
    let bo = app.person("bo_bd").await;
    let _: FriendState = app
        .with_user::<SendFriendRequest, _>(&ana.client, bo.id)
        .await
        .expect("request");
    app.with_user::<DeclineFriendRequest, ()>(&bo.client, ana.id)
        .await
        .expect("decline");
    let ask = || app.with_user::<SendFriendRequest, FriendState>(&ana.client, bo.id);
    assert!(matches!(ask().await, Err(AppError::Conflict(_))));

    // Either of them blocking and unblocking leaves the 30-day wait.
    block(&app, &ana, &bo).await;
    unblock(&app, &ana, &bo).await;
    let r = ask().await;
    assert!(
        matches!(r, Err(AppError::Conflict(ref m)) if m.contains("declined")),
        "{r:?}"
    );
    block(&app, &bo, &ana).await;
    unblock(&app, &bo, &ana).await;
    let r = ask().await;
    assert!(
        matches!(r, Err(AppError::Conflict(ref m)) if m.contains("declined")),
        "{r:?}"
    );
    // The one who declined may still ask.
    assert_eq!(
        app.with_user::<SendFriendRequest, FriendState>(&bo.client, ana.id)
            .await,
        Ok(FriendState::RequestSent)
    );
}

fn members_form(fields: &[(&str, &str)], members: &[UserId]) -> Vec<(String, String)> {
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

async fn is_member(app: &TestApp, who: &Person, c: ConversationId) -> bool {
    let r: Result<app::models::ConversationDetail, _> = app
        .call_as::<GetConversation, _>(who, &[("conversation_id", &c.to_string())])
        .await;
    match r {
        Ok(_) => true,
        Err(AppError::NotFound) => false,
        Err(e) => panic!("get conversation: {e:?}"),
    }
}

async fn remove(app: &TestApp, admin: &Person, c: ConversationId, who: &Person) {
    app.call_as::<RemoveGroupMember, ()>(
        admin,
        &[
            ("conversation_id", &c.to_string()),
            ("user_id", &who.id.to_string()),
        ],
    )
    .await
    .expect("remove");
}

async fn join(app: &TestApp, who: &Person, room: ConversationId) -> Result<(), AppError> {
    app.call_as::<JoinRoom, ()>(who, &[("conversation_id", &room.to_string())])
        .await
}

#[tokio::test]
async fn someone_an_admin_removed_cant_come_back_on_their_own() {
    let app = spawn_app().await;
    let ana = app.person("ana_br").await;
    let bo = app.person("bo_br").await;
    let cy = app.person("cy_br").await;

    // A room: removed, Bo can't join again.
    let room: ConversationId = app
        .call_as::<CreateRoom, _>(&ana, &[("name", "Plants")])
        .await
        .expect("room");
    join(&app, &bo, room).await.expect("join");
    remove(&app, &ana, room, &bo).await;
    assert_eq!(join(&app, &bo, room).await, Err(AppError::Forbidden));
    assert!(!is_member(&app, &bo, room).await);
    // Others still join.
    join(&app, &cy, room).await.expect("cy joins");

    // A group: a member who is Bo's friend can't add him back; the admin can.
    app.befriend(&ana, &bo).await;
    app.befriend(&ana, &cy).await;
    app.befriend(&cy, &bo).await;
    let g: ConversationId = call_owned::<CreateGroup, _>(
        &app,
        &ana,
        &members_form(&[("name", "Walks")], &[bo.id, cy.id]),
    )
    .await
    .expect("group");
    remove(&app, &ana, g, &bo).await;
    let g_s = g.to_string();
    let r: Result<(), _> = call_owned::<AddGroupMembers, _>(
        &app,
        &cy,
        &members_form(&[("conversation_id", &g_s)], &[bo.id]),
    )
    .await;
    assert!(
        matches!(r, Err(AppError::Validation { .. })),
        "a member re-added a removed person: {r:?}"
    );
    assert!(!is_member(&app, &bo, g).await);
    call_owned::<AddGroupMembers, ()>(
        &app,
        &ana,
        &members_form(&[("conversation_id", &g_s)], &[bo.id]),
    )
    .await
    .expect("the admin adds him back");
    assert!(is_member(&app, &bo, g).await);
}

async fn payloads(app: &TestApp) -> Vec<String> {
    live_events::Entity::find()
        .all(&app.state.db)
        .await
        .expect("events")
        .into_iter()
        .map(|e| e.payload)
        .collect()
}

#[tokio::test]
async fn edited_and_deleted_message_text_leaves_the_event_log() {
    let app = spawn_app().await;
    let ana = app.person("ana_bl").await;
    let bo = app.person("bo_bl").await;
    let c = open_direct(&app, &ana, &bo).await;
    let m = send(&app, &ana, c, "the door code is 4711").await;
    let other = send(&app, &bo, c, "thanks, see you").await;
    assert!(payloads(&app).await.iter().any(|p| p.contains("4711")));

    edit(&app, &ana, m.id, "the door code is 0815")
        .await
        .expect("edit");
    let after_edit = payloads(&app).await;
    assert!(
        !after_edit.iter().any(|p| p.contains("4711")),
        "the old text is still logged: {after_edit:?}"
    );
    assert!(after_edit.iter().any(|p| p.contains("0815")));

    delete(&app, &ana, m.id).await.expect("delete");
    let after_delete = payloads(&app).await;
    assert!(
        !after_delete.iter().any(|p| p.contains("0815")),
        "a deleted message's text is still logged: {after_delete:?}"
    );
    // Other messages are untouched.
    assert!(after_delete.iter().any(|p| p.contains(&other.body)));
}

#[tokio::test]
async fn added_to_group_keeps_the_name_it_had() {
    let app = spawn_app().await;
    let ana = app.person("ana_bn").await;
    let bo = app.person("bo_bn").await;
    let cy = app.person("cy_bn").await;
    app.befriend(&ana, &bo).await;
    app.befriend(&ana, &cy).await;
    let g: ConversationId = call_owned::<CreateGroup, _>(
        &app,
        &ana,
        &members_form(&[("name", "Book club")], &[bo.id, cy.id]),
    )
    .await
    .expect("group");
    app.call_as::<LeaveConversation, ()>(&bo, &[("conversation_id", &g.to_string())])
        .await
        .expect("leave");
    app.call_as::<RenameConversation, ()>(
        &ana,
        &[
            ("conversation_id", &g.to_string()),
            ("name", "Surprise for Bo"),
        ],
    )
    .await
    .expect("rename");

    let page: NotificationsPage = app
        .call_as::<ListNotifications, _>(&bo, &[])
        .await
        .expect("notifications");
    let added: Vec<_> = page
        .items
        .iter()
        .filter(|n| n.kind == NotificationKind::AddedToGroup)
        .collect();
    assert_eq!(added.len(), 1, "{page:?}");
    assert_eq!(
        added[0].target,
        NotificationTarget::Conversation {
            conversation_id: g,
            name: "Book club".to_owned(),
        }
    );
    assert!(!added[0].text().contains("Surprise"));
}
