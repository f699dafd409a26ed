//! Synthetic person records for the linkage benchmarks: Zipf-distributed names, dates of birth,
//! sex, postcode and address, 30% of people with 2-4 noisy records (typos, nicknames, swapped or
//! changed dates of birth, missing values, moves), with the true person of every record.
//!
//! Columns of each row: id, first_name, surname, dob, sex, postcode, address.

use orca_resolve::linkage::{ColumnConfig, ColumnKind, LinkageConfig, Row};

/// The CSV header of the records.
pub const HEADER: [&str; 7] = ["id", "first_name", "surname", "dob", "sex", "postcode", "address"];

pub fn header() -> Vec<String> {
    HEADER.iter().map(|s| s.to_string()).collect()
}

/// How `link-records` is configured for these records: a column kind per field, postcode and
/// address compared jointly, and blocking on (first name, surname), (surname, dob), (first name,
/// dob) and (postcode, surname initial).
///
/// `ORCA_LINK_SETTINGS='{"max_block_size": 100000}'` (JSON) overrides any other setting, for
/// experiments.
pub fn config() -> LinkageConfig {
    let config = base_config();
    let Ok(text) = std::env::var("ORCA_LINK_SETTINGS") else {
        return config;
    };
    let overrides: serde_json::Value = serde_json::from_str(&text).expect("ORCA_LINK_SETTINGS is JSON");
    let mut merged = serde_json::to_value(&config).expect("config as JSON");
    for (key, value) in overrides.as_object().expect("ORCA_LINK_SETTINGS is a JSON object") {
        merged[key] = value.clone();
    }
    serde_json::from_value(merged).expect("ORCA_LINK_SETTINGS names linkage settings")
}

fn base_config() -> LinkageConfig {
    let column = |name: &str, kind| ColumnConfig::new(name, kind);
    LinkageConfig {
        id_column: "id".into(),
        columns: vec![
            column("first_name", ColumnKind::Name),
            column("surname", ColumnKind::Name),
            column("dob", ColumnKind::Date),
            column("sex", ColumnKind::Exact),
            column("postcode", ColumnKind::Postcode),
            column("address", ColumnKind::Text),
        ],
        blocking_rules: vec![
            vec!["first_name".into(), "surname".into()],
            vec!["surname".into(), "dob".into()],
            vec!["first_name".into(), "dob".into()],
            vec!["postcode".into(), "surname:initial".into()],
        ],
        // A move changes both.
        joint: vec![["postcode".into(), "address".into()]],
        ..Default::default()
    }
}

const GIVEN: &[&str] = &[
    "oliver",
    "george",
    "harry",
    "jack",
    "jacob",
    "noah",
    "charlie",
    "muhammad",
    "thomas",
    "oscar",
    "william",
    "james",
    "leo",
    "alfie",
    "henry",
    "joshua",
    "freddie",
    "archie",
    "ethan",
    "isaac",
    "alexander",
    "joseph",
    "edward",
    "samuel",
    "max",
    "logan",
    "lucas",
    "daniel",
    "theo",
    "arthur",
    "mohammed",
    "harrison",
    "benjamin",
    "mason",
    "finley",
    "sebastian",
    "adam",
    "dylan",
    "zachary",
    "riley",
    "teddy",
    "theodore",
    "david",
    "toby",
    "jake",
    "louie",
    "elijah",
    "reuben",
    "arlo",
    "hugo",
    "olivia",
    "amelia",
    "isla",
    "ava",
    "emily",
    "isabella",
    "mia",
    "poppy",
    "ella",
    "lily",
    "evie",
    "grace",
    "sophia",
    "sophie",
    "freya",
    "charlotte",
    "daisy",
    "alice",
    "ruby",
    "florence",
    "jessica",
    "sienna",
    "willow",
    "evelyn",
    "phoebe",
    "matilda",
    "elsie",
    "rosie",
    "harper",
    "millie",
    "ivy",
    "erin",
    "layla",
    "eva",
    "chloe",
    "emma",
    "lucy",
    "holly",
    "esme",
    "maya",
    "imogen",
    "scarlett",
    "elizabeth",
    "robert",
    "michael",
    "john",
    "paul",
    "mark",
    "stephen",
    "andrew",
    "peter",
    "susan",
    "sarah",
    "karen",
    "helen",
    "julie",
    "claire",
    "lisa",
    "piotr",
    "andrei",
    "mihai",
    "aisha",
    "fatima",
    "priya",
    "ravi",
    "arjun",
    "chen",
    "wei",
    "kwame",
    "abdul",
    "omar",
];
const FAMILY_STEMS: &[&str] = &[
    "smith",
    "jones",
    "taylor",
    "brown",
    "williams",
    "wilson",
    "johnson",
    "davies",
    "robinson",
    "wright",
    "thompson",
    "evans",
    "walker",
    "white",
    "roberts",
    "green",
    "hall",
    "wood",
    "jackson",
    "clarke",
    "patel",
    "khan",
    "lewis",
    "james",
    "phillips",
    "mason",
    "mitchell",
    "rose",
    "davis",
    "rodriguez",
    "cox",
    "alexander",
    "morgan",
    "moore",
    "martin",
    "price",
    "baker",
    "hughes",
    "turner",
    "edwards",
    "hill",
    "cooper",
    "ward",
    "harris",
    "king",
    "lee",
    "scott",
    "young",
    "allen",
    "carter",
    "bennett",
    "shaw",
    "murphy",
    "kelly",
    "campbell",
    "stewart",
    "anderson",
    "murray",
    "reid",
    "kaur",
    "singh",
    "ali",
    "ahmed",
    "hussain",
    "begum",
    "nowak",
    "kowalski",
    "popescu",
    "nguyen",
    "okafor",
    "mensah",
    "osei",
];
const FAMILY_SUFFIXES: &[&str] =
    &["", "", "", "", "son", "ley", "ton", "field", "worth", "ford", "by", "well", "er", "ham"];
