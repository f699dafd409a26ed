//! How a report describes a person: the noise model for people. Most offenders go unnamed and are
//! described only by sex, age band, height, build, clothing and marks; named ones come with the
//! slips of real reports (nicknames, misspellings, swapped names, aliases, wrong or partial dates of
//! birth). Face templates come only from retailers that run face recognition; marker codes only
//! for people who were tagged. Rates are in [`NoiseParams`] and tabulated in NOISE.md.

use crate::face::FaceSpace;
use crate::names::{misspell, nicknames};
use crate::params::NoiseParams;
use crate::people::{Alias, BAGS, Identity, MARKS};
use crate::random::{normal, pick};
use chrono::{Datelike, NaiveDate};
use orca_model::{AgeBand, Build, FaceTemplate, PartialDate, PersonRole, PersonSighting, Sex};
use rand::Rng;

/// Circumstances of one sighting that the description depends on.
pub(crate) struct Circumstances<'a> {
    pub date: NaiveDate,
    pub day: u32,
    pub named_rate: f64,
    pub face_model: Option<&'a str>,
    pub marker_code: Option<&'a str>,
    pub carrying_bag: bool,
}

/// An offender's sighting with reporting noise applied.
pub(crate) fn describe_offender<R: Rng + ?Sized>(
    rng: &mut R,
    person: &Identity,
    circumstances: &Circumstances<'_>,
    noise: &NoiseParams,
    faces: &FaceSpace,
) -> PersonSighting {
    let mut sighting = describe_body(rng, person, circumstances.date, noise);
    sighting.role = if rng.random_bool(noise.offender_role_rate) { PersonRole::Offender } else { PersonRole::Suspect };
    if rng.random_bool(circumstances.named_rate.clamp(0.0, 1.0)) {
        name(rng, person, circumstances.date, noise, &mut sighting);
    }
    for &mark in &person.marks {
        if rng.random_bool(noise.mark_reported_rate) {
            sighting.distinguishing_marks.push(pick(rng, MARKS[mark as usize]).to_string());
        }
    }
    if rng.random_bool(noise.clothing_reported_rate) {
        sighting.clothing = clothing(rng, &person.outfit(circumstances.day), circumstances.carrying_bag);
    }
    if let Some(model) = circumstances.face_model
        && rng.random_bool(noise.face_capture_rate)
        && let Some(vector) = faces.capture(rng, person.face, model)
    {
        sighting.face = Some(FaceTemplate { model_id: model.to_owned(), vector });
    }
    if let Some(code) = circumstances.marker_code
        && rng.random_bool(noise.marker_reported_rate)
    {
        sighting.marker_code = Some(untidy_marker(rng, code));
    }
    sighting
}

/// A victim (member of staff) or witness: never an offender, so never in the ground truth.
pub(crate) fn describe_bystander<R: Rng + ?Sized>(
    rng: &mut R,
    person: &Identity,
    role: PersonRole,
    date: NaiveDate,
    noise: &NoiseParams,
) -> PersonSighting {
    let mut sighting = describe_body(rng, person, date, noise);
    sighting.role = role;
    let named_rate = if role == PersonRole::Victim { 0.7 } else { 0.3 };
    if rng.random_bool(named_rate) {
        sighting.given_names = person.given.to_owned();
        if rng.random_bool(0.5) {
            sighting.family_name = person.family_name().to_owned();
        }
    }
    sighting.height_cm = None;
    sighting.build = Build::Unspecified;
    sighting
}

fn describe_body<R: Rng + ?Sized>(
    rng: &mut R,
    person: &Identity,
    date: NaiveDate,
    noise: &NoiseParams,
) -> PersonSighting {
    let age = person.age_on(date);
    // Witnesses misjudge older people by more years than younger ones.
    let spread = noise.age_estimate_sd_years * (f64::from(age) / 35.0).clamp(0.4, 1.5);
    let estimate = normal(rng, f64::from(age), spread).round().clamp(10.0, 90.0) as u32;
    let height_cm = rng.random_bool(noise.height_reported_rate).then(|| {
        let centre = normal(rng, f64::from(person.height_cm), noise.height_error_sd_cm);
        let half_width = if rng.random_bool(0.5) { 2.5 } else { 5.0 };
        let low = ((centre - half_width) / 5.0).round() * 5.0;
        let high = ((centre + half_width) / 5.0).round() * 5.0;
        (low.clamp(120.0, 220.0) as u32, high.clamp(120.0, 220.0).max(low) as u32)
    });
    let build = if !rng.random_bool(noise.build_reported_rate) {
        Build::Unspecified
    } else if rng.random_bool(noise.build_wrong_rate) {
        neighbouring_build(rng, person.build)
    } else {
        person.build
    };
    PersonSighting {
        sex: if rng.random_bool(noise.sex_unreported_rate) { Sex::Unspecified } else { person.sex },
        age_band: AgeBand::of_age(estimate),
        estimated_age: rng.random_bool(noise.estimated_age_rate).then_some(estimate),
        height_cm,
        build,
        ..Default::default()
    }
}

