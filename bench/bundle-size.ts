/**
 * Browser bundle size of minimal apps using @webcomm/browser: esbuild (the one tsup ships),
 * platform browser, ESM, minified, then gzip -9. Prints min and min+gz per app and, from the
 * esbuild metafile, each dependency's minified bytes and its share of the gzip total.
 *
 * Run: pnpm exec tsx bench/bundle-size.ts [--json]
 *
 * Apps (entries are inline, below):
 * - transport-static: webSocketTransport (SigV4) + staticCredentials
 * - transport-cognito: the same + cognitoCredentials (fetch-based Cognito client)
 * - app-mqtt-source: transport-cognito + MQTT.js's MqttClient bundled from its sources
 *   (`mqtt/lib/client`), i.e. the whole client stack minus @webcomm/core's own code
 * - app-mqtt-dist: transport-cognito + `import { MqttClient } from "mqtt"`, which browsers
 *   resolve to MQTT.js's prebuilt dist/mqtt.esm.js (its own polyfills inside)
 * - app-mqtt-source-trimmed: app-mqtt-source with three MQTT.js dependencies swapped for stubs
 *   (`debug` → no-op, `worker-timers` → native timers, `lru-cache` → a Map, which breaks MQTT 5
 *   topic-alias sending): an estimate of what trimming MQTT.js could save, not a shipped setup
 * - sign-cognito: presignIotUrl + cognitoCredentials only (our signing stack without the stream)
 * - sdk-cognito: for reference, @aws-sdk/client-cognito-identity doing the same two calls
 *
 * With `--packed` (needs `pnpm build`): what an app really ships. Every @webcomm package is packed
 * with `pnpm pack`, the tarballs are installed with npm into a fresh project, and esbuild bundles
 * from there (the `browser` export condition, as Vite and webpack pick it):
 * - packed-browser: createBrowserClient from @webcomm/browser alone
 * - packed-browser+core: the same app also importing from @webcomm/core (one copy of core expected)
 * and the browser game (registration + Cognito + SigV4 WebSocket + the client, `connectToService`,
 * a subscribe and a service publish) per engine, each built with esbuild, Vite and webpack
 * (`bench/lib/bundlers.ts`): `game lean` (the browser default) and `game mqtt.js`
 * (`engine: mqttJsEngine`). Goal: ≤ 40 KB min+gz.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { browserVariants } from '../scripts/browser-variants.js';
import { BUNDLERS } from './lib/bundlers.js';
import type { BenchResult } from './lib/report.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const awsSrc = join(root, 'packages/aws/src');
const coreSrc = join(root, 'packages/core/src');

// esbuild is a dependency of tsup (not of the workspace root): resolve it through tsup.
interface Metafile {
  outputs: Record<string, { bytes: number; inputs: Record<string, { bytesInOutput: number }> }>;
}
interface BuildResult {
  outputFiles: { path: string; contents: Uint8Array }[];
  metafile: Metafile;
  warnings: { text: string }[];
}
interface Esbuild {
  build(options: Record<string, unknown>): Promise<BuildResult>;
}
const requireFromRoot = createRequire(join(root, 'package.json'));
const esbuild = createRequire(requireFromRoot.resolve('tsup/package.json'))('esbuild') as Esbuild;

const head = `
import { webSocketTransport, staticCredentials, cognitoCredentials } from '@webcomm/browser';
const endpoint = 'abc-ats.iot.eu-west-1.amazonaws.com';
`;
const apps: Record<string, string> = {
  'transport-static': `${head}
export const transport = webSocketTransport({ endpoint, auth: { type: 'sigv4', credentials: staticCredentials({ accessKeyId: 'A', secretAccessKey: 'S' }) } });
export const open = () => transport.open({ attempt: 1, clientId: 'c', signal: new AbortController().signal });`,
  'transport-cognito': `${head}
const credentials = cognitoCredentials({ identityPoolId: 'eu-west-1:00000000-0000-0000-0000-000000000000' });
export const transport = webSocketTransport({ endpoint, auth: { type: 'sigv4', credentials } });
export const open = () => transport.open({ attempt: 1, clientId: 'c', signal: new AbortController().signal });`,
  'app-mqtt-source': `${head}
import MqttClient from 'mqtt/lib/client';
const credentials = cognitoCredentials({ identityPoolId: 'eu-west-1:00000000-0000-0000-0000-000000000000' });
const transport = webSocketTransport({ endpoint, auth: { type: 'sigv4', credentials } });
export async function start() {
  const link = await transport.open({ attempt: 1, clientId: 'c', signal: new AbortController().signal });
  const client = new MqttClient(() => link.stream, { protocolVersion: 4, reconnectPeriod: 0, clientId: 'c' });
  client.on('message', (topic, payload) => console.log(topic, payload.length));
  client.subscribe('game/#');
  return client;
}`,
  'app-mqtt-dist': `${head}
import mqtt from 'mqtt';
const { MqttClient } = mqtt;
const credentials = cognitoCredentials({ identityPoolId: 'eu-west-1:00000000-0000-0000-0000-000000000000' });
const transport = webSocketTransport({ endpoint, auth: { type: 'sigv4', credentials } });
export async function start() {
  const link = await transport.open({ attempt: 1, clientId: 'c', signal: new AbortController().signal });
  const client = new MqttClient(() => link.stream, { protocolVersion: 4, reconnectPeriod: 0, clientId: 'c' });
  client.subscribe('game/#');
  return client;
}`,
  // What a game ships: the whole client (core + MQTT.js from sources + WebSocket transport).
  'client-static': `
import { createBrowserClient, staticCredentials } from '@webcomm/browser';
export const client = () => createBrowserClient({ endpoint: 'abc-ats.iot.eu-west-1.amazonaws.com', clientId: 'c', auth: { type: 'sigv4', credentials: staticCredentials({ accessKeyId: 'A', secretAccessKey: 'S' }) } });`,
  'client-cognito': `
import { connectToService } from '@webcomm/browser';
export const start = () => connectToService({ serviceUrl: 'https://api.example.com' });`,
  // The peer: MQTT.js's prebuilt browser bundle alone, as \`import mqtt from 'mqtt'\` gives it.
  'peer-mqtt-dist': `
import mqtt from 'mqtt';
export default mqtt;`,
  'sign-cognito': `
import { presignIotUrl, cognitoCredentials } from '@webcomm/browser';
const credentials = cognitoCredentials({ identityPoolId: 'eu-west-1:00000000-0000-0000-0000-000000000000' });
export const sign = async () => presignIotUrl({ endpoint: 'abc-ats.iot.eu-west-1.amazonaws.com', credentials: await credentials() });`,
  'sdk-cognito': `
import { CognitoIdentity } from '@aws-sdk/client-cognito-identity';
const c = new CognitoIdentity({ region: 'eu-west-1' });
export async function creds() {
  const { IdentityId } = await c.getId({ IdentityPoolId: 'x' });
  return c.getCredentialsForIdentity({ IdentityId });
}`,
};

/** Resolves our workspace packages and their subpaths (`@webcomm/core/mqttjs` → `src/mqttjs.ts`) to their TypeScript sources. */
const workspaceSources = {
  name: 'workspace-sources',
  setup(build: {
    onResolve(o: { filter: RegExp }, cb: (a: { path: string }) => { path: string; sideEffects: boolean }): void;
  }) {
    build.onResolve({ filter: /^@webcomm\/(core|aws|browser)(\/[a-z-]+)?$/ }, (args) => {
      const [pkg, sub] = args.path.slice('@webcomm/'.length).split('/');
      // As their package.json says: a path a plugin returns does not get it from there.
      return { path: join(root, 'packages', pkg ?? '', 'src', `${sub ?? 'index'}.ts`), sideEffects: false };
    });
  },
};

