//! Reading an analyst's search query into clauses: words, phrases, plates and plate patterns, dates
//! of birth, marker codes and crime references. The search service turns each clause into index
//! queries; see `SearchRequest` in `proto/orca/v1/analyst.proto` for the language as users see it.

use crate::analysis::{normalise_marker, normalise_plate};
use orca_model::PartialDate;

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 500;
/// Most clauses in one query.
pub const MAX_CLAUSES: usize = 24;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Clause {
    /// A word (lower case): matched exactly, by sound, by nickname, with typing errors.
    Word { word: String, fuzzy: bool },
    /// Words that must appear together in this order.
    Phrase(Vec<String>),
    /// A full plate: the mark itself, misreads of it, and one wrong character.
    Plate(String),
    /// A plate with `?` (one character) and `*` (any characters) wildcards.
    PlatePattern(String),
    /// A date of birth at some precision.
    Date(PartialDate),
    /// A forensic-marker code, normalised.
    Marker(String),
    /// A police crime reference, as typed (upper case, no spaces).
    Reference(String),
    /// An ORCA id: an incident (`INC-…`), person (`P…`), vehicle (`V…`) or group (`G…`).
    Id(String),
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("the query is longer than {MAX_QUERY_CHARS} characters")]
    TooLong,
    #[error("the query has more than {MAX_CLAUSES} terms; search for fewer at once")]
    TooManyTerms,
    #[error("`{0}` is not a date: use 1990-04-12, 12/04/1990, 04/1990 or 1990")]
    BadDate(String),
}

/// A query read into clauses (none for an empty query, which lists by the filters alone).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    pub clauses: Vec<Clause>,
}

impl ParsedQuery {
    pub fn parse(text: &str) -> Result<Self, QueryError> {
        if text.chars().count() > MAX_QUERY_CHARS {
            return Err(QueryError::TooLong);
        }
        let mut clauses = Vec::new();
        let tokens = tokens(text);
        let mut i = 0;
        while i < tokens.len() {
            let token = &tokens[i];
            if token.quoted {
                let words = plain_words(&token.text);
                match words.len() {
                    0 => {}
                    1 => clauses.push(Clause::Word { word: words[0].clone(), fuzzy: false }),
                    _ => clauses.push(Clause::Phrase(words)),
                }
                i += 1;
                continue;
            }
            // `AB12 CDE`: a current-format plate typed with its space.
            if let Some(next) = tokens.get(i + 1).filter(|t| !t.quoted)
                && is_plate_head(&token.text)
                && is_plate_tail(&next.text)
            {
                let plate = normalise_plate(&format!("{}{}", token.text, next.text));
                clauses.push(if plate.contains(['?', '*']) {
                    Clause::PlatePattern(plate)
                } else {
                    Clause::Plate(plate)
                });
                i += 2;
                continue;
            }
            clauses.extend(read_token(&token.text)?);
            i += 1;
        }
        if clauses.len() > MAX_CLAUSES {
            return Err(QueryError::TooManyTerms);
        }
        Ok(Self { clauses })
    }

    pub fn is_empty(&self) -> bool {
        self.clauses.is_empty()
    }
}

struct Token {
    text: String,
    quoted: bool,
}

/// Whitespace-separated tokens; `"…"` is one quoted token (an unclosed quote runs to the end).
fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' if quoted => {
                out.push(Token { text: std::mem::take(&mut current), quoted: true });
                quoted = false;
            }
            '"' => {
                if !current.is_empty() {
                    out.push(Token { text: std::mem::take(&mut current), quoted: false });
                }
                quoted = true;
            }
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    out.push(Token { text: std::mem::take(&mut current), quoted: false });
                }
            }
            c if c.is_control() => {}
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(Token { text: current, quoted });
    }
    out
}

/// Lower-case words of letters and digits.
pub fn plain_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

fn is_plate_head(text: &str) -> bool {
    let t: Vec<char> = text.chars().collect();
    t.len() == 4
        && t[..2].iter().all(|c| c.is_ascii_alphabetic() || *c == '?')
        && t[2..].iter().all(|c| c.is_ascii_digit() || *c == '?')
}

fn is_plate_tail(text: &str) -> bool {
    let t: Vec<char> = text.chars().collect();
    (1..=3).contains(&t.len()) && t.iter().all(|c| c.is_ascii_alphabetic() || *c == '?' || *c == '*')
}

/// `INC-` and 16 hex digits, or `P`, `V` or `G` and 8 digits.
fn is_orca_id(text: &str) -> bool {
    if let Some(hex) = text.strip_prefix("INC-") {
        return hex.len() == 16 && hex.chars().all(|c| c.is_ascii_hexdigit());
    }
    let mut chars = text.chars();
    matches!(chars.next(), Some('P' | 'V' | 'G')) && text.len() == 9 && chars.all(|c| c.is_ascii_digit())
}

