// A map without tiles: the coastline and the forces' centres from the force registry
// (`/ui/assets/geo.json`, built into the binary), with incidents placed at their stores or, for a
// person, vehicle or group, counted by force at the force's centre.

import { h } from './common.js';

const SVG = 'http://www.w3.org/2000/svg';
let geography = null;

function svg(tag, attributes, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  for (const child of children) element.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  return element;
}

/** Points for a timeline's events: one per force, at its centre, sized by the number of incidents. */
export function pointsByForce(events) {
  const counts = new Map();
  for (const event of events) counts.set(event.force ?? '', (counts.get(event.force ?? '') ?? 0) + 1);
  return [...counts.entries()].map(([force, count]) => ({ force, count }));
}

/** A figure with the map of `points` (`{lat, lon, label, count}` or `{force, count}`). */
export function mapFigure(points) {
  const figure = h('figure', { class: 'map', id: 'map' }, h('p', { class: 'muted small' }, 'Drawing the map…'));
  (async () => {
    geography ??= await fetch('/ui/assets/geo.json').then((r) => r.json());
    const centres = new Map(geography.forces.map((f) => [f.slug, f]));
    const placed = points.map((p) => {
      const force = p.force ? centres.get(p.force) : null;
      return force ? { ...p, lat: force.lat, lon: force.lon, label: p.label ?? force.name } : p;
    }).filter((p) => Number.isFinite(p.lat) && Number.isFinite(p.lon));
    figure.replaceChildren(draw(placed, geography), h('figcaption', { class: 'small muted' },
      placed.length ? `${placed.reduce((n, p) => n + (p.count ?? 1), 0)} incidents; ${points[0]?.force !== undefined ? 'counted by force at its centre' : 'at the store'}.` : 'No places to show.'));
    figure.dataset.loaded = 'true';
  })();
  return figure;
}

function draw(points, geography) {
  // The frame: the points with a margin, at least a region across (enough to see a coast),
  // else all of Britain.
  const lats = points.map((p) => p.lat);
  const lons = points.map((p) => p.lon);
  let [south, north, west, east] = points.length ? [Math.min(...lats), Math.max(...lats), Math.min(...lons), Math.max(...lons)] : [49.9, 58.7, -8.2, 1.8];
  const pad = (a, b, least) => { const extra = Math.max(least - (b - a), 0) / 2 + (b - a) * 0.15; return [a - extra, b + extra]; };
  [south, north] = pad(south, north, 2.4);
  [west, east] = pad(west, east, 3.6);
  const scale = Math.cos(((south + north) / 2) * Math.PI / 180);
  const width = 400;
  const height = Math.round(width * (north - south) / ((east - west) * scale));
  const x = (lon) => ((lon - west) / (east - west)) * width;
  const y = (lat) => ((north - lat) / (north - south)) * height;
  const picture = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'map-picture', role: 'img', 'aria-label': `Map of ${points.length} places` },
    svg('rect', { x: 0, y: 0, width, height, fill: '#dbe9f4' }));
  for (const outline of geography.outlines) {
    const path = outline.map(([lat, lon], i) => `${i ? 'L' : 'M'}${x(lon).toFixed(1)},${y(lat).toFixed(1)}`).join('') + 'Z';
    picture.appendChild(svg('path', { d: path, fill: '#f3f2f1', stroke: '#8a8a8a', 'stroke-width': 0.8 }));
  }
  for (const force of geography.forces) {
    if (force.lat < south || force.lat > north || force.lon < west || force.lon > east) continue;
    picture.appendChild(svg('circle', { cx: x(force.lon).toFixed(1), cy: y(force.lat).toFixed(1), r: 2, fill: '#b1b4b6' }, svg('title', {}, force.name)));
  }
  const most = Math.max(1, ...points.map((p) => p.count ?? 1));
  for (const point of points) {
    const r = 5 + 10 * Math.sqrt((point.count ?? 1) / most);
    picture.appendChild(svg('g', { class: 'place' },
      svg('circle', { cx: x(point.lon).toFixed(1), cy: y(point.lat).toFixed(1), r: r.toFixed(1), fill: '#d4351c', 'fill-opacity': 0.6, stroke: '#942514' },
        svg('title', {}, `${point.label ?? ''}: ${point.count ?? 1}`)),
      svg('text', { x: (x(point.lon) + r + 2).toFixed(1), y: (y(point.lat) + 4).toFixed(1), 'font-size': 11 }, `${point.label ?? ''} (${point.count ?? 1})`)));
  }
  return picture;
}
