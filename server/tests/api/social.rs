//! Every friendship state transition, valid and invalid, plus follows and
//! blocks, driven through the server functions.

use crate::helpers::{TestApp, TestUser, decode, new_client, spawn_app};
use app::db::entities::{follows, friendships};
use app::error::AppError;
use app::ids::UserId;
use app::models::{FriendState, FriendsOverview, PersonCard, ProfileView};
use app::server_fns::profiles::GetProfile;
use app::server_fns::social::{
    AcceptFriendRequest, BlockUser, CancelFriendRequest, DeclineFriendRequest, FollowUser,
    GetFriendsOverview, ListPeopleYouMayKnow, SendFriendRequest, UnblockUser, UnfollowUser,
    Unfriend,
};
use sea_orm::sea_query::Expr;
use sea_orm::{EntityTrait, PaginatorTrait};

struct Person {
    client: reqwest::Client,
    id: UserId,
    username: String,
}

async fn person(app: &TestApp, name: &str) -> Person {
    let client = new_client();
    app.sign_up_with(&client, &TestUser::new(name))
        .await
        .expect("sign up");
    let id = app.me(&client).await.id;
    Person {
        client,
        id,
        username: name.to_owned(),
    }
}

async fn state(app: &TestApp, viewer: &Person, of: &Person) -> Result<FriendState, AppError> {
    let profile: ProfileView = decode(
        app.call_with::<GetProfile>(&viewer.client, &[("username", &of.username)])
            .await,
    )
    .await?;
    Ok(profile.relationship.friend)
}

async fn follows(app: &TestApp, a: &Person, b: &Person) -> bool {
    follows::Entity::find_by_id((a.id.0, b.id.0))
        .one(&app.state.db)
        .await
        .expect("query")
        .is_some()
}

fn conflict(r: Result<impl std::fmt::Debug, AppError>) {
    assert!(
        matches!(r, Err(AppError::Conflict(_))),
        "expected Conflict, got {r:?}"
    );
}

#[tokio::test]
async fn request_cancel_accept_decline_unfriend() {
    let app = spawn_app().await;
    let (ana, bo) = (person(&app, "ana_a").await, person(&app, "bo_b").await);
    assert_eq!(state(&app, &ana, &ana).await, Ok(FriendState::Myself));
    assert_eq!(state(&app, &ana, &bo).await, Ok(FriendState::NotFriends));

    // Invalid: request yourself.
    conflict(
        app.with_user::<SendFriendRequest, FriendState>(&ana.client, ana.id)
            .await,
    );

    // Send, then the exact state on both sides; sending twice is refused.
    let sent = app
        .with_user::<SendFriendRequest, FriendState>(&ana.client, bo.id)
        .await;
    assert_eq!(sent, Ok(FriendState::RequestSent));
    assert_eq!(state(&app, &ana, &bo).await, Ok(FriendState::RequestSent));
    assert_eq!(
        state(&app, &bo, &ana).await,
        Ok(FriendState::RequestReceived)
    );
    conflict(
        app.with_user::<SendFriendRequest, FriendState>(&ana.client, bo.id)
            .await,
    );

    // Invalid: the sender accepts or declines their own request; the
    // receiver cancels it.
    conflict(
        app.with_user::<AcceptFriendRequest, ()>(&ana.client, bo.id)
            .await,
    );
    conflict(
        app.with_user::<DeclineFriendRequest, ()>(&ana.client, bo.id)
            .await,
    );
    conflict(
        app.with_user::<CancelFriendRequest, ()>(&bo.client, ana.id)
            .await,
    );

    // Cancel by the sender.
    app.with_user::<CancelFriendRequest, ()>(&ana.client, bo.id)
        .await
        .expect("cancel");
    assert_eq!(state(&app, &bo, &ana).await, Ok(FriendState::NotFriends));
    conflict(
        app.with_user::<CancelFriendRequest, ()>(&ana.client, bo.id)
            .await,
    );

    // Send again and accept: friends, following both ways.
    app.with_user::<SendFriendRequest, FriendState>(&ana.client, bo.id)
        .await
        .expect("send");
    let overview: FriendsOverview =
        decode(app.call_with::<GetFriendsOverview>(&bo.client, &[]).await)
            .await
            .expect("overview");
    assert_eq!(
        overview.received.iter().map(|p| p.id).collect::<Vec<_>>(),
        [ana.id]
    );
    app.with_user::<AcceptFriendRequest, ()>(&bo.client, ana.id)
        .await
        .expect("accept");
    assert_eq!(state(&app, &ana, &bo).await, Ok(FriendState::Friends));
    assert!(follows(&app, &ana, &bo).await && follows(&app, &bo, &ana).await);
    conflict(
        app.with_user::<SendFriendRequest, FriendState>(&bo.client, ana.id)
            .await,
    );
    conflict(
        app.with_user::<AcceptFriendRequest, ()>(&bo.client, ana.id)
            .await,
    );

    // Unfriend from either side: neither follow survives.
    app.with_user::<Unfriend, ()>(&bo.client, ana.id)
        .await
        .expect("unfriend");
    assert_eq!(state(&app, &ana, &bo).await, Ok(FriendState::NotFriends));
    assert!(!follows(&app, &ana, &bo).await && !follows(&app, &bo, &ana).await);
    conflict(app.with_user::<Unfriend, ()>(&ana.client, bo.id).await);
}

