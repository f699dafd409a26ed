//! Who a person really is: name, date of birth, body, marks, the clothes they tend to wear and
//! their face. Reports describe this truth through the noise of [`crate::describe`]; the truth itself
//! never leaves the simulator except as an opaque id in the ground-truth files.

use crate::names::{NAMES, family_form, street_name};
use crate::random::{Purpose, normal, pick, pick_weighted, rng_for, splitmix64};
use chrono::{Datelike, NaiveDate};
use orca_model::{Build, Sex};
use rand::Rng;

/// Distinguishing marks, each with the ways reporters write it down.
pub(crate) const MARKS: &[&[&str]] = &[
    &["tattoo on left hand", "left hand tattoo", "tattoos on hands", "tat on L hand"],
    &["neck tattoo", "tattoo on neck", "tattoo on side of neck"],
    &["scar on right cheek", "facial scar", "scar on face (right side)"],
    &["teardrop tattoo under eye", "teardrop tattoo"],
    &["gold front tooth", "gold tooth"],
    &["eyebrow piercing", "pierced eyebrow"],
    &["ginger beard", "red beard"],
    &["shaved head", "bald", "skinhead"],
    &["glasses", "wears glasses"],
    &["walks with a limp", "limp"],
    &["missing front tooth", "gap in front teeth"],
    &["sleeve tattoo on right arm", "right arm sleeve tattoo", "tattooed arm"],
    &["nose ring", "pierced nose"],
    &["long dark ponytail", "dark hair in a ponytail"],
];

pub(crate) const TOPS: &[&str] = &[
    "black puffer jacket",
    "grey hoodie",
    "navy hoodie",
    "black North Face jacket",
    "camouflage jacket",
    "white tracksuit top",
    "red hoodie",
    "green parka",
    "black leather jacket",
    "blue denim jacket",
    "hi-vis vest",
    "black bomber jacket",
    "grey tracksuit top",
    "beige raincoat",
];
pub(crate) const BOTTOMS: &[&str] = &[
    "black joggers",
    "grey joggers",
    "blue jeans",
    "black jeans",
    "camo trousers",
    "navy tracksuit bottoms",
    "black leggings",
    "shorts",
];
pub(crate) const SHOES: &[&str] =
    &["white trainers", "black trainers", "work boots", "grey trainers", "sliders", "brown boots"];
pub(crate) const HEADWEAR: &[&str] =
    &["black cap", "beanie hat", "hood up", "face mask", "snood over face", "baseball cap", "bucket hat"];
pub(crate) const BAGS: &[&str] =
    &["large holdall", "rucksack", "carrier bags", "foil-lined bag", "shopping trolley", "sports bag"];

/// An alias a person uses.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Alias {
    FullName(&'static str, &'static str),
    Street(&'static str),
}

/// How a face is made: from its own seed, or (lookalikes and relatives) as a blend with another.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct FaceRecipe {
    pub seed: u64,
    /// `(seed of the other face, distance from it)`: smaller is more alike.
    pub related: Option<(u64, f32)>,
}

/// The truth about one person.
#[derive(Clone, Debug)]
pub(crate) struct Identity {
    pub sex: Sex,
    pub birth: NaiveDate,
    pub height_cm: u16,
    pub build: Build,
    /// Naming tradition (index into the name book), shared by relatives.
    pub heritage: u8,
    pub given: &'static str,
    pub middle: Option<&'static str>,
    /// Family name in its base form; [`Identity::family_name`] gives the form the person uses.
    pub family: &'static str,
    pub aliases: Vec<Alias>,
    pub marks: Vec<u8>,
    /// Favourite top, bottoms, shoes and headwear (indices into the clothing tables).
    pub palette: [u8; 4],
    pub face: FaceRecipe,
    pub home_area: u16,
}

/// Who is being made: sets the age range and the share of men.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Profile {
    pub ages: (u32, u32),
    pub male_rate: f64,
    pub alias_rate: f64,
}

impl Profile {
    pub const ONE_OFF: Profile = Profile { ages: (14, 68), male_rate: 0.7, alias_rate: 0.03 };
    pub const LOCAL: Profile = Profile { ages: (16, 60), male_rate: 0.72, alias_rate: 0.15 };
    pub const PROLIFIC: Profile = Profile { ages: (18, 55), male_rate: 0.75, alias_rate: 0.3 };
    pub const GROUP: Profile = Profile { ages: (18, 46), male_rate: 0.85, alias_rate: 0.35 };
}

