// Translates between Forge web trigger events/responses and the component's HTTP records.
// Decides nothing: status codes, messages and headers all come from the core.

/** Forge gives `{name: [values]}`; the component takes a list of [name, value] pairs. */
function pairs(multiMap) {
  const list = [];
  for (const [name, values] of Object.entries(multiMap ?? {})) {
    for (const value of Array.isArray(values) ? values : [values]) {
      list.push([name, String(value)]);
    }
  }
  return list;
}

/** The query string as the local host passes it: "" or "?a=1&b=2". */
function queryString(queryParameters) {
  const query = new URLSearchParams(pairs(queryParameters)).toString();
  return query ? `?${query}` : '';
}

/** The `invocation` for a web trigger request to the module `trigger`. */
export function webTriggerInvocation(trigger, event) {
  return {
    tag: 'web-trigger',
    val: {
      trigger,
      request: {
        method: String(event?.method ?? '').toUpperCase(),
        url: queryString(event?.queryParameters),
        headers: pairs(event?.headers),
        body: typeof event?.body === 'string' ? event.body : '',
      },
    },
  };
}

/** The component's `http-response` as Forge's dynamic web trigger response. */
export function webTriggerResponse(response) {
  const headers = {};
  for (const [name, value] of response.headers) {
    (headers[name] ??= []).push(value);
  }
  return { statusCode: response.status, headers, body: response.body };
}

/** What the local host answers when a run fails or ends without an HTTP response. */
export function hostError(message) {
  return {
    statusCode: 500,
    headers: { 'Content-Type': ['application/json'] },
    body: JSON.stringify({ error: message }),
  };
}
