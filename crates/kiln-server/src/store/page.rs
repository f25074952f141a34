//! A page of a list read by fetching one more row than asked: the extra row says whether a
//! next page exists, and the next page starts after the key of the page's last item.

use super::StoreError;

/// At most a page of items, and where the next page starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T, K> {
    /// The items, at most the page's size.
    pub items: Vec<T>,
    /// The key of the last item when more follow (the next page starts after it).
    pub next: Option<K>,
}

impl<T, K> Page<T, K> {
    /// The same page with each item mapped.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U, K> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
        }
    }
}

/// A page of `limit` items from `rows`, which the query asked for `limit + 1` of; `key`
/// gives the key of an item.
pub fn read_page<T, K>(
    rows: impl Iterator<Item = Result<T, StoreError>>,
    limit: usize,
    key: impl Fn(&T) -> K,
) -> Result<Page<T, K>, StoreError> {
    let mut items = Vec::with_capacity(limit.min(128));
    let mut next = None;
    for row in rows {
        let item = row?;
        if items.len() == limit {
            next = items.last().map(&key);
            break;
        }
        items.push(item);
    }
    Ok(Page { items, next })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_says_where_the_next_starts_only_when_a_row_is_left() {
        let rows = |n: u32| (1..=n).map(Ok::<u32, StoreError>);
        for (found, limit, items, next) in [
            (0, 2, vec![], None),
            (2, 2, vec![1, 2], None),
            (3, 2, vec![1, 2], Some(2)),
            (9, 2, vec![1, 2], Some(2)),
            (1, 0, vec![], None),
        ] {
            let page = read_page(rows(found), limit, |i| *i).unwrap();
            assert_eq!((page.items, page.next), (items, next), "{found} {limit}");
        }
    }
}
