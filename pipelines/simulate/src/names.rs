//! Names: frequency-weighted UK given and family names (Anglo, Irish, South Asian, Arabic, Polish and
//! Romanian among them), so common-name collisions happen as they do in real data; nicknames,
//! spelling variants and street names; and the slips people make writing a name down.
//! Weights are rough relative frequencies among adults, not census figures.

use crate::random::{Weighted, pick};
use rand::Rng;
use std::sync::LazyLock;

pub(crate) const MALE_GIVEN: &[(&str, f64)] = &[
    ("John", 40.0),
    ("David", 38.0),
    ("Michael", 34.0),
    ("James", 34.0),
    ("Paul", 28.0),
    ("Mark", 26.0),
    ("Daniel", 26.0),
    ("Christopher", 24.0),
    ("Thomas", 22.0),
    ("Matthew", 22.0),
    ("Andrew", 22.0),
    ("Robert", 20.0),
    ("Richard", 18.0),
    ("Steven", 18.0),
    ("Lee", 14.0),
    ("Craig", 12.0),
    ("Ryan", 16.0),
    ("Jamie", 12.0),
    ("Liam", 14.0),
    ("Jack", 14.0),
    ("Connor", 10.0),
    ("Kyle", 9.0),
    ("Jordan", 10.0),
    ("Joshua", 12.0),
    ("Lewis", 9.0),
    ("Callum", 8.0),
    ("Adam", 12.0),
    ("William", 14.0),
    ("Anthony", 12.0),
    ("Joseph", 11.0),
    ("Kevin", 9.0),
    ("Darren", 9.0),
    ("Wayne", 7.0),
    ("Dean", 7.0),
    ("Gary", 8.0),
    ("Stephen", 9.0),
    ("Sean", 8.0),
    ("Patrick", 7.0),
    ("Samuel", 9.0),
    ("Benjamin", 8.0),
    ("Alexander", 7.0),
    ("Nicholas", 6.0),
    ("Edward", 5.0),
    ("Charles", 4.0),
    ("Jonathan", 6.0),
    ("Mohammed", 16.0),
    ("Muhammad", 12.0),
    ("Ali", 6.0),
    ("Ahmed", 6.0),
    ("Omar", 5.0),
    ("Hassan", 4.0),
    ("Bilal", 4.0),
    ("Imran", 4.0),
    ("Tariq", 3.0),
    ("Abdul", 5.0),
    ("Ibrahim", 4.0),
    ("Yusuf", 4.0),
    ("Piotr", 4.0),
    ("Tomasz", 4.0),
    ("Marcin", 3.0),
    ("Krzysztof", 3.0),
    ("Andrei", 4.0),
    ("Ionut", 3.0),
    ("Florin", 3.0),
    ("Mihai", 3.0),
    ("Gheorghe", 2.0),
    ("Kofi", 2.0),
    ("Tyrone", 3.0),
    ("Dwayne", 2.0),
];

pub(crate) const FEMALE_GIVEN: &[(&str, f64)] = &[
    ("Sarah", 30.0),
    ("Emma", 26.0),
    ("Laura", 24.0),
    ("Rebecca", 20.0),
    ("Gemma", 16.0),
    ("Amy", 18.0),
    ("Jessica", 16.0),
    ("Hannah", 14.0),
    ("Chloe", 14.0),
    ("Lauren", 14.0),
    ("Stacey", 10.0),
    ("Kelly", 10.0),
    ("Michelle", 12.0),
    ("Nicola", 12.0),
    ("Lisa", 14.0),
    ("Claire", 14.0),
    ("Danielle", 10.0),
    ("Jade", 10.0),
    ("Samantha", 10.0),
    ("Charlotte", 12.0),
    ("Kirsty", 6.0),
    ("Leanne", 7.0),
    ("Natalie", 8.0),
    ("Shannon", 6.0),
    ("Chelsea", 5.0),
    ("Elizabeth", 8.0),
    ("Victoria", 8.0),
    ("Jennifer", 7.0),
    ("Fatima", 8.0),
    ("Aisha", 6.0),
    ("Amina", 4.0),
    ("Zainab", 3.0),
    ("Maria", 8.0),
    ("Anna", 7.0),
    ("Ioana", 3.0),
    ("Elena", 4.0),
    ("Agnieszka", 3.0),
    ("Katarzyna", 3.0),
    ("Bridget", 3.0),
    ("Shanice", 2.0),
];

