//! Marking what matched in a search hit. The index matches names by sound, nickname and typing
//! errors, plates by misreads and patterns; a highlighter that only knew exact terms would mark
//! nothing in most hits, so the query's clauses are turned into matchers that know the same rules.

use crate::analysis::{name_words, nickname_keys, phonetic_codes, plate_skeleton};
use crate::query::{Clause, ParsedQuery};
use orca_resolve::names::normalise;

/// Characters of context kept around the first match of a long text.
const FRAGMENT_CHARS: usize = 160;

/// How the text of a field is compared with the query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// Names and aliases: exact, sound-alike, nickname, typing errors.
    Name,
    /// Free text: exact words and phrases (fuzzy words when asked).
    Text,
    /// Plates: exact, misreads, patterns.
    Plate,
    /// Dates of birth, marker codes and references: exact.
    Code,
}

/// A fragment of a field with matched byte ranges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Highlight {
    pub fragment: String,
    pub ranges: Vec<(usize, usize)>,
}

struct Word {
    word: String,
    normalised: String,
    distance: usize,
    fuzzy: bool,
    sounds: Vec<String>,
    nicknames: Vec<String>,
}

/// What a query matches, ready to mark fields.
pub struct Highlighter {
    words: Vec<Word>,
    plates: Vec<(String, String)>,
    patterns: Vec<Vec<char>>,
    codes: Vec<String>,
}

/// Typing errors allowed in a word of this many characters.
pub fn allowed_distance(chars: usize, fuzzy: bool) -> usize {
    match (chars, fuzzy) {
        (0..=3, false) => 0,
        (0..=2, true) => 0,
        (4..=7, false) | (3..=5, true) => 1,
        _ => 2,
    }
}

impl Highlighter {
    pub fn new(query: &ParsedQuery) -> Self {
        let mut highlighter = Self { words: Vec::new(), plates: Vec::new(), patterns: Vec::new(), codes: Vec::new() };
        let mut add_word = |word: &str, fuzzy: bool| {
            let normalised = name_words(word).join("");
            highlighter.words.push(Word {
                word: word.to_lowercase(),
                distance: allowed_distance(normalised.chars().count(), fuzzy),
                fuzzy,
                sounds: phonetic_codes(&normalised),
                nicknames: nickname_keys(&normalised),
                normalised,
            });
        };
        for clause in &query.clauses {
            match clause {
                Clause::Word { word, fuzzy } => add_word(word, *fuzzy),
                Clause::Phrase(words) => words.iter().for_each(|w| add_word(w, false)),
                _ => {}
            }
        }
        for clause in &query.clauses {
            match clause {
                Clause::Plate(plate) => highlighter.plates.push((plate.clone(), plate_skeleton(plate))),
                Clause::PlatePattern(pattern) => highlighter.patterns.push(pattern.chars().collect()),
                Clause::Date(date) => highlighter.codes.push(date.to_string()),
                Clause::Marker(code) | Clause::Reference(code) => highlighter.codes.push(code.clone()),
                Clause::Id(_) => {}
                Clause::Word { .. } | Clause::Phrase(_) => {}
            }
        }
        highlighter
    }

    /// The matched parts of `text`, with context when it is long; `None` when nothing matched.
    pub fn highlight(&self, kind: FieldKind, text: &str) -> Option<Highlight> {
        let ranges: Vec<(usize, usize)> =
            spans(text).filter(|&(start, end)| self.matches(kind, &text[start..end])).collect();
        let first = ranges.first()?.0;
        if text.chars().count() <= FRAGMENT_CHARS {
            return Some(Highlight { fragment: text.to_owned(), ranges });
        }
        let start = floor_boundary(text, first.saturating_sub(FRAGMENT_CHARS / 3));
        let end = floor_boundary(text, (start + FRAGMENT_CHARS).min(text.len()));
        let fragment = text[start..end].to_owned();
        let ranges =
            ranges.into_iter().filter(|&(s, e)| s >= start && e <= end).map(|(s, e)| (s - start, e - start)).collect();
        Some(Highlight { fragment, ranges })
    }