fn neighbouring_build<R: Rng + ?Sized>(rng: &mut R, build: Build) -> Build {
    const ORDER: [Build; 4] = [Build::Slim, Build::Medium, Build::Stocky, Build::Heavy];
    let at = ORDER.iter().position(|b| *b == build).unwrap_or(1);
    let next = if at == 0 || (at < 3 && rng.random_bool(0.5)) { at + 1 } else { at - 1 };
    ORDER[next]
}

/// Fills the name fields as a reporter would: nickname, alias, misspelling, swapped, partial.
fn name<R: Rng + ?Sized>(
    rng: &mut R,
    person: &Identity,
    date: NaiveDate,
    noise: &NoiseParams,
    out: &mut PersonSighting,
) {
    let full_aliases: Vec<(&str, &str)> = person
        .aliases
        .iter()
        .filter_map(|a| match a {
            Alias::FullName(g, f) => Some((*g, *f)),
            Alias::Street(_) => None,
        })
        .collect();
    let (mut given, mut family) = if !full_aliases.is_empty() && rng.random_bool(noise.alias_used_rate) {
        let (g, f) = *pick(rng, &full_aliases);
        (g.to_owned(), f.to_owned())
    } else {
        (person.given.to_owned(), person.family_name().to_owned())
    };
    let options = nicknames(&given);
    if !options.is_empty() && rng.random_bool(noise.nickname_rate) {
        given = pick(rng, options).to_string();
    } else if let Some(middle) = person.middle
        && rng.random_bool(noise.middle_name_rate)
    {
        given = format!("{given} {middle}");
    }
    if rng.random_bool(noise.misspelling_rate) {
        if rng.random_bool(0.6) {
            family = misspell(rng, &family);
        } else {
            given = misspell(rng, &given);
        }
    }
    if rng.random_bool(noise.swapped_names_rate) {
        std::mem::swap(&mut given, &mut family);
    }
    // Sometimes staff know only a first name, or only a surname.
    match rng.random_range(0..20) {
        0 | 1 => family.clear(),
        2 => given.clear(),
        _ => {}
    }
    if rng.random_bool(noise.aliases_listed_rate) {
        out.aliases = person
            .aliases
            .iter()
            .map(|a| match a {
                Alias::FullName(g, f) => format!("{g} {f}"),
                Alias::Street(s) => (*s).to_owned(),
            })
            .collect();
    }
    if !given.is_empty() || !family.is_empty() {
        out.given_names = given;
        out.family_name = family;
    } else {
        out.given_names = person.given.to_owned();
    }
    if rng.random_bool(noise.dob_given_rate) {
        out.date_of_birth = Some(noisy_birth_date(rng, person.birth, date, noise));
    }
}

/// A date of birth as written down: right, or day and month swapped, a digit wrong, year only,
/// or the year off by one.
fn noisy_birth_date<R: Rng + ?Sized>(
    rng: &mut R,
    birth: NaiveDate,
    today: NaiveDate,
    noise: &NoiseParams,
) -> PartialDate {
    let exact =
        PartialDate { year: birth.year() as u16, month: Some(birth.month() as u8), day: Some(birth.day() as u8) };
    let roll: f64 = rng.random();
    let mut threshold = noise.dob_day_month_swap_rate;
    if roll < threshold {
        return NaiveDate::from_ymd_opt(birth.year(), birth.day(), birth.month())
            .filter(|_| birth.day() != birth.month())
            .map_or(exact, |swapped| PartialDate {
                year: swapped.year() as u16,
                month: Some(swapped.month() as u8),
                day: Some(swapped.day() as u8),
            });
    }
    threshold += noise.dob_digit_typo_rate;
    if roll < threshold {
        return digit_typo(rng, birth, today).unwrap_or(exact);
    }
    threshold += noise.dob_year_only_rate;
    if roll < threshold {
        return PartialDate { year: birth.year() as u16, month: None, day: None };
    }
    threshold += noise.dob_year_off_by_one_rate;
    if roll < threshold {
        let year = birth.year() + if rng.random_bool(0.5) { 1 } else { -1 };
        return PartialDate {
            year: year as u16,
            month: Some(birth.month() as u8),
            day: Some(birth.day().min(28) as u8),
        };
    }
    exact
}

