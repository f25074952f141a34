//! The request preview: the form as proto3 JSON, a `yc` command and a Terraform resource
//! (written by `kiln_console`), with a Copy button.

use kiln_console::form::Form;
use kiln_console::preview;
use leptos::prelude::*;

/// The request preview: JSON, `yc`, Terraform, each with a copy button.
#[component]
pub(super) fn Preview(form: RwSignal<Form>, lang: kiln_console::text::Lang) -> impl IntoView {
    let w = lang.words();
    #[derive(Clone, Copy, PartialEq)]
    enum Tab {
        Json,
        Yc,
        Terraform,
    }
    let tab = RwSignal::new(Tab::Json);
    let copied = RwSignal::new(String::new());
    let text = Memo::new(move |_| {
        form.with(|f| match tab.get() {
            Tab::Json => f.to_json(),
            Tab::Yc => preview::yc_command(f),
            Tab::Terraform => preview::terraform(f),
        })
    });
    let button = move |t: Tab, label: &'static str| {
        view! {
            <button type="button" class="tab" aria-pressed=move || (tab.get() == t).to_string()
                on:click=move |_| { tab.set(t); copied.set(String::new()); }>{label}</button>
        }
    };
    let copy = move |_| {
        let value = text.get_untracked();
        if let Some(window) = web_sys::window() {
            let promise = window.navigator().clipboard().write_text(&value);
            leptos::task::spawn_local(async move {
                let ok = wasm_bindgen_futures_lite(promise).await;
                copied.set(if ok {
                    w.copied.into()
                } else {
                    w.copy_refused.into()
                });
            });
        }
    };
    view! {
        <section class="preview" aria-labelledby="preview-title">
            <h2 id="preview-title">{w.preview_title}</h2>
            <div class="tabs" role="group" aria-label=w.preview_format>
                {button(Tab::Json, "JSON")}
                {button(Tab::Yc, "yc")}
                {button(Tab::Terraform, "Terraform")}
                <button type="button" class="secondary" on:click=copy>{w.copy}</button>
                <span role="status" class="muted">{move || copied.get()}</span>
            </div>
            <pre class="code" tabindex="0" aria-label=w.preview_text><code>{move || text.get()}</code></pre>
        </section>
    }
}

/// Awaits a JS promise; whether it resolved.
async fn wasm_bindgen_futures_lite(promise: js_sys::Promise) -> bool {
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}
