// The floor's data for the supervisor page and the wallboard: `GET /api/v1/floor` once, then
// the `{"type":"floor"}` the server pushes each second on the events socket; polled while
// the socket is down. Formatting of the figures, shared by both pages.

import { api } from './api.js';
import { events } from './events.js';

const POLL_WHILE_DOWN_MS = 5000;

/** Calls `render(floor, source)` now and at every update; `source` is `'api'` or `'socket'`. */
export async function followFloor(render, onError) {
  const load = async () => {
    try { render(await api('GET', '/api/v1/floor'), 'api'); } catch (error) { if (onError) onError(error); }
  };
  events.on('floor', (floor) => render(floor, 'socket'));
  await load();
  setInterval(() => { if (!events.connected) load(); }, POLL_WHILE_DOWN_MS);
}

/** A ratio (0–1) as a percentage; `—` when there is none (nothing counted yet). */
export function percent(ratio) {
  return ratio === null || ratio === undefined ? '—' : `${Math.round(ratio * 100)} %`;
}

/** Milliseconds as m:ss or h:mm:ss; `—` when there is none. */
export function duration(ms) {
  if (ms === null || ms === undefined) return '—';
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** Seconds (possibly fractional) as m:ss. */
export function seconds(secs) {
  return secs === null || secs === undefined ? '—' : duration(secs * 1000);
}

/** The local time of a unix-ms instant in the tenant's zone, `HH:MM`. */
export function clock(ms, zone) {
  try {
    return new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', timeZone: zone }).format(new Date(ms));
  } catch {
    return new Date(ms).toTimeString().slice(0, 5);
  }
}
