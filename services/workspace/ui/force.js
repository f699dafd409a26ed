// The force officer's workspace: the force's packages with triage filters, and a package page
// (the printable document itself, what changed, the outcomes recorded, and a form to record one),
// both updated live from `StreamPackages` while open.

import { call, day, failure, h, label, meta, money, purpose, route, show, table, when } from './common.js';

const force = meta('orca-force');

/**
 * Follows the force's packages (server-sent events); `onChange(summary, changes)` is called for
 * each package that changes after the page opened. Reconnects from the last cursor seen.
 */
function follow(onChange) {
  let cursor = '';
  let caughtUp = false;
  let source = null;
  const connect = () => {
    const address = new URLSearchParams({ purpose: purpose(), cursor });
    source = new EventSource(`/ui/api/intel/stream?${address}`);
    source.addEventListener('package', (message) => {
      const event = JSON.parse(message.data);
      cursor = event.cursor ?? cursor;
      if (event.caughtUp) {
        caughtUp = true;
        document.body.dataset.live = 'true';
        return;
      }
      // Before the first catch-up the stream replays what the page already shows; after a
      // reconnection from the cursor, everything it sends is new.
      if (caughtUp && (event.package || event.unsharedPackageId)) onChange(event.package, event.changes, event.unsharedPackageId);
    });
    source.addEventListener('error', () => {
      // Reconnect from the last cursor seen (the browser's own retry would start from the first
      // address, and replay everything as if new).
      document.body.dataset.live = 'false';
      source.close();
      setTimeout(connect, 3000);
    });
  };
  if (purpose()) connect();
  addEventListener('pagehide', () => source?.close());
}

// ---------------------------------------------------------------------------------------------
// Package list

async function packagesPage() {
  const params = new URLSearchParams(location.search);
  const select = (name, options) => h('select', { name, id: `filter-${name}`, 'aria-label': name },
    options.map(([value, text]) => h('option', { value, selected: (params.get(name) ?? options[0][0]) === value }, text)));
  const role = select('role', [['PACKAGE_ROLE_ANY', 'Lead or affected'], ['PACKAGE_ROLE_LEAD', 'We lead'], ['PACKAGE_ROLE_AFFECTED', 'We are affected']]);
  const status = select('status', [['PACKAGE_STATUS_ACTIVE', 'Standing'], ['PACKAGE_STATUS_WITHDRAWN', 'Withdrawn'], ['PACKAGE_STATUS_ALL', 'All']]);
  const chosenBands = new Set((params.get('bands') ?? '').split(',').filter(Boolean));
  const bands = ['high', 'medium', 'low'].map((band) => h('label', { class: 'check' },
    h('input', { type: 'checkbox', name: 'band', value: band, checked: chosenBands.has(band) }), band));
  const since = h('input', { type: 'date', name: 'since', id: 'filter-since', value: params.get('since') ?? '', 'aria-label': 'Changed since' });
  const list = h('div', { id: 'packages' });
  const updates = h('div', { id: 'updates', 'aria-live': 'polite' });
  const form = h('form', { class: 'filters', onsubmit: (e) => e.preventDefault() }, role, status,
    h('span', {}, 'Priority: ', bands), h('label', {}, 'Changed since ', since));
  show(h('h1', {}, `Packages for ${meta('orca-force-name') || force}`), form, updates, list);

  const load = async () => {
    const address = new URLSearchParams();
    const chosen = [...form.querySelectorAll('input[name="band"]:checked')].map((c) => c.value);
    if (role.value !== 'PACKAGE_ROLE_ANY') address.set('role', role.value);
    if (status.value !== 'PACKAGE_STATUS_ACTIVE') address.set('status', status.value);
    if (chosen.length) address.set('bands', chosen.join(','));
    if (since.value) address.set('since', since.value);
    history.replaceState(null, '', `?${address}`);
    try {
      const response = await call('intel', 'ListPackages', {
        force, role: role.value, status: status.value, bands: chosen,
        changedSince: since.value ? `${since.value}T00:00:00Z` : undefined, page: { pageSize: 200 },
      });
      const packages = response.packages ?? [];
      list.replaceChildren(h('p', { class: 'muted', id: 'packages-total' }, `${response.total ?? packages.length} packages, most urgent first`),
        table(packages, [
          ['Package', (p) => h('a', { href: `/ui/force/packages/${encodeURIComponent(p.packageId)}`, class: 'package-link' }, p.title || p.packageId)],
          ['Priority', (p) => h('span', { class: `band ${p.priorityBand}` }, p.priorityBand ?? '')],
          ['Role', (p) => (p.lead ? 'lead' : 'affected')],
          ['Subject', (p) => label(p.subjectKind, 'SUBJECT_KIND_')],
          ['NIM level', (p) => label(p.nimLevel, 'NIM_LEVEL_')],
          ['Offences', (p) => p.offenceCount ?? 0],
          ['Loss', (p) => money(p.totalLossPence)],
          ['Latest offence', (p) => day(p.lastSeen)],
          ['Version', (p) => `${p.version ?? 1}${p.withdrawn ? ' (withdrawn)' : ''}`],
          ['Changed', (p) => when(p.changedAt)],
        ], { id: 'packages-table' }));
    } catch (error) {
      list.replaceChildren(failure(error));
    }
  };
  form.addEventListener('change', load);
  await load();
  let reload = null;
  follow((summary, changes, unshared) => {
    const what = unshared ? `${unshared} no longer concerns your force` : `${summary.title || summary.packageId} is now version ${summary.version}`;
    updates.replaceChildren(h('p', { class: 'notice' }, `Updated: ${what}${changes?.changes?.length ? ` (${changes.changes.map((c) => c.detail).join('; ')})` : ''}.`));
    clearTimeout(reload); // one new listing for a burst of changes
    reload = setTimeout(load, 300);
  });
}

