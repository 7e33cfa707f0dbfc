// The agent desktop: state, the ringing call, call controls, wrap-up, today's calls, and the
// call's customer, script and ticket. Follows the events socket (no polling).
import { api, currentUser } from './api.js';
import { events } from './events.js';
import { $, el, fill, options, say } from './dom.js';
import { formatDuration, formatTime, loadStrings, t, translatePage } from './i18n.js';
import { topbar } from './nav.js';
import { runScript } from './script_runner.js';
import { showTicket } from './ticket_panel.js';
import { showCustomer } from './customer_panel.js';

const user = await currentUser();
await loadStrings('agent', user.language);
translatePage();
document.title = t('page.title');
topbar($('header.topbar'), user, '/agent');

const me = user.user_id;
/** The call this desktop is about: {id, number, queue, offeredAt, answeredAt, endedAt}. */
let call = null;
let state = { name: 'logged_out', since: Date.now() };
let softphone = null;
let queues = [];

// ---- state ------------------------------------------------------------------------------

function normalState(name) {
  return name === 'available' ? 'ready' : (name || 'logged_out');
}

function showState(name, reason, sinceMs) {
  state = { name: normalState(name), reason, since: sinceMs || Date.now() };
  const badge = $('#state');
  badge.textContent = t(`state.${state.name}`) + (reason && state.name === 'not_ready' ? ` (${reasonLabel(reason)})` : '');
  badge.className = `badge state-${state.name}`;
  badge.dataset.state = state.name;
  tick();
  $('#go-ready').disabled = state.name === 'ready' || state.name === 'on_call' || state.name === 'ringing';
  if (!call) return;
  if (state.name === 'wrap_up' && call.answeredAt) {
    // The agent's part of the call is over (hung up, or transferred away).
    if (!call.endedAt) call.endedAt = state.since;
    $('#call-panel').hidden = true;
    showWrapup();
  } else if (['ready', 'not_ready', 'logged_out'].includes(state.name) && !call.answeredAt) {
    // The offer went elsewhere (not answered in time, rejected, caller gone).
    $('#incoming').hidden = true;
    call = null;
  }
}

function reasonLabel(code) {
  const key = `reason.${code}`;
  return t(key) === key ? code : t(key);
}

async function setState(name, reason) {
  try {
    await api('PUT', `/api/v1/agents/${me}/state`, reason ? { state: name, reason } : { state: name });
    say($('#desk-status'), '');
  } catch (failure) {
    say($('#desk-status'), t('common.error', { message: failure.message }));
  }
}

// ---- the ringing call ---------------------------------------------------------------------

async function offered(event) {
  call = {
    id: event.interaction,
    number: event.caller || (event.data && event.data.caller) || '',
    queue: event.queue || '',
    offeredAt: event.at_ms,
    queuedAt: event.data && event.data.waited_ms !== undefined ? event.at_ms - event.data.waited_ms : null,
  };
  $('#incoming-number').textContent = call.number || t('incoming.unknown_number');
  $('#incoming-queue').textContent = call.queue || '—';
  $('#incoming-ivr').textContent = '…';
  fill($('#incoming-customer'), '…');
  fill($('#incoming-previous'));
  $('#incoming').hidden = false;
  $('#answer').hidden = phoneMode() !== 'browser';
  $('#answer-on-phone').hidden = phoneMode() === 'browser';
  $('#incoming').dataset.interaction = call.id;
  tick();
  screenPop(call.id);
}

