//! Columns encoded once for fast comparison: names interned with phonetic codes, dates parsed,
//! postcodes split, text as word sets. A comparison between two records is then a few integer
//! operations per column, and its levels pack into one `u64` (four bits a column).

use super::config::{ColumnKind, LinkageError};
use crate::names::{self, NO_NAME, NameTable};
use crate::person::compare::{dob_level, given_level};
use orca_model::PartialDate;
use rustc_hash::FxHashMap;

/// A missing value: the comparison adds nothing.
pub const MISSING: u8 = 15;

pub enum Column {
    Name { ids: Vec<u32>, table: NameTable },
    Date { values: Vec<Option<PartialDate>> },
    Exact { ids: Vec<u32>, counts: Vec<u32> },
    Text { words: Vec<Box<[u32]>> },
    Postcode { parts: Vec<[u32; 4]> },
    Numeric { values: Vec<f64> },
}

fn parse_date(text: &str) -> Result<PartialDate, String> {
    if let Some((day, rest)) = text.split_once('/') {
        let (month, year) = rest.split_once('/').ok_or_else(|| format!("`{text}` is not a date"))?;
        return PartialDate::parse(&format!("{year}-{month:0>2}-{day:0>2}"));
    }
    PartialDate::parse(text)
}

fn postcode_parts(text: &str) -> [u32; 4] {
    let code: String = text.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect();
    if code.len() < 5 {
        return if code.is_empty() { [0; 4] } else { [names::hash32(&code).max(1), 0, 0, 0] };
    }
    let (outward, inward) = code.split_at(code.len() - 3);
    let area: String = outward.chars().take_while(char::is_ascii_alphabetic).collect();
    let sector = format!("{outward} {}", &inward[..1]);
    [
        names::hash32(&code).max(1),
        names::hash32(&sector).max(1),
        names::hash32(outward).max(1),
        names::hash32(&area).max(1),
    ]
}

fn words(text: &str) -> Box<[u32]> {
    let mut words: Vec<u32> = names::normalise(text).split(' ').filter(|w| !w.is_empty()).map(names::hash32).collect();
    words.sort_unstable();
    words.dedup();
    words.into_boxed_slice()
}

