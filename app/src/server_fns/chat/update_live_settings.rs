use crate::error::AppError;
use crate::models::LiveSettings;
use leptos::prelude::*;

/// Saves your read-receipt and presence settings.
///
/// # Errors
/// `Unauthorized`.
/// `TooFast` over the per-user rate limit (`services::limits`).
#[server(endpoint = "update_live_settings")]
pub async fn update_live_settings(
    send_read_receipts: bool,
    show_presence: bool,
) -> Result<LiveSettings, AppError> {
    use crate::{auth, state::app_state};
    let me = auth::require_user_for(crate::services::limits::Action::Profile).await?;
    let state = app_state()?;
    state
        .presence
        .update_settings(
            &state.db,
            &state.hub,
            me,
            LiveSettings {
                send_read_receipts,
                show_presence,
            },
        )
        .await
}
