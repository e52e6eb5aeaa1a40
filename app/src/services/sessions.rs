//! A person's sessions (rows of `sessions` whose `user_id` is theirs):
//! list them, end one, end all but this one. Ending a session deletes its
//! row (the cookie then finds nothing) and, through
//! [`crate::revocation::Revocations`], closes its open sockets.
//!
//! The browser never sees a session id (it is the cookie's secret): each
//! session is named by its [`handle`], the hex SHA-256 of the id, which
//! the server matches against the caller's own sessions.

use crate::db::entities::sessions;
use crate::error::{AppError, AppResult};
use crate::ids::UserId;
use crate::models::SessionInfo;
use crate::revocation::{Revocations, Revoked};
use crate::time_fmt::now_ms;
use sea_orm::{
    ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _, QueryOrder as _,
};
use sha2::{Digest as _, Sha256};
use std::fmt::Write as _;

/// The opaque name of session `session_id` shown to the browser: the hex
/// SHA-256 of the id (64 characters). It can't be turned back into the id.
pub fn handle(session_id: &str) -> String {
    let digest = Sha256::digest(session_id.as_bytes());
    let mut out = String::with_capacity(64);
    for byte in digest {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// "Chrome 156 on Linux" from a `User-Agent` header; "Unknown browser"
/// (with " on {OS}" when the OS is known) when the browser isn't.
pub fn describe_user_agent(agent: &str) -> String {
    let parsed = woothee::parser::Parser::new().parse(agent);
    let known = |s: &str| !s.is_empty() && s != woothee::woothee::VALUE_UNKNOWN;
    let (browser, os) = match &parsed {
        Some(r) => {
            let browser = if known(r.name) {
                let major = r.version.split('.').next().unwrap_or_default();
                if known(major) {
                    format!("{} {major}", r.name)
                } else {
                    r.name.to_owned()
                }
            } else {
                "Unknown browser".to_owned()
            };
            (browser, known(r.os).then(|| r.os.to_owned()))
        }
        None => ("Unknown browser".to_owned(), None),
    };
    match os {
        Some(os) => format!("{browser} on {os}"),
        None => browser,
    }
}

/// `user`'s unexpired sessions, most recently active first;
/// `current_session_id` (this browser's) is marked `this_device`.
///
/// # Errors
/// `Internal` on database failure.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    user: UserId,
    current_session_id: Option<&str>,
) -> AppResult<Vec<SessionInfo>> {
    let rows = sessions::Entity::find()
        .filter(sessions::Column::UserId.eq(user.0))
        .filter(sessions::Column::ExpiryMs.gt(now_ms()))
        .order_by_desc(sessions::Column::LastActiveMs)
        .order_by_asc(sessions::Column::Id)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let data: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(&row.data).unwrap_or_default();
            let text = |key: &str| {
                data.get(key)
                    .and_then(serde_json::Value::as_str)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
            };
            SessionInfo {
                handle: handle(&row.id),
                device: describe_user_agent(&text(crate::auth::USER_AGENT_KEY).unwrap_or_default()),
                ip: text(crate::auth::IP_KEY),
                signed_in_at_ms: data
                    .get(crate::auth::SIGNED_IN_AT_KEY)
                    .and_then(serde_json::Value::as_i64),
                last_active_ms: row.last_active_ms,
                this_device: current_session_id == Some(row.id.as_str()),
            }
        })
        .collect())
}

/// The id of `user`'s session named `session_handle` (see [`handle`]).
///
/// # Errors
/// `NotFound` when no session of `user` has that handle; `Internal` on
/// database failure.
pub async fn find_own<C: ConnectionTrait>(
    db: &C,
    user: UserId,
    session_handle: &str,
) -> AppResult<String> {
    let ids: Vec<String> = sessions::Entity::find()
        .filter(sessions::Column::UserId.eq(user.0))
        .all(db)
        .await?
        .into_iter()
        .map(|row| row.id)
        .collect();
    ids.into_iter()
        .find(|id| handle(id) == session_handle)
        .ok_or(AppError::NotFound)
}

/// Ends `user`'s session named `session_handle`: deletes its row and
/// closes its sockets. Only the caller's own sessions can be ended. (For
/// the caller's current session, prefer [`crate::auth::end_session`],
/// which also expires the cookie.)
///
/// # Errors
/// `NotFound` when no session of `user` has that handle; `Internal` on
/// database failure.
pub async fn end_one<C: ConnectionTrait>(
    db: &C,
    revocations: &Revocations,
    user: UserId,
    session_handle: &str,
) -> AppResult<()> {
    let id = find_own(db, user, session_handle).await?;
    sessions::Entity::delete_many()
        .filter(sessions::Column::Id.eq(id.as_str()))
        .filter(sessions::Column::UserId.eq(user.0))
        .exec(db)
        .await?;
    revocations.revoke(Revoked::Session(id));
    Ok(())
}

/// Deletes every session of `user` except `except` (a session id) and
/// closes their sockets. Returns how many ended. Call it after the change
/// that requires it has committed.
///
/// # Errors
/// `Internal` on database failure.
pub async fn end_all<C: ConnectionTrait>(
    db: &C,
    revocations: &Revocations,
    user: UserId,
    except: Option<&str>,
) -> AppResult<u64> {
    let mut delete = sessions::Entity::delete_many().filter(sessions::Column::UserId.eq(user.0));
    if let Some(keep) = except {
        delete = delete.filter(sessions::Column::Id.ne(keep));
    }
    let n = delete.exec(db).await?.rows_affected;
    revocations.revoke(Revoked::User {
        user,
        except: except.map(str::to_owned),
    });
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agents_in_words() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
                      Chrome/156.0.0.0 Safari/537.36";
        assert_eq!(describe_user_agent(chrome), "Chrome 156 on Linux");
        let firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 \
                       Firefox/140.0";
        assert_eq!(describe_user_agent(firefox), "Firefox 140 on Windows 10");
        assert_eq!(describe_user_agent(""), "Unknown browser");
        assert_eq!(describe_user_agent("reqwest/0.12"), "Unknown browser");
    }

    #[test]
    fn handles_are_hex_digests() {
        let h = handle("abc");
        assert_eq!(h.len(), 64);
        assert_eq!(
            h,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_ne!(handle("abd"), h);
    }
}
