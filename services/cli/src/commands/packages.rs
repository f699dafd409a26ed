//! `orca packages`: what a force sees — the intelligence packages about groups and prolific
//! offenders that hit its area. Every read states a purpose and is audited.

use crate::client;
use crate::commands::keys::KeysFile;
use anyhow::{Context, Result};
use orca_model::Pence;
use orca_proto::v1::{self, intelligence_service_client::IntelligenceServiceClient};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct PackagesArgs {
    /// The force (data.police.uk slug), e.g. `west-midlands`.
    #[arg(long)]
    pub force: String,
    /// A running ORCA's gRPC endpoint.
    #[arg(long, default_value = "http://127.0.0.1:50051")]
    pub endpoint: String,
    /// The force user's key (or ORCA_KEY); default: the force's key in `--data-dir`'s keys file.
    #[arg(long, env = "ORCA_KEY", hide_env_values = true)]
    pub key: Option<String>,
    /// Data directory whose `keys.json` holds the force's key (as `orca demo` writes it).
    #[arg(long, default_value = ".orca/demo")]
    pub data_dir: PathBuf,
    /// Why you are reading, in your own words (or ORCA_PURPOSE; asked for at a terminal when
    /// missing); recorded in the audit log with your identity.
    #[arg(long, env = "ORCA_PURPOSE")]
    pub purpose: Option<String>,
    /// Only packages where the force is the lead.
    #[arg(long)]
    pub lead_only: bool,
    /// Show one package in full instead of the list.
    #[arg(long)]
    pub show: Option<String>,
    /// Print JSON (proto3 form) instead of text.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(args: PackagesArgs) -> Result<()> {
    let purpose = client::stated_purpose(args.purpose.as_deref())?;
    let key = match &args.key {
        Some(key) => key.clone(),
        None => {
            let path = args.data_dir.join("keys.json");
            let keys = KeysFile::read(&path).context("no `--key`; looked for the force's key in the data directory")?;
            keys.forces
                .get(&args.force)
                .cloned()
                .with_context(|| format!("`{}` has no key for `{}`", path.display(), args.force))?
        }
    };
    let channel = client::connect(&args.endpoint).await?;
    let mut intel = IntelligenceServiceClient::new(channel).max_decoding_message_size(64 * 1024 * 1024);
    if let Some(id) = &args.show {
        let request = v1::GetPackageRequest { package_id: id.clone(), purpose: purpose.clone(), version: 0 };
        let package = intel
            .get_package(client::authorized(request, &key)?)
            .await?
            .into_inner()
            .package
            .context("empty response")?;
        if args.json {
            println!("{}", serde_json::to_string_pretty(&package)?);
        } else {
            print!("{}", render_package(&package));
        }
        return Ok(());
    }
    let mut packages = Vec::new();
    let mut page_token = String::new();
    loop {
        let request = v1::ListPackagesRequest {
            force: args.force.clone(),
            purpose: purpose.clone(),
            page: Some(v1::PageRequest { page_size: 200, page_token }),
            lead_only: args.lead_only,
        };
        let response = intel.list_packages(client::authorized(request, &key)?).await?.into_inner();
        packages.extend(response.packages);
        if response.next_page_token.is_empty() {
            break;
        }
        page_token = response.next_page_token;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&packages)?);
        return Ok(());
    }
    println!("{} packages for `{}`", packages.len(), args.force);
    println!(
        "{:<16} {:>3} {:<8} {:<13} {:>8} {:>8} {:>11}  lead / affected forces",
        "package", "v", "band", "level", "subjects", "offences", "loss"
    );
    for p in &packages {
        let level = v1::NimLevel::try_from(p.nim_level)
            .map_or("?".to_owned(), |l| l.as_str_name().trim_start_matches("NIM_LEVEL_").to_lowercase());
        let lead = if p.lead_force == args.force { format!("LEAD {}", p.lead_force) } else { p.lead_force.clone() };
        println!(
            "{:<16} {:>3} {:<8} {:<13} {:>8} {:>8} {:>11}  {} / {}",
            p.package_id,
            p.version,
            p.priority_band,
            level,
            p.subject_count,
            p.offence_count,
            Pence::new(p.total_loss_pence),
            lead,
            p.affected_forces.join(", ")
        );
    }
    if let Some(first) = packages.first() {
        println!("\nshow one with: orca packages --force {} --show {}", args.force, first.package_id);
    }
    Ok(())
}

