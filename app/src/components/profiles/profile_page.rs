use crate::components::common::{ErrorAlert, Loading, page_error};
use crate::components::posts::{ListSource, PostList};
use crate::components::profiles::ProfileEditor;
use crate::components::profiles::profile_photo_editor::{
    PhotoEdit, PhotoStatus, PhotoTools, ProfilePicture,
};
use crate::components::social::{ProfileFriends, RelationshipActions, use_social_actions};
use crate::ids::UserId;
use crate::models::{MediaPurpose, PostView};
use crate::server_fns::posts::list_user_posts;
use crate::server_fns::profiles::{UpdateProfile, get_profile};
use crate::time_fmt::exact_time;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// `/u/{username}`: cover, avatar, name, bio, the owner's editors (photos,
/// name and bio) or the relationship buttons, the person's friends, and
/// their posts. After any of the buttons the whole page refetches.
#[component]
pub fn ProfilePage() -> impl IntoView {
    let params = use_params_map();
    let saved = ServerAction::<UpdateProfile>::new();
    let social = use_social_actions();
    let photo_changes = RwSignal::new(0_u64);
    let on_photo_changed = Callback::new(move |()| photo_changes.update(|n| *n += 1));
    let profile = Resource::new(
        move || {
            (
                params.read().get("username").unwrap_or_default(),
                saved.version().get(),
                social.version(),
                photo_changes.get(),
            )
        },
        |(username, ..)| get_profile(username),
    );
    view! {
        <Transition fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                match profile.await {
                    Ok(p) => {
                        let joined = exact_time(p.joined_at_ms);
                        let joined_date = joined.split(' ').next().unwrap_or_default().to_owned();
                        let edit = |purpose, has_photo| {
                            p.is_owner.then(|| PhotoEdit::new(purpose, has_photo, on_photo_changed))
                        };
                        let cover_edit = edit(MediaPurpose::Cover, p.cover.is_some());
                        let avatar_edit = edit(MediaPurpose::Avatar, p.avatar.is_some());
                        view! {
                            <Title text=p.display_name.clone() />
                            <section class="card profile-header" aria-labelledby="profile-name">
                                <div class="profile-cover">
                                    <ProfilePicture
                                        purpose=MediaPurpose::Cover
                                        photo=p.cover.clone()
                                        edit=cover_edit
                                    />
                                    {cover_edit.map(|edit| view! { <PhotoTools edit /> })}
                                </div>
                                <div class="profile-identity">
                                    <ProfilePicture
                                        purpose=MediaPurpose::Avatar
                                        photo=p.avatar.clone()
                                        edit=avatar_edit
                                    />
                                    <div>
                                        <h1 id="profile-name">{p.display_name.clone()}</h1>
                                        <p class="username">{format!("@{}", p.username)}</p>
                                    </div>
                                </div>
                                {avatar_edit.map(|edit| view! { <PhotoTools edit /> })}
                                {cover_edit.map(|edit| view! { <PhotoStatus edit /> })}
                                {avatar_edit.map(|edit| view! { <PhotoStatus edit /> })}
                                {(!p.bio.is_empty())
                                    .then(|| view! { <p class="bio">{p.bio.clone()}</p> })}
                                <p class="joined" title=joined>
                                    {format!("Joined {joined_date}")}
                                </p>
                                {p
                                    .is_owner
                                    .then(|| {
                                        view! { <ProfileEditor profile=p.clone() action=saved /> }
                                    })}
                                <RelationshipActions profile=p.clone() actions=social />
                            </section>
                            <ProfileFriends user_id=p.user_id />
                            <h2 class="section-title">"Posts"</h2>
                            <ProfilePosts user_id=p.user_id username=p.username.clone() />
                        }
                            .into_any()
                    }
                    Err(e) => page_error(e),
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
        <Suspense fallback=|| {
            view! { <p class="loading">"Loading posts…"</p> }
        }>
            {move || {
                let base_path = base_path.clone();
                Suspend::new(async move {
                    match posts.await {
                        Ok(first) => {
                            view! {
                                <PostList
                                    source=ListSource::Author(user_id)
                                    first
                                    top=RwSignal::new(Vec::<PostView>::new())
                                    base_path
                                    empty_text="No posts yet."
                                />
                            }
                                .into_any()
                        }
                        Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
