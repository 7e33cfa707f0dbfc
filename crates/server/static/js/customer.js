// One customer (`/customers/{id}`): record, identities, custom fields, contact history.
import { currentUser } from './api.js';
import { $, el, fill } from './dom.js';
import { loadStrings, t, translatePage } from './i18n.js';
import { topbar } from './nav.js';
import { showCustomer } from './customer_panel.js';

const user = await currentUser();
await loadStrings('tickets', user.language);
translatePage();
topbar($('header.topbar'), user, '/tickets');
const id = location.pathname.split('/').pop();
document.title = `${t('customer.title')} #${id}`;
const detail = await showCustomer($('#customer'), id, { heading: 'h1' });
const open = detail ? detail.tickets.filter((ticket) => !['resolved', 'closed'].includes(ticket.state)) : [];
fill($('#customer-open'), open.length
  ? open.map((ticket) => el('li', {}, el('a', { href: `/tickets/${ticket.id}` }, `#${ticket.id} ${ticket.subject}`)))
  : el('li', { class: 'muted' }, t('common.none')));
