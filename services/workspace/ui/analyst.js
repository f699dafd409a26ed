// The analyst's workspace: search as you type, the group list, the review queue, and (entity.js)
// the pages of persons, vehicles, incidents and groups.

import { call, day, entityHref, failure, h, highlighted, label, money, percent, route, show, table } from './common.js';
import { entityPage, evidenceTable, incidentPage, reviewButtons } from './entity.js';

const KINDS = [
  ['SEARCH_KIND_PERSON', 'Persons'],
  ['SEARCH_KIND_VEHICLE', 'Vehicles'],
  ['SEARCH_KIND_INCIDENT', 'Incidents'],
  ['SEARCH_KIND_GROUP', 'Groups'],
];

async function forceOptions(selected) {
  const geography = await fetch('/ui/assets/geo.json').then((r) => r.json());
  return [h('option', { value: '' }, 'All forces'),
    geography.forces.map((f) => h('option', { value: f.slug, selected: f.slug === selected }, f.name))];
}

// ---------------------------------------------------------------------------------------------
// Search

async function searchPage() {
  const params = new URLSearchParams(location.search);
  const box = h('input', { type: 'search', id: 'search-box', name: 'q', value: params.get('q') ?? '', autocomplete: 'off', autofocus: true,
    placeholder: 'A name, plate (AB12CDE, AB12*), marker code, date of birth or words', 'aria-describedby': 'search-help' });
  const chosen = new Set((params.get('kinds') ?? '').split(',').filter(Boolean));
  const kinds = KINDS.map(([value, text]) => h('label', { class: 'check' },
    h('input', { type: 'checkbox', name: 'kind', value, checked: chosen.has(value) }), text));
  const force = h('select', { id: 'search-force', name: 'force', 'aria-label': 'Force' }, await forceOptions(params.get('force') ?? ''));
  const from = h('input', { type: 'date', id: 'search-from', name: 'from', value: params.get('from') ?? '', 'aria-label': 'Seen from' });
  const to = h('input', { type: 'date', id: 'search-to', name: 'to', value: params.get('to') ?? '', 'aria-label': 'Seen until' });
  const summary = h('p', { id: 'search-summary', class: 'muted', 'aria-live': 'polite' });
  const results = h('ol', { id: 'results', class: 'results' });
  const form = h('form', { role: 'search', class: 'search', onsubmit: (e) => e.preventDefault() },
    h('label', { for: 'search-box', class: 'visually-hidden' }, 'Search'), box,
    h('fieldset', { class: 'filters' }, h('legend', {}, 'Only'), kinds, force,
      h('label', {}, 'seen from ', from), h('label', {}, 'until ', to)));
  show(h('h1', {}, 'Search'), form,
    h('p', { id: 'search-help', class: 'muted' }, 'Results appear as you type. Misread plates (0/O, 1/I, 5/S, 8/B), nicknames, sound-alikes and typing errors are found too. Press / to come back here, ↓ to go through results.'),
    summary, results);

  let sequence = 0;
  let timer = null;
  const run = async () => {
    const query = box.value.trim();
    const selected = [...form.querySelectorAll('input[name="kind"]:checked')].map((c) => c.value);
    const address = new URLSearchParams({ q: query });
    if (selected.length) address.set('kinds', selected.join(','));
    if (force.value) address.set('force', force.value);
    if (from.value) address.set('from', from.value);
    if (to.value) address.set('to', to.value);
    history.replaceState(null, '', `?${address}`);
    const mine = ++sequence;
    if (!query) {
      results.replaceChildren();
      summary.textContent = '';
      return;
    }
    try {
      const response = await call('analyst', 'Search', {
        query, kinds: selected, force: force.value, page: { pageSize: 20 },
        from: from.value ? `${from.value}T00:00:00Z` : undefined, to: to.value ? `${to.value}T23:59:59Z` : undefined,
      });
      if (mine !== sequence) return; // a later keystroke's answer wins
      const hits = response.hits ?? [];
      summary.textContent = `${response.total ?? 0} found for “${query}”${hits.length < (response.total ?? 0) ? `, the best ${hits.length} shown` : ''}`;
      results.replaceChildren(...hits.map(hit));
    } catch (error) {
      if (mine === sequence) results.replaceChildren(h('li', {}, failure(error)));
    }
  };
  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(run, 150);
  };
  box.addEventListener('input', soon);
  form.addEventListener('change', soon);
  form.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      results.querySelector('a')?.focus();
    }
  });
  results.addEventListener('keydown', (event) => {
    const links = [...results.querySelectorAll('a.hit-title')];
    const at = links.indexOf(document.activeElement);
    if (event.key === 'ArrowDown' && at >= 0) links[Math.min(at + 1, links.length - 1)].focus();
    else if (event.key === 'ArrowUp') (at > 0 ? links[at - 1] : box).focus();
    else return;
    event.preventDefault();
  });
  if (box.value) await run();
  box.focus();
}

function hit(hit) {
  const kind = label(hit.kind, 'SEARCH_KIND_');
  return h('li', { class: `hit ${kind}` },
    h('span', { class: `badge ${kind}` }, kind),
    h('a', { class: 'hit-title', href: entityHref(hit.id) }, hit.title ?? hit.id),
    h('span', { class: 'muted' }, ` ${hit.id}`),
    hit.subtitle ? h('div', { class: 'subtitle' }, hit.subtitle) : null,
    h('div', { class: 'highlights' }, (hit.highlights ?? []).map((light) =>
      h('span', { class: 'highlight' }, h('span', { class: 'field' }, `${light.field}: `), highlighted(light.fragment ?? '', light.ranges)))),
    h('div', { class: 'muted small' }, [(hit.forces ?? []).join(', '), hit.lastSeen ? `last seen ${day(hit.lastSeen)}` : ''].filter(Boolean).join(' · ')));
}

