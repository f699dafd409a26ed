//! The two charts, as inline SVG: the offence timeline (one lane per force, one dot per offence,
//! coloured by event type, hollow when a member offended without the group) and the link chart
//! (subjects and vehicles on a circle in sorted order, edges as thick as their weight).

use super::tables::{event_label, sorted_offences, subject_name};
use super::{date_time, escape, force_name};
use chrono::{DateTime, Duration, Utc};
use orca_model::package::{IntelligencePackage, Offence};
use orca_model::{EventType, ForceId};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write};

/// The timeline's drawing width, in SVG units.
const TIMELINE_WIDTH: f64 = 1000.0;
const LANE_LABELS: f64 = 190.0;
const LANE_HEIGHT: f64 = 30.0;
const DOT: f64 = 6.0;

/// Colours of event types, distinguishable in print and by most colour-blind readers.
fn event_colour(event: EventType) -> &'static str {
    match event {
        EventType::Shoplifting => "#1f5fa8",
        EventType::Robbery => "#b2182b",
        EventType::Violence => "#e0592a",
        EventType::Abuse => "#8e44ad",
        EventType::Threats => "#d99000",
        EventType::Fraud => "#1b7837",
        EventType::CriminalDamage => "#7f5a00",
        EventType::MakingOffWithoutPayment => "#2b9c92",
        EventType::Unspecified => "#6b7280",
    }
}

pub(super) fn timeline(out: &mut String, package: &IntelligencePackage) -> fmt::Result {
    writeln!(out, "<section id=\"timeline\">\n<h2>Timeline of offences</h2>")?;
    let offences = sorted_offences(package);
    let (Some(first), Some(last)) = (offences.first(), offences.last()) else {
        return writeln!(out, "<p class=\"empty\">No offences to plot.</p>\n</section>");
    };
    let (start, end) = (first.occurred_at, last.occurred_at);
    // Lanes: forces in the order the subjects first offended there.
    let mut lanes: Vec<&ForceId> = Vec::new();
    for offence in &offences {
        if !lanes.contains(&&offence.force) {
            lanes.push(&offence.force);
        }
    }
    let top = 12.0;
    let axis_y = top + LANE_HEIGHT * lanes.len() as f64 + 6.0;
    let height = axis_y + 34.0;
    let plot = TIMELINE_WIDTH - LANE_LABELS - 40.0;
    let x_of = |at: DateTime<Utc>| {
        let span = (end - start).num_seconds();
        if span == 0 {
            LANE_LABELS + plot / 2.0
        } else {
            LANE_LABELS + plot * (at - start).num_seconds() as f64 / span as f64
        }
    };
    writeln!(
        out,
        "<figure class=\"keep\"><svg viewBox=\"0 0 {TIMELINE_WIDTH} {height}\" role=\"img\" \
         aria-label=\"Offences over time by force\" font-family=\"Liberation Sans, Arial, sans-serif\">"
    )?;
    for (i, force) in lanes.iter().enumerate() {
        let y = top + LANE_HEIGHT * (i as f64 + 0.5);
        let fill = if i % 2 == 0 { "#f2f4f7" } else { "#ffffff" };
        writeln!(
            out,
            "<rect x=\"{LANE_LABELS}\" y=\"{:.1}\" width=\"{plot}\" height=\"{LANE_HEIGHT}\" fill=\"{fill}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" text-anchor=\"end\" fill=\"#1b1f24\">{}</text>",
            y - LANE_HEIGHT / 2.0,
            LANE_LABELS - 10.0,
            y + 4.5,
            escape(&truncate(force_name(force), 26))
        )?;
    }
    axis(out, start, end, axis_y, top, &x_of)?;
    // Offences at (nearly) the same time in a lane are spread vertically so each stays visible.
    let mut stacked: BTreeMap<(usize, i64), usize> = BTreeMap::new();
    for offence in &offences {
        let lane = lanes.iter().position(|f| *f == &offence.force).unwrap_or(0);
        let x = x_of(offence.occurred_at);
        let slot = stacked.entry((lane, (x / (DOT * 1.6)).floor() as i64)).or_insert(0);
        let offset = [0.0, -7.0, 7.0, -12.0, 12.0][*slot % 5];
        *slot += 1;
        let y = top + LANE_HEIGHT * (lane as f64 + 0.5) + offset;
        dot(out, offence, x, y)?;
    }
    out.push_str("</svg>\n");
    timeline_legend(out, &offences)?;
    out.push_str("</figure>\n</section>\n");
    Ok(())
}

