//! [`RedisHub`]: the [`LiveHub`] of an instance among several.
//!
//! Every frame published here is delivered to this instance's own sockets
//! (through an [`InProcessHub`]) and published on Redis
//! ([`super::LIVE_CHANNEL`]); every instance delivers the frames the others
//! publish to its own sockets. Ephemeral frames (typing, presence, post
//! hints) are delivered as they come.
//!
//! Durable frames (chat, notifications: `live_events` rows) go through one
//! sequencer task per instance, which delivers them in id order:
//! - chat's writers of durable events commit in id order across instances
//!   ([`crate::db::begin_ordered_write`] takes a PostgreSQL advisory lock
//!   from before the first insert until the commit; SQLite has one writer),
//!   so once such an id `n` is seen committed, every smaller one that will
//!   ever exist is committed too. Notifications are written outside that
//!   lock; an id passed over and committed later (or rolled back) is
//!   remembered for [`GAP_TTL`] and delivered, late, if it turns up;
//! - the sequencer keeps a watermark (every durable id up to it was
//!   delivered or never existed). A frame `n` above the watermark `w + 1`
//!   first fills `(w, n)` from the database: events another instance
//!   committed earlier but whose Redis message is late, or lost while
//!   Redis was down. Frames at or below the watermark are duplicates and
//!   skipped;
//! - every [`CATCH_UP_EVERY`] (and at once when the Redis subscription
//!   comes back) it delivers whatever was committed past the watermark, so
//!   people on other instances get durable events even while Redis is
//!   down, a second late at most.
//!
//! The socket's own replay on connect works as before (see `live.rs`).

use crate::cluster::{LIVE_CHANNEL, RedisLink};
use crate::db::entities::live_events;
use crate::events::LiveEvent;
use crate::hub::{Audience, Connection, Frame, InProcessHub, LiveHub};
use crate::ids::{EventId, PostId, UserId};
use crate::services::live_log;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// How often each instance delivers durable events committed past its
/// watermark (the catch-up for messages Redis didn't bring).
pub const CATCH_UP_EVERY: Duration = Duration::from_secs(1);
/// Rows read per catch-up query.
pub const CATCH_UP_BATCH: u64 = 500;

/// A frame on [`LIVE_CHANNEL`].
#[derive(Debug, Serialize, Deserialize)]
struct WireFrame {
    /// The publishing instance (which delivered it itself already).
    from: u64,
    audience: Audience,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<EventId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    post: Option<PostId>,
    json: String,
}

enum Seq {
    Frame(Audience, Arc<Frame>),
    CatchUp,
}

/// The cross-instance hub (see the module docs).
pub struct RedisHub {
    local: Arc<InProcessHub>,
    link: Arc<RedisLink>,
    seq: mpsc::UnboundedSender<Seq>,
}

impl fmt::Debug for RedisHub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisHub")
            .field("instance", &self.link.instance())
            .field("connections", &self.local.connection_count())
            .finish()
    }
}

impl RedisHub {
    /// A hub on `link` whose connections queue at most `queue` frames;
    /// starts its sequencer at the newest durable id in `db`, and
    /// subscribes to [`LIVE_CHANNEL`] (call before [`RedisLink::start`]).
    ///
    /// # Errors
    /// When the newest event id can't be read.
    pub async fn start(
        db: DatabaseConnection,
        link: Arc<RedisLink>,
        queue: usize,
    ) -> crate::error::AppResult<Self> {
        let local = Arc::new(InProcessHub::new(queue));
        let watermark = live_log::latest_id(&db).await?;
        let (seq, rx) = mpsc::unbounded_channel();
        tokio::spawn(sequence(db, Arc::clone(&local), rx, watermark.0));
        let me = link.instance().0;
        {
            let (local, seq) = (Arc::clone(&local), seq.clone());
            link.on_message(
                LIVE_CHANNEL,
                Box::new(move |payload| {
                    let wire: WireFrame = match serde_json::from_str(payload) {
                        Ok(w) => w,
                        Err(e) => {
                            tracing::warn!(error = %e, "unreadable live frame from Redis");
                            return;
                        }
                    };
                    if wire.from == me {
                        return;
                    }
                    let frame = Arc::new(Frame {
                        id: wire.id,
                        json: wire.json.into(),
                        post: wire.post,
                    });
                    if frame.id.is_some() {
                        let _ = seq.send(Seq::Frame(wire.audience, frame));
                    } else {
                        local.deliver(&wire.audience, frame);
                    }
                }),
            );
        }
        {
            let seq = seq.clone();
            link.on_connect(Box::new(move || {
                let _ = seq.send(Seq::CatchUp);
            }));
        }
        Ok(Self { local, link, seq })
    }
}

impl LiveHub for RedisHub {
    fn deliver(&self, audience: &Audience, frame: Arc<Frame>) {
        let wire = WireFrame {
            from: self.link.instance().0,
            audience: audience.clone(),
            id: frame.id,
            post: frame.post,
            json: frame.json.to_string(),
        };
        match serde_json::to_string(&wire) {
            Ok(payload) => self.link.publish(LIVE_CHANNEL, payload),
            Err(e) => tracing::error!(error = %e, "serializing a live frame for Redis"),
        }
        if frame.id.is_some() {
            let _ = self.seq.send(Seq::Frame(audience.clone(), frame));
        } else {
            self.local.deliver(audience, frame);
        }
    }

    fn connect(&self, user: UserId) -> Connection {
        self.local.connect(user)
    }

    fn connection_count(&self) -> usize {
        self.local.connection_count()
    }

