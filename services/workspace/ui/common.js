// What every page of the workspace shares: calls through the gateway (with the CSRF token and the
// task's purpose), the purpose prompt, safe DOM building, formatting and the "rendered" mark the
// browser tests and page timings read.
//
// Nothing from the server is ever inserted as HTML: every text goes through `h()`, which sets
// text nodes and attributes only.

export const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.content ?? '';

const PURPOSE_KEY = 'orca-purpose';
const MIN_PURPOSE = 10;

/** An element: `h('a', {href: '/x', class: 'y'}, 'text', child, [more, children])`. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else if (child instanceof Node) element.appendChild(child);
    else element.appendChild(document.createTextNode(String(child)));
  }
}

/** Replaces the page's content. */
export function show(...children) {
  const main = document.getElementById('main');
  main.replaceChildren();
  append(main, children);
  return main;
}

/** Marks the page as drawn: the first time, for the navigation-to-render timing. */
export function rendered() {
  if (document.body.dataset.rendered) return;
  document.body.dataset.rendered = 'true';
  performance.mark('orca-rendered');
}

// ---------------------------------------------------------------------------------------------
// The purpose of the task, asked once and sent with every call until it is changed.

export const purpose = () => sessionStorage.getItem(PURPOSE_KEY) ?? '';

function drawPurposeBar() {
  const bar = document.getElementById('purpose');
  if (!bar) return;
  const current = purpose();
  bar.replaceChildren(
    h('span', {}, current ? 'Purpose of this task: ' : 'No purpose stated yet.'),
    current ? h('strong', { id: 'purpose-text' }, current) : null,
    h('button', { type: 'button', id: 'change-purpose', onclick: () => askPurpose('What is the purpose of your new task?') }, current ? 'New task' : 'State purpose'),
  );
}

let asking = null;

/** Asks why the user is reading (audited with every call); resolves with the purpose. */
export function askPurpose(reason = 'Why are you reading? This is recorded in the audit log with every call.') {
  if (asking) return asking;
  asking = new Promise((resolve) => {
    const input = h('input', { id: 'purpose-input', name: 'purpose', maxlength: 500, autocomplete: 'off', placeholder: 'op kestrel: razor thefts in the West Midlands', value: purpose() });
    const problem = h('p', { class: 'error', role: 'alert', hidden: true });
    const form = h('form', { method: 'dialog', class: 'purpose-form' },
      h('h2', {}, 'Purpose'),
      h('p', {}, reason),
      h('label', { for: 'purpose-input' }, 'Purpose (an operation, case or task, at least 10 characters)'),
      input, problem,
      h('button', { type: 'submit', id: 'purpose-save' }, 'Continue'));
    const dialog = h('dialog', { id: 'purpose-dialog', 'aria-labelledby': 'purpose-title' }, form);
    form.addEventListener('submit', (event) => {
      const text = input.value.trim();
      const letters = [...text].filter((c) => /\p{L}/u.test(c)).length;
      if ([...text].length < MIN_PURPOSE || letters < 3) {
        event.preventDefault();
        problem.hidden = false;
        problem.textContent = 'Say why in words, at least 10 characters (for example `op kestrel: razor thefts`).';
        input.focus();
        return;
      }
      sessionStorage.setItem(PURPOSE_KEY, text);
      dialog.close();
      dialog.remove();
      drawPurposeBar();
      asking = null;
      resolve(text);
    });
    dialog.addEventListener('cancel', (event) => event.preventDefault());
    document.body.appendChild(dialog);
    dialog.showModal();
    input.focus();
  });
  return asking;
}

// ---------------------------------------------------------------------------------------------
// Calls.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || `request failed (${status})`);
    this.status = status;
    this.code = code;
  }
}

