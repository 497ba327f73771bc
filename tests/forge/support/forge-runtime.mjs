// A stand-in for the Forge platform around a `require`d bundle: @forge/api and @forge/kvs send
// every platform call through `global.__forge_fetch__(target, path, init)`. Jira calls go to a
// local host's sandbox Jira: as the app without credentials, as the user with the invoking
// person's sandbox sign-in; KVS lives in memory and answers like the real service (404
// KEY_NOT_FOUND for a missing key, 409 KEY_CONFLICT when FAIL_IF_EXISTS meets a key, 400 for keys
// Forge would refuse). @forge/api's `fetch` is the global fetch, which the Forge runtime replaces
// with its egress proxy: here fetches to the EPM host go to the local host's sandbox EPM.
// @forge/api's `webTrigger.getUrl` is a GraphQL mutation sent as the app to Atlassian's gateway
// (`remote: 'stargate'`, POST /graphql): the stand-in answers `createWebTriggerUrl` with a fixed
// URL for the app's web trigger keys. @forge/events' `Queue.push` is a POST to the same gateway
// (`/webhook/queue/publish/...`): the stand-in keeps each pushed event in `queue.pushed` and
// answers 201, as the service does when it accepted them all. Anything else the bundle asks of
// the platform is recorded as unexpected and fails the call.
import { AsyncLocalStorage } from 'node:async_hooks';

// Forge KVS keys: 1-500 characters of [a-zA-Z0-9:._\s-#], not only whitespace.
const KEY_PATTERN = /^(?!\s+$)[a-zA-Z0-9:._\s\-#]{1,500}$/;
const MAX_VALUE_BYTES = 240 * 1024;

const json = (status, body) =>
  new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });

export class InMemoryKvs {
  values = new Map();
  secrets = new Map();
  calls = [];
  /** FAIL_IF_EXISTS writes refused because the key existed. */
  conflicts = 0;

  handle(path, init) {
    const body = JSON.parse(init?.body ?? '{}');
    this.calls.push({ path, key: body.key, options: body.options });
    const table = path.startsWith('/api/v1/secret/') ? this.secrets : this.values;
    const op = path.replace(/^\/api\/v1\/(secret\/)?/, '');
    if (typeof body.key !== 'string' || !KEY_PATTERN.test(body.key)) {
      return json(400, { code: 'INVALID_KEY', message: `invalid key ${JSON.stringify(body.key)}` });
    }
    switch (op) {
      case 'get':
        return table.has(body.key)
          ? json(200, { key: body.key, value: table.get(body.key) })
          : json(404, { code: 'KEY_NOT_FOUND', message: 'The key was not found' });
      case 'set': {
        if (Buffer.byteLength(JSON.stringify(body.value ?? null)) > MAX_VALUE_BYTES) {
          return json(400, { code: 'VALUE_TOO_LARGE', message: 'value exceeds 240 KiB' });
        }
        if (body.options?.keyPolicy === 'FAIL_IF_EXISTS' && table.has(body.key)) {
          this.conflicts += 1;
          return json(409, { code: 'KEY_CONFLICT', message: 'The key already exists' });
        }
        table.set(body.key, body.value);
        return new Response(null, { status: 204 });
      }
      case 'delete':
        if (!table.delete(body.key)) {
          return json(404, { code: 'KEY_NOT_FOUND', message: 'The key was not found' });
        }
        return new Response(null, { status: 204 });
      default:
        return undefined;
    }
  }
}

/** The sandbox Jira's password for every seeded person (sandboxes/src/jira/seed.rs). */
const SANDBOX_PASSWORD = 'sandbox';
const basic = (email) => `Basic ${Buffer.from(`${email}:${SANDBOX_PASSWORD}`).toString('base64')}`;

/** The app, environment and installation the stand-in platform runs (what @forge/api reads from
 * `__forge_runtime__` to ask for a web trigger URL). */
