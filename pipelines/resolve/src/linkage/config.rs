//! Settings for linking or deduplicating tabular records, in the manner of Splink's settings: the
//! id column, a comparison kind per other column, and blocking rules.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How one column is compared; each kind has its own levels (see [`ColumnKind::levels`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ColumnKind {
    /// A person's name (given or family): exact (term-frequency adjusted), nickname or variant,
    /// Jaro-Winkler 0.92, phonetic, initial, Jaro-Winkler 0.80, different.
    Name,
    /// A date (`YYYY-MM-DD`, `YYYYMMDD`, `DD/MM/YYYY`, `DD-MM-YYYY`, `DD.MM.YYYY`, `YYYY/MM/DD`,
    /// `YYYY-MM`, `YYYY`, or the column's `format`): exact, day and month swapped, one digit off,
    /// year and month, year, year ±1, different.
    Date,
    /// Equal or not (sex, a category), after the column's value map.
    Exact,
    /// A code or identifier (a custody number, a phone number, a passport number), by
    /// Damerau-Levenshtein distance: exact, one edit, two edits, different.
    Code,
    /// Any other string, by Jaro-Winkler similarity without the name logic (no nicknames, initials
    /// or phonetic codes): exact, Jaro-Winkler 0.9, Jaro-Winkler 0.7, different.
    String,
    /// Free text by word overlap: Jaccard 0.8, 0.5, 0.2, different.
    Text,
    /// A UK postcode: exact, same sector, same district, same area, different.
    Postcode,
    /// A number: exact, within 1%, within 10%, different.
    Numeric,
}