const STREETS: &[&str] = &[
    "high street",
    "station road",
    "church lane",
    "victoria road",
    "park avenue",
    "mill lane",
    "green lane",
    "manor road",
    "the crescent",
    "kings road",
    "queens road",
    "new road",
    "school lane",
    "london road",
    "york road",
    "albert street",
    "grove road",
    "north street",
    "south street",
    "west way",
];
const NICKNAMES: &[(&str, &str)] = &[
    ("william", "bill"),
    ("robert", "bob"),
    ("michael", "mike"),
    ("james", "jim"),
    ("thomas", "tom"),
    ("alexander", "alex"),
    ("elizabeth", "liz"),
    ("samuel", "sam"),
    ("daniel", "dan"),
    ("joseph", "joe"),
];

/// SplitMix64, with the draws the generator needs.
struct Rng(orca_model::hash::SplitMix64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    /// Skewed towards the front of a list, like real name frequencies.
    fn zipf(&mut self, n: usize) -> usize {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((n as f64).powf(u) - 1.0) as usize % n
    }
}

fn typo(rng: &mut Rng, word: &str) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    if chars.len() < 3 {
        return word.to_owned();
    }
    let at = 1 + rng.below(chars.len() - 1);
    match rng.below(3) {
        0 => {
            chars.remove(at);
        }
        1 => chars.insert(at, chars[at - 1]),
        _ => chars.swap(at - 1, at),
    }
    chars.into_iter().collect()
}

/// `records` rows (ids `r0`, `r1`, ...) and the true person (cluster id) of each, deterministic in `seed`.
pub fn people(records: usize, seed: u64) -> (Vec<Row>, Vec<u32>) {
    let mut rng = Rng(orca_model::hash::SplitMix64::new(seed));
    let mut rows = Vec::with_capacity(records);
    let mut truth = Vec::with_capacity(records);
    let mut person = 0u32;
    while rows.len() < records {
        person += 1;
        let given = GIVEN[rng.zipf(GIVEN.len())].to_owned();
        let family = format!(
            "{}{}",
            FAMILY_STEMS[rng.zipf(FAMILY_STEMS.len())],
            FAMILY_SUFFIXES[rng.below(FAMILY_SUFFIXES.len())]
        );
        let (year, month, day) = (1940 + rng.below(66), 1 + rng.below(12), 1 + rng.below(28));
        let sex = if rng.chance(0.5) { "m" } else { "f" };
        let area = ["B", "CV", "LS", "M", "NE", "BS", "L", "S", "NG", "LE", "SW", "E", "N", "SE", "W"][rng.zipf(15)];
        let mut postcode = format!(
            "{area}{} {}{}{}",
            1 + rng.below(30),
            rng.below(10),
            (b'A' + rng.below(26) as u8) as char,
            (b'A' + rng.below(26) as u8) as char
        );
        let mut street = format!("{} {}", 1 + rng.below(200), STREETS[rng.below(STREETS.len())]);
        let copies = if rng.chance(0.3) { 2 + rng.below(3) } else { 1 };
        for copy in 0..copies {
            if rows.len() >= records {
                break;
            }
            let mut g = given.clone();
            let mut f = family.clone();
            let mut dob = format!("{year}-{month:02}-{day:02}");
            let mut s = sex.to_owned();
            if copy > 0 {
                if rng.chance(0.1) {
                    f = typo(&mut rng, &f);
                }
                if rng.chance(0.08) {
                    g = typo(&mut rng, &g);
                }
                if rng.chance(0.05)
                    && let Some((_, nick)) = NICKNAMES.iter().find(|(full, _)| *full == g)
                {
                    g = (*nick).to_owned();
                }
                if rng.chance(0.03) && day <= 12 {
                    dob = format!("{year}-{day:02}-{month:02}");
                } else if rng.chance(0.03) {
                    dob = format!("{year}-{month:02}-{:02}", 1 + (day + 9) % 28);
                } else if rng.chance(0.05) {
                    dob = String::new();
                }
                if rng.chance(0.02) {
                    s = String::new();
                }
                if rng.chance(0.1) {
                    postcode = format!("{area}{} {}AB", 1 + rng.below(30), rng.below(10));
                    street = format!("{} {}", 1 + rng.below(200), STREETS[rng.below(STREETS.len())]);
                }
            }
            let line = rows.len() as u64 + 2;
            rows.push(Row {
                input: 0,
                line,
                fields: vec![format!("r{}", rows.len()), g, f, dob, s, postcode.clone(), street.clone()],
            });
            truth.push(person);
        }
    }
    (rows, truth)
}
