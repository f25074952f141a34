//! The images screen: the folder's images with live status, their details, and Delete with a
//! confirmation.

use kiln_console::GB;
use kiln_console::operations::Tracked;
use kiln_core::proto::yandex::cloud::compute::v1::{Image, hardware_generation::Features};
use leptos::prelude::*;

use crate::app::{Page, ctx};

/// The images screen.
#[component]
pub fn ImagesPage() -> impl IntoView {
    let ctx = ctx();
    let images = RwSignal::new(None::<Result<Vec<Image>, String>>);
    let confirm = RwSignal::new(None::<(String, String)>);
    let note = RwSignal::new(None::<(bool, String)>);
    let alive = RwSignal::new(true);
    on_cleanup(move || alive.set(false));
    let refresh = move || {
        leptos::task::spawn_local(async move {
            let settings = ctx.settings.get_untracked();
            let loaded = settings.api().list_images(&settings.folder_id).await;
            if alive.try_get_untracked() == Some(true) {
                images.set(Some(loaded.map_err(|e| e.to_string())));
            }
        });
    };
    // Live status: reload when the settings are ready or change, then every two seconds while
    // this screen is shown.
    Effect::new(move || {
        if ctx.ready.get() {
            ctx.settings.track();
            refresh();
        }
    });
    leptos::task::spawn_local(async move {
        loop {
            gloo_timers::future::TimeoutFuture::new(2000).await;
            if alive.try_get_untracked() != Some(true) {
                break;
            }
            if ctx.page.get_untracked() == Page::Images && ctx.ready.get_untracked() {
                refresh();
            }
        }
    });
    let delete = move |id: String, name: String| {
        confirm.set(None);
        note.set(Some((true, format!("Deleting {name}…"))));
        leptos::task::spawn_local(async move {
            let api = ctx.settings.with_untracked(crate::storage::Settings::api);
            match api.delete_image(&id).await {
                Ok(op) => {
                    let op_id = op.id.clone();
                    ctx.panel
                        .update(|p| p.upsert(Tracked::new(&op, &format!("Delete {name}"))));
                    crate::operations::poll(ctx, op_id.clone());
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
            refresh();
        });
    };
    let row = move |image: Image| {
        let (id, name) = (image.id.clone(), image.name.clone());
        let shown_name = if name.is_empty() {
            id.clone()
        } else {
            name.clone()
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
        <section class="images" aria-labelledby="images-title">
            <div class="panel-head">
                <h1 id="images-title">"Images"</h1>
                <button type="button" class="secondary" on:click=move |_| refresh()>"Refresh"</button>
            </div>
            {move || confirm.get().map(|(id, name)| view! {
                <div class="confirm" role="alertdialog" aria-labelledby="confirm-text">
                    <p id="confirm-text">{format!("Delete image {name}? This cannot be undone.")}</p>
                    <button type="button" class="danger" on:click=move |_| delete(id.clone(), name.clone())>"Delete image"</button>
                    <button type="button" class="secondary" on:click=move |_| confirm.set(None)>"Keep it"</button>
                </div>
            })}
            {move || note.get().map(|(ok, text)| view! {
                <div class=if ok { "banner banner-info" } else { "banner banner-error" } role="status">{text}</div>
            })}
            {move || match images.get() {
                None => view! { <p class="muted">"Loading images…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="banner banner-error" role="alert">{format!("Cannot list images: {e}")}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="muted">"No images in this folder yet."</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <div class="table-wrap">
                        <table>
                            <thead><tr>
                                <th scope="col">"Name"</th><th scope="col">"Status"</th><th scope="col">"Family"</th>
                                <th scope="col">"Size"</th><th scope="col">"ID"</th><th scope="col"><span class="sr-only">"Actions"</span></th>
                            </tr></thead>
                            <tbody>{list.into_iter().map(row).collect_view()}</tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
            {move || {
                let id = ctx.selected_image.get()?;
                let image = images.with(|l| l.as_ref()?.as_ref().ok()?.iter().find(|i| i.id == id).cloned());
                Some(match image {
                    Some(image) => details(image).into_any(),
                    None => view! { <p class="muted">{format!("Image {id} is not in this folder (any more).")}</p> }.into_any(),
                })
            }}
        </section>
    }
}

fn details(image: Image) -> impl IntoView {
    let generation = match image
        .hardware_generation
        .as_ref()
        .and_then(|g| g.features.as_ref())
    {
        Some(Features::LegacyFeatures(l)) if l.pci_topology == 2 => "Gen 1.2",
        Some(Features::LegacyFeatures(_)) => "Gen 1.1",
        Some(Features::Generation2Features(_)) => "Gen 2",
        None => "not set",
    };
    let labels: Vec<String> = {
        let mut l: Vec<_> = image
            .labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        l.sort();
        l
    };
    let os = image
        .os
        .as_ref()
        .map(|o| o.r#type().as_str_name().to_owned())
        .unwrap_or_default();
    let rows = [
        ("ID", image.id.clone()),
        ("Name", image.name.clone()),
        ("Description", image.description.clone()),
        ("Status", image.status().as_str_name().to_owned()),
        ("Family", image.family.clone()),
        ("Labels", labels.join(", ")),
        ("Storage size", format!("{} bytes", image.storage_size)),
        (
            "Minimum disk size",
            format!(
                "{} bytes ({} GB)",
                image.min_disk_size,
                image.min_disk_size / GB
            ),
        ),
        ("Product IDs", image.product_ids.join(", ")),
        ("OS type", os),
        ("Pooled", image.pooled.to_string()),
        ("Hardware generation", generation.to_owned()),
        (
            "Created",
            image
                .created_at
                .map(|t| format_time(t.seconds))
                .unwrap_or_default(),
        ),
    ];
    view! {
        <section class="details" aria-labelledby="details-title">
            <h2 id="details-title">{format!("Image {}", if image.name.is_empty() { &image.id } else { &image.name })}</h2>
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
