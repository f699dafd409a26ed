//! The package's maps, as inline SVG without tiles: an overview of Great Britain and Northern
//! Ireland (every territorial force's centre, the package's forces named, the corridor through the
//! force centres in order, each store sized by its offences) and a detail of the area of offending
//! with the stores numbered as in the stores table beneath, and a scale bar.

use super::coast::{IRISH_BORDER, OUTLINES};
use super::tables::{offences_per_store, stores};
use super::{escape, force_name};
use orca_model::ForceRegistry;
use orca_model::package::{IntelligencePackage, PackageStore};
use std::collections::BTreeSet;
use std::fmt::{self, Write};

/// What the overview shows, in degrees: Great Britain and Northern Ireland.
const LAT: (f64, f64) = (49.8, 60.9);
const LON: (f64, f64) = (-8.2, 1.8);
/// The overview's width and the detail's side, in SVG units.
const OVERVIEW_WIDTH: f64 = 300.0;
const DETAIL_SIDE: f64 = 400.0;

/// A map's extent and its equirectangular projection, longitude scaled by the cosine of the middle
/// latitude so distances look right.
struct Frame {
    lat: (f64, f64),
    lon: (f64, f64),
    squeeze: f64,
    /// SVG units per degree of latitude.
    scale: f64,
    width: f64,
    height: f64,
}

impl Frame {
    fn new(lat: (f64, f64), lon: (f64, f64), width: f64) -> Self {
        let squeeze = f64::midpoint(lat.0, lat.1).to_radians().cos();
        let scale = width / ((lon.1 - lon.0) * squeeze);
        Self { lat, lon, squeeze, scale, width, height: (lat.1 - lat.0) * scale }
    }

    fn project(&self, lat: f64, lon: f64) -> (f64, f64) {
        ((lon - self.lon.0) * self.squeeze * self.scale, (self.lat.1 - lat) * self.scale)
    }

    fn contains(&self, lat: f64, lon: f64) -> bool {
        (self.lat.0..=self.lat.1).contains(&lat) && (self.lon.0..=self.lon.1).contains(&lon)
    }
}

/// Whether a store can be drawn: a real position (not 0,0) inside Great Britain and Northern Ireland.
pub(super) fn has_position(store: &PackageStore) -> bool {
    let (lat, lon) = (store.lat, store.lon);
    lat.is_finite()
        && lon.is_finite()
        && !(lat == 0.0 && lon == 0.0)
        && (LAT.0..=LAT.1).contains(&lat)
        && (LON.0..=LON.1).contains(&lon)
}

/// A store as the maps and the stores table show it.
pub(super) struct MapStore<'a> {
    /// Its number on the detail map and in the table, from 1.
    pub number: usize,
    pub store: &'a PackageStore,
    pub offences: usize,
    pub plotted: bool,
}

/// The package's stores, most offences first (then by id), numbered.
fn map_stores(package: &IntelligencePackage) -> Vec<MapStore<'_>> {
    let counts = offences_per_store(package);
    let mut stores: Vec<(&PackageStore, usize)> =
        package.stores.iter().map(|s| (s, counts.get(s.store.as_str()).copied().unwrap_or(0))).collect();
    stores.sort_by(|(a, m), (b, n)| n.cmp(m).then_with(|| a.store.cmp(&b.store)));
    stores
        .into_iter()
        .enumerate()
        .map(|(i, (store, offences))| MapStore { number: i + 1, store, offences, plotted: has_position(store) })
        .collect()
}

/// The package's forces: lead, affected, corridor and those of its offences and stores.
fn package_forces(package: &IntelligencePackage) -> BTreeSet<&str> {
    let mut ours: BTreeSet<&str> = BTreeSet::new();
    ours.insert(package.lead_force.as_str());
    ours.extend(package.affected_forces.iter().map(|f| f.as_str()));
    ours.extend(package.corridor.iter().map(|f| f.as_str()));
    ours.extend(package.offences.iter().map(|o| o.force.as_str()));
    ours.extend(package.stores.iter().map(|s| s.force.as_str()));
    ours
}

fn centre(force: &str) -> Option<(f64, f64)> {
    ForceRegistry::global().get(force).and_then(|f| f.centre)
}

/// `West Midlands Police` as `West Midlands`, for labels on a map.
fn short_name(name: &str) -> &str {
    [" Police Service", " Constabulary", " Police"]
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix))
        .filter(|short| !short.is_empty())
        .unwrap_or(name)
}

