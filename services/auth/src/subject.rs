//! What a key may be issued to: checked subjects and holders, so the audit names real principals.

use orca_store::PrincipalKind;

/// Longest retailer id (as in incidents) and longest analyst or holder name.
const MAX_RETAILER_CHARS: usize = 64;
const MAX_NAME_CHARS: usize = 100;

/// Why `subject` cannot hold a key of `kind`, or `None` when it can: a retailer id as incidents use
/// it (`a-z`, `0-9`, `-`), a force slug from the registry, an analyst's name in words.
pub fn subject_problem(kind: PrincipalKind, subject: &str) -> Option<String> {
    match kind {
        PrincipalKind::Retailer => {
            let well_formed = !subject.is_empty()
                && subject.chars().count() <= MAX_RETAILER_CHARS
                && subject.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !subject.starts_with('-')
                && !subject.ends_with('-');
            (!well_formed).then(|| {
                format!(
                    "retailer id `{}` may use only a-z, 0-9 and - (not at either end), at most {MAX_RETAILER_CHARS} \
                     characters, e.g. `meadow-mart`",
                    printable(subject)
                )
            })
        }
        PrincipalKind::Force => (!orca_model::ForceRegistry::global().contains(subject)).then(|| {
            format!("`{}` is not a force slug (see data.police.uk, e.g. `west-midlands`)", printable(subject))
        }),
        PrincipalKind::Analyst => name_problem("analyst name", subject),
    }
}

/// Why `name` cannot name a person (an analyst, or the officer holding a force key): printable
/// words, letters, digits, spaces and `.'-()`, with at least two letters.
pub fn name_problem(what: &str, name: &str) -> Option<String> {
    let allowed = |c: char| c.is_alphanumeric() || " .'-()".contains(c);
    let letters = name.chars().filter(|c| c.is_alphabetic()).count();
    if name.trim() != name || name.is_empty() {
        Some(format!("{what} `{}` must not be empty or start or end with a space", printable(name)))
    } else if name.chars().count() > MAX_NAME_CHARS {
        Some(format!("{what} is longer than {MAX_NAME_CHARS} characters"))
    } else if !name.chars().all(allowed) || letters < 2 {
        Some(format!(
            "{what} `{}` may use only letters, digits, spaces and .'-() and needs at least two letters, e.g. \
             `DC 4471 Sam Patel`",
            printable(name)
        ))
    } else {
        None
    }
}

/// `text` with control characters shown as `?`, for messages.
fn printable(text: &str) -> String {
    text.chars().take(MAX_NAME_CHARS).map(|c| if c.is_control() { '?' } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retailer_ids_are_the_ids_incidents_use() {
        assert_eq!(subject_problem(PrincipalKind::Retailer, "meadow-mart"), None);
        for bad in ["", "Meadow Mart; DROP", "-x", "x-", "north\u{1b}[2Jmart", &"a".repeat(65)] {
            assert!(subject_problem(PrincipalKind::Retailer, bad).is_some(), "{bad:?}");
        }
        let message = subject_problem(PrincipalKind::Retailer, "Meadow Mart; DROP").unwrap();
        assert!(message.starts_with("retailer id `Meadow Mart; DROP` may use only"), "{message}");
    }

    #[test]
    fn forces_come_from_the_registry_and_analysts_are_named_in_words() {
        assert_eq!(subject_problem(PrincipalKind::Force, "kent"), None);
        assert!(subject_problem(PrincipalKind::Force, "").is_some());
        assert!(subject_problem(PrincipalKind::Force, "atlantis").is_some());
        assert_eq!(subject_problem(PrincipalKind::Analyst, "Jo Bloggs (OPAL)"), None);
        assert_eq!(name_problem("holder", "DC 4471 Sam Patel"), None);
        assert_eq!(name_problem("holder", "Siân O'Neill-Hughes"), None);
        for bad in ["", " Jo", "x", "12345", "Jo; DROP TABLE", "Jo\nBloggs", "Jo\u{202e}gol"] {
            assert!(subject_problem(PrincipalKind::Analyst, bad).is_some(), "{bad:?}");
        }
    }
}
