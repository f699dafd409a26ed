//! Which records a run compares: any two, or in one-to-one mode only records of two different
//! lists; and the random pairs u is estimated from, drawn from the same.

use super::{LinkageConfig, LinkageError, Row};

/// Which records may be compared: any two (deduplicating one list, or linking and deduplicating
/// several), or in one-to-one mode only records of the two different lists.
pub struct Lists {
    /// Per record, its list; `None` unless one-to-one.
    list: Option<Vec<bool>>,
    /// Records of the first list and of the second (one-to-one), in input order.
    members: [Vec<usize>; 2],
    records: usize,
}

impl Lists {
    pub fn of(config: &LinkageConfig, rows: &[Row]) -> Result<Self, LinkageError> {
        if !config.one_to_one {
            return Ok(Self { list: None, members: [Vec::new(), Vec::new()], records: rows.len() });
        }
        let mut sources: Vec<u32> = rows.iter().map(|r| r.input).collect();
        sources.sort_unstable();
        sources.dedup();
        let [first, _second] = sources[..] else {
            return Err(LinkageError::Config(format!(
                "one_to_one links two lists, but the input has {} (give exactly two inputs)",
                sources.len()
            )));
        };
        let list: Vec<bool> = rows.iter().map(|r| r.input != first).collect();
        let members = [(0..rows.len()).filter(|&r| !list[r]).collect(), (0..rows.len()).filter(|&r| list[r]).collect()];
        Ok(Self { list: Some(list), members, records: rows.len() })
    }

    #[inline]
    pub fn compares(&self, a: usize, b: usize) -> bool {
        self.list.as_ref().is_none_or(|list| list[a] != list[b])
    }

    /// How many pairs could be compared (the prior's denominator).
    pub fn all_pairs(&self) -> f64 {
        match &self.list {
            None => self.records as f64 * (self.records as f64 - 1.0) / 2.0,
            Some(_) => self.members[0].len() as f64 * self.members[1].len() as f64,
        }
    }

    /// `count` random comparable pairs (fewer where a draw pairs a record with itself), or every
    /// comparable pair once when there are no more than `count`: drawing a small list's few pairs
    /// again and again would make agreements none of them shows look far rarer than the list says.
    pub fn random_pairs(&self, count: usize, next: &mut impl FnMut() -> u64) -> Vec<(usize, usize)> {
        let n = self.records as u64;
        if self.all_pairs() <= count as f64 {
            return match &self.list {
                None => (0..self.records).flat_map(|b| (0..b).map(move |a| (a, b))).collect(),
                Some(_) => {
                    let [first, second] = &self.members;
                    first.iter().flat_map(|&a| second.iter().map(move |&b| (a, b))).collect()
                }
            };
        }
        match &self.list {
            None if n < 2 => Vec::new(),
            None => (0..count)
                .filter_map(|_| {
                    let (a, b) = ((next() % n) as usize, (next() % n) as usize);
                    (a != b).then_some((a, b))
                })
                .collect(),
            Some(_) => {
                let [first, second] = &self.members;
                (0..count)
                    .map(|_| {
                        let a = first[(next() % first.len() as u64) as usize];
                        (a, second[(next() % second.len() as u64) as usize])
                    })
                    .collect()
            }
        }
    }
}
