// The supervisor's floor view (`/supervisor`): queues and agents now and today, actions on
// agents and their calls (listen, whisper, barge, take over, force a state), and today's
// calls and service level per 30 minutes.

import { api, currentUser } from './api.js';
import { el, fill, say, $ } from './dom.js';
import { loadStrings, t, translatePage } from './i18n.js';
import { topbar } from './nav.js';
import { followFloor, percent, duration, seconds, clock } from './floor-data.js';
import { callsChart, serviceLevelChart } from './floor-charts.js';

const status = () => $('#floor-status');

function tile(key, value, figure) {
  return el('div', {}, el('dt', {}, t(key)), el('dd', { 'data-figure': figure }, value));
}

function renderNow(floor) {
  const states = floor.agents_by_state || {};
  fill($('#floor-now'),
    tile('floor.waiting', String(floor.waiting), 'waiting'),
    tile('floor.longest_wait', duration(floor.longest_wait_ms), 'longest_wait'),
    tile('floor.service_level', percent(floor.total.service_level), 'service_level'),
    tile('floor.offered', String(floor.total.offered), 'offered'),
    tile('floor.state.ready', String(states.ready || 0), 'ready'),
    tile('floor.state.on_call', String((states.on_call || 0) + (states.ringing || 0)), 'on_call'),
    tile('floor.state.wrap_up', String(states.wrap_up || 0), 'wrap_up'),
    tile('floor.state.not_ready', String(states.not_ready || 0), 'not_ready'));
}

function renderQueues(floor) {
  fill($('#queue-table tbody'), floor.queues.map((q) => el('tr', { dataset: { queue: q.queue } },
    el('th', { scope: 'row' }, q.queue),
    el('td', {}, String(q.waiting)),
    el('td', {}, duration(q.longest_wait_ms)),
    el('td', {}, String(q.offered)),
    el('td', {}, String(q.answered)),
    el('td', {}, String(q.abandoned)),
    el('td', {}, String(q.short_abandoned)),
    el('td', {}, percent(q.service_level)),
    el('td', {}, percent(q.abandonment_rate)),
    el('td', {}, seconds(q.asa_secs)),
    el('td', {}, seconds(q.aht_secs)),
    el('td', {}, seconds(q.longest_answered_wait_secs)))));
}

async function act(description, run) {
  try {
    await run();
    for (const row of agentRows.values()) row.actions = null;
    say(status(), t('floor.done', { action: description }), 5000);
  } catch (error) {
    say(status(), t('common.error', { message: error.message }));
  }
}

/** The call this page's user is listening to, whispering into or barging into. */
let monitoring = null; // { call, mode }

function callActions(agent) {
  const call = agent.interaction;
  if (!call || agent.state !== 'on_call') return [];
  const here = monitoring && monitoring.call === call;
  const monitor = (mode) => el('button', {
    type: 'button',
    'aria-pressed': here && monitoring.mode === mode ? 'true' : 'false',
    'aria-label': t(`floor.${mode}_agent`, { agent: agent.display_name }),
    // Already on this call: switch mode (PUT); else join it (POST).
    onclick: () => act(t(`floor.${mode}`), async () => {
      await api(here ? 'PUT' : 'POST', `/api/v1/calls/${call}/monitor`, { mode });
      monitoring = { call, mode };
    }),
  }, t(`floor.${mode}`));
  const buttons = [monitor('listen'), monitor('whisper'), monitor('barge')];
  if (here) {
    buttons.push(el('button', {
      type: 'button',
      'aria-label': t('floor.leave_agent', { agent: agent.display_name }),
      onclick: () => act(t('floor.leave'), async () => {
        await api('DELETE', `/api/v1/calls/${call}/monitor`);
        monitoring = null;
      }),
    }, t('floor.leave')));
  }
  buttons.push(el('button', {
    type: 'button',
    'aria-label': t('floor.take_over_agent', { agent: agent.display_name }),
    onclick: () => act(t('floor.take_over'), async () => {
      await api('POST', `/api/v1/calls/${call}/takeover`);
      monitoring = null;
    }),
  }, t('floor.take_over')));
  return buttons;
}

