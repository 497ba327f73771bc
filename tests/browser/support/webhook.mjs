// The sample EPM "ticket created" webhook, posted to a local host's web trigger with its
// webhook credentials: how the end-to-end tests make the issue they decide.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { SAMPLE } from './paths.mjs';

/** Posts the sample webhook to `host` (from startHost); resolves to the new issue's key. */
export async function createIssue(host) {
  const response = await fetch(host.webTrigger, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Authorization: `Basic ${Buffer.from(`${host.user}:${host.password}`).toString('base64')}`,
    },
    body: readFileSync(SAMPLE, 'utf8'),
  });
  const text = await response.text();
  assert.equal(response.status, 201, `the webhook was refused: ${text}`);
  return JSON.parse(text).issueKey;
}
