import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The release path as a consumer meets it: every package is packed with `pnpm pack` (which
// turns `workspace:*` into real versions), the tarballs are installed with plain npm into a
// fresh project outside the workspace, and every entry of every `exports` map is loaded
// from ESM and from CJS and used. This catches a broken `exports` map, a file missing from
// `files`, a dependency left undeclared, or a `workspace:` range that npm cannot resolve.
const root = fileURLToPath(new URL('../../', import.meta.url));
// @webcomm/service is the emulator's dependency (aws-service, the CDK package, is not installed here).
const packageDirs = ['core', 'aws', 'node', 'browser', 'service', 'emulator'];

interface Packed {
  name: string;
  dir: string;
  tarball: string;
  entries: string[];
}

let project = '';
const packed: Packed[] = [];

function exportEntries(manifest: { name: string; exports: Record<string, unknown> }): string[] {
  return Object.keys(manifest.exports)
    .filter((key) => key !== './package.json')
    .map((key) => (key === '.' ? manifest.name : `${manifest.name}/${key.slice(2)}`));
}

function run(script: string, type: 'module' | 'commonjs'): string {
  return execFileSync(process.execPath, [`--input-type=${type}`, '-e', script], {
    cwd: project,
    encoding: 'utf8',
  }).trim();
}

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'webcomm-packed-'));
  for (const name of packageDirs) {
    const dir = join(root, 'packages', name);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      name: string;
      exports: Record<string, unknown>;
    };
    const out = execFileSync('pnpm', ['pack', '--pack-destination', project], { cwd: dir, encoding: 'utf8' });
    packed.push({
      name: manifest.name,
      dir,
      tarball: out.trim().split('\n').pop() ?? '',
      entries: exportEntries(manifest),
    });
  }
  // MQTT.js is an opt-in engine: an app that picks it installs core's optional peers, as here.
  const corePeers = (
    JSON.parse(readFileSync(join(root, 'packages', 'core', 'package.json'), 'utf8')) as {
      peerDependencies: Record<string, string>;
    }
  ).peerDependencies;
  const dependencies = {
    ...corePeers,
    ...Object.fromEntries(packed.map((p) => [p.name, `file:${p.tarball}`])),
  };
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'packed-consumer', private: true, dependencies }),
  );
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
    cwd: project,
    stdio: 'pipe',
  });
}, 300_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('packed packages install with npm', () => {
  it('every tarball carries its README and LICENSE, and no workspace: range', () => {
    for (const p of packed) {
      const listing = execFileSync('tar', ['tzf', p.tarball], { encoding: 'utf8' }).split('\n');
      expect(listing, p.name).toContain('package/LICENSE');
      expect(listing, p.name).toContain('package/README.md');
      const manifest = execFileSync('tar', ['xzf', p.tarball, '-O', 'package/package.json'], { encoding: 'utf8' });
      expect(manifest, p.name).not.toMatch(/workspace:/);
    }
  });

  it('installs the packages themselves, not copies fetched from a registry', () => {
    const installed = readdirSync(join(project, 'node_modules', '@webcomm')).sort();
    expect(installed).toEqual(['aws', 'browser', 'core', 'emulator', 'node', 'service']);
  });

  // Two node processes per entry: a generous budget on a loaded machine.
  it('every entry loads from ESM and CJS with the same export names', { timeout: 120_000 }, () => {
    const entries = packed.flatMap((p) => p.entries);
    expect(entries.length).toBeGreaterThanOrEqual(5);
    for (const entry of entries) {
      const esm = run(
        `const m = await import('${entry}'); console.log(JSON.stringify(Object.keys(m).filter((k) => k !== 'default').sort()));`,
        'module',
      );
      const cjs = run(`const m = require('${entry}'); console.log(JSON.stringify(Object.keys(m).sort()));`, 'commonjs');
      const names = JSON.parse(esm) as string[];
      expect(names.length, entry).toBeGreaterThan(0);
      expect(JSON.parse(cjs), entry).toEqual(names);
    }
  });

  /** esbuild, as an app's build runs it on the installed packages (`browser` conditions); `inputs`: the files in the output. */
  async function bundleApp(
    contents: string,
    minify = false,
  ): Promise<{ text: string; bytes: Uint8Array; inputs: string[] }> {
    const requireFromRoot = createRequire(join(root, 'package.json'));
    const esbuild = createRequire(requireFromRoot.resolve('tsup/package.json'))('esbuild') as {
      build(options: Record<string, unknown>): Promise<{
        outputFiles: { text: string; contents: Uint8Array }[];
        metafile: { outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }> };
      }>;
    };
    const result = await esbuild.build({
      stdin: { contents, resolveDir: project, sourcefile: 'app.js' },
      bundle: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      metafile: true,
      logLevel: 'silent',
      absWorkingDir: project,
      minify,
    });
    const out = result.outputFiles[0];
    // The files that put bytes in the output (the metafile's `inputs` also lists files read and then tree-shaken away).
    const inputs = Object.values(result.metafile.outputs).flatMap((o) =>
      Object.entries(o.inputs)
        .filter(([, i]) => i.bytesInOutput > 0)
        .map(([name]) => name),
    );
    return { text: out?.text ?? '', bytes: out?.contents ?? new Uint8Array(), inputs };
  }
  const fromPackage = (inputs: string[], name: string): string[] =>
    inputs.filter((input) => input.startsWith(`node_modules/${name}/`));

  it('a browser app importing @webcomm/browser and @webcomm/core bundles one copy of each package, with no polyfills and no MQTT.js (the lean engine)', async () => {
    const { text, inputs } = await bundleApp(
      "export { createBrowserClient } from '@webcomm/browser'; export { WebcommClient } from '@webcomm/core'; export { ManualClock } from '@webcomm/core/testing';",
    );
    const webcomm = inputs.filter((input) => input.includes('node_modules/@webcomm/'));
    const packages = new Set(
      webcomm.map((input) => /node_modules\/(@webcomm\/[^/]+)\/dist\/(browser\/)?/.exec(input)?.[0]),
    );
    expect([...packages].sort()).toEqual([
      'node_modules/@webcomm/aws/dist/browser/',
      'node_modules/@webcomm/browser/dist/',
      'node_modules/@webcomm/core/dist/browser/',
    ]);
    // core's browser entries share chunks: its error class (and so all of core) is there once.
    expect(text.split('webcomm.error').length).toBe(2);
    expect(fromPackage(inputs, 'mqtt')).toEqual([]);
    expect(inputs.filter((input) => input.endsWith('@webcomm/core/dist/browser/mqttjs.js'))).toEqual([]);
    for (const shared of ['readable-stream', 'buffer', 'events'])
      expect(fromPackage(inputs, shared), shared).toEqual([]);
    // A require() esbuild could not turn into an import would throw in a browser.
    expect(text).not.toContain('Dynamic require of');
  });

  it('an app that picks mqttJsEngine gets MQTT.js with the shared stream packages, still one copy of core', async () => {
    const { text, inputs } = await bundleApp(
      "export { createBrowserClient } from '@webcomm/browser'; export { mqttJsEngine } from '@webcomm/core/mqttjs'; export { WebcommClient } from '@webcomm/core';",
    );
    expect(text.split('webcomm.error').length).toBe(2);
    expect(inputs.filter((input) => input.endsWith('@webcomm/core/dist/browser/mqttjs.js'))).toHaveLength(1);
    for (const shared of ['readable-stream', 'buffer', 'events'])
      expect(fromPackage(inputs, shared).length, shared).toBeGreaterThan(0);
    expect(text).not.toContain('Dynamic require of');
  });

  it('the browser game (registration + Cognito + SigV4 WebSocket + the client) is at most 40 KB min+gz', async () => {
    const { bytes } = await bundleApp(
      `
import { connectToService } from '@webcomm/browser';
const { client } = await connectToService({ serviceUrl: location.origin, publishChannels: ['chat'] });
await client.subscribe('news', (message) => console.log(message));
await client.connect();
await client.publish('chat', { text: 'hello' });`,
      true,
    );
    const kb = gzipSync(bytes, { level: 9 }).byteLength / 1024;
    expect(kb).toBeGreaterThan(10); // the whole client really is in it
    expect(kb).toBeLessThanOrEqual(40);
  });

  it('a typed error from the installed core carries its code, from ESM and CJS', () => {
    const check = `if (!(e instanceof m.WebcommError) || e.code !== 'WEBCOMM_INVALID_OPTION') throw new Error('bad error'); console.log('ok');`;
    const make = `const e = new m.WebcommError(m.ERROR_CODES.INVALID_OPTION, 'x');`;
    expect(run(`const m = await import('@webcomm/node'); ${make} ${check}`, 'module')).toBe('ok');
    expect(run(`const m = require('@webcomm/browser'); ${make} ${check}`, 'commonjs')).toBe('ok');
  });

  it('the installed emulator starts, serves its API and stops, from ESM and CJS', { timeout: 60_000 }, () => {
    const script = (load: string): string => `
      const { startEmulator, silentLogger } = ${load};
      const { mkdtempSync } = require('node:fs'); const { join } = require('node:path'); const { tmpdir } = require('node:os');
      (async () => {
        const emulator = await startEmulator({ dataDir: mkdtempSync(join(tmpdir(), 'packed-emu-')), logger: silentLogger });
        try {
          const response = await fetch(emulator.endpoints.http + '/admin/channels', { headers: { authorization: 'Bearer ' + emulator.adminToken } });
          const body = await response.json();
          if (response.status !== 200 || !Array.isArray(body.channels)) throw new Error('unexpected ' + response.status);
          console.log('ok');
        } finally { await emulator.stop(); }
      })().catch((e) => { console.error(e); process.exit(1); });`;
    expect(
      run(
        `const require = (await import('node:module')).createRequire(import.meta.url); ${script("await import('@webcomm/emulator')")}`,
        'module',
      ),
    ).toBe('ok');
    expect(run(script("require('@webcomm/emulator')"), 'commonjs')).toBe('ok');
  });
});
