// The "Manage JIT Access Request" page in Chromium, against a stand-in host whose resolver
// answers are the core-made fixtures (tests/browser/fixtures): what it shows, how it checks the
// form, progress, errors and Retry, the keyboard, and Forge's CSP. Needs scripts/build-ui.sh.
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';

import { pageBench } from './support/bench.mjs';
import { screenshot, watchProblems } from './support/browser.mjs';
import { answerByName, fixture, startPageServer } from './support/page-server.mjs';
import { BUILD } from './support/paths.mjs';

const RESULT = 'Approved for 4 hours. EPM has the decision; the note and status are on the issue.';

const bench = pageBench(BUILD);

/** Resolver answers by name; a function gets the call and may delay. */
let answers;
beforeEach(() => {
  answers = answerByName(bench.server, { 'epm.request': () => fixture('request-pending') });
});

/** Opens the page in a new tab; resolves to {page, problems, closes} once the request shows.
 * `clock`: the page's timers are Playwright's fake clock, which the test moves on. */
async function open({ waitFor = '#request:not([hidden]), #notice:not([hidden])', clock = false } = {}) {
  const page = await bench.browser.context.newPage();
  const problems = await watchProblems(page);
  if (clock) await page.clock.install();
  // The page closes by posting to its parent; opened alone, its parent is itself.
  await page.addInitScript(() => {
    window.__closes = [];
    window.addEventListener('message', (event) => window.__closes.push(event.data));
  });
  await page.goto(bench.server.pageUrl());
  await page.locator(waitFor).first().waitFor();
  return { page, problems, closes: () => page.evaluate(() => window.__closes) };
}

const decideCalls = () => bench.server.state.calls.filter((c) => c.functionKey === 'epm.decide');
const requestCalls = () => bench.server.state.calls.filter((c) => c.functionKey === 'epm.request');

/** Chooses Approve for 4 hours with a message, by mouse. */
async function approveFourHours(page) {
  await page.getByLabel('Approve').check();
  await page.getByLabel('Unit').selectOption('hours');
  await page.getByLabel('Number of hours').selectOption('4');
  await page.getByLabel(/Message/).fill('OK for the quarterly update');
}

