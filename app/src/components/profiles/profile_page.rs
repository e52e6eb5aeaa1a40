use crate::components::auth::SignInRequired;
use crate::components::common::{Avatar, NotFound};
use crate::components::posts::{ListSource, PostList};
use crate::components::profiles::ProfileEditor;
use crate::contexts::auth_context::use_auth;
use crate::error::AppError;
use crate::models::PostView;
use crate::server_fns::posts::list_user_posts;
use crate::server_fns::profiles::get_profile;
use crate::time_fmt::exact_time;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// `/u/{username}`: cover, avatar, name, bio, the owner's editor, and the
/// person's posts.
#[component]
pub fn ProfilePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let saved = use_auth().update_profile;
    let profile = Resource::new(
        move || (params.read().get("username").unwrap_or_default(), saved.version().get()),
        |(username, _)| get_profile(username),
    );
    let posts = Resource::new(
        move || (profile.get().and_then(Result::ok).map(|p| p.user_id), query.read().get("after")),
        |(user, after)| async move {
            match user {
                Some(user) => list_user_posts(user, after).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match profile.await {
                    Ok(p) => {
                        let joined = exact_time(p.joined_at_ms);
                        let joined_date = joined.split(' ').next().unwrap_or_default().to_owned();
                        view! {
                            <Title text=p.display_name.clone() />
                            <section class="card profile-header">
                                <img class="cover" src=p.cover_url.clone() alt="" />
                                <div class="profile-identity">
                                    <Avatar src=p.avatar_url.clone() size=96 />
                                    <div>
                                        <h1>{p.display_name.clone()}</h1>
                                        <p class="username">{format!("@{}", p.username)}</p>
                                    </div>
                                </div>
                                {(!p.bio.is_empty()).then(|| view! { <p class="bio">{p.bio.clone()}</p> })}
                                <p class="joined" title=joined>{format!("Joined {joined_date}")}</p>
                                {p.is_owner.then(|| view! { <ProfileEditor profile=p.clone() /> })}
                            </section>
                            <h2 class="section-title">"Posts"</h2>
                            <Suspense fallback=|| view! { <p class="loading">"Loading posts…"</p> }>
                                {move || {
                                    let base_path = format!("/u/{}", p.username);
                                    Suspend::new(async move {
                                        match posts.await {
                                            Ok(first) => view! {
                                                <PostList
                                                    source=ListSource::Author(p.user_id)
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
                        .into_any()
                    }
                    Err(AppError::Unauthorized) => view! { <SignInRequired /> }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFound /> }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
