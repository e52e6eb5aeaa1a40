//! Hardening of the live socket (`/ws`): post-scoped events reach only the
//! sockets watching the post (finding 3), re-reacting publishes nothing,
//! typing relays only from members who may send (findings 4 and 5b), and
//! the socket's limits (sockets per user, frame size, frame rate).

use crate::helpers::{Person, TestApp, spawn_app};
use crate::live::ws_request;
use app::events::{ClientFrame, LiveEnvelope, LiveEvent, MAX_WATCHED_POSTS};
use app::ids::{ConversationId, PostId, UserId};
use app::models::{ReactionSummary, Reactor};
use futures::{SinkExt, StreamExt};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

/// Longest wait for something that should arrive, or to be sure something
/// didn't.
const WAIT: Duration = Duration::from_secs(2);
/// How long to listen for a frame that must not come (it would already be
/// queued: the action that would send it has returned).
const QUIET: Duration = Duration::from_millis(300);

/// Opens `who`'s socket and reads its `Hello`.
async fn connect(app: &TestApp, who: &Person) -> Ws {
    let origin = format!("http://{}", app.addr);
    let (mut ws, _) = tokio_tungstenite::connect_async(ws_request(app, Some(&who.cookie), &origin))
        .await
        .expect("connect");
    let hello = next_event(&mut ws, WAIT).await.expect("hello");
    assert_eq!(hello.event, LiveEvent::Hello { user_id: who.id });
    ws
}

/// The next event within `wait`, or `None` (timeout, or the socket ended).
async fn next_event(ws: &mut Ws, wait: Duration) -> Option<LiveEnvelope> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => {
                return Some(serde_json::from_str(&text).expect("envelope"));
            }
            Ok(Some(Ok(_))) => {}
            _ => return None,
        }
    }
}

/// The next event `keep` accepts within [`WAIT`] (others are skipped).
async fn next_matching(ws: &mut Ws, keep: impl Fn(&LiveEvent) -> bool) -> Option<LiveEvent> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let env = next_event(ws, left).await?;
        if keep(&env.event) {
            return Some(env.event);
        }
    }
}

fn post_scoped(event: &LiveEvent) -> bool {
    event.watched_post().is_some()
}

fn typing(event: &LiveEvent) -> bool {
    matches!(event, LiveEvent::Typing { .. })
}

/// Asserts no event `keep` accepts arrives within [`QUIET`].
async fn none_within_quiet(ws: &mut Ws, keep: impl Fn(&LiveEvent) -> bool, what: &str) {
    let deadline = tokio::time::Instant::now() + QUIET;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match next_event(ws, left).await {
            Some(env) if keep(&env.event) => panic!("{what}: got {:?}", env.event),
            Some(_) => {}
            None => return,
        }
    }
}

/// Sends `frame`, then waits for the answer to a ping sent after it: the
/// server handles a socket's frames in order, so by then it has handled
/// `frame` (a typing signal relayed, a watch list recorded). Events that
/// arrive meanwhile are dropped.
async fn send_synced(ws: &mut Ws, frame: &ClientFrame) {
    let text = serde_json::to_string(frame).expect("frame");
    ws.send(Message::Text(text.into())).await.expect("send");
    ws.send(Message::Ping(b"sync".to_vec().into()))
        .await
        .expect("ping");
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Ok(Some(Ok(Message::Pong(data)))) if &data[..] == b"sync" => return,
            Ok(Some(Ok(_))) => {}
            other => panic!("no pong: {other:?}"),
        }
    }
}

async fn watch(ws: &mut Ws, posts: &[PostId]) {
    send_synced(
        ws,
        &ClientFrame::Watch {
            post_ids: posts.to_vec(),
        },
    )
    .await;
}

async fn type_in(ws: &mut Ws, conversation: ConversationId) {
    send_synced(
        ws,
        &ClientFrame::Typing {
            conversation_id: conversation,
        },
    )
    .await;
}

async fn public_post(app: &TestApp, who: &Person, body: &str) -> PostId {
    app.create_post_as(&who.client, body, "public")
        .await
        .expect("post")
        .id
}

async fn react(app: &TestApp, who: &Person, post: PostId, kind: &str) {
    let _: ReactionSummary = app
        .call_as::<app::server_fns::posts::ReactToPost, _>(
            who,
            &[("post_id", &post.to_string()), ("kind", kind)],
        )
        .await
        .expect("react");
}

async fn comment(app: &TestApp, who: &Person, post: PostId, body: &str) {
    let _: app::models::CommentView = app
        .call_as::<app::server_fns::comments::AddComment, _>(
            who,
            &[("post_id", &post.to_string()), ("body", body)],
        )
        .await
        .expect("comment");
}