#[tokio::test]
async fn crossing_requests_make_friends() {
    let app = spawn_app().await;
    let (ana, bo) = (person(&app, "ana_a").await, person(&app, "bo_b").await);
    app.with_user::<SendFriendRequest, FriendState>(&ana.client, bo.id)
        .await
        .expect("send");
    let crossed = app
        .with_user::<SendFriendRequest, FriendState>(&bo.client, ana.id)
        .await;
    assert_eq!(crossed, Ok(FriendState::Friends));
    assert_eq!(
        friendships::Entity::find()
            .count(&app.state.db)
            .await
            .expect("count"),
        1,
        "one row per pair"
    );
}

#[tokio::test]
async fn a_declined_sender_waits_30_days_the_decliner_does_not() {
    let app = spawn_app().await;
    let (ana, bo) = (person(&app, "ana_a").await, person(&app, "bo_b").await);
    app.with_user::<SendFriendRequest, FriendState>(&ana.client, bo.id)
        .await
        .expect("send");
    app.with_user::<DeclineFriendRequest, ()>(&bo.client, ana.id)
        .await
        .expect("decline");
    assert_eq!(state(&app, &ana, &bo).await, Ok(FriendState::NotFriends));
    match app
        .with_user::<SendFriendRequest, FriendState>(&ana.client, bo.id)
        .await
    {
        Err(AppError::Conflict(message)) => {
            assert!(message.contains("ask again after"), "{message}")
        }
        other => panic!("expected the 30-day refusal, got {other:?}"),
    }
    // Move the decline back in time: 29 days, and 30 days less an hour,
    // are still too soon; 31 days later the sender may ask again.
    let age_decline = |days_ms: i64| {
        let db = app.state.db.clone();
        async move {
            let res = friendships::Entity::update_many()
                .col_expr(
                    friendships::Column::UpdatedAtMs,
                    Expr::value(app::time_fmt::now_ms() - days_ms),
                )
                .exec(&db)
                .await
                .expect("age the decline");
            assert_eq!(res.rows_affected, 1);
        }
    };
    const DAY: i64 = 86_400_000;
    for (age, label) in [
        (29 * DAY, "29 days"),
        (30 * DAY - 3_600_000, "30 days less an hour"),
    ] {
        age_decline(age).await;
        match app
            .with_user::<SendFriendRequest, FriendState>(&ana.client, bo.id)
            .await
        {
            Err(AppError::Conflict(message)) => {
                assert!(message.contains("ask again after"), "{label}: {message}")
            }
            other => panic!("{label} after the decline: expected the refusal, got {other:?}"),
        }
        // The refusal changed nothing: still declined, no request pending.
        let row = friendships::Entity::find()
            .one(&app.state.db)
            .await
            .expect("query")
            .expect("row");
        assert_eq!(row.status, friendships::DECLINED, "{label}");
        assert_eq!(state(&app, &bo, &ana).await, Ok(FriendState::NotFriends));
    }
    age_decline(31 * DAY).await;
    let again = app
        .with_user::<SendFriendRequest, FriendState>(&ana.client, bo.id)
        .await;
    assert_eq!(again, Ok(FriendState::RequestSent));
    assert_eq!(
        state(&app, &bo, &ana).await,
        Ok(FriendState::RequestReceived)
    );

    // And the decliner could always send one themselves.
    let app = spawn_app().await;
    let (ana, bo) = (person(&app, "ana_a").await, person(&app, "bo_b").await);
    app.with_user::<SendFriendRequest, FriendState>(&ana.client, bo.id)
        .await
        .expect("send");
    app.with_user::<DeclineFriendRequest, ()>(&bo.client, ana.id)
        .await
        .expect("decline");
    let back = app
        .with_user::<SendFriendRequest, FriendState>(&bo.client, ana.id)
        .await;
    assert_eq!(back, Ok(FriendState::RequestSent));
}

