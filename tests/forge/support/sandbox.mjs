// What the local host's sandboxes hold, read through their `/_sandbox/` inspection routes, with
// what differs between two hosts by nature masked (base URLs, times), so two hosts that ran the
// same scenario can be compared with deepEqual.
import assert from 'node:assert/strict';

/** The sandbox configuration the local host applies on its first start (`sandbox_mode::config`
 * in host/src/sandbox_mode.rs, with the sandbox EPM's host and client from
 * sandboxes/src/epm/mod.rs). */
export const EPM_HOST = 'epm.sandbox.test';
/** The sandbox PRA appliance's host name (sandboxes/src/pra/mod.rs). */
export const PRA_HOST = 'pra.sandbox.test';
/** The sandbox Keeper Commander's host name (sandboxes/src/keeper/mod.rs). */
export const KEEPER_HOST = 'keeper.sandbox.test';
export const SANDBOX_CONFIG = {
  enabled: true,
  serviceHostname: EPM_HOST,
  clientId: 'pam-approvals-sandbox-client',
  assigneeName: 'John Doe',
  durationFieldId: 'customfield_10060',
};

const TIME = /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?( UTC|Z|[+-]\d{2}:?\d{2})?/g;
const isEpochMs = (v) => typeof v === 'number' && v > 1e12 && v < 1e13;

/** `value` (JSON-able) with `origins` replaced by <base>, times by <time>, epoch ms by <epoch-ms>. */
export function masked(value, origins = []) {
  let text = JSON.stringify(value);
  for (const origin of origins) text = text.replaceAll(origin, '<base>');
  text = text.replace(TIME, '<time>');
  return JSON.parse(text, (_, v) => (isEpochMs(v) ? '<epoch-ms>' : v));
}

async function inspect(url) {
  const response = await fetch(url);
  assert.equal(response.status, 200, `${url}: ${response.status}`);
  return response.json();
}

/** Every issue of the host's sandbox Jira with its fields, properties and comments, masked. */
export async function sandboxIssues(host) {
  return masked(await inspect(`${host.jiraBase}/_sandbox/issues`), [host.base]);
}

/** The sandbox Jira's request log since its last reset: who called what, and its status. */
export async function jiraRequests(host) {
  const log = await inspect(`${host.jiraBase}/_sandbox/requests`);
  return log.map(({ method, path, query, caller, status }) => ({ method, path, query, caller, status }));
}

export async function resetJiraRequests(host) {
  const response = await fetch(`${host.jiraBase}/_sandbox/requests/reset`, { method: 'POST' });
  assert.equal(response.status, 204);
}

/** The decisions the host's sandbox EPM received, oldest first (their notification bodies). */
export async function epmDecisions(host) {
  const decisions = await inspect(`${host.epmBase}/_sandbox/decisions`);
  return decisions.map((d) => d.notification);
}
