// The browser softphone on the agent desktop, through chromium with a fake microphone (a tone
// WAV): log in as an agent, switch the desktop to the browser phone, wait for the peer
// connection, then (the Rust test dials in with SIPp) see the call ring, answer it, check
// audio both ways with getStats (bytes grow each way), hold and resume, transfer to a second
// agent's browser (it rings there, is answered, audio flows), hang up, and save both
// wrap-ups with a disposition. Screenshots of the ringing and on-call desktop.
//
// Env: PLATEAU_HTTP, PLATEAU_USER, PLATEAU_PASSWORD, PLATEAU_USER2, PLATEAU_PASSWORD2,
// PLATEAU_EXTENSION2 (the second agent, the transfer's target), PLATEAU_WAV (the fake microphone),
// PLATEAU_SCREENSHOTS (a directory, or empty for none), PLATEAU_PROCEED (a file the test
// creates once it has read the server's counters), PLATEAU_CHROMIUM, PLATEAU_ARTIFACTS.
// Prints one JSON line per check; exits 1 on a failed check.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

const env = (name, optional = false) => {
  const value = process.env[name];
  if (!value && !optional) { console.error(`${name} is not set`); process.exit(2); }
  return value || '';
};
const base = env('PLATEAU_HTTP');
const screenshots = env('PLATEAU_SCREENSHOTS', true);
const BOUND_MS = 20000;
const RING_BOUND_MS = 90000;

let failed = false;
function report(check, ok, details = {}) {
  console.log(JSON.stringify({ check, ok, ...details }));
  if (!ok) failed = true;
  return ok;
}

const browser = await chromium.launch({
  executablePath: env('PLATEAU_CHROMIUM'),
  args: [
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-audio-capture=${env('PLATEAU_WAV')}`,
    '--autoplay-policy=no-user-gesture-required',
  ],
});
try {
  // One page per agent, each in its own context (its own session cookie).
  async function agentPage(user, password) {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await context.grantPermissions(['microphone'], { origin: base });
    const page = await context.newPage();
    page.on('pageerror', (error) => report('page_error', false, { user, message: String(error) }));
    await page.goto(`${base}/`);
    await page.fill('#login-username', user);
    await page.fill('#login-password', password);
    await Promise.all([page.waitForURL((url) => url.pathname !== '/', { timeout: BOUND_MS }), page.click('#login-submit')]);
    if (new URL(page.url()).pathname !== '/agent') await page.goto(`${base}/agent`);
    report('logged_in', true, { user, at: new URL(page.url()).pathname });
    await page.waitForSelector('#phone-mode', { timeout: BOUND_MS });
    await page.selectOption('#phone-mode', 'browser');
    await page.waitForFunction(() => window.plateauSoftphone && window.plateauSoftphone.pc
      && window.plateauSoftphone.pc.connectionState === 'connected', null, { timeout: BOUND_MS });
    report('phone_ready', true, { user });
    return page;
  }
  const stats = (p) => p.evaluate(() => window.plateauSoftphone.stats());
  /** Waits until getStats shows bytes growing both ways on page `p`. */
  async function audioFlows(p) {
    const first = await stats(p);
    let later = first;
    const deadline = Date.now() + BOUND_MS;
    while (Date.now() < deadline) {
      await p.waitForTimeout(500);
      later = await stats(p);
      if (later.inboundBytes > first.inboundBytes && later.outboundBytes > first.outboundBytes) break;
    }
    return { ok: later.inboundBytes > first.inboundBytes && later.outboundBytes > first.outboundBytes, first, later };
  }
  async function wrapUp(p, user) {
    await p.waitForSelector('#wrapup:not([hidden])', { timeout: BOUND_MS });
    const options = await p.$$eval('#disposition option', (nodes) => nodes.map((n) => n.value).filter((v) => v));
    if (options.length) await p.selectOption('#disposition', options[0]);
    await p.fill('#wrapup-notes', `Browser phone test call (${user})`);
    await p.click('#wrapup-save');
    await p.waitForSelector('#wrapup', { state: 'hidden', timeout: BOUND_MS });
    report('wrapup_saved', true, { user, disposition: options[0] || null });
  }

  const page = await agentPage(env('PLATEAU_USER'), env('PLATEAU_PASSWORD'));
  const second = await agentPage(env('PLATEAU_USER2'), env('PLATEAU_PASSWORD2'));

  // The Rust side sees the session connected and dials in.
  await page.waitForSelector('#incoming:not([hidden])', { timeout: RING_BOUND_MS });
  const number = await page.textContent('#incoming-number');
  report('ringing', true, { number });
  if (screenshots) await page.screenshot({ path: `${screenshots}/agent-desktop-ringing.png` });

  await page.click('#answer');
  await page.waitForSelector('#call-panel:not([hidden])', { timeout: BOUND_MS });
  const interaction = await page.getAttribute('#call-panel', 'data-interaction');
  report('answered', true, { interaction });

  // Audio both ways: getStats bytes grow in each direction.
  const audio = await audioFlows(page);
  report('audio_both_ways', audio.ok, audio);
  if (screenshots) await page.screenshot({ path: `${screenshots}/agent-desktop-on-call.png` });

  // The Rust test reads the server's counters of the call, then lets the page go on.
  const proceed = env('PLATEAU_PROCEED');
  const waitUntil = Date.now() + 60000;
  while (!existsSync(proceed) && Date.now() < waitUntil) await page.waitForTimeout(200);
  report('server_checked', existsSync(proceed));

  await page.click('#hold');
  await page.waitForSelector('#hold[aria-pressed="true"]', { timeout: BOUND_MS });
  report('held', true);
  await page.click('#hold');
  await page.waitForSelector('#hold[aria-pressed="false"]', { timeout: BOUND_MS });
  report('resumed', true);

  // Blind transfer to the second agent's browser: it rings there, the first agent wraps up.
  await page.fill('#transfer-target', env('PLATEAU_EXTENSION2'));
  await page.click('#transfer');
  await second.waitForSelector('#incoming:not([hidden])', { timeout: BOUND_MS });
  report('transfer_rings_second', true);
  await wrapUp(page, env('PLATEAU_USER'));
  await second.click('#answer');
  await second.waitForSelector('#call-panel:not([hidden])', { timeout: BOUND_MS });
  const audio2 = await audioFlows(second);
  report('second_audio_both_ways', audio2.ok, audio2);

  await second.click('#hangup');
  report('hung_up', true);
  await wrapUp(second, env('PLATEAU_USER2'));
} catch (error) {
  report('script', false, { message: String(error && error.message || error) });
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
