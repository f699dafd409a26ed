// The network picture: `ExpandNetwork` around an entity drawn with cytoscape.js, with filters for
// link kinds, confidence and hops (each asks the API again), expansion of any node, and a list of
// the same nodes and links beside it for keyboard and screen-reader users.

import { call, entityHref, failure, h, label, percent } from './common.js';

const LINK_KINDS = [
  ['LINK_KIND_CO_OFFENDING', 'Co-offending'],
  ['LINK_KIND_VEHICLE_USE', 'Vehicle use'],
  ['LINK_KIND_SHARED_MARKER', 'Shared marker'],
  ['LINK_KIND_GROUP_MEMBER', 'Group member'],
];

const STYLE = [
  { selector: 'node', style: { label: 'data(label)', 'font-size': 10, 'text-valign': 'bottom', 'text-margin-y': 3, width: 22, height: 22, 'background-color': '#2f5d8a', color: '#1b1b1b', 'text-background-color': '#ffffff', 'text-background-opacity': 0.8, 'text-background-padding': 1 } },
  { selector: 'node[kind = "NODE_KIND_VEHICLE"]', style: { shape: 'round-rectangle', 'background-color': '#c26a12' } },
  { selector: 'node[kind = "NODE_KIND_GROUP"]', style: { shape: 'hexagon', 'background-color': '#6b3fa0', width: 30, height: 30 } },
  { selector: 'node.start', style: { 'border-width': 4, 'border-color': '#d4351c' } },
  { selector: 'node:selected', style: { 'border-width': 4, 'border-color': '#ffdd00' } },
  { selector: 'edge', style: { width: 'mapData(confidence, 0, 1, 1, 5)', 'line-color': '#8a8a8a', 'curve-style': 'bezier', opacity: 0.8 } },
  { selector: 'edge[kind = "LINK_KIND_CO_OFFENDING"]', style: { 'line-color': '#2f5d8a' } },
  { selector: 'edge[kind = "LINK_KIND_VEHICLE_USE"]', style: { 'line-color': '#c26a12', 'line-style': 'dashed' } },
  { selector: 'edge[kind = "LINK_KIND_SHARED_MARKER"]', style: { 'line-color': '#00703c', 'line-style': 'dotted' } },
  { selector: 'edge[kind = "LINK_KIND_GROUP_MEMBER"]', style: { 'line-color': '#6b3fa0', opacity: 0.4 } },
];

/**
 * A force-directed layout for a picture small enough to settle at once; rings by hop from the
 * start for a larger one (force-directed layout of 300 nodes took two seconds in the browser).
 */
function layout(nodes) {
  if (nodes.size <= 60) {
    return { name: 'cose', animate: false, randomize: false, fit: true, padding: 40, nodeRepulsion: () => 60000, idealEdgeLength: () => 110, nodeOverlap: 40 };
  }
  const deepest = Math.max(...[...nodes.values()].map((n) => n.hop ?? 0));
  return { name: 'concentric', animate: false, fit: true, padding: 30, minNodeSpacing: 12, concentric: (node) => deepest - (nodes.get(node.id())?.hop ?? deepest), levelWidth: () => 1 };
}

