// The ticket list: filters by state, tier and text (`/tickets?tier=2` is tier 2's list), kept
// in the address so a list can be bookmarked.
import { api, currentUser, query } from './api.js';
import { $, el, fill, options } from './dom.js';
import { formatTime, loadStrings, t, translatePage } from './i18n.js';
import { topbar } from './nav.js';

const user = await currentUser();
await loadStrings('tickets', user.language);
translatePage();
document.title = t('tickets.title');
topbar($('header.topbar'), user, '/tickets');

const STATES = ['new', 'open', 'pending_customer', 'escalated', 'resolved', 'closed', 'reopened'];
const params = new URLSearchParams(location.search);
options($('#filter-state'), [['', t('tickets.any_state')], ...STATES.map((s) => [s, t(`ticket.state.${s}`)])], params.get('state') || '');
options($('#filter-tier'), [['', t('tickets.any_tier')], ...[1, 2, 3].map((n) => [n, t('ticket.tier_n', { n })])], params.get('tier') || '');
$('#filter-q').value = params.get('q') || '';

let next = null;

function filters() {
  return { state: $('#filter-state').value, tier: $('#filter-tier').value, q: $('#filter-q').value.trim() };
}

async function load(append) {
  let list;
  try {
    list = await api('GET', `/api/v1/tickets${query({ ...filters(), before: append ? next : '', limit: 50 })}`);
  } catch (failure) {
    $('#tickets-status').textContent = t('common.error', { message: failure.message });
    return;
  }
  next = list.next;
  const rows = list.tickets.map((ticket) => el('tr', { dataset: { ticket: ticket.id } },
    el('td', {}, el('a', { href: `/tickets/${ticket.id}` }, `#${ticket.id}`)),
    el('td', {}, el('a', { href: `/tickets/${ticket.id}` }, ticket.subject)),
    el('td', {}, el('span', { class: 'badge' }, t(`ticket.state.${ticket.state}`))),
    el('td', {}, String(ticket.tier)),
    el('td', {}, t(`ticket.priority.${ticket.priority}`), ticket.sla.breached ? el('span', { class: 'error' }, ` · ${t('ticket.breached')}`) : null),
    el('td', {}, formatTime(ticket.updated_at_ms, { dateStyle: 'short', timeStyle: 'short' }))));
  if (append) $('#tickets-list').append(...rows);
  else fill($('#tickets-list'), rows.length ? rows : el('tr', {}, el('td', { colspan: 6, class: 'muted' }, t('tickets.empty'))));
  $('#tickets-more').hidden = !next;
  $('#tickets-status').textContent = '';
}

$('#filters').addEventListener('submit', (event) => {
  event.preventDefault();
  history.replaceState(null, '', `/tickets${query(filters())}`);
  load(false);
});
$('#tickets-more').addEventListener('click', () => load(true));
load(false);
