//! The images screen: the folder's images a page at a time (newest first, next and previous),
//! a find by exact name or ID, and Delete behind a modal dialog. After a page is shown only
//! the rows that can still change (Creating, Deleting) are asked about again, and their
//! running operations join the panel; rows are keyed, so a refresh keeps focus and scroll.
//! What to ask and when is `kiln_console::listing`.

use kiln_console::listing::{self, Cursor, Refreshed};
use kiln_console::panel::{self as ops, Tracked};
use kiln_console::text::Lang;
use kiln_core::proto::yandex::cloud::compute::v1::Image;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::{Failed, Pager, Raw, Waiting};
use crate::load::{Asked, Latest, Status};
use crate::state::{Ctx, ctx, paths};

/// How often the rows that can change are asked about (ms).
const REFRESH_MS: u32 = 2000;

/// The images screen.
#[component]
pub fn ImagesPage() -> impl IntoView {
    let ctx = ctx();
    let lang = ctx.lang();
    let w = lang.words();
    crate::dom::set_title(&ctx.lang().page_title(w.tab_images));
    let rows = RwSignal::new(Vec::<Image>::new());
    let cursor = RwSignal::new(Cursor::default());
    let next = RwSignal::new(String::new());
    // The find typed, and the one shown (`None`: the folder's pages).
    let typed = RwSignal::new(String::new());
    let asked = RwSignal::new(None::<String>);
    let status = RwSignal::new(Status::Waiting(ctx.now.get_untracked()));
    let again = RwSignal::new(0u32);
    let confirm = RwSignal::new(None::<(String, String)>);
    let note = RwSignal::new(None::<(bool, String, Option<String>)>);
    let latest = Latest::new();

    // A load runs when the user asks for something (a page, a find, Retry, other settings),
    // or the connection comes back after it failed; never on a timer.
    let last = Asked::new();
    Effect::new(move || {
        let n = again.get();
        let (ready, settings) = (ctx.ready.get(), ctx.settings.get());
        let (cursor, asked) = (cursor.get(), asked.get());
        if !ready || !last.is_new((n, settings.clone(), cursor.clone(), asked.clone())) {
            return;
        }
        status.set(Status::Waiting(ctx.now.get_untracked()));
        let api = settings.api();
        let folder = settings.folder_id.clone();
        let call = async move {
            match asked.as_deref().and_then(listing::find) {
                Some(find) => api
                    .find_images(&folder, &find)
                    .await
                    .map(|i| (i, String::new())),
                None if asked.is_some() => Ok((Vec::new(), String::new())),
                None => api
                    .list_images(&folder, cursor.token(), "")
                    .await
                    .map(|p| (p.items, p.next)),
            }
        };
        crate::load::start(latest, status, call, move |(images, token)| {
            let _ = rows.try_set(images);
            let _ = next.try_set(token);
        });
    });
    crate::load::again_when_online(ctx.online, status, again);
    refresh_changing(ctx, rows);

    let delete = Action::new_local(move |(id, name): &(String, String)| {
        let (id, name) = (id.clone(), name.clone());
        async move {
            let api = ctx.api();
            match api.delete_image(&id).await {
                Ok(op) => {
                    let op_id = op.id.clone();
                    // With its image's ID, so the row shows its progress.
                    ctx.panel
                        .update(|p| p.upsert(Tracked::listed(&op, &id, &name)));
                    crate::poller::poll(ctx, op_id.clone());
                    let _ = note.try_set(Some((true, lang.delete_started(&name, &op_id), None)));
                    // The row now says Deleting, and is refreshed until it goes.
                    if let Ok(now) = api.get_image(&id).await {
                        let refreshed =
                            now.map_or(Refreshed::Gone(id), |i| Refreshed::Now(Box::new(i)));
                        let _ = rows.try_update(|r| listing::apply(r, refreshed));
                    }
                }
                Err(e) => {
                    let _ = note.try_set(Some((
                        false,
                        lang.delete_failed(&name, &e),
                        lang.call_error_parts(&e).1,
                    )));
                }
            }
        }
    });

    let find = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = typed.get_untracked().trim().to_owned();
        cursor.set(Cursor::default());
        asked.set((!text.is_empty()).then_some(text));
    };
    let show_all = move |_| {
        typed.set(String::new());
        cursor.set(Cursor::default());
        asked.set(None);
    };
    let count = move || {
        let n = rows.with(Vec::len);
        match asked.get() {
            Some(text) => lang.found(n, &text),
            None if n == 0 => w.no_images.to_owned(),
            None => {
                let first = cursor.with(Cursor::first_item);
                lang.images_shown(first, first + n - 1, next.with(|t| !t.is_empty()))
            }
        }
    };
    // The list and the pager stay mounted while a page loads (focus and scroll stay); what
    // the load is doing shows above them.
    let state = move || match status.get() {
        Status::Waiting(since) => view! { <Waiting since text=w.loading_images /> }.into_any(),
        Status::Failed(e) => {
            let (said, detail) = lang.call_error_parts(&e);
            let text = lang.cannot_list_images(&said);
            view! { <Failed text detail retry=move || again.update(|n| *n += 1) /> }.into_any()
        }
        Status::Done => view! { <p class="muted count" role="status">{count}</p> }.into_any(),
    };
    let busy = Signal::derive(move || status.with(|s| matches!(s, Status::Waiting(_))));
    let pager = move || {
        asked
            .with(Option::is_none)
            .then(|| view! { <Pager cursor next busy /> })
    };
    view! {
        <section class="images" aria-labelledby="images-title">
            <div class="panel-head">
                <h1 id="images-title">{w.images_title}</h1>
                <button type="button" class="secondary" on:click=move |_| again.update(|n| *n += 1)>{w.refresh}</button>
            </div>
            <form class="find" role="search" on:submit=find>
                <label for="image-find">{w.find_label}</label>
                <div class="row">
                    <input id="image-find" type="search" autocomplete="off" maxlength="63"
                        prop:value=move || typed.get()
                        on:input=move |ev| typed.set(event_target_value(&ev)) />
                    <button type="submit" class="secondary">{w.find}</button>
                    {move || asked.with(Option::is_some).then(|| view! {
                        <button type="button" class="link" on:click=show_all>{w.show_all}</button>
                    })}
                </div>
            </form>
            <ConfirmDelete confirm lang on_delete=move |(id, name): (String, String)| {
                note.set(Some((true, lang.deleting(&name), None)));
                delete.dispatch((id, name));
            } />
            {move || note.get().map(|(ok, text, detail)| view! {
                <div class=if ok { "banner banner-info" } else { "banner banner-error" } role="status">{text}<Raw detail /></div>
            })}
            {state}
            <ImageList rows confirm lang />
            {pager}
        </section>
    }
}

