//! The images screen: the folder's images with live status (a resource reloaded every two
//! seconds while the screen is shown), their details, and Delete behind a modal dialog.

use kiln_console::operations::Tracked;
use kiln_console::resources::image_details;
use kiln_console::text::Lang;
use kiln_core::proto::yandex::cloud::compute::v1::{Image, image};
use leptos::prelude::*;

use crate::load::Latest;
use crate::state::ctx;

/// How often the list reloads while shown (ms).
const REFRESH_MS: u64 = 2000;

/// The images screen.
#[component]
pub fn ImagesPage() -> impl IntoView {
    let ctx = ctx();
    let lang = ctx.lang();
    let w = lang.words();
    let confirm = RwSignal::new(None::<(String, String)>);
    let note = RwSignal::new(None::<(bool, String)>);
    // Bumped to reload: by Refresh, by the timer, after a Delete.
    let reload = RwSignal::new(0u32);
    let latest = Latest::new();
    // Reference-counted, not arena-owned: a pending view may still await it after the screen
    // is left mid-load, and must find it rather than panic.
    let images = ArcLocalResource::new(move || {
        reload.track();
        let ready = ctx.ready.get();
        let settings = ctx.settings.get();
        async move {
            if !ready {
                return Ok(None);
            }
            latest
                .run(settings.api().list_images(&settings.folder_id))
                .await
                .map(Some)
        }
    });
    if let Ok(timer) = set_interval_with_handle(
        move || reload.update(|n| *n = n.wrapping_add(1)),
        std::time::Duration::from_millis(REFRESH_MS),
    ) {
        on_cleanup(move || timer.clear());
    }
    let delete = Action::new_local(move |(id, name): &(String, String)| {
        let (id, name) = (id.clone(), name.clone());
        async move {
            match ctx.api().delete_image(&id).await {
                Ok(op) => {
                    let op_id = op.id.clone();
                    ctx.panel
                        .update(|p| p.upsert(Tracked::deleting(&op, &name)));
                    crate::poller::poll(ctx, op_id.clone());
                    let _ = note.try_set(Some((true, lang.delete_started(&name, &op_id))));
                    if ctx.selected_image.get_untracked().as_deref() == Some(id.as_str()) {
                        ctx.selected_image.set(None);
                    }
                }
                Err(e) => {
                    let _ = note.try_set(Some((false, lang.delete_failed(&name, &e))));
                }
            }
            let _ = reload.try_update(|n| *n = n.wrapping_add(1));
        }
    });
    let list = move || {
        let images = images.clone();
        Suspend::new(async move {
            // The error in words of the screen's language (the boundary shows its text).
            let loaded = images
                .await
                .map_err(|e| lang.cannot_list_images(&lang.call_error(&e)))?;
            Ok::<_, String>(match loaded {
                None => view! { <p class="muted">{w.loading_images}</p> }.into_any(),
                Some(list) => view! { <ImageList list confirm lang /> }.into_any(),
            })
        })
    };
    let fallback = |errors: ArcRwSignal<Errors>| {
        view! {
            <p class="banner banner-error" role="alert">
                {move || errors.with(|e| e.iter().map(|(_, e)| e.to_string()).collect::<Vec<_>>().join(" "))}
            </p>
        }
    };
    view! {
        <section class="images" aria-labelledby="images-title">
            <div class="panel-head">
                <h1 id="images-title">{w.images_title}</h1>
                <button type="button" class="secondary" on:click=move |_| reload.update(|n| *n = n.wrapping_add(1))>{w.refresh}</button>
            </div>
            <ConfirmDelete confirm lang on_delete=move |(id, name): (String, String)| {
                note.set(Some((true, lang.deleting(&name))));
                delete.dispatch((id, name));
            } />
            {move || note.get().map(|(ok, text)| view! {
                <div class=if ok { "banner banner-info" } else { "banner banner-error" } role="status">{text}</div>
            })}
            <Transition fallback=move || view! { <p class="muted">{w.loading_images}</p> }>
                <ErrorBoundary fallback>{list}</ErrorBoundary>
            </Transition>
        </section>
    }
}

