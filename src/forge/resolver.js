// Translates between Forge resolver calls (@forge/resolver) and the component's resolver
// invocation and outcome. Decides nothing: which names exist, who may do what and every message
// the page shows come from the core (docs/resolvers.md).

/**
 * The resolver names the core routes (src/providers/epm/resolvers.rs). @forge/resolver answers a
 * name that is not defined here itself ("Resolver has no definition for ..."), so a name the core
 * adds must be added here too.
 */
export const RESOLVER_NAMES = ['epm.request', 'epm.decide'];

/**
 * The `invocation` for one page call. `context` is Forge's as @forge/resolver passes it: the
 * page's extension (issue key, ...) with `accountId` set by the platform from the signed-in user,
 * never from the page.
 */
export function resolverInvocation(name, payload, context) {
  return {
    tag: 'resolver',
    val: { name, payload: JSON.stringify(payload ?? {}), context: JSON.stringify(context ?? {}) },
  };
}

/**
 * What the page's `invoke` resolves to: the core's JSON value (`{"ok": ...}`). The core's
 * `error` (a call it cannot route) becomes a thrown Error, so Forge rejects the page's invoke
 * with that message, as the local host's bridge answers it with HTTP 400.
 */
export function resolverAnswer(name, outcome) {
  if (outcome.tag === 'value') {
    return JSON.parse(outcome.val);
  }
  if (outcome.tag === 'error') {
    throw new Error(outcome.val);
  }
  console.error(`resolver ${name}: the run ended without a value (${outcome.tag})`);
  throw new Error('the resolver did not answer with a value');
}
