// A stand-in for the Forge platform around a `require`d bundle: @forge/api and @forge/kvs send
// every platform call through `global.__forge_fetch__(target, path, init)`. Jira calls as the
// app go to a local host's sandbox Jira; KVS lives in memory and answers like the real service
// (404 KEY_NOT_FOUND for a missing key, 409 KEY_CONFLICT when FAIL_IF_EXISTS meets a key, 400
// for keys Forge would refuse). Anything else is recorded as unexpected and fails the call.

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

/**
 * Installs the Forge globals. `jiraBase` is the sandbox Jira root (".../sandbox/jira"); calls as
 * the app carry no Authorization, which the sandbox treats as the app.
 */
export function installForgeRuntime({ jiraBase, kvs = new InMemoryKvs() }) {
  const unexpected = [];
  const jiraCalls = [];
  const noop = { incr() {}, measure: () => ({ stop() {} }) };
  globalThis.__forge_runtime__ = { metrics: { counter: () => noop, timing: () => noop } };
  globalThis.__forge_fetch__ = async (target, path, init = {}) => {
    if (target?.type === 'kvs') {
      const response = kvs.handle(path, init);
      if (response) return response;
    } else if (target?.type === 'fpp' && target.remote === 'jira' && target.provider === 'app') {
      jiraCalls.push(`${init.method ?? 'GET'} ${path}`);
      return fetch(`${jiraBase}${path}`, init);
    }
    unexpected.push({ target, path, method: init.method });
    throw new Error(`the test platform has no route for ${JSON.stringify(target)} ${path}`);
  };
  return { kvs, unexpected, jiraCalls };
}