describe('Manage JIT Access Request page', () => {
  test('shows a pending request with its facts, state and technical details', async () => {
    const { page, problems } = await open();
    assert.equal(await page.locator('#issue-key').textContent(), 'PMCJIT-1');
    assert.equal(await page.locator('#state-label').textContent(), 'Pending decision');
    assert.match(await page.locator('#state-label').getAttribute('class'), /lozenge-pending/);
    const facts = await page.locator('#facts .fact').evaluateAll((rows) =>
      rows.map((row) => [row.querySelector('dt').textContent, row.querySelector('dd').textContent]),
    );
    assert.deepEqual(facts, [
      ['Requested by', 'CORP\\bob'],
      ['Application', 'Tax Reporting Suite'],
      ['File path', 'C:\\Users\\bob\\Downloads\\TaxSuiteSetup-4.2.1.exe'],
      ['Publisher', 'Example Tax Software Ltd'],
      ['Host name', 'FIN-LT-0042'],
      ['Reason', 'Need to install the quarterly tax reporting update for the finance team'],
      ['Requested at', '2026-11-23T09:14:05.123Z'],
    ]);
    // Technical details are there on demand only.
    const sha = page.getByText('9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08');
    assert.equal(await sha.isVisible(), false);
    await page.locator('#details summary').click();
    assert.equal(await sha.isVisible(), true);
    const groups = await page.locator('.detail-title').allTextContents();
    assert.ok(groups.length >= 2 && new Set(groups).size === groups.length, `groups once each: ${groups}`);
    // The form: nothing chosen, no duration before Approve, counter from the core's limit.
    assert.equal(await page.getByLabel('Approve').isChecked(), false);
    assert.equal(await page.locator('#duration').isVisible(), false);
    assert.equal(await page.locator('#message-counter').textContent(), '0 / 1000');
    assert.equal(await page.getByLabel(/Message/).getAttribute('maxlength'), '1000');
    await page.getByLabel('Approve').check();
    assert.deepEqual(await page.getByLabel('Unit').locator('option').allTextContents(), [
      'Once',
      'Hours',
      'Days',
      'Months',
    ]);
    assert.equal(await page.locator('#count-control').isVisible(), false, 'Once takes no count');
    await page.getByLabel('Unit').selectOption('days');
    assert.equal(await page.getByLabel('Number of days').locator('option').count(), 31);
    await page.getByLabel('Unit').selectOption('months');
    assert.equal(await page.getByLabel('Number of months').locator('option').count(), 12);
    await page.getByLabel(/Message/).fill('Grüße');
    assert.equal(await page.locator('#message-counter').textContent(), '5 / 1000');
    // The local bridge sends the issue from the URL as Forge's context would.
    assert.deepEqual(bench.server.state.calls[0].context, {
      extension: { type: 'jira:issueAction', issue: { key: 'PMCJIT-1' } },
    });
    assert.equal(bench.server.state.calls[0].contentType, 'application/json');
    await screenshot(page, 'page-pending-request');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('says why a request cannot be decided instead of offering the form', async () => {
    for (const [name, expected] of [
      ['request-self-approval', 'You asked for this access, so someone else has to decide it.'],
      ['request-approved', /already decided: Approved by Alice Approver/],
    ]) {
      answers['epm.request'] = () => fixture(name);
      const { page, problems, closes } = await open();
      assert.match(await page.locator('#notice-title').textContent(), new RegExp(expected.source ?? expected));
      assert.equal(await page.locator('#decision-form').isVisible(), false, name);
      assert.equal(await page.locator('#request').isVisible(), true, 'the request is still shown');
      if (name === 'request-approved') {
        assert.match(await page.locator('#state-label').textContent(), /^Approved until /);
        await screenshot(page, 'page-already-decided');
      }
      await page.getByRole('button', { name: 'Close' }).click();
      await page.waitForFunction(() => window.__closes.length > 0);
      assert.deepEqual(await closes(), [{ type: 'pam-approvals:close', refresh: false }]);
      assert.deepEqual(problems, []);
      await page.close();
    }
    answers['epm.request'] = () => fixture('request-not-epm');
    const { page } = await open();
    assert.match(await page.locator('#notice-title').textContent(), /PMCJIT-9 is not an EPM access request/);
    assert.equal(await page.getByRole('button', { name: 'Retry' }).isVisible(), false, 'nothing to retry');
    assert.equal(await page.locator('#request').isVisible(), false);
    await page.close();
  });

  test('shows field errors next to their fields: the core checks before sending, the resolver after', async () => {
    const { page, problems } = await open();
    await page.getByRole('button', { name: 'Submit decision' }).click();
    assert.equal(await page.locator('#decision-error').textContent(), 'choose Approve or Deny');
    assert.equal(await page.getByLabel('Approve').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'decision-approve', 'focus on the field');
    assert.equal(decideCalls().length, 0, 'an invalid form is not sent');

    answers['epm.decide'] = () => fixture('decide-invalid');
    await approveFourHours(page);
    assert.equal(await page.locator('#decision-error').isVisible(), false, 'choosing clears the error');
    await page.getByRole('button', { name: 'Submit decision' }).click();
    await page.locator('#duration-error:not([hidden])').waitFor();
    assert.equal(await page.locator('#duration-error').textContent(), 'hours must be 1 to 24');
    assert.equal(await page.locator('#message-error').textContent(), 'the message contains control characters');
    assert.equal(await page.getByLabel(/Message/).getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('#notice-title').textContent(), 'Some fields need attention.');
    assert.equal(await page.getByRole('button', { name: 'Retry' }).isVisible(), false, 'fix, not retry');
    await screenshot(page, 'page-field-errors');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('shows progress while the decision is being sent, then the result', async () => {
    let release;
    const released = new Promise((resolve) => {
      release = resolve;
    });
    answers['epm.decide'] = async () => {
      await released;
      return fixture('decide-approved');
    };
    const { page, problems, closes } = await open();
    await approveFourHours(page);
    await page.getByRole('button', { name: 'Submit decision' }).click();
    const submit = page.locator('#submit');
    await page.locator('#busy:not([hidden])').waitFor();
    assert.equal(await submit.isDisabled(), true);
    assert.equal(await submit.textContent().then((t) => t.trim()), 'Sending decision to EPM…');
    assert.equal(await page.locator('#submit-spinner').isVisible(), true);
    assert.equal(await page.locator('#busy-text').textContent(), 'Sending decision to EPM…');
    assert.equal(await page.getByLabel(/Message/).isDisabled(), true, 'the form is frozen');
    assert.equal(await page.locator('#decision-form').getAttribute('aria-busy'), 'true');
    await screenshot(page, 'page-sending');
    assert.deepEqual(decideCalls()[0].payload, {
      decision: 'approve',
      duration: { unit: 'hours', count: 4 },
      message: 'OK for the quarterly update',
    });

    release();
    await page.locator('.notice-success').waitFor();
    assert.equal(await page.locator('#notice').innerText().then((t) => t.replace(/\s+/g, ' ').trim()), RESULT);
    assert.equal(await page.locator('#busy').isVisible(), false);
    assert.equal(await page.locator('#decision-form').isVisible(), false);
    assert.match(await page.locator('#state-label').textContent(), /^Approved until 2026-11-23 13:20 UTC$/);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'notice', 'focus moves to the result');
    await screenshot(page, 'page-result');
    await page.getByRole('button', { name: 'Close' }).click();
    await page.waitForFunction(() => window.__closes.length > 0);
    assert.deepEqual(await closes(), [{ type: 'pam-approvals:close', refresh: true }]);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('a decision on its way to EPM says so, and the page shows it once it lands, without a reload', async () => {
    // The first check comes 3 s after the answer that says `sending` (ui/src/polling.rs); the
    // fake clock jumps there instead of waiting.
    const replies = [fixture('request-sending'), fixture('request-approved')];
    answers['epm.request'] = () => replies.shift() ?? fixture('request-approved');
    const { page, problems, closes } = await open({ clock: true });
    await page.locator('#notice-title', { hasText: 'Sending the decision to EPM…' }).waitFor();
    const notice = () => page.locator('#notice').innerText().then((t) => t.replace(/\s+/g, ' ').trim());
    assert.match(await notice(), /Alice Approver approved this request; EPM has not confirmed it yet/);
    assert.match(await notice(), /This page updates by itself when EPM confirms it\.$/);
    assert.equal(await page.locator('#decision-form').isVisible(), false, 'nothing else can be sent meanwhile');
    assert.equal(await page.getByRole('button', { name: 'Close' }).isVisible(), true);
    assert.equal(await page.locator('#state-label').textContent(), 'Pending decision');
    assert.equal(requestCalls().length, 1, 'no check before the first wait');
    await screenshot(page, 'page-sending-to-epm');

    await page.clock.fastForward(3_000);
    await page.locator('.notice-success').waitFor();
    assert.equal(await notice(), 'Approved for 4 hours. EPM confirmed the decision.');
    assert.match(await page.locator('#state-label').textContent(), /^Approved until 2026-11-23 13:20 UTC$/);
    assert.equal(requestCalls().length, 2);
    // Landed: no more checks.
    await page.clock.fastForward(60_000);
    await new Promise((resolve) => setTimeout(resolve, 300)); // time for a stray call to arrive
    assert.equal(requestCalls().length, 2, 'no check once the decision is shown');
    await screenshot(page, 'page-sending-landed');
    await page.getByRole('button', { name: 'Close' }).click();
    await page.waitForFunction(() => window.__closes.length > 0);
    assert.deepEqual(await closes(), [{ type: 'pam-approvals:close', refresh: true }]);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('an EPM failure says so and Retry sends the same decision again', async () => {
    const replies = [fixture('decide-epm-failed'), fixture('decide-approved')];
    answers['epm.decide'] = () => replies.shift();
    const { page, problems } = await open();
    await approveFourHours(page);
    await page.getByRole('button', { name: 'Submit decision' }).click();
    await page.locator('.notice-error').waitFor();
    assert.equal(
      await page.locator('#notice-title').textContent(),
      'EPM refused the decision (HTTP 503): Service Unavailable. Nothing was recorded; you can try again.',
    );
    assert.equal(await page.locator('#decision-form').isVisible(), true, 'the form stays');
    await screenshot(page, 'page-epm-failed');
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.locator('.notice-success').waitFor();
    assert.equal(decideCalls().length, 2);
    assert.deepEqual(decideCalls()[1].payload, decideCalls()[0].payload);
    assert.equal(await page.getByRole('button', { name: 'Retry' }).isVisible(), false);

    // A call that fails outright (the host answers 500) can be retried too.
    answers['epm.request'] = () => ({ status: 502, body: { error: 'Jira is down' } });
    const second = await open();
    assert.equal(await second.page.locator('#notice-title').textContent(), 'The request could not be loaded.');
    assert.match(await second.page.locator('#notice-lines').textContent(), /Jira is down \(HTTP 502\)/);
    answers['epm.request'] = () => fixture('request-pending');
    await second.page.getByRole('button', { name: 'Retry' }).click();
    await second.page.locator('#request:not([hidden])').waitFor();
    // The 502 itself is logged by Chromium as a failed resource; nothing else may be.
    assert.deepEqual(
      second.problems.filter((p) => !p.startsWith('HTTP 502')),
      [],
    );
    assert.deepEqual(problems, []);
    await page.close();
    await second.page.close();
  });

  test('can be used with the keyboard alone', async () => {
    answers['epm.decide'] = () => fixture('decide-approved');
    const { page, problems, closes } = await open();
    const focused = () => page.evaluate(() => document.activeElement.id || document.activeElement.tagName);
    // Tab order: details summary, then the radio group.
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'SUMMARY');
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('#details').getAttribute('open'), '', 'Enter opens the details');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'decision-approve');
    await page.keyboard.press('Space');
    assert.equal(await page.getByLabel('Approve').isChecked(), true);
    // The focus ring is visible.
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.equal(outline, 'solid');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'duration-unit');
    await page.keyboard.type('H'); // type-ahead picks "Hours"
    assert.equal(await page.getByLabel('Unit').inputValue(), 'hours');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'duration-count');
    await page.keyboard.type('4');
    assert.equal(await page.locator('#duration-count').inputValue(), '4');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'message');
    await page.keyboard.type('OK for the quarterly update');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'submit');
    await screenshot(page, 'page-keyboard-form');
    await page.keyboard.press('Enter');
    await page.locator('.notice-success').waitFor();
    assert.deepEqual(decideCalls()[0].payload, {
      decision: 'approve',
      duration: { unit: 'hours', count: 4 },
      message: 'OK for the quarterly update',
    });
    assert.equal(await focused(), 'notice');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'close');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.__closes.length > 0);
    assert.deepEqual(await closes(), [{ type: 'pam-approvals:close', refresh: true }]);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('Escape closes the dialog without a refresh', async () => {
    const { page, closes } = await open();
    await page.getByLabel('Deny').focus();
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => window.__closes.length > 0);
    assert.deepEqual(await closes(), [{ type: 'pam-approvals:close', refresh: false }]);
    await page.close();
  });
});

