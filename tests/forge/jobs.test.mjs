// The Forge shell's side of the app's queue, against the real @forge/events: `queue-push` becomes
// one `Queue.push` to the stand-in platform (the queue, `body.payload`, the delay in whole seconds
// within Forge's 0..900) and a push error the reply `failed`; the consumer (src/forge/jobs.js)
// turns an async event into a `job` invocation (`retryContext.retryCount` as `attempt`) and the
// run's outcome into what Forge is told: `retry` an InvocationError with `retryAfter` in seconds,
// `error` nothing (final), a malformed event nothing, a run that throws a retry until a cap.
// The bundled handler `jobs` against the real component is in bundle.test.mjs.
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';

import { installForgeRuntime } from './support/forge-runtime.mjs';

// @forge/events pushes through `__forge_fetch__` (Atlassian's gateway, as the app).
const platform = installForgeRuntime({ jiraBase: 'http://127.0.0.1:9' });
const { perform, delayInSeconds } = await import('../../src/forge/capabilities.js');
const { answerJob, jobInvocation, retryAfterSeconds, JOB_QUEUE, RUN_FAILED_MAX_RETRIES } = await import('../../src/forge/jobs.js');

const PAYLOAD = '{"kind":"epm.settle","tenant":"t-1","request":"r-1","since":1764380000000}';
const push = (delayMs, queue = JOB_QUEUE, payload = PAYLOAD) =>
  perform({ tag: 'queue-push', val: { queue, payload, delayMs } });
const json = (status, body) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('queue-push: one Queue.push to the named queue', () => {
  beforeEach(() => {
    platform.queue.pushed.length = 0;
    platform.queue.answer = undefined;
    platform.unexpected.length = 0;
  });

  test('the payload travels as body.payload, and the reply is done', async () => {
    assert.deepEqual(await push(0), { tag: 'done' });
    assert.deepEqual(platform.queue.pushed, [{ queue: 'pam-jobs', body: { payload: PAYLOAD }, delayInSeconds: 0 }]);
    assert.deepEqual(platform.unexpected, []);
    // The consumer reads back exactly what was pushed.
    const [event] = platform.queue.pushed;
    assert.equal(jobInvocation({ ...event, queueName: event.queue }).val.payload, PAYLOAD);
  });

  test('delay-ms becomes delayInSeconds: rounded up, within Forge\'s 0..900', async () => {
    const cases = [
      [0, 0],
      [1, 1],
      [999, 1],
      [1000, 1],
      [1001, 2],
      [30_000, 30],
      [899_001, 900],
      [900_000, 900],
      [900_001, 900],
      [3_600_000, 900],
      [0xffff_ffff, 900],
    ];
    for (const [ms, seconds] of cases) {
      assert.equal(delayInSeconds(ms), seconds, `${ms} ms`);
      platform.queue.pushed.length = 0;
      assert.deepEqual(await push(ms), { tag: 'done' }, `${ms} ms`);
      assert.deepEqual(platform.queue.pushed.map((e) => e.delayInSeconds), [seconds], `${ms} ms`);
    }
  });

  test('a push the queue service refuses is the reply failed, naming the queue and why', async () => {
    const cases = [
      ['429', () => new Response(null, { status: 429 }), /^queue pam-jobs: push failed \(rate limited\): Too many requests\.$/],
      ['413', () => json(413, { errorMessage: 'Payload exceeds 200KB' }), /^queue pam-jobs: push failed \(payload too big\): Payload exceeds 200KB$/],
      [
        '202 with a failed event',
        () => json(202, { failedEvents: [{ index: '0', errorMessage: 'quota' }] }),
        /^queue pam-jobs: push failed \(not accepted\): Failed to process 1 event\(s\)\.$/,
      ],
      ['405', () => new Response(null, { status: 405 }), /^queue pam-jobs: push failed \(invocation limit reached\): /],
      [
        '500',
        () => json(500, { message: 'boom' }),
        /^queue pam-jobs: push failed \(queue service error\): 500 .*: boom$/,
      ],
      [
        'the platform call throws',
        () => {
          throw new Error('network down');
        },
        /^queue pam-jobs: push failed: network down$/,
      ],
    ];
    for (const [name, answer, message] of cases) {
      platform.queue.answer = answer;
      const reply = await push(5000);
      assert.equal(reply.tag, 'failed', `${name}: ${JSON.stringify(reply)}`);
      assert.match(reply.val, message, name);
    }
    assert.deepEqual(platform.queue.pushed, [], 'nothing was kept');
  });

  test('what @forge/events refuses before sending is failed too, and nothing is sent', async () => {
    const invalidName = await push(0, 'no spaces allowed');
    assert.equal(invalidName.tag, 'failed');
    assert.match(invalidName.val, /^queue no spaces allowed: push failed \(invalid queue name\): /);
    const tooBig = await push(0, JOB_QUEUE, 'x'.repeat(201 * 1024));
    assert.equal(tooBig.tag, 'failed');
    assert.match(tooBig.val, /^queue pam-jobs: push failed \(payload too big\): The maximum payload size is 200KB\.$/);
    assert.deepEqual(platform.queue.pushed, []);
  });
});

/** Runs `answerJob` with a stand-in run: {result, invocations, logs} (console output by level). */
async function consume(t, event, run) {
  const invocations = [];
  const logs = { log: [], warn: [], error: [] };
  for (const level of Object.keys(logs)) {
    t.mock.method(console, level, (...args) => logs[level].push(args.join(' ')));
  }
  const result = await answerJob(event, async (invocation) => {
    invocations.push(invocation);
    return run(invocation);
  });
  return { result, invocations, logs };
}

