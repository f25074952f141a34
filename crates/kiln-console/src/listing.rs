//! The folder's images as the Images screen and the source pickers ask for them: through the
//! API's own paging (newest first, a page at a time, next and previous), a find by exact name
//! (the API's `filter`) or by ID (`Get`), which rows can still change (and so are refreshed),
//! and which images may be deleted. A refresh costs what can change, never the folder's size.

use kiln_core::proto::yandex::cloud::compute::v1::{Image, image};

/// Items per page: a screenful that loads fast over a slow link.
pub const PAGE_SIZE: i64 = 50;

/// Operations per page when an image's operations are read (the API's largest page).
pub const OPERATION_PAGE_SIZE: i64 = 1000;

/// The most pages of an image's operations read at once: the running one and the history
/// are found among the first 10,000, and no image makes the page read without end.
pub const MOST_OPERATION_PAGES: usize = 10;

/// The API's `order_by` for newest first.
pub const NEWEST_FIRST: &str = "createdAt desc";

/// Where a list stands: the page tokens that led to the page shown (the first page has none).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cursor {
    /// The token of each page walked through, the current one last.
    tokens: Vec<String>,
}

impl Cursor {
    /// The page token to ask the current page with (empty for the first).
    pub fn token(&self) -> &str {
        self.tokens.last().map_or("", String::as_str)
    }

    /// The current page's number, from 1.
    pub fn page(&self) -> usize {
        self.tokens.len() + 1
    }

    /// The position of the first item of the current page, from 1.
    pub fn first_item(&self) -> usize {
        self.tokens.len() * PAGE_SIZE as usize + 1
    }

    /// The page after this one, given the page's `next_page_token` (`None` on the last page).
    pub fn next(&self, next_page_token: &str) -> Option<Cursor> {
        if next_page_token.is_empty() {
            return None;
        }
        let mut tokens = self.tokens.clone();
        tokens.push(next_page_token.to_owned());
        Some(Cursor { tokens })
    }

    /// The page before this one (`None` on the first page).
    pub fn previous(&self) -> Option<Cursor> {
        let mut tokens = self.tokens.clone();
        tokens.pop()?;
        Some(Cursor { tokens })
    }
}

/// How a typed find is asked of the service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Find {
    /// The `filter` for an exact name, when the text can be a name.
    pub filter: Option<String>,
    /// The ID to `Get`, when the text can be an ID.
    pub id: Option<String>,
}

/// The longest ID the API takes (`image_id`'s `(length) = "<=50"`).
const LONGEST_ID: usize = 50;

/// The find for `text` (trimmed): a name filter when it only holds the characters a name may
/// (so it needs no quoting), a `Get` by ID when it can be an ID. `None` when it is empty or
/// can be neither (nothing in the folder is called so).
pub fn find(text: &str) -> Option<Find> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let name_like = text.len() <= 63
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    let id_like = text.len() <= LONGEST_ID && text.bytes().all(|b| b.is_ascii_alphanumeric());
    let found = Find {
        filter: name_like.then(|| format!("name=\"{text}\"")),
        id: id_like.then(|| text.to_owned()),
    };
    (found.filter.is_some() || found.id.is_some()).then_some(found)
}

/// The images a find turned up: the name match and the ID match, each once.
pub fn found(by_name: Vec<Image>, by_id: Option<Image>) -> Vec<Image> {
    let mut out = by_name;
    if let Some(image) = by_id
        && !out.iter().any(|i| i.id == image.id)
    {
        out.push(image);
    }
    out
}

/// Whether an image in this status can still change by itself (its operation runs).
pub fn changing(status: image::Status) -> bool {
    matches!(status, image::Status::Creating | image::Status::Deleting)
}

/// Whether an image may be deleted now: not while it is being created or deleted.
pub fn deletable(status: image::Status) -> bool {
    !changing(status)
}

/// The rows a refresh asks about: those that can still change. Nothing else is fetched again.
pub fn to_refresh(rows: &[Image]) -> Vec<String> {
    rows.iter()
        .filter(|i| changing(i.status()))
        .map(|i| i.id.clone())
        .collect()
}

/// What a refresh of one row found.
#[derive(Clone, Debug, PartialEq)]
pub enum Refreshed {
    /// The image as it is now.
    Now(Box<Image>),
    /// The image is gone (deleted, or its creation failed or was cancelled).
    Gone(String),
}

/// Applies a refresh to the rows in place (the row keeps its place; a gone one leaves).
/// Whether anything changed.
pub fn apply(rows: &mut Vec<Image>, refreshed: Refreshed) -> bool {
    match refreshed {
        Refreshed::Now(image) => match rows.iter_mut().find(|i| i.id == image.id) {
            Some(row) if *row != *image => {
                *row = *image;
                true
            }
            _ => false,
        },
        Refreshed::Gone(id) => {
            let before = rows.len();
            rows.retain(|i| i.id != id);
            rows.len() != before
        }
    }
}

/// The name people see for an image: its name, else its ID.
pub fn shown_name(image: &Image) -> &str {
    if image.name.is_empty() {
        &image.id
    } else {
        &image.name
    }
}