const APP_ID = '00000000-0000-0000-0000-000000000000';
const ENVIRONMENT_ID = '5e6f7a8b-0000-4000-8000-00000000e1a0';
const CONTEXT_ARI = 'ari:cloud:jira::site/7f3c1b9e-0000-4000-8000-00000000c10d';
/** The URL the stand-in gives for web trigger `epm-webhook`, shaped like Forge's. */
export const WEB_TRIGGER_URL = 'https://7f3c1b9e-0000-4000-8000-00000000c10d.hello.atlassian-dev.net/x1/pamEpmWebhookTestUrl';
/** The manifest's web trigger keys and their URLs on the stand-in platform. */
const WEB_TRIGGERS = {
  'epm-webhook': WEB_TRIGGER_URL,
  'pra-ticket': 'https://7f3c1b9e-0000-4000-8000-00000000c10d.hello.atlassian-dev.net/x1/pamPraTicketTestUrl',
  'keeper-alert': 'https://7f3c1b9e-0000-4000-8000-00000000c10d.hello.atlassian-dev.net/x1/pamKeeperAlertTestUrl',
};

/**
 * The platform's clock as the bundle reads it (the shell answers the component's `now` with
 * `Date.now()`): the real time plus `offsetMs`, so a test can let time pass, e.g. until an
 * approval has expired, without waiting. Only this process's `Date.now` moves; the local hosts
 * keep their own time.
 */
export const clock = {
  offsetMs: 0,
  /** Moves the clock `ms` milliseconds ahead. */
  advance(ms) {
    this.offsetMs += ms;
  },
};
const realNow = Date.now;
Date.now = () => realNow() + clock.offsetMs;

/** The invocation being served: Forge knows whose call it is; `asUser()` acts for that person. */
const invocation = new AsyncLocalStorage();

/** The test's own fetch (to the local hosts), kept before the bundle's view of it is replaced. */
const networkFetch = globalThis.fetch;
/** Where the latest installed platform sends https fetches (a bundle keeps the first global). */
let egressRoute;

/** The global fetch as a function sees it on Forge: https goes through the egress proxy. */
async function platformFetch(input, init) {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (url.protocol === 'https:') return egressRoute(url, init);
  return networkFetch(input, init); // the test's own calls to the local hosts (http)
}

/**
 * Installs the Forge globals; call it before `require`-ing the bundle (@forge/api keeps the
 * global fetch it finds). `jiraBase` is the sandbox Jira root (".../sandbox/jira"); `epm` and
 * `pra` and `keeper` (optional) are `{host, base}`: fetches to https://<host>/... go to `base`
 * (".../sandbox/epm", ".../sandbox/pra", ".../sandbox/keeper").
 */
