//! Columns encoded once for fast comparison: names interned with phonetic codes, dates parsed,
//! postcodes split, text as word sets, codes and strings interned. A comparison between two
//! records is then a few operations per column, and its levels pack into one `u64` (four bits a
//! column).

use super::config::ColumnKind;
use super::dates;
use crate::names::{self, NO_NAME, NameTable};
use crate::person::compare::{dob_level, given_level, given_level_of};
use orca_model::PartialDate;
use rustc_hash::FxHashMap;

/// A missing value: the comparison adds nothing.
pub const MISSING: u8 = 15;

/// Interned values, each with its text and how many records hold it; `u32::MAX` is missing.
#[derive(Default)]
pub struct Interned {
    ids: Vec<u32>,
    texts: Vec<String>,
    counts: Vec<u32>,
}

impl Interned {
    fn new(values: &[&str], normalise: impl Fn(&str) -> String) -> Self {
        let mut interned = Self::default();
        let mut index: FxHashMap<String, u32> = FxHashMap::default();
        for value in values {
            let value = normalise(value);
            if value.is_empty() {
                interned.ids.push(u32::MAX);
                continue;
            }
            let id = *index.entry(value).or_insert_with_key(|value| {
                interned.texts.push(value.clone());
                interned.counts.push(0);
                (interned.texts.len() - 1) as u32
            });
            interned.counts[id as usize] += 1;
            interned.ids.push(id);
        }
        interned
    }

    /// Both records' values, or `None` when either is missing.
    #[inline]
    fn pair(&self, a: usize, b: usize) -> Option<(u32, u32)> {
        let (x, y) = (self.ids[a], self.ids[b]);
        (x != u32::MAX && y != u32::MAX).then_some((x, y))
    }

    fn text(&self, id: u32) -> &str {
        &self.texts[id as usize]
    }

    fn term_frequency(&self, a: usize, records: usize) -> Option<f64> {
        let id = self.ids[a];
        (id != u32::MAX).then(|| f64::from(self.counts[id as usize]) / records as f64)
    }

    fn key_part(&self, a: usize, transform: &str) -> Option<u64> {
        let id = self.ids[a];
        if id == u32::MAX {
            return None;
        }
        let text = self.text(id);
        Some(match transform {
            "initial" => u64::from(names::hash32(&text.chars().take(1).collect::<String>())),
            "first3" => u64::from(names::hash32(&text.chars().take(3).collect::<String>())),
            _ => u64::from(id),
        })
    }
}

/// A value its column's kind could not read (a date that does not exist, a number with letters):
/// compared as missing, and reported with its row.
#[derive(Clone, Debug, PartialEq)]
pub struct Unreadable {
    pub row: usize,
    pub value: String,
    pub reason: String,
}

pub enum Column {
    Name { ids: Vec<u32>, table: NameTable },
    Date { values: Vec<Option<PartialDate>> },
    Exact { values: Interned },
    Code { values: Interned },
    String { values: Interned },
    Text { words: Vec<Box<[u32]>> },
    Postcode { parts: Vec<[u32; 4]> },
    Numeric { values: Vec<f64> },
}

/// A code's characters that matter: letters and digits, upper case (`ab 12-3` is `AB123`).
fn code_text(value: &str) -> String {
    value.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect()
}

/// A string trimmed, in lower case, with runs of spaces made one.
fn string_text(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Damerau-Levenshtein distance capped at 3 (anything further is "different").
fn edits(a: &str, b: &str) -> usize {
    if a.chars().count().abs_diff(b.chars().count()) > 2 { 3 } else { strsim::damerau_levenshtein(a, b).min(3) }
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
    /// Encodes one column of every row (values already through the column's value map); a date
    /// reads `format` when given. Values the kind cannot read are compared as missing and returned.
    pub fn encode(kind: ColumnKind, format: Option<&str>, values: &[&str]) -> (Self, Vec<Unreadable>) {
        let mut unreadable = Vec::new();
        let mut unreadable_as = |row: usize, value: &str, reason: String| {
            unreadable.push(Unreadable { row, value: value.to_owned(), reason });
        };
        let column = match kind {
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
                            return None;
                        }
                        dates::parse(v, format).map_err(|reason| unreadable_as(i, v, reason)).ok()
                    })
                    .collect(),
            },
            ColumnKind::Exact => Column::Exact { values: Interned::new(values, |v| v.trim().to_lowercase()) },
            ColumnKind::Code => Column::Code { values: Interned::new(values, code_text) },
            ColumnKind::String => Column::String { values: Interned::new(values, string_text) },
            ColumnKind::Text => Column::Text { words: values.iter().map(|v| words(v)).collect() },
            ColumnKind::Postcode => Column::Postcode { parts: values.iter().map(|v| postcode_parts(v)).collect() },
            ColumnKind::Numeric => Column::Numeric {
                values: values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let v = v.trim();
                        if v.is_empty() {
                            return f64::NAN;
                        }
                        match v.parse::<f64>() {
                            Ok(number) if number.is_finite() => number,
                            _ => {
                                unreadable_as(i, v, format!("`{v}` is not a number"));
                                f64::NAN
                            }
                        }
                    })
                    .collect(),
            },
        };
        (column, unreadable)
    }

    /// The level at which two records agree, or [`MISSING`].
    #[inline]
    pub fn level(&self, a: usize, b: usize) -> u8 {
        match self {
            Column::Name { ids, table } => {
                let (x, y) = (ids[a], ids[b]);
                if x == NO_NAME || y == NO_NAME { MISSING } else { given_level(table, x, y).into() }
            }
            Column::Date { values } => match (&values[a], &values[b]) {
                (Some(x), Some(y)) => dob_level(x, y).into(),
                _ => MISSING,
            },
            Column::Exact { values } => values.pair(a, b).map_or(MISSING, |(x, y)| u8::from(x != y)),
            Column::Code { values } => match values.pair(a, b) {
                None => MISSING,
                Some((x, y)) if x == y => 0,
                Some((x, y)) => edits(values.text(x), values.text(y)) as u8,
            },
            Column::String { values } => match values.pair(a, b) {
                None => MISSING,
                Some((x, y)) if x == y => 0,
                Some((x, y)) => {
                    let similarity = names::jaro_winkler(values.text(x), values.text(y));
                    if similarity >= 0.9 {
                        1
                    } else if similarity >= 0.7 {
                        2
                    } else {
                        3
                    }
                }
            },
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

    /// Record `a`'s name in this column against record `b`'s in `other` (a given name against a
    /// surname), or [`MISSING`] unless both are names and present.
    pub fn cross_name_level(&self, other: &Column, a: usize, b: usize) -> u8 {
        let (Column::Name { ids: mine, table: my_table }, Column::Name { ids: theirs, table: their_table }) =
            (self, other)
        else {
            return MISSING;
        };
        let (x, y) = (mine[a], theirs[b]);
        if x == NO_NAME || y == NO_NAME {
            return MISSING;
        }
        u8::from(given_level_of(my_table.get(x), their_table.get(y)))
    }

    /// How common record `a`'s value is (share of records), for term-frequency adjustment.
    pub fn term_frequency(&self, a: usize, records: usize) -> Option<f64> {
        match self {
            Column::Name { ids, table } => {
                let id = ids[a];
                (id != NO_NAME).then(|| f64::from(table.get(id).given_count) / records as f64)
            }
            Column::Exact { values } | Column::Code { values } | Column::String { values } => {
                values.term_frequency(a, records)
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
            Column::Exact { values } | Column::Code { values } | Column::String { values } => {
                values.key_part(a, transform)
            }
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