pub(crate) const FAMILY: &[(&str, f64)] = &[
    ("Smith", 126.0),
    ("Jones", 100.0),
    ("Williams", 80.0),
    ("Taylor", 70.0),
    ("Brown", 67.0),
    ("Davies", 63.0),
    ("Evans", 47.0),
    ("Wilson", 47.0),
    ("Thomas", 45.0),
    ("Johnson", 43.0),
    ("Roberts", 43.0),
    ("Robinson", 38.0),
    ("Thompson", 38.0),
    ("Wright", 37.0),
    ("Walker", 36.0),
    ("White", 36.0),
    ("Edwards", 33.0),
    ("Hughes", 33.0),
    ("Green", 33.0),
    ("Hall", 32.0),
    ("Lewis", 32.0),
    ("Harris", 31.0),
    ("Clarke", 30.0),
    ("Patel", 30.0),
    ("Jackson", 30.0),
    ("Wood", 28.0),
    ("Turner", 27.0),
    ("Martin", 27.0),
    ("Cooper", 26.0),
    ("Hill", 26.0),
    ("Ward", 26.0),
    ("Morris", 25.0),
    ("Moore", 25.0),
    ("Clark", 25.0),
    ("Lee", 24.0),
    ("King", 24.0),
    ("Baker", 23.0),
    ("Harrison", 23.0),
    ("Morgan", 22.0),
    ("Allen", 22.0),
    ("James", 22.0),
    ("Scott", 22.0),
    ("Phillips", 21.0),
    ("Watson", 21.0),
    ("Davis", 21.0),
    ("Parker", 20.0),
    ("Price", 20.0),
    ("Bennett", 19.0),
    ("Young", 19.0),
    ("Griffiths", 19.0),
    ("Mitchell", 18.0),
    ("Kelly", 18.0),
    ("Cook", 18.0),
    ("Carter", 18.0),
    ("Richardson", 17.0),
    ("Bailey", 17.0),
    ("Collins", 17.0),
    ("Bell", 17.0),
    ("Shaw", 17.0),
    ("Murphy", 17.0),
    ("Miller", 17.0),
    ("Cox", 16.0),
    ("Richards", 16.0),
    ("Khan", 16.0),
    ("Marshall", 16.0),
    ("Anderson", 16.0),
    ("Simpson", 15.0),
    ("Ellis", 15.0),
    ("Adams", 15.0),
    ("Singh", 15.0),
    ("Begum", 14.0),
    ("Wilkinson", 14.0),
    ("Foster", 14.0),
    ("Chapman", 14.0),
    ("Powell", 14.0),
    ("Webb", 14.0),
    ("Rogers", 14.0),
    ("Gray", 14.0),
    ("Mason", 14.0),
    ("Ali", 14.0),
    ("Hunt", 14.0),
    ("Hussain", 14.0),
    ("Campbell", 14.0),
    ("Matthews", 14.0),
    ("Owen", 14.0),
    ("Palmer", 14.0),
    ("Holmes", 13.0),
    ("Mills", 13.0),
    ("Barnes", 13.0),
    ("Knight", 13.0),
    ("Lloyd", 13.0),
    ("Butler", 13.0),
    ("Russell", 13.0),
    ("Fisher", 13.0),
    ("Stevens", 13.0),
    ("Jenkins", 13.0),
    ("Murray", 13.0),
    ("Dixon", 13.0),
    ("Ahmed", 12.0),
    ("Shah", 8.0),
    ("Kaur", 8.0),
    ("Rahman", 8.0),
    ("Akhtar", 6.0),
    ("Iqbal", 6.0),
    ("Mahmood", 6.0),
    ("Nowak", 4.0),
    ("Kowalski", 3.0),
    ("Wisniewski", 3.0),
    ("Popescu", 3.0),
    ("Ionescu", 2.0),
    ("Popa", 2.0),
    ("Stan", 2.0),
    ("O'Brien", 6.0),
    ("O'Neill", 6.0),
    ("McDonald", 8.0),
    ("Doherty", 5.0),
    ("McCann", 4.0),
    ("Quinn", 5.0),
    ("Connors", 3.0),
    ("Joyce", 3.0),
    ("Stokes", 3.0),
    ("Mensah", 2.0),
    ("Okafor", 2.0),
    ("Thomson", 5.0),
];

