//! Notifications over HTTP: grouping, friend requests, no notice of your
//! own actions or from blocked people, read state and the badge, deleting,
//! and being added to a group.

use crate::helpers::{Person, TestApp, spawn_app};
use app::error::AppError;
use app::ids::{ConversationId, NotificationId, PostId};
use app::models::{
    FriendState, NOTIFICATIONS_PAGE_SIZE, NotificationKind, NotificationTarget, NotificationView,
    NotificationsPage, ReactionSummary, UnreadCounts,
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
async fn notifications_page_by_cursor_without_gaps_or_repeats() {
    let app = spawn_app().await;
    let ana = app.person("ana_p").await;
    let bo = app.person("bo_p").await;
    let cy = app.person("cy_p").await;
    // One reaction and one comment notification per post, and a friend
    // request: one more than a page.
    for i in 0..10 {
        let post = public_post(&app, &ana, &format!("post {i}")).await;
        react(&app, &bo, post, "like").await;
        comment(&app, &bo, post, "nice").await;
    }
    let _: FriendState = app
        .with_user::<SendFriendRequest, _>(&cy.client, ana.id)
        .await
        .expect("request");

    let first: NotificationsPage = app
        .call_as::<ListNotifications, _>(&ana, &[])
        .await
        .expect("first page");
    assert_eq!(first.items.len() as u64, NOTIFICATIONS_PAGE_SIZE);
    assert_eq!(
        first.items[0].kind,
        NotificationKind::FriendRequest,
        "newest first"
    );
    let cursor = first.next_cursor.clone().expect("a second page");
    let second: NotificationsPage = app
        .call_as::<ListNotifications, _>(&ana, &[("cursor", &cursor)])
        .await
        .expect("second page");
    assert_eq!(second.items.len(), 1, "{second:?}");
    assert_eq!(second.next_cursor, None, "the end");
    let mut ids: Vec<NotificationId> = first
        .items
        .iter()
        .chain(&second.items)
        .map(|n| n.id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 21, "no repeats");

    let bad = app
        .call_as::<ListNotifications, NotificationsPage>(&ana, &[("cursor", "not-a-cursor")])
        .await;
    assert!(matches!(bad, Err(AppError::Validation { .. })), "{bad:?}");
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

/// Every kind, listed once. The exhaustive match makes a new kind fail to
/// compile here until it is added to the list (and so to the round trips).
const ALL_KINDS: [NotificationKind; 8] = [
    NotificationKind::FriendRequest,
    NotificationKind::FriendAccepted,
    NotificationKind::Reaction,
    NotificationKind::Comment,
    NotificationKind::Reply,
    NotificationKind::Mention,
    NotificationKind::Share,
    NotificationKind::AddedToGroup,
];

fn position(kind: NotificationKind) -> usize {
    match kind {
        NotificationKind::FriendRequest => 0,
        NotificationKind::FriendAccepted => 1,
        NotificationKind::Reaction => 2,
        NotificationKind::Comment => 3,
        NotificationKind::Reply => 4,
        NotificationKind::Mention => 5,
        NotificationKind::Share => 6,
        NotificationKind::AddedToGroup => 7,
    }
}

#[test]
fn every_kind_round_trips_through_json_and_the_database_spelling() {
    let mut spellings = std::collections::HashSet::new();
    for (i, kind) in ALL_KINDS.into_iter().enumerate() {
        assert_eq!(position(kind), i, "{kind:?} listed once, in order");
        // The database spelling parses back, and is unique.
        let db = kind.as_str();
        assert_eq!(NotificationKind::parse(db), Some(kind), "{db}");
        assert!(spellings.insert(db), "{db} spelled twice");
        // JSON (server functions, live events) uses the same spelling.
        let json = serde_json::to_string(&kind).expect("serialize");
        assert_eq!(json, format!("\"{db}\""));
        assert_eq!(
            serde_json::from_str::<NotificationKind>(&json).expect("deserialize"),
            kind
        );
        assert!(!kind.verb().is_empty());
        // A whole notification of this kind, with each target, round-trips.
        let targets = [
            NotificationTarget::Person {
                username: "ana_x".into(),
            },
            NotificationTarget::Post {
                post_id: PostId(7),
                comment_id: None,
            },
            NotificationTarget::Post {
                post_id: PostId(7),
                comment_id: Some(app::ids::CommentId(9)),
            },
            NotificationTarget::Conversation {
                conversation_id: ConversationId(3),
                name: "Book “club” <b>".into(),
            },
        ];
        for target in targets {
            let view = NotificationView {
                id: NotificationId(1),
                kind,
                actor: app::models::Author {
                    id: app::ids::UserId(2),
                    username: "ana_x".into(),
                    display_name: "Ana X".into(),
                    avatar: None,
                },
                others: 2,
                target,
                updated_at_ms: 1_800_000_000_000,
                read: i % 2 == 0,
                request_pending: kind == NotificationKind::FriendRequest,
            };
            let json = serde_json::to_string(&view).expect("serialize");
            let back: NotificationView = serde_json::from_str(&json).expect("deserialize");
            assert_eq!(back, view, "{json}");
            assert!(
                view.text().starts_with("Ana X and 2 others "),
                "{}",
                view.text()
            );
        }
    }
    assert_eq!(NotificationKind::parse("unknown"), None);
    assert!(serde_json::from_str::<NotificationKind>("\"unknown\"").is_err());
}

/// The stored kinds of `who`'s notification rows all parse (a row whose
/// kind didn't would silently drop out of the list).
async fn stored_kinds(app: &TestApp, who: &Person) -> Vec<NotificationKind> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    app::db::entities::notifications::Entity::find()
        .filter(app::db::entities::notifications::Column::RecipientId.eq(who.id.0))
        .all(&app.state.db)
        .await
        .expect("rows")
        .into_iter()
        .map(|r| NotificationKind::parse(&r.kind).unwrap_or_else(|| panic!("{:?}", r.kind)))
        .collect()
}

async fn comment_on(
    app: &TestApp,
    who: &Person,
    post: PostId,
    parent: Option<app::ids::CommentId>,
    body: &str,
) -> app::models::CommentView {
    let post_s = post.to_string();
    let parent_s = parent.map(|p| p.to_string());
    let mut form = vec![("post_id", post_s.as_str()), ("body", body)];
    if let Some(p) = &parent_s {
        form.push(("parent_id", p.as_str()));
    }
    app.call_as::<AddComment, _>(who, &form)
        .await
        .expect("comment")
}

#[tokio::test]
async fn mentions_in_posts_and_comments_notify_those_who_may_see_them() {
    let app = spawn_app().await;
    let ana = app.person("ana_men").await;
    let bo = app.person("bo_men").await;
    let cy = app.person("cy_men").await;
    let dee = app.person("dee_men").await;
    app.befriend(&ana, &bo).await;

    // A public post mentions Bo (in any case) and Cy; an email address
    // mentions nobody.
    let post = app
        .create_post_as(
            &ana.client,
            "Lunch with @BO_men and @cy_men? mail x@dee_men.com",
            "public",
        )
        .await
        .expect("post");
    assert_eq!(post.mentions.len(), 2, "{:?}", post.mentions);
    for who in [&bo, &cy] {
        let got = of_kind(&app, who, NotificationKind::Mention).await;
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].actor.id, ana.id);
        assert_eq!(
            got[0].target,
            NotificationTarget::Post {
                post_id: post.id,
                comment_id: None
            }
        );
        assert_eq!(got[0].target.href(), format!("/p/{}", post.id));
        assert_eq!(
            got[0].text(),
            format!("{} mentioned you in a post", ana.display_name)
        );
        assert!(
            stored_kinds(&app, who)
                .await
                .contains(&NotificationKind::Mention)
        );
    }
    assert!(notifications(&app, &dee).await.is_empty());
    assert!(
        of_kind(&app, &ana, NotificationKind::Mention)
            .await
            .is_empty()
    );

    // Editing the post doesn't notify again those already mentioned.
    let _: app::models::PostView = app
        .call_as::<app::server_fns::posts::UpdatePost, _>(
            &ana,
            &[
                ("post_id", &post.id.to_string()),
                ("body", "Lunch with @bo_men and @cy_men? (edited)"),
                ("visibility", "public"),
            ],
        )
        .await
        .expect("edit");
    assert_eq!(
        of_kind(&app, &bo, NotificationKind::Mention).await[0].others,
        0
    );
    assert_eq!(unread_notifications(&app, &bo).await, 1);

    // A friends-only post mentioning Cy (not a friend) tells Cy nothing:
    // she couldn't open it.
    let hidden = app
        .create_post_as(
            &ana.client,
            "Only friends: hi @cy_men and @bo_men",
            "friends",
        )
        .await
        .expect("post");
    let cy_mentions = of_kind(&app, &cy, NotificationKind::Mention).await;
    assert_eq!(cy_mentions.len(), 1, "{cy_mentions:?}");
    let bo_mentions = of_kind(&app, &bo, NotificationKind::Mention).await;
    assert_eq!(bo_mentions.len(), 2, "{bo_mentions:?}");
    assert_eq!(
        bo_mentions[0].target,
        NotificationTarget::Post {
            post_id: hidden.id,
            comment_id: None
        }
    );

    // A mention in a comment points at the comment.
    let c = comment_on(&app, &cy, post.id, None, "@dee_men have a look").await;
    let got = of_kind(&app, &dee, NotificationKind::Mention).await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].actor.id, cy.id);
    assert_eq!(
        got[0].target,
        NotificationTarget::Post {
            post_id: post.id,
            comment_id: Some(c.id)
        }
    );
    assert_eq!(
        got[0].target.href(),
        format!("/p/{}#comment-{}", post.id, c.id)
    );
    assert_eq!(
        got[0].text(),
        format!("{} mentioned you in a comment", cy.display_name)
    );
}

