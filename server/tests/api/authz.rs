//! The authorization matrix: every read path of posts and every mutating
//! server function on them, acted out by the owner, a friend, a follower, a
//! stranger, a blocked person and a signed-out visitor, on a Public, a
//! Friends and an Only-me post. The allowed set is asserted exactly.

use crate::helpers::{TestApp, TestUser, decode, new_client, session_cookie, spawn_app};
use app::db::entities::{comments, notifications, posts, reactions};
use app::error::AppError;
use app::events::{LiveEnvelope, LiveEvent};
use app::ids::{CommentId, PostId, UserId};
use app::models::{
    CommentView, CommentsPage, FeedPage, FriendState, PostView, ReactionSummary, Reactor,
    SearchResults,
};
use app::server_fns::comments::{
    AddComment, DeleteComment, EditComment, ListComments, ListReplies,
};
use app::server_fns::posts::{
    DeletePost, GetPost, ListFeed, ListReactors, ListUserPosts, ReactToPost, SharePost, UpdatePost,
};
use app::server_fns::search::SearchAll;
use app::server_fns::social::{AcceptFriendRequest, BlockUser, FollowUser, SendFriendRequest};
use futures::StreamExt as _;
use leptos::server_fn::ServerFn;
use sea_orm::{EntityTrait, PaginatorTrait, QueryOrder};
use std::collections::BTreeSet;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

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
    /// `name=value` session cookies of the signed-in actors (for sockets).
    cookies: Vec<(Actor, String)>,
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

    fn cookie(&self, actor: Actor) -> Option<&str> {
        self.cookies
            .iter()
            .find(|(a, _)| *a == actor)
            .map(|(_, c)| c.as_str())
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
    let mut cookies = Vec::new();
    for (actor, name) in [
        (Owner, "owner_o"),
        (Friend, "friend_f"),
        (Follower, "follower_f"),
        (Stranger, "stranger_s"),
        (Blocked, "blocked_b"),
    ] {
        let client = new_client();
        let resp = app.sign_up_raw(&client, &TestUser::new(name)).await;
        let cookie = session_cookie(&resp)
            .expect("session cookie")
            .split(';')
            .next()
            .expect("pair")
            .to_owned();
        decode::<()>(resp).await.expect("sign up");
        clients.push((actor, client));
        cookies.push((actor, cookie));
    }
    clients.push((SignedOut, new_client()));
    let mut w = World {
        app,
        clients,
        cookies,
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

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The next frame on `ws` (within 10 s).
async fn next_message(ws: &mut Socket) -> Message {
    tokio::time::timeout(Duration::from_secs(10), ws.next())
        .await
        .expect("a frame within 10 s")
        .expect("socket open")
        .expect("frame")
}

fn parse_event(text: &str) -> LiveEvent {
    let env: LiveEnvelope = serde_json::from_str(text).expect("envelope");
    env.event
}

/// The next event on `ws` (within 10 s).
async fn next_event(ws: &mut Socket) -> LiveEvent {
    loop {
        if let Message::Text(text) = next_message(ws).await {
            return parse_event(&text);
        }
    }
}

/// Asks the server for `post`'s events on `ws`, as a tab showing it does
/// (anyone can send any id), and waits until the server has taken that in:
/// it reads a socket's frames in order, so its answer to a ping sent next
/// comes after the watch request was handled. Events arriving meanwhile
/// go to `got`.
async fn watch(ws: &mut Socket, post: PostId, got: &mut Vec<LiveEvent>) {
    use futures::SinkExt as _;
    let frame = serde_json::to_string(&app::events::ClientFrame::Watch {
        post_ids: vec![post],
    })
    .expect("json");
    ws.send(Message::Text(frame.into())).await.expect("watch");
    ws.send(Message::Ping(b"watching".to_vec().into()))
        .await
        .expect("ping");
    loop {
        match next_message(ws).await {
            Message::Text(text) => got.push(parse_event(&text)),
            Message::Pong(p) if p.as_ref() == b"watching" => return,
            _ => {}
        }
    }
}

/// The post a post event is about.
fn post_of(event: &LiveEvent) -> Option<PostId> {
    match event {
        LiveEvent::PostCreated { post_id, .. }
        | LiveEvent::PostUpdated { post_id }
        | LiveEvent::PostDeleted { post_id }
        | LiveEvent::ReactionsChanged { post_id }
        | LiveEvent::CommentsChanged { post_id } => Some(*post_id),
        _ => None,
    }
}

impl World {
    /// A live socket per signed-in actor, past its `Hello`; the signed-out
    /// visitor is refused one.
    async fn sockets(&self) -> Vec<(Actor, Socket)> {
        let origin = format!("http://{}", self.app.addr);
        match tokio_tungstenite::connect_async(crate::live::ws_request(&self.app, None, &origin))
            .await
        {
            Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
                assert_eq!(resp.status(), 401, "signed out: no socket");
            }
            other => panic!("a signed-out socket: {other:?}"),
        }
        let mut out = Vec::new();
        for actor in ACTORS {
            let Some(cookie) = self.cookie(actor) else {
                continue;
            };
            let (mut ws, _) = tokio_tungstenite::connect_async(crate::live::ws_request(
                &self.app,
                Some(cookie),
                &origin,
            ))
            .await
            .expect("connect");
            assert!(matches!(next_event(&mut ws).await, LiveEvent::Hello { .. }));
            out.push((actor, ws));
        }
        out
    }

    /// Adds every event each socket got until now to `events`: each actor
    /// posts an Only-me post (its "new post" event reaches that actor
    /// alone, after everything published before it), and each socket is
    /// read up to it.
    async fn drain(&self, sockets: Vec<(Actor, Socket)>, events: &mut [(Actor, Vec<LiveEvent>)]) {
        for (actor, mut ws) in sockets {
            let sentinel = self
                .app
                .create_post_as(self.client(actor), "sentinel", "only_me")
                .await
                .expect("sentinel post")
                .id;
            let got = &mut events
                .iter_mut()
                .find(|(a, _)| *a == actor)
                .expect("actor")
                .1;
            loop {
                let event = next_event(&mut ws).await;
                if matches!(&event, LiveEvent::PostCreated { post_id, .. } if *post_id == sentinel)
                {
                    break;
                }
                got.push(event);
            }
        }
    }

    /// GETs `path` as `actor`: status and body.
    async fn page(&self, actor: Actor, path: &str) -> (u16, String) {
        let resp = self
            .client(actor)
            .get(self.app.url(path))
            .send()
            .await
            .expect("page");
        let status = resp.status().as_u16();
        (status, resp.text().await.expect("body"))
    }
}

/// What a read of a post-keyed server function must answer: the data for
/// its audience, `NotFound` for anyone else signed in (never `Forbidden`,
/// which would confirm the post exists), `Unauthorized` signed out.
fn expect_read<T: std::fmt::Debug>(
    r: &Result<T, AppError>,
    actor: Actor,
    allowed: &BTreeSet<Actor>,
    what: &str,
) {
    let expected = match actor {
        SignedOut => Outcome::Unauthorized,
        a if allowed.contains(&a) => Outcome::Ok,
        _ => Outcome::NotFound,
    };
    assert_eq!(outcome(r), expected, "{what} as {actor:?}: {r:?}");
}

#[tokio::test]
async fn every_read_path_shows_a_post_to_exactly_its_audience() {
    let w = world().await;
    let owner_name = "owner_o";
    for visibility in ["public", "friends", "only_me"] {
        let word = format!("zebra{}", visibility.replace('_', ""));
        let mut sockets = w.sockets().await;
        let id = w.post(&format!("Matrix post {word}"), visibility).await;
        let id_s = id.to_string();
        // Every socket asks for this post's events, allowed or not.
        let mut events: Vec<(Actor, Vec<LiveEvent>)> = Vec::new();
        for (actor, ws) in &mut sockets {
            let mut got = Vec::new();
            watch(ws, id, &mut got).await;
            events.push((*actor, got));
        }
        let owner_s = w.owner.to_string();
        // A comment, a reply, a reaction and an edit: every kind of post
        // event, and something for the comment and reply lists to hold.
        let comment: CommentView = w
            .call::<AddComment, _>(
                Owner,
                &[("post_id", &id_s), ("body", &format!("comment {word}"))],
            )
            .await
            .expect("comment");
        let comment_s = comment.id.to_string();
        let reply: CommentView = w
            .call::<AddComment, _>(
                Owner,
                &[
                    ("post_id", &id_s),
                    ("parent_id", &comment_s),
                    ("body", &format!("reply {word}")),
                ],
            )
            .await
            .expect("reply");
        let _: ReactionSummary = w
            .call::<ReactToPost, _>(Owner, &[("post_id", &id_s), ("kind", "like")])
            .await
            .expect("react");
        let body = format!("Matrix post {word}, edited");
        let _: PostView = w
            .call::<UpdatePost, _>(
                Owner,
                &[
                    ("post_id", &id_s),
                    ("body", &body),
                    ("visibility", visibility),
                ],
            )
            .await
            .expect("edit");
        w.drain(sockets, &mut events).await;

        let expected = viewers(visibility);
        // The feed holds own posts and followed people's visible posts:
        // the stranger follows nobody.
        let in_feed: BTreeSet<Actor> = expected
            .iter()
            .copied()
            .filter(|a| *a != Stranger)
            .collect();
        let mut permalink = BTreeSet::new();
        let mut profile = BTreeSet::new();
        let mut feed = BTreeSet::new();
        let mut comments = BTreeSet::new();
        let mut replies = BTreeSet::new();
        let mut reactors = BTreeSet::new();
        let mut search = BTreeSet::new();
        let mut page = BTreeSet::new();
        let mut page_text = BTreeSet::new();
        let mut profile_page = BTreeSet::new();
        let mut home_page = BTreeSet::new();
        for actor in ACTORS {
            let r: Result<PostView, _> = w.call::<GetPost, _>(actor, &[("post_id", &id_s)]).await;
            expect_read(&r, actor, &expected, &format!("get_post {visibility}"));
            if r.as_ref().is_ok_and(|p| p.id == id && p.body == body) {
                permalink.insert(actor);
            }
            let r: Result<FeedPage, _> = w
                .call::<ListUserPosts, _>(actor, &[("user_id", &owner_s)])
                .await;
            // The blocked person can't list the owner's posts at all.
            match actor {
                SignedOut => assert_eq!(outcome(&r), Outcome::Unauthorized),
                Blocked => assert_eq!(outcome(&r), Outcome::NotFound, "{r:?}"),
                _ => assert_eq!(outcome(&r), Outcome::Ok, "{actor:?}: {r:?}"),
            }
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
            expect_read(&r, actor, &expected, &format!("comments {visibility}"));
            if r.as_ref()
                .is_ok_and(|p| p.comments.iter().any(|c| c.id == comment.id))
            {
                comments.insert(actor);
            }
            let r: Result<CommentsPage, _> = w
                .call::<ListReplies, _>(actor, &[("comment_id", &comment_s)])
                .await;
            expect_read(&r, actor, &expected, &format!("replies {visibility}"));
            if r.as_ref()
                .is_ok_and(|p| p.comments.iter().any(|c| c.id == reply.id))
            {
                replies.insert(actor);
            }
            let r: Result<Vec<Reactor>, _> = w
                .call::<ListReactors, _>(actor, &[("post_id", &id_s)])
                .await;
            expect_read(&r, actor, &expected, &format!("reactors {visibility}"));
            if r.as_ref()
                .is_ok_and(|r| r.iter().any(|r| r.person.id == w.owner))
            {
                reactors.insert(actor);
            }
            let r: Result<SearchResults, _> =
                w.call::<SearchAll, _>(actor, &[("query", &word)]).await;
            if r.as_ref().is_ok_and(|s| s.posts.iter().any(|p| p.id == id)) {
                search.insert(actor);
            }
            // The HTML pages: the post's text (or its comments') appears
            // for its audience only, and never in a 404 page.
            for (path, set) in [
                (format!("/p/{id}"), &mut page_text),
                (format!("/u/{owner_name}"), &mut profile_page),
                ("/".to_owned(), &mut home_page),
            ] {
                let (status, html) = w.page(actor, &path).await;
                assert!(status < 500, "{path} as {actor:?}: {status}");
                if html.contains(&word) {
                    assert_ne!(status, 404, "{path} as {actor:?}: the text in a 404 page");
                    set.insert(actor);
                }
                if path.starts_with("/p/") && status == 200 && actor != SignedOut {
                    page.insert(actor);
                }
            }
        }
        assert_eq!(permalink, expected, "get_post, {visibility}");
        assert_eq!(profile, expected, "profile list, {visibility}");
        assert_eq!(comments, expected, "comments, {visibility}");
        assert_eq!(replies, expected, "replies, {visibility}");
        assert_eq!(reactors, expected, "reactions list, {visibility}");
        assert_eq!(search, expected, "search, {visibility}");
        assert_eq!(page, expected, "permalink page status, {visibility}");
        assert_eq!(page_text, expected, "permalink page text, {visibility}");
        assert_eq!(profile_page, expected, "profile page text, {visibility}");
        assert_eq!(feed, in_feed, "feed, {visibility}");
        assert_eq!(home_page, in_feed, "home page (SSR feed), {visibility}");

        // Live: "new post" reaches the feeds that can hold it; no event
        // about the post reaches anyone who may not see it.
        let mut created = BTreeSet::new();
        let mut updated = BTreeSet::new();
        let mut told = BTreeSet::new();
        for (actor, events) in &events {
            for event in events {
                if post_of(event) == Some(id) {
                    told.insert(*actor);
                    match event {
                        LiveEvent::PostCreated { .. } => created.insert(*actor),
                        LiveEvent::PostUpdated { .. } => updated.insert(*actor),
                        _ => false,
                    };
                }
            }
        }
        assert_eq!(created, in_feed, "post created events, {visibility}");
        // Those who may see it and watch it hear of the edit; nobody else
        // (the blocked person included) hears anything about it.
        assert_eq!(updated, expected, "post updated events, {visibility}");
        assert_eq!(told, expected, "any post event, {visibility}: {events:?}");
    }
}

/// Post events (comment, reaction, edit, deletion) of a post never reach a
/// socket of someone its author blocked, even one asking for that post.
#[tokio::test]
async fn post_events_never_reach_someone_the_author_blocked() {
    let w = world().await;
    for visibility in ["public", "friends", "only_me"] {
        let mut sockets = w.sockets().await;
        sockets.retain(|(a, _)| *a == Blocked);
        let id = w.post("not for the blocked", visibility).await;
        let id_s = id.to_string();
        let mut events = vec![(Blocked, Vec::new())];
        // The blocked person knows (or guesses) the id and asks for it.
        watch(&mut sockets[0].1, id, &mut events[0].1).await;
        let _: CommentView = w
            .call::<AddComment, _>(Owner, &[("post_id", &id_s), ("body", "a comment")])
            .await
            .expect("comment");
        let _: ReactionSummary = w
            .call::<ReactToPost, _>(Owner, &[("post_id", &id_s), ("kind", "like")])
            .await
            .expect("react");
        let _: PostView = w
            .call::<UpdatePost, _>(
                Owner,
                &[
                    ("post_id", &id_s),
                    ("body", "edited, still not for the blocked"),
                    ("visibility", visibility),
                ],
            )
            .await
            .expect("edit");
        let _: () = w
            .call::<DeletePost, _>(Owner, &[("post_id", &id_s)])
            .await
            .expect("delete");
        w.drain(sockets, &mut events).await;
        let about: Vec<&LiveEvent> = events[0]
            .1
            .iter()
            .filter(|e| post_of(e) == Some(id))
            .collect();
        assert!(about.is_empty(), "{visibility}: {about:?}");
    }
}

/// Every row a refused mutation could have touched.
#[derive(Debug, PartialEq)]
struct Snapshot {
    posts: Vec<posts::Model>,
    comments: Vec<comments::Model>,
    reactions: Vec<reactions::Model>,
    notifications: u64,
}

async fn snapshot(app: &TestApp) -> Snapshot {
    let db = &app.state.db;
    Snapshot {
        posts: posts::Entity::find()
            .order_by_asc(posts::Column::Id)
            .all(db)
            .await
            .expect("posts"),
        comments: comments::Entity::find()
            .order_by_asc(comments::Column::Id)
            .all(db)
            .await
            .expect("comments"),
        reactions: reactions::Entity::find()
            .order_by_asc(reactions::Column::PostId)
            .order_by_asc(reactions::Column::UserId)
            .all(db)
            .await
            .expect("reactions"),
        notifications: notifications::Entity::find()
            .count(db)
            .await
            .expect("notifications"),
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
            let mut before = snapshot(&w.app).await;
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
            before = took_effect_only_if_allowed(&w.app, &r, before, "update_post", actor).await;
            let r: Result<ReactionSummary, _> = w
                .call::<ReactToPost, _>(actor, &[("post_id", &id_s), ("kind", "love")])
                .await;
            assert_eq!(
                outcome(&r),
                expect_viewers(actor),
                "react {actor:?} {visibility}"
            );
            before = took_effect_only_if_allowed(&w.app, &r, before, "react", actor).await;
            let r: Result<CommentView, _> = w
                .call::<AddComment, _>(actor, &[("post_id", &id_s), ("body", "hi")])
                .await;
            assert_eq!(
                outcome(&r),
                expect_viewers(actor),
                "comment {actor:?} {visibility}"
            );
            before = took_effect_only_if_allowed(&w.app, &r, before, "comment", actor).await;
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
            before = took_effect_only_if_allowed(&w.app, &r, before, "share", actor).await;
            let r: Result<(), _> = w.call::<DeletePost, _>(actor, &[("post_id", &id_s)]).await;
            assert_eq!(
                outcome(&r),
                expect_owner_only(actor),
                "delete_post {actor:?} {visibility}"
            );
            let _after =
                took_effect_only_if_allowed(&w.app, &r, before, "delete_post", actor).await;
        }
    }
}

