//! Demo data for trying Hearth on real-looking input: [`DEMO_USERS`] people
//! with realistic names and bios, friendships among them (about
//! [`DEMO_FRIENDS_EACH`] each), and [`DEMO_POSTS`] posts spread over the
//! last 90 days with mixed visibility, then what makes it look lived in
//! ([`lived_in`]: avatars, covers, photo posts, reactions, comments and
//! conversations). Deterministic (fixed seeds) and idempotent: running it
//! again adds only what is missing. Every demo account's password is
//! [`DEMO_PASSWORD`]; demo emails end in [`DEMO_EMAIL_DOMAIN`].

pub mod lived_in;
mod pictures;

use crate::db::entities::{follows, friendships, posts, profiles, users};
use crate::error::AppResult;
use crate::media::MediaStore;
use crate::services::accounts::hash_password;
use crate::time_fmt::now_ms;
use crate::validation::username_key;
use fake::Fake;
use fake::faker::lorem::en::{Sentence, Words};
use fake::faker::name::en::{FirstName, LastName};
use fake::rand::rngs::StdRng;
use fake::rand::{Rng, SeedableRng};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
};

/// Number of demo accounts.
pub const DEMO_USERS: usize = 200;
/// Number of demo posts in all.
pub const DEMO_POSTS: usize = 5_000;
/// The password shared by every demo account.
pub const DEMO_PASSWORD: &str = "hearth-demo-password";
/// Email domain of demo accounts (reserved `.test` TLD, RFC 2606).
pub const DEMO_EMAIL_DOMAIN: &str = "demo.hearth.test";
/// Posts spread over this many days before now.
pub const DEMO_DAYS: i64 = 90;

/// What [`seed`] added.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SeedReport {
    /// Accounts created now.
    pub users_added: usize,
    /// Posts created now.
    pub posts_added: usize,
    /// Friendships created now.
    pub friendships_added: usize,
    /// Photos, engagement and conversations added now.
    pub lived_in: lived_in::LivedInReport,
}

/// Friends per demo person, roughly (each picks this many others).
pub const DEMO_FRIENDS_EACH: usize = 6;

/// 40 % Public, 50 % Friends, 10 % Only me.
fn demo_visibility(roll: u32) -> &'static str {
    match roll {
        0..=3 => "public",
        4..=8 => "friends",
        _ => "only_me",
    }
}

