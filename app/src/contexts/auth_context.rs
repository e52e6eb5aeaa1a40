//! The signed-in user and the actions that change who that is. Any form that
//! signs in, signs out or renames the user dispatches one of these actions,
//! and [`AuthContext::user`] refetches after it.

use crate::error::AppError;
use crate::models::CurrentUser;
use crate::server_fns::auth::{LogIn, LogOut, SignUp, get_current_user};
use crate::server_fns::profiles::UpdateProfile;
use leptos::prelude::*;

/// Provided by [`provide_auth_context`]; read with [`use_auth`].
#[derive(Clone, Copy)]
pub struct AuthContext {
    /// The signed-in user (`Ok(None)` when signed out).
    pub user: Resource<Result<Option<CurrentUser>, AppError>>,
    /// Log-in form action.
    pub log_in: ServerAction<LogIn>,
    /// Sign-up form action.
    pub sign_up: ServerAction<SignUp>,
    /// Log-out button action.
    pub log_out: ServerAction<LogOut>,
    /// Profile editor action (renames the user in the top bar).
    pub update_profile: ServerAction<UpdateProfile>,
}

/// Creates the actions and the user resource and provides them.
pub fn provide_auth_context() {
    let log_in = ServerAction::<LogIn>::new();
    let sign_up = ServerAction::<SignUp>::new();
    let log_out = ServerAction::<LogOut>::new();
    let update_profile = ServerAction::<UpdateProfile>::new();
    let user = Resource::new(
        move || {
            (
                log_in.version().get(),
                sign_up.version().get(),
                log_out.version().get(),
                update_profile.version().get(),
            )
        },
        |_| get_current_user(),
    );
    provide_context(AuthContext {
        user,
        log_in,
        sign_up,
        log_out,
        update_profile,
    });
}

/// The [`AuthContext`]; panics outside [`crate::App`].
pub fn use_auth() -> AuthContext {
    expect_context::<AuthContext>()
}