fn read_token(text: &str) -> Result<Vec<Clause>, QueryError> {
    if is_orca_id(text) {
        return Ok(vec![Clause::Id(text.to_owned())]);
    }
    if let Some(stem) = text.strip_suffix('~') {
        return Ok(plain_words(stem).into_iter().map(|word| Clause::Word { word, fuzzy: true }).collect());
    }
    if looks_like_date(text) {
        return parse_date(text).map(|d| vec![Clause::Date(d)]).ok_or_else(|| QueryError::BadDate(text.to_owned()));
    }
    let has_digit = text.chars().any(|c| c.is_ascii_digit());
    let has_letter = text.chars().any(|c| c.is_ascii_alphabetic());
    if text.contains('/') && has_digit {
        return Ok(vec![Clause::Reference(text.to_uppercase())]);
    }
    if text.contains(['?', '*']) {
        let plate = normalise_plate(text);
        if plate.chars().filter(char::is_ascii_alphanumeric).count() >= 2 {
            return Ok(vec![Clause::PlatePattern(plate)]);
        }
        return Ok(Vec::new());
    }
    if text.contains('-') && has_digit && has_letter {
        return Ok(vec![Clause::Marker(normalise_marker(text))]);
    }
    let compact: String = text.chars().filter(char::is_ascii_alphanumeric).collect();
    let mut clauses = Vec::new();
    if has_digit && has_letter && (2..=8).contains(&compact.len()) && compact.len() == text.chars().count() {
        clauses.push(Clause::Plate(compact.to_uppercase()));
    }
    clauses.extend(plain_words(text).into_iter().map(|word| Clause::Word { word, fuzzy: false }));
    Ok(clauses)
}

fn looks_like_date(text: &str) -> bool {
    let digits_and = |allowed: char| text.chars().all(|c| c.is_ascii_digit() || c == allowed);
    let digits = text.chars().filter(char::is_ascii_digit).count();
    (text.len() == 4 && digits == 4 && (1900..=2035).contains(&text.parse::<u32>().unwrap_or(0)))
        || (digits_and('-') && text.contains('-') && digits >= 6)
        || (digits_and('/') && text.matches('/').count() >= 1 && digits >= 5)
}

/// `1990-04-12`, `1990-04`, `1990`, `12/04/1990` (day first, as in the UK) or `04/1990`.
pub fn parse_date(text: &str) -> Option<PartialDate> {
    if text.contains('/') {
        let parts: Vec<&str> = text.split('/').collect();
        let iso = match parts.as_slice() {
            [day, month, year] if year.len() == 4 => format!("{year}-{month:0>2}-{day:0>2}"),
            [month, year] if year.len() == 4 => format!("{year}-{month:0>2}"),
            _ => return None,
        };
        return PartialDate::parse(&iso).ok();
    }
    PartialDate::parse(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Vec<Clause> {
        ParsedQuery::parse(text).expect(text).clauses
    }

    fn word(w: &str) -> Clause {
        Clause::Word { word: w.into(), fuzzy: false }
    }

    #[test]
    fn words_phrases_and_fuzzy_words() {
        assert_eq!(parse("Kyle  Brennan"), [word("kyle"), word("brennan")]);
        assert_eq!(parse("\"lined bag\" razors"), [Clause::Phrase(vec!["lined".into(), "bag".into()]), word("razors")]);
        assert_eq!(parse("brenan~"), [Clause::Word { word: "brenan".into(), fuzzy: true }]);
        assert_eq!(
            parse("\"unclosed phrase here"),
            [Clause::Phrase(vec!["unclosed".into(), "phrase".into(), "here".into()])]
        );
        assert!(parse("  ").is_empty());
    }

    #[test]
    fn plates_patterns_markers_references_and_dates() {
        assert_eq!(parse("AB12 CDE"), [Clause::Plate("AB12CDE".into())]);
        assert_eq!(parse("ab12cde"), [Clause::Plate("AB12CDE".into()), word("ab12cde")]);
        assert_eq!(parse("AB12?CD"), [Clause::PlatePattern("AB12?CD".into())]);
        assert_eq!(parse("AB12*"), [Clause::PlatePattern("AB12*".into())]);
        assert_eq!(parse("AB?? ?XE"), [Clause::PlatePattern("AB???XE".into())]);
        assert_eq!(parse("SW-1234-abcd"), [Clause::Marker("SW1234ABCD".into())]);
        assert_eq!(parse("WM/12345/26"), [Clause::Reference("WM/12345/26".into())]);
        assert_eq!(
            parse("INC-00ff00ff00ff00ff P00000012"),
            [Clause::Id("INC-00ff00ff00ff00ff".into()), Clause::Id("P00000012".into())]
        );
        let date = |t: &str| Clause::Date(PartialDate::parse(t).unwrap());
        assert_eq!(parse("12/04/1990"), [date("1990-04-12")]);
        assert_eq!(parse("4/1990 1990-04-12 1990"), [date("1990-04"), date("1990-04-12"), date("1990")]);
    }

    #[test]
    fn bad_dates_and_oversized_queries_are_refused() {
        assert_eq!(ParsedQuery::parse("31/02/1990"), Err(QueryError::BadDate("31/02/1990".into())));
        assert_eq!(ParsedQuery::parse(&"a".repeat(MAX_QUERY_CHARS + 1)), Err(QueryError::TooLong));
        let many = (0..MAX_CLAUSES + 1).map(|i| format!("w{i}x")).collect::<Vec<_>>().join(" ");
        assert!(matches!(ParsedQuery::parse(&many), Err(QueryError::TooManyTerms)));
    }
}