/** `node_modules/.pnpm/x@1/node_modules/@scope/name/...` → `@scope/name`; our sources → `@webcomm/x`. */
function packageOf(input: string): string {
  const parts = input.split(/[\\/]/);
  const at = parts.lastIndexOf('node_modules');
  if (at >= 0) {
    const first = parts[at + 1] ?? '?';
    return first.startsWith('@') ? `${first}/${parts[at + 2]}` : first;
  }
  const ws = /packages[\\/]([^\\/]+)[\\/]/.exec(input);
  return ws ? `@webcomm/${ws[1]}` : input;
}

/** Stubs for the trimmed variant (see the header). */
const stubs: Record<string, string> = {
  debug: 'module.exports = () => Object.assign(() => {}, { enabled: false, extend() { return this; } });',
  'worker-timers':
    'module.exports = { setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (h) => clearTimeout(h), setInterval: (f, ms) => setInterval(f, ms), clearInterval: (h) => clearInterval(h) };',
  'lru-cache': 'exports.LRUCache = class LRUCache extends Map {};',
};
const stubPlugin = {
  name: 'stubs',
  setup(build: {
    onResolve(o: { filter: RegExp }, cb: (a: { path: string }) => { path: string; namespace: string }): void;
    onLoad(
      o: { filter: RegExp; namespace: string },
      cb: (a: { path: string }) => { contents: string; loader: string },
    ): void;
  }) {
    build.onResolve({ filter: /^(debug|worker-timers|lru-cache)$/ }, (args) => ({
      path: args.path,
      namespace: 'stub',
    }));
    build.onLoad({ filter: /.*/, namespace: 'stub' }, (args) => ({ contents: stubs[args.path] ?? '', loader: 'js' }));
  },
};

