// One ticket (`/tickets/{id}`): detail, history, notes, escalation, orders, and its customer.
import { currentUser } from './api.js';
import { $ } from './dom.js';
import { loadStrings, t, translatePage } from './i18n.js';
import { topbar } from './nav.js';
import { showTicket } from './ticket_panel.js';
import { showCustomer } from './customer_panel.js';

const user = await currentUser();
await loadStrings('tickets', user.language);
translatePage();
topbar($('header.topbar'), user, '/tickets');
const id = location.pathname.split('/').pop();
document.title = `${t('ticket.title')} #${id}`;
await showTicket($('#ticket'), id, { heading: 'h1' });
const customer = $('#ticket').querySelector('a[href^="/customers/"]');
if (customer) showCustomer($('#customer'), customer.getAttribute('href').split('/').pop());
else $('#customer').hidden = true;