/// Nicknames people go by, for given names that have them.
const NICKNAMES: &[(&str, &[&str])] = &[
    ("William", &["Bill", "Billy", "Will"]),
    ("James", &["Jim", "Jimmy", "Jamie"]),
    ("Anthony", &["Tony", "Ant"]),
    ("David", &["Dave", "Davey"]),
    ("Mohammed", &["Mo"]),
    ("Muhammad", &["Mo"]),
    ("Michael", &["Mike", "Mick", "Micky"]),
    ("Robert", &["Rob", "Bob", "Robbie"]),
    ("Richard", &["Rich", "Rick", "Richie"]),
    ("Thomas", &["Tom", "Tommy"]),
    ("Christopher", &["Chris"]),
    ("Daniel", &["Dan", "Danny"]),
    ("Joseph", &["Joe", "Joey"]),
    ("Steven", &["Steve"]),
    ("Stephen", &["Steve"]),
    ("Matthew", &["Matt"]),
    ("Andrew", &["Andy", "Drew"]),
    ("Patrick", &["Pat", "Paddy"]),
    ("Jonathan", &["Jon"]),
    ("Samuel", &["Sam", "Sammy"]),
    ("Benjamin", &["Ben"]),
    ("Alexander", &["Alex"]),
    ("Nicholas", &["Nick"]),
    ("Edward", &["Ed", "Eddie", "Ted"]),
    ("Charles", &["Charlie"]),
    ("Kevin", &["Kev"]),
    ("Darren", &["Daz", "Dazza"]),
    ("Gary", &["Gaz"]),
    ("Ibrahim", &["Ibby"]),
    ("Joshua", &["Josh"]),
    ("Krzysztof", &["Krzys"]),
    ("Elizabeth", &["Liz", "Beth", "Lizzie"]),
    ("Rebecca", &["Becky", "Becca"]),
    ("Samantha", &["Sam", "Sammy"]),
    ("Jessica", &["Jess"]),
    ("Nicola", &["Nicky"]),
    ("Katarzyna", &["Kasia"]),
    ("Agnieszka", &["Aga"]),
    ("Danielle", &["Dani"]),
    ("Natalie", &["Nat"]),
    ("Charlotte", &["Charlie", "Lottie"]),
    ("Victoria", &["Vicky", "Tori"]),
    ("Jennifer", &["Jen", "Jenny"]),
];

/// Spellings people use interchangeably; a reporter may write any of a set.
const SPELLING_VARIANTS: &[&[&str]] = &[
    &["Mohammed", "Mohammad", "Muhammad", "Mohamed", "Mohamad"],
    &["Steven", "Stephen"],
    &["Sean", "Shaun", "Shawn"],
    &["Ahmed", "Ahmad"],
    &["Hussain", "Hussein", "Husain"],
    &["Clarke", "Clark"],
    &["Davies", "Davis"],
    &["Thompson", "Thomson"],
    &["Phillips", "Philips"],
    &["McDonald", "MacDonald"],
    &["Kowalski", "Kowalsky"],
    &["Wisniewski", "Wisnewski"],
    &["Claire", "Clare"],
    &["Jon", "John"],
    &["Gray", "Grey"],
    &["O'Brien", "OBrien", "O Brien"],
    &["O'Neill", "ONeill", "O'Neil"],
    &["Ionut", "Ionuț"],
    &["Aisha", "Ayesha"],
    &["Fatima", "Fatma"],
];

