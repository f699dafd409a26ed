//! The package's map, as inline SVG without tiles: a schematic outline of Great Britain and Northern
//! Ireland, every territorial force's centre (the package's forces highlighted and named), the
//! corridor through the force centres in order, and each store sized by its offences. Beside it,
//! the corridor as a list and the stores as a table.

use super::coast::{IRISH_BORDER, OUTLINES};
use super::tables::{offences_per_store, stores};
use super::{escape, force_name};
use orca_model::ForceRegistry;
use orca_model::package::{IntelligencePackage, PackageStore};
use std::collections::BTreeSet;
use std::fmt::{self, Write};

/// What the map shows, in degrees: Great Britain and Northern Ireland.
const LAT: (f64, f64) = (49.8, 60.9);
const LON: (f64, f64) = (-8.2, 1.8);
/// The map's width in SVG units; the height follows from the projection.
const WIDTH: f64 = 300.0;

/// Equirectangular projection, longitude scaled by the cosine of the middle latitude so distances
/// look right across Britain: (lat, lon) to (x, y) in SVG units.
fn project(lat: f64, lon: f64) -> (f64, f64) {
    let (scale, _) = scale_and_height();
    let squeeze = f64::midpoint(LAT.0, LAT.1).to_radians().cos();
    ((lon - LON.0) * squeeze * scale, (LAT.1 - lat) * scale)
}

fn scale_and_height() -> (f64, f64) {
    let squeeze = f64::midpoint(LAT.0, LAT.1).to_radians().cos();
    let scale = WIDTH / ((LON.1 - LON.0) * squeeze);
    (scale, (LAT.1 - LAT.0) * scale)
}

/// Whether a store can be drawn: a real position (not 0,0) inside the map.
pub(super) fn has_position(store: &PackageStore) -> bool {
    let (lat, lon) = (store.lat, store.lon);
    lat.is_finite()
        && lon.is_finite()
        && !(lat == 0.0 && lon == 0.0)
        && (LAT.0..=LAT.1).contains(&lat)
        && (LON.0..=LON.1).contains(&lon)
}

/// `West Midlands Police` as `West Midlands`, for labels on a small map.
fn short_name(name: &str) -> &str {
    [" Police Service", " Constabulary", " Police"]
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix))
        .filter(|short| !short.is_empty())
        .unwrap_or(name)
}

pub(super) fn geography(out: &mut String, package: &IntelligencePackage) -> fmt::Result {
    writeln!(out, "<section id=\"geography\">\n<h2>Geography</h2>\n<div class=\"geo\">")?;
    map(out, package)?;
    out.push_str("<div>\n<h3>Corridor</h3>\n");
    if package.corridor.is_empty() {
        out.push_str("<p class=\"empty\">No corridor: the offences stay within one force.</p>\n");
    } else {
        out.push_str("<ol class=\"corridor\">");
        for force in &package.corridor {
            write!(out, "<li>{}</li>", escape(force_name(force)))?;
        }
        out.push_str("</ol>\n");
    }
    stores(out, package, &has_position)?;
    out.push_str("</div>\n</div>\n</section>\n");
    Ok(())
}