/// While the screen is shown: every [`REFRESH_MS`], the rows that can still change are asked
/// about (one Get each), and a running operation on one of them (anyone's) joins the panel,
/// which polls it. Each round waits for its answers, so a slow link never stacks calls.
fn refresh_changing(ctx: Ctx, rows: RwSignal<Vec<Image>>) {
    leptos::task::spawn_local(async move {
        let mut asked_ops = std::collections::BTreeSet::<String>::new();
        loop {
            gloo_timers::future::TimeoutFuture::new(REFRESH_MS).await;
            let Some(ids) = rows.try_with_untracked(|r| listing::to_refresh(r)) else {
                break; // the screen is gone
            };
            if !ctx.online.get_untracked() {
                continue;
            }
            let api = ctx.api();
            for id in ids {
                let refreshed = match api.get_image(&id).await {
                    Ok(Some(image)) => Refreshed::Now(Box::new(image)),
                    Ok(None) => Refreshed::Gone(id.clone()),
                    Err(_) => continue, // said by the panel's poll; asked again next round
                };
                let name = match &refreshed {
                    Refreshed::Now(image) => listing::shown_name(image).to_owned(),
                    Refreshed::Gone(id) => id.clone(),
                };
                // Notifies the rows only when something changed.
                if rows
                    .try_maybe_update(|r| (listing::apply(r, refreshed), ()))
                    .is_none()
                {
                    return;
                }
                let known = ctx.panel.with_untracked(|p| p.running_on(&id).is_some());
                if known || asked_ops.contains(&id) {
                    continue;
                }
                if let Ok(list) = api.image_operations(&id).await {
                    // Asked once per row; a failed call is asked again next round.
                    asked_ops.insert(id.clone());
                    if let Some(op) = ops::running_of(&list)
                        && ctx.panel.try_update(|p| p.adopt(op, &id, &name)) == Some(true)
                    {
                        crate::poller::poll(ctx, op.id.clone());
                    }
                }
            }
        }
    });
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

/// The table of images (cards on a narrow screen). Rows are keyed by ID and read their image
/// reactively, so a refresh changes text in place and never rebuilds a row.
#[component]
fn ImageList(
    rows: RwSignal<Vec<Image>>,
    confirm: RwSignal<Option<(String, String)>>,
    lang: Lang,
) -> impl IntoView {
    let ctx = ctx();
    let w = lang.words();
    let ids = Memo::new(move |_| rows.with(|r| r.iter().map(|i| i.id.clone()).collect::<Vec<_>>()));
    let row = move |id: String| {
        let image = {
            let id = id.clone();
            Memo::new(move |_| {
                rows.with(|r| r.iter().find(|i| i.id == id).cloned().unwrap_or_default())
            })
        };
        let name = Memo::new(move |_| image.with(|i| listing::shown_name(i).to_owned()));
        let status = Memo::new(move |_| image.with(Image::status));
        let progress = {
            let id = id.clone();
            move || {
                ctx.panel
                    .with(|p| p.running_on(&id).and_then(|t| t.progress))
            }
        };
        let href = paths::image(&id);
        let delete_id = id.clone();
        view! {
            <tr role="row" data-image-id=id.clone()>
                <td role="cell" data-label=w.col_name><A href=href>{move || name.get()}</A></td>
                <td role="cell" data-label=w.col_status>
                    <span class=move || format!("status status-{}", status.get().as_str_name().to_lowercase())>
                        {move || lang.resource_status(status.get().as_str_name())}
                    </span>
                    {move || progress().map(|p| view! {
                        <progress max="100" value=p aria-label=lang.progress_of(&name.get())>{format!("{p}%")}</progress>
                    })}
                </td>
                <td role="cell" data-label=w.col_family>{move || image.with(|i| i.family.clone())}</td>
                <td role="cell" data-label=w.col_size>{move || image.with(|i| lang.size(i.storage_size))}</td>
                <td role="cell" data-label=w.col_id><code>{id.clone()}</code></td>
                <td role="cell" class="actions-cell">
                    {move || listing::deletable(status.get()).then(|| {
                        let delete_id = delete_id.clone();
                        view! {
                            <button type="button" class="danger" aria-label=move || lang.delete_button(&name.get())
                                on:click=move |_| confirm.set(Some((delete_id.clone(), name.get_untracked())))>
                                {w.delete}
                            </button>
                        }
                    })}
                </td>
            </tr>
        }
    };
    view! {
        <Show when=move || !ids.with(Vec::is_empty)>
            <div class="table-wrap">
                // Explicit roles: the cards of a narrow screen (display: block) keep the table's
                // meaning for screen readers.
                <table class="image-table" role="table" aria-labelledby="images-title">
                    <thead role="rowgroup"><tr role="row">
                        <th role="columnheader" scope="col">{w.col_name}</th><th role="columnheader" scope="col">{w.col_status}</th><th role="columnheader" scope="col">{w.col_family}</th>
                        <th role="columnheader" scope="col">{w.col_size}</th><th role="columnheader" scope="col">{w.col_id}</th><th role="columnheader" scope="col"><span class="sr-only">{w.col_actions}</span></th>
                    </tr></thead>
                    <tbody role="rowgroup"><For each=move || ids.get() key=|id| id.clone() children=row /></tbody>
                </table>
            </div>
        </Show>
    }
}
