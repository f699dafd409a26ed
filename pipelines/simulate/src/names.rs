//! Names: frequency-weighted UK given and family names in several naming traditions (British and
//! Irish, South Asian, Polish, Romanian, West African), so common-name collisions happen as they do
//! in real data ("John Smith", "Mohammed Khan"); nicknames, spelling variants and street names; and
//! the slips people make writing a name down.

use crate::random::{Weighted, pick};
use rand::Rng;
use std::sync::LazyLock;

/// A naming tradition: its share of people and its names as `Name:weight`, rough relative
/// frequencies among adults (a `f` after the weight marks a family name used only by women).
/// The shares follow the population of the UK roughly; they say nothing about offending.
struct Heritage {
    share: f64,
    male: &'static str,
    female: &'static str,
    family: &'static str,
}

const HERITAGES: &[Heritage] = &[
    Heritage {
        share: 0.82,
        male: "John:40 David:38 Michael:34 James:34 Paul:28 Mark:26 Daniel:26 Christopher:24 Thomas:22 \
               Matthew:22 Andrew:22 Robert:20 Richard:18 Steven:18 Lee:14 Craig:12 Ryan:16 Jamie:12 Liam:14 \
               Jack:14 Connor:10 Kyle:9 Jordan:10 Joshua:12 Lewis:9 Callum:8 Adam:12 William:14 Anthony:12 \
               Joseph:11 Kevin:9 Darren:9 Wayne:7 Dean:7 Gary:8 Stephen:9 Sean:8 Patrick:7 Samuel:9 \
               Benjamin:8 Alexander:7 Nicholas:6 Edward:5 Charles:4 Jonathan:6 Tyrone:3 Dwayne:2",
        female: "Sarah:30 Emma:26 Laura:24 Rebecca:20 Gemma:16 Amy:18 Jessica:16 Hannah:14 Chloe:14 Lauren:14 \
                 Stacey:10 Kelly:10 Michelle:12 Nicola:12 Lisa:14 Claire:14 Danielle:10 Jade:10 Samantha:10 \
                 Charlotte:12 Kirsty:6 Leanne:7 Natalie:8 Shannon:6 Chelsea:5 Elizabeth:8 Victoria:8 \
                 Jennifer:7 Bridget:3 Shanice:2 Maria:3",
        family: "Smith:126 Jones:100 Williams:80 Taylor:70 Brown:67 Davies:63 Evans:47 Wilson:47 Thomas:45 \
                 Johnson:43 Roberts:43 Robinson:38 Thompson:38 Wright:37 Walker:36 White:36 Edwards:33 \
                 Hughes:33 Green:33 Hall:32 Lewis:32 Harris:31 Clarke:30 Jackson:30 Wood:28 Turner:27 \
                 Martin:27 Cooper:26 Hill:26 Ward:26 Morris:25 Moore:25 Clark:25 Lee:24 King:24 Baker:23 \
                 Harrison:23 Morgan:22 Allen:22 James:22 Scott:22 Phillips:21 Watson:21 Davis:21 Parker:20 \
                 Price:20 Bennett:19 Young:19 Griffiths:19 Mitchell:18 Kelly:18 Cook:18 Carter:18 \
                 Richardson:17 Bailey:17 Collins:17 Bell:17 Shaw:17 Murphy:17 Miller:17 Cox:16 Richards:16 \
                 Marshall:16 Anderson:16 Simpson:15 Ellis:15 Adams:15 Wilkinson:14 Foster:14 Chapman:14 \
                 Powell:14 Webb:14 Rogers:14 Gray:14 Mason:14 Hunt:14 Campbell:14 Matthews:14 Owen:14 \
                 Palmer:14 Holmes:13 Mills:13 Barnes:13 Knight:13 Lloyd:13 Butler:13 Russell:13 Fisher:13 \
                 Stevens:13 Jenkins:13 Murray:13 Dixon:13 O'Brien:6 O'Neill:6 McDonald:8 Doherty:5 McCann:4 \
                 Quinn:5 Connors:3 Joyce:3 Stokes:3 Thomson:5",
    },
    Heritage {
        share: 0.055,
        male: "Mohammed:30 Muhammad:24 Ali:10 Ahmed:10 Omar:8 Hassan:7 Bilal:6 Imran:7 Tariq:5 Abdul:8 \
               Ibrahim:6 Yusuf:6 Amir:5",
        female: "Fatima:10 Aisha:8 Amina:6 Zainab:5 Ayesha:4 Nadia:5 Sana:4 Samina:3",
        family: "Khan:30 Ali:16 Hussain:16 Ahmed:14 Shah:10 Rahman:9 Akhtar:7 Iqbal:7 Mahmood:7 Chaudhry:5 \
                 Begum:14f",
    },
    Heritage {
        share: 0.035,
        male: "Rajesh:6 Sunil:5 Amit:6 Gurpreet:5 Harjit:4 Sanjay:5 Vikram:4 Ravi:5",
        female: "Priya:6 Anjali:4 Harpreet:5 Sunita:4 Pooja:4 Neha:4",
        family: "Patel:30 Singh:20 Sharma:8 Gill:6 Sandhu:5 Mistry:5 Kaur:14f",
    },
    Heritage {
        share: 0.03,
        male: "Piotr:8 Tomasz:8 Marcin:6 Krzysztof:6 Jakub:5 Pawel:5 Michal:5",
        female: "Agnieszka:6 Katarzyna:6 Anna:8 Magdalena:5 Joanna:4",
        family: "Nowak:10 Kowalski:8 Wisniewski:6 Lewandowski:5 Zielinski:4 Kaminski:4 Wojcik:4",
    },
    Heritage {
        share: 0.03,
        male: "Andrei:8 Ionut:6 Florin:6 Mihai:6 Gheorghe:4 Constantin:4 Marius:5",
        female: "Ioana:6 Elena:7 Maria:8 Andreea:5 Mihaela:4",
        family: "Popescu:8 Ionescu:6 Popa:6 Stan:5 Dumitru:5 Radu:4 Stoica:3",
    },
    Heritage {
        share: 0.03,
        male: "Kofi:5 Kwame:5 Emeka:4 Chinedu:4 Samuel:5 Daniel:4 Joseph:4",
        female: "Ama:4 Chioma:4 Ngozi:4 Grace:5 Blessing:4",
        family: "Mensah:6 Okafor:5 Adeyemi:5 Owusu:5 Boateng:4 Osei:4",
    },
];