async function screenPop(id) {
  let pop;
  try {
    pop = await api('GET', `/api/v1/calls/${id}/screen-pop`);
  } catch {
    fill($('#incoming-customer'), t('incoming.no_customer'));
    return;
  }
  if (!call || call.id !== id) return;
  $('#incoming-ivr').textContent = pop.ivr_digits ? pop.ivr_digits.split('').join(' ') : '—';
  if (pop.queued_at_ms) call.queuedAt = pop.queued_at_ms;
  tick();
  const found = pop.customers || [];
  call.customerId = found.length === 1 ? found[0].id : null;
  fill($('#incoming-customer'), found.length
    ? found.map((c, i) => [i ? ', ' : '', el('a', { href: `/customers/${c.id}`, target: '_blank' }, `${c.first_name} ${c.last_name}`)])
    : t('incoming.no_customer'));
  const previous = (pop.open_tickets || []).map((ticket) => el('li', {},
    el('a', { href: `/tickets/${ticket.id}`, target: '_blank' }, `#${ticket.id} ${ticket.subject}`)));
  if (call.customerId) {
    const detail = await showCustomer($('#customer'), call.customerId);
    if (detail) {
      for (const c of detail.calls.filter((c) => c.interaction_id !== id).slice(0, 5)) {
        previous.push(el('li', {}, formatTime(c.started_at_ms, { dateStyle: 'short', timeStyle: 'short' }), ' · ', t('incoming.call')));
      }
    }
  }
  fill($('#incoming-previous'), previous.length ? previous : el('li', { class: 'muted' }, t('common.none')));
}

// ---- the call -------------------------------------------------------------------------------

async function answered(event) {
  if (!call || call.id !== event.interaction) {
    call = { id: event.interaction, number: event.caller || '', queue: event.queue || '' };
  }
  call.answeredAt = event.at_ms;
  $('#incoming').hidden = true;
  $('#wrapup').hidden = true;
  const panel = $('#call-panel');
  panel.hidden = false;
  panel.dataset.interaction = call.id;
  tick();
  $('#call-number').textContent = call.number;
  $('#call-queue').textContent = call.queue;
  $('#hold').setAttribute('aria-pressed', 'false');
  $('#mute').setAttribute('aria-pressed', 'false');
  const browser = phoneMode() === 'browser';
  for (const id of ['#hangup', '#hold', '#mute']) $(id).disabled = !browser;
  // A desk phone has its own keypad.
  $('#keypad-block').hidden = !browser;
  say($('#call-status'), browser ? '' : t('call.desk_controls'));
  await openTicket();
  runScript($('#script'), call.id, () => reloadTicket && reloadTicket());
}

let reloadTicket = null;

async function openTicket() {
  const current = call;
  try {
    const ticket = await api('POST', '/api/v1/tickets', {
      subject: t('ticket.call_subject', { number: current.number || '?' }),
      customer_id: current.customerId || undefined,
      interaction_id: current.id,
      attach_to_open: true,
    });
    current.ticketId = ticket.id ?? (ticket.ticket && ticket.ticket.id);
    if (call === current) reloadTicket = await showTicket($('#ticket'), current.ticketId);
  } catch (failure) {
    fill($('#ticket'), el('h2', {}, t('ticket.title')), el('p', { class: 'error' }, t('common.error', { message: failure.message })));
  }
}

function ended(event) {
  if (!call || call.id !== event.interaction) return;
  $('#incoming').hidden = true;
  $('#call-panel').hidden = true;
  if (!call.answeredAt) {
    call = null;
    return;
  }
  call.endedAt = event.at_ms;
  showWrapup();
  loadHistory();
}

async function showWrapup() {
  if (!call || call.wrapupShown) return;
  call.wrapupShown = true;
  const panel = $('#wrapup');
  panel.hidden = false;
  tick();
  panel.dataset.interaction = call.id;
  $('#wrapup-notes').value = '';
  say($('#wrapup-status'), '');
  const select = $('#disposition');
  call.dispositionRequired = false;
  options(select, [['', '—']]);
  if (call.queue) {
    try {
      const list = await api('GET', `/api/v1/queues/${encodeURIComponent(call.queue)}/dispositions`);
      call.dispositionRequired = list.required;
      options(select, [['', list.required ? t('wrapup.choose') : '—'],
        ...list.dispositions.filter((d) => d.active).map((d) => [d.id, d.label])]);
      select.required = list.required;
      select.setAttribute('aria-required', String(list.required));
    } catch { /* no codes for this queue */ }
  }
}