async fn live_event_rows(app: &TestApp) -> u64 {
    use sea_orm::{EntityTrait as _, PaginatorTrait as _};
    app::db::entities::live_events::Entity::find()
        .count(&app.state.db)
        .await
        .expect("count")
}

/// Befriends `a` and `b` and opens their one-to-one conversation.
async fn direct(app: &TestApp, a: &Person, b: &Person) -> ConversationId {
    app.befriend(a, b).await;
    app.call_as::<app::server_fns::chat::OpenDirectConversation, _>(
        a,
        &[("user_id", &b.id.to_string())],
    )
    .await
    .expect("open direct")
}

/// Finding 3: a reaction on a Public post used to reach every connected
/// user. A stranger's socket that doesn't show the post gets nothing; a
/// socket showing it does.
#[tokio::test]
async fn a_reaction_reaches_only_sockets_watching_the_post() {
    let app = spawn_app().await;
    let ana = app.person("ana_lh1").await;
    let rob = app.person("rob_lh1").await;
    let sam = app.person("sam_lh1").await;
    let wes = app.person("wes_lh1").await;
    let post = public_post(&app, &ana, "for everyone").await;

    let mut stranger = connect(&app, &sam).await;
    let mut watcher = connect(&app, &wes).await;
    watch(&mut watcher, &[post]).await;

    react(&app, &rob, post, "like").await;
    assert_eq!(
        next_matching(&mut watcher, post_scoped).await,
        Some(LiveEvent::ReactionsChanged { post_id: post })
    );
    // Now the stranger shows the post too: the first post event it gets is
    // the comment made after that, not the earlier reaction.
    watch(&mut stranger, &[post]).await;
    comment(&app, &rob, post, "nice").await;
    assert_eq!(
        next_matching(&mut stranger, post_scoped).await,
        Some(LiveEvent::CommentsChanged { post_id: post }),
        "the reaction must not have reached a socket not showing the post"
    );
    // An empty list watches nothing again.
    watch(&mut stranger, &[]).await;
    react(&app, &rob, post, "wow").await;
    none_within_quiet(&mut stranger, post_scoped, "unwatched").await;
}

/// Finding 3: `react_to_post` in a loop published (and notified) on every
/// call. Repeating the same reaction, or removing none, now writes and
/// publishes nothing: a watcher gets exactly one frame per real change.
#[tokio::test]
async fn a_repeated_reaction_publishes_and_writes_nothing() {
    let app = spawn_app().await;
    let ana = app.person("ana_lh2").await;
    let rob = app.person("rob_lh2").await;
    let cy = app.person("cy_lh2").await;
    let wes = app.person("wes_lh2").await;
    let post = public_post(&app, &ana, "react to me").await;
    let mut watcher = connect(&app, &wes).await;
    watch(&mut watcher, &[post]).await;

    react(&app, &rob, post, "like").await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    react(&app, &cy, post, "love").await;
    let rows = live_event_rows(&app).await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    for _ in 0..5 {
        react(&app, &rob, post, "like").await;
    }
    assert_eq!(
        live_event_rows(&app).await,
        rows,
        "repeats notify no one (no durable event written)"
    );
    react(&app, &rob, post, "haha").await; // a change
    react(&app, &rob, post, "").await; // removed
    react(&app, &rob, post, "").await; // nothing to remove
    comment(&app, &cy, post, "marker").await;

    let mut seen = Vec::new();
    loop {
        let event = next_matching(&mut watcher, post_scoped)
            .await
            .expect("the comment's event");
        let done = matches!(event, LiveEvent::CommentsChanged { .. });
        seen.push(event);
        if done {
            break;
        }
    }
    let reactions = seen
        .iter()
        .filter(|e| matches!(e, LiveEvent::ReactionsChanged { .. }))
        .count();
    assert_eq!(reactions, 4, "like, love, haha, removal: {seen:?}");

    // A repeat doesn't rewrite the reaction: cy's "love" stays older than
    // rob's newer "like" (reactors are listed newest first).
    react(&app, &rob, post, "like").await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    react(&app, &cy, post, "love").await;
    let reactors: Vec<Reactor> = app
        .call_as::<app::server_fns::posts::ListReactors, _>(&ana, &[("post_id", &post.to_string())])
        .await
        .expect("reactors");
    let order: Vec<UserId> = reactors.iter().map(|r| r.person.id).collect();
    assert_eq!(order, vec![rob.id, cy.id]);
}