const event = (extra = {}) => ({
  queueName: 'pam-jobs',
  jobId: 'job-1',
  eventId: 'event-1',
  body: { payload: PAYLOAD },
  ...extra,
});
const retryOutcome = (afterMs, reason = 'EPM answered 503') => ({ tag: 'retry', val: { afterMs, reason } });

describe('the consumer: an async event runs as a job, and its outcome is what Forge is told', () => {
  test('the job invocation carries the queue, the payload and retryCount as attempt', async (t) => {
    const cases = [
      [event(), 0],
      [event({ retryContext: { retryCount: 3, retryReason: 'FUNCTION_RETRY_REQUEST', retryData: {} } }), 3],
      [event({ retryContext: { retryCount: 0 } }), 0],
      [event({ retryContext: { retryCount: -1 } }), 0],
      [event({ retryContext: { retryCount: 'two' } }), 0],
      [event({ retryContext: { retryCount: 2 ** 40 } }), 0xffff_ffff],
    ];
    for (const [e, attempt] of cases) {
      const { invocations } = await consume(t, e, () => ({ tag: 'value', val: '{}' }));
      assert.deepEqual(invocations, [{ tag: 'job', val: { queue: 'pam-jobs', payload: PAYLOAD, attempt } }], JSON.stringify(e));
    }
    // The queue is the event's; without one, the queue the app pushes to.
    const other = await consume(t, event({ queueName: 'other-queue' }), () => ({ tag: 'value', val: '{}' }));
    assert.equal(other.invocations[0].val.queue, 'other-queue');
    const unnamed = await consume(t, event({ queueName: undefined }), () => ({ tag: 'value', val: '{}' }));
    assert.equal(unnamed.invocations[0].val.queue, 'pam-jobs');
  });

  test('retry: an InvocationError asking Forge to deliver again after the core\'s delay, in whole seconds', async (t) => {
    const cases = [
      [1500, 2],
      [1000, 1],
      [1, 1],
      [0, 1],
      [45_000, 45],
      [900_000, 900],
      [900_001, 900],
      [0xffff_ffff, 900],
    ];
    for (const [afterMs, seconds] of cases) {
      assert.equal(retryAfterSeconds(afterMs), seconds, `${afterMs} ms`);
      const { result, logs } = await consume(t, event(), () => retryOutcome(afterMs));
      // @forge/events' InvocationError is returned as its JSON form: Forge reads `_retry`.
      assert.deepEqual(
        result,
        { _retry: true, retryOptions: { retryAfter: seconds, retryReason: 'FUNCTION_RETRY_REQUEST', retryData: { reason: 'EPM answered 503' } } },
        `${afterMs} ms`,
      );
      assert.deepEqual([logs.warn, logs.error], [[], []]);
    }
    // retryData stays far below Forge's 4 KB, whatever the reason's length.
    const { result } = await consume(t, event(), () => retryOutcome(1000, 'r'.repeat(10_000)));
    assert.ok(JSON.stringify(result.retryOptions.retryData).length < 4096);
  });

  test('error: final, logged as a warning, never retried', async (t) => {
    const { result, logs } = await consume(t, event({ retryContext: { retryCount: 2 } }), () => ({ tag: 'error', val: 'unknown queue "pam-jobs"' }));
    assert.equal(result, undefined);
    assert.deepEqual(logs.warn, ['job on pam-jobs (attempt 2): unknown queue "pam-jobs"']);
  });

  test('value: done, nothing returned and nothing logged', async (t) => {
    const { result, logs } = await consume(t, event(), () => ({ tag: 'value', val: '{"done":"epm.settle"}' }));
    assert.equal(result, undefined);
    assert.deepEqual(logs, { log: [], warn: [], error: [] });
  });

  test('a malformed event never reaches the core and is not retried', async (t) => {
    const malformed = [
      undefined,
      {},
      { queueName: 'pam-jobs', eventId: 'e-2' },
      event({ body: {} }),
      event({ body: { payload: 42 } }),
      event({ body: { payload: { kind: 'epm.settle' } } }),
      event({ body: 'text' }),
    ];
    for (const e of malformed) {
      const { result, invocations, logs } = await consume(t, e, () => assert.fail('the run must not start'));
      assert.equal(result, undefined, JSON.stringify(e));
      assert.deepEqual(invocations, []);
      assert.equal(logs.error.length, 1, JSON.stringify(e));
      assert.match(logs.error[0], /no body\.payload string, dropped/);
    }
  });

  test('a run that throws is retried after 30 s, until it has been retried RUN_FAILED_MAX_RETRIES times', async (t) => {
    assert.equal(RUN_FAILED_MAX_RETRIES, 20);
    const crash = () => {
      throw new Error('the run exceeded 10000 steps');
    };
    for (const retryCount of [0, 1, RUN_FAILED_MAX_RETRIES - 1]) {
      const { result, logs } = await consume(t, event({ retryContext: { retryCount } }), crash);
      assert.equal(result?._retry, true, `retryCount ${retryCount}`);
      assert.equal(result.retryOptions.retryAfter, 30);
      assert.equal(result.retryOptions.retryReason, 'FUNCTION_RETRY_REQUEST');
      assert.match(logs.error.join('\n'), /the run failed, retry in 30 s: the run exceeded 10000 steps/);
    }
    for (const retryCount of [RUN_FAILED_MAX_RETRIES, RUN_FAILED_MAX_RETRIES + 5]) {
      const { result, logs } = await consume(t, event({ retryContext: { retryCount } }), crash);
      assert.equal(result, undefined, `retryCount ${retryCount}: dropped`);
      assert.deepEqual(logs.error, [
        `job on pam-jobs (attempt ${retryCount}): the run failed, dropped after ${retryCount} retries: the run exceeded 10000 steps`,
      ]);
    }
  });
});
