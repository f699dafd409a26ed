//! Progress for long work. On a terminal: a bar (or a spinner) with count, rate and ETA. Otherwise
//! (cron, CI, a log file): a plain line every `ORCA_PROGRESS_EVERY_SECS` seconds (default 10) with
//! the same numbers, and one when the phase ends, so a log shows how far a long run got.

use indicatif::{HumanDuration, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

/// A bar over `total` items.
pub fn bar(total: u64, message: &'static str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return lines(Some(total), message);
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ({per_sec}, eta {eta})")
            .expect("static template")
            .progress_chars("=> "),
    );
    bar.set_message(message);
    bar
}

/// Work with no known size.
pub fn spinner(message: &'static str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return lines(None, message);
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(ProgressStyle::with_template("{spinner} {msg} {elapsed}").expect("static template"));
    bar.set_message(message);
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// Ends a phase: clears the bar, or without a terminal says how the phase went.
pub fn finish(bar: &ProgressBar) {
    if bar.is_hidden() && !bar.is_finished() {
        eprintln!("{}: done, {} in {:.1}s", bar.message(), bar.position(), bar.elapsed().as_secs_f64());
    }
    bar.finish_and_clear();
}

/// A hidden bar whose state a thread writes out as a line every interval until it is finished.
fn lines(total: Option<u64>, message: &'static str) -> ProgressBar {
    let bar = ProgressBar::hidden();
    if let Some(total) = total {
        bar.set_length(total);
    }
    bar.set_message(message);
    let every = interval();
    let watched = bar.downgrade();
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(every);
            match watched.upgrade() {
                Some(bar) if !bar.is_finished() => eprintln!("{}", describe(&bar)),
                _ => return,
            }
        }
    });
    bar
}

/// `ingesting: 1200/5000 (310/s, eta 12s)`, or `processing: 1200 (310/s) after 4s` without a total.
fn describe(bar: &ProgressBar) -> String {
    let (message, position, rate) = (bar.message(), bar.position(), bar.per_sec());
    match bar.length() {
        Some(total) if total > 0 => {
            format!("{message}: {position}/{total} ({rate:.0}/s, eta {})", HumanDuration(bar.eta()))
        }
        _ => format!("{message}: {position} ({rate:.0}/s) after {}", HumanDuration(bar.elapsed())),
    }
}

fn interval() -> Duration {
    std::env::var("ORCA_PROGRESS_EVERY_SECS")
        .ok()
        .and_then(|text| text.trim().parse::<f64>().ok())
        .filter(|seconds| seconds.is_finite() && *seconds >= 0.05)
        .map_or(Duration::from_secs(10), Duration::from_secs_f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_progress_line_gives_count_total_rate_and_eta_or_the_time_so_far() {
        let bar = ProgressBar::hidden();
        bar.set_length(10);
        bar.set_message("ingesting");
        bar.inc(4);
        let line = describe(&bar);
        assert!(line.starts_with("ingesting: 4/10 ("), "{line}");
        assert!(line.contains("/s, eta "), "{line}");
        let open = ProgressBar::hidden();
        open.set_message("processing");
        open.inc(7);
        let line = describe(&open);
        assert!(line.starts_with("processing: 7 (") && line.contains(") after "), "{line}");
    }
}