pub(super) fn geography(out: &mut String, package: &IntelligencePackage) -> fmt::Result {
    writeln!(out, "<section id=\"geography\">\n<h2>Geography</h2>\n<div class=\"maps keep\">")?;
    let stores_on_map = map_stores(package);
    let ours = package_forces(package);
    let detail = detail_frame(package, &stores_on_map, &ours);
    overview(out, package, &stores_on_map, &ours, detail.as_ref())?;
    if let Some(frame) = &detail {
        detail_map(out, package, &stores_on_map, &ours, frame)?;
    }
    out.push_str("</div>\n<div class=\"geo-lists\">\n<div>\n<h3>Corridor</h3>\n");
    if package.corridor.is_empty() {
        out.push_str("<p class=\"empty\">No corridor: the offences stay within one force.</p>\n");
    } else {
        out.push_str("<ol class=\"corridor\">");
        for force in &package.corridor {
            write!(out, "<li>{}</li>", escape(force_name(force)))?;
        }
        out.push_str("</ol>\n");
    }
    out.push_str("</div>\n<div>\n");
    stores(out, &stores_on_map)?;
    out.push_str("</div>\n</div>\n</section>\n");
    Ok(())
}

fn svg_open(out: &mut String, frame: &Frame, label: &str) -> fmt::Result {
    writeln!(
        out,
        "<svg viewBox=\"0 0 {:.0} {:.0}\" role=\"img\" aria-label=\"{label}\" font-family=\"Liberation Sans, Arial, \
         sans-serif\">\n<rect width=\"{:.0}\" height=\"{:.0}\" fill=\"#eaf2f8\"/>",
        frame.width, frame.height, frame.width, frame.height
    )?;
    for outline in OUTLINES {
        writeln!(
            out,
            "<path d=\"{}Z\" fill=\"#fbfbf8\" stroke=\"#9aa5b1\" stroke-width=\"0.7\"/>",
            path(frame, outline)
        )?;
    }
    writeln!(
        out,
        "<path d=\"{}\" fill=\"none\" stroke=\"#9aa5b1\" stroke-width=\"0.6\" stroke-dasharray=\"2 1.5\"/>",
        path(frame, IRISH_BORDER)
    )
}

/// The corridor through the force centres, in order.
fn corridor(out: &mut String, package: &IntelligencePackage, frame: &Frame, width: f64) -> fmt::Result {
    let stops: Vec<(f64, f64)> =
        package.corridor.iter().filter_map(|f| centre(f.as_str())).map(|(lat, lon)| frame.project(lat, lon)).collect();
    if stops.len() < 2 {
        return Ok(());
    }
    let points: Vec<String> = stops.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
    writeln!(
        out,
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#a3111f\" stroke-width=\"{width}\" stroke-linejoin=\"round\" \
         stroke-linecap=\"round\" stroke-opacity=\"0.75\"/>",
        points.join(" ")
    )
}