/// Finding 3: watching a post doesn't widen its audience: a stranger
/// watching a Friends post hears nothing of it, nor does someone the
/// author blocked watching a Public one.
#[tokio::test]
async fn watching_a_post_one_may_not_see_gets_nothing() {
    let app = spawn_app().await;
    let ana = app.person("ana_lh3").await;
    let fred = app.person("fred_lh3").await;
    let sam = app.person("sam_lh3").await;
    let bea = app.person("bea_lh3").await;
    app.befriend(&ana, &fred).await;
    app.with_user::<app::server_fns::social::BlockUser, ()>(&ana.client, bea.id)
        .await
        .expect("block");
    let friends_only = app
        .create_post_as(&ana.client, "friends only", "friends")
        .await
        .expect("post")
        .id;
    let open = public_post(&app, &ana, "public").await;
    let mut stranger = connect(&app, &sam).await;
    let mut friend = connect(&app, &fred).await;
    watch(&mut stranger, &[friends_only, open]).await;
    watch(&mut friend, &[friends_only]).await;
    let mut blocked = connect(&app, &bea).await;
    watch(&mut blocked, &[friends_only, open]).await;

    react(&app, &fred, friends_only, "like").await;
    assert_eq!(
        next_matching(&mut friend, post_scoped).await,
        Some(LiveEvent::ReactionsChanged {
            post_id: friends_only
        })
    );
    react(&app, &fred, open, "like").await;
    assert_eq!(
        next_matching(&mut stranger, post_scoped).await,
        Some(LiveEvent::ReactionsChanged { post_id: open }),
        "the Friends post's event must not reach a stranger"
    );
    none_within_quiet(&mut blocked, post_scoped, "blocked by the author").await;
}

/// Finding 3: a socket's watch list is bounded: ids past the first
/// [`MAX_WATCHED_POSTS`] are ignored.
#[tokio::test]
async fn a_watch_list_is_bounded() {
    let app = spawn_app().await;
    let ana = app.person("ana_lh4").await;
    let rob = app.person("rob_lh4").await;
    let post = public_post(&app, &ana, "far down").await;
    let mut ws = connect(&app, &rob).await;
    let mut posts: Vec<PostId> = (0..MAX_WATCHED_POSTS as i64)
        .map(|i| PostId(1_000_000 + i))
        .collect();
    posts.push(post);
    watch(&mut ws, &posts).await;
    react(&app, &ana, post, "like").await;
    none_within_quiet(&mut ws, post_scoped, "past the cap").await;
    watch(&mut ws, &[post]).await;
    react(&app, &ana, post, "love").await;
    assert_eq!(
        next_matching(&mut ws, post_scoped).await,
        Some(LiveEvent::ReactionsChanged { post_id: post })
    );
}

/// Finding 4: typing frames for a conversation the sender isn't in reach
/// no member (and are answered from the socket's bounded cache).
#[tokio::test]
async fn a_non_members_typing_reaches_no_member() {
    let app = spawn_app().await;
    let ana = app.person("ana_lh5").await;
    let bo = app.person("bo_lh5").await;
    let eve = app.person("eve_lh5").await;
    let c = direct(&app, &ana, &bo).await;
    let mut ana_ws = connect(&app, &ana).await;
    let mut bo_ws = connect(&app, &bo).await;
    let mut eve_ws = connect(&app, &eve).await;

    type_in(&mut eve_ws, c).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    type_in(&mut eve_ws, c).await;
    // Arbitrary ids cost nothing lasting either.
    for id in 1_000..1_005 {
        type_in(&mut eve_ws, ConversationId(id)).await;
    }
    none_within_quiet(&mut ana_ws, typing, "eve isn't a member").await;
    type_in(&mut ana_ws, c).await;
    assert_eq!(
        next_matching(&mut bo_ws, typing).await,
        Some(LiveEvent::Typing {
            conversation_id: c,
            user_id: ana.id,
            display_name: ana.display_name.clone(),
        }),
        "the first typing bo sees is ana's"
    );
}

/// Finding 5b: once one blocks the other, typing in their one-to-one
/// conversation no longer reaches the other person.
#[tokio::test]
async fn typing_stops_reaching_the_other_person_after_a_block() {
    let app = spawn_app().await;
    let ana = app.person("ana_lh6").await;
    let bo = app.person("bo_lh6").await;
    let c = direct(&app, &ana, &bo).await;
    let mut ana_ws = connect(&app, &ana).await;
    let mut bo_ws = connect(&app, &bo).await;
    type_in(&mut ana_ws, c).await;
    assert!(
        next_matching(&mut bo_ws, typing).await.is_some(),
        "friends see each other type"
    );

    app.with_user::<app::server_fns::social::BlockUser, ()>(&bo.client, ana.id)
        .await
        .expect("block");
    tokio::time::sleep(Duration::from_millis(600)).await;
    type_in(&mut ana_ws, c).await;
    none_within_quiet(&mut bo_ws, typing, "blocked").await;
    type_in(&mut bo_ws, c).await;
    none_within_quiet(&mut ana_ws, typing, "blocked either way").await;
}