#[tokio::test]
async fn replies_notify_the_comments_author_and_comments_the_posts() {
    let app = spawn_app().await;
    let ana = app.person("ana_rep").await;
    let bo = app.person("bo_rep").await;
    let cy = app.person("cy_rep").await;
    let post = public_post(&app, &ana, "discuss").await;
    let top = comment_on(&app, &bo, post, None, "first").await;
    let reply = comment_on(&app, &cy, post, Some(top.id), "a reply").await;
    assert_eq!(reply.parent_id, Some(top.id));

    // Bo: a reply to his comment, pointing at it.
    let got = notifications(&app, &bo).await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(
        (got[0].kind, got[0].actor.id),
        (NotificationKind::Reply, cy.id)
    );
    assert_eq!(
        got[0].target,
        NotificationTarget::Post {
            post_id: post,
            comment_id: Some(top.id)
        }
    );
    assert_eq!(
        got[0].text(),
        format!("{} replied to your comment", cy.display_name)
    );
    assert_eq!(stored_kinds(&app, &bo).await, [NotificationKind::Reply]);

    // Ana: both comments on her post, grouped.
    let got = notifications(&app, &ana).await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].kind, NotificationKind::Comment);
    assert_eq!((got[0].actor.id, got[0].others), (cy.id, 1));
    assert_eq!(
        got[0].text(),
        format!("{} and 1 other commented on your post", cy.display_name)
    );
    assert!(notifications(&app, &cy).await.is_empty());

    // A reply to the post author's own comment is one notice, a reply.
    let own = comment_on(&app, &ana, post, None, "thanks all").await;
    let _ = comment_on(&app, &bo, post, Some(own.id), "welcome").await;
    let replies = of_kind(&app, &ana, NotificationKind::Reply).await;
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert_eq!(replies[0].actor.id, bo.id);
    let comments = of_kind(&app, &ana, NotificationKind::Comment).await;
    assert_eq!(comments.len(), 1);
    assert_eq!(
        comments[0].others, 1,
        "Bo's reply isn't also a comment notice"
    );
    // Replying to your own comment tells nobody.
    let before = notifications(&app, &bo).await.len();
    let _ = comment_on(&app, &bo, post, Some(top.id), "me again").await;
    assert_eq!(notifications(&app, &bo).await.len(), before);
}

