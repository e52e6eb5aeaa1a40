//! `users`: accounts and their log-in throttling state.

use sea_orm::entity::prelude::*;

/// A user account.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    /// Row id.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Username as typed at sign-up.
    pub username: String,
    /// Lower-cased username; unique, so usernames are unique case-insensitively.
    #[sea_orm(unique)]
    pub username_key: String,
    /// Normalised (trimmed, lower-case) email; unique.
    #[sea_orm(unique)]
    pub email: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Failed log-ins since the last success or lock.
    pub failed_logins: i32,
    /// Log-ins refused until this time (ms since epoch), if locked.
    pub locked_until_ms: Option<i64>,
    /// Sign-up time, ms since epoch.
    pub created_at_ms: i64,
    /// Whether others see when this user has read their messages (off
    /// also hides others' receipts from this user, as Matrix's private
    /// read receipts do).
    pub send_read_receipts: bool,
    /// Whether friends see this user's online status and last-seen time.
    pub show_presence: bool,
    /// When the user's last open tab closed (after the grace period), ms
    /// since epoch; `None` before the first visit.
    pub last_seen_at_ms: Option<i64>,
    /// When the email address was confirmed (ms); `None` until then.
    pub email_confirmed_at_ms: Option<i64>,
    /// The TOTP shared secret (base32, RFC 4648), set from enrolment start;
    /// two-factor is on only once `totp_enabled_at_ms` is set.
    pub totp_secret: Option<String>,
    /// When two-factor log-in was turned on (ms).
    pub totp_enabled_at_ms: Option<i64>,
    /// The last TOTP time step accepted, so no code works twice.
    pub totp_last_step: Option<i64>,
}

/// Relations of `users`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The account's profile.
    #[sea_orm(has_one = "super::profiles::Entity")]
    Profile,
    /// The account's posts.
    #[sea_orm(has_many = "super::posts::Entity")]
    Posts,
}

impl Related<super::profiles::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Profile.def()
    }
}

impl Related<super::posts::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Posts.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
