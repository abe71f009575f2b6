// Talks to the ADSH API with the signed-in token; streams server-sent events over fetch.
const KEY = "adsh-token";

export const session = {
  get token() { return sessionStorage.getItem(KEY) || ""; },
  set token(value) {
    if (value) sessionStorage.setItem(KEY, value); else sessionStorage.removeItem(KEY);
  },
};

export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.message ? body.message : `HTTP ${status}`);
    this.status = status;
  }
}

export async function api(path, options = {}) {
  const headers = { Authorization: `Bearer ${session.token}` };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method: options.method || "GET",
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

// EventSource cannot send an Authorization header, so read the stream with fetch.
export async function streamEvents(onEvent, onState, signal) {
  let lastId = 0;
  while (!signal.aborted) {
    try {
      const response = await fetch("/v1/events", {
        headers: { Authorization: `Bearer ${session.token}`, "Last-Event-ID": String(lastId) },
        signal,
      });
      if (!response.ok) throw new ApiError(response.status, null);
      onState(true);
      lastId = await readStream(response.body.getReader(), onEvent, lastId);
    } catch (error) {
      if (signal.aborted) return;
    }
    onState(false);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

async function readStream(reader, onEvent, lastId) {
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return lastId;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const event = parseEvent(buffer.slice(0, cut));
      buffer = buffer.slice(cut + 2);
      if (event) {
        lastId = event.id || lastId;
        onEvent(event);
      }
    }
  }
}

function parseEvent(block) {
  const event = { id: 0, type: "message", data: "" };
  for (const line of block.split("\n")) {
    if (line.startsWith("id: ")) event.id = Number(line.slice(4));
    else if (line.startsWith("event: ")) event.type = line.slice(7);
    else if (line.startsWith("data: ")) event.data += line.slice(6);
  }
  if (!event.data) return null;
  event.data = JSON.parse(event.data);
  return event;
}
