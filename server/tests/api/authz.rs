//! The authorization matrix: every read path of posts and every mutating
//! server function on them, acted out by the owner, a friend, a follower, a
//! stranger, a blocked person and a signed-out visitor, on a Public, a
//! Friends and an Only-me post. The allowed set is asserted exactly.

use crate::helpers::{TestApp, TestUser, decode, new_client, spawn_app};
use app::error::AppError;
use app::ids::{PostId, UserId};
use app::models::{
    CommentView, CommentsPage, FeedPage, FriendState, PostView, ReactionSummary, Reactor,
    SearchResults,
};
use app::server_fns::comments::{AddComment, DeleteComment, EditComment, ListComments};
use app::server_fns::posts::{
    DeletePost, GetPost, ListFeed, ListReactors, ListUserPosts, ReactToPost, SharePost, UpdatePost,
};
use app::server_fns::search::SearchAll;
use app::server_fns::social::{AcceptFriendRequest, BlockUser, FollowUser, SendFriendRequest};
use leptos::server_fn::ServerFn;
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Actor {
    Owner,
    Friend,
    Follower,
    Stranger,
    Blocked,
    SignedOut,
}
use Actor::*;

pub(crate) const ACTORS: [Actor; 6] = [Owner, Friend, Follower, Stranger, Blocked, SignedOut];

/// What a call came back with, coarsely.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Ok,
    NotFound,
    Forbidden,
    Unauthorized,
    Other,
}

fn outcome<T>(r: &Result<T, AppError>) -> Outcome {
    match r {
        Ok(_) => Outcome::Ok,
        Err(AppError::NotFound) => Outcome::NotFound,
        Err(AppError::Forbidden) => Outcome::Forbidden,
        Err(AppError::Unauthorized) => Outcome::Unauthorized,
        Err(_) => Outcome::Other,
    }
}

pub(crate) struct World {
    pub(crate) app: TestApp,
    clients: Vec<(Actor, reqwest::Client)>,
    pub(crate) owner: UserId,
}

impl World {
    pub(crate) fn client(&self, actor: Actor) -> &reqwest::Client {
        &self
            .clients
            .iter()
            .find(|(a, _)| *a == actor)
            .expect("actor")
            .1
    }

    pub(crate) async fn call<S: ServerFn, T: serde::de::DeserializeOwned>(
        &self,
        actor: Actor,
        form: &[(&str, &str)],
    ) -> Result<T, AppError> {
        decode(self.app.call_with::<S>(self.client(actor), form).await).await
    }

    async fn post(&self, body: &str, visibility: &str) -> PostId {
        self.app
            .create_post_as(self.client(Owner), body, visibility)
            .await
            .expect("post")
            .id
    }
}

pub(crate) async fn world() -> World {
    let app = spawn_app().await;
    let mut clients = Vec::new();
    for (actor, name) in [
        (Owner, "owner_o"),
        (Friend, "friend_f"),
        (Follower, "follower_f"),
        (Stranger, "stranger_s"),
        (Blocked, "blocked_b"),
    ] {
        let client = new_client();
        app.sign_up_with(&client, &TestUser::new(name))
            .await
            .expect("sign up");
        clients.push((actor, client));
    }
    clients.push((SignedOut, new_client()));
    let mut w = World {
        app,
        clients,
        owner: UserId(0),
    };
    w.owner = w.app.me(w.client(Owner)).await.id;
    let friend = w.app.me(w.client(Friend)).await.id;
    let blocked = w.app.me(w.client(Blocked)).await.id;
    let sent: FriendState = w
        .app
        .with_user::<SendFriendRequest, _>(w.client(Owner), friend)
        .await
        .expect("send");
    assert_eq!(sent, FriendState::RequestSent);
    w.app
        .with_user::<AcceptFriendRequest, ()>(w.client(Friend), w.owner)
        .await
        .expect("accept");
    w.app
        .with_user::<FollowUser, ()>(w.client(Follower), w.owner)
        .await
        .expect("follow");
    // The blocked person followed the owner before being blocked.
    w.app
        .with_user::<FollowUser, ()>(w.client(Blocked), w.owner)
        .await
        .expect("follow");
    w.app
        .with_user::<BlockUser, ()>(w.client(Owner), blocked)
        .await
        .expect("block");
    w
}

fn set(actors: &[Actor]) -> BTreeSet<Actor> {
    actors.iter().copied().collect()
}

/// Who may see a post of each visibility.
pub(crate) fn viewers(visibility: &str) -> BTreeSet<Actor> {
    match visibility {
        "public" => set(&[Owner, Friend, Follower, Stranger]),
        "friends" => set(&[Owner, Friend]),
        _ => set(&[Owner]),
    }
}