#[tokio::test]
async fn follows_are_one_way() {
    let app = spawn_app().await;
    let (ana, bo) = (person(&app, "ana_a").await, person(&app, "bo_b").await);
    app.with_user::<FollowUser, ()>(&ana.client, bo.id)
        .await
        .expect("follow");
    assert!(follows(&app, &ana, &bo).await && !follows(&app, &bo, &ana).await);
    conflict(app.with_user::<FollowUser, ()>(&ana.client, ana.id).await);
    app.with_user::<UnfollowUser, ()>(&ana.client, bo.id)
        .await
        .expect("unfollow");
    assert!(!follows(&app, &ana, &bo).await);
}

#[tokio::test]
async fn blocking_ends_everything_and_hides_the_blocker() {
    let app = spawn_app().await;
    let (ana, bo) = (person(&app, "ana_a").await, person(&app, "bo_b").await);
    app.with_user::<SendFriendRequest, FriendState>(&ana.client, bo.id)
        .await
        .expect("send");
    app.with_user::<AcceptFriendRequest, ()>(&bo.client, ana.id)
        .await
        .expect("accept");

    app.with_user::<BlockUser, ()>(&ana.client, bo.id)
        .await
        .expect("block");
    assert_eq!(state(&app, &ana, &bo).await, Ok(FriendState::Blocked));
    assert!(!follows(&app, &ana, &bo).await && !follows(&app, &bo, &ana).await);
    assert_eq!(
        friendships::Entity::find()
            .count(&app.state.db)
            .await
            .expect("count"),
        0
    );

    // To Bo, Ana no longer exists; Bo can't request or follow her.
    assert_eq!(state(&app, &bo, &ana).await, Err(AppError::NotFound));
    assert_eq!(
        app.with_user::<SendFriendRequest, FriendState>(&bo.client, ana.id)
            .await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        app.with_user::<FollowUser, ()>(&bo.client, ana.id).await,
        Err(AppError::NotFound)
    );
    // Ana must unblock before requesting; blocking yourself is refused.
    conflict(
        app.with_user::<SendFriendRequest, FriendState>(&ana.client, bo.id)
            .await,
    );
    conflict(app.with_user::<BlockUser, ()>(&ana.client, ana.id).await);

    // Unblock: strangers again, and requests work.
    app.with_user::<UnblockUser, ()>(&ana.client, bo.id)
        .await
        .expect("unblock");
    assert_eq!(state(&app, &bo, &ana).await, Ok(FriendState::NotFriends));
    assert_eq!(
        app.with_user::<SendFriendRequest, FriendState>(&bo.client, ana.id)
            .await,
        Ok(FriendState::RequestSent)
    );
}

#[tokio::test]
async fn people_you_may_know_ranks_friends_of_friends_by_mutual_count() {
    let app = spawn_app().await;
    let me = person(&app, "me_user").await;
    let f1 = person(&app, "friend_one").await;
    let f2 = person(&app, "friend_two").await;
    let both = person(&app, "knows_both").await;
    let one = person(&app, "knows_one").await;
    let blocked = person(&app, "blocked_one").await;
    let befriend = |a: &Person, b: &Person| {
        let (ac, bc, aid, bid) = (a.client.clone(), b.client.clone(), a.id, b.id);
        let app = &app;
        async move {
            app.with_user::<SendFriendRequest, FriendState>(&ac, bid)
                .await
                .expect("send");
            app.with_user::<AcceptFriendRequest, ()>(&bc, aid)
                .await
                .expect("accept");
        }
    };
    befriend(&me, &f1).await;
    befriend(&me, &f2).await;
    befriend(&f1, &both).await;
    befriend(&f2, &both).await;
    befriend(&f1, &one).await;
    befriend(&f1, &blocked).await;
    app.with_user::<BlockUser, ()>(&me.client, blocked.id)
        .await
        .expect("block");

    let people: Vec<PersonCard> =
        decode(app.call_with::<ListPeopleYouMayKnow>(&me.client, &[]).await)
            .await
            .expect("pymk");
    let ranked: Vec<(UserId, Option<u32>)> =
        people.iter().map(|p| (p.id, p.mutual_friends)).collect();
    assert_eq!(ranked, [(both.id, Some(2)), (one.id, Some(1))]);

    // A pending request takes them out of the list.
    app.with_user::<SendFriendRequest, FriendState>(&me.client, one.id)
        .await
        .expect("send");
    let people: Vec<PersonCard> =
        decode(app.call_with::<ListPeopleYouMayKnow>(&me.client, &[]).await)
            .await
            .expect("pymk");
    assert_eq!(people.iter().map(|p| p.id).collect::<Vec<_>>(), [both.id]);
}
