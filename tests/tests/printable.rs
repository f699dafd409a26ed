//! The printable package in a real browser: headless Chromium opens the HTML document of a
//! realistic package from a file, takes a screenshot (PNG) and prints it (PDF), the way a force's
//! officer would save it for a briefing. Each output is compared with the same rendering of an
//! empty document, to prove the package's content reached the page.
//!
//! Needs Debian's `chromium` on `PATH`: `infra/chromium.sh` installs it. Without it the tests fail.
//! The outputs are also copied to `target/printable/` for a reviewer to open.

use orca_packages::print::package_html;
use orca_packages::print::sample::{sample_changes, sample_package};
use orca_tests::browser::{HEADLESS, chromium};
use std::path::{Path, PathBuf};
use std::process::Command;
use tempfile::TempDir;

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
/// A4 at 150 dpi, so a screenshot shows one page of the screen layout.
const WINDOW: &str = "--window-size=1240,1754";

/// A temporary directory with `html` in it as `name.html`.
fn page(dir: &TempDir, name: &str, html: &str) -> PathBuf {
    let path = dir.path().join(format!("{name}.html"));
    std::fs::write(&path, html).expect("write the html");
    path
}

/// Runs headless Chromium on a local file with `output_flag` (`--screenshot=…` or
/// `--print-to-pdf=…`) and returns the bytes it wrote. Chromium gets its own profile and `HOME`
/// in the test's directory, so concurrent runs do not share state.
fn render(dir: &TempDir, html: &Path, output_flag: &str, output: &Path) -> Vec<u8> {
    let profile = dir.path().join(format!("profile-{}", output.file_stem().unwrap().to_string_lossy()));
    let url = format!("file://{}", html.display());
    let result = Command::new(chromium().expect("chromium"))
        .args(HEADLESS)
        .arg("--no-pdf-header-footer")
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(WINDOW)
        .arg(format!("{output_flag}={}", output.display()))
        .arg(&url)
        .env("HOME", dir.path())
        .output()
        .expect("start chromium");
    assert!(
        result.status.success(),
        "chromium {output_flag} {url} failed ({}):\n{}",
        result.status,
        String::from_utf8_lossy(&result.stderr)
    );
    std::fs::read(output).unwrap_or_else(|e| {
        panic!("chromium wrote no {}: {e}\n{}", output.display(), String::from_utf8_lossy(&result.stderr))
    })
}

/// Keeps a copy in `target/printable/` and says where.
fn keep(name: &str, bytes: &[u8]) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().expect("the target directory").join("printable");
    std::fs::create_dir_all(&dir).expect("create target/printable");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("keep a copy");
    eprintln!("printable package: {} ({} bytes)", path.display(), bytes.len());
}

const EMPTY_PAGE: &str =
    "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title></title></head><body></body></html>";

#[test]
fn headless_chromium_screenshots_the_package_with_its_content() {
    let dir = tempfile::tempdir().expect("tempdir");
    let html = package_html(&sample_package(), &sample_changes());
    keep("package.html", html.as_bytes());
    let png = render(&dir, &page(&dir, "package", &html), "--screenshot", &dir.path().join("package.png"));
    let blank = render(&dir, &page(&dir, "blank", EMPTY_PAGE), "--screenshot", &dir.path().join("blank.png"));
    keep("package.png", &png);
    eprintln!("a blank page's screenshot: {} bytes", blank.len());

    assert!(png.starts_with(PNG_SIGNATURE), "a PNG");
    assert!(blank.starts_with(PNG_SIGNATURE), "a PNG");
    assert!(png.len() > 20 * 1024, "a page full of text and charts is more than 20 KB, got {}", png.len());
    assert!(
        png.len() > 10 * blank.len(),
        "the package's screenshot ({} bytes) should dwarf a blank page's ({} bytes)",
        png.len(),
        blank.len()
    );
}

#[test]
fn headless_chromium_prints_the_package_to_a_pdf_of_several_pages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let html = package_html(&sample_package(), &sample_changes());
    let pdf = render(&dir, &page(&dir, "package", &html), "--print-to-pdf", &dir.path().join("package.pdf"));
    let empty = render(&dir, &page(&dir, "empty", EMPTY_PAGE), "--print-to-pdf", &dir.path().join("empty.pdf"));
    keep("package.pdf", &pdf);
    eprintln!("an empty document's PDF: {} bytes", empty.len());

    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    assert!(empty.starts_with(b"%PDF-"), "a PDF");
    let pages = page_count(&pdf);
    assert!(pages >= 3, "the realistic package runs to several A4 pages, got {pages}");
    assert_eq!(page_count(&empty), 1);
    assert!(contains(&pdf, b"/FontFile"), "text was drawn: the PDF embeds the fonts it used");
    assert!(!contains(&empty, b"/FontFile"), "an empty document draws no text");
    assert!(
        pdf.len() > 20 * empty.len(),
        "the package's PDF ({} bytes) should be far larger than an empty document's ({} bytes)",
        pdf.len(),
        empty.len()
    );
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

/// Page objects in a PDF: `/Type /Page` (or `/Type/Page`), not `/Type /Pages`.
fn page_count(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    ["/Type /Page", "/Type/Page"]
        .iter()
        .map(|marker| text.match_indices(marker).filter(|(i, _)| !text[i + marker.len()..].starts_with('s')).count())
        .sum()
}
