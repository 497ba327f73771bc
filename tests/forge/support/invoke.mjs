// A page's `invoke(name, payload)` as each host receives it: on Forge, the platform calls the
// resolver function with @forge/resolver's event (the page's context) and the invoking user as
// its principal; on the local host, the page posts to its bridge with the sandbox session cookie.
import { masked } from './sandbox.mjs';

const CLOUD_ID = '7f3c1b9e-0000-4000-8000-00000000c10d';

/** The context Forge gives a jira:issueAction's resolver: the page's extension and more. */
export function issueActionContext(issueKey, extra = {}) {
  return {
    cloudId: CLOUD_ID,
    moduleKey: 'manage-jit-access-request',
    localId: `manage-jit-access-request-${issueKey}`,
    environmentType: 'DEVELOPMENT',
    extension: {
      type: 'jira:issueAction',
      issue: { key: issueKey, type: 'Access Request' },
      project: { key: issueKey.split('-')[0], type: 'service_desk' },
    },
    ...extra,
  };
}

/** The context Forge gives the jira:adminPage's resolver (the app's Configure page). */
export function adminPageContext(extra = {}) {
  return {
    cloudId: CLOUD_ID,
    moduleKey: 'pam-approvals-config',
    localId: 'pam-approvals-config',
    environmentType: 'DEVELOPMENT',
    extension: { type: 'jira:adminPage' },
    ...extra,
  };
}

/**
 * Calls the bundle's resolver handler as Forge does for `accountId`. Resolves to {ok: true,
 * value} or {ok: false, name, message}: the handler threw, and Forge rejects the page's invoke.
 */
export async function forgeInvoke({ platform, handler }, { accountId, name, payload = {}, issueKey, context }) {
  const event = { call: { functionKey: name, payload }, context: context ?? issueActionContext(issueKey) };
  const runtime = { principal: { accountId }, installContext: `ari:cloud:jira::site/${CLOUD_ID}` };
  try {
    return { ok: true, value: await platform.asInvocation(accountId, () => handler(event, runtime)) };
  } catch (error) {
    return { ok: false, name: error.name, message: error.message };
  }
}

/** The same call through the local host's bridge, signed in as `accountId`; same answer shape.
 * Only the context's `extension` crosses: the page sends it, the host sets the rest. */
export async function bridgeInvoke(host, { accountId, name, payload = {}, issueKey, context }) {
  const { extension } = context ?? issueActionContext(issueKey);
  const response = await fetch(host.bridge, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Cookie: `pam_sandbox_user=${encodeURIComponent(accountId)}` },
    body: JSON.stringify({ functionKey: name, payload, context: { extension } }),
  });
  const body = await response.json();
  return response.status === 200 ? { ok: true, value: body } : { ok: false, status: response.status, message: body.error };
}

/** An answer with what differs between two hosts masked (base URLs, times). */
export const comparable = (answer, host) => masked(answer, [host.base]);