fn dot(out: &mut String, offence: &Offence, x: f64, y: f64) -> fmt::Result {
    let colour = event_colour(offence.event_type);
    let (fill, width) = if offence.outside_group { ("#ffffff", 2.6) } else { (colour, 1.0) };
    let note = if offence.outside_group { ", member alone / outside group" } else { "" };
    writeln!(
        out,
        "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{DOT}\" fill=\"{fill}\" stroke=\"{colour}\" stroke-width=\"{width}\">\
         <title>{} · {} · {}{note}</title></circle>",
        escape(&date_time(&offence.occurred_at)),
        escape(offence.incident_id.as_str()),
        event_label(offence.event_type)
    )
}

/// The time axis: ticks at even intervals from the first offence to the last, labelled with dates
/// (and times when everything happened within three days).
fn axis(
    out: &mut String,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    axis_y: f64,
    top: f64,
    x_of: &dyn Fn(DateTime<Utc>) -> f64,
) -> fmt::Result {
    let x0 = x_of(start);
    let x1 = x_of(end);
    writeln!(
        out,
        "<line x1=\"{LANE_LABELS}\" y1=\"{axis_y:.1}\" x2=\"{:.1}\" y2=\"{axis_y:.1}\" stroke=\"#1b1f24\" stroke-width=\"1\"/>",
        TIMELINE_WIDTH - 40.0
    )?;
    let span = end - start;
    let format = if span >= Duration::days(3) { "%d %b %Y" } else { "%d %b %H:%M" };
    let ticks: Vec<DateTime<Utc>> = if span.is_zero() {
        vec![start]
    } else {
        (0..=5).map(|i| start + Duration::seconds(span.num_seconds() * i / 5)).collect()
    };
    for (i, tick) in ticks.iter().enumerate() {
        let x = x_of(*tick);
        let anchor = match (i, ticks.len()) {
            (_, 1) => "middle",
            (0, _) => "start",
            (i, n) if i + 1 == n => "end",
            _ => "middle",
        };
        writeln!(
            out,
            "<line x1=\"{x:.1}\" y1=\"{top}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#c9d0d8\" stroke-width=\"0.8\" \
             stroke-dasharray=\"3 3\"/><line x1=\"{x:.1}\" y1=\"{axis_y:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#1b1f24\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"{anchor}\" fill=\"#1b1f24\">{}</text>",
            axis_y,
            axis_y + 5.0,
            axis_y + 19.0,
            tick.format(format)
        )?;
    }
    if !span.is_zero() {
        let days = span.num_hours() as f64 / 24.0;
        writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#5a6470\">{days:.0} days \
             from first to last offence</text>",
            f64::midpoint(x0, x1),
            axis_y + 32.0
        )?;
    }
    Ok(())
}

fn timeline_legend(out: &mut String, offences: &[&Offence]) -> fmt::Result {
    let events: BTreeSet<EventType> = offences.iter().map(|o| o.event_type).collect();
    out.push_str("<figcaption class=\"legend\">");
    for event in events {
        write!(
            out,
            "<svg class=\"key\" width=\"10\" height=\"10\" viewBox=\"0 0 10 10\">\
             <circle cx=\"5\" cy=\"5\" r=\"4.5\" fill=\"{}\"/></svg> {} &#160; ",
            event_colour(event),
            event_label(event)
        )?;
    }
    out.push_str(
        "· <svg class=\"key\" width=\"10\" height=\"10\" viewBox=\"0 0 10 10\">\
         <circle cx=\"5\" cy=\"5\" r=\"3.6\" fill=\"#fff\" stroke=\"#1b1f24\" stroke-width=\"1.6\"/></svg> \
         hollow: member alone / outside group · times in UTC</figcaption>\n",
    );
    Ok(())
}

/// The colour and dash of a link kind.
fn edge_style(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "co-offending" => ("#1f3a5f", ""),
        "shared-vehicle" => ("#d97706", ""),
        "used-vehicle" => ("#a85d00", "6 3"),
        "shared-marker" => ("#7b3fa0", "2 3"),
        _ => ("#6b7280", "4 2"),
    }
}

/// A node of the link chart: a subject (person) or a vehicle.
struct Node<'a> {
    id: &'a str,
    vehicle: bool,
    label: String,
    detail: String,
}

