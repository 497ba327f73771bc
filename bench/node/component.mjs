// Loads the jco output written by transpile.mjs and replays recorded scripts on it. The core
// modules are read from files and compiled once per process; each `instantiate()` is a fresh
// instance, as src/forge/component.js makes one per run.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Imports the bindings and compiles the core modules; returns timings in ms. */
export async function load(jcoDir) {
  const t0 = performance.now();
  const bindings = await import(pathToFileURL(path.join(jcoDir, 'pam-approvals.mjs')).href);
  const t1 = performance.now();
  const compiled = new Map();
  const coreModule = (name) => {
    let module = compiled.get(name);
    if (!module) {
      module = new WebAssembly.Module(readFileSync(path.join(jcoDir, name)));
      compiled.set(name, module);
    }
    return module;
  };
  // Compile ahead so that `instantiate` below measures instantiation only.
  for (const name of readdirSync(jcoDir).filter((f) => f.endsWith('.wasm'))) {
    coreModule(name);
  }
  const t2 = performance.now();
  return {
    instantiate: () => bindings.instantiate(coreModule, {}).workflow,
    importMs: t1 - t0,
    compileMs: t2 - t1,
  };
}

/** jco's shapes from the JSON the bench writes: `null` options are `undefined`, u64 a BigInt. */
function reply(json) {
  if (json.tag === 'value' && json.val === null) return { tag: 'value', val: undefined };
  if (json.tag === 'time') return { tag: 'time', val: BigInt(json.val) };
  return json;
}

/** Scripts from the bench's JSON file, converted once. */
export function readScripts(file) {
  const scripts = JSON.parse(readFileSync(file, 'utf8'));
  for (const script of Object.values(scripts)) {
    script.replies = script.replies.map(reply);
  }
  return scripts;
}

/** Runs the script's steps on a workflow instance; returns the last step. */
export function replay(workflow, script) {
  const run = new workflow.Run(script.invocation);
  try {
    let step = run.next(undefined);
    for (const r of script.replies) {
      step = run.next(r);
    }
    return step;
  } finally {
    run[Symbol.dispose ?? Symbol.for('dispose')]?.();
  }
}

/** Throws unless the replay ended where the native one did (the create call, or a 201). */
export function checkLast(script, step) {
  const ok =
    script.until === 'create-call'
      ? step.tag === 'call' && step.val.tag === 'jira' && step.val.val.method === 'POST' && step.val.val.path === '/rest/api/3/issue'
      : step.tag === 'done' && step.val.tag === 'http' && step.val.val.status === 201;
  if (!ok) {
    throw new Error(`the Node replay of a ${script.until} script ended elsewhere: ${JSON.stringify(step, (k, v) => (typeof v === 'bigint' ? String(v) : v)).slice(0, 300)}`);
  }
}
