//! Readable text for the analysts' responses: tables for lists, sections for one entity.

use orca_model::Pence;
use orca_proto::v1;
use std::fmt::Write;

fn date(t: &Option<pbjson_types::Timestamp>) -> String {
    t.as_ref()
        .and_then(|t| chrono::DateTime::from_timestamp(t.seconds, 0))
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "-".to_owned())
}

fn day(t: &Option<pbjson_types::Timestamp>) -> String {
    date(t).split(' ').next().unwrap_or("-").to_owned()
}

fn enum_name(name: Option<&str>, prefix: &str) -> String {
    name.map(|n| n.trim_start_matches(prefix).to_lowercase().replace('_', " ")).unwrap_or_else(|| "?".to_owned())
}

fn decision(value: i32) -> String {
    enum_name(v1::LinkDecision::try_from(value).ok().map(|d| d.as_str_name()), "LINK_DECISION_")
}

fn link_kind(value: i32) -> String {
    enum_name(v1::LinkKind::try_from(value).ok().map(|d| d.as_str_name()), "LINK_KIND_")
}

/// Text with the highlighted ranges in [brackets].
fn marked(highlight: &v1::Highlight) -> String {
    let mut out = String::new();
    let mut at = 0usize;
    for range in &highlight.ranges {
        let (start, end) = (range.start as usize, range.end as usize);
        if start < at
            || end > highlight.fragment.len()
            || !highlight.fragment.is_char_boundary(start)
            || !highlight.fragment.is_char_boundary(end)
        {
            continue;
        }
        out.push_str(&highlight.fragment[at..start]);
        let _ = write!(out, "[{}]", &highlight.fragment[start..end]);
        at = end;
    }
    out.push_str(&highlight.fragment[at..]);
    out
}

pub fn search(response: &v1::SearchResponse) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} matches", response.total);
    for hit in &response.hits {
        let kind = enum_name(v1::SearchKind::try_from(hit.kind).ok().map(|k| k.as_str_name()), "SEARCH_KIND_");
        let _ = writeln!(out, "{:<8} {:<22} {:>6.2}  {}", kind, hit.id, hit.score, hit.title);
        let _ = writeln!(out, "{:<38}{} ({} to {})", "", hit.subtitle, day(&hit.first_seen), day(&hit.last_seen));
        for highlight in &hit.highlights {
            let _ = writeln!(out, "{:<38}{}: {}", "", highlight.field, marked(highlight));
        }
    }
    if !response.next_page_token.is_empty() {
        let _ = writeln!(out, "more: --page {}", response.next_page_token);
    }
    out
}

pub fn groups(response: &v1::ListGroupsResponse) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} groups", response.total);
    if response.groups.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "{:<10} {:<9} {:<7} {:>7} {:>9} {:>12} {:<10} {:<22} title",
        "group", "status", "band", "members", "incidents", "loss", "last seen", "lead force"
    );
    for g in &response.groups {
        let status = enum_name(v1::GroupStatus::try_from(g.status).ok().map(|s| s.as_str_name()), "GROUP_STATUS_");
        let _ = writeln!(
            out,
            "{:<10} {:<9} {:<7} {:>7} {:>9} {:>12} {:<10} {:<22} {}",
            g.group_id,
            status,
            g.priority_band,
            g.member_count,
            g.incident_count,
            Pence::new(g.total_loss_pence),
            day(&g.last_seen),
            g.lead_force,
            g.title
        );
        if !g.fate.is_empty() {
            let _ = writeln!(out, "{:<11}{}", "", g.fate);
        }
    }
    out
}

fn links(out: &mut String, edges: &[v1::NetworkEdge]) {
    if edges.is_empty() {
        return;
    }
    let _ = writeln!(out, "links:");
    for e in edges {
        let _ = writeln!(out, "  {:<14} {:<12} {:.2}  {}", link_kind(e.kind), e.to_id, e.confidence, e.reason);
    }
}

