// Performs the component's capability calls with Forge's APIs and builds the reply each call is
// owed (see `variant call` in wit/types.wit). One switch, no business rules.
import { randomBytes } from 'node:crypto';

import api, { assumeTrustedRoute, fetch } from '@forge/api';
import { kvs, ForgeKvsAPIError } from '@forge/kvs';
import {
  InternalServerError,
  InvalidPushSettingsError,
  InvalidQueueNameError,
  InvocationLimitReachedError,
  PartialSuccessError,
  PayloadTooBigError,
  Queue,
  RateLimitError,
  TooManyEventsError,
} from '@forge/events';

const done = { tag: 'done' };
const failed = (error) => ({ tag: 'failed', val: reason(error) });

/** Why a call failed, for the component's logs and messages (Forge errors carry no secrets). */
function reason(error) {
  if (!(error instanceof Error)) return String(error);
  const message = error.message || error.name;
  return error.code ? `${error.code}: ${message}` : message;
}

/** `value(option<string>)`: absent (undefined) is `none`; values are written as strings only. */
function value(stored) {
  if (stored === undefined || stored === null) {
    return { tag: 'value', val: undefined };
  }
  return typeof stored === 'string' ? { tag: 'value', val: stored } : failed('the stored value is not a string');
}

function headerPairs(headers) {
  const list = [];
  headers?.forEach?.((v, name) => list.push([name, v]));
  return list;
}

/**
 * Never follow a redirect: a 3xx goes back to the component as it came, and neither the app's
 * or user's credentials nor a body are replayed to wherever `Location` points. @forge/api's
 * RequestInit takes `redirect` (its typings: `redirect?: RequestRedirect`) and passes the init
 * on as is, to the runtime's fetch for `fetch` and to the platform proxy for `requestJira`.
 */
const NO_REDIRECTS = 'manual';

async function httpReply(responsePromise) {
  const response = await responsePromise;
  return { tag: 'http', val: { status: response.status, headers: headerPairs(response.headers), body: await response.text() } };
}

function jira({ actor, method, path, body }) {
  const requester = actor === 'user' ? api.asUser() : api.asApp();
  const headers = { Accept: 'application/json' };
  if (body != null) {
    headers['Content-Type'] = 'application/json';
  }
  return httpReply(
    requester.requestJira(assumeTrustedRoute(path), { method, headers, body: body ?? undefined, redirect: NO_REDIRECTS }),
  );
}

/** @forge/api takes headers as a record; repeated names are joined as HTTP allows. */
function headerRecord(list) {
  const record = {};
  for (const [name, v] of list) {
    const existing = Object.keys(record).find((n) => n.toLowerCase() === name.toLowerCase());
    if (existing) {
      record[existing] = `${record[existing]}, ${v}`;
    } else {
      record[name] = v;
    }
  }
  return record;
}

function outbound({ method, url, headers, body }) {
  const hasBody = body !== '' && method !== 'GET' && method !== 'HEAD';
  return httpReply(
    fetch(url, { method, headers: headerRecord(headers), body: hasBody ? body : undefined, redirect: NO_REDIRECTS }),
  );
}

/** The codes a KVS 409 carries when FAIL_IF_EXISTS meets an existing key (../shared/FORGE-NOTES.md:
 * KEY_CONFLICT in most reports, KEY_ALREADY_EXISTS in some). */
const KEY_CONFLICT_CODES = new Set(['KEY_CONFLICT', 'KEY_ALREADY_EXISTS']);

/**
 * True only for @forge/kvs's own ForgeKvsAPIError (its `name` stays 'ForgeKvsError', so
 * `instanceof`) with HTTP status 409 in `responseDetails.status` and a key-conflict `code`.
 * Anything else (another status or code, a network error, a look-alike object) is a failure: a
 * claim is only ever lost to a key that is really there. Exported for tests.
 */
export function isKeyConflict(error) {
  return (
    error instanceof ForgeKvsAPIError &&
    error.responseDetails?.status === 409 &&
    KEY_CONFLICT_CODES.has(error.code)
  );
}

