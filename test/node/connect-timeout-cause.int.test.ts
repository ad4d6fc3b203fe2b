/**
 * A `connect()` timeout says why: the last attempt's failure is in the message and is the
 * `cause`. Real sockets: port 1 on loopback (nothing listens there; binding it needs root) and a
 * server that accepts TCP but never answers.
 */
import { createServer, type Socket } from 'node:net';
import { ERROR_CODES, tcpTransport, WebcommClient, type WebcommError } from '@webcomm/node';
import { afterEach, describe, expect, it } from 'vitest';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function client(port: number, connectTimeoutMs: number): WebcommClient {
  const c = new WebcommClient({
    transport: tcpTransport({ host: '127.0.0.1', port }),
    clientId: 'timeout-cause',
    connectTimeoutMs,
  });
  cleanups.push(() => c.close());
  return c;
}

async function failure(promise: Promise<unknown>): Promise<WebcommError> {
  try {
    await promise;
  } catch (error) {
    return error as WebcommError;
  }
  throw new Error('expected a rejection');
}

describe('connect() timeout', () => {
  it('names the refused port and keeps the socket error as cause', async () => {
    const c = client(1, 300);
    const started = Date.now();
    const error = await failure(c.connect());
    const elapsed = Date.now() - started;
    expect(error.code).toBe(ERROR_CODES.TIMEOUT);
    expect(error.message).toMatch(/^Connecting did not finish within 300 ms; the last attempt failed: /);
    expect(error.message).toContain('Nothing accepts connections at mqtt://127.0.0.1:1 (ECONNREFUSED)');
    const cause = error.cause as WebcommError;
    expect(cause.code).toBe(ERROR_CODES.NETWORK);
    expect((cause.cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    expect(elapsed).toBeLessThan(5_000);
    // The first connection nobody waits for any more stops, with the explained error as reason.
    expect(c.state).toBe('idle');
  });

  it('a per-call timeout is explained the same way', async () => {
    const c = client(1, 60_000);
    const error = await failure(c.connect({ timeoutMs: 200 }));
    expect(error.message).toMatch(/within 200 ms; the last attempt failed: .*ECONNREFUSED/);
  });

  it('says no answer came when the server accepts TCP and stays silent', async () => {
    const held = new Set<Socket>();
    const silent = createServer((socket) => void held.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of held) socket.destroy();
          silent.close(() => resolve());
        }),
    );
    const address = silent.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    const error = await failure(client(address.port, 300).connect());
    expect(error.code).toBe(ERROR_CODES.TIMEOUT);
    expect(error.message).toContain('attempt 1 got no answer yet');
    expect(held.size).toBe(1);
  });
});
