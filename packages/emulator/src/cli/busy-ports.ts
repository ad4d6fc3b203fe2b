/**
 * Which of `serve`'s ports are taken, all at once, before the emulator starts. Starting stops at
 * the first port in use, so a user freeing them one by one met one error per port; a second
 * `webcomm serve` holds all four.
 */
import { createServer } from 'node:net';

/** True when nothing can listen on `host:port` right now (0, any free port, is never busy). */
function portBusy(host: string, port: number): Promise<boolean> {
  if (port === 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE'));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(false)));
  });
}

/** The names of the entries of `ports` that are in use on `host`, in order. */
export async function busyPorts<Name extends string>(
  host: string,
  ports: Readonly<Record<Name, number>>,
): Promise<Name[]> {
  const names = Object.keys(ports) as Name[];
  const busy = await Promise.all(names.map((name) => portBusy(host, ports[name])));
  return names.filter((_name, index) => busy[index]);
}
