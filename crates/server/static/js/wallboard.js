// The wallboard (`/wallboard`): big figures per queue for a screen on the wall, updated from
// the events socket every second. Each figure carries its raw value in `data-value`.

import { currentUser } from './api.js';
import { el, fill, $ } from './dom.js';
import { loadStrings, t, translatePage } from './i18n.js';
import { followFloor, percent, duration, seconds, clock } from './floor-data.js';

function figure(key, name, text, value, tone) {
  return el('div', {},
    el('dt', { id: `${name}-label` }, t(key)),
    el('dd', { 'data-figure': name, 'data-value': value === null || value === undefined ? '' : String(value), class: tone || null }, text));
}

/** Green at or above the 80 % target, red under it. */
function slTone(ratio) {
  if (ratio === null || ratio === undefined) return null;
  return ratio >= 0.8 ? 'good' : 'bad';
}

function queueTile(q) {
  return el('section', { class: 'wall-queue', dataset: { queue: q.queue }, 'aria-label': q.queue },
    el('h2', {}, q.queue),
    el('dl', {},
      figure('wall.waiting', 'waiting', String(q.waiting), q.waiting, q.waiting > 0 ? 'bad' : null),
      figure('wall.longest_wait', 'longest_wait', duration(q.longest_wait_ms), q.longest_wait_ms),
      figure('wall.service_level', 'service_level', percent(q.service_level), q.service_level, slTone(q.service_level)),
      figure('wall.offered', 'offered', String(q.offered), q.offered),
      figure('wall.answered', 'answered', String(q.answered), q.answered),
      figure('wall.abandoned', 'abandoned', String(q.abandoned), q.abandoned),
      figure('wall.short_abandoned', 'short_abandoned', String(q.short_abandoned), q.short_abandoned),
      figure('wall.abandonment_rate', 'abandonment_rate', percent(q.abandonment_rate), q.abandonment_rate),
      figure('wall.asa', 'asa', seconds(q.asa_secs), q.asa_secs),
      figure('wall.aht', 'aht', seconds(q.aht_secs), q.aht_secs),
      figure('wall.ready', 'ready', String(q.agents_now.available), q.agents_now.available),
      figure('wall.on_call', 'on_call', String(q.agents_now.on_call + q.agents_now.ringing), q.agents_now.on_call + q.agents_now.ringing)));
}

function render(floor, source) {
  const states = floor.agents_by_state || {};
  fill($('#wall-summary'),
    figure('wall.waiting', 'total-waiting', String(floor.waiting), floor.waiting),
    figure('wall.service_level', 'total-service_level', percent(floor.total.service_level), floor.total.service_level),
    figure('wall.ready', 'total-ready', String(states.ready || 0), states.ready || 0),
    figure('wall.on_call', 'total-on_call', String((states.on_call || 0) + (states.ringing || 0)), (states.on_call || 0) + (states.ringing || 0)),
    figure('wall.wrap_up', 'total-wrap_up', String(states.wrap_up || 0), states.wrap_up || 0),
    figure('wall.not_ready', 'total-not_ready', String(states.not_ready || 0), states.not_ready || 0));
  fill($('#wall-queues'), floor.queues.map(queueTile));
  $('#wall-clock').textContent = clock(floor.at_ms, floor.time_zone);
  const board = $('#wallboard');
  board.setAttribute('aria-busy', 'false');
  board.dataset.at = String(floor.at_ms);
  board.dataset.source = source;
}

async function main() {
  const user = await currentUser();
  await loadStrings('floor', user.language);
  translatePage();
  await followFloor(render);
}

main();