    fn connections_of(&self, user: UserId) -> usize {
        self.local.connections_of(user)
    }
}

/// Ids the sequencer passed over without finding them committed: rolled
/// back, or committed late (out of id order, e.g. notifications written
/// outside [`crate::db::begin_ordered_write`]). A late one is still
/// delivered when it turns up, out of order; ids are forgotten after
/// [`GAP_TTL`].
#[derive(Debug, Default)]
struct Gaps(BTreeMap<i64, Instant>);

/// How long a passed-over id is waited for.
pub const GAP_TTL: Duration = Duration::from_secs(30);
/// Most ids recorded in one gap (a bigger jump is taken for a sequence
/// jump, not missing events).
const MAX_GAP: i64 = 1_000;

impl Gaps {
    fn record(&mut self, from: i64, to: i64) {
        if to - from > MAX_GAP {
            return;
        }
        let now = Instant::now();
        for id in from..to {
            self.0.insert(id, now);
        }
    }

    fn take(&mut self, id: i64) -> bool {
        self.0.remove(&id).is_some()
    }

    fn expire(&mut self) {
        self.0.retain(|_, at| at.elapsed() < GAP_TTL);
    }
}

/// The sequencer: delivers durable frames in id order (module docs).
async fn sequence(
    db: DatabaseConnection,
    local: Arc<InProcessHub>,
    mut rx: mpsc::UnboundedReceiver<Seq>,
    mut watermark: i64,
) {
    let mut gaps = Gaps::default();
    let mut tick = tokio::time::interval(CATCH_UP_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            msg = rx.recv() => match msg {
                Some(Seq::Frame(audience, frame)) => {
                    let Some(EventId(id)) = frame.id else { continue };
                    if id <= watermark {
                        if gaps.take(id) {
                            local.deliver(&audience, frame);
                        }
                        continue;
                    }
                    if id > watermark + 1 {
                        fill(&db, &local, &mut watermark, &mut gaps, Some(id)).await;
                    }
                    gaps.record(watermark + 1, id);
                    local.deliver(&audience, frame);
                    watermark = id;
                }
                Some(Seq::CatchUp) => fill(&db, &local, &mut watermark, &mut gaps, None).await,
                None => return,
            },
            _ = tick.tick() => {
                late(&db, &local, &mut gaps).await;
                fill(&db, &local, &mut watermark, &mut gaps, None).await;
                gaps.expire();
            }
        }
    }
}

/// Delivers the durable events committed after `watermark` (and before
/// `before`, if given), in id order, advancing the watermark; ids it
/// passes over are recorded in `gaps`.
async fn fill(
    db: &DatabaseConnection,
    local: &InProcessHub,
    watermark: &mut i64,
    gaps: &mut Gaps,
    before: Option<i64>,
) {
    loop {
        let mut query = live_events::Entity::find()
            .filter(live_events::Column::Id.gt(*watermark))
            .order_by_asc(live_events::Column::Id)
            .limit(CATCH_UP_BATCH);
        if let Some(before) = before {
            query = query.filter(live_events::Column::Id.lt(before));
        }
        let rows = match query.all(db).await {
            Ok(rows) => rows,
            Err(e) => {
                tracing::error!(error = %e, "catching up on live events");
                return;
            }
        };
        let full = rows.len() as u64 == CATCH_UP_BATCH;
        for row in rows {
            gaps.record(*watermark + 1, row.id);
            deliver_row(db, local, &row).await;
            *watermark = row.id;
        }
        if !full {
            return;
        }
    }
}

/// Delivers the passed-over events that have been committed since.
async fn late(db: &DatabaseConnection, local: &InProcessHub, gaps: &mut Gaps) {
    if gaps.0.is_empty() {
        return;
    }
    let ids: Vec<i64> = gaps
        .0
        .keys()
        .copied()
        .take(CATCH_UP_BATCH as usize)
        .collect();
    let rows = match live_events::Entity::find()
        .filter(live_events::Column::Id.is_in(ids))
        .order_by_asc(live_events::Column::Id)
        .all(db)
        .await
    {
        Ok(rows) => rows,
        Err(e) => {
            tracing::error!(error = %e, "looking for late live events");
            return;
        }
    };
    for row in rows {
        if gaps.take(row.id) {
            deliver_row(db, local, &row).await;
        }
    }
}

/// Delivers one stored event to its audience now (its user, or the
/// conversation's current members, as replay does).
async fn deliver_row(db: &DatabaseConnection, local: &InProcessHub, row: &live_events::Model) {
    metrics::counter!("hearth_live_events_caught_up_total").increment(1);
    if let Err(e) = try_deliver_row(db, local, row).await {
        tracing::error!(error = %e, id = row.id, "delivering a caught-up live event");
    }
}

async fn try_deliver_row(
    db: &DatabaseConnection,
    local: &InProcessHub,
    row: &live_events::Model,
) -> crate::error::AppResult<()> {
    let event: LiveEvent = serde_json::from_str(&row.payload).map_err(anyhow::Error::from)?;
    let audience = match (row.user_id, row.conversation_id) {
        (Some(user), _) => Audience::Users(vec![UserId(user)]),
        (None, Some(c)) => {
            Audience::Users(live_log::member_ids(db, crate::ids::ConversationId(c)).await?)
        }
        (None, None) => return Ok(()),
    };
    let frame = crate::hub::frame(Some(EventId(row.id)), event).map_err(anyhow::Error::from)?;
    local.deliver(&audience, Arc::new(frame));
    Ok(())
}
