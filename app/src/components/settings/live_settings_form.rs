use crate::components::common::ErrorNotice;
use crate::models::LiveSettings;
use crate::server_fns::chat::UpdateLiveSettings;
use leptos::prelude::*;

/// "Privacy": read receipts and online status, saved with one button.
#[component]
pub fn LiveSettingsForm(
    /// The saved settings.
    settings: LiveSettings,
) -> impl IntoView {
    let save = ServerAction::<UpdateLiveSettings>::new();
    // `checked` renders the saved state into the page's HTML (seen before
    // the wasm runs); `prop:checked` follows the signals afterwards.
    let receipts = RwSignal::new(settings.send_read_receipts);
    let presence = RwSignal::new(settings.show_presence);
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    view! {
        <section class="card people-section" aria-labelledby="privacy-heading">
            <h2 id="privacy-heading">"Privacy"</h2>
            <form
                class="stack"
                on:submit=move |ev| {
                    ev.prevent_default();
                    save.dispatch(UpdateLiveSettings {
                        send_read_receipts: receipts.get_untracked(),
                        show_presence: presence.get_untracked(),
                    });
                }
            >
                <label class="check">
                    <input
                        type="checkbox"
                        checked=settings.send_read_receipts
                        prop:checked=move || receipts.get()
                        on:change=move |ev| receipts.set(event_target_checked(&ev))
                    />
                    "Send read receipts"
                </label>
                <p class="hint">
                    "When off, people don't see when you've read their messages, and you don't see when they've read yours."
                </p>
                <label class="check">
                    <input
                        type="checkbox"
                        checked=settings.show_presence
                        prop:checked=move || presence.get()
                        on:change=move |ev| presence.set(event_target_checked(&ev))
                    />
                    "Show when I'm online"
                </label>
                <p class="hint">
                    "When off, friends don't see that you're online or when you were last seen."
                </p>
                <ErrorNotice error />
                <div class="row-buttons">
                    <button type="submit" class="button primary">
                        "Save privacy settings"
                    </button>
                    <Show when=saved>
                        <span class="status" role="status">
                            "Saved"
                        </span>
                    </Show>
                </div>
            </form>
        </section>
    }
}
