//! Corrections and withdrawals: a corrected report replaces its offence in the packages (saying
//! which and why), a withdrawn one leaves them, and a report corrected away from the subjects is
//! noticed too. All of it survives a restart.

use super::fixtures::{report, spree, withdrawn};
use crate::{Applied, Linker, LinkerConfig};
use orca_model::StoredRecord;
use orca_model::package::IntelligencePackage;
use orca_packages::changes;
use std::collections::BTreeMap;

fn stated(old: &IntelligencePackage, new: &IntelligencePackage) -> Vec<String> {
    changes(old, new).iter().map(ToString::to_string).collect()
}

/// What a store holds after writing the linker's changes: the last value under each key.
#[derive(Default)]
struct Store(BTreeMap<(String, String), Vec<u8>>);

impl Store {
    fn write(&mut self, linker: &mut Linker) {
        for change in linker.take_changes() {
            match change.value {
                Some(value) => self.0.insert((change.namespace, change.key), value),
                None => self.0.remove(&(change.namespace, change.key)),
            };
        }
    }

    fn records(&self) -> Vec<StoredRecord> {
        (self.0.iter())
            .map(|((namespace, key), value)| StoredRecord {
                namespace: namespace.clone(),
                key: key.clone(),
                value: value.clone(),
            })
            .collect()
    }
}

#[test]
fn corrections_and_withdrawals_make_new_package_versions_that_say_which_report_and_why() {
    let mut linker = Linker::new(LinkerConfig::default());
    for resolution in spree("A", &["A1", "A2", "A3"], &["kent", "essex"], &[0, 5, 12, 20, 26, 31, 36, 41]) {
        assert_eq!(linker.apply(&resolution), Applied::Linked);
    }
    let first = linker.refresh().remove(0);
    assert_eq!((first.id.as_str(), first.version, first.offences.len()), ("PKG-G00000001", 1, 8));
    let mut store = Store::default();
    store.write(&mut linker);

    // The retailer corrects the value of one report.
    let correction = report("INC-A-1", "essex", 5).persons(&["A1", "A2", "A3"]).value(8_000);
    let correction = correction.revision(2, "till receipt checked: £80, not £100").build();
    assert_eq!(linker.apply(&correction), Applied::Relinked);
    let second = linker.refresh().remove(0);
    assert_eq!(second.version, 2);
    let offence = second.offences.iter().find(|o| o.incident_id.as_str() == "INC-A-1").unwrap();
    assert_eq!((offence.revision, offence.value_pence.get()), (2, 8_000));
    let said = stated(&first, &second);
    assert!(
        said.iter().any(|c| c
            == "offence-corrected: INC-A-1: corrected by the retailer (revision 2): till receipt \
                                   checked: £80, not £100"),
        "{said:?}"
    );

    // Another report is withdrawn: it leaves the package, which says so.
    assert_eq!(linker.apply(&withdrawn("INC-A-5", "sent for the wrong store")), Applied::Relinked);
    assert_eq!(linker.apply(&withdrawn("INC-A-5", "again")), Applied::Unchanged, "withdrawn once");
    let third = linker.refresh().remove(0);
    assert_eq!(third.version, 3);
    assert!(!third.offences.iter().any(|o| o.incident_id.as_str() == "INC-A-5"));
    assert_eq!(third.report_notices.len(), 1);
    assert!(third.report_notices[0].withdrawn);
    let said = stated(&second, &third);
    assert!(
        said.iter().any(|c| c.starts_with("offence-withdrawn: INC-A-5") && c.ends_with("sent for the wrong store")),
        "{said:?}"
    );
    // A late copy of the withdrawn report changes nothing.
    let late = report("INC-A-5", "essex", 31).persons(&["A1", "A2", "A3"]).build();
    assert_eq!(linker.apply(&late), Applied::Unchanged);

    // A report corrected to name other people leaves the crew's package, with the reason.
    let renamed = report("INC-A-4", "kent", 26).persons(&["B1", "B2"]).revision(2, "wrong crew: CCTV reviewed");
    assert_eq!(linker.apply(&renamed.build()), Applied::Relinked);
    let fourth = linker.refresh().into_iter().find(|p| p.id == first.id).expect("the crew's package is revised");
    assert!(!fourth.offences.iter().any(|o| o.incident_id.as_str() == "INC-A-4"));
    let said = stated(&third, &fourth);
    assert!(
        said.iter().any(|c| c.starts_with("offence-corrected: INC-A-4")
            && c.contains("no longer names these subjects")
            && c.ends_with("wrong crew: CCTV reviewed")),
        "{said:?}"
    );

    // A restarted linker holds the same: nothing to republish, and withdrawn stays withdrawn.
    store.write(&mut linker);
    let mut restored = Linker::restore(LinkerConfig::default(), store.records()).expect("restores");
    assert_eq!(restored.apply(&withdrawn("INC-A-5", "again")), Applied::Unchanged);
    // The crew strikes again: both build the same next version, notices included.
    let again = report("INC-A-9", "kent", 46).persons(&["A1", "A2", "A3"]).build();
    let (live, back) = (linker.apply(&again), restored.apply(&again));
    assert_eq!((live, back), (Applied::Linked, Applied::Linked));
    let live = linker.refresh().into_iter().find(|p| p.id == first.id).expect("a new version");
    let back = restored.refresh().into_iter().find(|p| p.id == first.id).expect("a new version");
    assert_eq!(live, back);
    assert_eq!(live.report_notices.len(), 2, "the withdrawn report and the one corrected away");
}

#[test]
fn disposing_of_a_report_withdrawn_before_makes_a_version_that_says_so() {
    let mut linker = Linker::new(LinkerConfig::default());
    for resolution in spree("A", &["A1", "A2", "A3"], &["kent", "essex"], &[0, 5, 12, 20, 26, 31, 36, 41]) {
        linker.apply(&resolution);
    }
    let first = linker.refresh().remove(0);
    assert_eq!(linker.apply(&withdrawn("INC-A-5", "sent for the wrong store")), Applied::Relinked);
    let second = linker.refresh().remove(0);
    assert!(!second.report_notices[0].disposed);

    let mut disposal = withdrawn("INC-A-5", "review 2033: no retention basis");
    disposal.withdrawal.as_mut().unwrap().disposed = true;
    assert_eq!(linker.apply(&disposal), Applied::Unchanged, "it left the graph when withdrawn");
    let third = linker.refresh().into_iter().find(|p| p.id == first.id).expect("a version saying it was disposed of");
    assert_eq!(third.version, second.version + 1);
    assert!(third.report_notices[0].disposed);
    assert_eq!(third.offences, second.offences);
    let said = stated(&second, &third);
    assert!(
        said.iter()
            .any(|c| c.starts_with("offence-withdrawn: INC-A-5")
                && c.contains("disposed of under the retention schedule")),
        "{said:?}"
    );
    assert!(linker.refresh().is_empty(), "once");
}
