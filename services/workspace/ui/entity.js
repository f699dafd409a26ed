// Person, vehicle, group and incident pages: what is known, the network picture, the timeline and
// the map, and each sighting's match explanation with confirm and reject.

import { call, day, entityHref, entityLink, facts, failure, h, label, money, percent, purpose, rendered, show, table, when } from './common.js';
import { mapFigure, pointsByForce } from './map.js';
import { networkSection } from './network.js';
import { timelineSection } from './timeline.js';

const METHODS = {
  person: ['GetPerson', 'personId', 'Person'],
  vehicle: ['GetVehicle', 'vehicleId', 'Vehicle'],
  group: ['GetGroup', 'groupId', 'Group'],
};

export async function entityPage(kind, id) {
  const [method, field, title] = METHODS[kind];
  const entity = await call('analyst', method, { [field]: id });
  const current = entity[field] ?? id;
  const heading = {
    person: () => (entity.names ?? [])[0] ?? current,
    vehicle: () => (entity.vrms ?? [])[0] ?? (entity.partialReads ?? [])[0] ?? current,
    group: () => entity.title || current,
  }[kind]();
  const sightings = h('section', { id: 'sightings' });
  show(
    h('p', { class: 'muted' }, title, ' ', h('code', { id: 'entity-id' }, current)),
    h('h1', { id: 'entity-title' }, heading),
    entity.redirectedFrom ? h('p', { class: 'notice' }, `${entity.redirectedFrom} was merged into ${current}; this is the survivor.`) : null,
    { person: personFacts, vehicle: vehicleFacts, group: groupFacts }[kind](entity),
    h('div', { class: 'panels' },
      networkSection(current, kind === 'group' ? 1 : 2),
      h('div', { class: 'side' }, timelineSection(current, (events) => mapFigure(pointsByForce(events))))),
    sightings,
  );
  rendered();
  if (kind === 'group') sightings.replaceChildren(...members(entity));
  else sightings.replaceChildren(...sightingList(kind, current, entity.sightings ?? []));
}

function personFacts(p) {
  return facts([
    ['Names', (p.names ?? []).join(' · ')],
    ['Dates of birth', (p.datesOfBirth ?? []).join(', ')],
    ['Sex', label(p.sex, 'SEX_')],
    ['Marks', (p.distinguishingMarks ?? []).join('; ')],
    ['Marker codes', (p.markerCodes ?? []).join(', ')],
    ['Forces', (p.forces ?? []).join(', ')],
    ['Groups', links(p.groupIds)],
    ['Vehicles', links(p.vehicleIds)],
    ['Merged from', (p.mergedIds ?? []).join(', ')],
    ['Split from', p.splitFrom ? entityLink(p.splitFrom) : ''],
  ]);
}

function vehicleFacts(v) {
  return facts([
    ['Marks read', (v.vrms ?? []).join(', ')],
    ['Partial reads', (v.partialReads ?? []).join(', ')],
    ['Make and model', [(v.makes ?? []).join('/'), (v.models ?? []).join('/')].filter(Boolean).join(' ')],
    ['Colour', (v.colours ?? []).join(', ')],
    ['Forces', (v.forces ?? []).join(', ')],
    ['Groups', links(v.groupIds)],
    ['Persons seen with it', links(v.personIds)],
    ['Same mark also on', links(v.clonedPlateOf)],
    ['Merged from', (v.mergedIds ?? []).join(', ')],
  ]);
}

function groupFacts(g) {
  const document = g.packageId
    ? h('a', { href: '#', id: 'printable', onclick: (event) => {
      event.preventDefault();
      const address = new URLSearchParams({ purpose: purpose(), version: g.packageVersion ?? 0 });
      window.open(`/ui/document/packages/${encodeURIComponent(g.packageId)}?${address}`, '_blank', 'noopener');
    } }, `${g.packageId} version ${g.packageVersion ?? ''} (printable)`)
    : '';
  return facts([
    ['Status', label(g.status, 'GROUP_STATUS_')],
    ['What became of it', g.fate ?? ''],
    ['Now in', links(g.successorGroupIds)],
    ['Priority', g.score?.priorityBand ?? ''],
    ['NIM level', label(g.nimLevel, 'NIM_LEVEL_')],
    ['Lead force', g.leadForce ?? ''],
    ['Forces', (g.forces ?? []).join(', ')],
    ['Corridor', (g.corridor ?? []).join(' → ')],
    ['Retailers', (g.retailers ?? []).join(', ')],
    ['Active', `${day(g.firstSeen)} to ${day(g.lastSeen)}`],
    ['Loss', money(g.totalLossPence)],
    ['Vehicles', links(g.vehicleIds)],
    ['Package', document],
  ]);
}

