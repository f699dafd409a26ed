//! Names: normalisation (case, accents, punctuation), interning, phonetic codes, nickname groups and
//! term frequencies. Every distinct name is normalised and encoded once; comparisons then work on
//! small integer ids.

use crate::nicknames;
use rphonetic::DoubleMetaphone;
use rustc_hash::FxHashMap;
use std::sync::LazyLock;

/// The id of an interned name. [`NO_NAME`] stands for a missing one.
pub type NameId = u32;
pub const NO_NAME: NameId = u32::MAX;

/// Lower case ASCII letters and single spaces: accents folded (`é` → `e`, `ß` → `ss`), apostrophes
/// and dots dropped (`O'Brien` → `obrien`), hyphens and other separators turned into spaces.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match fold(c) {
            Folded::Keep(s) => out.push_str(s),
            Folded::Char(c) => out.push(c),
            Folded::Drop => {}
            Folded::Space => {
                if !out.is_empty() && !out.ends_with(' ') {
                    out.push(' ');
                }
            }
        }
    }
    while out.ends_with(' ') {
        out.pop();
    }
    out
}

enum Folded {
    Char(char),
    Keep(&'static str),
    Drop,
    Space,
}

fn fold(c: char) -> Folded {
    if c.is_ascii_alphabetic() {
        return Folded::Char(c.to_ascii_lowercase());
    }
    if c.is_ascii_digit() {
        return Folded::Drop;
    }
    match c {
        '\'' | '’' | '‘' | '`' | '.' => Folded::Drop,
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ą' | 'ă' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ą' | 'Ă' => {
            Folded::Char('a')
        }
        'æ' | 'Æ' => Folded::Keep("ae"),
        'ç' | 'ć' | 'č' | 'Ç' | 'Ć' | 'Č' => Folded::Char('c'),
        'ď' | 'đ' | 'Ď' | 'Đ' | 'ð' => Folded::Char('d'),
        'è' | 'é' | 'ê' | 'ë' | 'ę' | 'ě' | 'È' | 'É' | 'Ê' | 'Ë' | 'Ę' | 'Ě' => Folded::Char('e'),
        'ğ' | 'Ğ' => Folded::Char('g'),
        'ì' | 'í' | 'î' | 'ï' | 'ı' | 'İ' | 'Ì' | 'Í' | 'Î' | 'Ï' => Folded::Char('i'),
        'ł' | 'Ł' | 'ľ' | 'Ľ' => Folded::Char('l'),
        'ñ' | 'ń' | 'ň' | 'Ñ' | 'Ń' | 'Ň' => Folded::Char('n'),
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ő' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ő' => {
            Folded::Char('o')
        }
        'œ' | 'Œ' => Folded::Keep("oe"),
        'ř' | 'Ř' => Folded::Char('r'),
        'ś' | 'š' | 'ş' | 'ș' | 'Ś' | 'Š' | 'Ş' | 'Ș' => Folded::Char('s'),
        'ß' => Folded::Keep("ss"),
        'ť' | 'ţ' | 'ț' | 'Ť' | 'Ţ' | 'Ț' => Folded::Char('t'),
        'ù' | 'ú' | 'û' | 'ü' | 'ů' | 'ű' | 'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ů' | 'Ű' => Folded::Char('u'),
        'ý' | 'ÿ' | 'Ý' => Folded::Char('y'),
        'ź' | 'ż' | 'ž' | 'Ź' | 'Ż' | 'Ž' => Folded::Char('z'),
        'þ' | 'Þ' => Folded::Keep("th"),
        _ => Folded::Space,
    }
}

/// A person's name split for comparison: the first given name and the family name with its
/// separators removed (`Smith-Jones` → `smithjones`). Either may be empty.
pub fn split_person_name(given: &str, family: &str) -> (String, String) {
    let given = normalise(given);
    let first = given.split(' ').next().unwrap_or("").to_owned();
    let family: String = normalise(family).chars().filter(|c| *c != ' ').collect();
    (first, family)
}

/// An alias as written (`Johnny Smith`, `Smith, Johnny` or a street name like `Tiny`): the last
/// word is the family name, unless a comma puts it first; a single word is a given name only.
pub fn split_alias(alias: &str) -> (String, String) {
    if let Some((family, given)) = alias.split_once(',') {
        return split_person_name(given, family);
    }
    let normalised = normalise(alias);
    match normalised.rsplit_once(' ') {
        Some((given, family)) => split_person_name(given, family),
        None => (normalised, String::new()),
    }
}

static NICKNAMES: LazyLock<FxHashMap<&'static str, Vec<u16>>> = LazyLock::new(|| {
    let mut map: FxHashMap<&'static str, Vec<u16>> = FxHashMap::default();
    for (group, line) in nicknames::GROUPS.iter().enumerate() {
        for name in line.split_whitespace() {
            map.entry(name).or_default().push(group as u16);
        }
    }
    map
});