async function saveWrapup() {
  if (!call) return;
  const chosen = $('#disposition').value;
  if (!chosen) {
    if (call.dispositionRequired) {
      say($('#wrapup-status'), t('wrapup.required'));
      return;
    }
  } else {
    try {
      await api('PUT', `/api/v1/calls/${call.id}/disposition`, { disposition_id: Number(chosen), notes: $('#wrapup-notes').value });
    } catch (failure) {
      say($('#wrapup-status'), t('common.error', { message: failure.message }));
      return;
    }
  }
  $('#wrapup').hidden = true;
  say($('#desk-status'), t('wrapup.saved'));
  call = null;
  loadHistory();
}

// ---- call controls: the browser phone, or the server's transfer/consult APIs -------------

function phoneMode() {
  return $('#phone-mode').value;
}

async function loadSoftphone() {
  if (softphone) return softphone;
  try {
    softphone = await import('./softphone.js');
    if (typeof softphone.start === 'function') await softphone.start({ events, user });
  } catch (failure) {
    softphone = null;
    say($('#desk-status'), t('phone.unavailable', { message: failure.message }));
  }
  return softphone;
}

async function phone(action, ...args) {
  const sp = await loadSoftphone();
  if (!sp || typeof sp[action] !== 'function') {
    say($('#call-status'), t('phone.unavailable', { message: action }));
    return false;
  }
  try {
    await sp[action](...args);
    return true;
  } catch (failure) {
    say($('#call-status'), t('common.error', { message: failure.message }));
    return false;
  }
}

function toggle(button, action) {
  const on = button.getAttribute('aria-pressed') !== 'true';
  phone(action, on).then((done) => { if (done) button.setAttribute('aria-pressed', String(on)); });
}

/** `{agent: n}`, `{queue: name}` or `{number: text}` from what was typed. */
function target() {
  const text = $('#transfer-target').value.trim();
  if (!text) return null;
  if (queues.includes(text)) return { queue: text };
  if (/^\d{2,6}$/.test(text)) return { agent: Number(text) };
  return { number: text };
}

async function callAction(path, body, done) {
  if (!call) return;
  try {
    await api('POST', `/api/v1/calls/${call.id}/${path}`, body);
    say($('#call-status'), done);
    return true;
  } catch (failure) {
    say($('#call-status'), t('common.error', { message: failure.message }));
    return false;
  }
}

// ---- history ------------------------------------------------------------------------------

async function loadHistory() {
  let list;
  try {
    list = await api('GET', '/api/v1/calls?mine=true&limit=200');
  } catch {
    return;
  }
  const midnight = new Date();
  midnight.setHours(0, 0, 0, 0);
  const today = list.calls.filter((c) => c.created_at_ms >= midnight.getTime());
  fill($('#history'), today.length ? today.map((c) => el('tr', { dataset: { interaction: c.id } },
    el('td', {}, formatTime(c.created_at_ms)),
    el('td', {}, c.caller),
    el('td', {}, (c.cdr && c.cdr.queue) || ''),
    el('td', {}, c.cdr && c.cdr.talk_ms != null ? formatDuration(c.cdr.talk_ms) : ''))) :
    el('tr', {}, el('td', { colspan: 4, class: 'muted' }, t('history.empty'))));
}

// ---- timers -------------------------------------------------------------------------------

function tick() {
  const now = Date.now();
  $('#state-since').textContent = formatDuration(now - state.since);
  if (call && !$('#incoming').hidden) $('#incoming-waited').textContent = formatDuration(now - (call.queuedAt || call.offeredAt || now));
  if (call && call.answeredAt && !call.endedAt) $('#call-timer').textContent = formatDuration(now - call.answeredAt);
  if (call && call.endedAt) $('#wrapup-timer').textContent = formatDuration(now - call.endedAt);
}
setInterval(tick, 1000);

// ---- wiring -------------------------------------------------------------------------------

events.on('agent_state', (event) => {
  if (event.agent === me) showState(event.state, event.reason, event.since_ms);
});
events.on('interaction_event', (event) => {
  if (event.agent !== null && event.agent !== undefined && event.agent !== me) return;
  if (event.kind === 'offered') offered(event);
  else if (event.kind === 'answered') answered(event);
  else if (event.kind === 'offer_missed' || event.kind === 'abandoned') {
    if (call && call.id === event.interaction && !call.answeredAt) {
      $('#incoming').hidden = true;
      call = null;
    }
  } else if (event.kind === 'ended') ended(event);
});
let connectedOnce = false;
events.on('open', () => {
  say($('#desk-status'), '');
  // After a reconnect, events may have been missed: read the state again.
  if (connectedOnce) syncState();
  connectedOnce = true;
});
events.on('close', () => say($('#desk-status'), t('desk.reconnecting')));

