// A ticket with its history, notes, escalation and orders: on the desktop during a call and
// on the ticket page (`/tickets/{id}`).
import { api } from './api.js';
import { el, fill, keyValues } from './dom.js';
import { formatTime, t } from './i18n.js';

export function money(minor, currency) {
  try {
    return new Intl.NumberFormat(document.documentElement.lang, { style: 'currency', currency }).format(minor / 100);
  } catch {
    return `${(minor / 100).toFixed(2)} ${currency}`;
  }
}

/** Shows ticket `id` in `container` (its h2 kept as the panel's title); returns a reload function. */
export async function showTicket(container, id, { heading = 'h2' } = {}) {
  const status = el('p', { role: 'status', 'aria-live': 'polite' });
  let products = [];
  try {
    products = (await api('GET', '/api/v1/products')).products.filter((p) => p.active);
  } catch { /* no catalog: no order form */ }

  async function reload() {
    let detail;
    try {
      detail = await api('GET', `/api/v1/tickets/${id}`);
    } catch (failure) {
      fill(container, el(heading, {}, t('ticket.title')), el('p', { class: 'error' }, t('common.error', { message: failure.message })));
      return;
    }
    const ticket = detail.ticket;
    container.dataset.ticket = ticket.id;
    fill(container,
      el(heading, {}, t('ticket.title'), ' ', el('a', { href: `/tickets/${ticket.id}` }, `#${ticket.id}`)),
      el('p', { id: 'ticket-subject' }, el('strong', {}, ticket.subject)),
      keyValues([
        [t('ticket.state'), el('span', { class: 'badge', id: 'ticket-state' }, t(`ticket.state.${ticket.state}`))],
        [t('ticket.tier'), el('span', { id: 'ticket-tier' }, String(ticket.tier))],
        [t('ticket.priority'), t(`ticket.priority.${ticket.priority}`)],
        [t('ticket.customer'), ticket.customer_id ? el('a', { href: `/customers/${ticket.customer_id}` }, `#${ticket.customer_id}`) : null],
        [t('ticket.sla'), ticket.sla.breached ? el('span', { class: 'error' }, t('ticket.breached'))
          : ticket.sla.resolution_due ? formatTime(ticket.sla.resolution_due.at_ms, { dateStyle: 'short', timeStyle: 'short' }) : null],
      ]),
      fieldsBlock(ticket.fields),
      notesForm(),
      escalateForm(ticket),
      ordersBlock(detail.orders),
      historyBlock(detail.events),
      status);
  }

  function fieldsBlock(fields) {
    const entries = Object.entries(fields || {});
    if (!entries.length) return null;
    return el('div', {}, el('h3', {}, t('ticket.fields')),
      el('dl', { class: 'kv', id: 'ticket-fields' }, entries.flatMap(([key, value]) => [
        el('dt', {}, key), el('dd', { dataset: { field: key } }, typeof value === 'object' ? JSON.stringify(value) : String(value)),
      ])));
  }

  function notesForm() {
    const text = el('textarea', { id: 'ticket-note' });
    const visibility = el('select', { id: 'ticket-note-visibility' },
      el('option', { value: 'internal' }, t('ticket.note_internal')),
      el('option', { value: 'customer' }, t('ticket.note_customer')));
    return el('div', {},
      el('h3', {}, el('label', { for: 'ticket-note' }, t('ticket.add_note'))),
      text,
      el('div', { class: 'row' }, visibility,
        el('button', { type: 'button', id: 'ticket-note-add', onclick: () => act('POST', 'notes', { visibility: visibility.value, text: text.value }, !text.value.trim()) }, t('ticket.add_note'))));
  }

  function escalateForm(ticket) {
    if (ticket.tier >= 3 || ['resolved', 'closed'].includes(ticket.state)) return null;
    const reason = el('input', { id: 'ticket-escalate-reason' });
    const tier = el('select', { id: 'ticket-escalate-tier' },
      [2, 3].filter((n) => n > ticket.tier).map((n) => el('option', { value: n }, t('ticket.tier_n', { n }))));
    return el('div', {},
      el('h3', {}, el('label', { for: 'ticket-escalate-reason' }, t('ticket.escalate_reason'))),
      el('div', { class: 'row' }, reason, tier,
        el('button', { type: 'button', id: 'ticket-escalate', onclick: () => act('POST', 'escalate', { tier: Number(tier.value), reason: reason.value.trim() }, !reason.value.trim()) }, t('ticket.escalate'))));
  }

  function ordersBlock(orders) {
    const rows = (orders || []).map((order) => el('li', { dataset: { order: order.id } },
      `#${order.id} · ${t(`order.status.${order.status}`)} · `,
      order.lines.map((l) => `${l.quantity} × ${l.name}`).join(', '), ' · ',
      el('strong', {}, money(order.total_minor, order.currency))));
    const form = products.length ? orderForm() : el('p', { class: 'muted' }, t('order.no_catalog'));
    return el('div', {}, el('h3', {}, t('order.title')), el('ul', { class: 'plain', id: 'ticket-orders' }, rows), form);
  }

  function orderForm() {
    const product = el('select', { id: 'order-product' },
      products.map((p) => el('option', { value: p.sku }, `${p.name} — ${money(p.unit_price_minor, p.currency)}`)));
    const quantity = el('input', { id: 'order-quantity', type: 'number', min: 1, value: 1 });
    const place = () => {
      const chosen = products.find((p) => p.sku === product.value);
      const count = Number(quantity.value);
      if (!chosen || !Number.isInteger(count) || count < 1) return;
      act('POST', 'orders', { currency: chosen.currency, status: 'placed', lines: [{ sku: chosen.sku, quantity: count }] });
    };
    return el('div', { class: 'row' },
      el('label', { for: 'order-product', class: 'visually-hidden' }, t('order.product')), product,
      el('label', { for: 'order-quantity', class: 'visually-hidden' }, t('order.quantity')), quantity,
      el('button', { type: 'button', id: 'order-place', onclick: place }, t('order.place')));
  }

  function historyBlock(events) {
    return el('details', { open: heading !== 'h2' },
      el('summary', {}, t('ticket.history')),
      el('ul', { class: 'plain', id: 'ticket-history' }, (events || []).map((e) => el('li', {},
        el('span', { class: 'muted' }, formatTime(e.at_ms, { dateStyle: 'short', timeStyle: 'short' })), ' ',
        t(`ticket.event.${e.kind}`) === `ticket.event.${e.kind}` ? e.kind : t(`ticket.event.${e.kind}`), ' ',
        summary(e.data)))));
  }

  async function act(method, path, body, refused) {
    if (refused) {
      status.textContent = t('ticket.missing');
      return;
    }
    try {
      await api(method, `/api/v1/tickets/${id}/${path}`, body);
      await reload();
      status.textContent = t('common.saved');
    } catch (failure) {
      status.textContent = t('common.error', { message: failure.message });
    }
  }

  await reload();
  return reload;
}

function summary(data) {
  return Object.entries(data || {})
    .filter(([, value]) => value !== null && typeof value !== 'object')
    .map(([key, value]) => `${key}: ${value}`)
    .join(' · ');
}