export function installForgeRuntime({ jiraBase, epm, pra, keeper, kvs = new InMemoryKvs() }) {
  const unexpected = [];
  const jiraCalls = [];
  const egress = [];
  const consentRequired = [];
  /** The web trigger keys asked for with `webTrigger.getUrl`, in order. */
  const webTriggerRequests = [];
  /** Set `webTriggers.failing = true` to make the gateway refuse (HTTP 500) every URL request. */
  const webTriggers = { failing: false };
  /** Events pushed with @forge/events, oldest first: {queue, body, delayInSeconds}. Set
   * `queue.answer = (request) => Response` to answer pushes otherwise (429, 413, 202, ...). */
  const queue = { pushed: [], answer: undefined };
  /** accountId -> Authorization of the people signed in with `signIn`. */
  const people = new Map();
  const noop = { incr() {}, measure: () => ({ stop() {} }) };

  function refuse(target, path, method) {
    unexpected.push({ target, path, method });
    throw new Error(`the test platform has no route for ${JSON.stringify(target)} ${path}`);
  }

  function jira(target, path, init) {
    const headers = { ...init.headers };
    if (target.provider === 'user') {
      const current = invocation.getStore();
      // Forge refuses asUser() outside a user's invocation; so does the stand-in.
      if (!current) return refuse(target, path, init.method);
      const authorization = people.get(current.accountId);
      if (!authorization) {
        // Someone who has not allowed the app to act for them: Forge's proxy answers so, and
        // @forge/api throws NEEDS_AUTHENTICATION_ERR.
        consentRequired.push(`${init.method ?? 'GET'} ${path}`);
        return new Response(null, { status: 401, headers: { 'forge-proxy-error': 'NEEDS_AUTHENTICATION_ERR' } });
      }
      headers.Authorization = authorization;
    }
    jiraCalls.push(`${target.provider === 'user' ? 'user' : 'app'} ${init.method ?? 'GET'} ${path}`);
    return networkFetch(`${jiraBase}${path}`, { ...init, headers });
  }

  /** The async events service: `Queue.push` posts {queueName, payload: [events], ...}. */
  function queuePublish(init) {
    const request = JSON.parse(init.body ?? '{}');
    if (queue.answer) return queue.answer(request);
    for (const event of request.payload ?? []) {
      queue.pushed.push({ queue: request.queueName, body: event.body, delayInSeconds: event.delayInSeconds });
    }
    return new Response(null, { status: 201 });
  }

  /** Atlassian's GraphQL gateway as the app: the web trigger URL mutation @forge/api sends, and
   * the queue pushes of @forge/events. */
  function gateway(target, path, init) {
    if (path.startsWith('/webhook/queue/publish/') && init.method === 'POST') {
      return queuePublish(init);
    }
    const { query, variables } = JSON.parse(init.body ?? '{}');
    if (path !== '/graphql' || init.method !== 'POST' || !/mutation forge_app_createWebTriggerUrl\b/.test(query ?? '')) {
      return refuse(target, path, init.method);
    }
    const { appId, envId, triggerKey, contextId } = variables?.input ?? {};
    webTriggerRequests.push(triggerKey);
    if (webTriggers.failing) return new Response('gateway failure', { status: 500, statusText: 'Internal Server Error' });
    const url = appId === APP_ID && envId === ENVIRONMENT_ID && contextId === CONTEXT_ARI ? WEB_TRIGGERS[triggerKey] : undefined;
    if (!url) return json(200, { data: { createWebTriggerUrl: null }, errors: [{ message: `no web trigger ${triggerKey}` }] });
    return json(200, { data: { createWebTriggerUrl: { url } } });
  }

  globalThis.__forge_runtime__ = {
    metrics: { counter: () => noop, timing: () => noop },
    appContext: { appId: APP_ID, environmentId: ENVIRONMENT_ID, environmentType: 'DEVELOPMENT' },
    contextAri: CONTEXT_ARI,
  };
  globalThis.__forge_fetch__ = async (target, path, init = {}) => {
    if (target?.type === 'kvs') {
      const response = kvs.handle(path, init);
      if (response) return response;
    } else if (target?.type === 'fpp' && target.remote === 'jira' && ['app', 'user'].includes(target.provider)) {
      return jira(target, path, init);
    } else if (target?.type === 'fpp' && target.remote === 'stargate' && target.provider === 'app') {
      return gateway(target, path, init);
    }
    return refuse(target, path, init.method);
  };
  egressRoute = async (url, init) => {
    const route = [epm, pra, keeper].find((r) => r && url.hostname === r.host);
    if (route) {
      egress.push(`${init?.method ?? 'GET'} ${url.pathname}`);
      return networkFetch(`${route.base}${url.pathname}${url.search}`, init);
    }
    return refuse({ type: 'egress', host: url.hostname }, url.pathname, init?.method);
  };
  globalThis.fetch = platformFetch;

  /** Signs `email` in to the sandbox Jira (a seeded person) and records that they allowed the
   * app to act for them; resolves to their accountId. */
  async function signIn(email) {
    const authorization = basic(email);
    const response = await networkFetch(`${jiraBase}/rest/api/3/myself`, { headers: { Authorization: authorization } });
    if (response.status !== 200) throw new Error(`the sandbox Jira refused ${email}: HTTP ${response.status}`);
    const { accountId } = await response.json();
    people.set(accountId, authorization);
    return accountId;
  }

  /** Runs `fn` as the platform runs a function invoked by `accountId` (asUser() acts for them). */
  function asInvocation(accountId, fn) {
    return invocation.run({ accountId }, fn);
  }

  return { kvs, unexpected, jiraCalls, egress, consentRequired, webTriggerRequests, webTriggers, queue, signIn, asInvocation, clock };
}