/** The network section for `id`, `hops` deep at first; it loads itself once on the page. */
export function networkSection(id, startHops = 2) {
  const kinds = LINK_KINDS.map(([value, text]) => h('label', { class: 'check' },
    h('input', { type: 'checkbox', name: 'link-kind', value, checked: true }), text));
  const confidence = h('input', { type: 'range', id: 'min-confidence', min: 0, max: 1, step: 0.05, value: 0 });
  const confidenceText = h('output', { for: 'min-confidence', id: 'min-confidence-text' }, '0%');
  const hops = h('select', { id: 'hops', 'aria-label': 'Hops' }, [1, 2, 3].map((n) => h('option', { value: n, selected: n === startHops }, `${n} hop${n > 1 ? 's' : ''}`)));
  const picture = h('div', { id: 'network', class: 'network', role: 'img', 'aria-label': `Network around ${id}` });
  const status = h('p', { class: 'muted small', id: 'network-status', 'aria-live': 'polite' }, 'Loading the network…');
  const selected = h('div', { id: 'network-selected', class: 'selected' });
  const list = h('details', { class: 'network-list' }, h('summary', {}, 'Nodes and links as a list'), h('div', { id: 'network-lists' }));
  const section = h('section', { class: 'network-section', 'aria-labelledby': 'network-heading' },
    h('h2', { id: 'network-heading' }, 'Network'),
    h('form', { class: 'filters', onsubmit: (e) => e.preventDefault() }, kinds, hops,
      h('label', { for: 'min-confidence' }, 'Confidence at least '), confidence, confidenceText),
    picture, status, selected, list);

  let graph = null;
  const known = { nodes: new Map(), edges: new Map() };
  const request = (start, hopCount) => ({
    id: start,
    hops: hopCount,
    linkKinds: [...section.querySelectorAll('input[name="link-kind"]:checked')].map((c) => c.value),
    minConfidence: Number(confidence.value),
    maxNodes: 300,
  });

  const draw = (network, reset) => {
    if (reset) {
      known.nodes.clear();
      known.edges.clear();
    }
    for (const node of network.nodes ?? []) if (!known.nodes.has(node.id)) known.nodes.set(node.id, node);
    for (const edge of network.edges ?? []) known.edges.set(`${edge.fromId}|${edge.toId}|${edge.kind}`, edge);
    const elements = [
      ...[...known.nodes.values()].map((n) => ({ group: 'nodes', data: { id: n.id, label: n.kind === 'NODE_KIND_GROUP' ? n.id : (n.label || n.id), kind: n.kind ?? 'NODE_KIND_PERSON' }, classes: n.id === id ? 'start' : '' })),
      ...[...known.edges.entries()].map(([key, e]) => ({ group: 'edges', data: { id: key, source: e.fromId, target: e.toId, kind: e.kind, confidence: e.confidence ?? 0 } })),
    ].filter((el) => el.group === 'nodes' || (known.nodes.has(el.data.source) && known.nodes.has(el.data.target)));
    status.textContent = `${known.nodes.size} nodes, ${known.edges.size} links${network.truncated ? ' (limit reached: filter or expand a node to see more)' : ''}. Click a node to see it; double-click to expand it.`;
    drawLists();
    if (typeof window.cytoscape !== 'function') return; // the list still shows everything
    if (!graph) {
      graph = window.cytoscape({ container: picture, elements, style: STYLE, minZoom: 0.2, maxZoom: 1.6 });
      graph.on('tap', 'node', (event) => choose(event.target.id()));
      graph.on('dbltap', 'node', (event) => expand(event.target.id()));
    } else {
      graph.elements().remove();
      graph.add(elements);
    }
    graph.layout(layout(known.nodes)).run();
    if (graph.zoom() > 1.6) graph.zoom({ level: 1.6, position: graph.elements().boundingBox() && { x: graph.width() / 2, y: graph.height() / 2 } });
    graph.center();
  };

  const choose = (nodeId) => {
    const node = known.nodes.get(nodeId);
    if (!node) return;
    const edges = [...known.edges.values()].filter((e) => e.fromId === nodeId || e.toId === nodeId);
    selected.replaceChildren(
      h('h3', {}, node.label || node.id),
      h('p', { class: 'small' }, `${label(node.kind, 'NODE_KIND_')} ${node.id} · ${node.incidentCount ?? 0} incidents · ${(node.forces ?? []).join(', ')}`),
      h('p', {}, h('a', { href: entityHref(node.id), class: 'open-node' }, 'Open page'), ' ',
        h('button', { type: 'button', onclick: () => expand(node.id) }, 'Expand')),
      h('ul', { class: 'small' }, edges.slice(0, 12).map((e) => h('li', {}, e.reason || label(e.kind, 'LINK_KIND_'), ` (${percent(e.confidence)})`))));
  };

  const expand = async (nodeId) => {
    status.textContent = `Expanding ${nodeId}…`;
    try {
      draw(await call('analyst', 'ExpandNetwork', request(nodeId, 1)), false);
      choose(nodeId);
    } catch (error) {
      status.replaceChildren(failure(error));
    }
  };

  const drawLists = () => {
    const lists = section.querySelector('#network-lists');
    lists.replaceChildren(
      h('h3', {}, 'Nodes'),
      h('ul', { id: 'network-nodes' }, [...known.nodes.values()].map((n) => h('li', { 'data-id': n.id, 'data-kind': n.kind ?? 'NODE_KIND_PERSON' },
        h('a', { href: entityHref(n.id) }, n.label || n.id), ` ${label(n.kind, 'NODE_KIND_')} · hop ${n.hop ?? 0} `,
        h('button', { type: 'button', onclick: () => expand(n.id) }, 'Expand')))),
      h('h3', {}, 'Links'),
      h('ul', { id: 'network-edges' }, [...known.edges.values()].map((e) => h('li', { 'data-kind': e.kind },
        `${e.fromId} — ${e.toId}: ${e.reason || label(e.kind, 'LINK_KIND_')} (${percent(e.confidence)}, ${e.incidentCount ?? 0} incidents)`))));
  };

  const load = async () => {
    status.textContent = 'Loading the network…';
    try {
      draw(await call('analyst', 'ExpandNetwork', request(id, Number(hops.value))), true);
      section.dataset.loaded = 'true';
    } catch (error) {
      status.replaceChildren(failure(error));
    }
  };
  confidence.addEventListener('input', () => { confidenceText.textContent = percent(Number(confidence.value)); });
  section.querySelector('form').addEventListener('change', load);
  queueMicrotask(load);
  return section;
}