interface Row {
  app: string;
  minBytes: number;
  gzBytes: number;
  byPackage: { name: string; minBytes: number; gzShare: number }[];
  warnings: string[];
}

async function measure(app: string, source: string, extraPlugins: unknown[] = [], resolveDir?: string): Promise<Row> {
  const result = await esbuild.build({
    stdin: { contents: source, resolveDir: resolveDir ?? awsSrc, sourcefile: `${app}.ts`, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    outfile: join(root, 'bench/results', `${app}.js`),
    // From sources, as the packages' `browser` builds are made: browser variants (the lean engine by default).
    plugins: resolveDir === undefined ? [workspaceSources, browserVariants, ...extraPlugins] : extraPlugins,
    logLevel: 'silent',
    // As the package's own browser build does: a module-scoped \`process\` for MQTT.js's sources
    // (installed packages bring their own, so nothing is injected for them).
    inject: resolveDir === undefined && app.startsWith('client-') ? [join(coreSrc, 'process-shim.ts')] : [],
  });
  const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
  if (js === undefined) throw new Error(`no output for ${app}`);
  const minBytes = js.contents.byteLength;
  const gzBytes = gzipSync(js.contents, { level: 9 }).byteLength;
  const totals = new Map<string, number>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOf(relative(root, input).split(sep).join('/'));
      totals.set(name, (totals.get(name) ?? 0) + bytesInOutput);
    }
  }
  const byPackage = [...totals.entries()]
    .filter(([, bytes]) => bytes > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([name, bytes]) => ({ name, minBytes: bytes, gzShare: Math.round((bytes / minBytes) * gzBytes) }));
  return { app, minBytes, gzBytes, byPackage, warnings: result.warnings.map((w) => w.text) };
}

const packedApps: Record<string, string> = {
  'packed-browser': `
import { createBrowserClient, staticCredentials } from '@webcomm/browser';
export const client = () => createBrowserClient({ endpoint: 'abc-ats.iot.eu-west-1.amazonaws.com', clientId: 'c', auth: { type: 'sigv4', credentials: staticCredentials({ accessKeyId: 'A', secretAccessKey: 'S' }) } });`,
  'packed-browser+core': `
import { createBrowserClient, staticCredentials } from '@webcomm/browser';
import { WebcommClient, isWebcommError } from '@webcomm/core';
export const client = () => createBrowserClient({ endpoint: 'abc-ats.iot.eu-west-1.amazonaws.com', clientId: 'c', auth: { type: 'sigv4', credentials: staticCredentials({ accessKeyId: 'A', secretAccessKey: 'S' }) } });
export const isClient = (value: unknown) => value instanceof WebcommClient;
export { isWebcommError };`,
};

/** The browser game per engine (plain JS, so every bundler takes it without a loader); it starts itself, as a game's entry does. */
const gameApps: Record<string, string> = {
  lean: `
import { connectToService } from '@webcomm/browser';
async function start(serviceUrl) {
  const { client } = await connectToService({ serviceUrl, publishChannels: ['chat'] });
  await client.subscribe('news', (message) => console.log(message));
  await client.connect();
  await client.publish('chat', { text: 'hello' });
  return client;
}
void start(location.origin);`,
  'mqtt.js': `
import { connectToService } from '@webcomm/browser';
import { mqttJsEngine } from '@webcomm/core/mqttjs';
async function start(serviceUrl) {
  const { client } = await connectToService({ serviceUrl, publishChannels: ['chat'], engine: mqttJsEngine });
  await client.subscribe('news', (message) => console.log(message));
  await client.connect();
  await client.publish('chat', { text: 'hello' });
  return client;
}
void start(location.origin);`,
};

/** One game bundle: engine × bundler. */
export interface GameRow {
  engine: string;
  bundler: string;
  minBytes: number;
  gzBytes: number;
  error?: string;
}

/** Builds the game for every engine with every bundler in `project` (the packed tarballs installed). */
async function measureGames(project: string): Promise<GameRow[]> {
  const rows: GameRow[] = [];
  for (const [engine, source] of Object.entries(gameApps)) {
    const entry = join(project, `game-${engine.replace('.', '')}.js`);
    writeFileSync(entry, source);
    for (const [bundler, bundle] of Object.entries(BUNDLERS)) {
      try {
        const bytes = await bundle(project, entry);
        rows.push({ engine, bundler, minBytes: bytes.byteLength, gzBytes: gzipSync(bytes, { level: 9 }).byteLength });
      } catch (error) {
        rows.push({
          engine,
          bundler,
          minBytes: Number.NaN,
          gzBytes: Number.NaN,
          error: (error as Error).message.split('\n').slice(0, 4).join(' | '),
        });
      }
    }
  }
  return rows;
}

