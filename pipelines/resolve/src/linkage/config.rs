//! Settings for linking or deduplicating tabular records, in the manner of Splink's settings: the
//! id column, a comparison kind per other column, and blocking rules.

use serde::{Deserialize, Serialize};

/// How one column is compared; each kind has its own levels (see [`ColumnKind::levels`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ColumnKind {
    /// A person's name (given or family): exact (term-frequency adjusted), nickname or variant,
    /// Jaro-Winkler 0.92, phonetic, initial, Jaro-Winkler 0.80, different.
    Name,
    /// A date (`YYYY-MM-DD`, `YYYY-MM`, `YYYY` or `DD/MM/YYYY`): exact, day and month swapped, one
    /// digit off, year and month, year, year ±1, different.
    Date,
    /// Equal or not (sex, a code, a category).
    Exact,
    /// Free text by word overlap: Jaccard 0.8, 0.5, 0.2, different.
    Text,
    /// A UK postcode: exact, same sector, same district, same area, different.
    Postcode,
    /// A number: exact, within 1%, within 10%, different.
    Numeric,
}

impl ColumnKind {
    pub fn levels(self) -> &'static [&'static str] {
        match self {
            // A name or date column is compared as the resolver compares given names and dates of birth.
            ColumnKind::Name => &crate::person::compare::given::NAMES,
            ColumnKind::Date => &crate::person::compare::dob::NAMES,
            ColumnKind::Exact => &["equal", "different"],
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
}

/// A blocking rule: records are compared when they agree on every part. A part is a column name,
/// optionally with a transform: `surname:phonetic`, `first_name:initial`, `dob:year`,
/// `postcode:district`, `name:first3`.
pub type BlockingRule = Vec<String>;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinkageConfig {
    /// The column holding each record's unique id.
    pub id_column: String,
    /// Compared columns; columns of the input not named here are ignored.
    pub columns: Vec<ColumnConfig>,
    pub blocking_rules: Vec<BlockingRule>,
    /// Pairs of compared columns that change together (a postcode and an address both change
    /// when a person moves), each compared as one, so one change is not counted twice against a
    /// pair: `[["postcode", "address"]]`. Default none.
    pub joint: Vec<[String; 2]>,
    /// Pairs at or above this probability are linked. Default 0.9.
    pub link_probability: f64,
    /// Scored pairs at or above this probability are reported. Default 0.5.
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
}

impl Default for LinkageConfig {
    fn default() -> Self {
        Self {
            id_column: "id".to_owned(),
            columns: Vec::new(),
            blocking_rules: Vec::new(),
            joint: Vec::new(),
            link_probability: 0.9,
            report_probability: 0.5,
            max_block_size: 10_000,
            random_pairs: 1_000_000,
            em_iterations: 25,
            cannot_link_weight: -10.0,
            seed: 1,
        }
    }
}

/// A bad configuration or a malformed input row.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LinkageError {
    #[error("config: {0}")]
    Config(String),
    #[error("line {line}: {message}")]
    Row { line: u64, message: String },
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
        }
        if self.blocking_rules.is_empty() {
            return config("name at least one blocking rule (comparing every pair does not scale)".to_owned());
        }
        for rule in &self.blocking_rules {
            if rule.is_empty() {
                return config("a blocking rule needs at least one column".to_owned());
            }
            for part in rule {
                let (name, transform) = part.split_once(':').unwrap_or((part.as_str(), ""));
                if !self.columns.iter().any(|c| c.name == name) {
                    return config(format!("blocking rule uses `{name}`, which is not a compared column"));
                }
                if !matches!(transform, "" | "phonetic" | "initial" | "year" | "district" | "sector" | "first3") {
                    return config(format!(
                        "blocking rule part `{part}` has unknown transform `{transform}` (phonetic, initial, year, district, sector, first3)"
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
        if !(self.link_probability > 0.0 && self.link_probability < 1.0) {
            return config(format!("link_probability must be in (0, 1), got {}", self.link_probability));
        }
        if self.max_block_size < 2 || self.random_pairs == 0 {
            return config("max_block_size must be at least 2 and random_pairs at least 1".to_owned());
        }
        Ok((id, indices))
    }
}
