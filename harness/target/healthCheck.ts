// Readiness as a resource to poll, as wait-on and start-server-and-test do: a health URL asked again every interval
// until it answers 2xx or 3xx. For targets whose output says nothing reliable about being ready (or no URL at all).
import http from 'node:http';
import https from 'node:https';

export interface HealthPoll {
  /** The full URL asked, e.g. http://127.0.0.1:8080/healthz. */
  url: string;
  intervalMs: number;
  /** Polling ends when this aborts (the start timed out, or the target exited). */
  signal: AbortSignal;
}

/**
 * Resolves true once `url` answers 2xx or 3xx, or false when `signal` aborts first; it never rejects. `onAttempt`
 * hears what each failed attempt got (a status, or the connection error), for the message when time runs out.
 */
export async function pollHealth({ url, intervalMs, signal }: HealthPoll, onAttempt: (outcome: string) => void): Promise<boolean> {
  while (!signal.aborted) {
    const outcome = await askOnce(url, signal);
    if (outcome === 'ok') return true;
    onAttempt(outcome);
    await pause(intervalMs, signal);
  }
  return false;
}

// node:http, not fetch: fetch refuses a list of "bad ports" (6000, 6665-6669, ...) that a gateway may well use.
function askOnce(url: string, signal: AbortSignal): Promise<string> {
  return new Promise((resolve) => {
    const get = url.startsWith('https:') ? https.get : http.get;
    let request: http.ClientRequest;
    try {
      request = get(url, { signal, agent: false, headers: { connection: 'close' } }, (response) => {
        response.resume();
        const status = response.statusCode ?? 0;
        resolve(status >= 200 && status < 400 ? 'ok' : `HTTP ${status}`);
      });
    } catch (err) {
      resolve((err as Error).message);
      return;
    }
    request.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