/// Names used on the street, given as aliases.
const STREET_NAMES: &[&str] = &[
    "Tiny", "Smudge", "Chalky", "Scouse", "Lefty", "Bam", "Spud", "Nutty", "Ginge", "Taff", "Dodger", "Skinny", "Prof",
    "Jonno", "Gaz", "Mac",
];

pub(crate) static MALE_TABLE: LazyLock<Weighted> = LazyLock::new(|| Weighted::new(MALE_GIVEN.iter().map(|n| n.1)));
pub(crate) static FEMALE_TABLE: LazyLock<Weighted> = LazyLock::new(|| Weighted::new(FEMALE_GIVEN.iter().map(|n| n.1)));
pub(crate) static FAMILY_TABLE: LazyLock<Weighted> = LazyLock::new(|| Weighted::new(FAMILY.iter().map(|n| n.1)));

pub(crate) fn nicknames(given: &str) -> &'static [&'static str] {
    NICKNAMES.iter().find(|(name, _)| *name == given).map(|(_, n)| *n).unwrap_or(&[])
}

pub(crate) fn street_name<R: Rng + ?Sized>(rng: &mut R) -> &'static str {
    STREET_NAMES[rng.random_range(0..STREET_NAMES.len())]
}

/// A name as a careless or rushed reporter writes it: a known spelling variant where there is one,
/// otherwise a typing slip (a letter dropped, doubled, swapped with its neighbour, or a vowel
/// changed). Never returns the input unchanged for names of three letters or more.
pub(crate) fn misspell<R: Rng + ?Sized>(rng: &mut R, name: &str) -> String {
    if let Some(variants) = SPELLING_VARIANTS.iter().find(|set| set.contains(&name)) {
        let others: Vec<&str> = variants.iter().copied().filter(|v| *v != name).collect();
        if !others.is_empty() && rng.random_bool(0.7) {
            return pick(rng, &others).to_string();
        }
    }
    let chars: Vec<char> = name.chars().collect();
    if chars.len() < 3 {
        return name.to_owned();
    }
    // Slips stay off the first letter, which people rarely get wrong.
    let at = rng.random_range(1..chars.len());
    let mut out = chars.clone();
    match rng.random_range(0..4) {
        0 => {
            out.remove(at);
        }
        1 => out.insert(at, chars[at]),
        2 if at + 1 < chars.len() && chars[at] != chars[at + 1] => out.swap(at, at + 1),
        _ => {
            let vowels = ['a', 'e', 'i', 'o', 'u', 'y'];
            let replacement = *pick(rng, &vowels);
            if chars[at].is_ascii_lowercase() && chars[at] != replacement {
                out[at] = replacement;
            } else {
                out.insert(at, chars[at]);
            }
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::{Purpose, rng_for};

    #[test]
    fn misspellings_change_the_name_but_keep_it_recognisable() {
        let mut rng = rng_for(1, Purpose::Render, 0);
        for name in ["Williams", "Smith", "Patel", "Wisniewski", "Mohammed"] {
            for _ in 0..50 {
                let slip = misspell(&mut rng, name);
                assert_ne!(slip, name);
                assert_eq!(slip.chars().next(), name.chars().next(), "{name} -> {slip}");
                assert!(strsim_like_distance(&slip, name) <= 3, "{name} -> {slip}");
            }
        }
    }

    #[test]
    fn common_names_dominate_the_tables() {
        let mut rng = rng_for(2, Purpose::Render, 0);
        let smiths = (0..10_000).filter(|_| FAMILY[FAMILY_TABLE.pick(&mut rng)].0 == "Smith").count();
        assert!((300..700).contains(&smiths), "about 5% are Smiths, got {smiths}");
        assert_eq!(nicknames("William"), ["Bill", "Billy", "Will"]);
    }

    fn strsim_like_distance(a: &str, b: &str) -> usize {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        let mut previous: Vec<usize> = (0..=b.len()).collect();
        for i in 1..=a.len() {
            let mut current = vec![i; b.len() + 1];
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                current[j] = (previous[j - 1] + cost).min(previous[j] + 1).min(current[j - 1] + 1);
            }
            previous = current;
        }
        previous[b.len()]
    }
}
