//! The document's style sheet: a paper-like screen layout and A4 print rules (repeating banners,
//! rows and figures kept whole). System fonts only; nothing is fetched.

pub(super) const CSS: &str = r#"
:root { --ink: #1b1f24; --muted: #5a6470; --rule: #c9d0d8; --soft: #f2f4f7; --navy: #1f3a5f;
  --high: #a3111f; --medium: #9a5b00; --low: #2e6b34; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; color: var(--ink); font: 10pt/1.38 "Liberation Sans", Arial, Helvetica, sans-serif; }
main { display: block; }
h1 { font-size: 17pt; line-height: 1.2; margin: 2pt 0 3pt; color: var(--navy); }
h2 { font-size: 12pt; margin: 14pt 0 5pt; padding-bottom: 2pt; color: var(--navy);
  border-bottom: 1.5pt solid var(--navy); break-after: avoid; page-break-after: avoid; }
h3 { font-size: 10pt; margin: 8pt 0 3pt; break-after: avoid; }
p { margin: 3pt 0 6pt; }
section { margin: 0; }
.keep, figure, tr, .facts > div, li { break-inside: avoid; page-break-inside: avoid; }
.note, .caption, .legend { color: var(--muted); font-size: 8pt; }
.empty { color: var(--muted); font-style: italic; }
.mono { font-family: "Liberation Mono", "DejaVu Sans Mono", monospace; font-size: 8pt; }
.small { font-size: 7.5pt; color: var(--muted); }

.banner { border: 1.2pt solid var(--ink); background: #fff; padding: 1.5pt 6pt; height: 10mm; overflow: hidden; }
.banner .line { display: grid; grid-template-columns: 1fr auto 1fr; align-items: baseline; gap: 6pt; }
.banner .marking { font-weight: 700; font-size: 11pt; letter-spacing: 0.12em; text-align: center; }
.banner .grade, .banner .id { font-size: 7.5pt; font-weight: 700; white-space: nowrap; }
.banner .id { text-align: right; }
.banner .handling { font-size: 7pt; line-height: 1.25; text-align: center; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }
.sheet { width: 100%; border-collapse: collapse; }
.sheet > thead > tr > td, .sheet > tfoot > tr > td, .sheet > tbody > tr > td { padding: 0; border: 0; }
.banner-space { height: 0; }

.title .kicker { text-transform: uppercase; letter-spacing: 0.08em; font-size: 8pt; color: var(--muted); }
.title .subtitle { color: var(--muted); font-size: 9.5pt; margin-bottom: 6pt; }
.withdrawn { border: 2.5pt solid var(--high); color: var(--high); background: #fdecee; padding: 6pt 8pt;
  margin: 6pt 0; font-size: 11pt; }
.watermark { position: fixed; top: 45%; left: 0; right: 0; text-align: center; transform: rotate(-30deg);
  font-size: 70pt; font-weight: 700; letter-spacing: 0.1em; color: rgba(163, 17, 31, 0.12); pointer-events: none;
  z-index: 10; }
.withdrawn strong { font-size: 16pt; letter-spacing: 0.15em; margin-right: 8pt; }
.summary { display: grid; grid-template-columns: 30mm 1fr; gap: 6pt; align-items: start; }
.priority { border-radius: 3pt; color: #fff; text-align: center; padding: 6pt 4pt; }
.priority span { display: block; font-size: 8pt; text-transform: uppercase; letter-spacing: 0.08em; }
.priority strong { display: block; font-size: 16pt; text-transform: uppercase; }
.priority.band-high { background: var(--high); } .priority.band-medium { background: var(--medium); }
.priority.band-low { background: var(--low); } .priority.band-none { background: var(--muted); }
.facts { display: grid; grid-template-columns: repeat(3, 1fr); gap: 0; margin: 0; border-top: 0.5pt solid var(--rule);
  border-left: 0.5pt solid var(--rule); }
.facts > div { padding: 2.5pt 5pt; border-right: 0.5pt solid var(--rule); border-bottom: 0.5pt solid var(--rule); }
.facts dt { font-size: 7pt; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); }
.facts dd { margin: 0; font-size: 9pt; }
.facts.compact { grid-template-columns: 1fr 1fr; }

.badge { display: inline-block; border-radius: 2pt; padding: 0 4pt; font-size: 7.5pt; font-weight: 700;
  text-transform: uppercase; color: #fff; background: var(--muted); }
.badge.band-high { background: var(--high); } .badge.band-medium { background: var(--medium); }
.badge.band-low { background: var(--low); }
.tag { display: inline-block; border: 0.8pt solid currentColor; border-radius: 2pt; padding: 0 3pt; margin: 1pt 1pt 0 0;
  font-size: 7pt; font-weight: 700; line-height: 1.35; }
.tag-warn { color: var(--high); } .tag-outside { color: #6a3d9a; background: #f1eaf8; }

table.data { width: 100%; border-collapse: collapse; font-size: 8.5pt; margin: 2pt 0 4pt; }
table.data th { text-align: left; font-size: 7.5pt; text-transform: uppercase; letter-spacing: 0.04em; color: #fff;
  background: var(--navy); padding: 3pt 4pt; vertical-align: bottom; }
table.data td { padding: 3pt 4pt; border-bottom: 0.5pt solid var(--rule); vertical-align: top; }
table.data tbody tr:nth-child(even) td { background: var(--soft); }
table.data tr.outside td { background: #f6f0fb; }
table.data tr.outside td:first-child { box-shadow: inset 3pt 0 0 #6a3d9a; }
table.data td.num, table.data th.num { text-align: right; white-space: nowrap; }
table.data td.nowrap { white-space: nowrap; }
table.data ul { margin: 0; padding-left: 11pt; }
table.offences { table-layout: fixed; }
table.offences td { font-size: 8pt; overflow-wrap: anywhere; }
table.offences .mono { font-size: 7pt; }
.unknown { color: var(--muted); font-style: italic; }

figure { margin: 4pt 0 8pt; }
figure > svg { display: block; width: 100%; height: auto; }
svg.key { display: inline-block; vertical-align: -1px; }
figcaption { color: var(--muted); font-size: 8pt; margin-top: 2pt; }
.maps { display: grid; grid-template-columns: 70mm 1fr; gap: 8pt; align-items: start; }
.maps figure { margin-top: 0; }
.maps figure > svg { border: 0.6pt solid var(--rule); }
.geo-lists { display: grid; grid-template-columns: 52mm 1fr; gap: 10pt; align-items: start; }
.geo-lists h3 { margin-top: 2pt; }
.dot { color: #d7301f; }
ol.corridor { margin: 0 0 6pt; padding-left: 16pt; }
ul.items, ol.items { margin: 2pt 0; padding-left: 16pt; } ul.items li, ol.items li { margin: 1.5pt 0; }
.changes { border: 1pt solid var(--medium); background: #fff8ec; padding: 2pt 8pt 4pt; margin-top: 10pt; }
.changes h2 { border: 0; margin-top: 4pt; color: var(--medium); }
.changes ul { margin: 0; padding-left: 14pt; }

@media screen {
  body { background: #d9dde2; padding: 10px 0; }
  .banner { width: 210mm; margin: 0 auto; }
  .sheet { width: 210mm; margin: 0 auto; background: #fff; box-shadow: 0 1px 6px rgba(0,0,0,.25); }
  .sheet > tbody > tr > td { padding: 8mm 12mm 10mm; }
}
@page { size: A4; margin: 9mm 11mm 11mm; }
@page { @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 7pt "Liberation Sans", Arial, sans-serif; color: #5a6470; } }
@media print {
  body { background: #fff; }
  .banner { position: fixed; left: 0; right: 0; }
  .banner-top { top: 0; }
  .banner-bottom { bottom: 0; }
  .banner-space { height: 12mm; }
  a { color: inherit; text-decoration: none; }
  /* The first page is the summary; the subjects start the second. */
  #subjects { break-before: page; }
  #subjects h2 { margin-top: 0; }
}
"#;
