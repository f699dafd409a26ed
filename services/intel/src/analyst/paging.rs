//! Page tokens for the analysts' lists: the offset of the next item. A list that changes between
//! two pages may repeat or skip an item at the boundary; each page is consistent in itself.

use orca_proto::v1;
use tonic::Status;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page {
    pub offset: usize,
    pub size: usize,
}

/// The page asked for; `size` defaults to `default` and is capped at `max`.
pub fn page(request: Option<&v1::PageRequest>, default: usize, max: usize) -> Result<Page, Status> {
    let request = request.cloned().unwrap_or_default();
    let size = match request.page_size as usize {
        0 => default,
        n => n.min(max),
    };
    let token = request.page_token.trim();
    let offset = if token.is_empty() {
        0
    } else {
        token
            .parse::<usize>()
            .map_err(|_| Status::invalid_argument(format!("`page_token` `{token}` is not one this service gave out")))?
    };
    Ok(Page { offset, size })
}

impl Page {
    /// The token of the next page, empty after the last.
    pub fn next_token(&self, total: usize) -> String {
        let next = self.offset + self.size;
        if next < total { next.to_string() } else { String::new() }
    }

    /// This page of a list.
    pub fn of<T>(&self, items: Vec<T>) -> Vec<T> {
        items.into_iter().skip(self.offset).take(self.size).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_walk_a_list_and_bad_tokens_are_refused() {
        let request = v1::PageRequest { page_size: 2, page_token: String::new() };
        let first = page(Some(&request), 20, 100).unwrap();
        assert_eq!(first.of(vec![1, 2, 3]), [1, 2]);
        let token = first.next_token(3);
        let second = page(Some(&v1::PageRequest { page_size: 2, page_token: token }), 20, 100).unwrap();
        assert_eq!((second.of(vec![1, 2, 3]), second.next_token(3)), (vec![3], String::new()));
        assert_eq!(page(None, 20, 100).unwrap().size, 20);
        assert_eq!(
            page(Some(&v1::PageRequest { page_size: 5000, page_token: String::new() }), 20, 100).unwrap().size,
            100
        );
        assert!(page(Some(&v1::PageRequest { page_size: 0, page_token: "abc".into() }), 20, 100).is_err());
    }
}
