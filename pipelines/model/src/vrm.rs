//! Vehicle registration marks (VRMs): normalisation, format classification, misread-aware repair
//! candidates and partial patterns with wildcards. The raw read is always kept by the caller; nothing
//! here overwrites it.
//!
//! Formats (`docs/domain.md`): current `AB12CDE` (since 2001), prefix `A123BCD` (1983-2001), suffix
//! `ABC123D` (1963-1983), dateless (1-3 letters and 1-4 digits, either way round), Northern Ireland
//! (an optional letter, a two-letter code containing I or Z, 1-4 digits) and foreign plates (any
//! mark with a country other than GB).

use regex::Regex;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::sync::LazyLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum VrmFormat {
    Current,
    Prefix,
    Suffix,
    Dateless,
    NorthernIreland,
    Foreign,
    /// A partial read with `?` (one character) or `*` (any run) wildcards.
    Partial,
    /// Not a recognisable mark: kept raw and flagged, with repair candidates where there are any.
    #[default]
    Unrecognised,
}

impl VrmFormat {
    /// Whether the format is a complete UK mark.
    pub fn is_complete_uk(self) -> bool {
        matches!(
            self,
            VrmFormat::Current
                | VrmFormat::Prefix
                | VrmFormat::Suffix
                | VrmFormat::Dateless
                | VrmFormat::NorthernIreland
        )
    }
}

static CURRENT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[A-HJ-PR-Y]{2}[0-9]{2}[A-HJ-PR-Z]{3}$").unwrap());
static PREFIX: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[A-HJ-NPR-Y][1-9][0-9]{0,2}[A-HJ-PR-Y]{3}$").unwrap());
static SUFFIX: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[A-HJ-PR-Y]{3}[1-9][0-9]{0,2}[A-HJ-NPR-Y]$").unwrap());
static NORTHERN_IRELAND: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Z]?(?:[A-Z][IZ]|[IZ][A-Z])[0-9]{1,4}$").unwrap());
static DATELESS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:[A-Z]{1,3}[0-9]{1,4}|[0-9]{1,4}[A-Z]{1,3})$").unwrap());

/// Upper case, with spaces, dashes and dots removed; `*` and `?` kept as wildcards, `_` read as `?`.
pub fn normalise(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '.' | '·'))
        .map(|c| if c == '_' { '?' } else { c.to_ascii_uppercase() })
        .collect()
}

/// Whether the country names the UK (or is not stated).
fn is_uk(country: &str) -> bool {
    matches!(country.trim().to_ascii_uppercase().as_str(), "" | "GB" | "UK" | "GBR")
}

/// Classifies a normalised mark. `country` is the ISO code of a foreign plate, empty for UK.
pub fn classify(normalised: &str, country: &str) -> VrmFormat {
    if normalised.contains(['?', '*']) {
        return VrmFormat::Partial;
    }
    if !is_uk(country) {
        return if normalised.is_empty() || !normalised.chars().all(|c| c.is_ascii_alphanumeric()) {
            VrmFormat::Unrecognised
        } else {
            VrmFormat::Foreign
        };
    }
    if CURRENT.is_match(normalised) {
        // Age identifiers 00, 01 and 50 were never issued.
        return if matches!(&normalised[2..4], "00" | "01" | "50") {
            VrmFormat::Unrecognised
        } else {
            VrmFormat::Current
        };
    }
    if PREFIX.is_match(normalised) {
        VrmFormat::Prefix
    } else if SUFFIX.is_match(normalised) {
        VrmFormat::Suffix
    } else if NORTHERN_IRELAND.is_match(normalised) {
        VrmFormat::NorthernIreland
    } else if DATELESS.is_match(normalised) {
        VrmFormat::Dateless
    } else {
        VrmFormat::Unrecognised
    }
}

/// Characters that cameras and witnesses confuse (`docs/domain.md`), as groups.
const CONFUSABLE_GROUPS: &[&str] = &["0ODQ", "1I", "2Z", "5S", "8B3", "6G", "VY", "TY", "EF", "PF", "HKMR"];

/// Characters commonly misread as `c`, excluding `c` itself.
pub fn confusables(c: char) -> impl Iterator<Item = char> {
    let mut out = BTreeSet::new();
    for group in CONFUSABLE_GROUPS {
        if group.contains(c) {
            out.extend(group.chars().filter(|&o| o != c));
        }
    }
    out.into_iter()
}

