//! Blocking: which existing entities a new sighting is compared with. Each sighting registers a few
//! keys (phonetic name and birth year, marker code, face bucket, plate skeleton, ...) with the
//! entity it first joined; a new sighting is compared with the current (merge-followed) entities of
//! the most recent sightings sharing any of its keys.
//!
//! Each key's postings are one vector, oldest first, so capping a block means reading the tail
//! of one contiguous slice (a linked list in an arena cost a cache miss per posting).

use rustc_hash::FxHashMap;

/// Inverted index from blocking key to the entity each sighting first joined.
#[derive(Clone, Debug, Default)]
pub struct Postings {
    lists: FxHashMap<u64, Vec<u32>>,
}

impl Postings {
    pub fn add(&mut self, key: u64, entity: u32) {
        self.lists.entry(key).or_default().push(entity);
    }

    /// Calls `visit` with the entities of up to `cap` of the newest sightings under `key`; returns
    /// how many sightings the cap left out.
    pub fn for_each_capped(&self, key: u64, cap: usize, mut visit: impl FnMut(u32)) -> u64 {
        let Some(list) = self.lists.get(&key) else {
            return 0;
        };
        let kept = list.len().min(cap);
        for &entity in list[list.len() - kept..].iter().rev() {
            visit(entity);
        }
        (list.len() - kept) as u64
    }

    pub fn len(&self, key: u64) -> usize {
        self.lists.get(&key).map_or(0, Vec::len)
    }

    pub fn key_count(&self) -> usize {
        self.lists.len()
    }
}

/// A blocking key: a rule tag and up to two values, mixed into 64 bits.
#[inline]
pub fn key(rule: BlockRule, a: u64, b: u64) -> u64 {
    let mut h = (rule as u64).wrapping_mul(orca_model::hash::GOLDEN_GAMMA);
    h = mix(h ^ a);
    mix(h ^ b.wrapping_mul(0xc2b2_ae3d_27d4_eb4f))
}

pub use orca_model::hash::mix64 as mix;

/// The blocking rules, unioned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum BlockRule {
    /// Phonetic code of a name (given or family) and year of birth.
    NamePhoneticBirthYear = 1,
    /// Phonetic codes of given and family name, in either order.
    NamePhoneticPair,
    /// Full date of birth and the given name's initial.
    DateOfBirthInitial,
    /// Forensic-marker code.
    MarkerCode,
    /// Face template: one random-hyperplane bucket per table.
    FaceBucket,
    /// Plate skeleton (confusable characters folded together).
    PlateSkeleton,
    /// First two characters of a plate (for partial reads).
    PlateStart,
    /// Last two characters of a plate (for partial reads).
    PlateEnd,
    /// A distinctive given-name-only alias (street name).
    Moniker,
    /// Phonetic code of a family name known without a given name.
    FamilyOnly,
    /// Seen in one incident with this person entity.
    CoOffender,
    /// Seen in one incident with this vehicle entity.
    SeenWithVehicle,
    /// Family name's phonetic code and the given name's nickname group (Bill and William agree).
    FamilyNicknameGroup,
    /// First three letters of the family name and the given name's initial (typos later in names).
    NamePrefixes,
    /// A cell of about 100 km and an 8-hour slot: sightings near in time and place.
    Nearby,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postings_come_newest_first_and_report_what_the_cap_left_out() {
        let mut postings = Postings::default();
        let k = key(BlockRule::MarkerCode, 7, 0);
        for s in 0..10 {
            postings.add(k, s);
        }
        postings.add(key(BlockRule::MarkerCode, 8, 0), 99);
        let mut seen = Vec::new();
        let skipped = postings.for_each_capped(k, 3, |s| seen.push(s));
        assert_eq!(seen, vec![9, 8, 7]);
        assert_eq!(skipped, 7);
        assert_eq!(postings.for_each_capped(key(BlockRule::MarkerCode, 9, 0), 3, |_| panic!()), 0);
        assert_ne!(key(BlockRule::MarkerCode, 1, 2), key(BlockRule::MarkerCode, 2, 1));
        assert_ne!(key(BlockRule::MarkerCode, 1, 0), key(BlockRule::FaceBucket, 1, 0));
    }
}