fn sightings(out: &mut String, sightings: &[v1::PersonSightingRef]) {
    let _ = writeln!(out, "sightings ({}):", sightings.len());
    for s in sightings {
        let link = s.link.clone().unwrap_or_default();
        let mut evidence: Vec<&v1::ComparisonEvidence> = link.evidence.iter().collect();
        evidence.sort_by(|a, b| b.weight.abs().total_cmp(&a.weight.abs()));
        let why: Vec<String> =
            evidence.iter().take(3).map(|e| format!("{} {} {:+.1}", e.comparison, e.level, e.weight)).collect();
        let runner_up = if link.runner_up_entity_id.is_empty() {
            String::new()
        } else {
            format!("; runner-up {} p={:.2}", link.runner_up_entity_id, link.runner_up_probability)
        };
        // A new entity with no candidate compared has no probability to show.
        let scored =
            if why.is_empty() { String::new() } else { format!(" p={:.2}: {}", link.probability, why.join(", ")) };
        let _ = writeln!(
            out,
            "  {} {}#{} {:<18} {:<28} {}{}{}",
            date(&s.occurred_at),
            s.incident_id,
            s.sighting_index,
            s.force,
            s.reported_as,
            decision(link.decision),
            scored,
            runner_up
        );
    }
}

pub fn person(p: &v1::Person) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}  {}", p.person_id, p.names.first().cloned().unwrap_or_else(|| "(unnamed)".into()));
    if !p.redirected_from.is_empty() {
        let _ = writeln!(out, "({} was merged into this person)", p.redirected_from);
    }
    for (label, values) in [
        ("names", &p.names),
        ("born", &p.dates_of_birth),
        ("marks", &p.distinguishing_marks),
        ("marker codes", &p.marker_codes),
        ("forces", &p.forces),
        ("groups", &p.group_ids),
        ("vehicles", &p.vehicle_ids),
        ("merged in", &p.merged_ids),
    ] {
        if !values.is_empty() {
            let _ = writeln!(out, "{label}: {}", values.join("; "));
        }
    }
    if !p.split_from.is_empty() {
        let _ = writeln!(out, "split from: {}", p.split_from);
    }
    sightings(&mut out, &p.sightings);
    links(&mut out, &p.links);
    out
}

pub fn vehicle(v: &v1::Vehicle) -> String {
    let mut out = String::new();
    let _ =
        writeln!(out, "{}  {}", v.vehicle_id, v.vrms.first().or(v.partial_reads.first()).cloned().unwrap_or_default());
    for (label, values) in [
        ("plates read", &v.vrms),
        ("partial reads", &v.partial_reads),
        ("makes", &v.makes),
        ("models", &v.models),
        ("colours", &v.colours),
        ("forces", &v.forces),
        ("seen with", &v.person_ids),
        ("groups", &v.group_ids),
        ("same plate as", &v.cloned_plate_of),
    ] {
        if !values.is_empty() {
            let _ = writeln!(out, "{label}: {}", values.join("; "));
        }
    }
    sightings(&mut out, &v.sightings);
    links(&mut out, &v.links);
    out
}

pub fn group(g: &v1::Group) -> String {
    let mut out = String::new();
    let status = enum_name(v1::GroupStatus::try_from(g.status).ok().map(|s| s.as_str_name()), "GROUP_STATUS_");
    let _ = writeln!(out, "{}  {}  [{status}]  package {} v{}", g.group_id, g.title, g.package_id, g.package_version);
    if !g.fate.is_empty() {
        let _ = writeln!(out, "{}", g.fate);
    }
    let band = g.score.as_ref().map(|s| s.priority_band.clone()).unwrap_or_default();
    let _ =
        writeln!(out, "lead {}; forces {}; corridor {}", g.lead_force, g.forces.join(", "), g.corridor.join(" -> "));
    let _ = writeln!(
        out,
        "{} incidents, {} taken, {} to {}, priority {band}",
        g.incident_ids.len(),
        Pence::new(g.total_loss_pence),
        day(&g.first_seen),
        day(&g.last_seen)
    );
    let _ = writeln!(out, "members:");
    for m in &g.members {
        let _ = writeln!(
            out,
            "  {} {:<28} {:<9} {} incidents, {} links, betweenness {:.2}",
            m.person_id, m.display_name, m.role, m.incident_count, m.degree, m.betweenness
        );
    }
    if !g.vehicle_ids.is_empty() {
        let _ = writeln!(out, "vehicles: {}", g.vehicle_ids.join(", "));
    }
    out
}

