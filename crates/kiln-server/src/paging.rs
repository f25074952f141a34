//! Page sizes and page tokens of the List RPCs. A token is the sort key of the last item of
//! the page before (an image List's column value and ID, an operation's position), so a page
//! is read from an index without counting what came before.

use tonic::Status;

use crate::{
    errors::invalid_field,
    store::{After, OrderColumn},
};

/// Items on a page when the request sets no `page_size`.
const DEFAULT_PAGE: usize = 100;
/// The largest `page_size` (the API's `(value) = "<=1000"`).
const LARGEST_PAGE: i64 = 1000;

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

/// The token of an image page that starts after `after`.
pub fn image_token_of(after: &After) -> String {
    match after {
        After::Start => String::new(),
        After::Id(id) => format!("i:{id}"),
        After::Name(name, id) => format!("n:{name}:{id}"),
        After::CreatedAt(at, id) => format!("c:{at}:{id}"),
    }
}

/// Where an image page starts, from its token; it must be one issued for `column`.
pub fn image_token(token: &str, column: OrderColumn) -> Result<After, Status> {
    if token.is_empty() {
        return Ok(After::Start);
    }
    let (kind, rest) = token.split_once(':').ok_or_else(not_issued)?;
    let after = match (kind, column) {
        ("i", OrderColumn::Id) => After::Id(rest.to_owned()),
        ("n", OrderColumn::Name) => {
            let (name, id) = rest.split_once(':').ok_or_else(not_issued)?;
            After::Name(name.to_owned(), id.to_owned())
        }
        ("c", OrderColumn::CreatedAt) => {
            let (at, id) = rest.split_once(':').ok_or_else(not_issued)?;
            After::CreatedAt(at.parse().map_err(|_| not_issued())?, id.to_owned())
        }
        _ => return Err(not_issued()),
    };
    Ok(after)
}

/// Where a page of operations starts: after this position (0: from the first).
pub fn position_token(token: &str) -> Result<i64, Status> {
    if token.is_empty() {
        return Ok(0);
    }
    token
        .parse()
        .ok()
        .filter(|p: &i64| *p >= 0)
        .ok_or_else(not_issued)
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
            let token = image_token_of(&after);
            assert_eq!(image_token(&token, column).unwrap(), after);
            let other = match column {
                OrderColumn::Id => OrderColumn::Name,
                _ => OrderColumn::Id,
            };
            assert!(image_token(&token, other).is_err(), "{token}");
        }
        for garbage in ["x", "i", "n:only", "c:soon:fd8", "12"] {
            assert!(
                image_token(garbage, OrderColumn::CreatedAt).is_err(),
                "{garbage}"
            );
        }
        assert!(position_token("-5").is_err());
        assert_eq!(position_token("").unwrap(), 0);
    }
}
