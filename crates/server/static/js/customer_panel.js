// A customer's record: identities, custom fields, consent, contact history. On the desktop
// during a call and on the customer page (`/customers/{id}`).
import { api } from './api.js';
import { el, fill, keyValues } from './dom.js';
import { formatTime, t } from './i18n.js';
import { money } from './ticket_panel.js';

/** Shows customer `id` in `container`; resolves to the detail (or null when it failed). */
export async function showCustomer(container, id, { heading = 'h2' } = {}) {
  let detail;
  let defs = [];
  try {
    [detail, defs] = await Promise.all([
      api('GET', `/api/v1/customers/${id}`),
      api('GET', '/api/v1/customer-fields').then((r) => r.fields).catch(() => []),
    ]);
  } catch (failure) {
    fill(container, el(heading, {}, t('customer.title')), el('p', { class: 'error' }, t('common.error', { message: failure.message })));
    return null;
  }
  const c = detail.customer;
  const labels = Object.fromEntries(defs.map((d) => [d.key, d.label]));
  container.dataset.customer = c.id;
  fill(container,
    el(heading, {}, el('a', { href: `/customers/${c.id}`, id: 'customer-name' }, `${c.first_name} ${c.last_name}`.trim() || `#${c.id}`)),
    keyValues([
      [t('customer.external_id'), c.external_id],
      [t('customer.phones'), c.phones.join(', ')],
      [t('customer.emails'), c.emails.join(', ')],
      [t('customer.consent_recording'), yesNo(c.consent_recording)],
      [t('customer.consent_marketing'), yesNo(c.consent_marketing)],
      ...Object.entries(c.fields || {}).map(([key, value]) => [labels[key] || key, fieldValue(value)]),
    ]),
    el('h3', {}, t('customer.tickets')),
    el('ul', { class: 'plain', id: 'customer-tickets' }, detail.tickets.map((ticket) => el('li', {},
      el('a', { href: `/tickets/${ticket.id}` }, `#${ticket.id} ${ticket.subject}`), ' ',
      el('span', { class: 'badge' }, t(`ticket.state.${ticket.state}`))))),
    el('h3', {}, t('customer.calls')),
    el('ul', { class: 'plain', id: 'customer-calls' }, detail.calls.slice(0, 20).map((call) => el('li', {},
      formatTime(call.started_at_ms, { dateStyle: 'short', timeStyle: 'short' }), ' · ', call.caller))),
    detail.orders.length ? el('h3', {}, t('order.title')) : null,
    el('ul', { class: 'plain' }, detail.orders.map((order) => el('li', {},
      `#${order.id} · ${t(`order.status.${order.status}`)} · ${money(order.total_minor, order.currency)}`))));
  return detail;
}

function yesNo(value) {
  if (value === null || value === undefined) return t('customer.unknown');
  return value ? t('script.yes') : t('script.no');
}

function fieldValue(value) {
  if (value && typeof value === 'object') {
    if (value.type === 'money' && value.value && typeof value.value === 'object') {
      return money(value.value.minor ?? value.value.amount_minor ?? 0, value.value.currency || 'EUR');
    }
    return 'value' in value ? String(value.value) : JSON.stringify(value);
  }
  return String(value);
}
