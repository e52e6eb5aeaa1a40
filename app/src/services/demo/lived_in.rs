//! The second half of the demo data: what makes the site look lived in.
//! Every demo person gets an avatar (and four in five a cover), drawn
//! locally and sent through the real photo pipeline; [`DEMO_PHOTO_POSTS`]
//! posts carry 1–6 photos; recent posts get reactions, comments and
//! replies from the author's friends; and a few one-to-one and group
//! conversations hold messages. All of it goes through the services, so
//! the same rules apply as for people. Each part is skipped when already
//! there, so seeding stays idempotent.

use super::pictures;
use crate::db::entities::{conversation_members, media, posts, profiles, reactions};
use crate::error::AppResult;
use crate::hub::EventHub;
use crate::ids::{CommentId, PostId, UserId};
use crate::media::MediaStore;
use crate::models::{MediaPurpose, PhotoInput, ReactionKind};
use crate::services::{
    chat, comments, media as media_svc, posts as posts_svc, reactions as react_svc, social,
};
use fake::Fake;
use fake::faker::lorem::en::Sentence;
use fake::rand::rngs::StdRng;
use fake::rand::{Rng, SeedableRng};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

/// Posts with photos among the demo data.
pub const DEMO_PHOTO_POSTS: usize = 60;
/// Newest demo posts that get reactions and comments.
pub const DEMO_ENGAGED_POSTS: usize = 250;
/// Demo people who chat (each opens conversations with two friends).
pub const DEMO_CHATTERS: usize = 12;

/// What [`seed`] added.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LivedInReport {
    /// Avatars and covers set.
    pub profile_photos: usize,
    /// Photo posts created.
    pub photo_posts: usize,
    /// Reactions, comments and replies added.
    pub engagements: usize,
    /// Chat messages sent.
    pub messages: usize,
}

const CAPTIONS: &[&str] = &[
    "Golden hour on the ridge.",
    "Weekend walk, no filter needed.",
    "The view from our campsite this morning.",
    "Sunset after the storm.",
    "Found this spot on the way home.",
    "",
];

const COMMENTS: &[&str] = &[
    "Love this!",
    "Wow, where is this?",
    "Miss you all, let's meet soon.",
    "This made my day.",
    "So good to see you happy.",
    "Haha, classic.",
    "Take me with you next time!",
];

const MESSAGES: &[&str] = &[
    "Hey! How was the weekend?",
    "Pretty good, we finally went hiking.",
    "Are we still on for Saturday?",
    "Yes! I'll bring dessert.",
    "Did you see the photos from the party?",
    "Call me when you're free.",
    "Happy birthday!!",
    "Thanks, that means a lot.",
];

fn initials(display_name: &str) -> String {
    display_name
        .split_whitespace()
        .filter_map(|w| w.chars().find(char::is_ascii_alphabetic))
        .take(2)
        .collect()
}

async fn seed_profile_photos(
    db: &DatabaseConnection,
    store: &MediaStore,
    ids: &[i64],
) -> AppResult<usize> {
    let mut added = 0;
    let missing = profiles::Entity::find()
        .filter(profiles::Column::UserId.is_in(ids.to_vec()))
        .filter(profiles::Column::AvatarMediaId.is_null())
        .all(db)
        .await?;
    for p in missing {
        let me = UserId(p.user_id);
        let bytes = pictures::avatar(p.user_id.unsigned_abs(), &initials(&p.display_name));
        let photo = media_svc::store_upload(db, store, me, MediaPurpose::Avatar, bytes).await?;
        media_svc::set_profile_photo(db, me, MediaPurpose::Avatar, &photo.id).await?;
        added += 1;
    }
    let missing = profiles::Entity::find()
        .filter(profiles::Column::UserId.is_in(ids.to_vec()))
        .filter(profiles::Column::CoverMediaId.is_null())
        .all(db)
        .await?;
    for p in missing.into_iter().filter(|p| p.user_id % 5 != 0) {
        let me = UserId(p.user_id);
        let bytes = pictures::landscape(p.user_id.unsigned_abs() * 31, 1500, 500);
        let photo = media_svc::store_upload(db, store, me, MediaPurpose::Cover, bytes).await?;
        media_svc::set_profile_photo(db, me, MediaPurpose::Cover, &photo.id).await?;
        added += 1;
    }
    Ok(added)
}

