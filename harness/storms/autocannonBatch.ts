// Sends one batch of requests through autocannon's programmatic API and reports each request's outcome. Every
// storm's pacing is built from these short runs: each ends by itself once its requests are answered.
import autocannon from 'autocannon';

export interface StormRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path and query, appended to the base URL's own path. */
  path: string;
  /** Sent as is; an object is sent as JSON. */
  body?: string | object;
  headers?: Record<string, string>;
  /** Counted under this operation kind when it succeeds (2xx). */
  op?: string;
  /** Called with the response body when it succeeds. */
  onOk?: (body: string) => void;
}

export interface RequestOutcome {
  /** null when no response came (refused, reset, timed out). */
  status: number | null;
  latencyMs: number | null;
  body: string;
  /** Why no response came: `timeout`, the socket's error code (ECONNREFUSED, ECONNRESET...) or `connection closed`. */
  error?: string;
}

export interface Batch {
  /** Resolves when every request has its outcome, or after stop(). */
  done: Promise<void>;
  /** Ends the batch within STOP_POLL_MS: open connections are destroyed; unanswered requests get no outcome. */
  stop(): void;
}

// A herd of cron jobs must really arrive together, so a batch opens up to this many connections at once.
const MAX_CONNECTIONS = 16;
// autocannon acts on stop() at its next sample tick; a short tick keeps stops prompt.
const STOP_POLL_MS = 20;
// A naive store rewriting a 100 MB sessions.json can take seconds per request; slow is not failed. A storm's
// `requestTimeout` changes it (at least 1 s: autocannon refuses less).
export const DEFAULT_REQUEST_TIMEOUT_S = 30;

interface InFlight {
  request: StormRequest;
  sentAt: number;
  answered: boolean;
}

export function sendBatch(
  baseUrl: string,
  requests: StormRequest[],
  onOutcome: (request: StormRequest, outcome: RequestOutcome) => void,
  timeoutS = DEFAULT_REQUEST_TIMEOUT_S,
): Batch {
  const queue = [...requests];
  const sent: InFlight[] = [];
  const prefix = new URL(baseUrl).pathname.replace(/\/$/, '');
  let stopped = false;
  // autocannon reconnects after a socket error and reports it per connection, not per request; within one short
  // batch against one address the last error is the reason for the requests left without an answer.
  let lastSocketError: string | undefined;
  let instance: autocannon.Instance | undefined;
  const done = new Promise<void>((resolve) => {
    const finish = () => {
      // A request sent but never answered while the batch ran its course failed; after stop() it was abandoned.
      if (!stopped) {
        const now = performance.now();
        for (const item of sent) {
          if (item.answered) continue;
          const error = now - item.sentAt >= timeoutS * 1000 ? 'timeout' : (lastSocketError ?? 'connection closed');
          onOutcome(item.request, { status: null, latencyMs: null, body: '', error });
        }
      }
      // autocannon has destroyed its sockets; they close at the end of this turn of the event loop, and a timer
      // runs after that, so `done` means no socket is left.
      setTimeout(resolve, 0);
    };
    instance = autocannon(
      {
        url: baseUrl,
        amount: requests.length,
        connections: Math.min(requests.length, MAX_CONNECTIONS),
        sampleInt: STOP_POLL_MS,
        timeout: timeoutS,
        skipAggregateResult: true,
        // The typings list only 'response'; the client emits 'connError' with each socket error (autocannon's httpClient.js).
        setupClient: (client) => {
          (client as NodeJS.EventEmitter).on('connError', (error: NodeJS.ErrnoException) => (lastSocketError = error.code ?? error.message));
        },
        requests: [
          {
            // Called once per request, just before it is written, on the connection that will carry it.
            setupRequest: (defaults: autocannon.Request, context: { item?: InFlight }) => {
              const request = queue.shift() as StormRequest;
              const item: InFlight = { request, sentAt: performance.now(), answered: false };
              sent.push(item);
              context.item = item;
              return { ...defaults, ...wire(request, prefix) };
            },
            onResponse: (status: number, body: string, context: { item?: InFlight }) => {
              const item = context.item as InFlight;
              item.answered = true;
              onOutcome(item.request, { status, latencyMs: performance.now() - item.sentAt, body });
            },
          },
        ],
      },
      (error) => {
        if (error) {
          for (const request of queue.splice(0)) onOutcome(request, { status: null, latencyMs: null, body: String(error), error: error.message });
        }
        finish();
      },
    );
  });
  return {
    done,
    stop() {
      stopped = true;
      instance?.stop();
    },
  };
}

function wire(request: StormRequest, prefix: string): autocannon.Request {
  const headers: Record<string, string> = { ...request.headers };
  let body: string | undefined;
  if (typeof request.body === 'string') body = request.body;
  else if (request.body !== undefined) {
    body = JSON.stringify(request.body);
    headers['content-type'] ??= 'application/json';
  }
  return { method: request.method, path: prefix + request.path, headers, ...(body === undefined ? {} : { body }) };
}
