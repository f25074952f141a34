//! The images screen: the folder's images with live status (a resource reloaded every two
//! seconds while the screen is shown), their details, and Delete with a confirmation.

use kiln_console::operations::Tracked;
use kiln_console::resources::image_details;
use kiln_core::proto::yandex::cloud::compute::v1::Image;
use leptos::prelude::*;

use crate::load::Latest;
use crate::state::ctx;

/// How often the list reloads while shown (ms).
const REFRESH_MS: u64 = 2000;

/// The images screen.
#[component]
pub fn ImagesPage() -> impl IntoView {
    let ctx = ctx();
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
                        .update(|p| p.upsert(Tracked::new(&op, &format!("Delete {name}"))));
                    crate::poller::poll(ctx, op_id.clone());
                    note.set(Some((
                        true,
                        format!("Delete of {name} started: operation {op_id}."),
                    )));
                    if ctx.selected_image.get_untracked().as_deref() == Some(id.as_str()) {
                        ctx.selected_image.set(None);
                    }
                }
                Err(e) => note.set(Some((false, format!("Delete of {name} failed: {e}")))),
            }
            reload.update(|n| *n = n.wrapping_add(1));
        }
    });
    let list = move || {
        let images = images.clone();
        Suspend::new(async move {
            let loaded = images.await?;
            Ok::<_, kiln_console::call::CallError>(match loaded {
                None => view! { <p class="muted">"Loading images…"</p> }.into_any(),
                Some(list) => view! { <ImageList list confirm /> }.into_any(),
            })
        })
    };
    let fallback = |errors: ArcRwSignal<Errors>| {
        view! {
            <p class="banner banner-error" role="alert">
                {move || errors.with(|e| e.iter().map(|(_, e)| format!("Cannot list images: {e}")).collect::<Vec<_>>().join(" "))}
            </p>
        }
    };
    view! {
        <section class="images" aria-labelledby="images-title">
            <div class="panel-head">
                <h1 id="images-title">"Images"</h1>
                <button type="button" class="secondary" on:click=move |_| reload.update(|n| *n = n.wrapping_add(1))>"Refresh"</button>
            </div>
            {move || confirm.get().map(|(id, name)| view! {
                <div class="confirm" role="alertdialog" aria-labelledby="confirm-text">
                    <p id="confirm-text">{format!("Delete image {name}? This cannot be undone.")}</p>
                    <button type="button" class="danger" on:click=move |_| {
                        confirm.set(None);
                        note.set(Some((true, format!("Deleting {name}…"))));
                        delete.dispatch((id.clone(), name.clone()));
                    }>"Delete image"</button>
                    <button type="button" class="secondary" on:click=move |_| confirm.set(None)>"Keep it"</button>
                </div>
            })}
            {move || note.get().map(|(ok, text)| view! {
                <div class=if ok { "banner banner-info" } else { "banner banner-error" } role="status">{text}</div>
            })}
            <Transition fallback=|| view! { <p class="muted">"Loading images…"</p> }>
                <ErrorBoundary fallback>{list}</ErrorBoundary>
            </Transition>
        </section>
    }
}

/// The table of images and the selected one's details.
#[component]
fn ImageList(list: Vec<Image>, confirm: RwSignal<Option<(String, String)>>) -> impl IntoView {
    let ctx = ctx();
    if list.is_empty() {
        return view! { <p class="muted">"No images in this folder yet."</p> }.into_any();
    }
    let selected = {
        let list = list.clone();
        move || {
            let id = ctx.selected_image.get()?;
            Some(match list.iter().find(|i| i.id == id) {
                Some(image) => details(image).into_any(),
                None => view! { <p class="muted">{format!("Image {id} is not in this folder (any more).")}</p> }.into_any(),
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
        view! {
            <tr data-image-id=id.clone()>
                <td>
                    <button type="button" class="link" on:click=move |_| ctx.selected_image.set(Some(select_id.clone()))>
                        {shown_name.clone()}
                    </button>
                </td>
                <td><span class=format!("status status-{}", status.to_lowercase())>{status.clone()}</span></td>
                <td>{image.family.clone()}</td>
                <td>{kiln_console::gb_text(image.storage_size)}</td>
                <td><code>{id.clone()}</code></td>
                <td>
                    <button type="button" class="danger" aria-label=format!("Delete {}", shown_name)
                        on:click=move |_| confirm.set(Some((delete_id.clone(), delete_name.clone())))>
                        "Delete"
                    </button>
                </td>
            </tr>
        }
    };
    view! {
        <div class="table-wrap">
            <table>
                <thead><tr>
                    <th scope="col">"Name"</th><th scope="col">"Status"</th><th scope="col">"Family"</th>
                    <th scope="col">"Size"</th><th scope="col">"ID"</th><th scope="col"><span class="sr-only">"Actions"</span></th>
                </tr></thead>
                <tbody>{list.into_iter().map(row).collect_view()}</tbody>
            </table>
        </div>
        {selected}
    }
    .into_any()
}

fn details(image: &Image) -> impl IntoView + use<> {
    let mut rows = image_details(image);
    rows.push((
        "Created",
        image
            .created_at
            .map(|t| format_time(t.seconds))
            .unwrap_or_default(),
    ));
    let title = format!(
        "Image {}",
        if image.name.is_empty() {
            &image.id
        } else {
            &image.name
        }
    );
    view! {
        <section class="details" aria-labelledby="details-title">
            <h2 id="details-title">{title}</h2>
            <dl>
                {rows.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}
            </dl>
        </section>
    }
}

fn format_time(seconds: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(seconds as f64 * 1000.0));
    String::from(date.to_iso_string())
}