/// A subject's name with what tells them apart from another of the same name: date of birth and
/// aliases (the person id is printed beside it).
fn subject_label(s: &v1::PackageSubject) -> String {
    let mut label = if s.display_name.is_empty() { "(unnamed)".to_owned() } else { s.display_name.clone() };
    if !s.date_of_birth.is_empty() {
        label.push_str(&format!(", born {}", s.date_of_birth));
    }
    if !s.aliases.is_empty() {
        label.push_str(&format!(", aka {}", s.aliases.join(" / ")));
    }
    label
}

fn render_package(p: &v1::IntelligencePackage) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(out, "{}  version {}  [{}]", p.package_id, p.version, p.security_marking);
    let _ = writeln!(out, "{}", p.title);
    if let Some(grade) = &p.grade {
        let _ = writeln!(
            out,
            "grade {}{}{} {}",
            grade.source,
            grade.intelligence,
            grade.handling,
            grade.handling_conditions.join("; ")
        );
    }
    let _ = writeln!(out, "lead force {}; affected {}", p.lead_force, p.affected_forces.join(", "));
    let _ = writeln!(out, "corridor {}", p.corridor.join(" -> "));
    let _ = writeln!(out, "total loss {} over {} offences", Pence::new(p.total_loss_pence), p.offences.len());
    if let Some(score) = &p.score {
        let _ = writeln!(out, "priority {} ({})", score.priority_band, score.rule);
        for factor in &score.factors {
            let _ = writeln!(
                out,
                "  {:<11} {:>7.2} {:<8} {}",
                factor.name,
                factor.value,
                factor.band,
                factor.evidence.join("; ")
            );
        }
    }
    let _ = writeln!(out, "subjects:");
    for s in &p.subjects {
        let _ = writeln!(
            out,
            "  {} {:<9} confidence {:.2}, {:>3} incidents  {}",
            s.person_id,
            s.role,
            s.match_confidence,
            s.incident_count,
            subject_label(s)
        );
    }
    if !p.vehicles.is_empty() {
        let _ = writeln!(out, "vehicles:");
        for v in &p.vehicles {
            let vrm = if v.vrm.is_empty() { "(no plate read)" } else { &v.vrm };
            let cloned = if v.cloned_plate_suspected { " (cloned plate suspected)" } else { "" };
            let false_plate = if v.false_plate_suspected { " (false plate reported)" } else { "" };
            let _ = writeln!(out, "  {} {vrm} {} {} {}{cloned}{false_plate}", v.vehicle_id, v.colour, v.make, v.model);
        }
    }
    let _ = writeln!(out, "offences:");
    for o in &p.offences {
        let when = o
            .occurred_at
            .as_ref()
            .map(|t| t.seconds)
            .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
            .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default();
        let crime_ref =
            if o.police_crime_ref.is_empty() { "no crime ref".to_owned() } else { o.police_crime_ref.clone() };
        let _ = writeln!(
            out,
            "  {when} {:<18} {:<20} {:>10} {}",
            o.force,
            o.store_id,
            Pence::new(o.value_pence),
            crime_ref
        );
    }
    for gap in &p.intelligence_gaps {
        let _ = writeln!(out, "gap: {gap}");
    }
    for action in &p.recommended_actions {
        let _ = writeln!(out, "action: {action}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject(id: &str, name: &str, born: &str, aliases: &[&str]) -> v1::PackageSubject {
        v1::PackageSubject {
            person_id: id.to_owned(),
            display_name: name.to_owned(),
            date_of_birth: born.to_owned(),
            aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
            role: "core".to_owned(),
            ..v1::PackageSubject::default()
        }
    }

    #[test]
    fn two_subjects_of_one_name_are_told_apart_by_birth_date_and_alias() {
        let package = v1::IntelligencePackage {
            subjects: vec![
                subject("P00000001", "John Smith", "1990-04-02", &["Smithy"]),
                subject("P00000002", "John Smith", "1971-11-30", &[]),
            ],
            vehicles: vec![v1::PackageVehicle {
                vehicle_id: "V00000009".to_owned(),
                colour: "blue".to_owned(),
                make: "Mercedes".to_owned(),
                false_plate_suspected: true,
                ..v1::PackageVehicle::default()
            }],
            ..v1::IntelligencePackage::default()
        };
        let text = render_package(&package);
        assert!(
            text.contains(
                "  P00000001 core      confidence 0.00,   0 incidents  John Smith, born 1990-04-02, aka Smithy\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("  P00000002 core      confidence 0.00,   0 incidents  John Smith, born 1971-11-30\n"),
            "{text}"
        );
        assert!(text.contains("V00000009 (no plate read) blue Mercedes  (false plate reported)"), "{text}");
    }
}