function members(g) {
  return [h('h2', {}, 'Members'), table(g.members ?? [], [
    ['Person', (m) => entityLink(m.personId, m.displayName || m.personId)],
    ['Role', (m) => m.role ?? ''],
    ['Links', (m) => m.degree ?? 0],
    ['Betweenness', (m) => (m.betweenness ?? 0).toFixed(2)],
    ['Incidents', (m) => m.incidentCount ?? 0],
  ], { id: 'members' })];
}

const links = (ids) => (ids?.length ? ids.flatMap((id, i) => [i ? ', ' : '', entityLink(id)]) : '');

// ---------------------------------------------------------------------------------------------
// Sightings and their match explanations

function sightingList(kind, entityId, sightings) {
  const entityKind = kind === 'vehicle' ? 'ENTITY_KIND_VEHICLE' : 'ENTITY_KIND_PERSON';
  const rows = sightings.map((s) => {
    const link = s.link ?? {};
    return h('li', { class: 'card sighting', 'data-incident': s.incidentId, 'data-index': s.sightingIndex ?? 0 },
      h('p', {}, h('strong', {}, s.reportedAs ?? ''), ' at ', h('a', { href: entityHref(s.incidentId) }, s.incidentId),
        ` · ${when(s.occurredAt)} · ${s.force ?? ''} · ${s.retailerId ?? ''} ${s.storeId ?? ''}`),
      explanation(link),
      reviewButtons({
        incidentId: s.incidentId, index: s.sightingIndex ?? 0, kind: entityKind, entityId,
        confirmable: link.decision === 'LINK_DECISION_POSSIBLE_MATCH',
        rejectable: link.decision !== 'LINK_DECISION_ANALYST_REJECTED',
        after: (receipt, verdict) => afterDecision(kind, entityId, s, receipt, verdict),
      }));
  });
  return [h('h2', {}, `Sightings (${sightings.length})`), h('ol', { class: 'sightings', id: 'sighting-list' }, rows)];
}

/** Why a sighting is linked: the decision, the probability and each comparison's weight. */
export function explanation(link) {
  const decision = label(link.decision, 'LINK_DECISION_');
  const summary = link.decision === 'LINK_DECISION_NEW_ENTITY' ? 'first sighting (no earlier match)' : `${decision}, ${percent(link.probability)}`;
  const runnerUp = link.runnerUpEntityId ? ` Next best: ${link.runnerUpEntityId} at ${percent(link.runnerUpProbability)}.` : '';
  return h('details', { class: 'why' }, h('summary', {}, `Why: ${summary}`),
    link.candidateEntityId ? h('p', {}, 'Possible match for ', entityLink(link.candidateEntityId), '.') : null,
    evidenceTable(link.evidence), h('p', { class: 'small muted' }, `Probability ${percent(link.probability)}.${runnerUp}`));
}

export function evidenceTable(evidence) {
  if (!evidence?.length) return null;
  return table(evidence, [
    ['Compared', (e) => e.comparison],
    ['Level', (e) => e.level],
    ['Weight', (e) => (e.weight ?? 0).toFixed(2)],
  ], { class: 'evidence' });
}

/**
 * Confirm and reject buttons for one sighting's link; each asks for the reason (kept with the
 * binding decision) before sending it.
 */
export function reviewButtons({ incidentId, index, kind, entityId, confirmable = false, rejectable = true, after }) {
  const box = h('div', { class: 'decide' });
  const start = (verdict) => {
    const reason = h('input', { name: 'reason', class: 'reason', required: true, minlength: 3, maxlength: 500, autocomplete: 'off',
      placeholder: verdict === 'VERDICT_REJECT' ? 'Why is this not the same person? (e.g. CCTV shows a different man)' : 'Why is this the same person?' });
    const result = h('p', { class: 'receipt', 'aria-live': 'polite' });
    const form = h('form', { class: 'reason-form' }, h('label', {}, 'Reason (recorded with the decision) ', reason),
      h('button', { type: 'submit' }, verdict === 'VERDICT_REJECT' ? 'Reject the link' : 'Confirm the match'),
      h('button', { type: 'button', onclick: () => form.replaceWith(buttons()) }, 'Cancel'), result);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      for (const b of form.querySelectorAll('button')) b.disabled = true;
      result.textContent = 'Sending…';
      try {
        const receipt = await call('analyst', 'ReviewMatch', {
          sighting: { incidentId, index }, entityKind: kind, verdict, entityId, reason: reason.value.trim(),
        });
        result.textContent = `${label(receipt.status, 'DECISION_STATUS_')}: ${receipt.message ?? ''} (${receipt.decisionId ?? ''})`;
        if (after) await after(receipt, verdict);
      } catch (error) {
        result.replaceChildren(failure(error));
        for (const b of form.querySelectorAll('button')) b.disabled = false;
      }
    });
    box.replaceChildren(form);
    reason.focus();
  };
  const buttons = () => h('span', { class: 'buttons' },
    confirmable ? h('button', { type: 'button', class: 'confirm', onclick: () => start('VERDICT_CONFIRM') }, 'Confirm match') : null,
    rejectable ? h('button', { type: 'button', class: 'reject', onclick: () => start('VERDICT_REJECT') }, 'Reject link') : null);
  box.appendChild(buttons());
  return box;
}

