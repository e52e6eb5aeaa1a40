//! Notifications over HTTP: grouping, friend requests, no notice of your
//! own actions or from blocked people, read state and the badge, deleting,
//! and being added to a group.

use crate::helpers::{Person, TestApp, spawn_app};
use app::error::AppError;
use app::ids::{ConversationId, NotificationId, PostId};
use app::models::{
    FriendState, NotificationKind, NotificationTarget, NotificationView, NotificationsPage,
    ReactionSummary, UnreadCounts,
};
use app::server_fns::chat::{CreateGroup, GetUnreadCounts};
use app::server_fns::comments::AddComment;
use app::server_fns::notifications::{
    DeleteNotification, ListNotifications, MarkAllNotificationsRead, MarkNotificationRead,
};
use app::server_fns::posts::ReactToPost;
use app::server_fns::social::{AcceptFriendRequest, BlockUser, SendFriendRequest};

async fn notifications(app: &TestApp, who: &Person) -> Vec<NotificationView> {
    let page: NotificationsPage = app
        .call_as::<ListNotifications, _>(who, &[])
        .await
        .expect("notifications");
    page.items
}

async fn of_kind(app: &TestApp, who: &Person, kind: NotificationKind) -> Vec<NotificationView> {
    notifications(app, who)
        .await
        .into_iter()
        .filter(|n| n.kind == kind)
        .collect()
}

async fn unread_notifications(app: &TestApp, who: &Person) -> u32 {
    let counts: UnreadCounts = app
        .call_as::<GetUnreadCounts, _>(who, &[])
        .await
        .expect("unread counts");
    counts.notifications
}

async fn public_post(app: &TestApp, who: &Person, body: &str) -> PostId {
    app.create_post_as(&who.client, body, "public")
        .await
        .expect("post")
        .id
}

async fn react(app: &TestApp, who: &Person, post: PostId, kind: &str) {
    let _: ReactionSummary = app
        .call_as::<ReactToPost, _>(who, &[("post_id", &post.to_string()), ("kind", kind)])
        .await
        .expect("react");
}

async fn comment(app: &TestApp, who: &Person, post: PostId, body: &str) {
    let _: app::models::CommentView = app
        .call_as::<AddComment, _>(who, &[("post_id", &post.to_string()), ("body", body)])
        .await
        .expect("comment");
}

async fn with_id<S: leptos::server_fn::ServerFn>(
    app: &TestApp,
    who: &Person,
    id: NotificationId,
) -> Result<(), AppError> {
    app.call_as::<S, ()>(who, &[("notification_id", &id.to_string())])
        .await
}

#[tokio::test]
async fn reactions_to_one_post_group_into_one_notification() {
    let app = spawn_app().await;
    let ana = app.person("ana_n").await;
    let (bo, cy, dee) = (
        app.person("bo_n").await,
        app.person("cy_n").await,
        app.person("dee_n").await,
    );
    let post = public_post(&app, &ana, "look at this").await;
    react(&app, &bo, post, "like").await;
    react(&app, &cy, post, "love").await;
    react(&app, &dee, post, "wow").await;
    // Changing a reaction adds no one.
    react(&app, &cy, post, "haha").await;

    let all = notifications(&app, &ana).await;
    assert_eq!(all.len(), 1, "{all:?}");
    let n = &all[0];
    assert_eq!(n.kind, NotificationKind::Reaction);
    assert_eq!(n.actor.id, cy.id, "the latest actor");
    assert_eq!(n.others, 2);
    assert_eq!(
        n.target,
        NotificationTarget::Post {
            post_id: post,
            comment_id: None
        }
    );
    assert!(!n.read);
    assert_eq!(
        n.text(),
        format!("{} and 2 others reacted to your post", cy.display_name)
    );
    assert_eq!(unread_notifications(&app, &ana).await, 1);
    // The reactors were told nothing.
    for who in [&bo, &cy, &dee] {
        assert!(notifications(&app, who).await.is_empty());
    }
}

#[tokio::test]
async fn friend_request_notification_follows_the_request() {
    let app = spawn_app().await;
    let ana = app.person("ana_f").await;
    let bo = app.person("bo_f").await;
    let sent: FriendState = app
        .with_user::<SendFriendRequest, _>(&ana.client, bo.id)
        .await
        .expect("request");
    assert_eq!(sent, FriendState::RequestSent);

    let got = notifications(&app, &bo).await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(
        (got[0].kind, got[0].actor.id, got[0].request_pending),
        (NotificationKind::FriendRequest, ana.id, true)
    );
    assert_eq!(
        got[0].target,
        NotificationTarget::Person {
            username: ana.username.clone()
        }
    );
    assert_eq!(
        got[0].text(),
        format!("{} sent you a friend request", ana.display_name)
    );
    assert!(notifications(&app, &ana).await.is_empty());

    app.with_user::<AcceptFriendRequest, ()>(&bo.client, ana.id)
        .await
        .expect("accept");
    let got = notifications(&app, &bo).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].kind, NotificationKind::FriendRequest);
    assert!(!got[0].request_pending, "answered requests aren't pending");

    let back = notifications(&app, &ana).await;
    assert_eq!(back.len(), 1, "{back:?}");
    assert_eq!(
        (back[0].kind, back[0].actor.id),
        (NotificationKind::FriendAccepted, bo.id)
    );
    assert_eq!(
        back[0].target,
        NotificationTarget::Person {
            username: bo.username.clone()
        }
    );
    assert_eq!(
        back[0].text(),
        format!("{} accepted your friend request", bo.display_name)
    );
}

