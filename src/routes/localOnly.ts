// The gateway listens on loopback, but a web page open in the user's browser can still reach it: by DNS rebinding
// (a hostile name resolving to 127.0.0.1, sent as the Host header) or by a cross-origin form post. Every request
// must name a loopback host, and a write that carries an Origin must come from the gateway's own origin.
import type { FastifyInstance, FastifyRequest } from 'fastify';

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);
// Browsers send Origin on cross-origin reads too, but cannot read the answer without CORS headers, which are never sent.
const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

export class ForbiddenRequestError extends Error {
  constructor(
    readonly code: 'host_not_allowed' | 'cross_origin_write',
    message: string,
  ) {
    super(message);
    this.name = 'ForbiddenRequestError';
  }
}

/** The host part of a Host header (`127.0.0.1:8080`, `[::1]:8080`, `localhost`), lower-cased. */
function hostNameOf(host: string): string {
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0];
  return name.toLowerCase();
}

function checkRequest(request: FastifyRequest): void {
  const host = request.headers.host ?? '';
  if (!LOOPBACK_HOSTS.has(hostNameOf(host))) {
    const why = `Host ${JSON.stringify(host)} is not a loopback address; the gateway answers only 127.0.0.1, localhost and [::1]`;
    throw new ForbiddenRequestError('host_not_allowed', why);
  }
  const origin = request.headers.origin;
  if (origin === undefined || READ_METHODS.has(request.method)) return;
  let originHost: string | undefined;
  try {
    const url = new URL(origin);
    originHost = url.protocol === 'http:' ? url.host : undefined;
  } catch {
    originHost = undefined; // `null` (a sandboxed frame, a file:// page) or garbage
  }
  if (originHost?.toLowerCase() !== host.toLowerCase()) {
    throw new ForbiddenRequestError('cross_origin_write', `a ${request.method} from origin ${JSON.stringify(origin)} is refused: writes are taken only from http://${host}`);
  }
}

export function refuseNonLocalRequests(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => checkRequest(request));
}
