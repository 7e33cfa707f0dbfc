// Small DOM helpers shared by the pages (no framework).

/** `el('button', { class: 'primary', onclick: fn }, 'Save')`: an element with attributes and children. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (value === true) node.setAttribute(key, '');
    else node.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

export const $ = (selector, root = document) => root.querySelector(selector);

/** Replaces `node`'s children. */
export function fill(node, ...children) {
  node.replaceChildren();
  for (const child of children.flat(Infinity)) {
    if (child !== undefined && child !== null && child !== false) {
      node.append(child instanceof Node ? child : String(child));
    }
  }
}

/** Shows `text` in a live region (`role=status`/`alert`); empties it after `ms` when given. */
export function say(node, text, ms) {
  node.textContent = text;
  if (ms) setTimeout(() => { if (node.textContent === text) node.textContent = ''; }, ms);
}

/** The `<dl class="kv">` of `[label, value]` pairs. */
export function keyValues(pairs) {
  return el('dl', { class: 'kv' }, pairs.flatMap(([key, value]) => [el('dt', {}, key), el('dd', {}, value ?? '—')]));
}

/** A `<select>` filled with `[value, label]` pairs. */
export function options(select, pairs, selected) {
  fill(select, pairs.map(([value, label]) => el('option', { value, selected: String(value) === String(selected) }, label)));
}