fn map(out: &mut String, package: &IntelligencePackage) -> fmt::Result {
    let registry = ForceRegistry::global();
    let (_, height) = scale_and_height();
    writeln!(
        out,
        "<figure class=\"keep\"><svg viewBox=\"0 0 {WIDTH} {height:.0}\" role=\"img\" aria-label=\"Map of forces, \
         stores and the corridor\" font-family=\"Liberation Sans, Arial, sans-serif\">\n\
         <rect width=\"{WIDTH}\" height=\"{height:.0}\" fill=\"#eaf2f8\"/>"
    )?;
    for outline in OUTLINES {
        writeln!(out, "<path d=\"{}Z\" fill=\"#fbfbf8\" stroke=\"#9aa5b1\" stroke-width=\"0.7\"/>", path(outline))?;
    }
    writeln!(
        out,
        "<path d=\"{}\" fill=\"none\" stroke=\"#9aa5b1\" stroke-width=\"0.6\" stroke-dasharray=\"2 1.5\"/>",
        path(IRISH_BORDER)
    )?;

    let mut ours: BTreeSet<&str> = BTreeSet::new();
    ours.insert(package.lead_force.as_str());
    ours.extend(package.affected_forces.iter().map(|f| f.as_str()));
    ours.extend(package.corridor.iter().map(|f| f.as_str()));
    ours.extend(package.offences.iter().map(|o| o.force.as_str()));
    ours.extend(package.stores.iter().map(|s| s.force.as_str()));
    let centre = |id: &str| registry.get(id).and_then(|f| f.centre).map(|(lat, lon)| project(lat, lon));

    for force in registry.territorial().filter(|f| !ours.contains(f.id.as_str())) {
        if let Some((lat, lon)) = force.centre {
            let (x, y) = project(lat, lon);
            writeln!(
                out,
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"1.6\" fill=\"#a7b0ba\"><title>{}</title></circle>",
                escape(&force.name)
            )?;
        }
    }

    // The corridor, beneath the stores and markers.
    let stops: Vec<(f64, f64)> = package.corridor.iter().filter_map(|f| centre(f.as_str())).collect();
    if stops.len() >= 2 {
        let points: Vec<String> = stops.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        writeln!(
            out,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"#a3111f\" stroke-width=\"2.2\" stroke-linejoin=\"round\" \
             stroke-linecap=\"round\" stroke-opacity=\"0.8\"/>",
            points.join(" ")
        )?;
    }

    let counts = offences_per_store(package);
    let mut unplaced = 0;
    let mut plotted: Vec<&PackageStore> = Vec::new();
    for store in &package.stores {
        if has_position(store) {
            plotted.push(store);
        } else {
            unplaced += 1;
        }
    }
    // Largest first, so small markers stay visible on top of big ones.
    let count = |s: &PackageStore| counts.get(s.store.as_str()).copied().unwrap_or(0);
    plotted.sort_by(|a, b| count(b).cmp(&count(a)).then_with(|| a.store.cmp(&b.store)));
    for store in &plotted {
        let (x, y) = project(store.lat, store.lon);
        let n = count(store);
        writeln!(
            out,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{:.1}\" fill=\"#d7301f\" fill-opacity=\"0.55\" stroke=\"#7f0000\" \
             stroke-width=\"0.6\"><title>{} ({}): {n} offences</title></circle>",
            2.0 + 1.5 * (n as f64).sqrt(),
            escape(&store.name),
            escape(&store.postcode)
        )?;
    }

    force_markers(out, package, &ours, &centre)?;
    out.push_str("</svg>\n<figcaption>");
    write!(
        out,
        "Schematic (simplified coastline). <span style=\"color:#d7301f\">●</span> store, sized by offences \
         ({} plotted); numbered: corridor in order; ringed: lead force; grey: other forces.",
        plotted.len()
    )?;
    if unplaced > 0 {
        let stores = if unplaced == 1 { "store" } else { "stores" };
        write!(out, " <strong>{unplaced} {stores} without a position</strong> (not drawn).")?;
    }
    out.push_str("</figcaption></figure>\n");
    Ok(())
}

/// The package's forces: a dot (numbered when on the corridor), a ring for the lead force, and
/// the force's name.
fn force_markers(
    out: &mut String,
    package: &IntelligencePackage,
    ours: &BTreeSet<&str>,
    centre: &dyn Fn(&str) -> Option<(f64, f64)>,
) -> fmt::Result {
    for id in ours {
        let Some((x, y)) = centre(id) else { continue };
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
                 <text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"7\" font-weight=\"700\" text-anchor=\"middle\" fill=\"#fff\">{}</text>",
                y + 2.5,
                steps.join(",")
            )?;
        }
        let name = ForceRegistry::global().get(id).map_or(*id, |f| short_name(&f.name));
        let (lx, anchor) = if x > WIDTH * 0.62 { (x - 11.0, "end") } else { (x + 11.0, "start") };
        writeln!(
            out,
            "<text x=\"{lx:.1}\" y=\"{:.1}\" font-size=\"9\" font-weight=\"700\" text-anchor=\"{anchor}\" fill=\"#1b1f24\" \
             stroke=\"#fff\" stroke-width=\"2.5\" paint-order=\"stroke\">{}</text>",
            y + 3.0,
            escape(name)
        )?;
    }
    Ok(())
}

/// An SVG path through (lat, lon) points: `M x,y L x,y …`.
fn path(points: &[(f64, f64)]) -> String {
    let mut d = String::with_capacity(points.len() * 14);
    for (i, &(lat, lon)) in points.iter().enumerate() {
        let (x, y) = project(lat, lon);
        let _ = write!(d, "{}{x:.1},{y:.1} ", if i == 0 { "M" } else { "L" });
    }
    d
}