/// The nickname groups a normalised given name belongs to (`bob` and `robert` share one).
pub fn nickname_groups(name: &str) -> &'static [u16] {
    NICKNAMES.get(name).map_or(&[], Vec::as_slice)
}

/// Everything the resolver needs to know about one distinct name.
#[derive(Clone, Debug)]
pub struct NameInfo {
    pub text: Box<str>,
    /// Double Metaphone primary and alternate codes, hashed.
    pub phonetic: [u32; 2],
    pub nickname_groups: Box<[u16]>,
    /// Sightings that used this as a given name / as a family name (term frequencies).
    pub given_count: u32,
    pub family_count: u32,
}

impl NameInfo {
    pub fn phonetic_matches(&self, other: &NameInfo) -> bool {
        let [a1, a2] = self.phonetic;
        let [b1, b2] = other.phonetic;
        a1 == b1 || a1 == b2 || a2 == b1 || a2 == b2
    }

    pub fn shares_nickname_group(&self, other: &NameInfo) -> bool {
        self.nickname_groups.iter().any(|g| other.nickname_groups.contains(g))
    }

    pub fn is_initial(&self) -> bool {
        self.text.len() == 1
    }
}

/// Interned names with their codes and counts.
#[derive(Clone, Debug, Default)]
pub struct NameTable {
    ids: FxHashMap<Box<str>, NameId>,
    names: Vec<NameInfo>,
    /// Sightings counted in the term frequencies (given and family).
    pub given_total: u64,
    pub family_total: u64,
}

impl NameTable {
    /// The id of a normalised name, interning it; [`NO_NAME`] for an empty one.
    pub fn intern(&mut self, text: &str) -> NameId {
        if text.is_empty() {
            return NO_NAME;
        }
        if let Some(&id) = self.ids.get(text) {
            return id;
        }
        let id = self.names.len() as NameId;
        let encoder = DoubleMetaphone::default();
        let codes = encoder.double_metaphone(text);
        let phonetic = [hash32(&codes.primary()), hash32(&codes.alternate())];
        let nickname_groups = NICKNAMES.get(text).cloned().unwrap_or_default().into_boxed_slice();
        self.names.push(NameInfo { text: text.into(), phonetic, nickname_groups, given_count: 0, family_count: 0 });
        self.ids.insert(text.into(), id);
        id
    }

    pub fn lookup(&self, text: &str) -> Option<NameId> {
        self.ids.get(text).copied()
    }

    #[inline]
    pub fn get(&self, id: NameId) -> &NameInfo {
        &self.names[id as usize]
    }

    pub fn count_given(&mut self, id: NameId) {
        if id != NO_NAME {
            self.names[id as usize].given_count += 1;
            self.given_total += 1;
        }
    }

    pub fn count_family(&mut self, id: NameId) {
        if id != NO_NAME {
            self.names[id as usize].family_count += 1;
            self.family_total += 1;
        }
    }

    /// Takes back a [`NameTable::count_given`] (a disposed sighting's name).
    pub fn uncount_given(&mut self, id: NameId) {
        if id != NO_NAME {
            let info = &mut self.names[id as usize];
            info.given_count = info.given_count.saturating_sub(1);
            self.given_total = self.given_total.saturating_sub(1);
        }
    }