fn node<'a>(package: &IntelligencePackage, id: &'a str) -> Node<'a> {
    if let Some(v) = package.vehicles.iter().find(|v| v.vehicle_id.as_str() == id) {
        let vrm = if v.vrm.trim().is_empty() { "no plate read".to_owned() } else { v.vrm.clone() };
        return Node { id, vehicle: true, label: vrm, detail: id.to_owned() };
    }
    if let Some(name) = subject_name(package, id) {
        return Node { id, vehicle: false, label: truncate(name, 24), detail: id.to_owned() };
    }
    // Not a listed subject or vehicle: vehicles' ids start with `V`.
    let vehicle = id.starts_with('V');
    let detail = if package.subjects.iter().any(|s| s.person_id.as_str() == id) { "unnamed" } else { "" };
    Node { id, vehicle, label: truncate(id, 24), detail: detail.to_owned() }
}

pub(super) fn link_chart(out: &mut String, package: &IntelligencePackage) -> fmt::Result {
    writeln!(out, "<section id=\"links\">\n<h2>Link chart</h2>")?;
    let ids: BTreeSet<&str> = package.link_chart.iter().flat_map(|e| [e.from.as_str(), e.to.as_str()]).collect();
    if ids.is_empty() {
        return writeln!(out, "<p class=\"empty\">No links recorded between subjects and vehicles.</p>\n</section>");
    }
    let nodes: Vec<Node<'_>> = ids.iter().map(|id| node(package, id)).collect();
    let (width, height, cx, cy, radius) = (760.0, 460.0, 380.0, 228.0, 160.0);
    let position = |i: usize| -> (f64, f64, f64) {
        if nodes.len() == 1 {
            return (cx, cy, -std::f64::consts::FRAC_PI_2);
        }
        let angle = -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * i as f64 / nodes.len() as f64;
        (cx + radius * angle.cos(), cy + radius * angle.sin(), angle)
    };
    let index: BTreeMap<&str, usize> = nodes.iter().enumerate().map(|(i, n)| (n.id, i)).collect();
    let max_weight = package.link_chart.iter().map(|e| e.weight).filter(|w| w.is_finite()).fold(0.0_f64, f64::max);
    writeln!(
        out,
        "<figure class=\"keep\"><svg viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"Link chart\" \
         font-family=\"Liberation Sans, Arial, sans-serif\">"
    )?;
    let mut edges: Vec<_> = package.link_chart.iter().collect();
    edges.sort_by(|a, b| (&a.from, &a.to, &a.kind).cmp(&(&b.from, &b.to, &b.kind)));
    // Several links between the same two nodes bend apart so each stays visible.
    let pair = |from: &str, to: &str| {
        let (a, b) = (index.get(from).copied(), index.get(to).copied());
        a.zip(b).map(|(a, b)| (a.min(b), a.max(b)))
    };
    let mut parallel: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    for edge in &edges {
        if let Some(p) = pair(&edge.from, &edge.to) {
            *parallel.entry(p).or_insert(0) += 1;
        }
    }
    let mut drawn: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    let mut labels = String::new();
    for edge in &edges {
        let Some((a, b)) = pair(&edge.from, &edge.to) else { continue };
        let ((x1, y1, _), (x2, y2, _)) = (position(a), position(b));
        let nth = drawn.entry((a, b)).or_insert(0);
        let bend = (*nth as f64 - (parallel[&(a, b)] as f64 - 1.0) / 2.0) * 36.0;
        *nth += 1;
        let length = (x2 - x1).hypot(y2 - y1).max(1.0);
        let (nx, ny) = (-(y2 - y1) / length, (x2 - x1) / length);
        let (mx, my) = (f64::midpoint(x1, x2), f64::midpoint(y1, y2));
        let (qx, qy) = (mx + nx * bend, my + ny * bend);
        let share = if max_weight > 0.0 && edge.weight.is_finite() { (edge.weight / max_weight).max(0.0) } else { 0.5 };
        let (colour, dash) = edge_style(&edge.kind);
        let dash = if dash.is_empty() { String::new() } else { format!(" stroke-dasharray=\"{dash}\"") };
        writeln!(
            out,
            "<path d=\"M{x1:.1},{y1:.1} Q{qx:.1},{qy:.1} {x2:.1},{y2:.1}\" fill=\"none\" stroke=\"{colour}\" \
             stroke-width=\"{:.1}\" stroke-opacity=\"0.85\"{dash}><title>{} – {}: {}, weight {:.2}, {} incidents</title></path>",
            1.2 + 6.0 * share,
            escape(&edge.from),
            escape(&edge.to),
            escape(&edge.kind),
            edge.weight,
            edge.incident_count
        )?;
        if edge.incident_count > 0 && a != b {
            writeln!(
                labels,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\" fill=\"{colour}\" stroke=\"#fff\" \
                 stroke-width=\"3\" paint-order=\"stroke\" font-weight=\"700\">{}</text>",
                mx + nx * bend / 2.0,
                my + ny * bend / 2.0 + 4.0,
                edge.incident_count
            )?;
        }
    }
    out.push_str(&labels);
    for (i, node) in nodes.iter().enumerate() {
        node_mark(out, node, position(i))?;
    }
    out.push_str("</svg>\n");
    link_legend(out, &edges)?;
    out.push_str("</figure>\n</section>\n");
    Ok(())
}

