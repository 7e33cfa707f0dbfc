// The wallboard through chromium: log in on the login page as the demo admin, open
// /wallboard, wait until the queue's figures equal the expected ones (the page updates from
// the events socket each second), check it updates by itself and is accessible, and take a
// screenshot.
//
// Env: PLATEAU_HTTP (http://127.0.0.1:port), PLATEAU_USER, PLATEAU_PASSWORD, PLATEAU_QUEUE,
// PLATEAU_EXPECTED (JSON: figure name -> raw value), PLATEAU_SCREENSHOT (png path),
// PLATEAU_CHROMIUM, PLATEAU_ARTIFACTS. Prints one JSON line per check; exits 1 on a failure.
import { chromium } from 'playwright-core';

const env = (name) => {
  const value = process.env[name];
  if (!value) { console.error(`${name} is not set`); process.exit(2); }
  return value;
};
const base = env('PLATEAU_HTTP');
const queue = env('PLATEAU_QUEUE');
const expected = JSON.parse(env('PLATEAU_EXPECTED'));
const BOUND_MS = 20000;

function report(check, ok, details) {
  console.log(JSON.stringify({ check, ok, ...details }));
  if (!ok) failed = true;
}
let failed = false;

const browser = await chromium.launch({ executablePath: env('PLATEAU_CHROMIUM') });
try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  page.on('pageerror', (error) => report('page_error', false, { message: String(error) }));

  await page.goto(`${base}/`);
  await page.fill('#login-username', env('PLATEAU_USER'));
  await page.fill('#login-password', env('PLATEAU_PASSWORD'));
  await Promise.all([page.waitForURL((url) => url.pathname !== '/', { timeout: BOUND_MS }), page.click('#login-submit')]);
  report('logged_in', true, { at: new URL(page.url()).pathname });

  await page.goto(`${base}/wallboard`);
  const tile = `[data-queue="${queue}"]`;
  await page.waitForSelector(`${tile} [data-figure="offered"]`, { timeout: BOUND_MS });

  const read = () => page.$$eval(`${tile} [data-figure]`, (nodes) =>
    Object.fromEntries(nodes.map((n) => [n.dataset.figure, { value: n.dataset.value, text: n.textContent }])));
  const matches = (shown) => Object.entries(expected).every(([name, want]) => {
    const got = shown[name];
    if (!got) return false;
    if (want === null) return got.value === '';
    return Math.abs(Number(got.value) - Number(want)) < 1e-6;
  });
  let shown = await read();
  const deadline = Date.now() + BOUND_MS;
  while (!matches(shown) && Date.now() < deadline) {
    await page.waitForTimeout(250);
    shown = await read();
  }
  report('wallboard_figures', matches(shown), { queue, shown, expected });

  // Updates arrive by themselves, from the events socket: the board's timestamp moves
  // without a reload and the last update came from the socket.
  const at = await page.getAttribute('#wallboard', 'data-at');
  const moved = await page.waitForFunction(
    (before) => {
      const board = document.querySelector('#wallboard');
      return board.dataset.at !== before && board.dataset.source === 'socket';
    }, at, { timeout: BOUND_MS },
  ).then(() => true, () => false);
  report('wallboard_updates_itself', moved, {});

  const live = await page.getAttribute('#wallboard', 'aria-live');
  const labelled = await page.$$eval(`${tile} dd[data-figure]`, (nodes) =>
    nodes.every((n) => n.previousElementSibling && n.previousElementSibling.tagName === 'DT' && n.previousElementSibling.textContent.trim() !== ''));
  report('wallboard_accessible', live === 'polite' && labelled, { live, labelled });

  await page.screenshot({ path: env('PLATEAU_SCREENSHOT'), fullPage: true });
  report('screenshot', true, { path: env('PLATEAU_SCREENSHOT') });

  // The supervisor's page shows the same queue row, the agent table and both charts.
  await page.goto(`${base}/supervisor`);
  const row = `#queue-table tbody tr[data-queue="${queue}"]`;
  await page.waitForSelector(row, { timeout: BOUND_MS });
  await page.waitForSelector('#chart-calls svg', { timeout: BOUND_MS });
  const cells = await page.$$eval(`${row} td`, (tds) => tds.map((td) => td.textContent));
  const agents = await page.$$eval('#agent-table tbody tr', (rows) => rows.length);
  const charts = await page.$$eval('.chart svg', (svgs) => svgs.length);
  const headers = await page.$$eval('#queue-table thead th[scope="col"]', (ths) => ths.length);
  // Columns: waiting, longest wait, offered, answered, abandoned...
  const offeredShown = Number(cells[2]) === Number(expected.offered);
  report('supervisor_page', offeredShown && agents > 0 && charts === 2 && headers === cells.length + 1,
    { cells, agents, charts, headers });
  const supervisorShot = env('PLATEAU_SCREENSHOT').replace(/wallboard\.png$/, 'floor.png');
  await page.screenshot({ path: supervisorShot, fullPage: true });
} catch (error) {
  report('script', false, { message: String(error) });
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