impl Identity {
    /// A new person living in `area`, of age within the profile on `reference_date`.
    pub fn generate<R: Rng + ?Sized>(rng: &mut R, profile: Profile, area: usize, reference_date: NaiveDate) -> Self {
        let sex = if rng.random_bool(profile.male_rate) { Sex::Male } else { Sex::Female };
        let age = skewed_age(rng, profile.ages);
        let year = reference_date.year() - age as i32 - 1;
        let birth = NaiveDate::from_yo_opt(year, rng.random_range(1..=365)).expect("valid ordinal day");
        let height = match sex {
            Sex::Female => normal(rng, 163.0, 6.5),
            _ => normal(rng, 177.0, 7.0),
        };
        let build = *pick_weighted(
            rng,
            &[(Build::Slim, 0.3), (Build::Medium, 0.4), (Build::Stocky, 0.15), (Build::Heavy, 0.15)],
        );
        let female = sex == Sex::Female;
        let heritage = NAMES.heritage(rng);
        let given = NAMES.given(rng, heritage, female);
        let middle = rng.random_bool(0.3).then(|| NAMES.given(rng, heritage, female)).filter(|m| *m != given);
        let family = NAMES.family(rng, heritage, female);
        let mut aliases = Vec::new();
        if rng.random_bool(profile.alias_rate) {
            if rng.random_bool(0.5) {
                aliases.push(Alias::Street(street_name(rng)));
            } else {
                let other = NAMES.family(rng, heritage, female);
                aliases.push(Alias::FullName(given, family_form(other, female)));
            }
        }
        let mark_count = *pick_weighted(rng, &[(0usize, 0.45), (1, 0.35), (2, 0.15), (3, 0.05)]);
        let mut marks: Vec<u8> = Vec::with_capacity(mark_count);
        while marks.len() < mark_count {
            let mark = rng.random_range(0..MARKS.len()) as u8;
            if !marks.contains(&mark) {
                marks.push(mark);
            }
        }
        let palette = [
            rng.random_range(0..TOPS.len()) as u8,
            rng.random_range(0..BOTTOMS.len()) as u8,
            rng.random_range(0..SHOES.len()) as u8,
            rng.random_range(0..HEADWEAR.len()) as u8,
        ];
        Self {
            sex,
            birth,
            height_cm: height.round().clamp(140.0, 205.0) as u16,
            build,
            heritage,
            given,
            middle,
            family,
            aliases,
            marks,
            palette,
            face: FaceRecipe { seed: rng.random(), related: None },
            home_area: area as u16,
        }
    }

    /// The family name as the person uses it.
    pub fn family_name(&self) -> &'static str {
        family_form(self.family, self.sex == Sex::Female)
    }

    /// Age in whole years on `date`.
    pub fn age_on(&self, date: NaiveDate) -> u32 {
        date.years_since(self.birth).unwrap_or(0)
    }

    /// What the person wears on `day`: mostly their favourites, varied from day to day but the
    /// same all day (a crew on a spree wears the same clothes in every store).
    pub fn outfit(&self, day: u32) -> [&'static str; 4] {
        let mut rng = rng_for(self.face.seed, Purpose::Render, splitmix64(u64::from(day)));
        let choose = |rng: &mut crate::random::WorldRng, favourite: u8, table: &'static [&'static str]| {
            if rng.random_bool(0.6) { table[favourite as usize] } else { *pick(rng, table) }
        };
        [
            choose(&mut rng, self.palette[0], TOPS),
            choose(&mut rng, self.palette[1], BOTTOMS),
            choose(&mut rng, self.palette[2], SHOES),
            choose(&mut rng, self.palette[3], HEADWEAR),
        ]
    }

    /// A relative: same family name and area, similar age, a different person with a related face.
    pub fn relative<R: Rng + ?Sized>(&self, rng: &mut R, reference_date: NaiveDate) -> Self {
        let mut relative = Identity::generate(rng, Profile::LOCAL, self.home_area as usize, reference_date);
        relative.family = self.family;
        relative.heritage = self.heritage;
        relative.given = NAMES.given(rng, self.heritage, relative.sex == Sex::Female);
        relative.middle = None;
        while relative.given == self.given {
            relative.given = NAMES.given(rng, self.heritage, relative.sex == Sex::Female);
        }
        let shift = rng.random_range(-3..=3i64) * 365 + rng.random_range(-150..=150);
        relative.birth = self.birth + chrono::Duration::days(if shift == 0 { 400 } else { shift });
        relative.face.related = Some((self.face.seed, 1.2));
        relative
    }

    /// A lookalike: the same description (sex, build, marks, clothes, height within 2 cm, age
    /// within the same band) and a similar face, but a different person.
    pub fn lookalike<R: Rng + ?Sized>(&self, rng: &mut R, reference_date: NaiveDate) -> Self {
        let mut twin = Identity::generate(rng, Profile::LOCAL, self.home_area as usize, reference_date);
        twin.sex = self.sex;
        twin.build = self.build;
        twin.marks = self.marks.clone();
        twin.palette = self.palette;
        twin.height_cm = self.height_cm.saturating_add_signed(rng.random_range(-2..=2));
        twin.birth = self.birth + chrono::Duration::days(rng.random_range(-300..=300));
        twin.given = NAMES.given(rng, twin.heritage, twin.sex == Sex::Female);
        twin.face.related = Some((self.face.seed, 0.8));
        twin
    }
}

/// Ages cluster in the late teens to thirties, thinning out towards the top of the range.
fn skewed_age<R: Rng + ?Sized>(rng: &mut R, (low, high): (u32, u32)) -> u32 {
    let u: f64 = rng.random::<f64>().powf(1.6);
    low + (u * f64::from(high - low)).round() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relatives_share_a_surname_and_area_but_are_different_people() {
        let mut rng = rng_for(9, Purpose::Population, 0);
        let date = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
        for _ in 0..100 {
            let person = Identity::generate(&mut rng, Profile::PROLIFIC, 3, date);
            let relative = person.relative(&mut rng, date);
            assert_eq!(relative.family, person.family);
            assert_eq!(relative.home_area, person.home_area);
            assert_ne!((relative.given, relative.birth), (person.given, person.birth));
            assert!(person.age_on(date).abs_diff(relative.age_on(date)) <= 4);
        }
    }

    #[test]
    fn a_crew_member_wears_the_same_clothes_all_day() {
        let mut rng = rng_for(9, Purpose::Population, 1);
        let person = Identity::generate(&mut rng, Profile::GROUP, 0, NaiveDate::from_ymd_opt(2025, 6, 1).unwrap());
        assert_eq!(person.outfit(12), person.outfit(12));
        let differs = (0..30).any(|day| person.outfit(day) != person.outfit(12));
        assert!(differs, "clothes change from day to day");
    }
}