/// The delete confirmation: a modal `<dialog>` (focus inside, Escape closes it), and focus
/// back on the image's Delete button when it closes.
#[component]
fn ConfirmDelete(
    confirm: RwSignal<Option<(String, String)>>,
    lang: Lang,
    on_delete: impl Fn((String, String)) + Send + Sync + 'static,
) -> impl IntoView {
    let w = lang.words();
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    // The image whose Delete button opened the dialog (focus goes back there).
    let opener = StoredValue::new(None::<String>);
    Effect::new(move || {
        let wanted = confirm.with(|c| c.as_ref().map(|(id, _)| id.clone()));
        let Some(d) = dialog.get() else { return };
        match wanted {
            Some(id) if !d.open() => {
                opener.set_value(Some(id));
                let _ = d.show_modal();
            }
            None if d.open() => d.close(),
            _ => {}
        }
    });
    let closed = move |_| {
        confirm.set(None);
        if let Some(id) = opener.get_value() {
            crate::dom::focus(vec![format!("[data-image-id=\"{id}\"] button.danger")]);
        }
    };
    let on_delete = std::sync::Arc::new(on_delete);
    view! {
        <dialog node_ref=dialog class="confirm" aria-labelledby="confirm-text" on:close=closed>
            {move || confirm.get().map(|(id, name)| {
                let on_delete = on_delete.clone();
                view! {
                    <p id="confirm-text">{lang.delete_question(&name)}</p>
                    <div class="actions">
                        <button type="button" class="secondary" autofocus on:click=move |_| confirm.set(None)>{w.keep_it}</button>
                        <button type="button" class="danger" on:click=move |_| {
                            on_delete((id.clone(), name.clone()));
                            confirm.set(None);
                        }>{w.delete_image}</button>
                    </div>
                }
            })}
        </dialog>
    }
}

/// The table of images and the selected one's details.
#[component]
fn ImageList(
    list: Vec<Image>,
    confirm: RwSignal<Option<(String, String)>>,
    lang: Lang,
) -> impl IntoView {
    let ctx = ctx();
    let w = lang.words();
    if list.is_empty() {
        return view! { <p class="muted">{w.no_images}</p> }.into_any();
    }
    let selected = {
        let list = list.clone();
        move || {
            let id = ctx.selected_image.get()?;
            Some(match list.iter().find(|i| i.id == id) {
                Some(image) => details(image, lang).into_any(),
                None => view! { <p class="muted">{lang.image_gone(&id)}</p> }.into_any(),
            })
        }
    };
    let row = move |image: Image| {
        let id = image.id.clone();
        let shown_name = if image.name.is_empty() {
            id.clone()
        } else {
            image.name.clone()
        };
        let (select_id, delete_id, delete_name) = (id.clone(), id.clone(), shown_name.clone());
        let status = image.status().as_str_name().to_owned();
        // An image still being created cannot be deleted yet: no button to press.
        let deletable = !matches!(
            image.status(),
            image::Status::Creating | image::Status::Deleting
        );
        view! {
            <tr data-image-id=id.clone()>
                <td>
                    <button type="button" class="link" on:click=move |_| ctx.selected_image.set(Some(select_id.clone()))>
                        {shown_name.clone()}
                    </button>
                </td>
                <td><span class=format!("status status-{}", status.to_lowercase())>{lang.resource_status(&status)}</span></td>
                <td>{image.family.clone()}</td>
                <td>{lang.size(image.storage_size)}</td>
                <td><code>{id.clone()}</code></td>
                <td>
                    {deletable.then(|| view! {
                        <button type="button" class="danger" aria-label=lang.delete_button(&shown_name)
                            on:click=move |_| confirm.set(Some((delete_id.clone(), delete_name.clone())))>
                            {w.delete}
                        </button>
                    })}
                </td>
            </tr>
        }
    };
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-labelledby="images-title">
            <table>
                <thead><tr>
                    <th scope="col">{w.col_name}</th><th scope="col">{w.col_status}</th><th scope="col">{w.col_family}</th>
                    <th scope="col">{w.col_size}</th><th scope="col">{w.col_id}</th><th scope="col"><span class="sr-only">{w.col_actions}</span></th>
                </tr></thead>
                <tbody>{list.into_iter().map(row).collect_view()}</tbody>
            </table>
        </div>
        {selected}
    }
    .into_any()
}

fn details(image: &Image, lang: Lang) -> impl IntoView + use<> {
    let w = lang.words();
    let mut rows = image_details(image, lang);
    rows.push((
        w.d_created,
        image
            .created_at
            .map(|t| format_time(t.seconds, lang))
            .unwrap_or_default(),
    ));
    let title = lang.image_title(if image.name.is_empty() {
        &image.id
    } else {
        &image.name
    });
    view! {
        <section class="details" aria-labelledby="details-title">
            <h2 id="details-title">{title}</h2>
            <dl>
                {rows.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}
            </dl>
        </section>
    }
}

/// A time as the browser writes it for the language (its own time zone).
fn format_time(seconds: i64, lang: Lang) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(seconds as f64 * 1000.0));
    String::from(date.to_locale_string(lang.tag(), &wasm_bindgen::JsValue::UNDEFINED))
}
