//! Who is signed in: the server-side session (tower-sessions, stored in the
//! `sessions` table) holds the user id under [`USER_ID_KEY`]. Server-only.

use crate::error::{AppError, AppResult};
use crate::ids::UserId;
use tower_sessions::Session;

/// Session key of the signed-in user's id.
pub const USER_ID_KEY: &str = "user_id";
/// Session key of when this session signed in (ms).
pub const SIGNED_IN_AT_KEY: &str = "signed_in_at_ms";
/// Session key of when this session's sliding expiry was last written
/// back (ms).
pub const REFRESHED_AT_KEY: &str = "refreshed_at_ms";
/// How often a signed-in session is written back to push its sliding
/// expiry (30 days idle, set by the server's session layer) and its "last
/// active" time forward: at most once an hour (3,600,000 ms), so a page
/// view is a read of the `sessions` row, not a write.
pub const SESSION_REFRESH_MS: i64 = 3_600_000;

/// Session key of the browser's `User-Agent` at sign-in (at most 512 bytes).
pub const USER_AGENT_KEY: &str = "user_agent";
/// Session key of the client IP at sign-in.
pub const IP_KEY: &str = "ip";

/// The current request's session.
///
/// # Errors
/// `Internal` if the session layer is missing (logged).
pub async fn session() -> AppResult<Session> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = %e, "no session on the request");
        AppError::Internal
    })
}

/// The signed-in user's id from a session, if any.
///
/// # Errors
/// `Internal` if the session store fails.
pub async fn user_id_of(session: &Session) -> AppResult<Option<UserId>> {
    Ok(session.get::<i64>(USER_ID_KEY).await?.map(UserId))
}

/// The signed-in user's id, if any.
///
/// # Errors
/// `Internal` if the session can't be read.
pub async fn current_user_id() -> AppResult<Option<UserId>> {
    user_id_of(&session().await?).await
}

/// The signed-in user's id.
///
/// # Errors
/// `Unauthorized` when signed out.
pub async fn require_user() -> AppResult<UserId> {
    current_user_id().await?.ok_or(AppError::Unauthorized)
}

/// Signs `user` in: a fresh session id (against fixation), then the user id.
///
/// # Errors
/// `Internal` if the session store fails.
pub async fn start_session(user: UserId) -> AppResult<()> {
    let session = session().await?;
    session.cycle_id().await?;
    // Anything a half-finished log-in left (two-factor step) goes.
    session.clear().await;
    session.insert(USER_ID_KEY, user.0).await?;
    session
        .insert(SIGNED_IN_AT_KEY, crate::time_fmt::now_ms())
        .await?;
    let agent = leptos_axum::extract::<axum::http::HeaderMap>()
        .await
        .ok()
        .and_then(|h| {
            h.get(axum::http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.chars().take(512).collect::<String>())
        })
        .unwrap_or_default();
    session.insert(USER_AGENT_KEY, agent).await?;
    if let Some(ip) = client_ip().await {
        session.insert(IP_KEY, ip.to_string()).await?;
    }
    Ok(())
}

/// Marks a signed-in `session` as modified when it was last written back
/// [`SESSION_REFRESH_MS`] or more before `now_ms`, so tower-sessions saves
/// it at the end of the request with a fresh expiry. Sessions without a
/// cookie or without a signed-in user are left alone (nothing is read).
/// Returns whether it will be saved.
///
/// # Errors
/// The session store's, if loading the session fails.
pub async fn refresh_if_due(
    session: &Session,
    now_ms: i64,
) -> Result<bool, tower_sessions::session::Error> {
    if session.id().is_none() || session.get::<i64>(USER_ID_KEY).await?.is_none() {
        return Ok(false);
    }
    let last = match session.get::<i64>(REFRESHED_AT_KEY).await? {
        Some(at) => at,
        None => session.get::<i64>(SIGNED_IN_AT_KEY).await?.unwrap_or(0),
    };
    if now_ms.saturating_sub(last) < SESSION_REFRESH_MS {
        return Ok(false);
    }
    session.insert(REFRESHED_AT_KEY, now_ms).await?;
    Ok(true)
}

/// The current session's id, once it has one (after its first save).
///
/// # Errors
/// `Internal` if the session layer is missing.
pub async fn current_session_id() -> AppResult<Option<String>> {
    Ok(session().await?.id().map(|id| id.to_string()))
}

/// The signed-in user's id, counting one `action` against their rate
/// limit (see [`crate::services::limits`]). Every mutation starts here.
///
/// # Errors
/// `Unauthorized` when signed out; `TooFast` over the limit; `Internal`.
pub async fn require_user_for(action: crate::services::limits::Action) -> AppResult<UserId> {
    let user = require_user().await?;
    crate::state::app_state()?
        .limits
        .check(user, action)
        .await?;
    Ok(user)
}

/// [`require_user_for`], also refused when `HEARTH_REQUIRE_CONFIRMED_EMAIL`
/// is on and the email address isn't confirmed. For actions that reach
/// other people: posting, sharing, commenting, messaging, friend requests.
///
/// # Errors
/// `Unauthorized` when signed out; `EmailNotConfirmed`; `TooFast`;
/// `Internal`.
pub async fn require_confirmed_user(action: crate::services::limits::Action) -> AppResult<UserId> {
    let user = require_user().await?;
    let state = crate::state::app_state()?;
    crate::services::email::require_confirmed(&state.db, &state.accounts, user).await?;
    state.limits.check(user, action).await?;
    Ok(user)
}

/// Signs out: deletes the session record and expires the cookie.
///
/// # Errors
/// `Internal` if the session store fails.
pub async fn end_session() -> AppResult<()> {
    let session = session().await?;
    let id = session.id().map(|id| id.to_string());
    session.flush().await?;
    if let Some(id) = id {
        crate::state::app_state()?
            .revocations
            .revoke(crate::revocation::Revoked::Session(id));
    }
    Ok(())
}

/// The client's address, as the server decided it for this request (the
/// TCP peer, or what a trusted reverse proxy forwarded: see
/// `HEARTH_TRUSTED_PROXIES`). A request extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientIp(pub std::net::IpAddr);

/// The client's IP address: the [`ClientIp`] the server's proxy middleware
/// put on the request, else (without that middleware) the TCP peer.
pub async fn client_ip() -> Option<std::net::IpAddr> {
    if let Ok(axum::Extension(ClientIp(ip))) =
        leptos_axum::extract::<axum::Extension<ClientIp>>().await
    {
        return Some(ip);
    }
    leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .await
        .ok()
        .map(|ci| ci.0.ip())
}