#[tokio::test]
async fn nobody_is_notified_of_their_own_actions() {
    let app = spawn_app().await;
    let ana = app.person("ana_o").await;
    let post = public_post(&app, &ana, "my post").await;
    react(&app, &ana, post, "like").await;
    comment(&app, &ana, post, "my own comment").await;
    assert!(notifications(&app, &ana).await.is_empty());
    assert_eq!(unread_notifications(&app, &ana).await, 0);
}

#[tokio::test]
async fn blocking_hides_the_blocked_persons_notifications() {
    let app = spawn_app().await;
    let ana = app.person("ana_b").await;
    let bo = app.person("bo_b").await;
    let cy = app.person("cy_b").await;
    let post = public_post(&app, &ana, "comments welcome").await;
    comment(&app, &bo, post, "first!").await;
    react(&app, &cy, post, "like").await;
    let before = notifications(&app, &ana).await;
    assert_eq!(before.len(), 2, "{before:?}");
    assert!(
        before
            .iter()
            .any(|n| n.kind == NotificationKind::Comment && n.actor.id == bo.id)
    );
    assert_eq!(unread_notifications(&app, &ana).await, 2);

    app.with_user::<BlockUser, ()>(&ana.client, bo.id)
        .await
        .expect("block");
    let after = notifications(&app, &ana).await;
    assert_eq!(after.len(), 1, "{after:?}");
    assert_eq!(
        (after[0].kind, after[0].actor.id),
        (NotificationKind::Reaction, cy.id)
    );
    // The badge agrees with the list.
    assert_eq!(unread_notifications(&app, &ana).await, 1);
}

#[tokio::test]
async fn marking_read_and_new_activity_drive_the_badge() {
    let app = spawn_app().await;
    let ana = app.person("ana_m").await;
    let (bo, cy, dee) = (
        app.person("bo_m").await,
        app.person("cy_m").await,
        app.person("dee_m").await,
    );
    let post = public_post(&app, &ana, "hello").await;
    react(&app, &bo, post, "like").await;
    comment(&app, &cy, post, "nice").await;
    assert_eq!(unread_notifications(&app, &ana).await, 2);
    let list = notifications(&app, &ana).await;
    // Newest activity first.
    assert_eq!(
        list.iter().map(|n| n.kind).collect::<Vec<_>>(),
        [NotificationKind::Comment, NotificationKind::Reaction]
    );
    let reaction = list[1].id;

    with_id::<MarkNotificationRead>(&app, &ana, reaction)
        .await
        .expect("mark read");
    assert_eq!(unread_notifications(&app, &ana).await, 1);
    let list = notifications(&app, &ana).await;
    assert!(list.iter().find(|n| n.id == reaction).expect("listed").read);
    // Someone else can't mark it (or learn it exists).
    assert_eq!(
        with_id::<MarkNotificationRead>(&app, &bo, reaction).await,
        Err(AppError::NotFound)
    );

    // A new reaction bumps the group to the top, unread again.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    react(&app, &dee, post, "love").await;
    assert_eq!(unread_notifications(&app, &ana).await, 2);
    let list = notifications(&app, &ana).await;
    assert_eq!(list[0].id, reaction);
    assert_eq!(
        (list[0].actor.id, list[0].others, list[0].read),
        (dee.id, 1, false)
    );

    app.call_as::<MarkAllNotificationsRead, ()>(&ana, &[])
        .await
        .expect("mark all");
    assert_eq!(unread_notifications(&app, &ana).await, 0);
    assert!(notifications(&app, &ana).await.iter().all(|n| n.read));
}

#[tokio::test]
async fn only_the_recipient_deletes_a_notification() {
    let app = spawn_app().await;
    let ana = app.person("ana_d").await;
    let bo = app.person("bo_d").await;
    let post = public_post(&app, &ana, "hello").await;
    react(&app, &bo, post, "like").await;
    let id = notifications(&app, &ana).await[0].id;

    assert_eq!(
        with_id::<DeleteNotification>(&app, &bo, id).await,
        Err(AppError::NotFound)
    );
    assert_eq!(notifications(&app, &ana).await.len(), 1);
    assert_eq!(unread_notifications(&app, &ana).await, 1);

    with_id::<DeleteNotification>(&app, &ana, id)
        .await
        .expect("delete");
    assert!(notifications(&app, &ana).await.is_empty());
    assert_eq!(unread_notifications(&app, &ana).await, 0);
    assert_eq!(
        with_id::<DeleteNotification>(&app, &ana, id).await,
        Err(AppError::NotFound)
    );
}

#[tokio::test]
async fn being_added_to_a_group_is_a_notification() {
    let app = spawn_app().await;
    let ana = app.person("ana_ag").await;
    let bo = app.person("bo_ag").await;
    app.befriend(&ana, &bo).await;
    let g: ConversationId = app
        .call_as::<CreateGroup, _>(
            &ana,
            &[("name", "Book club"), ("members[0]", &bo.id.to_string())],
        )
        .await
        .expect("group");

    let added = of_kind(&app, &bo, NotificationKind::AddedToGroup).await;
    assert_eq!(added.len(), 1, "{added:?}");
    assert_eq!(added[0].actor.id, ana.id);
    assert_eq!(
        added[0].target,
        NotificationTarget::Conversation {
            conversation_id: g,
            name: "Book club".into()
        }
    );
    assert_eq!(added[0].target.href(), format!("/messages/{g}"));
    assert_eq!(
        added[0].text(),
        format!("{} added you to “Book club”", ana.display_name)
    );
    // The creator isn't told about their own group.
    assert!(
        of_kind(&app, &ana, NotificationKind::AddedToGroup)
            .await
            .is_empty()
    );
}