async fn seed_photo_posts(
    db: &DatabaseConnection,
    store: &MediaStore,
    hub: &EventHub,
    ids: &[i64],
    rng: &mut StdRng,
) -> AppResult<usize> {
    let existing = media::Entity::find()
        .select_only()
        .column(media::Column::PostId)
        .filter(media::Column::OwnerId.is_in(ids.to_vec()))
        .filter(media::Column::PostId.is_not_null())
        .distinct()
        .count(db)
        .await? as usize;
    let missing = DEMO_PHOTO_POSTS.saturating_sub(existing);
    for n in 0..missing {
        let author = UserId(ids[rng.random_range(0..ids.len())]);
        let count = [1, 1, 2, 3, 4, 5, 6][rng.random_range(0..7)];
        let mut inputs = Vec::new();
        for i in 0..count {
            let portrait = rng.random_bool(0.25);
            let (w, h) = if portrait { (864, 1080) } else { (1280, 960) };
            let seed = (existing + n) as u64 * 16 + i as u64;
            let photo = media_svc::store_upload(
                db,
                store,
                author,
                MediaPurpose::Post,
                pictures::landscape(seed, w, h),
            )
            .await?;
            inputs.push(PhotoInput {
                id: photo.id,
                alt: format!("Drawn landscape {}: hills under a coloured sky", i + 1),
            });
        }
        let caption = CAPTIONS[rng.random_range(0..CAPTIONS.len())];
        let visibility = if rng.random_bool(0.5) {
            "public"
        } else {
            "friends"
        };
        posts_svc::create_post(db, hub, author, caption, visibility, &inputs, None).await?;
    }
    Ok(missing)
}

async fn seed_engagement(
    db: &DatabaseConnection,
    hub: &EventHub,
    ids: &[i64],
    rng: &mut StdRng,
) -> AppResult<usize> {
    let already = reactions::Entity::find()
        .filter(reactions::Column::UserId.is_in(ids.to_vec()))
        .count(db)
        .await?;
    if already > 0 {
        return Ok(0);
    }
    let recent = posts::Entity::find()
        .filter(posts::Column::AuthorId.is_in(ids.to_vec()))
        .filter(posts::Column::Visibility.ne("only_me"))
        .order_by_desc(posts::Column::CreatedAtMs)
        .limit(DEMO_ENGAGED_POSTS as u64)
        .all(db)
        .await?;
    let mut added = 0;
    for post in recent {
        let author = UserId(post.author_id);
        let friends = social::friend_ids(db, author).await?;
        if friends.is_empty() {
            continue;
        }
        let post_id = PostId(post.id);
        for _ in 0..rng.random_range(0..6) {
            let who = friends[rng.random_range(0..friends.len())];
            let kind = ReactionKind::ALL[rng.random_range(0..3)];
            react_svc::react(db, hub, who, post_id, Some(kind)).await?;
            added += 1;
        }
        for _ in 0..rng.random_range(0..3) {
            let who = friends[rng.random_range(0..friends.len())];
            let body = COMMENTS[rng.random_range(0..COMMENTS.len())];
            let comment = comments::add_comment(db, hub, who, post_id, None, body).await?;
            added += 1;
            if rng.random_bool(0.4) {
                let reply: String = Sentence(3..9).fake_with_rng(rng);
                comments::add_comment(
                    db,
                    hub,
                    author,
                    post_id,
                    Some(CommentId(comment.id.0)),
                    &reply,
                )
                .await?;
                added += 1;
            }
        }
    }
    Ok(added)
}

async fn seed_conversations(
    db: &DatabaseConnection,
    hub: &EventHub,
    ids: &[i64],
    rng: &mut StdRng,
) -> AppResult<usize> {
    let already = conversation_members::Entity::find()
        .filter(conversation_members::Column::UserId.is_in(ids.to_vec()))
        .count(db)
        .await?;
    if already > 0 {
        return Ok(0);
    }
    let mut sent = 0;
    for &me in ids.iter().take(DEMO_CHATTERS) {
        let me = UserId(me);
        let friends = social::friend_ids(db, me).await?;
        for &other in friends.iter().take(2) {
            let conv = chat::open_direct(db, me, other).await?;
            for i in 0..rng.random_range(3..9) {
                let from = if i % 2 == 0 { me } else { other };
                let body = MESSAGES[rng.random_range(0..MESSAGES.len())];
                chat::send_message(db, hub, from, conv, body, None).await?;
                sent += 1;
            }
        }
        if friends.len() >= 3 && rng.random_bool(0.5) {
            let members: Vec<UserId> = friends.iter().copied().take(4).collect();
            let conv = chat::create_group(db, hub, me, "Weekend plans", &members).await?;
            for i in 0..rng.random_range(4..10) {
                let from = if i % 3 == 0 {
                    me
                } else {
                    members[i % members.len()]
                };
                let body = MESSAGES[rng.random_range(0..MESSAGES.len())];
                chat::send_message(db, hub, from, conv, body, None).await?;
                sent += 1;
            }
        }
    }
    Ok(sent)
}

/// Adds the missing profile photos, photo posts, reactions and comments,
/// and conversations for the demo people `ids`.
///
/// # Errors
/// `Internal` on database or store failure.
pub async fn seed(
    db: &DatabaseConnection,
    store: &MediaStore,
    ids: &[i64],
) -> AppResult<LivedInReport> {
    if ids.is_empty() {
        return Ok(LivedInReport::default());
    }
    let mut rng = StdRng::seed_from_u64(0x004C_4956_4544);
    let hub = EventHub::default();
    Ok(LivedInReport {
        profile_photos: seed_profile_photos(db, store, ids).await?,
        photo_posts: seed_photo_posts(db, store, &hub, ids, &mut rng).await?,
        engagements: seed_engagement(db, &hub, ids, &mut rng).await?,
        messages: seed_conversations(db, &hub, ids, &mut rng).await?,
    })
}
