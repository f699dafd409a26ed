//! A realistic, entirely fictitious group package, for the printable document's tests (unit tests
//! here, and the headless-browser test in `orca-tests`). Not part of the crate's API.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use orca_model::package::{
    Assertion, IntelligencePackage, LinkChartEdge, NimLevel, Offence, OutcomeKind, PackageOutcome, PackageStore,
    PackageSubject, PackageVehicle, Score, ScoreFactor, SubjectKind,
};
use orca_model::{EventType, Evidence, EvidenceKind, Grade, ModusOperandi, Pence, Provenance};

/// What `sample_package`'s changes since the previous version could say.
pub fn sample_changes() -> Vec<String> {
    vec![
        "2 new offences: INC-7d41c0a9e2b35f18 (Cheshire), INC-0e9b7f3a51c2d846 (Staffordshire)".to_owned(),
        "vehicle V00000013 reported on false plates".to_owned(),
        "outcome recorded: arrest of P00000042 by Staffordshire Police".to_owned(),
    ]
}

fn at(month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, month, day, hour, minute, 0).single().expect("a real time")
}

fn store(id: &str, name: &str, postcode: &str, force: &str, lat: f64, lon: f64) -> PackageStore {
    PackageStore {
        store: id.into(),
        name: name.to_owned(),
        postcode: postcode.to_owned(),
        force: force.into(),
        lat,
        lon,
    }
}

fn subject(
    id: &str,
    name: &str,
    dob: &str,
    aliases: &[&str],
    role: &str,
    confidence: f64,
    incidents: u32,
) -> PackageSubject {
    PackageSubject {
        person_id: id.into(),
        display_name: name.to_owned(),
        aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
        date_of_birth: dob.to_owned(),
        role: role.to_owned(),
        match_confidence: confidence,
        incident_count: incidents,
        marker_codes: Vec::new(),
        assertion: Assertion::Assessment,
    }
}

fn vehicle(id: &str, vrm: &str, make: &str, model: &str, colour: &str, sightings: u32) -> PackageVehicle {
    PackageVehicle {
        vehicle_id: id.into(),
        vrm: vrm.to_owned(),
        make: make.to_owned(),
        model: model.to_owned(),
        colour: colour.to_owned(),
        sighting_count: sightings,
        ..PackageVehicle::default()
    }
}

/// One offence; `people` and `cars` are the package's person and vehicle ids.
struct Line<'a> {
    id: &'a str,
    crime_ref: &'a str,
    store: &'a str,
    retailer: &'a str,
    force: &'a str,
    at: DateTime<Utc>,
    event: EventType,
    pence: i64,
    mo: &'a [ModusOperandi],
    people: &'a [&'a str],
    cars: &'a [&'a str],
    cctv: bool,
    outside: bool,
}

fn offence(line: &Line<'_>) -> Offence {
    let evidence = if line.cctv {
        vec![Evidence {
            kind: EvidenceKind::Cctv,
            reference: format!("DEMS/{}/{}", line.retailer.to_uppercase(), &line.id[4..12]),
            sha256: line.id[4..].repeat(4),
            captured_at: Some(line.at),
            description: String::new(),
        }]
    } else {
        Vec::new()
    };
    Offence {
        incident_id: line.id.into(),
        police_crime_ref: line.crime_ref.to_owned(),
        force: line.force.into(),
        retailer: line.retailer.into(),
        store: line.store.into(),
        occurred_at: line.at,
        event_type: line.event,
        value_pence: Pence::new(line.pence),
        modus_operandi: line.mo.to_vec(),
        grade: Grade::three_five_two('2', 'B', 'P'),
        person_ids: line.people.iter().map(|p| (*p).into()).collect(),
        vehicle_ids: line.cars.iter().map(|v| (*v).into()).collect(),
        evidence,
        outside_group: line.outside,
        correction_reason: String::new(),
        revision: 0,
    }
}

fn factor(name: &str, value: f64, band: &str, evidence: &[&str]) -> ScoreFactor {
    ScoreFactor {
        name: name.to_owned(),
        value,
        band: band.to_owned(),
        evidence: evidence.iter().map(|e| (*e).to_owned()).collect(),
    }
}