/// Each demo person befriends [`DEMO_FRIENDS_EACH`] others at random
/// (accepted, following both ways); skipped when demo friendships exist.
async fn seed_friendships(
    db: &DatabaseConnection,
    ids: &[i64],
    rng: &mut StdRng,
) -> AppResult<usize> {
    if ids.len() < 2 {
        return Ok(0);
    }
    let existing = friendships::Entity::find()
        .filter(friendships::Column::UserAId.is_in(ids.to_vec()))
        .count(db)
        .await?;
    if existing > 0 {
        return Ok(0);
    }
    let now = now_ms();
    let mut pairs = std::collections::BTreeSet::new();
    for &a in ids {
        for _ in 0..DEMO_FRIENDS_EACH / 2 {
            let b = ids[rng.random_range(0..ids.len())];
            if a != b {
                pairs.insert((a.min(b), a.max(b)));
            }
        }
    }
    let txn = crate::db::begin_write(db).await?;
    let rows: Vec<friendships::ActiveModel> = pairs
        .iter()
        .map(|&(a, b)| friendships::ActiveModel {
            user_a_id: Set(a),
            user_b_id: Set(b),
            requester_id: Set(a),
            status: Set(friendships::ACCEPTED.to_owned()),
            created_at_ms: Set(now),
            updated_at_ms: Set(now),
        })
        .collect();
    let follows: Vec<follows::ActiveModel> = pairs
        .iter()
        .flat_map(|&(a, b)| [(a, b), (b, a)])
        .map(|(follower, followee)| follows::ActiveModel {
            follower_id: Set(follower),
            followee_id: Set(followee),
            created_at_ms: Set(now),
        })
        .collect();
    for chunk in rows.chunks(300) {
        friendships::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    for chunk in follows.chunks(300) {
        follows::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(pairs.len())
}

const BIO_OPENERS: &[&str] = &[
    "Coffee first, then everything else.",
    "Parent of two, gardener of many.",
    "Weekend hiker and amateur baker.",
    "Teacher by day, guitarist by night.",
    "Always planning the next trip.",
    "Dog person. Bookshop regular.",
    "Learning to cook my grandmother's recipes.",
    "Cyclist, photographer, terrible at chess.",
];

const POST_OPENERS: &[&str] = &[
    "Just got back from",
    "Can't believe how fast the kids are growing.",
    "Sunday lunch with the family:",
    "Finally finished",
    "Throwback to",
    "Anyone have recommendations for",
    "Happy birthday to my favourite person!",
    "Tried a new recipe tonight:",
    "What a week.",
    "Grateful for friends who show up.",
];

/// Adds the demo accounts and posts that are missing.
///
/// # Errors
/// `Internal` on database failure.
pub async fn seed(db: &DatabaseConnection, store: &MediaStore) -> AppResult<SeedReport> {
    let mut rng = StdRng::seed_from_u64(0x4845_4152_5448);
    let password_hash = hash_password(DEMO_PASSWORD.to_owned()).await?;
    let now = now_ms();
    let mut report = SeedReport::default();

    // People: deterministic names, so a second run produces the same keys
    // and inserts nothing (ON CONFLICT DO NOTHING on the username key).
    let txn = crate::db::begin_write(db).await?;
    for i in 0..DEMO_USERS {
        let first: String = FirstName().fake_with_rng(&mut rng);
        let last: String = LastName().fake_with_rng(&mut rng);
        let username = demo_username(&first, &last, i);
        let key = username_key(&username);
        let bio = format!(
            "{} {}",
            BIO_OPENERS[rng.random_range(0..BIO_OPENERS.len())],
            Sentence(4..10).fake_with_rng::<String, _>(&mut rng)
        );
        let joined = now - rng.random_range(91..400) * 86_400_000;
        let inserted = users::Entity::insert(users::ActiveModel {
            username: Set(username.clone()),
            username_key: Set(key.clone()),
            email: Set(format!("{key}@{DEMO_EMAIL_DOMAIN}")),
            first_name: Set(first.clone()),
            last_name: Set(last.clone()),
            password_hash: Set(password_hash.clone()),
            failed_logins: Set(0),
            locked_until_ms: Set(None),
            created_at_ms: Set(joined),
            // Made-up addresses that no mail reaches: count them confirmed.
            email_confirmed_at_ms: Set(Some(joined)),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::column(users::Column::UsernameKey)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        if inserted == 1 {
            let user = users::Entity::find()
                .filter(users::Column::UsernameKey.eq(&key))
                .one(&txn)
                .await?
                .ok_or_else(|| anyhow::anyhow!("demo user {key} vanished"))?;
            profiles::Entity::insert(profiles::ActiveModel {
                user_id: Set(user.id),
                display_name: Set(format!("{first} {last}")),
                bio: Set(bio.chars().take(300).collect()),
                avatar_media_id: Set(None),
                cover_media_id: Set(None),
                updated_at_ms: Set(joined),
            })
            .exec_without_returning(&txn)
            .await?;
            report.users_added += 1;
        }
    }
    txn.commit().await?;

    let ids: Vec<i64> = users::Entity::find()
        .filter(users::Column::Email.ends_with(format!("@{DEMO_EMAIL_DOMAIN}")))
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect();
    report.friendships_added = seed_friendships(db, &ids, &mut rng).await?;

    let existing = posts::Entity::find()
        .filter(posts::Column::AuthorId.is_in(ids.clone()))
        .count(db)
        .await? as usize;
    let missing = DEMO_POSTS.saturating_sub(existing);
    if missing > 0 && !ids.is_empty() {
        report.posts_added = seed_text_posts(db, &ids, missing, &mut rng).await?;
    }
    report.lived_in = lived_in::seed(db, store, &ids).await?;
    Ok(report)
}

/// Inserts `missing` text posts by random demo people.
async fn seed_text_posts(
    db: &DatabaseConnection,
    ids: &[i64],
    missing: usize,
    rng: &mut StdRng,
) -> AppResult<usize> {
    let now = now_ms();

    let txn = crate::db::begin_write(db).await?;
    let span_ms = DEMO_DAYS * 86_400_000;
    let batch: Vec<posts::ActiveModel> = (0..missing)
        .map(|_| {
            let author = ids[rng.random_range(0..ids.len())];
            let opener = POST_OPENERS[rng.random_range(0..POST_OPENERS.len())];
            let words: Vec<String> = Words(3..12).fake_with_rng(rng);
            let mut body = format!("{opener} {}.", words.join(" "));
            if rng.random_bool(0.15) {
                body.push_str("\n\n");
                body.push_str(&Sentence(8..20).fake_with_rng::<String, _>(rng));
            }
            posts::ActiveModel {
                author_id: Set(author),
                body: Set(body),
                created_at_ms: Set(now - rng.random_range(0..span_ms)),
                edited_at_ms: Set(None),
                visibility: Set(demo_visibility(rng.random_range(0..10)).to_owned()),
                ..Default::default()
            }
        })
        .collect();
    for chunk in batch.chunks(500) {
        posts::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(missing)
}

/// `first_last_N`, ASCII only, cut to the 30-character limit.
fn demo_username(first: &str, last: &str, i: usize) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase()
    };
    let suffix = format!("_{i}");
    let mut base = format!("{}_{}", clean(first), clean(last));
    base.truncate(30 - suffix.len());
    base + &suffix
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_usernames_are_valid() {
        let u = demo_username("Anne-Marie", "O'Connor-Smithsonian-Worthington", 199);
        assert!(crate::validation::username(&u).is_ok(), "{u}");
        assert!(u.ends_with("_199"));
    }
}