/// After a mutation: a refused one changed no row, an allowed one did.
/// Returns the state now.
async fn took_effect_only_if_allowed<T: std::fmt::Debug>(
    app: &TestApp,
    r: &Result<T, AppError>,
    before: Snapshot,
    what: &str,
    actor: Actor,
) -> Snapshot {
    let now = snapshot(app).await;
    if r.is_ok() {
        assert_ne!(
            now, before,
            "{what} by {actor:?} was allowed but changed nothing"
        );
    } else {
        assert_eq!(
            now, before,
            "{what} by {actor:?} was refused ({r:?}) but changed rows"
        );
    }
    now
}

/// The stored comment `id`, if it still exists.
async fn stored_comment(app: &TestApp, id: CommentId) -> Option<comments::Model> {
    comments::Entity::find_by_id(id.0)
        .one(&app.state.db)
        .await
        .expect("query")
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
        let mut stored = stored_comment(&w.app, comment.id).await.expect("stored");
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
            let now = stored_comment(&w.app, comment.id).await.expect("stored");
            if r.is_ok() {
                assert_eq!(now.body, "edited");
            } else {
                assert_eq!(
                    now, stored,
                    "refused edit by {editor:?} changed the comment"
                );
            }
            stored = now;
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
            assert_eq!(
                stored_comment(&w.app, comment.id).await.as_ref(),
                Some(&stored),
                "refused deletion by {deleter:?} changed the comment"
            );
        }
        // The post's owner may delete anyone's comment on it.
        let r: Result<(), _> = w
            .call::<DeleteComment, _>(Owner, &[("comment_id", &c)])
            .await;
        assert_eq!(outcome(&r), Outcome::Ok);
        assert_eq!(stored_comment(&w.app, comment.id).await, None, "deleted");
    }
    // Each commenter may delete their own.
    for actor in [Friend, Follower, Stranger, Owner] {
        let comment: CommentView = w
            .call::<AddComment, _>(actor, &[("post_id", &id_s), ("body", "mine")])
            .await
            .expect("comment");
        let r: Result<(), _> = w
            .call::<DeleteComment, _>(actor, &[("comment_id", &comment.id.to_string())])
            .await;
        assert_eq!(outcome(&r), Outcome::Ok, "{actor:?} deletes their own");
        assert_eq!(stored_comment(&w.app, comment.id).await, None);
    }
}

