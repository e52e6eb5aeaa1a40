use crate::error::AppError;
use crate::models::LiveSettings;
use leptos::prelude::*;

/// Your read-receipt and presence settings.
///
/// # Errors
/// `Unauthorized`.
#[server(endpoint = "get_live_settings")]
pub async fn get_live_settings() -> Result<LiveSettings, AppError> {
    use crate::{auth, services::presence, state::app_state};
    let me = auth::require_user().await?;
    let state = app_state()?;
    presence::live_settings(&state.db, me).await
}
