import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, startEmulator } from '@webcomm/emulator';

// Smoke tests on Bun and Deno (both from npm, run through npx): a client in that runtime
// registers with the emulator, connects over a signed WebSocket and receives one message
// pushed by the operator. The client is the built packages bundled by esbuild into one module,
// as an app's bundler would (pnpm test builds first).
const script = fileURLToPath(new URL('./smoke-client.mjs', import.meta.url));
const runtimes: Record<string, string[]> = {
  bun: ['-y', 'bun@1', script],
  deno: ['-y', 'deno', 'run', '--allow-net', '--allow-read', '--allow-env', script],
};

const root = fileURLToPath(new URL('../../', import.meta.url));
const requireFromRoot = createRequire(join(root, 'package.json'));
const esbuild = createRequire(requireFromRoot.resolve('tsup/package.json'))('esbuild') as {
  build(options: Record<string, unknown>): Promise<{ outputFiles: { text: string }[] }>;
};

let dataDir = '';
let bundlePath = '';
let emulator: Awaited<ReturnType<typeof startEmulator>>;
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'webcomm-runtimes-'));
  const built = await esbuild.build({
    stdin: {
      contents: "export { connectToService } from '@webcomm/browser';",
      resolveDir: join(root, 'examples'),
      sourcefile: 'client.js',
    },
    // A tsconfig without the workspace's `paths` (those point at the sources): bundle what is built.
    tsconfig: join(root, 'packages/browser/tsconfig.json'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  bundlePath = join(dataDir, 'webcomm-client.mjs');
  writeFileSync(bundlePath, built.outputFiles[0]?.text ?? '');
  emulator = await startEmulator({ dataDir, logger: silentLogger });
});
afterAll(async () => {
  await emulator.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Resolves with the child's stdout once `line` has appeared, or rejects with what it printed. */
function waitForLine(child: ChildProcess, pattern: RegExp, output: { text: string }): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const match = pattern.exec(output.text);
      if (match) resolve(match);
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      output.text += chunk.toString();
      check();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output.text += chunk.toString();
    });
    child.once('exit', (code) => {
      check();
      reject(new Error(`exited with ${String(code)} before ${String(pattern)}:\n${output.text}`));
    });
  });
}

describe.each(Object.keys(runtimes))('on %s', (runtime) => {
  it('a client connects to the emulator and receives one pushed message', async () => {
    const child = spawn('npx', [...(runtimes[runtime] ?? []), emulator.endpoints.http, bundlePath], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = { text: '' };
    try {
      const ready = waitForLine(child, /^READY$/m, output);
      const received = waitForLine(child, /^RECEIVED (.*)$/m, output);
      await ready;
      const response = await fetch(`${emulator.endpoints.http}/admin/publish`, {
        method: 'POST',
        headers: { authorization: `Bearer ${emulator.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ channel: 'announcements', message: { text: `hello ${runtime}` } }),
      });
      expect(response.status).toBe(200);
      expect(JSON.parse((await received)[1] ?? 'null')).toEqual({ text: `hello ${runtime}` });
      const code = await new Promise<number | null>((resolve) =>
        child.exitCode === null ? child.once('exit', resolve) : resolve(child.exitCode),
      );
      expect(code).toBe(0);
    } finally {
      child.kill();
    }
  }, 180_000);
});
