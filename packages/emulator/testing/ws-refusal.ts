/** Opens a raw WebSocket and resolves with the HTTP refusal (status and JSON body) of its upgrade. */
import WebSocket from 'ws';

/** The refused upgrade's status and body. */
export interface UpgradeRefusal {
  readonly status: number;
  readonly body: { message?: string; traceId?: string };
}

/** Opens a WebSocket to `url` expecting a refusal; resolves with its status and body, rejects if accepted. */
export function upgradeRefusal(
  url: string,
  options: { ca?: string; headers?: Record<string, string> } = {},
): Promise<UpgradeRefusal> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, ['mqtt'], {
      ...(options.ca ? { ca: options.ca } : {}),
      ...(options.headers ? { headers: options.headers } : {}),
    });
    socket.on('open', () => {
      socket.close();
      reject(new Error('upgrade was accepted'));
    });
    socket.on('error', () => undefined);
    socket.on('unexpected-response', (_request, response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          body: JSON.parse(Buffer.concat(chunks).toString() || '{}') as UpgradeRefusal['body'],
        }),
      );
    });
  });
}
