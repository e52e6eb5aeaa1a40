use crate::components::auth::SignInRequired;
use crate::components::common::{Avatar, Cover, NotFound};
use crate::components::posts::{ListSource, PostList};
use crate::components::profiles::ProfileEditor;
use crate::components::social::{ProfileFriends, RelationshipActions, use_social_actions};
use crate::error::AppError;
use crate::ids::UserId;
use crate::models::PostView;
use crate::server_fns::posts::list_user_posts;
use crate::server_fns::profiles::{UpdateProfile, get_profile};
use crate::time_fmt::exact_time;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// `/u/{username}`: cover, avatar, name, bio, the owner's editor or the
/// relationship buttons, the person's friends, and their posts. After any
/// of the buttons the whole page refetches.
#[component]
pub fn ProfilePage() -> impl IntoView {
    let params = use_params_map();
    let saved = ServerAction::<UpdateProfile>::new();
    let social = use_social_actions();
    let profile = Resource::new(
        move || {
            (
                params.read().get("username").unwrap_or_default(),
                saved.version().get(),
                social.version(),
            )
        },
        |(username, _, _)| get_profile(username),
    );
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match profile.await {
                    Ok(p) => {
                        let joined = exact_time(p.joined_at_ms);
                        let joined_date = joined.split(' ').next().unwrap_or_default().to_owned();
                        view! {
                            <Title text=p.display_name.clone() />
                            <section class="card profile-header">
                                <Cover photo=p.cover.clone() />
                                <div class="profile-identity">
                                    <Avatar photo=p.avatar.clone() size=96 />
                                    <div>
                                        <h1>{p.display_name.clone()}</h1>
                                        <p class="username">{format!("@{}", p.username)}</p>
                                    </div>
                                </div>
                                {(!p.bio.is_empty()).then(|| view! { <p class="bio">{p.bio.clone()}</p> })}
                                <p class="joined" title=joined>{format!("Joined {joined_date}")}</p>
                                {p.is_owner.then(|| view! { <ProfileEditor profile=p.clone() action=saved /> })}
                                <RelationshipActions profile=p.clone() actions=social />
                            </section>
                            <ProfileFriends user_id=p.user_id />
                            <h2 class="section-title">"Posts"</h2>
                            <ProfilePosts user_id=p.user_id username=p.username.clone() />
                        }
                        .into_any()
                    }
                    Err(AppError::Unauthorized) => view! { <SignInRequired /> }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFound /> }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// One person's posts, newest first, with "Load more".
#[component]
fn ProfilePosts(user_id: UserId, username: String) -> impl IntoView {
    let query = use_query_map();
    let posts = Resource::new(
        move || query.read().get("after"),
        move |after| list_user_posts(user_id, after),
    );
    let base_path = format!("/u/{username}");
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading posts…"</p> }>
            {move || {
                let base_path = base_path.clone();
                Suspend::new(async move {
                    match posts.await {
                        Ok(first) => view! {
                            <PostList
                                source=ListSource::Author(user_id)
                                first
                                top=RwSignal::new(Vec::<PostView>::new())
                                base_path
                                empty_text="No posts yet."
                            />
                        }
                        .into_any(),
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
