// One Node cold start: import jco's bindings, compile the core modules, instantiate, and answer
// the first web trigger (a recorded full run, so no I/O is timed). Prints one JSON line, in ms.
// `performance.now()` counts from the process's start, so `nodeBootMs` is Node's own start-up.
// Usage: node bench/node/cold-start.mjs <jco-dir> <scripts.json> <answer-script>
import { checkLast, load, readScripts, replay } from './component.mjs';

const nodeBootMs = performance.now();
const [jcoDir, scriptsFile, name] = process.argv.slice(2);
const script = readScripts(scriptsFile)[name];
if (!script) {
  throw new Error(`no script ${name} in ${scriptsFile}`);
}
const started = performance.now();
const loaded = await load(jcoDir);
const t0 = performance.now();
const workflow = loaded.instantiate();
const t1 = performance.now();
const last = replay(workflow, script);
const t2 = performance.now();
checkLast(script, last);
console.log(
  JSON.stringify({
    nodeBootMs,
    importMs: loaded.importMs,
    compileMs: loaded.compileMs,
    instantiateMs: t1 - t0,
    firstAnswerMs: t2 - t1,
    totalMs: t2 - started,
  }),
);
