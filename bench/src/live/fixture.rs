//! The benchmark's data, written straight into a fresh database before the
//! server starts: users with profiles, friendships, one conversation per
//! group of users, and one signed-in session per user.

use super::Options;
use anyhow::{Context as _, anyhow};
use app::db::entities::{friendships, profiles, users};
use app::hub::EventHub;
use app::ids::{ConversationId, UserId};
use app::session_store::DbSessionStore;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    TransactionTrait,
};
use std::collections::{BTreeSet, HashMap};
use std::time::Instant;
use tower_sessions::SessionStore as _;
use tower_sessions::cookie::time::{Duration as CookieDuration, OffsetDateTime};
use tower_sessions::session::{Id, Record};

/// Password of every benchmark account (hashed once).
pub const BENCH_PASSWORD: &str = "hearth-bench-password";
/// Email domain of benchmark accounts (reserved `.test` TLD).
pub const BENCH_EMAIL_DOMAIN: &str = "bench.hearth.test";
/// Rows per multi-row `INSERT` (well under SQLite's bound-variable limit).
const BATCH: usize = 200;

/// One benchmark user: a WebSocket client and a message sender.
#[derive(Debug, Clone)]
pub struct BenchUser {
    /// Account id.
    pub id: UserId,
    /// `hearth_session=...`, the value of a `Cookie` header.
    pub cookie: String,
    /// The conversation this user sends to.
    pub conversation: ConversationId,
    /// Other members of that conversation (who should receive each message).
    pub recipients: usize,
    /// The server instance (0-based) this user's socket and sends go to.
    pub instance: usize,
}

/// What [`prepare`] created.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// Users in id order.
    pub users: Vec<BenchUser>,
    /// Accepted friendships (pairs).
    pub friend_pairs: usize,
    /// Conversations (one-to-one and groups).
    pub conversations: usize,
    /// Wall time spent preparing.
    pub took: std::time::Duration,
}

/// Creates `opts.clients` users, friendships, conversations and sessions.
///
/// Users are split into consecutive groups of `opts.group_size`; a
/// leftover single user joins the previous group. Everyone in a group is
/// friends with everyone else in it, plus `opts.extra_friends` random
/// friends each. A group of two gets a one-to-one conversation, larger
/// ones a group conversation (through the chat service, as the app does).
///
/// # Errors
/// On database failure.
pub async fn prepare(db: &DatabaseConnection, opts: &Options) -> anyhow::Result<Fixture> {
    let started = Instant::now();
    let ids = insert_users(db, opts.clients).await?;
    if opts.hide_presence {
        users::Entity::update_many()
            .col_expr(users::Column::ShowPresence, Expr::value(false))
            .exec(db)
            .await?;
    }
    let groups = split(&ids, opts.group_size.max(2));
    let pairs = friend_pairs(&ids, &groups, opts.extra_friends);
    insert_friendships(db, &pairs).await?;

    let hub = EventHub::default();
    let mut conversation_of = HashMap::new();
    for (n, group) in groups.iter().enumerate() {
        let conversation = match group.as_slice() {
            [a, b] => app::services::chat::open_direct(db, *a, *b).await,
            [creator, rest @ ..] => {
                app::services::chat::create_group(db, &hub, *creator, &format!("Bench {n}"), rest)
                    .await
            }
            [] => continue,
        }
        .map_err(|e| anyhow!("creating conversation {n}: {e:?}"))?;
        for user in group {
            conversation_of.insert(*user, (conversation, group.len() - 1));
        }
    }

    let store = DbSessionStore::new(db.clone());
    let mut out = Vec::with_capacity(ids.len());
    for (index, id) in ids.into_iter().enumerate() {
        let (conversation, recipients) = conversation_of
            .get(&id)
            .copied()
            .ok_or_else(|| anyhow!("user {id} has no conversation"))?;
        out.push(BenchUser {
            id,
            cookie: session_for(&store, id).await?,
            conversation,
            recipients,
            instance: instance_of(index, opts.instances),
        });
    }
    Ok(Fixture {
        users: out,
        friend_pairs: pairs.len(),
        conversations: groups.len(),
        took: started.elapsed(),
    })
}

/// Inserts `n` users (one precomputed password hash for all) with
/// profiles; returns their ids in order.
async fn insert_users(db: &DatabaseConnection, n: usize) -> anyhow::Result<Vec<UserId>> {
    let hash = app::services::accounts::hash_password(BENCH_PASSWORD.to_owned())
        .await
        .map_err(|e| anyhow!("hashing the bench password: {e:?}"))?;
    let now = app::time_fmt::now_ms();
    let txn = db.begin().await?;
    let rows: Vec<users::ActiveModel> = (0..n)
        .map(|i| {
            let username = format!("bench{i:05}");
            users::ActiveModel {
                username_key: Set(username.clone()),
                email: Set(format!("{username}@{BENCH_EMAIL_DOMAIN}")),
                username: Set(username),
                first_name: Set("Bench".to_owned()),
                last_name: Set(format!("User {i}")),
                password_hash: Set(hash.clone()),
                failed_logins: Set(0),
                locked_until_ms: Set(None),
                created_at_ms: Set(now),
                ..Default::default()
            }
        })
        .collect();
    for chunk in rows.chunks(BATCH) {
        users::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await
            .context("inserting users")?;
    }
    let ids: Vec<i64> = users::Entity::find()
        .filter(users::Column::Email.ends_with(format!("@{BENCH_EMAIL_DOMAIN}")))
        .order_by_asc(users::Column::Id)
        .all(&txn)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect();
    let profiles: Vec<profiles::ActiveModel> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| profiles::ActiveModel {
            user_id: Set(*id),
            display_name: Set(format!("Bench User {i}")),
            bio: Set(String::new()),
            avatar_media_id: Set(None),
            cover_media_id: Set(None),
            updated_at_ms: Set(now),
        })
        .collect();
    for chunk in profiles.chunks(BATCH) {
        profiles::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await
            .context("inserting profiles")?;
    }
    txn.commit().await?;
    if ids.len() != n {
        return Err(anyhow!("expected {n} users, found {}", ids.len()));
    }
    Ok(ids.into_iter().map(UserId).collect())
}