#[tokio::test]
async fn the_posts_author_deletes_a_strangers_comment_on_their_post() {
    let w = world().await;
    let id = w.post("my post, my rules", "public").await;
    let id_s = id.to_string();
    let comment: CommentView = w
        .call::<AddComment, _>(Stranger, &[("post_id", &id_s), ("body", "spam spam")])
        .await
        .expect("comment");
    // The owner is offered the delete button, not the edit one.
    let seen: CommentsPage = w
        .call::<ListComments, _>(Owner, &[("post_id", &id_s)])
        .await
        .expect("comments");
    let as_owner = seen
        .comments
        .iter()
        .find(|c| c.id == comment.id)
        .expect("listed");
    assert!(as_owner.can_delete && !as_owner.can_edit, "{as_owner:?}");
    // Editing stays the author's.
    let r: Result<CommentView, _> = w
        .call::<EditComment, _>(
            Owner,
            &[("comment_id", &comment.id.to_string()), ("body", "edited")],
        )
        .await;
    assert_eq!(outcome(&r), Outcome::Forbidden);

    let r: Result<(), _> = w
        .call::<DeleteComment, _>(Owner, &[("comment_id", &comment.id.to_string())])
        .await;
    assert_eq!(outcome(&r), Outcome::Ok, "{r:?}");
    assert_eq!(stored_comment(&w.app, comment.id).await, None);
    for actor in [Owner, Stranger] {
        let page: CommentsPage = w
            .call::<ListComments, _>(actor, &[("post_id", &id_s)])
            .await
            .expect("comments");
        assert!(page.comments.is_empty(), "{actor:?}: {page:?}");
        let post: PostView = w
            .call::<GetPost, _>(actor, &[("post_id", &id_s)])
            .await
            .expect("post");
        assert_eq!(post.comment_count, 0);
    }
    // Gone for good: deleting again finds nothing.
    let r: Result<(), _> = w
        .call::<DeleteComment, _>(Owner, &[("comment_id", &comment.id.to_string())])
        .await;
    assert_eq!(outcome(&r), Outcome::NotFound);
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
