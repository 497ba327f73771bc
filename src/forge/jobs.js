// The consumer side of the app's queue (@forge/events): a Forge async event becomes the
// component's `job` invocation, and the run's outcome becomes what Forge is told. Decides
// nothing about a job: whether to try again, and when, is the core's `retry` outcome. The shell
// only refuses to loop on what the core never saw (a malformed event) or could not finish (a run
// that threw), so a bug cannot keep an event alive for the queue's whole retention.
import { InvocationError, InvocationErrorCode } from '@forge/events';

/** The queue the core pushes its jobs to; the manifest's consumer listens to it. */
export const JOB_QUEUE = 'pam-jobs';

/** Forge's bounds on `retryAfter` (seconds). */
const MIN_RETRY_S = 1;
const MAX_RETRY_S = 900;
/** `retryData` is limited to 4 KB; the reason is only for the logs, so keep it well below. */
const MAX_REASON_CHARS = 1000;
/** A run that throws (a bug, the step cap, a trap) is tried again after this long... */
const RUN_FAILED_RETRY_S = 30;
/** ...until it has been retried this many times (`retryCount`): then it is dropped and logged. */
export const RUN_FAILED_MAX_RETRIES = 20;
const MAX_U32 = 0xffff_ffff;

/** `retryContext.retryCount` as the WIT `attempt` (u32): 0 on a first delivery or when absent. */
function attemptOf(event) {
  const count = event?.retryContext?.retryCount;
  return Number.isSafeInteger(count) && count > 0 ? Math.min(count, MAX_U32) : 0;
}

/**
 * The `invocation` for one async event (`{body: {payload}, queueName, retryContext, ...}`), or
 * undefined when the event does not carry a job the app pushed (`body.payload` a string).
 */
export function jobInvocation(event) {
  const payload = event?.body?.payload;
  if (typeof payload !== 'string') {
    return undefined;
  }
  const queue = typeof event.queueName === 'string' && event.queueName !== '' ? event.queueName : JOB_QUEUE;
  return { tag: 'job', val: { queue, payload, attempt: attemptOf(event) } };
}

/** Whole seconds for Forge's `retryAfter`: rounded up, within 1..900. */
export function retryAfterSeconds(ms) {
  return Math.min(MAX_RETRY_S, Math.max(MIN_RETRY_S, Math.ceil(ms / 1000)));
}

/** Forge's answer "deliver this event again after `seconds`" (an object the handler returns). */
function retryLater(seconds, reason) {
  return new InvocationError({
    retryAfter: seconds,
    retryReason: InvocationErrorCode.FUNCTION_RETRY_REQUEST,
    retryData: { reason: reason.slice(0, MAX_REASON_CHARS) },
  });
}

const label = ({ queue, attempt }) => `job on ${queue} (attempt ${attempt})`;

/** What the handler returns for the run's outcome: an InvocationError for `retry`, else nothing. */
export function jobResult(job, outcome) {
  switch (outcome?.tag) {
    case 'retry':
      // The reason rides along as retryData; the core logs its decisions itself (`log` calls).
      return retryLater(retryAfterSeconds(outcome.val.afterMs), outcome.val.reason);
    case 'error':
      // Final: the core keeps its own dead letter; Forge must not deliver it again.
      console.warn(`${label(job)}: ${outcome.val}`);
      return undefined;
    case 'value':
      return undefined;
    default:
      console.warn(`${label(job)}: the run ended with an unexpected outcome (${outcome?.tag})`);
      return undefined;
  }
}

/** A run that threw: retried after a pause, until RUN_FAILED_MAX_RETRIES retries. */
function runFailed(job, error) {
  const why = error?.message ?? String(error);
  if (job.attempt >= RUN_FAILED_MAX_RETRIES) {
    console.error(`${label(job)}: the run failed, dropped after ${job.attempt} retries: ${why}`);
    return undefined;
  }
  console.error(`${label(job)}: the run failed, retry in ${RUN_FAILED_RETRY_S} s: ${why}`);
  return retryLater(RUN_FAILED_RETRY_S, `the run failed: ${why}`);
}

/**
 * Runs one async event as a `job` with `run` (the shell's `runInvocation`) and answers Forge:
 * an InvocationError to have it delivered again, or undefined when the event is done with.
 */
export async function answerJob(event, run) {
  const invocation = jobInvocation(event);
  if (!invocation) {
    // Not a job this app pushed: no delivery will ever make it one.
    console.error(`queue event ${event?.eventId ?? '(no id)'} on ${event?.queueName ?? JOB_QUEUE}: no body.payload string, dropped`);
    return undefined;
  }
  let outcome;
  try {
    outcome = await run(invocation);
  } catch (error) {
    return runFailed(invocation.val, error);
  }
  return jobResult(invocation.val, outcome);
}
