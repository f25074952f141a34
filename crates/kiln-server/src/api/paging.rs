//! Page sizes and page tokens of the List RPCs. A token is the sort key of the last item of
//! the page before (an image List's column value and ID; for operations and sources, the ID),
//! so a page is read from an index without counting what came before.

use tonic::Status;

use crate::{
    api::errors::invalid_field,
    engine::{After, ImageOrder, OrderColumn},
};

/// Items on a page when the request sets no `page_size`.
const DEFAULT_PAGE: usize = 100;
/// The largest `page_size` (the API's `(value) = "<=1000"`, read from the annotation).
const LARGEST_PAGE: i64 = kiln_core::bounds::LARGEST_PAGE_SIZE;

/// A request's `page_size`: 0 is the default, 1 to 1000 as asked; a negative one is refused
/// (the annotation only bounds it above).
pub fn page_size(page_size: i64) -> Result<usize, Status> {
    match page_size {
        0 => Ok(DEFAULT_PAGE),
        1..=LARGEST_PAGE => Ok(page_size as usize),
        _ => Err(invalid_field(
            "page_size",
            format!("page_size must be between 0 and {LARGEST_PAGE} (it is {page_size})"),
        )),
    }
}

/// INVALID_ARGUMENT for a page token this service did not issue.
pub fn not_issued() -> Status {
    invalid_field(
        "page_token",
        "page_token is not one this service issued for this order".into(),
    )
}

/// The direction mark of a token: `+` ascending, `-` descending.
fn direction(order: ImageOrder) -> char {
    if order.descending { '-' } else { '+' }
}

/// The token of an image page in `order` that starts after `after`.
pub fn image_token_of(after: &After, order: ImageOrder) -> String {
    let d = direction(order);
    match after {
        After::Start => String::new(),
        After::Id(id) => format!("i{d}{id}"),
        After::Name(name, id) => format!("n{d}{name}:{id}"),
        After::CreatedAt(at, id) => format!("c{d}{at}:{id}"),
    }
}

/// Where an image page starts, from its token; it must be one issued for `order`.
pub fn image_token(token: &str, order: ImageOrder) -> Result<After, Status> {
    if token.is_empty() {
        return Ok(After::Start);
    }
    let mut chars = token.chars();
    let (kind, mark) = (chars.next(), chars.next());
    if mark != Some(direction(order)) {
        return Err(not_issued());
    }
    let rest = chars.as_str();
    let after = match (kind, order.column) {
        (Some('i'), OrderColumn::Id) => After::Id(rest.to_owned()),
        (Some('n'), OrderColumn::Name) => {
            let (name, id) = rest.split_once(':').ok_or_else(not_issued)?;
            After::Name(name.to_owned(), id.to_owned())
        }
        (Some('c'), OrderColumn::CreatedAt) => {
            let (at, id) = rest.split_once(':').ok_or_else(not_issued)?;
            After::CreatedAt(at.parse().map_err(|_| not_issued())?, id.to_owned())
        }
        _ => return Err(not_issued()),
    };
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_sizes_out_of_range_are_refused() {
        for (asked, expected) in [
            (0, Some(100)),
            (1, Some(1)),
            (1000, Some(1000)),
            (1001, None),
            (-1, None),
            (i64::MIN, None),
        ] {
            assert_eq!(page_size(asked).ok(), expected, "{asked}");
        }
    }

    #[test]
    fn image_tokens_survive_their_text_and_only_for_their_order() {
        let order = |column, descending| ImageOrder { column, descending };
        for (after, column) in [
            (After::Id("fd8a".into()), OrderColumn::Id),
            (
                After::Name("web-1".into(), "fd8b".into()),
                OrderColumn::Name,
            ),
            (
                After::CreatedAt(1_800_000_000_123_456, "fd8c".into()),
                OrderColumn::CreatedAt,
            ),
        ] {
            for descending in [false, true] {
                let token = image_token_of(&after, order(column, descending));
                assert_eq!(
                    image_token(&token, order(column, descending)).unwrap(),
                    after
                );
                assert!(
                    image_token(&token, order(column, !descending)).is_err(),
                    "{token}"
                );
                let other = match column {
                    OrderColumn::Id => OrderColumn::Name,
                    _ => OrderColumn::Id,
                };
                assert!(
                    image_token(&token, order(other, descending)).is_err(),
                    "{token}"
                );
            }
        }
        for garbage in ["x", "i", "n+only", "c+soon:fd8", "12", "é"] {
            let created = order(OrderColumn::CreatedAt, false);
            assert!(image_token(garbage, created).is_err(), "{garbage}");
        }
    }
}