/// A cross-border group: four subjects, three vehicles (one with no plate read), twelve offences
/// in three forces (one by a member alone), nine stores (one without a position), an outcome and
/// a link chart.
#[allow(clippy::too_many_lines)] // one literal package, read top to bottom
pub fn sample_package() -> IntelligencePackage {
    use EventType::{MakingOffWithoutPayment, Robbery, Shoplifting, Threats};
    use ModusOperandi::{
        GrabAndGo, LinedBag, MultipleStoresOneDay, StealToOrder, TeamWithLookouts, VehicleFalsePlates,
    };
    let (wm, st, ch) = ("west-midlands", "staffordshire", "cheshire");
    let gang: &[&str] = &["P00000042", "P00000043"];
    #[rustfmt::skip]
    let lines = [
        Line { id: "INC-3f6a2b9c0d1e4f57", crime_ref: "20/118734/25", store: "NM-0412", retailer: "northmart", force: wm, at: at(4, 7, 10, 42), event: Shoplifting, pence: 48_650, mo: &[StealToOrder, LinedBag], people: gang, cars: &["V00000011"], cctv: true, outside: false },
        Line { id: "INC-a81c55e03b7d2e19", crime_ref: "20/121902/25", store: "VS-1107", retailer: "valu-save", force: wm, at: at(4, 12, 15, 5), event: Shoplifting, pence: 21_480, mo: &[GrabAndGo], people: &["P00000042", "P00000043", "P00000107"], cars: &["V00000011"], cctv: true, outside: false },
        Line { id: "INC-5c0e9d7ab3f14c62", crime_ref: "", store: "NM-0388", retailer: "northmart", force: wm, at: at(4, 19, 11, 30), event: Shoplifting, pence: 9_870, mo: &[], people: &["P00000107"], cars: &[], cctv: false, outside: true },
        Line { id: "INC-9e2d4b8106ac7f33", crime_ref: "ST/25/004417", store: "NM-0651", retailer: "northmart", force: st, at: at(4, 24, 13, 12), event: Shoplifting, pence: 63_200, mo: &[StealToOrder, TeamWithLookouts], people: &["P00000042", "P00000043", "P00000044"], cars: &["V00000011"], cctv: true, outside: false },
        Line { id: "INC-1b7f3e05c9d2a864", crime_ref: "ST/25/004420", store: "HS-0078", retailer: "homestyle", force: st, at: at(4, 24, 15, 48), event: Shoplifting, pence: 34_115, mo: &[MultipleStoresOneDay], people: gang, cars: &["V00000011"], cctv: true, outside: false },
        Line { id: "INC-c4a9e16f08b3d257", crime_ref: "20/130551/25", store: "VS-1107", retailer: "valu-save", force: wm, at: at(5, 2, 9, 55), event: Threats, pence: 15_000, mo: &[GrabAndGo], people: &["P00000042", "P00000044"], cars: &["V00000012"], cctv: true, outside: false },
        Line { id: "INC-62e0b7d94a1c3f85", crime_ref: "", store: "NM-0702", retailer: "northmart", force: ch, at: at(5, 9, 14, 20), event: Shoplifting, pence: 82_340, mo: &[StealToOrder, VehicleFalsePlates], people: gang, cars: &["V00000013"], cctv: true, outside: false },
        Line { id: "INC-d3f18a2c6e07b941", crime_ref: "CH/25/0019876", store: "VS-2231", retailer: "valu-save", force: ch, at: at(5, 9, 16, 5), event: Robbery, pence: 27_500, mo: &[TeamWithLookouts, MultipleStoresOneDay], people: &["P00000042", "P00000043", "P00000044"], cars: &["V00000013"], cctv: false, outside: false },
        Line { id: "INC-48b2c07e9f5d1a36", crime_ref: "ST/25/005012", store: "NM-0651", retailer: "northmart", force: st, at: at(5, 16, 12, 40), event: Shoplifting, pence: 55_760, mo: &[StealToOrder], people: gang, cars: &["V00000011"], cctv: true, outside: false },
        Line { id: "INC-e7a3019bd64c2f58", crime_ref: "20/139270/25", store: "NM-0412", retailer: "northmart", force: wm, at: at(5, 21, 17, 15), event: MakingOffWithoutPayment, pence: 4_299, mo: &[], people: &["P00000044"], cars: &["V00000012"], cctv: false, outside: false },
        Line { id: "INC-0e9b7f3a51c2d846", crime_ref: "ST/25/005388", store: "HS-0091", retailer: "homestyle", force: st, at: at(5, 27, 11, 2), event: Shoplifting, pence: 41_920, mo: &[StealToOrder, LinedBag], people: gang, cars: &["V00000013"], cctv: true, outside: false },
        Line { id: "INC-7d41c0a9e2b35f18", crime_ref: "", store: "VS-2290", retailer: "valu-save", force: ch, at: at(6, 3, 15, 37), event: Shoplifting, pence: 38_400, mo: &[StealToOrder, VehicleFalsePlates], people: &["P00000042", "P00000043", "P00000107"], cars: &["V00000013"], cctv: true, outside: false },
    ];
    let offences: Vec<Offence> = lines.iter().map(offence).collect();
    let total_loss: Pence = offences.iter().map(|o| o.value_pence).sum();

    let mut marsh = subject("P00000042", "Daniel Marsh", "1991-03-14", &["Danny M", "D. Marsh"], "core", 0.97, 11);
    marsh.marker_codes = vec!["SW-RC7731".to_owned()];
    let mut price = subject("P00000043", "Kelly-Ann Price", "1994-11", &["Kel"], "core", 0.93, 9);
    price.assertion = Assertion::Fact;
    let oneill = subject("P00000044", "Jordan O'Neill", "", &[], "periphery", 0.86, 4);
    let unnamed = subject("P00000107", "", "", &[], "periphery", 0.78, 3);

    let mut transit = vehicle("V00000011", "KX19LMR", "Ford", "Transit Custom", "white", 5);
    transit.cloned_plate_suspected = true;
    let astra = vehicle("V00000012", "", "Vauxhall", "Astra", "silver", 2);
    let mut bmw = vehicle("V00000013", "YB68RKK", "BMW", "320d Touring", "black", 4);
    bmw.false_plate_suspected = true;

    let edge = |from: &str, to: &str, kind: &str, weight: f64, incidents: u32| LinkChartEdge {
        from: from.to_owned(),
        to: to.to_owned(),
        kind: kind.to_owned(),
        weight,
        incident_count: incidents,
    };

    IntelligencePackage {
        id: "PKG-G00000007".into(),
        version: 4,
        subject_kind: SubjectKind::Group,
        subject_id: "G00000007".to_owned(),
        title: "Organised shop theft group travelling the M6 corridor (West Midlands, Staffordshire, Cheshire)"
            .to_owned(),
        security_marking: "OFFICIAL-SENSITIVE".to_owned(),
        grade: Grade::three_five_two('2', 'B', 'P'),
        lead_force: wm.into(),
        affected_forces: vec![st.into(), ch.into()],
        nim_level: NimLevel::CrossBorder,
        subjects: vec![marsh, price, oneill, unnamed],
        vehicles: vec![transit, astra, bmw],
        offences,
        link_chart: vec![
            edge("P00000042", "P00000043", "co-offending", 1.0, 9),
            edge("P00000042", "P00000044", "co-offending", 0.45, 3),
            edge("P00000043", "P00000044", "co-offending", 0.3, 2),
            edge("P00000042", "P00000107", "co-offending", 0.25, 2),
            edge("P00000042", "V00000011", "used-vehicle", 0.8, 5),
            edge("P00000043", "V00000013", "used-vehicle", 0.6, 4),
            edge("P00000044", "V00000012", "used-vehicle", 0.3, 2),
            edge("P00000042", "P00000043", "shared-marker", 0.2, 1),
        ],
        total_loss_pence: total_loss,
        score: Score {
            priority_band: "high".to_owned(),
            factors: vec![
                factor("harm", 4425.34, "high", &["total loss £4425", "1 incident with violence or a weapon"]),
                factor("scope", 3.0, "high", &["3 forces", "3 retailers", "9 stores"]),
                factor("frequency", 7.0, "high", &["7 incidents in the last 30 days", "trend rising ×1.6"]),
                factor("capability", 3.0, "high", &["3 vehicles", "1 cloned plate, 1 false plate", "steal to order"]),
                factor("confidence", 0.91, "medium", &["mean match probability 0.91", "weakest grade 2B"]),
            ],
            rule: "high when at least 2 of harm, scope, frequency and capability are high; medium when one is; \
                   otherwise low; low confidence lowers the band one step"
                .to_owned(),
        },
        corridor: vec![wm.into(), st.into(), ch.into()],
        first_seen: Some(at(4, 7, 10, 42)),
        last_seen: Some(at(6, 3, 15, 37)),
        intelligence_gaps: vec![
            "no police crime reference on 3 of 12 offences".to_owned(),
            "subjects unnamed: 1 of 4 subjects have no name".to_owned(),
            "no date of birth for 1 named subjects".to_owned(),
            "no plate read for vehicle V00000012 (silver Vauxhall Astra)".to_owned(),
            "no CCTV reference on 3 of 12 offences".to_owned(),
        ],
        recommended_actions: vec![
            "request CCTV from northmart for 2 offences: INC-5c0e9d7ab3f14c62, INC-e7a3019bd64c2f58".to_owned(),
            "request CCTV from valu-save for 1 offence: INC-d3f18a2c6e07b941".to_owned(),
            "check ANPR for VRM KX19LMR in corridor west-midlands → staffordshire → cheshire".to_owned(),
            "verify VRM KX19LMR with DVLA: cloned plate suspected (seen on vehicles that cannot be the same car), \
             vehicle V00000011"
                .to_owned(),
            "consider a vehicle marker for VRM KX19LMR".to_owned(),
            "identify vehicle V00000012 (silver Vauxhall Astra, no plate read) from CCTV and ANPR in corridor \
             west-midlands → staffordshire → cheshire"
                .to_owned(),
            "verify VRM YB68RKK with DVLA: false plate reported by a retailer, vehicle V00000013".to_owned(),
            "record crimes with cheshire and obtain crime references for 2 offences: INC-62e0b7d94a1c3f85, \
             INC-7d41c0a9e2b35f18"
                .to_owned(),
            "identify unnamed subjects from CCTV stills and custody imagery".to_owned(),
            "coordinate with affected forces (staffordshire, cheshire) through the regional organised crime unit"
                .to_owned(),
        ],
        provenance: Provenance {
            source: "stage:linker".to_owned(),
            lawful_basis: "Data Protection Act 2018, Part 3 (law enforcement processing)".to_owned(),
            sharing_agreement: "Retail crime information sharing agreement ORCA-ISA-2025-01".to_owned(),
            ..Provenance::default()
        },
        as_of: Some(at(6, 3, 15, 37)),
        retailers: vec!["homestyle".into(), "northmart".into(), "valu-save".into()],
        withdrawn: false,
        stores: vec![
            store("NM-0412", "Northmart Birmingham Bull Street", "B4 6AF", wm, 52.4823, -1.8958),
            store("VS-1107", "Valu-Save Wolverhampton Dudley St", "WV1 3ER", wm, 52.5843, -2.1275),
            store("NM-0388", "Northmart Walsall Park Street", "WS1 1LY", wm, 52.5852, -1.9836),
            store("NM-0651", "Northmart Stafford Gaolgate", "ST16 2BG", st, 52.8066, -2.1169),
            store("HS-0078", "HomeStyle Cannock Retail Park", "WS11 1DE", st, 52.6873, -2.0262),
            store("HS-0091", "HomeStyle Stoke Festival Park", "ST1 5SH", st, 53.0251, -2.1921),
            store("NM-0702", "Northmart Crewe Grand Junction", "CW1 2RP", ch, 53.0941, -2.4401),
            store("VS-2231", "Valu-Save Warrington Golden Sq", "WA1 1QB", ch, 0.0, 0.0),
            store("VS-2290", "Valu-Save Northwich Witton St", "CW9 5DR", ch, 53.2588, -2.5163),
        ],
        outcomes: vec![PackageOutcome {
            outcome_id: "O-00000003".to_owned(),
            package_id: "PKG-G00000007".into(),
            person_id: "P00000042".into(),
            kind: OutcomeKind::Arrest,
            date: NaiveDate::from_ymd_opt(2025, 5, 28).expect("a real date"),
            force: st.into(),
            force_reference: "CUST/ST/25/00421".to_owned(),
            notes: "Arrested at Stafford services (M6 J14) in V00000011; released under investigation".to_owned(),
            recorded_by: "K-staffordshire-0007 (DC 4471 Ahmed)".to_owned(),
            recorded_at: Some(at(5, 28, 18, 10)),
        }],
        report_notices: Vec::new(),
    }
}