/** After a decision on a person's or vehicle's sighting: say where the sighting is now. */
async function afterDecision(kind, entityId, sighting, receipt, verdict) {
  if (verdict !== 'VERDICT_REJECT' || receipt.status !== 'DECISION_STATUS_APPLIED') return;
  const detail = await call('analyst', 'GetIncident', { incidentId: sighting.incidentId });
  const links = kind === 'vehicle' ? detail.vehicles : detail.persons;
  const now = (links ?? []).find((l) => (l.sightingIndex ?? 0) === (sighting.sightingIndex ?? 0));
  const notice = document.getElementById('split-notice') ?? h('p', { id: 'split-notice', class: 'notice', role: 'status' });
  notice.replaceChildren(`The sighting at ${sighting.incidentId} is no longer part of ${entityId}: it is now `,
    now ? entityLink(now.entityId) : 'unresolved', '. ', h('a', { href: entityHref(entityId) }, `Reload ${entityId}`));
  // The whole page again: its sightings, network, timeline and map have changed.
  await entityPage(kind, entityId);
  document.getElementById('entity-title').after(notice);
}

// ---------------------------------------------------------------------------------------------
// Incidents

export async function incidentPage(id) {
  const detail = await call('analyst', 'GetIncident', { incidentId: id });
  const incident = detail.incident ?? {};
  const place = incident.storeLocation ?? {};
  const value = (incident.lineItems ?? []).reduce((sum, item) => sum + (item.quantity ?? 0) * Number(item.unitPricePence ?? 0), 0);
  const flags = [incident.attempt && 'attempt', incident.violence && 'violence', incident.weapon && 'weapon', incident.staffDetained && 'staff detained'].filter(Boolean);
  const person = (i) => incident.persons?.[i] ?? {};
  const vehicle = (i) => incident.vehicles?.[i] ?? {};
  show(
    h('p', { class: 'muted' }, 'Incident ', h('code', { id: 'entity-id' }, incident.incidentId ?? id)),
    h('h1', { id: 'entity-title' }, `${label(incident.eventType, 'EVENT_TYPE_')} at ${place.name || incident.storeId || ''}`),
    facts([
      ['When', `${when(incident.occurredFrom)}${incident.occurredTo ? ` to ${when(incident.occurredTo)}` : ''}`],
      ['Retailer', `${incident.retailerId ?? ''} (their reference ${incident.retailerRef ?? ''})`],
      ['Store', [incident.storeId, place.postcode].filter(Boolean).join(', ')],
      ['Force', incident.force ?? ''],
      ['Value', money(value)],
      ['Flags', flags.join(', ')],
      ['Crime reference', incident.policeCrimeRef ?? ''],
      ['Groups', links(detail.groupIds)],
      ['Narrative', incident.narrative ?? ''],
    ]),
    h('div', { class: 'panels' }, networkSection(incident.incidentId ?? id),
      h('div', { class: 'side' }, mapFigure(place.lat ? [{ lat: place.lat, lon: place.lon, label: place.name || incident.storeId, count: 1 }] : []))),
    h('h2', {}, 'Goods'),
    table(incident.lineItems ?? [], [
      ['Description', (i) => i.description ?? ''],
      ['Quantity', (i) => i.quantity ?? 0],
      ['Each', (i) => money(i.unitPricePence)],
      ['Recovered', (i) => (i.recovered ? 'yes' : 'no')],
    ]),
    h('h2', {}, 'Persons'),
    h('ol', { class: 'sightings', id: 'incident-persons' }, (detail.persons ?? []).map((l) => {
      const p = person(l.sightingIndex ?? 0);
      return h('li', { class: 'card' }, h('strong', {}, [p.givenNames, p.familyName].filter(Boolean).join(' ') || 'unnamed'),
        ` (${label(p.role, 'PERSON_ROLE_')}${p.dateOfBirth ? `, born ${p.dateOfBirth}` : ''}) is `, entityLink(l.entityId), explanation(l),
        reviewButtons({ incidentId: incident.incidentId, index: l.sightingIndex ?? 0, kind: 'ENTITY_KIND_PERSON', entityId: l.entityId,
          confirmable: l.decision === 'LINK_DECISION_POSSIBLE_MATCH', rejectable: l.decision !== 'LINK_DECISION_ANALYST_REJECTED' }));
    })),
    h('h2', {}, 'Vehicles'),
    h('ol', { class: 'sightings' }, (detail.vehicles ?? []).map((l) => {
      const v = vehicle(l.sightingIndex ?? 0);
      return h('li', { class: 'card' }, h('strong', {}, v.vrm || v.vrmRaw || 'no plate'), ` ${[v.colour, v.make, v.model].filter(Boolean).join(' ')} is `,
        entityLink(l.entityId), explanation(l));
    })),
  );
  rendered();
}
