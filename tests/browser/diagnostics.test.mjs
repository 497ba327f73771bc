// End to end on the real local host: the configuration page's Diagnostics. Jira refuses EPM's
// create (a sandbox fault, twice: the delivery's own try and its queued job's), so the delivery
// is answered 502 and the job given up as a dead letter. Carol (a Jira administrator) opens the
// configuration page, shows the diagnostics, sees the failed delivery and the dead letter, and
// clicks "Retry now": the job is queued again, runs, and the issue is made; Refresh shows it done.
// Needs scripts/build-ui.sh; builds the host itself.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { startHost } from '../forge/support/local-host.mjs';
import { launch, screenshot, watchProblems } from './support/browser.mjs';
import { SAMPLE } from './support/paths.mjs';

const CAROL = '712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000004';
const CONFIGURE = '/plugins/servlet/pam-approvals/configure';
const REQUEST_ID = JSON.parse(readFileSync(SAMPLE, 'utf8')).RequestId;

let browser;
let host;

before(async () => {
  host = await startHost();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await host?.stop();
});

async function post(url, body, headers = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

/** `GET /_diagnostics` as Carol, until `done(diagnostics)` holds. */
async function diagnosticsUntil(what, done) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const response = await fetch(`${host.base}/_diagnostics`, {
      headers: { Cookie: `pam_sandbox_user=${encodeURIComponent(CAROL)}` },
    });
    const answer = await response.json();
    assert.equal(response.status, 200, JSON.stringify(answer));
    if (done(answer.diagnostics)) return answer.diagnostics;
    assert.ok(Date.now() < deadline, `${what}: ${JSON.stringify(answer)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test('an admin sees a failed delivery in the diagnostics and retries its dead letter', { timeout: 240_000 }, async () => {
  const fault = { method: 'POST', path: '/rest/api/3/issue', fault: { status: 400 }, times: 2 };
  assert.equal((await post(`${host.jiraBase}/_sandbox/fail`, fault)).status, 200);
  const basic = `Basic ${Buffer.from(`${host.user}:${host.password}`).toString('base64')}`;
  const delivery = await post(host.webTrigger, readFileSync(SAMPLE, 'utf8'), { Authorization: basic });
  assert.equal(delivery.status, 502, delivery.text);
  // The kept body's job is due after its grace period: move the sandbox clock past it.
  assert.equal((await post(`${host.base}/_sandbox/clock`, { advanceMs: 30_000 })).status, 200);
  await diagnosticsUntil('the job given up', (d) => d.dead.length === 1);

  await browser.context.addCookies([{ name: 'pam_sandbox_user', value: CAROL, url: host.base }]);
  const page = await browser.context.newPage();
  const problems = await watchProblems(page);
  await page.goto(`${host.jiraBase}${CONFIGURE}`);
  const frame = page.frameLocator('iframe.admin-frame');
  await frame.locator('#config-form:not([hidden])').waitFor();
  const show = frame.locator('#diagnostics-load');
  assert.equal(await show.textContent(), 'Show diagnostics');
  await show.click();

  const failed = frame.locator('#diagnostics-epm-webhook tbody tr').first();
  await failed.waitFor();
  const cells = await failed.locator('td').allTextContents();
  assert.equal(cells[1], 'ticket created');
  assert.equal(cells[2], REQUEST_ID);
  assert.match(cells[3], /^502 could not create the Jira issue/);
  assert.equal(await failed.getAttribute('class'), 'diagnostics-failed');
  const jobs = await frame.locator('#diagnostics-jobs tbody tr').first().locator('td').allTextContents();
  assert.deepEqual([jobs[1], jobs[2], jobs[3]], ['epm.webhook', REQUEST_ID, 'given up']);
  assert.match(await frame.locator('#diagnostics-pra-ticket').textContent(), /No delivery is listed/);
  const letter = frame.locator('#diagnostics-dead tbody tr').first();
  assert.match(await letter.textContent(), /Jira refused the create/);
  await frame.locator('#diagnostics-dead').scrollIntoViewIfNeeded();
  await screenshot(page, 'diagnostics-dead-letter');

  await letter.getByRole('button', { name: 'Retry now' }).click();
  await frame.locator('#diagnostics-notice:not([hidden])').waitFor();
  assert.match(await frame.locator('#diagnostics-notice-title').textContent(), /Queued again/);
  assert.match(await frame.locator('#diagnostics-dead').textContent(), /No dead letters/);

  // The job runs at once; Refresh until the list shows it done.
  const deadline = Date.now() + 60_000;
  for (;;) {
    await frame.locator('#diagnostics-load:not([disabled])').click();
    await frame.locator('#diagnostics-load:not([disabled])').waitFor();
    const outcome = await frame.locator('#diagnostics-jobs tbody tr').first().locator('td').nth(3).textContent();
    if (outcome === 'done') break;
    assert.ok(Date.now() < deadline, `the retried job is ${outcome}`);
    await page.waitForTimeout(300);
  }
  const all = await (await fetch(`${host.jiraBase}/_sandbox/issues`)).json();
  const issues = Array.isArray(all) ? all : all.issues;
  assert.equal(issues.length, 1, 'the retried job made the issue');
  await screenshot(page, 'diagnostics-retried');
  assert.deepEqual(problems, []);
});