fn overview(
    out: &mut String,
    package: &IntelligencePackage,
    stores: &[MapStore<'_>],
    ours: &BTreeSet<&str>,
    detail: Option<&Frame>,
) -> fmt::Result {
    let frame = Frame::new(LAT, LON, OVERVIEW_WIDTH);
    out.push_str("<figure class=\"overview\">");
    svg_open(out, &frame, "Map of Great Britain and Northern Ireland: forces, stores and the corridor")?;
    for force in ForceRegistry::global().territorial().filter(|f| !ours.contains(f.id.as_str())) {
        if let Some((lat, lon)) = force.centre {
            let (x, y) = frame.project(lat, lon);
            writeln!(
                out,
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"1.6\" fill=\"#a7b0ba\"><title>{}</title></circle>",
                escape(&force.name)
            )?;
        }
    }
    if let Some(area) = detail {
        let (x0, y0) = frame.project(area.lat.1, area.lon.0);
        let (x1, y1) = frame.project(area.lat.0, area.lon.1);
        writeln!(
            out,
            "<rect x=\"{x0:.1}\" y=\"{y0:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"none\" stroke=\"#1f3a5f\" \
             stroke-width=\"0.8\" stroke-dasharray=\"3 2\"/>",
            x1 - x0,
            y1 - y0
        )?;
    }
    corridor(out, package, &frame, 2.2)?;
    for store in stores.iter().filter(|s| s.plotted) {
        let (x, y) = frame.project(store.store.lat, store.store.lon);
        writeln!(
            out,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{:.1}\" fill=\"#d7301f\" fill-opacity=\"0.55\" stroke=\"#7f0000\" \
             stroke-width=\"0.5\"/>",
            1.6 + 0.8 * (store.offences as f64).sqrt()
        )?;
    }
    force_markers(out, package, ours, &frame)?;
    out.push_str("</svg>\n<figcaption>");
    let plotted = stores.iter().filter(|s| s.plotted).count();
    write!(
        out,
        "Schematic (simplified coastline). <span class=\"dot\">●</span> store, sized by offences ({plotted} plotted); \
         numbered: corridor in order; ringed: lead force; grey: other forces."
    )?;
    let unplaced = stores.len() - plotted;
    if unplaced > 0 {
        let noun = if unplaced == 1 { "store" } else { "stores" };
        write!(out, " <strong>{unplaced} {noun} without a position</strong> (not drawn).")?;
    }
    if detail.is_some() {
        out.push_str(" Dashed box: the detail.");
    }
    out.push_str("</figcaption></figure>\n");
    Ok(())
}

/// The area of the stores and the package's forces, padded and squared, when there is one.
fn detail_frame(package: &IntelligencePackage, stores: &[MapStore<'_>], ours: &BTreeSet<&str>) -> Option<Frame> {
    let points: Vec<(f64, f64)> = stores
        .iter()
        .filter(|s| s.plotted)
        .map(|s| (s.store.lat, s.store.lon))
        .chain(ours.iter().filter_map(|f| centre(f)))
        .chain(package.corridor.iter().filter_map(|f| centre(f.as_str())))
        .collect();
    let first = points.first()?;
    let (mut lat, mut lon) = ((first.0, first.0), (first.1, first.1));
    for &(a, o) in &points {
        lat = (lat.0.min(a), lat.1.max(a));
        lon = (lon.0.min(o), lon.1.max(o));
    }
    // At least about 60 km across, a margin all round, and square once projected.
    let squeeze = f64::midpoint(lat.0, lat.1).to_radians().cos();
    let side = ((lat.1 - lat.0).max((lon.1 - lon.0) * squeeze) * 1.3).max(0.55);
    let (mid_lat, mid_lon) = (f64::midpoint(lat.0, lat.1), f64::midpoint(lon.0, lon.1));
    let half_lon = side / squeeze / 2.0;
    Some(Frame::new(
        (mid_lat - side / 2.0, mid_lat + side / 2.0),
        (mid_lon - half_lon, mid_lon + half_lon),
        DETAIL_SIDE,
    ))
}

fn detail_map(
    out: &mut String,
    package: &IntelligencePackage,
    stores: &[MapStore<'_>],
    ours: &BTreeSet<&str>,
    frame: &Frame,
) -> fmt::Result {
    out.push_str("<figure class=\"detail\">");
    svg_open(out, frame, "Detail of the area of offending: numbered stores, forces and the corridor")?;
    for force in ForceRegistry::global().territorial().filter(|f| !ours.contains(f.id.as_str())) {
        let Some((lat, lon)) = force.centre.filter(|&(lat, lon)| frame.contains(lat, lon)) else { continue };
        let (x, y) = frame.project(lat, lon);
        writeln!(
            out,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"2.5\" fill=\"#a7b0ba\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" \
             text-anchor=\"{}\" fill=\"#7b8794\">{}</text>",
            if x > frame.width * 0.7 { x - 5.0 } else { x + 5.0 },
            y + 3.5,
            if x > frame.width * 0.7 { "end" } else { "start" },
            escape(short_name(&force.name))
        )?;
    }
    corridor(out, package, frame, 4.0)?;
    // Largest first, so smaller markers stay visible on top.
    for store in stores.iter().filter(|s| s.plotted) {
        let (x, y) = frame.project(store.store.lat, store.store.lon);
        let r = 7.0 + 2.5 * (store.offences as f64).sqrt();
        writeln!(
            out,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r:.1}\" fill=\"#d7301f\" fill-opacity=\"0.8\" stroke=\"#fff\" \
             stroke-width=\"1.2\"><title>{} ({}): {} offences</title></circle><text x=\"{x:.1}\" y=\"{:.1}\" \
             font-size=\"10\" font-weight=\"700\" text-anchor=\"middle\" fill=\"#fff\">{}</text>",
            escape(&store.store.name),
            escape(&store.store.postcode),
            store.offences,
            y + 3.5,
            store.number
        )?;
    }
    // The package's forces by name, above their centres and above the stores.
    for id in ours {
        let Some((lat, lon)) = centre(id).filter(|&(lat, lon)| frame.contains(lat, lon)) else { continue };
        let (x, y) = frame.project(lat, lon);
        let name = ForceRegistry::global().get(id).map_or(*id, |f| short_name(&f.name));
        writeln!(
            out,
            "<text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"13\" font-weight=\"700\" text-anchor=\"middle\" fill=\"#1f3a5f\" \
             stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">{}</text>",
            y - 16.0,
            escape(name)
        )?;
    }
    scale_bar(out, frame)?;
    out.push_str(
        "</svg>\n<figcaption>Detail: stores numbered as in the table below, sized by offences; the corridor joins \
         the forces' centres.</figcaption></figure>\n",
    );
    Ok(())
}

/// A bar of a round number of kilometres, about a quarter of the map's width, bottom left.
fn scale_bar(out: &mut String, frame: &Frame) -> fmt::Result {
    let units_per_km = frame.scale / 111.2;
    let km = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0]
        .into_iter()
        .rfind(|km| km * units_per_km <= frame.width * 0.3)
        .unwrap_or(1.0);
    let (x, y, length) = (12.0, frame.height - 14.0, km * units_per_km);
    writeln!(
        out,
        "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"22\" fill=\"#fff\" fill-opacity=\"0.8\"/>\
         <path d=\"M{x:.1},{:.1} V{y:.1} H{:.1} V{:.1}\" fill=\"none\" stroke=\"#1b1f24\" stroke-width=\"1.5\"/>\
         <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"middle\" fill=\"#1b1f24\">{km:.0} km</text>",
        x - 6.0,
        y - 16.0,
        length + 12.0,
        y - 5.0,
        x + length,
        y - 5.0,
        x + length / 2.0,
        y - 4.0
    )
}

/// The package's forces: a dot (numbered when on the corridor), a ring for the lead force, and
/// the force's name.
fn force_markers(out: &mut String, package: &IntelligencePackage, ours: &BTreeSet<&str>, frame: &Frame) -> fmt::Result {
    for id in ours {
        let Some((lat, lon)) = centre(id) else { continue };
        let (x, y) = frame.project(lat, lon);
        let steps: Vec<String> = package
            .corridor
            .iter()
            .enumerate()
            .filter(|(_, f)| f.as_str() == *id)
            .map(|(i, _)| (i + 1).to_string())
            .collect();
        if package.lead_force.as_str() == *id {
            writeln!(
                out,
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"9\" fill=\"none\" stroke=\"#1f3a5f\" stroke-width=\"1.6\"/>"
            )?;
        }
        if steps.is_empty() {
            writeln!(
                out,
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3.2\" fill=\"#1f3a5f\" stroke=\"#fff\" stroke-width=\"0.8\"/>"
            )?;
        } else {
            writeln!(
                out,
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"6\" fill=\"#1f3a5f\" stroke=\"#fff\" stroke-width=\"0.8\"/>\
                 <text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"7\" font-weight=\"700\" text-anchor=\"middle\" \
                 fill=\"#fff\">{}</text>",
                y + 2.5,
                steps.join(",")
            )?;
        }
        let name = ForceRegistry::global().get(id).map_or(*id, |f| short_name(&f.name));
        let (lx, anchor) = if x > frame.width * 0.62 { (x - 11.0, "end") } else { (x + 11.0, "start") };
        writeln!(
            out,
            "<text x=\"{lx:.1}\" y=\"{:.1}\" font-size=\"9\" font-weight=\"700\" text-anchor=\"{anchor}\" \
             fill=\"#1b1f24\" stroke=\"#fff\" stroke-width=\"2.5\" paint-order=\"stroke\">{}</text>",
            y + 3.0,
            escape(name)
        )?;
    }
    Ok(())
}

/// An SVG path through (lat, lon) points: `M x,y L x,y …`.
fn path(frame: &Frame, points: &[(f64, f64)]) -> String {
    let mut d = String::with_capacity(points.len() * 14);
    for (i, &(lat, lon)) in points.iter().enumerate() {
        let (x, y) = frame.project(lat, lon);
        let _ = write!(d, "{}{x:.1},{y:.1} ", if i == 0 { "M" } else { "L" });
    }
    d
}
