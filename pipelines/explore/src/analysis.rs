//! How names, dates and plates become search terms, the same way when a document is indexed and
//! when a query is read: normalised name words with their sound-alike codes and nickname groups,
//! dates of birth at every precision (and with day and month swapped), plates with confusable
//! characters folded together.

use orca_model::PartialDate;
use orca_resolve::names::{nickname_groups, normalise};
use orca_resolve::vehicle::features::fold_confusable;
use rphonetic::DoubleMetaphone;
use std::sync::LazyLock;

static METAPHONE: LazyLock<DoubleMetaphone> = LazyLock::new(DoubleMetaphone::default);

/// The words of a name, normalised (`O'Brien-Smith` → `obrien`, `smith`).
pub fn name_words(text: &str) -> Vec<String> {
    normalise(text).split(' ').filter(|w| !w.is_empty()).map(str::to_owned).collect()
}

/// Sound-alike codes of a normalised word (Double Metaphone, primary and alternate).
pub fn phonetic_codes(word: &str) -> Vec<String> {
    if word.len() < 2 {
        return Vec::new();
    }
    let codes = METAPHONE.double_metaphone(word);
    let mut out = vec![codes.primary()];
    let alternate = codes.alternate();
    if !alternate.is_empty() && alternate != out[0] {
        out.push(alternate);
    }
    out.retain(|c| !c.is_empty());
    out.iter().map(|c| format!("m{}", c.to_lowercase())).collect()
}

/// Nickname-group keys of a normalised given name (`bob` and `robert` share `n412`).
pub fn nickname_keys(word: &str) -> Vec<String> {
    nickname_groups(word).iter().map(|g| format!("n{g}")).collect()
}

/// Terms of a date of birth: the date at every precision it has (`1990-04-12`, `1990-04`,
/// `1990`).
pub fn date_terms(date: &PartialDate) -> Vec<String> {
    let mut terms = vec![format!("{:04}", date.year)];
    if let Some(month) = date.month {
        terms.push(format!("{:04}-{month:02}", date.year));
        if let Some(day) = date.day {
            terms.push(format!("{:04}-{month:02}-{day:02}", date.year));
        }
    }
    terms
}

/// The same date with day and month swapped, when that is a date too (`1990-04-12` → `1990-12-04`);
/// the commonest slip between British and American order.
pub fn swapped_date(date: &PartialDate) -> Option<String> {
    let (month, day) = (date.month?, date.day?);
    (month != day
        && day <= 12
        && chrono::NaiveDate::from_ymd_opt(i32::from(date.year), u32::from(day), u32::from(month)).is_some())
    .then(|| format!("{:04}-{day:02}-{month:02}", date.year))
}

/// A plate normalised for search: upper case letters and digits; `?` and `*` kept as wildcards.
pub fn normalise_plate(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '?' || *c == '*')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// A plate with the characters cameras and witnesses confuse folded together (0/O/D/Q, 1/I, 2/Z,
/// 5/S, 8/B/3, 6/G, V/Y/T, E/F/P, H/K/M/R), so one misread still finds the mark. Lower case, so it
/// never collides with a plate term.
pub fn plate_skeleton(plate: &str) -> String {
    plate.chars().map(|c| fold_confusable(c.to_ascii_uppercase()).to_ascii_lowercase()).collect()
}

/// A forensic-marker code normalised (`sw-1234 abcd` → `SW1234ABCD`).
pub fn normalise_marker(text: &str) -> String {
    orca_network::records::normalise_marker(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nicknames_and_sound_alikes_share_keys() {
        assert!(nickname_keys("bob").iter().any(|k| nickname_keys("robert").contains(k)));
        assert!(phonetic_codes("smyth").iter().any(|c| phonetic_codes("smith").contains(c)));
        assert_eq!(name_words("O'Brien-Smith "), ["obrien", "smith"]);
    }

    #[test]
    fn dates_index_every_precision_and_swap_day_and_month() {
        let date = PartialDate::parse("1990-04-12").unwrap();
        assert_eq!(date_terms(&date), ["1990", "1990-04", "1990-04-12"]);
        assert_eq!(swapped_date(&date).as_deref(), Some("1990-12-04"));
        assert_eq!(swapped_date(&PartialDate::parse("1990-04-13").unwrap()), None, "no 13th month");
        assert_eq!(date_terms(&PartialDate::parse("1990").unwrap()), ["1990"]);
    }

    #[test]
    fn one_misread_character_keeps_the_skeleton() {
        assert_eq!(plate_skeleton("AB12CDE"), plate_skeleton("A812CDE"));
        assert_eq!(plate_skeleton("AB12CDE"), plate_skeleton("AB1ZCOE"));
        assert_ne!(plate_skeleton("AB12CDE"), plate_skeleton("AB12CDA"));
        assert_eq!(normalise_plate("ab12 c?e"), "AB12C?E");
    }
}