/// Whether two characters are a known misread pair.
pub fn is_confusable(a: char, b: char) -> bool {
    a != b && CONFUSABLE_GROUPS.iter().any(|g| g.contains(a) && g.contains(b))
}

/// A mark as parsed at ingest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedVrm {
    pub normalised: String,
    pub format: VrmFormat,
    /// For an unrecognised read: valid UK marks it may be a misread of, likeliest first.
    pub candidates: Vec<String>,
}

/// Normalises and classifies a raw read; an unrecognised UK read gets repair candidates.
pub fn parse(raw: &str, country: &str) -> ParsedVrm {
    let normalised = normalise(raw);
    let format = classify(&normalised, country);
    let candidates = if format == VrmFormat::Unrecognised && is_uk(country) {
        misread_candidates(&normalised, 5)
    } else {
        Vec::new()
    };
    ParsedVrm { normalised, format, candidates }
}

/// Valid UK marks within two confusable substitutions of `normalised`, ranked by number of
/// substitutions, then by format (current marks first), then alphabetically. Excludes the input.
/// Substitutions are tried position by position, so a current mark's positions 3-4 are repaired to
/// digits and the others to letters.
pub fn misread_candidates(normalised: &str, max: usize) -> Vec<String> {
    let chars: Vec<char> = normalised.chars().collect();
    if chars.is_empty() || chars.len() > 8 {
        return Vec::new();
    }
    let mut ranked: BTreeSet<(usize, VrmFormat, String)> = BTreeSet::new();
    let mut consider = |candidate: &[char], substitutions: usize| {
        let text: String = candidate.iter().collect();
        let format = classify(&text, "");
        if text != normalised && format.is_complete_uk() && format != VrmFormat::Dateless {
            ranked.insert((substitutions, format, text));
        }
    };
    let mut work = chars.clone();
    for i in 0..chars.len() {
        for a in confusables(chars[i]) {
            work[i] = a;
            consider(&work, 1);
            for j in (i + 1)..chars.len() {
                for b in confusables(chars[j]) {
                    work[j] = b;
                    consider(&work, 2);
                }
                work[j] = chars[j];
            }
        }
        work[i] = chars[i];
    }
    ranked.into_iter().take(max).map(|(_, _, text)| text).collect()
}

