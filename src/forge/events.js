// Translates a Forge product event (`trigger` module on avi:jira:updated:issue) into the
// component's `event` invocation, and its outcome into logs and what Forge is told. Decides
// nothing: whether the event concerns one of the app's requests, and what it means, is the core's.
import { InvocationError, InvocationErrorCode } from '@forge/events';

/** A run that failed (the core's `error`, or a run that threw) is delivered again this often at
 * most (`retryContext.retryCount`), after a pause: Jira or storage may be back by then. */
export const EVENT_MAX_RETRIES = 3;
const RETRY_AFTER_S = 30;

/** The `invocation` for one event: its type and the whole event as JSON (issue, changelog,
 * atlassianId), or undefined when it has no type. */
export function eventInvocation(event) {
  const eventType = event?.eventType;
  if (typeof eventType !== 'string' || eventType === '') {
    return undefined;
  }
  // The platform's own bookkeeping is not part of the event the core reads.
  const { retryContext, contextToken, ...payload } = event;
  return { tag: 'event', val: { eventType, payload: JSON.stringify(payload) } };
}

function retryCount(event) {
  const count = event?.retryContext?.retryCount;
  return Number.isSafeInteger(count) && count > 0 ? count : 0;
}

/** What the handler returns: nothing when the run ended with a value (logged when it did
 * something), an InvocationError asking for a later delivery when it failed and retries are
 * left. */
export function eventResult(event, outcome) {
  const label = `event ${event?.eventType} on ${event?.issue?.key ?? '?'}`;
  if (outcome?.tag === 'value') {
    let result;
    try {
      result = JSON.parse(outcome.val)?.result;
    } catch {
      result = undefined;
    }
    if (result !== 'ignored') {
      console.log(`${label}: ${outcome.val}`);
    }
    return undefined;
  }
  const why = outcome?.tag === 'error' ? outcome.val : `the run ended with an unexpected outcome (${outcome?.tag})`;
  return retryOrDrop(event, label, why);
}

/** A failed run: delivered again after a pause, until EVENT_MAX_RETRIES retries. */
export function retryOrDrop(event, label, why) {
  const retries = retryCount(event);
  if (retries >= EVENT_MAX_RETRIES) {
    console.error(`${label}: not handled, dropped after ${retries} retries: ${why}`);
    return undefined;
  }
  console.warn(`${label}: not handled (${why}); delivered again in ${RETRY_AFTER_S} s`);
  return new InvocationError({
    retryAfter: RETRY_AFTER_S,
    retryReason: InvocationErrorCode.FUNCTION_RETRY_REQUEST,
    retryData: { reason: String(why).slice(0, 1000) },
  });
}