// ---------------------------------------------------------------------------------------------
// Groups

async function groupsPage() {
  const params = new URLSearchParams(location.search);
  const force = h('select', { name: 'force', id: 'groups-force' }, await forceOptions(params.get('force') ?? ''));
  const level = h('select', { name: 'level', id: 'groups-level' },
    [['', 'Any NIM level'], ['NIM_LEVEL_LOCAL', 'Local'], ['NIM_LEVEL_CROSS_BORDER', 'Cross border'], ['NIM_LEVEL_NATIONAL', 'National']]
      .map(([value, text]) => h('option', { value, selected: params.get('level') === value }, text)));
  const band = h('select', { name: 'band', id: 'groups-band' },
    [['', 'Any priority'], ['high', 'High'], ['medium', 'Medium'], ['low', 'Low']]
      .map(([value, text]) => h('option', { value, selected: params.get('band') === value }, text)));
  const inactive = h('input', { type: 'checkbox', name: 'inactive', id: 'groups-inactive', checked: params.get('inactive') === '1' });
  const list = h('div', { id: 'groups' });
  const form = h('form', { class: 'filters', onsubmit: (e) => e.preventDefault() }, force, level, band,
    h('label', { class: 'check' }, inactive, 'Include dissolved and merged'));
  show(h('h1', {}, 'Groups'), form, list);
  const load = async () => {
    const address = new URLSearchParams();
    if (force.value) address.set('force', force.value);
    if (level.value) address.set('level', level.value);
    if (band.value) address.set('band', band.value);
    if (inactive.checked) address.set('inactive', '1');
    history.replaceState(null, '', `?${address}`);
    try {
      const response = await call('analyst', 'ListGroups', {
        force: force.value, nimLevel: level.value || undefined, priorityBand: band.value, includeInactive: inactive.checked, page: { pageSize: 100 },
      });
      const groups = response.groups ?? [];
      list.replaceChildren(h('p', { class: 'muted' }, `${response.total ?? groups.length} groups`), table(groups, [
        ['Group', (g) => h('a', { href: entityHref(g.groupId) }, g.title || g.groupId)],
        ['Status', (g) => label(g.status, 'GROUP_STATUS_')],
        ['Priority', (g) => h('span', { class: `band ${g.priorityBand}` }, g.priorityBand ?? '')],
        ['NIM level', (g) => label(g.nimLevel, 'NIM_LEVEL_')],
        ['Lead force', (g) => g.leadForce ?? ''],
        ['Forces', (g) => (g.forces ?? []).join(', ')],
        ['Members', (g) => g.memberCount ?? 0],
        ['Incidents', (g) => g.incidentCount ?? 0],
        ['Loss', (g) => money(g.totalLossPence)],
        ['Last seen', (g) => day(g.lastSeen)],
      ], { id: 'groups-table' }));
    } catch (error) {
      list.replaceChildren(failure(error));
    }
  };
  form.addEventListener('change', load);
  await load();
}

// ---------------------------------------------------------------------------------------------
// Review queue

async function reviewPage() {
  const list = h('div', { id: 'queue' });
  show(h('h1', {}, 'Review queue'), h('p', { class: 'muted' }, 'Possible matches, most consequential first. A decision is binding: later resolution never undoes it.'), list);
  const response = await call('analyst', 'ListReviewQueue', { page: { pageSize: 50 } });
  const items = response.items ?? [];
  if (!items.length) {
    list.replaceChildren(h('p', { id: 'queue-empty' }, 'Nothing to review.'));
    return;
  }
  list.replaceChildren(h('p', { class: 'muted' }, `${response.total ?? items.length} to review`),
    h('ol', { class: 'queue' }, items.map((item) => {
      const kind = item.entityKind ?? 'ENTITY_KIND_PERSON';
      const sighting = item.sighting ?? {};
      return h('li', { class: 'card' },
        h('p', {}, h('strong', {}, item.reportedAs ?? ''), ' at ', h('a', { href: entityHref(sighting.incidentId) }, sighting.incidentId),
          ` (sighting ${sighting.index ?? 0}, ${item.force ?? ''}, ${day(item.occurredAt)}) may be `,
          h('a', { href: entityHref(item.candidateEntityId) }, item.candidateLabel || item.candidateEntityId),
          ` (${percent(item.probability)}).`),
        (item.consequenceReasons ?? []).length ? h('ul', { class: 'small' }, item.consequenceReasons.map((r) => h('li', {}, r))) : null,
        evidenceTable(item.evidence),
        reviewButtons({ incidentId: sighting.incidentId, index: sighting.index ?? 0, kind, entityId: item.candidateEntityId, confirmable: true }));
    })));
}

route([
  [/^\/ui\/analyst\/?$/, () => location.replace('/ui/analyst/search')],
  [/^\/ui\/analyst\/search$/, searchPage],
  [/^\/ui\/analyst\/groups$/, groupsPage],
  [/^\/ui\/analyst\/review$/, reviewPage],
  [/^\/ui\/analyst\/persons\/([^/]+)$/, (id) => entityPage('person', id)],
  [/^\/ui\/analyst\/vehicles\/([^/]+)$/, (id) => entityPage('vehicle', id)],
  [/^\/ui\/analyst\/groups\/([^/]+)$/, (id) => entityPage('group', id)],
  [/^\/ui\/analyst\/incidents\/([^/]+)$/, incidentPage],
]);
