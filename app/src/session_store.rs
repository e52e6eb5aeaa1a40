//! A tower-sessions [`SessionStore`] on our SeaORM connection, so sessions
//! live in the same database (SQLite or PostgreSQL) as everything else.
//! (tower-sessions' own sqlx stores are built on sqlx 0.8; SeaORM 2 uses
//! sqlx 0.9, and both can't link SQLite at once.)
//!
//! Each save also copies the signed-in user's id out of the session data
//! into `sessions.user_id` and stamps `last_active_ms`, so a person's
//! sessions can be listed and ended (see [`crate::services::sessions`]).

use crate::db::entities::sessions;
use crate::time_fmt::now_ms;
use async_trait::async_trait;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use tower_sessions::SessionStore;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, ExpiredDeletion, Result};

/// Sessions in the `sessions` table. Cheap to clone.
#[derive(Debug, Clone)]
pub struct DbSessionStore {
    db: DatabaseConnection,
}

impl DbSessionStore {
    /// A store on `db` (migrations must have run).
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Deletes expired sessions every `period`, forever; spawn it.
    pub async fn sweep_forever(self, period: std::time::Duration) {
        let mut tick = tokio::time::interval(period);
        loop {
            tick.tick().await;
            if let Err(err) = self.delete_expired().await {
                tracing::warn!(error = %err, "sweeping expired sessions failed");
            }
        }
    }

    fn active(record: &Record) -> Result<sessions::ActiveModel> {
        Ok(sessions::ActiveModel {
            id: Set(record.id.to_string()),
            data: Set(
                serde_json::to_string(&record.data).map_err(|e| Error::Encode(e.to_string()))?
            ),
            expiry_ms: Set(expiry_ms(record)),
            user_id: Set(record
                .data
                .get(crate::auth::USER_ID_KEY)
                .and_then(serde_json::Value::as_i64)),
            last_active_ms: Set(now_ms()),
        })
    }
}

fn expiry_ms(record: &Record) -> i64 {
    i64::try_from(record.expiry_date.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

fn backend(err: sea_orm::DbErr) -> Error {
    Error::Backend(err.to_string())
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        // Ids are 128 random bits; on the (astronomically rare) collision,
        // draw again rather than overwrite someone's session.
        loop {
            let res = sessions::Entity::insert(Self::active(record)?)
                .on_conflict(
                    OnConflict::column(sessions::Column::Id)
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(&self.db)
                .await
                .map_err(backend)?;
            if res == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    /// Writes back an existing session. Never inserts: a session deleted
    /// while a request held it (logged out, ended from another device,
    /// password reset) stays deleted when that request finishes, whatever
    /// instance served it. New sessions go through [`Self::create`].
    async fn save(&self, record: &Record) -> Result<()> {
        let row = Self::active(record)?;
        let updated = sessions::Entity::update_many()
            .set(sessions::ActiveModel {
                id: sea_orm::ActiveValue::NotSet,
                ..row
            })
            .filter(sessions::Column::Id.eq(record.id.to_string()))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        if updated.rows_affected == 0 {
            tracing::debug!("session ended while a request held it; not saved back");
        }
        Ok(())
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let Some(row) = sessions::Entity::find_by_id(id.to_string())
            .filter(sessions::Column::ExpiryMs.gt(now_ms()))
            .one(&self.db)
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let data = serde_json::from_str(&row.data).map_err(|e| Error::Decode(e.to_string()))?;
        let expiry_date =
            time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(row.expiry_ms) * 1_000_000)
                .map_err(|e| Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        sessions::Entity::delete_by_id(id.to_string())
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> Result<()> {
        sessions::Entity::delete_many()
            .filter(sessions::Column::ExpiryMs.lte(now_ms()))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