fn node_mark(out: &mut String, node: &Node<'_>, (x, y, angle): (f64, f64, f64)) -> fmt::Result {
    if node.vehicle {
        writeln!(
            out,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"26\" height=\"18\" rx=\"3\" fill=\"#a85d00\" stroke=\"#fff\" stroke-width=\"1.5\"/>",
            x - 13.0,
            y - 9.0
        )?;
    } else {
        writeln!(
            out,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"12\" fill=\"#1f3a5f\" stroke=\"#fff\" stroke-width=\"1.5\"/>"
        )?;
    }
    // Labels sit outside the circle, on the side of the node.
    let (cos, sin) = (angle.cos(), angle.sin());
    let lx = x + 22.0 * cos;
    let ly = y + 22.0 * sin;
    let anchor = if cos > 0.3 {
        "start"
    } else if cos < -0.3 {
        "end"
    } else {
        "middle"
    };
    let (label_y, detail_y) = match anchor {
        "middle" if sin < 0.0 => (ly - 14.0, ly - 1.0),
        "middle" => (ly + 10.0, ly + 23.0),
        _ => (ly + 4.0, ly + 17.0),
    };
    writeln!(
        out,
        "<text x=\"{lx:.1}\" y=\"{label_y:.1}\" font-size=\"13\" font-weight=\"700\" text-anchor=\"{anchor}\" fill=\"#1b1f24\" \
         stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">{}</text>",
        escape(&node.label)
    )?;
    if !node.detail.is_empty() {
        writeln!(
            out,
            "<text x=\"{lx:.1}\" y=\"{detail_y:.1}\" font-size=\"11\" text-anchor=\"{anchor}\" fill=\"#5a6470\" \
             stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">{}</text>",
            escape(&node.detail)
        )?;
    }
    Ok(())
}

fn link_legend(out: &mut String, edges: &[&orca_model::package::LinkChartEdge]) -> fmt::Result {
    let kinds: BTreeSet<&str> = edges.iter().map(|e| e.kind.as_str()).collect();
    out.push_str(
        "<figcaption class=\"legend\"><svg class=\"key\" width=\"10\" height=\"10\" viewBox=\"0 0 10 10\">\
         <circle cx=\"5\" cy=\"5\" r=\"4.5\" fill=\"#1f3a5f\"/></svg> person &#160; \
         <svg class=\"key\" width=\"12\" height=\"10\" viewBox=\"0 0 12 10\">\
         <rect x=\"0.5\" y=\"1\" width=\"11\" height=\"8\" rx=\"1.5\" fill=\"#a85d00\"/></svg> vehicle &#160; · ",
    );
    for kind in kinds {
        let (colour, dash) = edge_style(kind);
        write!(
            out,
            "<svg class=\"key\" width=\"22\" height=\"8\" viewBox=\"0 0 22 8\"><line x1=\"0\" y1=\"4\" \
             x2=\"22\" y2=\"4\" stroke=\"{colour}\" stroke-width=\"2.5\" stroke-dasharray=\"{}\"/></svg> {} &#160; ",
            if dash.is_empty() { "none" } else { dash },
            escape(kind)
        )?;
    }
    out.push_str("· line width: link weight; number: incidents together</figcaption>\n");
    Ok(())
}

/// At most `max` characters, with an ellipsis when cut.
pub(super) fn truncate(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}
