use crate::components::common::Avatar;
use crate::contexts::auth_context::use_auth;
use crate::server_fns::auth::LogOut;
use leptos::prelude::*;

/// Brand, the signed-in user's profile link and "Log out".
#[component]
pub fn TopBar() -> impl IntoView {
    let auth = use_auth();
    let log_out = ServerAction::<LogOut>::new();
    auth.refresh_after(log_out);
    // With JavaScript, land on the log-in page after logging out (without
    // it, the form's redirect reloads the current page signed out).
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = log_out.value().get() {
            navigate("/", Default::default());
        }
    });
    view! {
        <header class="top-bar">
            <nav class="top-bar-inner" aria-label="Main">
                <a class="brand" href="/">
                    "Hearth"
                </a>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match auth.user.await {
                            Ok(Some(me)) => {
                                view! {
                                    <div class="top-bar-user">
                                        <a
                                            class="profile-link"
                                            href=format!("/u/{}", me.username)
                                            aria-label=format!("Your profile ({})", me.display_name)
                                        >
                                            <Avatar src=me.avatar_url.clone() size=32 />
                                            <span class="profile-link-name">{me.display_name.clone()}</span>
                                        </a>
                                        <ActionForm action=log_out>
                                            <button type="submit" class="button ghost">
                                                "Log out"
                                            </button>
                                        </ActionForm>
                                    </div>
                                }
                                    .into_any()
                            }
                            _ => ().into_any(),
                        }
                    })}
                </Transition>
            </nav>
        </header>
    }
}
