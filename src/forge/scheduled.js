// Translates a Forge scheduled trigger into the component's `tick` invocation and its outcome
// into log lines and the response Forge records. Decides nothing: what is due, what is done and
// what each outcome says are the core's.

/** The `invocation` for one run of the scheduled trigger module `trigger`. */
export function tickInvocation(trigger) {
  return { tag: 'tick', val: trigger };
}

/** The outcome's JSON as an object, or undefined when it is not a JSON object. */
function parsed(text) {
  try {
    const value = JSON.parse(text);
    return value !== null && typeof value === 'object' ? value : undefined;
  } catch {
    return undefined;
  }
}

const nonEmpty = (list) => Array.isArray(list) && list.length > 0;

/**
 * Logs a tick's outcome: the core's JSON when it did something or something failed (so
 * `forge logs` shows each run that mattered, and a quiet tick every five minutes logs nothing),
 * the message of an `error` outcome, and any other outcome as unexpected.
 */
export function logTickOutcome(trigger, outcome) {
  if (outcome?.tag === 'value') {
    const value = parsed(outcome.val);
    if (!value || nonEmpty(value.expired) || nonEmpty(value.failed)) {
      console.log(`scheduled trigger ${trigger}: ${outcome.val}`);
    }
  } else if (outcome?.tag === 'error') {
    console.error(`scheduled trigger ${trigger}: ${outcome.val}`);
  } else {
    console.error(`scheduled trigger ${trigger}: the run ended without a value (${outcome?.tag})`);
  }
}

/**
 * What the handler returns. Forge ignores a scheduled trigger's result (it never retries one) but
 * records a response of another shape as a failed invocation (424), so the handler returns a
 * plain status: 200 when the run ended with a value, 500 otherwise (the reason is in the logs).
 */
export function tickResponse(outcome) {
  return { statusCode: outcome?.tag === 'value' ? 200 : 500 };
}