impl ColumnKind {
    /// The kind as the config writes it.
    pub fn name(self) -> &'static str {
        match self {
            ColumnKind::Name => "name",
            ColumnKind::Date => "date",
            ColumnKind::Exact => "exact",
            ColumnKind::Code => "code",
            ColumnKind::String => "string",
            ColumnKind::Text => "text",
            ColumnKind::Postcode => "postcode",
            ColumnKind::Numeric => "numeric",
        }
    }

    pub fn levels(self) -> &'static [&'static str] {
        match self {
            // A name or date column is compared as the resolver compares given names and dates of birth.
            ColumnKind::Name => crate::levels::GivenLevel::NAMES,
            ColumnKind::Date => crate::levels::DobLevel::NAMES,
            ColumnKind::Exact => &["equal", "different"],
            ColumnKind::Code => &["exact", "damerau-levenshtein-1", "damerau-levenshtein-2", "different"],
            ColumnKind::String => &["exact", "jaro-winkler-0.9", "jaro-winkler-0.7", "different"],
            ColumnKind::Text => &["jaccard-0.8", "jaccard-0.5", "jaccard-0.2", "different"],
            ColumnKind::Postcode => &["exact", "sector", "district", "area", "different"],
            ColumnKind::Numeric => &["exact", "within-1pc", "within-10pc", "different"],
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnConfig {
    pub name: String,
    pub kind: ColumnKind,
    /// Weigh exact agreement by how common the value is (default: on for names, off otherwise).
    #[serde(default)]
    pub term_frequency: Option<bool>,
    /// A `date` column's own format in chrono's `strftime` syntax (`%m/%d/%Y` for month-first
    /// dates); without it the common forms are read.
    #[serde(default)]
    pub format: Option<String>,
    /// Values replaced before comparing, matched ignoring case and surrounding spaces:
    /// `{"m": "male", "f": "female"}`. A value mapped to `""` counts as missing.
    #[serde(default)]
    pub values: BTreeMap<String, String>,
}

impl ColumnConfig {
    /// A column compared as `kind`, with the defaults.
    pub fn new(name: &str, kind: ColumnKind) -> Self {
        Self { name: name.to_owned(), kind, term_frequency: None, format: None, values: BTreeMap::new() }
    }

    /// The value map keyed as values are matched (trimmed, lower case); `None` without one.
    pub fn value_map(&self) -> Option<rustc_hash::FxHashMap<String, &str>> {
        (!self.values.is_empty())
            .then(|| self.values.iter().map(|(from, to)| (from.trim().to_lowercase(), to.as_str())).collect())
    }
}

/// A blocking rule: records are compared when they agree on every part. A part is a column name,
/// optionally with a transform: `surname:phonetic`, `first_name:initial`, `dob:year`,
/// `postcode:district`, `name:first3`. The column need not be compared: one that is not is read as
/// its transform implies (a name for `phonetic`, `initial` and `first3`, a date for `year`, a
/// postcode for `district` and `sector`, and as an exact value without a transform).
pub type BlockingRule = Vec<String>;

/// At most this many rules of each kind (blocking, training, prior): each costs a sort of every
/// record and its blocks' pairs.
pub const MAX_RULES: usize = 64;

/// The transforms a blocking rule part may name.
pub const TRANSFORMS: [&str; 6] = ["phonetic", "initial", "first3", "year", "district", "sector"];

/// How a column named only in blocking rules is read, from the transform used with it.
pub fn blocking_kind(transform: &str) -> ColumnKind {
    match transform {
        "phonetic" | "initial" | "first3" => ColumnKind::Name,
        "year" => ColumnKind::Date,
        "district" | "sector" => ColumnKind::Postcode,
        _ => ColumnKind::Exact,
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinkageConfig {
    /// The column holding each record's unique id.
    pub id_column: String,
    /// Compared columns; columns of the input not named here are ignored.
    pub columns: Vec<ColumnConfig>,
    pub blocking_rules: Vec<BlockingRule>,
    /// Rules whose pairs train the model (m by expectation-maximisation, each rule's own columns
    /// left out), as Splink's training rules; written like blocking rules. Default: the blocking
    /// rules. Rules that block on few columns (`[["dob"], ["postcode"]]`) let every other column
    /// be estimated on pairs that did not have to agree on it.
    pub training_rules: Vec<BlockingRule>,
    /// Rules that only true matches satisfy (`[["first_name", "surname", "dob"]]`), to set the
    /// prior as Splink's `estimate_probability_two_random_records_match` does: the pairs they find,
    /// divided by `prior_recall`, over all pairs. Default none: the prior is the fixpoint of the
    /// scored candidates' own match probabilities.
    pub prior_rules: Vec<BlockingRule>,
    /// The share of true matches `prior_rules` are thought to find, in (0, 1]. Default 1.
    pub prior_recall: f64,
    /// Pairs of compared columns that change together (a postcode and an address both change
    /// when a person moves), each compared as one, so one change is not counted twice against a
    /// pair: `[["postcode", "address"]]`. Default none.
    pub joint: Vec<[String; 2]>,
    /// Pairs of `name` columns that lists sometimes write the wrong way round
    /// (`[["first_name", "surname"]]`): where both names agree crosswise (phonetic or better) and
    /// not straight, the pair is compared crosswise, and `name-order: swapped` adds the resolver's
    /// small penalty for a swap. Default none.
    pub swappable: Vec<[String; 2]>,
    /// Pairs at or above this probability are linked. Default 0.9.
    pub link_probability: f64,
    /// Scored pairs at or above this probability are reported (0: every scored pair). Default 0.5.
    pub report_probability: f64,
    /// Blocks larger than this are skipped (a generic value), and counted. Default 10,000 (a
    /// block that size is 50 million pairs; at 2,000, a million synthetic people lost 46.7 million
    /// candidate pairs from their common names and pairwise recall fell from 0.969 to 0.954).
    pub max_block_size: usize,
    /// Random record pairs drawn to estimate u probabilities. Default 1,000,000.
    pub random_pairs: usize,
    /// Expectation-maximisation rounds per blocking rule. Default 25.
    pub em_iterations: usize,
    /// Clusters whose members include a pair scoring below this match weight are not merged
    /// through other links (stops chaining through one false link). Default -10.
    pub cannot_link_weight: f64,
    /// Seed for the random pairs. Default 1.
    pub seed: u64,
    /// Link two lists in which each person appears at most once: only records of different lists
    /// are compared, and each record links at most one record of the other list, best first.
    /// Needs exactly two inputs. Default off (every record may link any number of records, of
    /// either list).
    pub one_to_one: bool,
}

impl Default for LinkageConfig {
    fn default() -> Self {
        Self {
            id_column: "id".to_owned(),
            columns: Vec::new(),
            blocking_rules: Vec::new(),
            training_rules: Vec::new(),
            prior_rules: Vec::new(),
            prior_recall: 1.0,
            joint: Vec::new(),
            swappable: Vec::new(),
            link_probability: 0.9,
            report_probability: 0.5,
            max_block_size: 10_000,
            random_pairs: 1_000_000,
            em_iterations: 25,
            cannot_link_weight: -10.0,
            seed: 1,
            one_to_one: false,
        }
    }
}

/// A bad configuration or a malformed input row (`input` is the input's number, from 0).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LinkageError {
    #[error("config: {0}")]
    Config(String),
    #[error("line {line}: {message}")]
    Row { input: u32, line: u64, message: String },
}

impl LinkageConfig {
    pub fn from_json(text: &str) -> Result<Self, LinkageError> {
        serde_json::from_str(text).map_err(|e| LinkageError::Config(e.to_string()))
    }

    /// Checks the settings against the input's header; returns the index of the id column and of
    /// each compared column.
    pub fn validate(&self, header: &[String]) -> Result<(usize, Vec<usize>), LinkageError> {
        let config = |m: String| Err(LinkageError::Config(m));
        let find = |name: &str| header.iter().position(|h| h.trim() == name);
        let Some(id) = find(&self.id_column) else {
            return config(format!("id column `{}` is not in the header ({})", self.id_column, header.join(", ")));
        };
        if self.columns.is_empty() {
            return config("name at least one column to compare".to_owned());
        }
        if self.columns.len() > 16 {
            return config(format!("at most 16 compared columns, got {}", self.columns.len()));
        }
        let mut indices = Vec::with_capacity(self.columns.len());
        for (i, column) in self.columns.iter().enumerate() {
            if self.columns[..i].iter().any(|c| c.name == column.name) {
                return config(format!("column `{}` is listed twice", column.name));
            }
            if column.name == self.id_column {
                return config(format!("the id column `{}` cannot be compared", column.name));
            }
            match find(&column.name) {
                Some(index) => indices.push(index),
                None => {
                    return config(format!("column `{}` is not in the header ({})", column.name, header.join(", ")));
                }
            }
            match (&column.format, column.kind) {
                (Some(format), ColumnKind::Date) => {
                    super::dates::check_format(format)
                        .map_err(|e| LinkageError::Config(format!("column `{}`: {e}", column.name)))?;
                }
                (Some(_), kind) => {
                    return config(format!(
                        "column `{}`: only a date column takes a `format` (it is a `{}` column)",
                        column.name,
                        kind.name()
                    ));
                }
                (None, _) => {}
            }
            let mut keys: Vec<String> = column.values.keys().map(|k| k.trim().to_lowercase()).collect();
            keys.sort();
            if let Some(twice) = keys.windows(2).find(|w| w[0] == w[1]) {
                return config(format!(
                    "column `{}`: the value map lists `{}` twice (case and spaces are ignored)",
                    column.name, twice[0]
                ));
            }
        }
        if self.blocking_rules.is_empty() {
            return config("name at least one blocking rule (comparing every pair does not scale)".to_owned());
        }
        for (what, rules) in
            [("blocking", &self.blocking_rules), ("training", &self.training_rules), ("prior", &self.prior_rules)]
        {
            if rules.len() > MAX_RULES {
                return config(format!("at most {MAX_RULES} {what} rules, got {}", rules.len()));
            }
        }
        let rules = self.blocking_rules.iter().map(|r| ("blocking", r));
        let rules = rules.chain(self.training_rules.iter().map(|r| ("training", r)));
        for (what, rule) in rules.chain(self.prior_rules.iter().map(|r| ("prior", r))) {
            if rule.is_empty() {
                return config(format!("a {what} rule needs at least one column"));
            }
            for part in rule {
                let (name, transform) = part.split_once(':').unwrap_or((part.as_str(), ""));
                if find(name).is_none() {
                    return config(format!(
                        "{what} rule uses `{name}`, which is not in the header ({})",
                        header.join(", ")
                    ));
                }
                if name == self.id_column {
                    return config(format!(
                        "{what} rule uses the id column `{name}`; ids are unique, so it would find no pair"
                    ));
                }
                if !transform.is_empty() && !TRANSFORMS.contains(&transform) {
                    return config(format!(
                        "{what} rule part `{part}` has unknown transform `{transform}` ({})",
                        TRANSFORMS.join(", ")
                    ));
                }
            }
        }
        for (i, pair) in self.joint.iter().enumerate() {
            for name in pair {
                if !self.columns.iter().any(|c| &c.name == name) {
                    return config(format!("joint comparison uses `{name}`, which is not a compared column"));
                }
                let elsewhere = self.joint.iter().enumerate().any(|(j, other)| j != i && other.contains(name));
                if elsewhere {
                    return config(format!("column `{name}` is in more than one joint comparison"));
                }
            }
            if pair[0] == pair[1] {
                return config(format!("a joint comparison needs two different columns, got `{}` twice", pair[0]));
            }
        }
        for pair in &self.swappable {
            for name in pair {
                match self.columns.iter().find(|c| &c.name == name) {
                    Some(column) if column.kind == ColumnKind::Name => {}
                    Some(_) => return config(format!("swappable names `{name}`, which is not a `name` column")),
                    None => return config(format!("swappable names `{name}`, which is not a compared column")),
                }
                if self.joint.iter().flatten().any(|j| j == name) {
                    return config(format!("column `{name}` cannot be both swappable and in a joint comparison"));
                }
            }
            if pair[0] == pair[1] {
                return config(format!("a swappable pair needs two different columns, got `{}` twice", pair[0]));
            }
            if let Some(name) =
                pair.iter().find(|name| self.swappable.iter().flatten().filter(|n| n == name).count() > 1)
            {
                return config(format!("column `{name}` is in more than one swappable pair"));
            }
        }
        if self.columns.len() + self.swappable.len() > 16 {
            return config(format!(
                "at most 16 compared columns and swappable pairs together, got {} and {}",
                self.columns.len(),
                self.swappable.len()
            ));
        }
        if !(self.link_probability > 0.0 && self.link_probability < 1.0) {
            return config(format!("link_probability must be in (0, 1), got {}", self.link_probability));
        }
        if !(self.prior_recall > 0.0 && self.prior_recall <= 1.0) {
            return config(format!("prior_recall must be in (0, 1], got {}", self.prior_recall));
        }
        if !(0.0..1.0).contains(&self.report_probability) {
            return config(format!("report_probability must be in [0, 1), got {}", self.report_probability));
        }
        if self.max_block_size < 2 || self.random_pairs == 0 {
            return config("max_block_size must be at least 2 and random_pairs at least 1".to_owned());
        }
        Ok((id, indices))
    }
}