describe('on Forge', () => {
  test('the page calls resolvers and closes through @forge/bridge, not the local host', async () => {
    // Jira injects `window.__bridge`; this stand-in answers as Forge would and records the calls
    // the bundled @forge/bridge makes through it.
    const page = await bench.browser.context.newPage();
    const problems = await watchProblems(page);
    await page.addInitScript(
      ({ pending, approved }) => {
        window.__forgeCalls = [];
        window.__bridge = {
          callBridge: async (name, payload) => {
            window.__forgeCalls.push({ name, payload });
            if (name === 'invoke') return payload.functionKey === 'epm.request' ? pending : approved;
            return true;
          },
        };
      },
      { pending: fixture('request-pending'), approved: fixture('decide-approved') },
    );
    await page.goto(bench.server.pageUrl());
    await page.locator('#request:not([hidden])').waitFor();
    await approveFourHours(page);
    await page.getByRole('button', { name: 'Submit decision' }).click();
    await page.locator('.notice-success').waitFor();
    await page.getByRole('button', { name: 'Close' }).click();
    await page.waitForFunction(() => window.__forgeCalls.some((c) => c.name === 'reload'));
    const calls = await page.evaluate(() => window.__forgeCalls);
    assert.deepEqual(
      calls.map((c) => [c.name, c.payload?.functionKey]),
      [
        ['invoke', 'epm.request'],
        ['invoke', 'epm.decide'],
        ['reload', undefined],
      ],
    );
    assert.deepEqual(calls[1].payload.payload, {
      decision: 'approve',
      duration: { unit: 'hours', count: 4 },
      message: 'OK for the quarterly update',
    });
    assert.equal(bench.server.state.calls.length, 0, 'nothing went to /bridge/invoke');
    assert.deepEqual(problems, []);
    await page.close();
  });
});

describe("Forge's Content-Security-Policy", () => {
  test("the page runs under script-src 'self' 'unsafe-eval' with no console error or violation", async () => {
    answers['epm.decide'] = () => fixture('decide-approved');
    const { page, problems } = await open();
    const response = await page.goto(bench.server.pageUrl());
    assert.match(response.headers()['content-security-policy'], /script-src 'self' 'unsafe-eval';/);
    await page.locator('#request:not([hidden])').waitFor();
    await approveFourHours(page);
    await page.getByRole('button', { name: 'Submit decision' }).click();
    await page.locator('.notice-success').waitFor();
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('without unsafe-eval the WebAssembly is blocked, and the page says it could not start', async () => {
    // Proves the check above bites: this is what a page missing the manifest's permission sees.
    const strict = await startPageServer({ csp: "default-src 'self'; script-src 'self'" });
    const page = await bench.browser.context.newPage();
    const problems = await watchProblems(page);
    await page.goto(strict.pageUrl());
    await page.getByText(/The page could not start/).waitFor();
    assert.ok(
      problems.some((p) => /CSP violation|Content Security Policy|WebAssembly/i.test(p)),
      problems.join('\n'),
    );
    await page.close();
    await strict.close();
  });
});
