//! How `orca` ends: status 0 when everything was done, 1 when the run failed, and for `orca
//! ingest` 2 when it finished but some records were rejected (each kept with its reasons), so a
//! retailer's cron job can tell the three apart.

/// Some records were rejected; the rest went in.
pub const SOME_REJECTED: u8 = 2;

/// A run that finished, but not wholly: `message` says what, and the process exits with `code`.
#[derive(Debug)]
pub struct Unfinished {
    pub code: u8,
    pub message: String,
}

impl std::fmt::Display for Unfinished {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Unfinished {}
