// End to end on the real local host, whose sandbox mode turned Keeper on against the sandbox
// Commander ("Test connection" passes): two sample alerts (`send-sample-keeper` with the alert
// token from the host's storage: the sandbox Commander's pending KEPM request and an SSO device
// request) become issues, and in the sandbox Jira's issue page the "Keeper
// approval" panel (the WebAssembly page in its frame, through POST /bridge/invoke, the core's
// resolvers and the sandbox Commander's request queue) approves the KEPM request and denies the
// device: the sandbox Commander's state shows both decisions and each issue has its note.
// Needs scripts/build-ui.sh; builds the host itself (cargo build -p pam-approvals-host).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { hostBinary, startHost } from '../forge/support/local-host.mjs';
import { launch, screenshot, watchProblems } from './support/browser.mjs';
import { KEEPER_BUILD } from './support/paths.mjs';

const CAROL = '712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000004';
/** What `send-sample-keeper` names by default (host/src/sample_keeper.rs). */
const KEPM_UID = 'hoPd_gmQH1WsmbzgOMSimg';
const DEVICE_EMAIL = 'dave@example.com';
const DEVICE_NAME = 'Chrome on Windows 11';

let browser;
let host;

before(async () => {
  assert.ok(
    existsSync(path.join(KEEPER_BUILD, 'pam_approvals_ui_bg.wasm')),
    `the page is not built (${KEEPER_BUILD}): run scripts/build-ui.sh`,
  );
  host = await startHost();
  browser = await launch();
  await browser.context.addCookies([{ name: 'pam_sandbox_user', value: CAROL, url: host.base }]);
});
after(async () => {
  await browser?.close();
  await host?.stop();
});

/** Calls resolver `functionKey` through the host's bridge as Carol. */
async function invoke(functionKey, payload) {
  const response = await fetch(`${host.base}/bridge/invoke`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Cookie: `pam_sandbox_user=${CAROL}` },
    body: JSON.stringify({ functionKey, payload, context: { extension: { type: 'jira:adminPage' } } }),
  });
  const text = await response.text();
  assert.equal(response.status, 200, `${functionKey}: ${text}`);
  return JSON.parse(text);
}

/** Sandbox mode turned Keeper on against the sandbox Commander: "Test connection" passes. */
async function checkConnection() {
  const checks = await invoke('admin.validate', { section: 'keeper' });
  const connection = checks.checks?.find((c) => c.id === 'keeper-connection');
  assert.equal(connection?.status, 'pass', JSON.stringify(checks));
}

/** Posts a sample alert with `send-sample-keeper` (the token it reads from the host's storage);
 * resolves to the new issue's key. */
function sendSample(kind) {
  const url = `${host.base}/x/keeper-alert`;
  const out = execFileSync(hostBinary(), ['send-sample-keeper', '--url', url, '--kind', kind, '--data-dir', host.dataDir], {
    encoding: 'utf8',
  });
  const answer = JSON.parse(out.slice(out.indexOf('{')));
  assert.ok(answer.issueKey, out);
  return answer.issueKey;
}

async function commanderState() {
  const response = await fetch(`${host.base}/sandbox/keeper/_sandbox/state`);
  assert.equal(response.status, 200);
  return response.json();
}

/** Opens the issue in the sandbox Jira; resolves once its Keeper panel shows the request. */
async function openPanel(key) {
  const page = await browser.context.newPage();
  const problems = await watchProblems(page);
  await page.goto(`${host.jiraBase}/browse/${key}`);
  assert.equal(await page.locator('#keeper-panel').count(), 1, 'the issue page has the Keeper panel');
  const frame = page.frameLocator('iframe.panel-frame');
  await frame.locator('#state-label').filter({ hasText: 'Pending' }).waitFor({ timeout: 30_000 });
  assert.equal(await frame.locator('#issue-key').textContent(), key);
  return { page, frame, problems };
}

/** The issue page's comments, after a reload. */
async function notes(page) {
  await page.reload();
  return page.locator('.comment').allInnerTexts();
}

test('the Keeper panel approves a KEPM request and denies a device request', { timeout: 300_000 }, async () => {
  await checkConnection();

  const kepmKey = sendSample('kepm');
  const kepm = await openPanel(kepmKey);
  assert.equal(await kepm.frame.locator('#request-title').textContent(), 'KEPM elevation request');
  assert.match(await kepm.frame.locator('#countdown-time').textContent(), /^\d{1,2}:\d\d$/);
  await screenshot(kepm.page, 'keeper-e2e-1-kepm', { fullPage: false });
  await kepm.frame.getByRole('button', { name: 'Approve' }).click();
  await kepm.frame.locator('#outcome:not([hidden])').waitFor({ timeout: 60_000 });
  assert.match(await kepm.frame.locator('#outcome').textContent(), /^Approved in Jira by Carol Admin/);
  const approved = (await commanderState()).kepm.find((r) => r.uid === KEPM_UID);
  assert.equal(approved?.status, 'Approved', JSON.stringify(approved));
  await screenshot(kepm.page, 'keeper-e2e-2-kepm-approved', { fullPage: false });
  const kepmNotes = await notes(kepm.page);
  assert.ok(
    kepmNotes.some((n) => /approved in Jira by Carol Admin/.test(n)),
    `a note on ${kepmKey}:\n${kepmNotes.join('\n')}`,
  );
  assert.deepEqual(kepm.problems, []);
  await kepm.page.close();

  const deviceKey = sendSample('device');
  const device = await openPanel(deviceKey);
  assert.equal(await device.frame.locator('#request-title').textContent(), 'SSO device approval request');
  const email = device.frame.locator('#facts .fact', { hasText: 'Email' }).locator('dd');
  assert.equal(await email.textContent(), DEVICE_EMAIL);
  await device.frame.getByRole('button', { name: 'Deny' }).click();
  await device.frame.locator('#outcome:not([hidden])').waitFor({ timeout: 60_000 });
  assert.match(await device.frame.locator('#outcome').textContent(), /^Denied in Jira by Carol Admin/);
  const state = await commanderState();
  const denied = state.devices.find((d) => d.email === DEVICE_EMAIL && d.deviceName === DEVICE_NAME);
  assert.equal(denied?.state, 'denied', JSON.stringify(state.devices));
  await screenshot(device.page, 'keeper-e2e-3-device-denied', { fullPage: false });
  const deviceNotes = await notes(device.page);
  assert.ok(
    deviceNotes.some((n) => /denied in Jira by Carol Admin/.test(n)),
    `a note on ${deviceKey}:\n${deviceNotes.join('\n')}`,
  );
  assert.deepEqual(device.problems, []);
  await device.page.close();
});
