// Drives Debian's firefox-esr over WebDriver BiDi (puppeteer-core) for tests/browser/firefox.py.
//
// Playwright's Python package can only drive its own Firefox build, which cannot be downloaded here, and its
// BiDi channel needs commands that Firefox ESR lacks; puppeteer-core speaks BiDi to the ESR itself. The Python
// side sends one JSON command per line on stdin and reads one JSON answer per line on stdout:
//   {"id": 1, "op": "goto", "args": ["http://127.0.0.1:8000/"]}  ->  {"id": 1, "ok": true, "value": null}
// A failed command answers {"ok": false, "error": "..."}; the browser stays open for the next one.
import readline from 'node:readline';
import puppeteer from 'puppeteer-core';

const executablePath = process.env.FIREFOX || '/usr/bin/firefox-esr';
const browser = await puppeteer.launch({
  browser: 'firefox', executablePath, headless: true, defaultViewport: null,
  // No updates, telemetry or remote settings: the test machine has no route to other hosts.
  extraPrefsFirefox: {
    'app.update.enabled': false, 'browser.shell.checkDefaultBrowser': false,
    'datareporting.policy.dataSubmissionEnabled': false, 'toolkit.telemetry.enabled': false,
    'network.captive-portal-service.enabled': false, 'browser.safebrowsing.malware.enabled': false,
    'browser.safebrowsing.phishing.enabled': false,
    // Firefox ESR's BiDi cannot switch scripts off per page, so a browser without JavaScript is a second browser.
    'javascript.enabled': process.env.FIREFOX_JAVASCRIPT !== '0',
    // One browser serves every test, each with its own data at the same addresses: a page a test before this one
    // saw must never be reused from the HTTP cache (pages may be cached for a minute).
    'browser.cache.disk.enable': false, 'browser.cache.memory.enable': false,
    // A browser of an older engine, for the tests of the fallbacks: the features it lacks, switched off by their prefs
    // (e.g. {"layout.css.details-content.enabled": false} for Firefox before 143).
    ...JSON.parse(process.env.FIREFOX_PREFS || '{}'),
  },
});
let page = await browser.newPage();
const TIMEOUT = 15000;

// `source` is a JavaScript function's text; it runs in the page with the JSON arguments given.
const call = (source, args) => `(${source})(...${JSON.stringify(args ?? [])})`;

const CLICKABLE_POINT = `(selector) => {
  const element = document.querySelector(selector);
  if (!element) throw new Error('no element matches ' + selector);
  element.scrollIntoView({ block: 'center' });
  if (!element.checkVisibility({ visibilityProperty: true })) throw new Error(selector + ' is not visible');
  const box = element.getBoundingClientRect();
  const x = box.left + box.width / 2, y = box.top + box.height / 2;
  const hit = document.elementFromPoint(x, y);
  const labels = element.labels ? [...element.labels] : [];
  if (!hit || !(element.contains(hit) || labels.some((label) => label.contains(hit)))) {
    throw new Error(selector + ' is covered by ' + (hit ? hit.outerHTML.slice(0, 80) : 'nothing'));
  }
  return { x, y };
}`;

// A point is clicked only once htmx is idle and the element has held still for 50 ms, as Playwright waits for an
// element to be stable: a swap that settles between reading the point and clicking it moves what is under the mouse.
const HTMX_IDLE = `() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')`;
async function steadyPoint(selector) {
  const deadline = Date.now() + TIMEOUT;
  let last = null;
  for (;;) {
    const point = await page.evaluate(call(CLICKABLE_POINT, [selector]));
    const idle = await page.evaluate(call(HTMX_IDLE));
    if (idle && last && point.x === last.x && point.y === last.y) return point;
    if (Date.now() > deadline) throw new Error(selector + ' did not hold still within ' + TIMEOUT + ' ms');
    last = idle ? point : null;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const ops = {
  version: () => browser.version(),
  // The size of the page's window, set by the one BiDi command for it: puppeteer's setViewport also asks for a
  // screen orientation, a command Firefox ESR 140 does not know ("unknown command").
  viewport: (width, height) =>
    page.mainFrame().browsingContext.setViewport({ viewport: { width, height }, devicePixelRatio: null }),
  goto: async (url) => { await page.goto(url, { waitUntil: 'load', timeout: TIMEOUT }); },
  // The page's own address: puppeteer's page.url() misses history.pushState in Firefox ESR 140.
  url: () => page.evaluate('location.href'),
  click: async (selector) => {
    // As a user would: the element scrolled into view, visible and not covered, then a real mouse click. Not
    // page.click(), which waits forever in a browser without JavaScript.
    const { x, y } = await steadyPoint(selector);
    await page.mouse.click(x, y);
  },
  type: (selector, text) => page.type(selector, text),
  press: (key) => page.keyboard.press(key),
  evaluate: (source, args) => page.evaluate(call(source, args)),
  waitFor: async (source, args) => {
    // Polled from here rather than with page.waitForFunction, whose poller builds the test with Function(), which
    // the site's Content-Security-Policy blocks in Firefox ESR 140 ("call to Function() blocked by CSP").
    const deadline = Date.now() + TIMEOUT;
    let failure = '';
    // A page replaced while the test runs (a navigation) answers nothing: asked again.
    const test = () => page.evaluate(call(source, args)).catch((error) => { failure = ' (' + error.message + ')'; });
    while (!(await test())) {
      if (Date.now() > deadline) throw new Error('Waiting failed: ' + TIMEOUT + 'ms exceeded' + failure);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  },
  waitForNavigation: async (selector) => {
    // Click and wait for the next page load (a plain link or a GET form without JavaScript).
    const { x, y } = await steadyPoint(selector);
    await Promise.all([page.waitForNavigation({ waitUntil: 'load', timeout: TIMEOUT }), page.mouse.click(x, y)]);
  },
  screenshot: async (path, fullPage) => { await page.screenshot({ path, fullPage: !!fullPage }); },
  newPage: async () => { await page.close(); page = await browser.newPage(); },
};

const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  const { id, op, args } = JSON.parse(line);
  let answer;
  try {
    const value = await ops[op](...(args ?? []));
    answer = { id, ok: true, value: value ?? null };
  } catch (error) {
    answer = { id, ok: false, error: String(error && error.message || error) };
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
}
await browser.close();