/// One digit of the day or of the year written wrong (a real date, at least ten years ago).
fn digit_typo<R: Rng + ?Sized>(rng: &mut R, birth: NaiveDate, today: NaiveDate) -> Option<PartialDate> {
    let (mut year, month, mut day) = (birth.year(), birth.month(), birth.day());
    if rng.random_bool(0.5) {
        let options: Vec<u32> = (1..=28).filter(|&d| d != day && (d % 10 == day % 10 || d / 10 == day / 10)).collect();
        day = *pick(rng, &options);
    } else {
        let last = year.rem_euclid(10);
        let options: Vec<i32> = (0..10).filter(|&l| l != last && year - last + l <= today.year() - 10).collect();
        year = year - last + *options.get(rng.random_range(0..options.len().max(1)))?;
    }
    NaiveDate::from_ymd_opt(year, month, day).map(|date| PartialDate {
        year: date.year() as u16,
        month: Some(month as u8),
        day: Some(day as u8),
    })
}

/// Clothing as a witness lists it: some items left out, colours in other words.
fn clothing<R: Rng + ?Sized>(rng: &mut R, outfit: &[&str; 4], carrying_bag: bool) -> String {
    let mut items: Vec<String> = Vec::with_capacity(5);
    for item in outfit {
        if !item.is_empty() && rng.random_bool(0.75) {
            items.push(recolour(rng, item));
        }
    }
    if items.is_empty() {
        items.push(recolour(rng, outfit[0]));
    }
    if carrying_bag && rng.random_bool(0.5) {
        items.push(format!("carrying a {}", pick(rng, BAGS)));
    }
    items.join(", ")
}

fn recolour<R: Rng + ?Sized>(rng: &mut R, item: &str) -> String {
    const SYNONYMS: &[(&str, &str)] =
        &[("grey", "gray"), ("navy", "dark blue"), ("black", "dark"), ("camouflage", "camo")];
    if rng.random_bool(0.2) {
        for (from, to) in SYNONYMS {
            if item.contains(from) {
                return item.replacen(from, to, 1);
            }
        }
    }
    item.to_owned()
}

/// Marker codes as typed: `SW-1234-ABCD`, `sw 1234 abcd`, `SW1234ABCD`.
fn untidy_marker<R: Rng + ?Sized>(rng: &mut R, code: &str) -> String {
    match rng.random_range(0..6) {
        0 => code.to_lowercase().replace('-', " "),
        1 => code.replace('-', ""),
        _ => code.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::people::Profile;
    use crate::random::{Purpose, rng_for};

    #[test]
    fn birth_dates_are_mostly_right_and_always_real() {
        let mut rng = rng_for(1, Purpose::Render, 0);
        let noise = NoiseParams::default();
        let birth = NaiveDate::from_ymd_opt(1990, 3, 17).unwrap();
        let today = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
        let mut right = 0;
        for _ in 0..5_000 {
            let date = noisy_birth_date(&mut rng, birth, today, &noise);
            assert!(PartialDate::parse(&date.to_string()).is_ok(), "{date}");
            right += usize::from(date.to_string() == "1990-03-17");
        }
        // Day 17 cannot swap with the month, so 80% are right rather than 75%.
        assert!((3_800..4_250).contains(&right), "about 80% right, got {right}");
    }

    #[test]
    fn named_sightings_carry_noise_but_mostly_the_true_name() {
        let mut rng = rng_for(2, Purpose::Render, 0);
        let noise = NoiseParams::default();
        let date = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
        let person = Identity::generate(&mut rng, Profile::PROLIFIC, 0, date);
        let faces = FaceSpace::new(1, &[], 16, 0.5, (0.03, 0.09));
        let circumstances =
            Circumstances { date, day: 0, named_rate: 1.0, face_model: None, marker_code: None, carrying_bag: false };
        let sightings: Vec<PersonSighting> =
            (0..2_000).map(|_| describe_offender(&mut rng, &person, &circumstances, &noise, &faces)).collect();
        let exact = sightings.iter().filter(|s| s.family_name == person.family_name()).count();
        assert!(exact > 1_400 && exact < 1_950, "{exact}");
        assert!(sightings.iter().all(PersonSighting::is_named));
        assert!(sightings.iter().all(|s| s.face.is_none() && s.marker_code.is_none()));
    }
}
