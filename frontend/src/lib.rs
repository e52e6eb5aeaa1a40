//! The browser entry point: hydrates the server-rendered page.

// A plain `cargo build` keeps Leptos' fully typed views (cargo-leptos
// erases them, see Cargo.toml), whose nested types outgrow the default
// limit of 128.
#![recursion_limit = "256"]

/// Called by the generated JS glue once the wasm module loads.
///
/// First loads the lazy chunks the server's HTML uses (`app::lazy`): Leptos
/// hydrates only views whose code is already here. Then hydrates `<body>`.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    wasm_bindgen_futures::spawn_local(async {
        app::lazy::load_rendered_chunks().await;
        leptos::mount::hydrate_body(app::App);
    });
}