#[tokio::test]
async fn every_read_path_shows_a_post_to_exactly_its_audience() {
    let w = world().await;
    for visibility in ["public", "friends", "only_me"] {
        let word = format!("zebra{}", visibility.replace('_', ""));
        let id = w.post(&format!("Matrix post {word}"), visibility).await;
        let id_s = id.to_string();
        let owner_s = w.owner.to_string();
        let expected = viewers(visibility);
        let mut permalink = BTreeSet::new();
        let mut profile = BTreeSet::new();
        let mut feed = BTreeSet::new();
        let mut comments = BTreeSet::new();
        let mut reactors = BTreeSet::new();
        let mut search = BTreeSet::new();
        let mut page = BTreeSet::new();
        for actor in ACTORS {
            let r: Result<PostView, _> = w.call::<GetPost, _>(actor, &[("post_id", &id_s)]).await;
            if r.is_ok() {
                permalink.insert(actor);
            } else if actor != SignedOut {
                assert_eq!(
                    outcome(&r),
                    Outcome::NotFound,
                    "{actor:?} {visibility}: hidden means NotFound"
                );
            } else {
                assert_eq!(outcome(&r), Outcome::Unauthorized);
            }
            let r: Result<FeedPage, _> = w
                .call::<ListUserPosts, _>(actor, &[("user_id", &owner_s)])
                .await;
            if r.as_ref().is_ok_and(|p| p.posts.iter().any(|p| p.id == id)) {
                profile.insert(actor);
            }
            let r: Result<FeedPage, _> = w.call::<ListFeed, _>(actor, &[]).await;
            if r.as_ref().is_ok_and(|p| p.posts.iter().any(|p| p.id == id)) {
                feed.insert(actor);
            }
            let r: Result<CommentsPage, _> = w
                .call::<ListComments, _>(actor, &[("post_id", &id_s)])
                .await;
            if r.is_ok() {
                comments.insert(actor);
            }
            let r: Result<Vec<Reactor>, _> = w
                .call::<ListReactors, _>(actor, &[("post_id", &id_s)])
                .await;
            if r.is_ok() {
                reactors.insert(actor);
            }
            let r: Result<SearchResults, _> =
                w.call::<SearchAll, _>(actor, &[("query", &word)]).await;
            if r.as_ref().is_ok_and(|s| s.posts.iter().any(|p| p.id == id)) {
                search.insert(actor);
            }
            let status = w
                .client(actor)
                .get(w.app.url(&format!("/p/{id}")))
                .send()
                .await
                .expect("page")
                .status();
            if status == 200 && actor != SignedOut {
                page.insert(actor);
            }
        }
        assert_eq!(permalink, expected, "get_post, {visibility}");
        assert_eq!(profile, expected, "profile list, {visibility}");
        assert_eq!(comments, expected, "comments, {visibility}");
        assert_eq!(reactors, expected, "reactions list, {visibility}");
        assert_eq!(search, expected, "search, {visibility}");
        assert_eq!(page, expected, "permalink page, {visibility}");
        // The feed holds own posts and followed people's visible posts:
        // the stranger follows nobody.
        let in_feed: BTreeSet<Actor> = expected
            .iter()
            .copied()
            .filter(|a| *a != Stranger)
            .collect();
        assert_eq!(feed, in_feed, "feed, {visibility}");
    }
}

#[tokio::test]
async fn every_mutation_is_allowed_to_exactly_the_right_people() {
    let w = world().await;
    for visibility in ["public", "friends", "only_me"] {
        let can_see = viewers(visibility);
        for actor in ACTORS {
            let id = w.post("target", visibility).await;
            let id_s = id.to_string();
            // Seen-but-not-yours is Forbidden; unseen is NotFound.
            let expect_owner_only = |a: Actor| match a {
                Owner => Outcome::Ok,
                SignedOut => Outcome::Unauthorized,
                a if can_see.contains(&a) => Outcome::Forbidden,
                _ => Outcome::NotFound,
            };
            let expect_viewers = |a: Actor| match a {
                SignedOut => Outcome::Unauthorized,
                a if can_see.contains(&a) => Outcome::Ok,
                _ => Outcome::NotFound,
            };
            let r: Result<PostView, _> = w
                .call::<UpdatePost, _>(
                    actor,
                    &[
                        ("post_id", &id_s),
                        ("body", "changed"),
                        ("visibility", visibility),
                    ],
                )
                .await;
            assert_eq!(
                outcome(&r),
                expect_owner_only(actor),
                "update_post {actor:?} {visibility}"
            );
            let r: Result<ReactionSummary, _> = w
                .call::<ReactToPost, _>(actor, &[("post_id", &id_s), ("kind", "love")])
                .await;
            assert_eq!(
                outcome(&r),
                expect_viewers(actor),
                "react {actor:?} {visibility}"
            );
            let r: Result<CommentView, _> = w
                .call::<AddComment, _>(actor, &[("post_id", &id_s), ("body", "hi")])
                .await;
            assert_eq!(
                outcome(&r),
                expect_viewers(actor),
                "comment {actor:?} {visibility}"
            );
            let r: Result<PostView, _> = w
                .call::<SharePost, _>(
                    actor,
                    &[("post_id", &id_s), ("body", ""), ("visibility", "friends")],
                )
                .await;
            assert_eq!(
                outcome(&r),
                expect_viewers(actor),
                "share {actor:?} {visibility}"
            );
            let r: Result<(), _> = w.call::<DeletePost, _>(actor, &[("post_id", &id_s)]).await;
            assert_eq!(
                outcome(&r),
                expect_owner_only(actor),
                "delete_post {actor:?} {visibility}"
            );
        }
    }
}

