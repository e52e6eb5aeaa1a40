use crate::components::common::{ErrorNotice, FieldError, action_error};
use crate::contexts::auth_context::use_auth;
use crate::models::ProfileView;
use crate::server_fns::profiles::UpdateProfile;
use crate::validation::TextLimit;
use leptos::prelude::*;

/// The owner's "Edit profile" form: display name and bio.
#[component]
pub fn ProfileEditor(
    profile: ProfileView,
    /// The page's save action (the page refetches after it).
    action: ServerAction<UpdateProfile>,
) -> impl IntoView {
    use_auth().refresh_after(action);
    let editor = NodeRef::<leptos::html::Details>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get()
            && let Some(details) = editor.get_untracked()
        {
            details.set_open(false);
        }
    });
    let error = action_error(action);
    view! {
        <details class="profile-edit" node_ref=editor>
            <summary class="button">"Edit profile"</summary>
            <ActionForm action>
                <div class="field">
                    <label for="profile-display_name">"Name"</label>
                    <input
                        id="profile-display_name"
                        name="display_name"
                        type="text"
                        maxlength=TextLimit::Name.maxlength()
                        required
                        value=profile.display_name
                        aria-describedby="profile-display_name-error"
                    />
                    <FieldError error field="display_name" form="profile-" />
                </div>
                <div class="field">
                    <label for="profile-bio">"Bio"</label>
                    <textarea
                        id="profile-bio"
                        name="bio"
                        rows="3"
                        maxlength=TextLimit::Bio.maxlength()
                        aria-describedby="profile-bio-error"
                        inner_html=crate::text::textarea_html(&profile.bio)
                    ></textarea>
                    <FieldError error field="bio" form="profile-" />
                </div>
                <ErrorNotice error />
                <button
                    type="submit"
                    class="button primary"
                    disabled=move || action.pending().get()
                >
                    "Save profile"
                </button>
            </ActionForm>
        </details>
    }
}
