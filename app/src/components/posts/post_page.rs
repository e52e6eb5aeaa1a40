use crate::components::common::{Loading, page_error};
use crate::components::posts::PostCard;
use crate::error::AppError;
use crate::ids::PostId;
use crate::server_fns::posts::get_post;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

/// `/p/{id}`: one post, in full.
#[component]
pub fn PostPage() -> impl IntoView {
    let params = use_params_map();
    let post = Resource::new(
        move || {
            params
                .read()
                .get("id")
                .and_then(|id| id.parse::<PostId>().ok())
        },
        |id| async move {
            match id {
                Some(id) => get_post(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let navigate = use_navigate();
    let on_deleted = Callback::new(move |()| navigate("/", Default::default()));
    view! {
        <Suspense fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                match post.await {
                    Ok(post) => {
                        let title: String = post.body.chars().take(40).collect();
                        view! {
                            <Title text=format!("{}: {title}", post.author.display_name) />
                            <PostCard post expanded=true on_deleted />
                        }
                            .into_any()
                    }
                    Err(e) => page_error(e),
                }
            })}
        </Suspense>
    }
}
