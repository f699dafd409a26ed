//! Where people live and shop: every territorial force with a rough population, postcode areas,
//! towns and spread around its centre, and the neighbouring forces travelling groups move between.
//! Populations are rounded mid-2020s estimates in millions (City of London is weighted by its
//! daytime retail trade, not its residents); they only need to be roughly right.

use orca_model::force::distance_km;
use orca_model::{ForceId, ForceRegistry};

/// (slug, population in millions, postcode areas, towns, spread of stores around the centre in degrees)
type ForceRow = (&'static str, f64, &'static [&'static str], &'static [&'static str], f64);

const FORCE_TABLE: &[ForceRow] = &[
    ("avon-and-somerset", 1.75, &["BS", "BA", "TA"], &["Bristol", "Bath", "Weston-super-Mare", "Taunton"], 0.25),
    ("bedfordshire", 0.70, &["LU", "MK"], &["Luton", "Bedford", "Dunstable"], 0.12),
    ("cambridgeshire", 0.90, &["CB", "PE"], &["Cambridge", "Peterborough", "Huntingdon"], 0.2),
    ("cheshire", 1.10, &["CH", "CW", "WA"], &["Chester", "Crewe", "Warrington", "Macclesfield"], 0.18),
    ("city-of-london", 0.15, &["EC"], &["Moorgate", "Cheapside", "Liverpool Street"], 0.006),
    ("cleveland", 0.57, &["TS"], &["Middlesbrough", "Hartlepool", "Stockton-on-Tees", "Redcar"], 0.1),
    ("cumbria", 0.50, &["CA", "LA"], &["Carlisle", "Kendal", "Workington", "Barrow-in-Furness"], 0.3),
    ("derbyshire", 1.05, &["DE", "S"], &["Derby", "Chesterfield", "Ilkeston", "Buxton"], 0.2),
    ("devon-and-cornwall", 1.80, &["EX", "PL", "TQ", "TR"], &["Exeter", "Plymouth", "Torquay", "Truro"], 0.45),
    ("dorset", 0.78, &["BH", "DT"], &["Bournemouth", "Poole", "Weymouth", "Dorchester"], 0.15),
    ("durham", 0.64, &["DH", "DL"], &["Durham", "Darlington", "Chester-le-Street"], 0.12),
    ("dyfed-powys", 0.52, &["SA", "LD", "SY"], &["Carmarthen", "Llanelli", "Aberystwyth", "Newtown"], 0.4),
    ("essex", 1.85, &["CM", "CO", "SS"], &["Chelmsford", "Colchester", "Southend-on-Sea", "Basildon"], 0.2),
    ("gloucestershire", 0.65, &["GL"], &["Gloucester", "Cheltenham", "Stroud"], 0.15),
    (
        "greater-manchester",
        2.87,
        &["M", "BL", "OL", "SK", "WN"],
        &["Manchester", "Bolton", "Oldham", "Stockport", "Wigan"],
        0.12,
    ),
    ("gwent", 0.60, &["NP"], &["Newport", "Cwmbran", "Ebbw Vale"], 0.1),
    ("hampshire", 2.00, &["SO", "PO", "GU"], &["Southampton", "Portsmouth", "Winchester", "Basingstoke"], 0.22),
    ("hertfordshire", 1.20, &["AL", "HP", "SG", "WD"], &["St Albans", "Watford", "Stevenage", "Hemel Hempstead"], 0.12),
    ("humberside", 0.93, &["HU", "DN"], &["Hull", "Grimsby", "Scunthorpe"], 0.2),
    ("kent", 1.87, &["ME", "CT", "TN", "DA"], &["Maidstone", "Canterbury", "Tunbridge Wells", "Dartford"], 0.25),
    ("lancashire", 1.53, &["PR", "BB", "FY", "LA"], &["Preston", "Blackburn", "Blackpool", "Lancaster"], 0.2),
    ("leicestershire", 1.10, &["LE"], &["Leicester", "Loughborough", "Hinckley"], 0.15),
    ("lincolnshire", 0.77, &["LN", "PE", "NG"], &["Lincoln", "Boston", "Grantham", "Skegness"], 0.3),
    ("merseyside", 1.43, &["L", "CH", "WA", "PR"], &["Liverpool", "Birkenhead", "St Helens", "Southport"], 0.1),
    (
        "metropolitan",
        8.90,
        &["E", "N", "NW", "SE", "SW", "W", "CR", "BR", "HA", "IG", "RM", "UB", "TW"],
        &["Croydon", "Stratford", "Brixton", "Wembley", "Romford", "Ilford", "Hounslow", "Camden", "Lewisham"],
        0.12,
    ),
    ("norfolk", 0.92, &["NR", "PE"], &["Norwich", "Great Yarmouth", "King's Lynn"], 0.25),
    ("north-wales", 0.70, &["LL"], &["Wrexham", "Bangor", "Rhyl", "Llandudno"], 0.25),
    ("north-yorkshire", 0.83, &["YO", "HG", "DL"], &["York", "Harrogate", "Scarborough"], 0.3),
    ("northamptonshire", 0.79, &["NN"], &["Northampton", "Kettering", "Corby"], 0.15),
    ("northumbria", 1.48, &["NE", "SR"], &["Newcastle upon Tyne", "Sunderland", "Gateshead", "Morpeth"], 0.15),
    ("nottinghamshire", 1.17, &["NG"], &["Nottingham", "Mansfield", "Newark"], 0.15),
    ("south-wales", 1.35, &["CF", "SA"], &["Cardiff", "Swansea", "Bridgend", "Merthyr Tydfil"], 0.2),
    ("south-yorkshire", 1.42, &["S", "DN"], &["Sheffield", "Doncaster", "Rotherham", "Barnsley"], 0.12),
    ("staffordshire", 1.14, &["ST", "WS"], &["Stoke-on-Trent", "Stafford", "Burton upon Trent", "Tamworth"], 0.18),
    ("suffolk", 0.76, &["IP", "NR"], &["Ipswich", "Bury St Edmunds", "Lowestoft"], 0.2),
    ("surrey", 1.20, &["GU", "KT", "RH"], &["Guildford", "Woking", "Redhill", "Epsom"], 0.12),
    ("sussex", 1.70, &["BN", "RH", "TN"], &["Brighton", "Crawley", "Eastbourne", "Worthing"], 0.2),
    (
        "thames-valley",
        2.45,
        &["OX", "RG", "SL", "HP", "MK"],
        &["Oxford", "Reading", "Slough", "Milton Keynes", "High Wycombe"],
        0.25,
    ),
    ("warwickshire", 0.60, &["CV"], &["Warwick", "Nuneaton", "Rugby", "Stratford-upon-Avon"], 0.12),
    ("west-mercia", 1.30, &["WR", "HR", "SY", "TF"], &["Worcester", "Hereford", "Shrewsbury", "Telford"], 0.3),
    (
        "west-midlands",
        2.95,
        &["B", "CV", "WV", "WS", "DY"],
        &["Birmingham", "Coventry", "Wolverhampton", "Walsall", "Dudley"],
        0.12,
    ),
    (
        "west-yorkshire",
        2.35,
        &["LS", "BD", "HD", "HX", "WF"],
        &["Leeds", "Bradford", "Huddersfield", "Halifax", "Wakefield"],
        0.12,
    ),
    ("wiltshire", 0.73, &["SN", "SP", "BA"], &["Swindon", "Salisbury", "Chippenham", "Trowbridge"], 0.18),
    ("northern-ireland", 1.90, &["BT"], &["Belfast", "Londonderry", "Lisburn", "Newry"], 0.35),
    (
        "scotland",
        5.45,
        &["G", "EH", "AB", "DD", "KA", "PA", "FK", "KY"],
        &["Glasgow", "Edinburgh", "Aberdeen", "Dundee", "Paisley", "Stirling"],
        0.6,
    ),
];

/// Fallbacks for a territorial force missing from the table (a registry that grew).
const FALLBACK: (f64, &[&str], &[&str], f64) = (0.8, &["XX"], &["Town Centre"], 0.2);

/// One force as the simulator sees it.
#[derive(Clone, Debug)]
pub struct Area {
    pub force: ForceId,
    pub centre: (f64, f64),
    pub population_millions: f64,
    pub postcode_areas: &'static [&'static str],
    pub towns: &'static [&'static str],
    pub spread_degrees: f64,
    /// Whether travelling groups can drive here from the rest of Great Britain.
    pub on_mainland: bool,
}

/// Every territorial force, in the registry's (slug) order, with its nearest neighbours.
#[derive(Clone, Debug)]
pub struct Geography {
    pub areas: Vec<Area>,
    /// For each area, the other mainland areas by distance from its centre, nearest first.
    neighbours: Vec<Vec<usize>>,
}

impl Geography {
    /// Built from the force registry's territorial forces.
    pub fn new() -> Self {
        let areas: Vec<Area> = ForceRegistry::global()
            .territorial()
            .map(|force| {
                let (population, postcodes, towns, spread) = FORCE_TABLE
                    .iter()
                    .find(|row| row.0 == force.id.as_str())
                    .map(|row| (row.1, row.2, row.3, row.4))
                    .unwrap_or(FALLBACK);
                Area {
                    force: force.id.clone(),
                    centre: force.centre.expect("territorial forces have a centre"),
                    population_millions: population,
                    postcode_areas: postcodes,
                    towns,
                    spread_degrees: spread,
                    on_mainland: force.id.as_str() != "northern-ireland",
                }
            })
            .collect();
        let neighbours = (0..areas.len())
            .map(|i| {
                let mut others: Vec<(f64, usize)> = (0..areas.len())
                    .filter(|&j| j != i && areas[j].on_mainland)
                    .map(|j| (distance_km(areas[i].centre, areas[j].centre), j))
                    .collect();
                others.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                others.into_iter().map(|(_, j)| j).collect()
            })
            .collect();
        Self { areas, neighbours }
    }

    /// The `k` mainland areas nearest to `area`, nearest first.
    pub fn nearest(&self, area: usize, k: usize) -> &[usize] {
        let list = &self.neighbours[area];
        &list[..k.min(list.len())]
    }

    #[cfg(test)]
    pub fn index_of(&self, force: &str) -> Option<usize> {
        self.areas.iter().position(|a| a.force.as_str() == force)
    }
}

impl Default for Geography {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_territorial_force_has_an_area_with_real_details() {
        let geography = Geography::new();
        assert_eq!(geography.areas.len(), ForceRegistry::global().territorial().count());
        for area in &geography.areas {
            assert!(
                FORCE_TABLE.iter().any(|row| row.0 == area.force.as_str()),
                "{} has no row in the force table",
                area.force
            );
        }
    }

    #[test]
    fn the_city_of_london_neighbours_the_met() {
        let geography = Geography::new();
        let city = geography.index_of("city-of-london").expect("city");
        let met = geography.index_of("metropolitan").expect("met");
        assert_eq!(geography.nearest(city, 1), [met]);
        let ni = geography.index_of("northern-ireland").expect("ni");
        assert!(!geography.nearest(met, 50).contains(&ni), "nobody drives to Northern Ireland");
    }
}