/// Finding 5b: after unfriending, typing in their one-to-one conversation
/// no longer reaches the other person.
#[tokio::test]
async fn typing_stops_reaching_the_other_person_after_unfriending() {
    let app = spawn_app().await;
    let ana = app.person("ana_lh7").await;
    let bo = app.person("bo_lh7").await;
    let c = direct(&app, &ana, &bo).await;
    let mut ana_ws = connect(&app, &ana).await;
    let mut bo_ws = connect(&app, &bo).await;
    type_in(&mut ana_ws, c).await;
    assert!(next_matching(&mut bo_ws, typing).await.is_some());

    app.call_as::<app::server_fns::social::Unfriend, ()>(&bo, &[("user_id", &ana.id.to_string())])
        .await
        .expect("unfriend");
    tokio::time::sleep(Duration::from_millis(600)).await;
    type_in(&mut ana_ws, c).await;
    none_within_quiet(&mut bo_ws, typing, "no longer friends").await;
}

/// Finding 4: one user may hold at most 20 sockets; the 21st upgrade is
/// refused with 429, and closing one makes room again.
#[tokio::test]
async fn the_21st_socket_of_one_user_is_refused() {
    let app = spawn_app().await;
    let ana = app.person("ana_lh8").await;
    let origin = format!("http://{}", app.addr);
    let mut open = Vec::new();
    for _ in 0..app::hub::MAX_CONNECTIONS_PER_USER {
        open.push(connect(&app, &ana).await);
    }
    match tokio_tungstenite::connect_async(ws_request(&app, Some(&ana.cookie), &origin)).await {
        Err(WsError::Http(resp)) => assert_eq!(resp.status(), 429),
        Err(other) => panic!("expected 429, got {other:?}"),
        Ok(_) => panic!("the 21st socket was accepted"),
    }
    let mut first = open.remove(0);
    first.close(None).await.expect("close");
    drop(first);
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        match tokio_tungstenite::connect_async(ws_request(&app, Some(&ana.cookie), &origin)).await {
            Ok(_) => break,
            Err(e) => assert!(
                tokio::time::Instant::now() < deadline,
                "a closed socket must free its place: {e:?}"
            ),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Finding 4: a frame announcing 64 KiB closes the socket from its header
/// (1009), without waiting for (buffering) its payload.
#[tokio::test]
async fn an_oversized_frame_is_refused_before_its_payload() {
    let app = spawn_app().await;
    let ana = app.person("ana_lh9").await;
    let mut ws = connect(&app, &ana).await;
    // A masked text frame header for 64 KiB, and no payload at all.
    let mut header = vec![0x81, 0x80 | 127];
    header.extend_from_slice(&(64 * 1024u64).to_be_bytes());
    header.extend_from_slice(&[1, 2, 3, 4]);
    match ws.get_mut() {
        MaybeTlsStream::Plain(tcp) => {
            tcp.write_all(&header).await.expect("write");
            tcp.flush().await.expect("flush");
        }
        _ => panic!("plain TCP expected"),
    }
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_) => panic!("still open: the server is waiting for the payload"),
            Ok(Some(Ok(Message::Close(frame)))) => {
                if let Some(frame) = frame {
                    assert_eq!(u16::from(frame.code), 1009, "{frame:?}");
                }
                return;
            }
            Ok(Some(Ok(_))) => {}
            // Closed without a close frame: refused all the same.
            Ok(None | Some(Err(_))) => return,
        }
    }
}

/// Finding 4: a socket sending frames as fast as it can is closed with
/// 1008 once it keeps going past the rate limit.
#[tokio::test]
async fn a_frame_flood_closes_the_socket() {
    let app = spawn_app().await;
    let ana = app.person("ana_lh10").await;
    let mut ws = connect(&app, &ana).await;
    let frame = serde_json::to_string(&ClientFrame::Watch { post_ids: vec![] }).expect("frame");
    for _ in 0..100 {
        if ws.send(Message::Text(frame.clone().into())).await.is_err() {
            break;
        }
    }
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_) => panic!("a flooding socket stayed open"),
            Ok(Some(Ok(Message::Close(frame)))) => {
                let frame = frame.expect("a close code");
                assert_eq!(u16::from(frame.code), 1008, "{frame:?}");
                return;
            }
            Ok(Some(Ok(_))) => {}
            Ok(other) => panic!("expected a close frame, got {other:?}"),
        }
    }
}
