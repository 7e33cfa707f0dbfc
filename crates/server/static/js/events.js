// The live events socket (`/api/v1/events`): one per page, reconnecting with backoff.
//
//   import { events } from '/static/js/events.js';
//   events.on('agent_state', (event) => ...);
//   events.send({ type: 'ping' });

const MIN_DELAY_MS = 500;
const MAX_DELAY_MS = 15000;
const PING_EVERY_MS = 25000;

class Events {
  constructor() {
    this.handlers = new Map();
    this.socket = null;
    this.delay = MIN_DELAY_MS;
    this.started = false;
    this.pingTimer = null;
  }

  /** Calls `fn(event)` for every event of `type` (`'*'`: every event; `'open'`/`'close'`: the socket). */
  on(type, fn) {
    if (!this.handlers.has(type)) this.handlers.set(type, []);
    this.handlers.get(type).push(fn);
    this.start();
    return () => {
      const list = this.handlers.get(type) || [];
      this.handlers.set(type, list.filter((f) => f !== fn));
    };
  }

  /** Sends a JSON frame; false while the socket is down. */
  send(message) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  get connected() {
    return !!this.socket && this.socket.readyState === WebSocket.OPEN;
  }

  start() {
    if (this.started) return;
    this.started = true;
    this.connect();
  }

  connect() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(`${scheme}//${location.host}/api/v1/events`);
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.delay = MIN_DELAY_MS;
      this.emit('open', { type: 'open' });
      clearInterval(this.pingTimer);
      this.pingTimer = setInterval(() => this.send({ type: 'ping' }), PING_EVERY_MS);
    });
    socket.addEventListener('message', (message) => {
      let event;
      try { event = JSON.parse(message.data); } catch { return; }
      if (event && typeof event.type === 'string') {
        this.emit(event.type, event);
        this.emit('*', event);
      }
    });
    socket.addEventListener('close', () => {
      clearInterval(this.pingTimer);
      this.emit('close', { type: 'close' });
      // Jittered exponential backoff, so a restarted server is not hit by every page at once.
      const wait = this.delay * (0.5 + Math.random() / 2);
      this.delay = Math.min(this.delay * 2, MAX_DELAY_MS);
      setTimeout(() => this.connect(), wait);
    });
  }

  emit(type, event) {
    for (const fn of this.handlers.get(type) || []) {
      try { fn(event); } catch (error) { console.error(error); }
    }
  }
}

/** The page's socket. */
export const events = new Events();