    /// Takes back a [`NameTable::count_family`].
    pub fn uncount_family(&mut self, id: NameId) {
        if id != NO_NAME {
            let info = &mut self.names[id as usize];
            info.family_count = info.family_count.saturating_sub(1);
            self.family_total = self.family_total.saturating_sub(1);
        }
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// FNV-1a, 32 bits: small, stable keys for codes.
pub fn hash32(text: &str) -> u32 {
    orca_model::hash::fnv1a32(text.as_bytes())
}

/// Jaro-Winkler similarity (strsim's definition), without allocating for names of up to 64 bytes
/// of ASCII; longer or non-ASCII text goes to strsim.
#[inline]
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if x.len() > 64 || y.len() > 64 || !a.is_ascii() || !b.is_ascii() {
        return strsim::jaro_winkler(a, b);
    }
    let jaro = jaro_ascii(x, y);
    if jaro <= 0.7 {
        return jaro;
    }
    let prefix = x.iter().zip(y).take(4).take_while(|(p, q)| p == q).count();
    jaro + 0.1 * prefix as f64 * (1.0 - jaro)
}

fn jaro_ascii(a: &[u8], b: &[u8]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut a_flags = 0u64;
    let mut b_flags = 0u64;
    let mut matches = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        let start = i.saturating_sub(window);
        let end = (i + window + 1).min(b.len());
        for (j, &cb) in b.iter().enumerate().take(end).skip(start) {
            if b_flags & (1 << j) == 0 && cb == ca {
                a_flags |= 1 << i;
                b_flags |= 1 << j;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut j = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        if a_flags & (1 << i) == 0 {
            continue;
        }
        while b_flags & (1 << j) == 0 {
            j += 1;
        }
        if ca != b[j] {
            transpositions += 1;
        }
        j += 1;
    }
    let m = matches as f64;
    (m / a.len() as f64 + m / b.len() as f64 + (m - (transpositions / 2) as f64) / m) / 3.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jaro_winkler_agrees_with_strsim() {
        let words = [
            "",
            "a",
            "smith",
            "smyth",
            "jonathan",
            "jonathon",
            "martha",
            "marhta",
            "dwayne",
            "duane",
            "dixon",
            "dicksonx",
            "kowalczyk",
            "kowalczyck",
            "ab",
            "ba",
        ];
        for a in words {
            for b in words {
                let (ours, theirs) = (jaro_winkler(a, b), strsim::jaro_winkler(a, b));
                assert!((ours - theirs).abs() < 1e-12, "{a} {b}: {ours} vs {theirs}");
            }
        }
    }

    #[test]
    fn normalisation_folds_accents_case_and_punctuation() {
        assert_eq!(normalise("  José  O'Brien-Łukasz "), "jose obrien lukasz");
        assert_eq!(normalise("MÜLLER"), "muller");
        assert_eq!(normalise("Straße"), "strasse");
        assert_eq!(split_person_name("John Paul", "Smith-Jones"), ("john".into(), "smithjones".into()));
    }

    #[test]
    fn aliases_split_into_given_and_family() {
        assert_eq!(split_alias("Johnny Smith"), ("johnny".into(), "smith".into()));
        assert_eq!(split_alias("Smith, Johnny"), ("johnny".into(), "smith".into()));
        assert_eq!(split_alias("Tiny"), ("tiny".into(), String::new()));
    }

    #[test]
    fn names_intern_once_with_codes_and_nickname_groups() {
        let mut table = NameTable::default();
        let bob = table.intern("bob");
        let robert = table.intern("robert");
        assert_eq!(table.intern("bob"), bob);
        assert!(table.get(bob).shares_nickname_group(table.get(robert)));
        let smith = table.intern("smith");
        let smyth = table.intern("smyth");
        assert!(table.get(smith).phonetic_matches(table.get(smyth)));
        assert_eq!(table.intern(""), NO_NAME);
        let mo = table.intern("mohammed");
        let mu = table.intern("muhammad");
        assert!(table.get(mo).shares_nickname_group(table.get(mu)), "transliteration variants");
    }
}