#[tokio::test]
async fn comments_are_edited_by_their_author_and_deleted_by_author_or_post_owner() {
    let w = world().await;
    let id = w.post("commentable", "public").await;
    let id_s = id.to_string();
    for actor in [Friend, Follower, Stranger] {
        let comment: CommentView = w
            .call::<AddComment, _>(actor, &[("post_id", &id_s), ("body", "a comment")])
            .await
            .expect("comment");
        let c = comment.id.to_string();
        for editor in ACTORS {
            let r: Result<CommentView, _> = w
                .call::<EditComment, _>(editor, &[("comment_id", &c), ("body", "edited")])
                .await;
            let expected = match editor {
                e if e == actor => Outcome::Ok,
                SignedOut => Outcome::Unauthorized,
                Blocked => Outcome::NotFound,
                _ => Outcome::Forbidden,
            };
            assert_eq!(
                outcome(&r),
                expected,
                "edit {actor:?}'s comment as {editor:?}"
            );
        }
        for deleter in [SignedOut, Blocked, Stranger, Follower, Friend] {
            if deleter == actor {
                continue;
            }
            let r: Result<(), _> = w
                .call::<DeleteComment, _>(deleter, &[("comment_id", &c)])
                .await;
            let expected = match deleter {
                SignedOut => Outcome::Unauthorized,
                Blocked => Outcome::NotFound,
                _ => Outcome::Forbidden,
            };
            assert_eq!(
                outcome(&r),
                expected,
                "delete {actor:?}'s comment as {deleter:?}"
            );
        }
        // The post's owner may delete anyone's comment on it.
        let r: Result<(), _> = w
            .call::<DeleteComment, _>(Owner, &[("comment_id", &c)])
            .await;
        assert_eq!(outcome(&r), Outcome::Ok);
    }
}

#[tokio::test]
async fn shares_show_the_root_only_to_those_who_may_see_it() {
    let w = world().await;
    let public = w.post("public root", "public").await;
    let friends_only = w.post("friends root", "friends").await;

    // A Friends-only post can't be shared publicly.
    let r: Result<PostView, _> = w
        .call::<SharePost, _>(
            Friend,
            &[
                ("post_id", &friends_only.to_string()),
                ("body", "look"),
                ("visibility", "public"),
            ],
        )
        .await;
    assert!(
        matches!(r, Err(AppError::Validation { ref field, .. }) if field == "visibility"),
        "{r:?}"
    );

    // The follower shares the public post publicly; sharing that share
    // embeds the root.
    let share: PostView = w
        .call::<SharePost, _>(
            Follower,
            &[
                ("post_id", &public.to_string()),
                ("body", "nice"),
                ("visibility", "public"),
            ],
        )
        .await
        .expect("share");
    let reshare: PostView = w
        .call::<SharePost, _>(
            Stranger,
            &[
                ("post_id", &share.id.to_string()),
                ("body", ""),
                ("visibility", "public"),
            ],
        )
        .await
        .expect("reshare");
    match &reshare.shared {
        Some(app::models::SharedPost::Available(root)) => assert_eq!(root.id, public),
        other => panic!("expected the root embedded, got {other:?}"),
    }

    // Once the owner makes the root Only-me, the shares stay but show
    // "unavailable" to others; after deletion, to everyone.
    let r: Result<PostView, _> = w
        .call::<UpdatePost, _>(
            Owner,
            &[
                ("post_id", &public.to_string()),
                ("body", "public root"),
                ("visibility", "only_me"),
            ],
        )
        .await;
    assert!(r.is_ok());
    let seen: PostView = w
        .call::<GetPost, _>(Stranger, &[("post_id", &reshare.id.to_string())])
        .await
        .expect("share visible");
    assert_eq!(seen.shared, Some(app::models::SharedPost::Unavailable));
    let seen: PostView = w
        .call::<GetPost, _>(Owner, &[("post_id", &reshare.id.to_string())])
        .await
        .expect("share visible");
    assert!(matches!(
        seen.shared,
        Some(app::models::SharedPost::Available(_))
    ));
    let _: () = w
        .call::<DeletePost, _>(Owner, &[("post_id", &public.to_string())])
        .await
        .expect("delete");
    let seen: PostView = w
        .call::<GetPost, _>(Owner, &[("post_id", &reshare.id.to_string())])
        .await
        .expect("share visible");
    assert_eq!(seen.shared, Some(app::models::SharedPost::Unavailable));
}
