use crate::components::common::{Avatar, ErrorNotice, FieldError, action_error};
use crate::components::posts::VisibilitySelect;
use crate::models::{CurrentUser, PostView};
use crate::server_fns::posts::CreatePost;
use leptos::prelude::*;

/// "What's on your mind?" box at the top of the feed, with the audience
/// ("Who can see this?", Friends unless changed). With JavaScript the
/// new post is handed to `on_created` and the box clears; without it the
/// form posts and the page reloads with the post on top.
#[component]
pub fn Composer(
    /// The author.
    me: CurrentUser,
    /// Receives each post created here.
    on_created: Callback<PostView>,
) -> impl IntoView {
    let create = ServerAction::<CreatePost>::new();
    let error = action_error(create);
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if let Some(Ok(post)) = create.value().get() {
            on_created.run(post);
            if let Some(form) = form.get_untracked() {
                form.reset();
            }
        }
    });
    let first_name = me
        .display_name
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned();
    view! {
        <section class="card composer" aria-label="Create a post">
            <ActionForm action=create node_ref=form>
                <div class="composer-row">
                    <Avatar photo=me.avatar.clone() size=40 />
                    <div class="composer-input">
                        <label for="composer-body" class="visually-hidden">
                            "What's on your mind?"
                        </label>
                        <textarea
                            id="composer-body"
                            name="body"
                            rows="3"
                            maxlength="5000"
                            required
                            placeholder=format!("What's on your mind, {first_name}?")
                            aria-describedby="composer-body-error"
                        ></textarea>
                        <FieldError error field="body" form="composer-" />
                        <ErrorNotice error />
                    </div>
                </div>
                <div class="composer-actions">
                    <VisibilitySelect id="composer-visibility" />
                    <button type="submit" class="button primary" disabled=move || create.pending().get()>
                        "Post"
                    </button>
                </div>
                <FieldError error field="visibility" form="composer-" />
            </ActionForm>
        </section>
    }
}