    fn matches(&self, kind: FieldKind, token: &str) -> bool {
        match kind {
            FieldKind::Name => {
                let token = normalise(token).replace(' ', "");
                !token.is_empty()
                    && self.words.iter().any(|w| {
                        w.normalised == token
                            || strsim::levenshtein(&w.normalised, &token) <= w.distance
                            || (!w.sounds.is_empty() && phonetic_codes(&token).iter().any(|c| w.sounds.contains(c)))
                            || (!w.nicknames.is_empty()
                                && nickname_keys(&token).iter().any(|n| w.nicknames.contains(n)))
                    })
            }
            FieldKind::Text => {
                let token = token.to_lowercase();
                self.words
                    .iter()
                    .any(|w| w.word == token || (w.fuzzy && strsim::levenshtein(&w.word, &token) <= w.distance))
            }
            FieldKind::Plate => {
                let token = token.to_uppercase();
                self.plates.iter().any(|(plate, skeleton)| {
                    *plate == token || plate_skeleton(&token) == *skeleton || strsim::levenshtein(plate, &token) <= 1
                }) || self.patterns.iter().any(|p| pattern_matches(p, &token.chars().collect::<Vec<_>>()))
            }
            FieldKind::Code => {
                let token = token.to_uppercase();
                self.codes
                    .iter()
                    .any(|c| c.eq_ignore_ascii_case(&token) || c.replace('-', "") == token.replace('-', ""))
            }
        }
    }
}

/// Byte spans of the words of a text: runs of letters, digits and the characters inside codes,
/// plates and dates (`'`, `-`, `/`, `?`).
fn spans(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let inside = |c: char| c.is_alphanumeric() || matches!(c, '\'' | '’' | '-' | '/' | '?');
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        while let Some(&(_, c)) = chars.peek() {
            if inside(c) {
                break;
            }
            chars.next();
        }
        let (start, _) = *chars.peek()?;
        let mut end = start;
        while let Some(&(i, c)) = chars.peek() {
            if !inside(c) {
                break;
            }
            end = i + c.len_utf8();
            chars.next();
        }
        Some((start, end))
    })
}

/// `?` is one character, `*` any number.
fn pattern_matches(pattern: &[char], text: &[char]) -> bool {
    match (pattern.first(), text.first()) {
        (None, None) => true,
        (Some('*'), _) => {
            pattern_matches(&pattern[1..], text) || (!text.is_empty() && pattern_matches(pattern, &text[1..]))
        }
        (Some('?'), Some(_)) => pattern_matches(&pattern[1..], &text[1..]),
        (Some(p), Some(t)) if p == t => pattern_matches(&pattern[1..], &text[1..]),
        _ => false,
    }
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(query: &str, kind: FieldKind, text: &str) -> Vec<String> {
        let highlighter = Highlighter::new(&ParsedQuery::parse(query).unwrap());
        let Some(h) = highlighter.highlight(kind, text) else { return Vec::new() };
        h.ranges.iter().map(|&(s, e)| h.fragment[s..e].to_owned()).collect()
    }

    #[test]
    fn names_match_by_nickname_sound_and_typing_errors() {
        assert_eq!(marked("bob smyth", FieldKind::Name, "Robert Smith"), ["Robert", "Smith"]);
        assert_eq!(marked("brenan", FieldKind::Name, "Kyle Brennan; K. O'Brennan"), ["Brennan"]);
        assert_eq!(marked("obrien", FieldKind::Name, "Sean O'Brien"), ["O'Brien"]);
        assert!(marked("kyle", FieldKind::Name, "Dean Moss").is_empty());
    }

    #[test]
    fn plates_match_misreads_and_patterns_and_long_text_is_cut_around_the_match() {
        assert_eq!(marked("A812CDE", FieldKind::Plate, "AB12CDE, XY99ZZZ"), ["AB12CDE"]);
        assert_eq!(marked("AB12*", FieldKind::Plate, "AB12CDE AB13CDE"), ["AB12CDE"]);
        let narrative = format!("{} took razor blades {}", "x ".repeat(200), "y ".repeat(200));
        let h = Highlighter::new(&ParsedQuery::parse("razor").unwrap()).highlight(FieldKind::Text, &narrative).unwrap();
        assert!(h.fragment.len() <= FRAGMENT_CHARS && h.fragment.contains("razor"));
        assert_eq!(&h.fragment[h.ranges[0].0..h.ranges[0].1], "razor");
    }
}