async function setIfAbsent(key, v) {
  try {
    await kvs.set(key, v, { keyPolicy: 'FAIL_IF_EXISTS' });
    return { tag: 'claimed', val: true };
  } catch (error) {
    return isKeyConflict(error) ? { tag: 'claimed', val: false } : failed(error);
  }
}

/** Forge delays an event by whole seconds, 0 to 900; the WIT's `delay-ms` is rounded up into that. */
const MAX_DELAY_S = 900;
export const delayInSeconds = (ms) => Math.min(MAX_DELAY_S, Math.max(0, Math.ceil(ms / 1000)));

/**
 * @forge/events' push errors, named for the message (their `name` is only "Error"): 429, 413, 202
 * with failed events, a cyclic invocation limit, a refused queue name or delay, another status.
 */
const PUSH_ERRORS = [
  [RateLimitError, 'rate limited'],
  [PayloadTooBigError, 'payload too big'],
  [PartialSuccessError, 'not accepted'],
  [TooManyEventsError, 'too many events'],
  [InvocationLimitReachedError, 'invocation limit reached'],
  [InvalidQueueNameError, 'invalid queue name'],
  [InvalidPushSettingsError, 'invalid delay'],
  [InternalServerError, 'queue service error'],
];

/** Queue events carry objects, so the payload string travels in `body.payload` (src/forge/jobs.js
 * reads it back). A push error is the reply `failed`, saying which queue and why. */
async function queuePush({ queue, payload, delayMs }) {
  try {
    await new Queue({ key: queue }).push({ body: { payload }, delayInSeconds: delayInSeconds(delayMs) });
    return done;
  } catch (error) {
    const kind = PUSH_ERRORS.find(([type]) => error instanceof type)?.[1];
    return failed(`queue ${queue}: push failed${kind ? ` (${kind})` : ''}: ${reason(error)}`);
  }
}

/** Random bytes for the app's generated secrets (Node's CSPRNG); at most 64 per call. */
function randomHex(bytes) {
  if (!Number.isInteger(bytes) || bytes < 0 || bytes > 64) {
    return failed(`random: ${bytes} bytes is more than the 64 a call may ask for`);
  }
  return value(randomBytes(bytes).toString('hex'));
}

const LOG = { debug: console.debug, info: console.log, warn: console.warn, error: console.error };

async function attempt(call) {
  switch (call.tag) {
    case 'jira':
      return jira(call.val);
    case 'fetch':
      return outbound(call.val);
    case 'kv-get':
      return value(await kvs.get(call.val));
    case 'kv-set':
      await kvs.set(call.val[0], call.val[1]);
      return done;
    case 'kv-set-if-absent':
      return setIfAbsent(call.val[0], call.val[1]);
    case 'kv-delete':
      await kvs.delete(call.val);
      return done;
    case 'secret-get':
      return value(await kvs.getSecret(call.val));
    case 'secret-set':
      await kvs.setSecret(call.val[0], call.val[1]);
      return done;
    case 'queue-push':
      return queuePush(call.val);
    case 'now':
      return { tag: 'time', val: BigInt(Date.now()) };
    case 'random':
      return randomHex(call.val);
    case 'sleep':
      await new Promise((resolve) => setTimeout(resolve, call.val));
      return done;
    case 'log':
      (LOG[call.val[0]] ?? console.log)(call.val[1]);
      return done;
    default:
      return failed(`this host does not know the capability "${call.tag}"`);
  }
}

/**
 * @forge/api's error when the user has not (or no longer) allowed the app to act for them. It
 * must leave the run and the resolver unchanged: Forge answers it by asking the user for consent.
 */
export const isConsentRequired = (error) => error?.name === 'NEEDS_AUTHENTICATION_ERR';

/** The reply to one call; a thrown error (network, storage) becomes `failed(reason)`. */
export async function perform(call) {
  try {
    return await attempt(call);
  } catch (error) {
    if (isConsentRequired(error)) throw error;
    return failed(error);
  }
}
