// The Node side of the core benchmark: criterion (benches/core.rs) asks over stdin for
// `run <script> <iterations>` and gets back the nanoseconds those replays took, timed here so
// that the pipe's cost is not counted. One instance serves every replay, as in the wasmtime
// benchmark. Usage: node bench/node/replay-server.mjs <jco-dir> <scripts.json>
import { createInterface } from 'node:readline';
import { checkLast, load, readScripts, replay } from './component.mjs';

const [jcoDir, scriptsFile] = process.argv.slice(2);
const scripts = readScripts(scriptsFile);
const workflow = (await load(jcoDir)).instantiate();
for (const script of Object.values(scripts)) {
  checkLast(script, replay(workflow, script));
}
process.stdout.write('ready\n');

for await (const line of createInterface({ input: process.stdin })) {
  const [command, name, count] = line.trim().split(/\s+/);
  if (command !== 'run' || !scripts[name]) {
    process.stdout.write(`error: unknown command ${line}\n`);
    continue;
  }
  const script = scripts[name];
  const iterations = Number(count);
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i += 1) {
    replay(workflow, script);
  }
  process.stdout.write(`${process.hrtime.bigint() - started}\n`);
}