/** Calls `service`'s `method` (`analyst`/`intel`) with `body`, adding the purpose. */
export async function call(service, method, body = {}, retried = false) {
  let stated = purpose();
  if (!stated) stated = await askPurpose();
  const response = await fetch(`/ui/api/${service}/${method}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-csrf-token': meta('orca-csrf') },
    body: JSON.stringify({ ...body, purpose: stated }),
  });
  const data = await response.json().catch(() => ({}));
  if (response.status === 401) {
    location.assign(`/ui/sign-in?next=${encodeURIComponent(location.pathname)}`);
    throw new ApiError(401, 'unauthenticated', 'Your session has ended: sign in again.');
  }
  if (!response.ok) {
    if (!retried && data.code === 'invalid-argument' && /`purpose`/.test(data.message ?? '')) {
      sessionStorage.removeItem(PURPOSE_KEY);
      await askPurpose(data.message);
      return call(service, method, body, true);
    }
    throw new ApiError(response.status, data.code, data.message);
  }
  return data;
}

/** A message in place of content that could not be shown. */
export function failure(error) {
  const text = error instanceof ApiError
    ? ({ 403: 'Not available to you: ', 404: 'Not found: ' }[error.status] ?? '') + error.message
    : `Something went wrong: ${error.message ?? error}`;
  return h('p', { class: 'error', role: 'alert', id: 'failure' }, text);
}

// ---------------------------------------------------------------------------------------------
// Formatting.

/** `2026-03-01 10:00` (UTC) from a proto timestamp (`2026-03-01T10:00:00+00:00`, or with `Z`). */
export function when(timestamp) {
  if (!timestamp) return '';
  const time = new Date(timestamp);
  return Number.isNaN(time.getTime()) ? timestamp : time.toISOString().slice(0, 16).replace('T', ' ');
}

export const day = (timestamp) => (timestamp ? timestamp.slice(0, 10) : '');

/** `£1,234.56` from pence (a string or number). */
export function money(pence) {
  const value = Number(pence ?? 0) / 100;
  return value.toLocaleString('en-GB', { style: 'currency', currency: 'GBP' });
}

/** `cross border` from `NIM_LEVEL_CROSS_BORDER`. */
export function label(enumName, prefix) {
  if (!enumName) return '';
  return enumName.replace(prefix, '').toLowerCase().replaceAll('_', ' ');
}

export const percent = (p) => `${Math.round((p ?? 0) * 100)}%`;

/** The page for an entity id (persons `P…`, vehicles `V…`, groups `G…`, incidents `INC-…`). */
export function entityHref(id) {
  if (!id) return '#';
  const kind = id.startsWith('INC-') ? 'incidents' : { P: 'persons', V: 'vehicles', G: 'groups' }[id[0]];
  return kind ? `/ui/analyst/${kind}/${encodeURIComponent(id)}` : '#';
}

export const entityLink = (id, text) => h('a', { href: entityHref(id) }, text ?? id);

/** The highlighted fragment: `ranges` are UTF-8 byte offsets into `fragment`. */
export function highlighted(fragment, ranges) {
  const bytes = new TextEncoder().encode(fragment);
  const decode = (a, b) => new TextDecoder().decode(bytes.slice(a, b));
  const parts = [];
  let at = 0;
  for (const { start = 0, end = 0 } of [...(ranges ?? [])].sort((a, b) => (a.start ?? 0) - (b.start ?? 0))) {
    if (start < at) continue;
    parts.push(decode(at, start), h('mark', {}, decode(start, end)));
    at = end;
  }
  parts.push(decode(at, bytes.length));
  return parts;
}

/** A definition list from `[term, value]` pairs, leaving out empty values. */
export function facts(pairs) {
  const items = pairs.filter(([, value]) => value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0));
  return h('dl', { class: 'facts' }, items.map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));
}

/** A table: `columns` are `[heading, cell(row)]`. */
export function table(rows, columns, attributes = {}) {
  return h('table', attributes,
    h('thead', {}, h('tr', {}, columns.map(([heading]) => h('th', { scope: 'col' }, heading)))),
    h('tbody', {}, rows.map((row) => h('tr', {}, columns.map(([, cell]) => h('td', {}, cell(row)))))));
}

/** Runs `draw` for the first route matching the address; shows a failure if it throws. */
export async function route(routes) {
  drawPurposeBar();
  const path = decodeURI(location.pathname);
  for (const [pattern, draw] of routes) {
    const match = path.match(pattern);
    if (!match) continue;
    try {
      await draw(...match.slice(1));
    } catch (error) {
      show(failure(error));
    }
    rendered();
    return;
  }
  show(h('h1', {}, 'No such page'), h('p', {}, h('a', { href: '/ui/' }, 'Back to the workspace')));
  rendered();
}

// `/` focuses the page's search box, as on most sites.
document.addEventListener('keydown', (event) => {
  if (event.key !== '/' || event.target.closest?.('input, textarea, select')) return;
  const box = document.querySelector('input[type="search"]');
  if (box) {
    event.preventDefault();
    box.focus();
  }
});