/// The instance of the user at `index` (in id order): round-robin. Groups
/// are runs of consecutive users, so with two or more instances the
/// members of a conversation are spread over them (next to each other in
/// a group means on different instances): one-to-one partners are always
/// on different instances.
pub fn instance_of(index: usize, instances: usize) -> usize {
    index % instances.max(1)
}

/// Consecutive groups of `size`; a leftover single user joins the last
/// group.
fn split(ids: &[UserId], size: usize) -> Vec<Vec<UserId>> {
    let mut groups: Vec<Vec<UserId>> = ids.chunks(size).map(<[UserId]>::to_vec).collect();
    if groups.len() > 1 && groups.last().is_some_and(|g| g.len() == 1) {
        let lone = groups.pop().unwrap_or_default();
        if let Some(last) = groups.last_mut() {
            last.extend(lone);
        }
    }
    groups
}

/// Friend pairs `(lower, higher)`: everyone in a group, plus `extra`
/// random others per user (deterministic).
fn friend_pairs(ids: &[UserId], groups: &[Vec<UserId>], extra: usize) -> BTreeSet<(i64, i64)> {
    let mut pairs = BTreeSet::new();
    for group in groups {
        for (i, a) in group.iter().enumerate() {
            for b in &group[i + 1..] {
                pairs.insert((a.0.min(b.0), a.0.max(b.0)));
            }
        }
    }
    let mut rng = XorShift(0x4845_4152_5448_0001);
    if ids.len() > 1 {
        for a in ids {
            for _ in 0..extra {
                let b = ids[rng.below(ids.len())];
                if b != *a {
                    pairs.insert((a.0.min(b.0), a.0.max(b.0)));
                }
            }
        }
    }
    pairs
}

async fn insert_friendships(
    db: &DatabaseConnection,
    pairs: &BTreeSet<(i64, i64)>,
) -> anyhow::Result<()> {
    let now = app::time_fmt::now_ms();
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
    let txn = db.begin().await?;
    for chunk in rows.chunks(BATCH) {
        friendships::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await
            .context("inserting friendships")?;
    }
    txn.commit().await?;
    Ok(())
}

/// Stores a signed-in session for `user` the way a log-in does (the user
/// id under [`app::auth::USER_ID_KEY`], 30 days' expiry) and returns the
/// `Cookie` header value tower-sessions expects: the session id's
/// `Display` form.
async fn session_for(store: &DbSessionStore, user: UserId) -> anyhow::Result<String> {
    let mut record = Record {
        id: Id::default(),
        data: HashMap::from([(app::auth::USER_ID_KEY.to_owned(), serde_json::json!(user.0))]),
        expiry_date: OffsetDateTime::now_utc() + CookieDuration::days(server::SESSION_IDLE_DAYS),
    };
    store
        .create(&mut record)
        .await
        .with_context(|| format!("creating the session of user {user}"))?;
    Ok(format!("{}={}", server::SESSION_COOKIE, record.id))
}

/// A small deterministic generator (xorshift64), for picking friends.
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        usize::try_from(self.0 % (n as u64)).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: i64) -> Vec<UserId> {
        (1..=n).map(UserId).collect()
    }

    #[test]
    fn groups_absorb_a_lone_leftover() {
        let g = split(&ids(5), 2);
        assert_eq!(g.iter().map(Vec::len).collect::<Vec<_>>(), vec![2, 3]);
        let g = split(&ids(6), 4);
        assert_eq!(g.iter().map(Vec::len).collect::<Vec<_>>(), vec![4, 2]);
    }

    #[test]
    fn conversations_span_instances() {
        for (users, size, instances) in [(10, 2, 2), (11, 2, 2), (12, 3, 2), (20, 10, 3), (9, 2, 3)]
        {
            let all = ids(users);
            let index: HashMap<UserId, usize> =
                all.iter().enumerate().map(|(i, u)| (*u, i)).collect();
            for group in split(&all, size) {
                let on: BTreeSet<usize> = group
                    .iter()
                    .map(|u| instance_of(index[u], instances))
                    .collect();
                assert_eq!(on.len(), group.len().min(instances), "{group:?}");
            }
        }
        assert_eq!(instance_of(7, 1), 0);
        assert_eq!(instance_of(7, 0), 0);
    }

    #[test]
    fn groups_are_cliques() {
        let all = ids(6);
        let groups = split(&all, 3);
        assert_eq!(friend_pairs(&all, &groups, 0).len(), 6);
        assert!(friend_pairs(&all, &groups, 2).len() > 6);
    }
}