pub fn incident(d: &v1::IncidentDetail) -> String {
    let mut out = String::new();
    let Some(i) = &d.incident else { return out };
    let total: Pence = i.line_items.iter().map(|l| Pence::new(l.unit_price_pence).times(l.quantity)).sum();
    let _ = writeln!(
        out,
        "{}  {} at {} ({}), {}",
        i.incident_id,
        date(&i.occurred_from),
        i.store_id,
        i.retailer_id,
        i.force
    );
    let _ = writeln!(
        out,
        "{}  {}  crime ref {}",
        enum_name(v1::EventType::try_from(i.event_type).ok().map(|e| e.as_str_name()), "EVENT_TYPE_"),
        total,
        if i.police_crime_ref.is_empty() { "none" } else { &i.police_crime_ref }
    );
    if !i.narrative.is_empty() {
        let _ = writeln!(out, "narrative: {}", i.narrative);
    }
    for l in &i.line_items {
        let _ =
            writeln!(out, "  {} x {} ({}) {}", l.quantity, l.description, l.category, Pence::new(l.unit_price_pence));
    }
    for link in &d.persons {
        let who = i
            .persons
            .get(link.sighting_index as usize)
            .map(|p| format!("{} {}", p.given_names, p.family_name))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "person #{} {:<26} -> {} ({} p={:.2})",
            link.sighting_index,
            who.trim(),
            link.entity_id,
            decision(link.decision),
            link.probability
        );
    }
    for link in &d.vehicles {
        let plate = i
            .vehicles
            .get(link.sighting_index as usize)
            .map(|v| if v.vrm.is_empty() { v.vrm_raw.clone() } else { v.vrm.clone() })
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "vehicle #{} {:<25} -> {} ({} p={:.2})",
            link.sighting_index,
            plate,
            link.entity_id,
            decision(link.decision),
            link.probability
        );
    }
    if !d.group_ids.is_empty() {
        let _ = writeln!(out, "groups: {}", d.group_ids.join(", "));
    }
    out
}

pub fn network(n: &v1::Network) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} nodes, {} links{}",
        n.nodes.len(),
        n.edges.len(),
        if n.truncated { " (limit reached: raise --max-nodes or narrow --links)" } else { "" }
    );
    for node in &n.nodes {
        let kind = enum_name(v1::NodeKind::try_from(node.kind).ok().map(|k| k.as_str_name()), "NODE_KIND_");
        let _ = writeln!(
            out,
            "  hop {} {:<8} {:<12} {:<32} {} incidents {}",
            node.hop,
            kind,
            node.id,
            node.label,
            node.incident_count,
            node.forces.join(",")
        );
    }
    for e in &n.edges {
        let _ =
            writeln!(out, "  {} -[{}, {:.2}]- {}: {}", e.from_id, link_kind(e.kind), e.confidence, e.to_id, e.reason);
    }
    out
}

pub fn path(n: &v1::Network) -> String {
    if n.nodes.is_empty() {
        return "no chain of links within reach\n".to_owned();
    }
    let mut out = String::new();
    for (i, node) in n.nodes.iter().enumerate() {
        let _ = writeln!(out, "{} {} ({})", if i == 0 { "  " } else { "->" }, node.id, node.label);
        if let Some(e) = n.edges.get(i) {
            let _ = writeln!(out, "     {}: {}", link_kind(e.kind), e.reason);
        }
    }
    out
}

pub fn timeline(t: &v1::TimelineResponse) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} incidents", t.total);
    for e in &t.events {
        let with = if e.member_ids.is_empty() {
            e.person_ids.join(",")
        } else {
            format!("members {}", e.member_ids.join(","))
        };
        let _ = writeln!(
            out,
            "  {} {:<20} {:<18} {:<12} {:>10}  {}  {}",
            date(&e.occurred_at),
            e.incident_id,
            e.force,
            e.store_id,
            Pence::new(e.value_pence),
            with,
            e.vehicle_ids.join(",")
        );
    }
    out
}

pub fn queue(q: &v1::ListReviewQueueResponse) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} possible matches awaiting review", q.total);
    for item in &q.items {
        let s = item.sighting.clone().unwrap_or_default();
        let _ = writeln!(
            out,
            "{}#{}  {} {:<24} now {}  possibly {} ({}) p={:.2}  consequence {:.1}",
            s.incident_id,
            s.index,
            date(&item.occurred_at),
            item.reported_as,
            item.entity_id,
            item.candidate_entity_id,
            item.candidate_label,
            item.probability,
            item.consequence
        );
        for reason in &item.consequence_reasons {
            let _ = writeln!(out, "    {reason}");
        }
    }
    if let Some(first) = q.items.first().and_then(|i| i.sighting.clone()) {
        let _ = writeln!(
            out,
            "decide with: orca analyst review {}#{} --confirm|--reject --reason \"…\"",
            first.incident_id, first.index
        );
    }
    out
}

pub fn receipt(r: &v1::DecisionReceipt) -> String {
    let status = enum_name(v1::DecisionStatus::try_from(r.status).ok().map(|s| s.as_str_name()), "DECISION_STATUS_");
    format!("decision {}: {status}\n{}\n", r.decision_id, r.message)
}