// ---------------------------------------------------------------------------------------------
// One package

async function packagePage(id) {
  let version = await drawPackage(id);
  follow((summary, changed, unshared) => {
    if (unshared === id) {
      document.getElementById('updates').replaceChildren(h('p', { class: 'error' }, 'This package no longer concerns your force.'));
    } else if (summary?.packageId === id && (summary.version ?? 1) > version) {
      const notice = h('p', { class: 'notice', id: 'update-notice' }, `Version ${summary.version} has been published: ${(changed?.changes ?? []).map((c) => c.detail).join('; ') || 'changes'}. Showing it now.`);
      drawPackage(id).then((shown) => {
        version = shown;
        document.getElementById('updates').replaceChildren(notice);
      });
    }
  });
}

/** Draws the latest version of package `id`; returns its version number. */
async function drawPackage(id) {
  const response = await call('intel', 'GetPackage', { packageId: id });
  const pkg = response.package ?? {};
  const version = pkg.version ?? 1;
  const frame = h('iframe', { id: 'document', title: `Package ${id} version ${version}`, class: 'document',
    src: `/ui/document/packages/${encodeURIComponent(id)}?${new URLSearchParams({ purpose: purpose(), version })}` });
  const changes = response.changes?.changes ?? [];
  show(
    h('p', { class: 'muted' }, h('a', { href: '/ui/force/packages' }, '← Packages'), ` · ${id}`),
    h('h1', { id: 'package-title' }, pkg.title || id),
    h('p', { id: 'package-version' }, `Version ${version} · ${pkg.score?.priorityBand ?? ''} priority · ${label(pkg.nimLevel, 'NIM_LEVEL_')} · lead ${pkg.leadForce ?? ''}${(pkg.affectedForces ?? []).length ? `, affected ${pkg.affectedForces.join(', ')}` : ''} · as of ${when(pkg.asOf)}${pkg.withdrawn ? ' · WITHDRAWN' : ''}`),
    h('div', { id: 'updates', 'aria-live': 'polite' }),
    changes.length ? h('section', {}, h('h2', {}, `Changes since version ${response.changes.fromVersion ?? version - 1}`),
      h('ul', { id: 'changes' }, changes.map((c) => h('li', {}, c.detail || c.kind)))) : null,
    h('section', { 'aria-labelledby': 'outcomes-heading' }, h('h2', { id: 'outcomes-heading' }, 'Outcomes'),
      (pkg.outcomes ?? []).length
        ? table(pkg.outcomes, [
          ['Date', (o) => o.date ?? ''],
          ['Person', (o) => o.personId ?? ''],
          ['Outcome', (o) => label(o.kind, 'OUTCOME_KIND_')],
          ['Force and reference', (o) => `${o.force ?? ''} ${o.forceReference ?? ''}`],
          ['Notes', (o) => o.notes ?? ''],
          ['Recorded by', (o) => `${o.recordedBy ?? ''} ${when(o.recordedAt)}`],
        ], { id: 'outcomes' })
        : h('p', { class: 'muted', id: 'no-outcomes' }, 'No outcome recorded yet.'),
      pkg.withdrawn ? null : outcomeForm(id, pkg)),
    h('section', {}, h('h2', {}, 'The package'), h('p', { class: 'small' },
      h('a', { href: frame.src, target: '_blank', rel: 'noopener' }, 'Open the printable package on its own'), ' to print it or save it as PDF.'), frame),
  );
  return version;
}

