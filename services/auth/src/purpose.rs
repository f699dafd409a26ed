//! The purpose a reader states for a call: recorded in the audit log with what it read (DPA 2018
//! s62: consultation and disclosure logs say why), so it must be words a reviewer can follow.

/// Longest purpose kept in the audit log.
pub const MAX_PURPOSE_CHARS: usize = 500;
/// Shortest purpose accepted: enough for a reviewer to follow (`op kestrel`, `case 43/1234/25`),
/// not `.` or `x`.
pub const MIN_PURPOSE_CHARS: usize = 10;

/// Why a stated purpose cannot be recorded, or `None` when it can: it must be printable words a
/// reviewer of the audit log can follow.
pub fn purpose_problem(purpose: &str) -> Option<String> {
    let purpose = purpose.trim();
    let chars = purpose.chars().count();
    if purpose.is_empty() {
        Some("`purpose` is required: say why you are reading (it is audited)".to_owned())
    } else if purpose.chars().any(char::is_control) {
        Some("`purpose` must be printable text: it has a control character (a newline, tab or escape)".to_owned())
    } else if chars > MAX_PURPOSE_CHARS {
        Some(format!("`purpose` is longer than {MAX_PURPOSE_CHARS} characters"))
    } else if chars < MIN_PURPOSE_CHARS || purpose.chars().filter(|c| c.is_alphabetic()).count() < 3 {
        Some(format!(
            "`purpose` must say why in words, at least {MIN_PURPOSE_CHARS} characters, such as `op kestrel: razor thefts`"
        ))
    } else {
        None
    }
}
