// Translates between Forge resolver calls (@forge/resolver) and the component's resolver
// invocation and outcome. Decides nothing: which names exist, who may do what and every message
// the page shows come from the core (docs/resolvers.md).
import { webTrigger } from '@forge/api';

/**
 * The resolver names the core routes (`dispatch::resolver_names`: the provider table's and
 * the configuration page's). @forge/resolver answers a name that is not defined here itself
 * ("Resolver has no definition for ..."), so a name the core adds must be added here too:
 * src/manifest_tests.rs fails until both lists agree.
 */
export const RESOLVER_NAMES = [
  'epm.request',
  'epm.decide',
  'keeper.request',
  'keeper.status',
  'keeper.decide',
  'admin.config',
  'admin.save',
  'admin.validate',
  'admin.diagnostics',
  'admin.retry',
];

/**
 * The web triggers whose URLs the configuration page shows: the manifest's `webtrigger` keys
 * (src/manifest_tests.rs checks that they agree).
 */
const WEB_TRIGGERS = ['epm-webhook', 'pra-ticket', 'keeper-alert'];

/**
 * The context of a configuration page call (`admin.*`): Forge's, plus `webTriggerUrls`, the URL
 * of each web trigger for this installation, which only the host can know
 * (docs/resolvers.md, "The configuration page"). A URL Forge does not give is logged and left
 * out; the core then warns on the page. Other calls get Forge's context as it is.
 */
export async function resolverContext(name, context) {
  if (!name.startsWith('admin.')) return context;
  const webTriggerUrls = {};
  for (const key of WEB_TRIGGERS) {
    try {
      webTriggerUrls[key] = await webTrigger.getUrl(key);
    } catch (error) {
      console.error(`resolver ${name}: no URL for web trigger ${key}: ${error?.message ?? error}`);
    }
  }
  return { ...context, webTriggerUrls };
}

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