// The receipt of the last outcome recorded on this page. The new version it causes can be drawn
// before the answer arrives (the page redraws itself when a version is published), so the receipt
// is kept here and shown in whichever form is on the page.
let receipt = '';

function outcomeForm(id, pkg) {
  const person = h('select', { name: 'person', id: 'outcome-person', required: true },
    (pkg.subjects ?? []).map((s) => h('option', { value: s.personId }, `${s.displayName || s.personId} (${s.personId})`)));
  const kind = h('select', { name: 'kind', id: 'outcome-kind', required: true },
    ['ARREST', 'CHARGE', 'CAUTION', 'NO_FURTHER_ACTION', 'CONVICTION', 'DISRUPTION'].map((k) => h('option', { value: `OUTCOME_KIND_${k}` }, k.toLowerCase().replaceAll('_', ' '))));
  const date = h('input', { type: 'date', name: 'date', id: 'outcome-date', required: true, max: new Date().toISOString().slice(0, 10) });
  const reference = h('input', { name: 'reference', id: 'outcome-reference', required: true, maxlength: 100, autocomplete: 'off', placeholder: 'custody or crime number' });
  const notes = h('textarea', { name: 'notes', id: 'outcome-notes', maxlength: 2000, rows: 2 });
  const result = h('p', { id: 'outcome-result', 'aria-live': 'polite' }, receipt);
  // The form on the page now: a published version may have redrawn it while a call was out.
  const shown = () => document.getElementById('outcome-result') ?? result;
  const form = h('form', { class: 'outcome', id: 'outcome-form' }, h('h3', {}, 'Record an outcome'),
    h('label', {}, 'Person ', person), h('label', {}, 'Outcome ', kind), h('label', {}, 'Date ', date),
    h('label', {}, 'Your reference ', reference), h('label', { class: 'wide' }, 'Notes ', notes),
    h('button', { type: 'submit' }, 'Record outcome'), result);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button');
    button.disabled = true;
    result.textContent = 'Recording…';
    try {
      const answer = await call('intel', 'RecordOutcome', {
        packageId: id, personId: person.value, kind: kind.value, date: date.value, forceReference: reference.value.trim(), notes: notes.value.trim(),
      });
      receipt = `Recorded as ${answer.outcome?.outcomeId ?? ''}; the package's next version carries it (this page updates when it is published).`;
      shown().textContent = receipt;
      form.reset();
    } catch (error) {
      shown().replaceChildren(failure(error));
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

route([
  [/^\/ui\/force\/?$/, () => location.replace('/ui/force/packages')],
  [/^\/ui\/force\/packages$/, packagesPage],
  [/^\/ui\/force\/packages\/([^/]+)$/, packagePage],
]);
