// The timeline of a person, vehicle or group: `Timeline` drawn as a strip (one dot per incident,
// coloured by event type) above the list of incidents, with who was there.

import { call, entityHref, entityLink, failure, h, label, money, when } from './common.js';

const SVG = 'http://www.w3.org/2000/svg';
const COLOURS = { EVENT_TYPE_SHOPLIFTING: '#2f5d8a', EVENT_TYPE_ROBBERY: '#d4351c', EVENT_TYPE_VIOLENCE: '#942514', EVENT_TYPE_FRAUD: '#6b3fa0' };

function svg(tag, attributes, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  for (const child of children) element.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  return element;
}

/** The timeline section of `id`; `withEvents(events)` returns a figure drawn from its events (the map). */
export function timelineSection(id, withEvents) {
  const strip = h('div', { id: 'timeline-strip' });
  const list = h('div', { id: 'timeline' });
  const extra = h('div', { class: 'timeline-extra' });
  const section = h('section', { 'aria-labelledby': 'timeline-heading' }, h('h2', { id: 'timeline-heading' }, 'Timeline'), strip, list, extra);
  queueMicrotask(async () => {
    try {
      const response = await call('analyst', 'Timeline', { id, page: { pageSize: 500 } });
      const events = response.events ?? [];
      strip.replaceChildren(drawStrip(events));
      list.replaceChildren(h('p', { class: 'muted small' }, `${response.total ?? events.length} incidents${events.length < (response.total ?? 0) ? `, the first ${events.length} shown` : ''}`),
        h('ol', { class: 'timeline', id: 'timeline-events' }, events.map((e) => h('li', {},
          h('a', { href: entityHref(e.incidentId) }, when(e.occurredAt)), ` ${label(e.eventType, 'EVENT_TYPE_')} · ${e.force ?? ''} · ${e.retailerId ?? ''} ${e.storeId ?? ''} · ${money(e.valuePence)}`,
          (e.personIds ?? []).length ? h('span', { class: 'small' }, ' with ', (e.personIds ?? []).flatMap((p, i) => [i ? ', ' : '', entityLink(p)])) : null))));
      if (withEvents) extra.replaceChildren(withEvents(events));
      section.dataset.loaded = 'true';
    } catch (error) {
      list.replaceChildren(failure(error));
    }
  });
  return section;
}

function drawStrip(events) {
  if (!events.length) return h('p', { class: 'muted' }, 'No incidents.');
  const width = 600;
  const times = events.map((e) => Date.parse(e.occurredAt));
  const [first, last] = [Math.min(...times), Math.max(...times)];
  const span = Math.max(last - first, 86_400_000);
  const x = (t) => 20 + ((t - first) / span) * (width - 40);
  const picture = svg('svg', { viewBox: `0 0 ${width} 60`, class: 'strip', role: 'img', 'aria-label': `${events.length} incidents from ${when(events[0].occurredAt)} to ${when(events[events.length - 1].occurredAt)}` },
    svg('line', { x1: 20, y1: 30, x2: width - 20, y2: 30, stroke: '#b1b4b6' }),
    svg('text', { x: 20, y: 55, 'font-size': 10 }, when(events[0].occurredAt).slice(0, 10)),
    svg('text', { x: width - 20, y: 55, 'font-size': 10, 'text-anchor': 'end' }, when(events[events.length - 1].occurredAt).slice(0, 10)));
  events.forEach((e, i) => {
    const dot = svg('a', { href: entityHref(e.incidentId) },
      svg('circle', { cx: x(times[i]).toFixed(1), cy: 30, r: 5, fill: COLOURS[e.eventType] ?? '#505a5f' },
        svg('title', {}, `${when(e.occurredAt)} ${label(e.eventType, 'EVENT_TYPE_')} ${e.force ?? ''}`)));
    picture.appendChild(dot);
  });
  return picture;
}