impl Column {
    /// Encodes one column of every row; `lines` gives each row's line number for errors.
    pub fn encode(kind: ColumnKind, name: &str, values: &[&str], lines: &[u64]) -> Result<Self, LinkageError> {
        let row_error = |i: usize, message: String| LinkageError::Row { line: lines[i], message };
        Ok(match kind {
            ColumnKind::Name => {
                let mut table = NameTable::default();
                let ids = values
                    .iter()
                    .map(|v| {
                        let normalised: String = names::normalise(v).chars().filter(|c| *c != ' ').collect();
                        let id = table.intern(&normalised);
                        table.count_given(id);
                        id
                    })
                    .collect();
                Column::Name { ids, table }
            }
            ColumnKind::Date => Column::Date {
                values: values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let v = v.trim();
                        if v.is_empty() {
                            Ok(None)
                        } else {
                            parse_date(v).map(Some).map_err(|e| row_error(i, format!("column `{name}`: {e}")))
                        }
                    })
                    .collect::<Result<_, _>>()?,
            },
            ColumnKind::Exact => {
                let mut interned: FxHashMap<String, u32> = FxHashMap::default();
                let mut counts = Vec::new();
                let ids = values
                    .iter()
                    .map(|v| {
                        let v = v.trim().to_lowercase();
                        if v.is_empty() {
                            return u32::MAX;
                        }
                        let next = interned.len() as u32;
                        let id = *interned.entry(v).or_insert(next);
                        if id as usize == counts.len() {
                            counts.push(0);
                        }
                        counts[id as usize] += 1;
                        id
                    })
                    .collect();
                Column::Exact { ids, counts }
            }
            ColumnKind::Text => Column::Text { words: values.iter().map(|v| words(v)).collect() },
            ColumnKind::Postcode => Column::Postcode { parts: values.iter().map(|v| postcode_parts(v)).collect() },
            ColumnKind::Numeric => Column::Numeric {
                values: values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let v = v.trim();
                        if v.is_empty() {
                            Ok(f64::NAN)
                        } else {
                            v.parse::<f64>()
                                .map_err(|_| row_error(i, format!("column `{name}`: `{v}` is not a number")))
                        }
                    })
                    .collect::<Result<_, _>>()?,
            },
        })
    }

    /// The level at which two records agree, or [`MISSING`].
    #[inline]
    pub fn level(&self, a: usize, b: usize) -> u8 {
        match self {
            Column::Name { ids, table } => {
                let (x, y) = (ids[a], ids[b]);
                if x == NO_NAME || y == NO_NAME { MISSING } else { given_level(table, x, y) }
            }
            Column::Date { values } => match (&values[a], &values[b]) {
                (Some(x), Some(y)) => dob_level(x, y),
                _ => MISSING,
            },
            Column::Exact { ids, .. } => {
                let (x, y) = (ids[a], ids[b]);
                if x == u32::MAX || y == u32::MAX { MISSING } else { u8::from(x != y) }
            }
            Column::Text { words } => {
                let (x, y) = (&words[a], &words[b]);
                if x.is_empty() || y.is_empty() {
                    return MISSING;
                }
                let shared = x.iter().filter(|w| y.binary_search(w).is_ok()).count();
                let jaccard = shared as f64 / (x.len() + y.len() - shared) as f64;
                if jaccard >= 0.8 {
                    0
                } else if jaccard >= 0.5 {
                    1
                } else if jaccard >= 0.2 {
                    2
                } else {
                    3
                }
            }
            Column::Postcode { parts } => {
                let (x, y) = (&parts[a], &parts[b]);
                if x[0] == 0 || y[0] == 0 {
                    return MISSING;
                }
                (0..4).find(|&i| x[i] != 0 && x[i] == y[i]).map_or(4, |i| i as u8)
            }
            Column::Numeric { values } => {
                let (x, y) = (values[a], values[b]);
                if x.is_nan() || y.is_nan() {
                    return MISSING;
                }
                let scale = x.abs().max(y.abs()).max(f64::MIN_POSITIVE);
                let difference = (x - y).abs();
                if difference == 0.0 {
                    0
                } else if difference / scale <= 0.01 {
                    1
                } else if difference / scale <= 0.1 {
                    2
                } else {
                    3
                }
            }
        }
    }

    /// How common record `a`'s value is (share of records), for term-frequency adjustment.
    pub fn term_frequency(&self, a: usize, records: usize) -> Option<f64> {
        match self {
            Column::Name { ids, table } => {
                let id = ids[a];
                (id != NO_NAME).then(|| f64::from(table.get(id).given_count) / records as f64)
            }
            Column::Exact { ids, counts } => {
                let id = ids[a];
                (id != u32::MAX).then(|| f64::from(counts[id as usize]) / records as f64)
            }
            _ => None,
        }
    }

    /// A blocking key part for record `a` with a transform; `None` when the value is missing.
    pub fn key_part(&self, a: usize, transform: &str) -> Option<u64> {
        match self {
            Column::Name { ids, table } => {
                let id = ids[a];
                if id == NO_NAME {
                    return None;
                }
                let info = table.get(id);
                Some(match transform {
                    "phonetic" => u64::from(info.phonetic[0]),
                    "initial" => u64::from(info.text.as_bytes()[0]),
                    "first3" => u64::from(names::hash32(&info.text[..info.text.len().min(3)])),
                    _ => u64::from(id) | 1 << 40,
                })
            }
            Column::Date { values } => values[a].map(|d| match transform {
                "year" => u64::from(d.year),
                _ => u64::from(d.year) * 10_000 + u64::from(d.month.unwrap_or(0)) * 100 + u64::from(d.day.unwrap_or(0)),
            }),
            Column::Exact { ids, .. } => (ids[a] != u32::MAX).then_some(u64::from(ids[a])),
            Column::Text { words } => {
                let w = &words[a];
                (!w.is_empty()).then(|| w.iter().fold(0u64, |h, &x| crate::blocking::mix(h ^ u64::from(x))))
            }
            Column::Postcode { parts } => {
                let p = &parts[a];
                let value = match transform {
                    "sector" => p[1],
                    "district" => p[2],
                    _ => p[0],
                };
                (value != 0).then_some(u64::from(value))
            }
            Column::Numeric { values } => {
                let v = values[a];
                (!v.is_nan()).then_some(v.to_bits())
            }
        }
    }
}
