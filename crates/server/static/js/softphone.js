// The browser softphone: one RTCPeerConnection to the server's WebRTC↔SIP gateway, made once
// after login and kept for every call (answering is instant), signalled over the events socket.
//
//   import { Softphone } from '/static/js/softphone.js';
//   const phone = new Softphone();
//   phone.addEventListener('ringing', (e) => show(e.detail.from, e.detail.interaction));
//   await phone.connect(events);          // the page's events socket (events.js)
//   phone.answer(); phone.hold(true); phone.mute(true); phone.dtmf('5'); phone.hangup();
//   const { inboundBytes, outboundBytes } = await phone.stats();
//
// Frames sent: rtc_offer {sdp} (non-trickle: after ICE gathering completes), phone_answer,
// phone_hangup, phone_hold {on}, phone_dtmf {digit}, rtc_close. Frames received: rtc_answer
// {sdp, ice_servers}, phone_ringing {interaction, from, queue}, phone_connected {interaction},
// phone_ended {interaction, reason}, phone_closed {reason}, phone_error {message}.
// Events dispatched (CustomEvent, the frame in `detail`): ready, ringing, connected, ended,
// closed, error. The ICE servers (STUN/TURN) come from GET /api/v1/webphone/config.

const GATHERING_LIMIT_MS = 3000;
const RETRY_MS = 2000;

export class Softphone extends EventTarget {
  constructor({ audio } = {}) {
    super();
    this.events = null;
    this.pc = null;
    this.local = null;
    this.call = null;
    this.closing = false;
    this.audio = audio || Softphone.audioElement();
  }

  /** The hidden `<audio>` the caller is heard through. */
  static audioElement() {
    let audio = document.getElementById('softphone-audio');
    if (!audio) {
      audio = document.createElement('audio');
      audio.id = 'softphone-audio';
      audio.autoplay = true;
      audio.hidden = true;
      document.body.appendChild(audio);
    }
    return audio;
  }

  /** Starts the phone on `events` (an object with `on(type, fn)` and `send(frame)`). */
  async connect(events) {
    this.events = events;
    events.on('rtc_answer', (frame) => this.accept(frame));
    events.on('phone_ringing', (frame) => {
      this.call = { interaction: frame.interaction, from: frame.from, queue: frame.queue, state: 'ringing' };
      this.emit('ringing', frame);
    });
    events.on('phone_connected', (frame) => {
      if (this.call) this.call.state = 'connected';
      this.emit('connected', frame);
    });
    events.on('phone_ended', (frame) => {
      this.call = null;
      this.emit('ended', frame);
    });
    events.on('phone_error', (frame) => this.emit('error', frame));
    events.on('phone_closed', (frame) => {
      this.teardown();
      this.emit('closed', frame);
      // Replaced by another tab: that one has the phone now.
      if (frame.reason !== 'replaced' && !this.closing) setTimeout(() => this.start(), RETRY_MS);
    });
    // A new socket is a new session on the server: make a new peer connection.
    events.on('open', () => this.start());
    if (events.connected) await this.start();
  }

  /** Makes the peer connection and sends its complete offer. */
  async start() {
    if (!this.events) return;
    this.teardown();
    try {
      const config = await fetch('/api/v1/webphone/config', { credentials: 'same-origin' })
        .then((r) => (r.ok ? r.json() : { enabled: true, ice_servers: [] }));
      if (config.enabled === false) {
        this.emit('error', { type: 'phone_error', message: 'the browser phone is off' });
        return;
      }
      if (!this.local) this.local = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
      const pc = new RTCPeerConnection({ iceServers: config.ice_servers || [] });
      this.pc = pc;
      for (const track of this.local.getAudioTracks()) pc.addTrack(track, this.local);
      pc.addEventListener('track', (event) => {
        this.audio.srcObject = event.streams[0] || new MediaStream([event.track]);
        const playing = this.audio.play();
        if (playing && playing.catch) playing.catch(() => {});
      });
      pc.addEventListener('connectionstatechange', () => {
        if (pc.connectionState === 'connected') this.emit('ready', { type: 'ready' });
      });
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc);
      this.events.send({ type: 'rtc_offer', sdp: pc.localDescription.sdp });
    } catch (failure) {
      this.emit('error', { type: 'phone_error', message: failure.message });
    }
  }

  async accept(frame) {
    if (!this.pc) return;
    try {
      await this.pc.setRemoteDescription({ type: 'answer', sdp: frame.sdp });
    } catch (failure) {
      this.emit('error', { type: 'phone_error', message: failure.message });
    }
  }

  answer() { this.send({ type: 'phone_answer' }); }
  hangup() { this.send({ type: 'phone_hangup' }); }
  hold(on) { this.send({ type: 'phone_hold', on: !!on }); }
  dtmf(digit) { this.send({ type: 'phone_dtmf', digit: String(digit) }); }

  /** Mutes the microphone here (the track sends silence); the server is not asked. */
  mute(on) {
    for (const track of (this.local ? this.local.getAudioTracks() : [])) track.enabled = !on;
  }

  /** Closes the phone (logout). */
  close() {
    this.closing = true;
    this.send({ type: 'rtc_close' });
    this.teardown();
  }

  /** Audio bytes and packets each way, from `getStats()`. */
  async stats() {
    const totals = { inboundBytes: 0, outboundBytes: 0, inboundPackets: 0, outboundPackets: 0 };
    if (!this.pc) return totals;
    const report = await this.pc.getStats();
    report.forEach((s) => {
      if (s.kind !== 'audio' && s.mediaType !== 'audio') return;
      if (s.type === 'inbound-rtp') {
        totals.inboundBytes += s.bytesReceived || 0;
        totals.inboundPackets += s.packetsReceived || 0;
      } else if (s.type === 'outbound-rtp') {
        totals.outboundBytes += s.bytesSent || 0;
        totals.outboundPackets += s.packetsSent || 0;
      }
    });
    return totals;
  }

  send(frame) {
    if (!this.events || !this.events.send(frame)) throw new Error('not connected to the server');
  }

  teardown() {
    if (this.pc) {
      try { this.pc.close(); } catch { /* already closed */ }
    }
    this.pc = null;
    this.call = null;
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

/** Resolves once ICE gathering is complete (non-trickle), or after a bound. */
function gathered(pc) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      pc.removeEventListener('icegatheringstatechange', check);
      clearTimeout(timer);
      resolve();
    };
    const check = () => { if (pc.iceGatheringState === 'complete') done(); };
    const timer = setTimeout(done, GATHERING_LIMIT_MS);
    pc.addEventListener('icegatheringstatechange', check);
  });
}

// ---- the page's phone (what the agent desktop imports) -----------------------------------

let phone = null;

/** Starts the page's phone on the page's events socket; the phone is also `window.plateauSoftphone`. */
export async function start({ events }) {
  if (!phone) {
    phone = new Softphone();
    window.plateauSoftphone = phone;
    await phone.connect(events);
  }
  return phone;
}

function current() {
  if (!phone) throw new Error('the browser phone is not started');
  return phone;
}

export const answer = () => current().answer();
export const hangup = () => current().hangup();
export const hold = (on) => current().hold(on);
export const mute = (on) => current().mute(on);
export const dtmf = (digit) => current().dtmf(digit);
export const stats = () => current().stats();