/// Edit distance where substituting a known misread pair costs 0.25 and any other edit costs 1.
/// Two reads of one plate by different cameras are usually within 0.5; different plates rarely are.
pub fn misread_distance(a: &str, b: &str) -> f64 {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<f64> = (0..=b.len()).map(|j| j as f64).collect();
    let mut current = vec![0.0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i as f64;
        for j in 1..=b.len() {
            let substitution = if a[i - 1] == b[j - 1] {
                0.0
            } else if is_confusable(a[i - 1], b[j - 1]) {
                0.25
            } else {
                1.0
            };
            current[j] = (previous[j - 1] + substitution).min(previous[j] + 1.0).min(current[j - 1] + 1.0);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// A partial read with wildcards: `?` stands for one unknown character, `*` for any run of them.
/// `"AB?? ?XE"` and `"K*"` are patterns. Match patterns only against known vehicles, and link them
/// to a person only with corroboration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartialPattern {
    pattern: Vec<char>,
}

impl PartialPattern {
    /// Parses a raw partial read; `None` if it has no wildcard or no known character.
    pub fn parse(raw: &str) -> Option<Self> {
        let pattern: Vec<char> = normalise(raw).chars().collect();
        let has_wildcard = pattern.iter().any(|c| matches!(c, '?' | '*'));
        let has_known = pattern.iter().any(char::is_ascii_alphanumeric);
        (has_wildcard && has_known).then_some(Self { pattern })
    }

    /// Number of characters the pattern pins down; a pattern with few is weak evidence.
    pub fn known_characters(&self) -> usize {
        self.pattern.iter().filter(|c| c.is_ascii_alphanumeric()).count()
    }

    /// Whether a normalised complete mark fits the pattern.
    pub fn matches(&self, vrm: &str) -> bool {
        let text: Vec<char> = vrm.chars().collect();
        glob(&self.pattern, &text)
    }

    pub fn as_string(&self) -> String {
        self.pattern.iter().collect()
    }
}

fn glob(pattern: &[char], text: &[char]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some(('*', rest)) => (0..=text.len()).any(|skip| glob(rest, &text[skip..])),
        Some((&p, rest)) => {
            text.split_first().is_some_and(|(&t, text_rest)| (p == '?' || p == t) && glob(rest, text_rest))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_spaces_and_separators() {
        assert_eq!(normalise(" ab12 cde "), "AB12CDE");
        assert_eq!(normalise("ab-12.cde"), "AB12CDE");
        assert_eq!(normalise("ab__ ?xe"), "AB???XE");
    }

    #[test]
    fn classifies_each_uk_format() {
        assert_eq!(classify("AB12CDE", ""), VrmFormat::Current);
        assert_eq!(classify("AB51CDE", ""), VrmFormat::Current);
        assert_eq!(classify("A123BCD", ""), VrmFormat::Prefix);
        assert_eq!(classify("ABC123D", ""), VrmFormat::Suffix);
        assert_eq!(classify("AIZ1234", ""), VrmFormat::NorthernIreland);
        assert_eq!(classify("ABZ99", ""), VrmFormat::NorthernIreland);
        assert_eq!(classify("A1", ""), VrmFormat::Dateless);
        assert_eq!(classify("1234AB", ""), VrmFormat::Dateless);
        assert_eq!(classify("AB??CDE", ""), VrmFormat::Partial);
    }

    #[test]
    fn rejects_letters_never_issued_and_unissued_age_identifiers() {
        assert_eq!(classify("IB12CDE", ""), VrmFormat::Unrecognised, "I never in positions 1-2");
        assert_eq!(classify("AB12CDQ", ""), VrmFormat::Unrecognised, "Q never in positions 5-7");
        assert_eq!(classify("AB00CDE", ""), VrmFormat::Unrecognised, "00 never issued");
        assert_eq!(classify("AB50CDE", ""), VrmFormat::Unrecognised, "50 never issued");
        assert_eq!(classify("HELLO!", ""), VrmFormat::Unrecognised);
    }

    #[test]
    fn foreign_plates_keep_their_country() {
        assert_eq!(classify("WX4711", "DE"), VrmFormat::Foreign);
        assert_eq!(classify("AB12CDE", "GB"), VrmFormat::Current);
    }

    #[test]
    fn unrecognised_reads_are_repaired_by_position() {
        // A camera read the digits of a current mark as letters: positions 3-4 must be digits.
        let parsed = parse("AB1Z CDE", "");
        assert_eq!(parsed.format, VrmFormat::Unrecognised);
        assert_eq!(parsed.candidates.first().map(String::as_str), Some("AB12CDE"));
        let parsed = parse("AB O5 CDE", "");
        assert!(parsed.candidates.contains(&"AB05CDE".to_owned()), "{:?}", parsed.candidates);
    }

    #[test]
    fn valid_reads_get_no_repairs_but_can_list_misreads() {
        assert!(parse("AB12CDE", "").candidates.is_empty());
        let near = misread_candidates("AB12CDE", 50);
        assert!(near.contains(&"AB12CDF".to_owned()), "E/F misread");
        assert!(!near.contains(&"AB12CDE".to_owned()), "input excluded");
    }

    #[test]
    fn misread_distance_is_cheap_for_confusable_pairs() {
        assert_eq!(misread_distance("AB12CDE", "AB12CDE"), 0.0);
        assert_eq!(misread_distance("AB12CDE", "AB12CDF"), 0.25);
        assert_eq!(misread_distance("AB12CDE", "AB12CDX"), 1.0);
        assert_eq!(misread_distance("AB12CDE", "AB12CD"), 1.0);
        assert!(misread_distance("8B12CDE", "BB12CDE") < 0.5);
    }

    #[test]
    fn partial_patterns_match_known_marks_only_where_they_fit() {
        let pattern = PartialPattern::parse("AB?? ?XE").expect("pattern");
        assert_eq!(pattern.as_string(), "AB???XE");
        assert!(pattern.matches("AB12CXE"));
        assert!(!pattern.matches("AB12CXF"));
        assert!(!pattern.matches("AB12CXEE"));
        assert_eq!(pattern.known_characters(), 4);
        let starts_k = PartialPattern::parse("K*").expect("pattern");
        assert!(starts_k.matches("KX12ABC") && !starts_k.matches("AK12ABC"));
        assert_eq!(PartialPattern::parse("AB12CDE"), None, "no wildcard");
        assert_eq!(PartialPattern::parse("???"), None, "nothing known");
    }
}
