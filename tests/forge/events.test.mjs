// Deciding the Jira way through the real bundle: the trigger's handler (`issueUpdated`, function
// `issue-updated-fn`) given the issue-updated event the sandbox Jira made, as Forge delivers it,
// does what the local host does with the same event from its own sandbox: the requester's move
// is moved back with a note and nothing reaches EPM; an approver's move sends the decision to
// EPM and records it. Each host has its own sandboxes; the bundle's Jira calls go to a second
// local host's sandbox Jira, whose event log gives the bundle its events.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { sendSampleToBoth, startParity } from './support/parity.mjs';
import { epmDecisions, sandboxIssues } from './support/sandbox.mjs';

const ISSUE = 'PMCJIT-1';
const APPROVE = '11';

/** `email` (a seeded person, password "sandbox") moves ISSUE with `transition` on `host`'s
 * sandbox Jira. */
async function move(host, email, transition) {
  const response = await fetch(`${host.jiraBase}/rest/api/3/issue/${ISSUE}/transitions`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Authorization: `Basic ${Buffer.from(`${email}:sandbox`).toString('base64')}`,
    },
    body: JSON.stringify({ transition: { id: transition } }),
  });
  assert.equal(response.status, 204, await response.text());
}

/** The newest event in `host`'s sandbox Jira event log. */
async function newestEvent(host) {
  const response = await fetch(`${host.jiraBase}/_sandbox/events`);
  assert.equal(response.status, 200);
  const events = await response.json();
  assert.ok(events.length > 0, 'the move made an event');
  return events[events.length - 1];
}

/** Waits until the local host's issue has `notes` comments (its event worker is asynchronous). */
async function localNotes(local, notes) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const issue = (await sandboxIssues(local)).find((i) => i.key === ISSUE);
    if (issue.comments.length >= notes) return issue;
    assert.ok(Date.now() < deadline, `the local host did not record the event: ${JSON.stringify(issue)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('issue-updated events on the Forge bundle and on the local host', () => {
  const outDir = mkdtempSync(path.join(tmpdir(), 'pam-forge-events-'));
  let local;
  let forgeSide;
  let app;
  let stop;

  before(async () => {
    ({ local, forgeSide, app, stop } = await startParity(outDir));
  });
  after(async () => {
    await stop?.();
    rmSync(outDir, { recursive: true, force: true });
  });

  /** The bundle's handler for the newest event of the Forge side's sandbox: its return value. */
  async function deliverToBundle(t) {
    const event = await newestEvent(forgeSide);
    const logged = [];
    const log = t.mock.method(console, 'log', (...args) => logged.push(args.join(' ')));
    try {
      return { result: await app.issueUpdated(event, { installContext: 'ari:cloud:jira::site/x' }), logged };
    } finally {
      log.mock.restore();
    }
  }

  test('set-up: the webhook creates PMCJIT-1 on both hosts', async () => {
    const { local: sent, forge: created } = await sendSampleToBoth({ local, app });
    assert.equal(sent.status, 201, await sent.text());
    assert.equal(created.statusCode, 201, created.body);
  });

  test('the requester moving it to Approved is moved back with a note, on both hosts; EPM gets nothing', async (t) => {
    await move(local, 'bob@example.com', APPROVE);
    await move(forgeSide, 'bob@example.com', APPROVE);
    const { result, logged } = await deliverToBundle(t);
    assert.equal(result, undefined, 'handled: no redelivery asked');
    assert.equal(logged.length, 1, logged.join('\n'));
    assert.match(logged[0], /"result":"moved-back"/);
    const localIssue = await localNotes(local, 1);
    const forgeIssue = (await sandboxIssues(forgeSide)).find((i) => i.key === ISSUE);
    assert.deepEqual(forgeIssue, localIssue);
    assert.equal(forgeIssue.fields.status.name, 'Open');
    assert.match(forgeIssue.comments[0].plainText, /Not sent to EPM: Bob Requester moved this request/);
    assert.deepEqual([await epmDecisions(local), await epmDecisions(forgeSide)], [[], []]);
  });

  test("an approver's move is the decision: EPM has it and the issue records it, the same on both hosts", async (t) => {
    await move(local, 'alice@example.com', APPROVE);
    await move(forgeSide, 'alice@example.com', APPROVE);
    const { result, logged } = await deliverToBundle(t);
    assert.equal(result, undefined);
    assert.match(logged.join('\n'), /"result":"decided"/);
    const localIssue = await localNotes(local, 2);
    const forgeIssue = (await sandboxIssues(forgeSide)).find((i) => i.key === ISSUE);
    assert.deepEqual(forgeIssue, localIssue);
    assert.equal(forgeIssue.fields.status.name, 'Approved');
    const decision = forgeIssue.properties['pam-approvals.epm'].decision;
    assert.equal(decision.source, 'transition');
    assert.equal(decision.decidedBy.displayName, 'Alice Approver');
    const [localSent, forgeSent] = [await epmDecisions(local), await epmDecisions(forgeSide)];
    assert.equal(forgeSent.length, 1);
    assert.deepEqual(masked(forgeSent), masked(localSent));
    assert.equal(forgeSent[0].decision, 'Approved');
  });

  test('the same event delivered again changes nothing', async (t) => {
    const before = await sandboxIssues(forgeSide);
    const { result, logged } = await deliverToBundle(t);
    assert.equal(result, undefined);
    assert.deepEqual(logged, [], 'an ignored event is not logged');
    assert.deepEqual(await sandboxIssues(forgeSide), before);
    assert.equal((await epmDecisions(forgeSide)).length, 1);
  });
});

/** EPM decision bodies without what differs by nature between two hosts (their ticket URLs). */
function masked(decisions) {
  return decisions.map(({ ticketUrl, decisionTime, ...rest }) => rest);
}