/// Polish family names take a feminine form.
const FEMININE_FORMS: &[(&str, &str)] = &[
    ("Kowalski", "Kowalska"),
    ("Wisniewski", "Wisniewska"),
    ("Lewandowski", "Lewandowska"),
    ("Zielinski", "Zielinska"),
    ("Kaminski", "Kaminska"),
];

/// A parsed list of names with its picker.
struct NameList {
    names: Vec<&'static str>,
    table: Weighted,
}

impl NameList {
    /// Parses `Name:weight` entries; `keep` sees whether an entry is marked women-only.
    fn parse(text: &'static str, keep: impl Fn(bool) -> bool) -> Self {
        let mut names = Vec::new();
        let mut weights = Vec::new();
        for entry in text.split_whitespace() {
            let (name, weight) = entry.split_once(':').expect("name lists are `Name:weight`");
            let women_only = weight.ends_with('f');
            if keep(women_only) {
                names.push(name);
                weights.push(weight.trim_end_matches('f').parse::<f64>().expect("numeric weight"));
            }
        }
        Self { names, table: Weighted::new(weights) }
    }

    fn pick<R: Rng + ?Sized>(&self, rng: &mut R) -> &'static str {
        self.names[self.table.pick(rng)]
    }
}

struct HeritageNames {
    male: NameList,
    female: NameList,
    family_of_men: NameList,
    family_of_women: NameList,
}

/// Every name list, parsed once.
pub(crate) struct NameBook {
    shares: Weighted,
    heritages: Vec<HeritageNames>,
}

pub(crate) static NAMES: LazyLock<NameBook> = LazyLock::new(|| NameBook {
    shares: Weighted::new(HERITAGES.iter().map(|h| h.share)),
    heritages: HERITAGES
        .iter()
        .map(|h| HeritageNames {
            male: NameList::parse(h.male, |_| true),
            female: NameList::parse(h.female, |_| true),
            family_of_men: NameList::parse(h.family, |women_only| !women_only),
            family_of_women: NameList::parse(h.family, |_| true),
        })
        .collect(),
});

impl NameBook {
    /// A naming tradition, by share of the population.
    pub fn heritage<R: Rng + ?Sized>(&self, rng: &mut R) -> u8 {
        self.shares.pick(rng) as u8
    }

    pub fn given<R: Rng + ?Sized>(&self, rng: &mut R, heritage: u8, female: bool) -> &'static str {
        let names = &self.heritages[usize::from(heritage)];
        if female { names.female.pick(rng) } else { names.male.pick(rng) }
    }

    /// A family name in its base (masculine) form; see [`family_form`].
    pub fn family<R: Rng + ?Sized>(&self, rng: &mut R, heritage: u8, female: bool) -> &'static str {
        let names = &self.heritages[usize::from(heritage)];
        if female { names.family_of_women.pick(rng) } else { names.family_of_men.pick(rng) }
    }
}

/// The form of a family name a person uses (Polish women: Kowalska for Kowalski).
pub(crate) fn family_form(family: &'static str, female: bool) -> &'static str {
    if !female {
        return family;
    }
    FEMININE_FORMS.iter().find(|(base, _)| *base == family).map_or(family, |(_, feminine)| feminine)
}

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
        let smiths = (0..10_000)
            .filter(|_| {
                let heritage = NAMES.heritage(&mut rng);
                NAMES.family(&mut rng, heritage, false) == "Smith"
            })
            .count();
        assert!((250..600).contains(&smiths), "about 4% are Smiths, got {smiths}");
        let begums = (0..2_000).filter(|_| NAMES.family(&mut rng, 1, false) == "Begum").count();
        assert!((0..2_000).any(|_| NAMES.family(&mut rng, 1, true) == "Begum"));
        assert_eq!(begums, 0, "Begum is a woman's name");
        assert_eq!(family_form("Kowalski", true), "Kowalska");
        assert_eq!(family_form("Kowalski", false), "Kowalski");
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