#[tokio::test]
async fn shares_notify_the_original_author() {
    let app = spawn_app().await;
    let ana = app.person("ana_sh").await;
    let bo = app.person("bo_sh").await;
    let cy = app.person("cy_sh").await;
    let post = public_post(&app, &ana, "worth sharing").await;
    let share = |who: &Person, id: PostId| {
        let (app, who) = (&app, who.clone());
        async move {
            let view: app::models::PostView = app
                .call_as::<app::server_fns::posts::SharePost, _>(
                    &who,
                    &[
                        ("post_id", &id.to_string()),
                        ("body", ""),
                        ("visibility", "public"),
                    ],
                )
                .await
                .expect("share");
            view
        }
    };
    let bos = share(&bo, post).await;
    let got = notifications(&app, &ana).await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(
        (got[0].kind, got[0].actor.id),
        (NotificationKind::Share, bo.id)
    );
    assert_eq!(
        got[0].target,
        NotificationTarget::Post {
            post_id: post,
            comment_id: None
        }
    );
    assert_eq!(
        got[0].text(),
        format!("{} shared your post", bo.display_name)
    );
    assert_eq!(stored_kinds(&app, &ana).await, [NotificationKind::Share]);

    // Sharing Bo's share shares Ana's post: she is told, grouped; Bo isn't.
    let _ = share(&cy, bos.id).await;
    let got = notifications(&app, &ana).await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!((got[0].actor.id, got[0].others), (cy.id, 1));
    assert_eq!(
        got[0].text(),
        format!("{} and 1 other shared your post", cy.display_name)
    );
    assert!(notifications(&app, &bo).await.is_empty());
    // Sharing your own post tells nobody.
    let _ = share(&ana, post).await;
    assert_eq!(notifications(&app, &ana).await[0].others, 1);
}