function stateActions(agent) {
  const force = (state, key) => el('button', {
    type: 'button',
    'aria-label': t(`${key}_agent`, { agent: agent.display_name }),
    onclick: () => act(t(key), () => api('PUT', `/api/v1/agents/${agent.agent}/state`, { state, reason: state === 'not_ready' ? 'supervisor' : undefined })),
  }, t(key));
  const out = [];
  if (agent.state !== 'ready' && agent.state !== 'on_call' && agent.state !== 'ringing') out.push(force('ready', 'floor.force_ready'));
  if (agent.state === 'ready' || agent.state === 'wrap_up') out.push(force('not_ready', 'floor.force_not_ready'));
  if (agent.state !== 'logged_out' && agent.state !== 'on_call' && agent.state !== 'ringing') out.push(force('logged_out', 'floor.force_logged_out'));
  return out;
}

/** Rows by agent id, updated in place so a focused action button keeps its focus. */
const agentRows = new Map();

function agentRow(id) {
  let row = agentRows.get(id);
  if (!row) {
    const cells = {
      name: el('th', { scope: 'row' }),
      state: el('td', { class: 'state' }),
      time: el('td', { class: 'timer' }),
      call: el('td'),
      handled: el('td'),
      aht: el('td'),
      actions: el('td', { class: 'actions' }),
    };
    row = { tr: el('tr', { dataset: { agent: id } }, Object.values(cells)), cells, actions: null };
    agentRows.set(id, row);
    $('#agent-table tbody').append(row.tr);
  }
  return row;
}

function renderAgents(floor) {
  const seen = new Set();
  for (const a of floor.agents) {
    seen.add(a.agent);
    const { cells, ...row } = agentRow(a.agent);
    fill(cells.name, `${a.display_name}${a.extension ? ` (${a.extension})` : ''}`);
    fill(cells.state, el('span', { class: `badge state-${a.state}` }, t(`floor.state.${a.state}`)),
      a.reason && a.reason !== a.state ? ` ${a.reason}` : '');
    fill(cells.time, duration(a.time_in_state_ms));
    fill(cells.call, a.interaction && a.state === 'on_call'
      ? `${a.interaction.slice(-8)} · ${duration(a.time_in_state_ms)}`
      : (a.state === 'ringing' ? t('floor.state.ringing') : '—'));
    fill(cells.handled, String(a.handled));
    fill(cells.aht, seconds(a.aht_secs));
    // The buttons change only with the state, the call or what this page monitors.
    const key = JSON.stringify([a.state, a.interaction, monitoring]);
    if (row.actions !== key) {
      agentRows.get(a.agent).actions = key;
      fill(cells.actions, callActions(a), stateActions(a));
    }
  }
  for (const [id, row] of agentRows) {
    if (!seen.has(id)) { row.tr.remove(); agentRows.delete(id); }
  }
}

function renderCharts(floor) {
  const series = floor.intervals.total;
  const label = (i) => clock(i.start_ms, floor.time_zone);
  callsChart($('#chart-calls'), series, floor.at_ms, label, t('floor.chart_calls'));
  serviceLevelChart($('#chart-sl'), series, floor.at_ms, label, t('floor.chart_sl'));
}

let lastCharts = 0;

function render(floor) {
  // A monitored call that is no longer up is left.
  if (monitoring && !floor.agents.some((a) => a.interaction === monitoring.call && a.state === 'on_call')) monitoring = null;
  renderNow(floor);
  renderQueues(floor);
  renderAgents(floor);
  // The series changes slowly: redraw the charts every 10 s, not every second.
  if (floor.at_ms - lastCharts >= 10000) {
    lastCharts = floor.at_ms;
    renderCharts(floor);
  }
}

async function main() {
  const user = await currentUser();
  await loadStrings('floor', user.language);
  translatePage();
  topbar($('header.topbar'), user, '/supervisor');
  await followFloor(render, (error) => say(status(), t('common.error', { message: error.message })));
}

main();
