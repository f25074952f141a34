//! The settings screen: endpoint, folder and token.

use leptos::prelude::*;

use crate::state::ctx;
use crate::storage::Settings;

/// The settings screen.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let ctx = ctx();
    let w = ctx.lang().words();
    crate::dom::set_title(&ctx.lang().page_title(w.settings_title));
    let current = ctx.settings.get_untracked();
    let endpoint = RwSignal::new(current.endpoint);
    let folder = RwSignal::new(current.folder_id);
    let token = RwSignal::new(current.token);
    let saved = RwSignal::new(false);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let settings = Settings {
            endpoint: endpoint.get_untracked().trim().to_owned(),
            folder_id: folder.get_untracked().trim().to_owned(),
            token: token.get_untracked().trim().to_owned(),
        };
        settings.save();
        ctx.settings.set(settings);
        saved.set(true);
    };
    let input = move |id: &'static str, kind: &'static str, value: RwSignal<String>| {
        view! {
            <input id=id type=kind autocomplete="off" aria-describedby=format!("{id}-hint")
                prop:value=move || value.get()
                on:input=move |ev| { value.set(event_target_value(&ev)); saved.set(false); } />
        }
    };
    view! {
        <section class="settings" aria-labelledby="settings-title">
            <h1 id="settings-title">{w.settings_title}</h1>
            <form on:submit=save>
                <div class="field">
                    <label for="endpoint">{w.endpoint}</label>
                    {input("endpoint", "url", endpoint)}
                    <p class="hint" id="endpoint-hint">{w.endpoint_hint}</p>
                </div>
                <div class="field">
                    <label for="folder">{w.folder_id}</label>
                    {input("folder", "text", folder)}
                    <p class="hint" id="folder-hint">{w.folder_hint}</p>
                </div>
                <div class="field">
                    <label for="token">{w.token}</label>
                    {input("token", "password", token)}
                    <p class="hint" id="token-hint">{w.token_hint}</p>
                </div>
                <div class="actions">
                    <button type="submit" class="primary">{w.save_settings}</button>
                    <span role="status">{move || saved.get().then_some(w.saved)}</span>
                </div>
            </form>
        </section>
    }
}