$('#go-ready').addEventListener('click', () => setState('ready'));
$('#go-not-ready').addEventListener('click', () => setState('not_ready', $('#not-ready-reason').value || undefined));
$('#logout').addEventListener('click', () => setState('logged_out'));
$('#answer').addEventListener('click', () => phone('answer'));
$('#hangup').addEventListener('click', () => phone('hangup'));
$('#hold').addEventListener('click', (e) => toggle(e.currentTarget, 'hold'));
$('#mute').addEventListener('click', (e) => toggle(e.currentTarget, 'mute'));
$('#transfer').addEventListener('click', () => {
  const to = target();
  if (to) callAction('transfer', { to }, t('call.transferred'));
});
$('#consult').addEventListener('click', async () => {
  const to = target();
  if (to && await callAction('consult', { to }, t('call.consulting'))) {
    $('#consult-complete').hidden = false;
    $('#consult-cancel').hidden = false;
  }
});
for (const [id, path, done] of [['#consult-complete', 'consult/complete', 'call.transferred'], ['#consult-cancel', 'consult/cancel', 'call.back']]) {
  $(id).addEventListener('click', async () => {
    if (await callAction(path, undefined, t(done))) {
      $('#consult-complete').hidden = true;
      $('#consult-cancel').hidden = true;
    }
  });
}
$('#conference').addEventListener('click', () => {
  const to = target();
  callAction('conference', to ? { to } : {}, t('call.conferenced'));
});
$('#wrapup-save').addEventListener('click', saveWrapup);

const keys = [['1', '1'], ['2', '2'], ['3', '3'], ['4', '4'], ['5', '5'], ['6', '6'], ['7', '7'], ['8', '8'], ['9', '9'], ['star', '*'], ['0', '0'], ['hash', '#']];
fill($('#keypad'), keys.map(([name, digit]) => el('button', { type: 'button', id: `dtmf-${name}`, 'aria-label': t('call.digit', { digit }), onclick: () => phone('dtmf', digit) }, digit)));

const savedMode = localStorage.getItem('plateau.phone-mode');
if (savedMode === 'browser' || savedMode === 'desk') $('#phone-mode').value = savedMode;
$('#phone-mode').addEventListener('change', () => {
  localStorage.setItem('plateau.phone-mode', phoneMode());
  if (phoneMode() === 'browser') loadSoftphone();
});
if (phoneMode() === 'browser') loadSoftphone();

document.addEventListener('keydown', (event) => {
  if (!event.altKey || event.ctrlKey || event.metaKey) return;
  const action = { KeyA: () => !$('#incoming').hidden && phone('answer'), KeyH: () => !$('#call-panel').hidden && phone('hangup'), KeyR: () => setState('ready') }[event.code];
  if (action) {
    event.preventDefault();
    action();
  }
});

/** This agent's state now, and the reason codes for the select. */
async function syncState() {
  try {
    const list = await api('GET', '/api/v1/agents');
    const self = list.agents.find((a) => a.id === me);
    const reasons = list.not_ready_reasons || [];
    const chosen = $('#not-ready-reason').value;
    options($('#not-ready-reason'), [['', t('state.no_reason')], ...reasons.map((code) => [code, reasonLabel(code)])], chosen);
    if (self) showState(self.state, self.reason, self.since_ms);
    else say($('#desk-status'), t('desk.not_agent'));
  } catch (failure) {
    say($('#desk-status'), t('common.error', { message: failure.message }));
  }
}

// The starting point: the state, the queues for transfers, today's calls; then the socket.
await syncState();
api('GET', '/api/v1/queues').then((r) => { queues = (r.queues || []).map((q) => q.name); }).catch(() => {});
loadHistory();
events.start();
