// The three ways bench:probe drives a server, each counting its answers per counted window: full speed (autocannon,
// a fixed number of connections sending as fast as answers come), paced (autocannon at a fixed rate well under the
// server's capacity) and closed loop (a fixed number of users, each waiting for its answer and then thinking).
import autocannon from 'autocannon';
import net from 'node:net';

export type LoadKind = 'full' | 'paced' | 'closed';

export interface LoadSpec {
  kind: LoadKind;
  /** Open connections (full speed, paced) or users (closed loop). */
  connections: number;
  /** Paced: requests per second across the connections. */
  rate?: number;
  /** Closed loop: how long a user waits between an answer and its next request. */
  thinkMs?: number;
}

/** The answers since the last window was taken. */
export interface LoadWindow {
  answers: number;
  /** Non-2xx answers and requests that got no answer. */
  errors: number;
  latenciesMs: number[];
}

export interface RunningLoad {
  takeWindow(): LoadWindow;
  stop(): Promise<void>;
}

export function startLoad(url: string, spec: LoadSpec): RunningLoad {
  return spec.kind === 'closed' ? startClosedLoop(url, spec.connections, spec.thinkMs ?? 0) : startAutocannon(url, spec);
}

class WindowCounter {
  private window: LoadWindow = { answers: 0, errors: 0, latenciesMs: [] };

  answer(status: number, latencyMs: number): void {
    if (status >= 200 && status < 300) this.window.answers++;
    else this.window.errors++;
    this.window.latenciesMs.push(latencyMs);
  }

  error(): void {
    this.window.errors++;
  }

  take(): LoadWindow {
    const taken = this.window;
    this.window = { answers: 0, errors: 0, latenciesMs: [] };
    return taken;
  }
}

// Runs until stopped: the bench decides when windows start and end, so the load is never interrupted between them.
const UNTIL_STOPPED_S = 24 * 3600;

function startAutocannon(url: string, spec: LoadSpec): RunningLoad {
  const counter = new WindowCounter();
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const instance = autocannon(
    { url, connections: spec.connections, duration: UNTIL_STOPPED_S, ...(spec.rate ? { overallRate: spec.rate } : {}) },
    () => finished(),
  );
  instance.on('response', (_client, status: number, _bytes: number, latencyMs: number) => counter.answer(status, latencyMs));
  instance.on('reqError', () => counter.error());
  return {
    takeWindow: () => counter.take(),
    async stop() {
      instance.stop();
      await done;
    },
  };
}

// autocannon has no think time, and Node's HTTP client costs the generator three times what the server spends per
// request, so on a shared core it, not the server, would set the pace: each user holds one keep-alive socket and
// writes a prepared GET on it, reading only the status and Content-Length of each answer.
function startClosedLoop(url: string, users: number, thinkMs: number): RunningLoad {
  const counter = new WindowCounter();
  const { hostname, port, pathname, search } = new URL(url);
  const request = Buffer.from(`GET ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n\r\n`);
  const sockets = new Set<net.Socket>();
  let stopped = false;

  const user = () =>
    new Promise<void>((resolve) => {
      const socket = net.connect(Number(port), hostname);
      sockets.add(socket);
      let buffered = Buffer.alloc(0);
      let sentAt = 0;
      const send = () => {
        if (stopped) return socket.end();
        sentAt = performance.now();
        socket.write(request);
      };
      socket.on('connect', send);
      socket.on('data', (chunk) => {
        buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
        const headEnd = buffered.indexOf('\r\n\r\n');
        if (headEnd < 0) return;
        const head = buffered.subarray(0, headEnd).toString('latin1');
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < headEnd + 4 + length) return;
        counter.answer(Number(head.slice(9, 12)), performance.now() - sentAt);
        buffered = buffered.subarray(headEnd + 4 + length);
        if (thinkMs > 0) setTimeout(send, thinkMs);
        else send();
      });
      socket.on('error', () => counter.error());
      socket.on('close', () => {
        sockets.delete(socket);
        resolve();
      });
    });
  const running = Array.from({ length: users }, user);
  return {
    takeWindow: () => counter.take(),
    async stop() {
      stopped = true;
      for (const socket of sockets) socket.destroy();
      await Promise.all(running);
    },
  };
}