/** Packs every package, installs the tarballs with npm into a fresh project, bundles the packed apps from it. */
export async function measurePacked(): Promise<Row[]> {
  return (await measurePackedAll()).rows;
}

/** The packed apps (esbuild) and the game per engine × bundler, from one packed install. */
export async function measurePackedAll(): Promise<{ rows: Row[]; games: GameRow[] }> {
  const project = mkdtempSync(join(tmpdir(), 'webcomm-bundle-'));
  try {
    // MQTT.js is an opt-in engine: the game on it needs core's optional peers, as an app would.
    const dependencies: Record<string, string> = {
      ...(
        JSON.parse(readFileSync(join(root, 'packages', 'core', 'package.json'), 'utf8')) as {
          peerDependencies: Record<string, string>;
        }
      ).peerDependencies,
    };
    for (const dir of readdirSync(join(root, 'packages'))) {
      if (dir === 'emulator') continue; // not a browser package
      const out = execFileSync('pnpm', ['pack', '--pack-destination', project], {
        cwd: join(root, 'packages', dir),
        encoding: 'utf8',
      });
      dependencies[`@webcomm/${dir}`] = `file:${out.trim().split('\n').pop() ?? ''}`;
    }
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'bundle-consumer', private: true, dependencies }),
    );
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
      cwd: project,
      stdio: 'pipe',
    });
    const rows: Row[] = [];
    for (const [app, source] of Object.entries(packedApps)) rows.push(await measure(app, source, [], project));
    return { rows, games: await measureGames(project) };
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}

const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;

/** Builds every app and measures it. */
export async function measureAll(): Promise<Row[]> {
  const rows: Row[] = [];
  const variants: [string, string, unknown[]][] = Object.entries(apps).map(([app, source]) => [app, source, []]);
  variants.splice(3, 0, ['app-mqtt-source-trimmed', apps['app-mqtt-source'] ?? '', [stubPlugin]]);
  for (const [app, source, plugins] of variants) {
    try {
      rows.push(await measure(app, source, plugins));
    } catch (error) {
      console.log(`${app}: build failed: ${(error as Error).message.split('\n').slice(0, 6).join(' | ')}`);
    }
  }
  return rows;
}

/** Benchmark 7 for `bench/run.ts`: our whole client, min+gz, against MQTT.js's browser bundle alone. */
export async function bundleSize(): Promise<BenchResult[]> {
  const rows = await measureAll();
  const gz = (app: string): number => (rows.find((r) => r.app === app)?.gzBytes ?? Number.NaN) / 1024;
  const top = (app: string): string =>
    (rows.find((r) => r.app === app)?.byPackage ?? [])
      .slice(0, 6)
      .map((p) => `${p.name} ${kb(p.gzShare)}`)
      .join(', ');
  const peer = gz('peer-mqtt-dist');
  return [
    {
      name: 'browser bundle min+gz, whole client, static credentials',
      unit: 'KB',
      ours: gz('client-static'),
      peerName: "MQTT.js's browser bundle alone",
      peer,
      better: 'lower',
      targetValue: 40,
      details: { largest: top('client-static') },
    },
    {
      name: 'browser bundle min+gz, whole client with Cognito + registration',
      unit: 'KB',
      ours: gz('client-cognito'),
      peerName: "MQTT.js's browser bundle alone",
      peer,
      better: 'lower',
      targetValue: 40,
      details: { largest: top('client-cognito'), 'AWS SDK Cognito client (for reference) KB': gz('sdk-cognito') },
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const packed = process.argv.includes('--packed') ? await measurePackedAll() : undefined;
  const rows = packed?.rows ?? (await measureAll());
  if (packed !== undefined && !process.argv.includes('--json')) {
    console.log('\nbrowser game (connectToService + subscribe + service publish), min+gz, goal ≤ 40 KB:');
    for (const g of packed.games)
      console.log(
        `  ${g.engine.padEnd(8)} ${g.bundler.padEnd(8)} ${g.error === undefined ? `${kb(g.minBytes).padStart(9)} min  ${kb(g.gzBytes).padStart(8)} min+gz` : `failed: ${g.error}`}`,
      );
  }
  if (packed !== undefined && process.argv.includes('--json')) console.log(JSON.stringify(packed.games, null, 2));
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(rows, null, 2));
  } else {
    for (const row of rows) {
      console.log(`\n${row.app}: ${kb(row.minBytes)} min, ${kb(row.gzBytes)} min+gz`);
      for (const p of row.byPackage)
        console.log(`  ${p.name.padEnd(36)} ${kb(p.minBytes).padStart(9)} min  ≈${kb(p.gzShare).padStart(8)} gz`);
      for (const w of row.warnings) console.log(`  warning: ${w}`);
    }
    console.log(
      '\n(gz per package is its share of the minified bytes applied to the gzip total: an estimate; the totals are measured.)',
    );
  }
}
