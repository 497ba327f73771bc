// The Forge shell: each handler starts one run of the app component and answers its capability
// calls until the run is done. Every decision is the component's (see wit/workflow.wit).
import Resolver from '@forge/resolver';

import { newWorkflow } from './forge/component';
import { isConsentRequired, perform } from './forge/capabilities';
import { eventInvocation, eventResult, retryOrDrop } from './forge/events';
import { answerJob } from './forge/jobs';
import { provisionOnce } from './forge/provision';
import { RESOLVER_NAMES, resolverAnswer, resolverContext, resolverInvocation } from './forge/resolver';
import { logTickOutcome, tickInvocation, tickResponse } from './forge/scheduled';
import { hostError, webTriggerInvocation, webTriggerResponse } from './forge/web-trigger';

/** The same cap the component enforces; a run that goes past it is a bug. */
const MAX_STEPS = 10000;

/** Runs one invocation to its outcome (`http`, `value`, `error` or, for a job, `retry`). */
export async function runInvocation(invocation) {
  const workflow = newWorkflow();
  const run = new workflow.Run(invocation);
  try {
    let reply;
    for (let steps = 0; steps < MAX_STEPS; steps += 1) {
      const step = run.next(reply);
      if (step.tag === 'done') {
        return step.val;
      }
      reply = await perform(step.val);
    }
    throw new Error(`the run exceeded ${MAX_STEPS} steps`);
  } finally {
    run[Symbol.dispose ?? Symbol.for('dispose')]?.();
  }
}

async function answerWebTrigger(trigger, event) {
  await provisionOnce(runInvocation);
  let outcome;
  try {
    outcome = await runInvocation(webTriggerInvocation(trigger, event));
  } catch (error) {
    console.error(`web trigger ${trigger}: the run failed: ${error?.message ?? error}`);
    return hostError('the app failed while handling the request');
  }
  if (outcome.tag !== 'http') {
    console.error(`web trigger ${trigger}: the run ended without an HTTP answer (${outcome.tag})`);
    return hostError('the app did not answer the web trigger');
  }
  return webTriggerResponse(outcome.val);
}

/** Web trigger `epm-webhook`: BeyondTrust EPM JIT Application Access webhooks. */
export const epmWebhook = (event) => answerWebTrigger('epm-webhook', event);

/** Web trigger `pra-ticket`: BeyondTrust PRA ticket-ID approval requests. */
export const praTicket = (event) => answerWebTrigger('pra-ticket', event);

/** Web trigger `keeper-alert`: Keeper Admin Console alerts (approval requests, device approvals). */
export const keeperAlert = (event) => answerWebTrigger('keeper-alert', event);

/** One page call: a value for the page, or a thrown Error that rejects its `invoke`. */
async function answerResolver(name, { payload, context }) {
  await provisionOnce(runInvocation);
  let outcome;
  try {
    outcome = await runInvocation(resolverInvocation(name, payload, await resolverContext(name, context)));
  } catch (error) {
    if (isConsentRequired(error)) throw error;
    console.error(`resolver ${name}: the run failed: ${error?.message ?? error}`);
    throw new Error('the app failed while handling the call');
  }
  return resolverAnswer(name, outcome);
}

const resolvers = new Resolver();
for (const name of RESOLVER_NAMES) {
  resolvers.define(name, (request) => answerResolver(name, request));
}

/** Function `resolver-fn`: the issue action page's and the configuration page's `invoke` calls
 * (docs/resolvers.md). */
export const resolver = resolvers.getDefinitions();

/** One scheduled trigger run: the outcome goes to the logs; Forge ignores the result. */
async function runTick(trigger) {
  await provisionOnce(runInvocation);
  let outcome;
  try {
    outcome = await runInvocation(tickInvocation(trigger));
  } catch (error) {
    console.error(`scheduled trigger ${trigger}: the run failed: ${error?.message ?? error}`);
    return tickResponse(undefined);
  }
  logTickOutcome(trigger, outcome);
  return tickResponse(outcome);
}

/** Scheduled trigger `epm-expiry` (function `expiry-fn`, every five minutes): the core ends
 * approved access whose time is up (note, property, transition to the expired status). */
export const expiryTick = () => runTick('epm-expiry');

/** Scheduled trigger `keeper-expiry` (function `keeper-expiry-fn`, every five minutes): KEPM
 * requests past their 30 minutes are recorded as expired on their issues. */
export const keeperExpiryTick = () => runTick('keeper-expiry');

/** Consumer of queue `pam-jobs` (function `jobs-fn`): one async event the core pushed, run as a
 * `job`. Returns an InvocationError when the core (or a failed run) wants it delivered again
 * (src/forge/jobs.js). */
export async function jobs(event) {
  await provisionOnce(runInvocation);
  return answerJob(event, runInvocation);
}

/** Trigger `issue-updated` (function `issue-updated-fn`, avi:jira:updated:issue, the app's own
 * changes filtered out by Forge): an issue moved to the approved or denied status, or a JSM
 * approval completed, decides the request the way the action does (src/providers/epm/flows/
 * jira_way.rs). A failed run is delivered again (src/forge/events.js). */
export async function issueUpdated(event) {
  const invocation = eventInvocation(event);
  if (!invocation) {
    console.warn('issue-updated: an event without an eventType was ignored');
    return undefined;
  }
  await provisionOnce(runInvocation);
  let outcome;
  try {
    outcome = await runInvocation(invocation);
  } catch (error) {
    return retryOrDrop(event, `event ${event.eventType} on ${event?.issue?.key ?? '?'}`, `the run failed: ${error?.message ?? error}`);
  }
  return eventResult(event, outcome);
}
