//! The signed-in user. Forms that change who that is (log in, sign up, log
//! out, rename) own their server actions and call
//! [`AuthContext::refresh`] after a success, and [`AuthContext::user`]
//! refetches. (The actions can't live here: a server action reads the
//! error of a form posted without JavaScript from the URL when it is
//! created, which only works inside the router's `<Routes>`.)

use crate::error::AppError;
use crate::models::CurrentUser;
use crate::server_fns::auth::get_current_user;
use leptos::prelude::*;
use server_fn::ServerFn;

/// Provided by [`provide_auth_context`]; read with [`use_auth`].
#[derive(Clone, Copy)]
pub struct AuthContext {
    /// The signed-in user (`Ok(None)` when signed out).
    pub user: Resource<Result<Option<CurrentUser>, AppError>>,
    changes: RwSignal<u64>,
}

impl AuthContext {
    /// Refetches [`AuthContext::user`].
    pub fn refresh(&self) {
        self.changes.update(|n| *n += 1);
    }

    /// Refreshes the user whenever `action` succeeds.
    pub fn refresh_after<S>(&self, action: ServerAction<S>)
    where
        S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
        S::Output: Clone + Send + Sync + 'static,
    {
        let this = *self;
        Effect::new(move |_| {
            if matches!(action.value().get(), Some(Ok(_))) {
                this.refresh();
            }
        });
    }
}

/// Creates the user resource and provides it.
pub fn provide_auth_context() {
    let changes = RwSignal::new(0_u64);
    let user = Resource::new(move || changes.get(), |_| get_current_user());
    provide_context(AuthContext { user, changes });
}

/// The [`AuthContext`]; panics outside [`crate::App`].
pub fn use_auth() -> AuthContext {
    expect_context::<AuthContext>()
}
