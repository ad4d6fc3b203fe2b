import type { IncomingMessage } from 'node:http';

/** Largest request body the emulator's own routes read. */
const MAX_BODY_BYTES = 1_048_576;

/** Reads and parses a JSON request body (empty body → `{}`); rejects over 1 MiB or bad JSON. */
export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('request body over 1 MiB');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text.trim() === '' ? {} : (JSON.parse(text) as unknown);
}
