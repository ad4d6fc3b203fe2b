/**
 * Every code snippet in README.md, packages/*\/README.md and docs/*.md runs as written.
 *
 * - ```ts blocks run with tsx (from test/docs/.snippets/, gitignored), each in its own process
 *   and working directory, with HOME pointed at a temporary directory (the Node client caches its
 *   certificate under ~/.webcomm). The snippets target the documented `webcomm serve` ports; this
 *   test does not bind those (other suites and a developer's own `pnpm emulator` may hold them):
 *   it starts the emulator from code on free ports and rewrites `127.0.0.1:8080` (and 8443, 8883)
 *   to the real ports before running. `port: 1883` in the core README (any MQTT broker) becomes a
 *   plain aedes broker's port. A prelude defines the app functions the snippets call
 *   (showBanner, reloadContent, reconnectNow, checkLinkByWallClock) and gives Node 20 a
 *   WebSocket (the `ws` package; Node 22+ has one); the process exits once the snippet's top-level
 *   code has finished, so a snippet that stays connected (as an app would) still ends.
 *   `WEBCOMM_ADMIN_TOKEN` is the emulator's token, as the docs tell the operator to set it.
 * - ```sh blocks: the lines that run the `webcomm` CLI (other than `serve`, a server on the fixed
 *   ports, which packages/emulator/src/cli/cli.int.test.ts runs on free ones) run through bash in a
 *   directory whose `.webcomm-data` is the emulator's data directory (the CLI's default), so
 *   `webcomm channels` finds it exactly as written. Install lines run in
 *   test/packaging/install-lines.int.test.ts; demo, test and `pnpm emulator`
 *   lines do not run here: they download, build or start the fixed-port server.
 * - A block whose info string says `no-run` is skipped: the CDK app in docs/deploying-to-aws.md (it needs
 *   a project with a lock file around it; examples/aws-deploy, run by `pnpm synth`, is that code in one).
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { silentLogger, startEmulator, type RunningEmulator } from '@webcomm/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../helpers/broker.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const snippetDir = join(root, 'test/docs/.snippets');
const cli = join(root, 'packages/emulator/src/cli/main.ts');
// tsx by path: the snippets run in their own directories, where `--import tsx` would not resolve.
const tsx = pathToFileURL(createRequire(join(root, 'package.json')).resolve('tsx')).href;

interface Snippet {
  readonly file: string;
  readonly line: number;
  readonly lang: 'ts' | 'sh';
  readonly code: string;
}

async function docFiles(): Promise<string[]> {
  const packages = await readdir(join(root, 'packages'));
  const docs = (await readdir(join(root, 'docs'))).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`);
  return ['README.md', ...packages.map((name) => `packages/${name}/README.md`), ...docs];
}

function extract(file: string, text: string): Snippet[] {
  const snippets: Snippet[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const open = /^```(ts|sh)(\s+.*)?$/.exec(lines[i] ?? '');
    if (open === null) continue;
    const start = i;
    const body: string[] = [];
    for (i += 1; i < lines.length && lines[i] !== '```'; i += 1) body.push(lines[i] ?? '');
    if ((open[2] ?? '').includes('no-run')) continue;
    snippets.push({ file, line: start + 1, lang: open[1] as 'ts' | 'sh', code: body.join('\n') });
  }
  return snippets;
}

const CLI_LINE = /^(?:npx -y pnpm@10\.34\.8 -s |npx )?webcomm (?!serve\b)/;

/** The CLI lines of an sh block, each as a bash command using the CLI from the sources. */
function cliLines(code: string): string[] {
  return code
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .flatMap((line) => (line.split(/\s*\|\s*/).some((part) => CLI_LINE.test(part)) ? [line] : []))
    .map((line) =>
      line
        .split(/(\s*\|\s*)/)
        .map((part) => part.replace(CLI_LINE, `${JSON.stringify(process.execPath)} --import ${tsx} ${cli} `))
        .join(''),
    );
}

let emulator: RunningEmulator;
let broker: TestBroker;
let work = '';

function rewrite(code: string): string {
  const { ports } = emulator.endpoints;
  return code
    .replaceAll('127.0.0.1:8080', `127.0.0.1:${ports.http}`)
    .replaceAll('127.0.0.1:8443', `127.0.0.1:${ports.https}`)
    .replaceAll('127.0.0.1:8883', `127.0.0.1:${ports.mqtts}`)
    .replaceAll('port: 1883', `port: ${broker.port}`);
}

const PRELUDE = `
const g = globalThis as Record<string, unknown>;
g.showBanner = (text: string) => console.log('banner:', text);
g.reloadContent = (version: number) => console.log('reload content', version);
g.reconnectNow = () => undefined;
g.checkLinkByWallClock = () => undefined;
if (typeof g.WebSocket === 'undefined') g.WebSocket = (await import('ws')).WebSocket;
`;

function run(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });
}

const all: Snippet[] = [];
for (const file of await docFiles()) {
  const text = await readFile(join(root, file), 'utf8').catch(() => undefined);
  if (text !== undefined) all.push(...extract(file, text));
}
const tsSnippets = all.filter((s) => s.lang === 'ts');
const shSnippets = all.filter((s) => s.lang === 'sh' && cliLines(s.code).length > 0);

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'webcomm-snippets-'));
  emulator = await startEmulator({ dataDir: join(work, '.webcomm-data'), logger: silentLogger });
  broker = await startBroker();
  await mkdir(snippetDir, { recursive: true });
}, 60_000);

afterAll(async () => {
  await broker?.stop();
  await emulator?.stop();
  if (work) await rm(work, { recursive: true, force: true });
  await rm(snippetDir, { recursive: true, force: true });
});

describe('documented snippets run as written', { timeout: 120_000 }, () => {
  it('finds the snippets (ts in every README and doc that has code; webcomm CLI lines in docs/emulator.md)', () => {
    expect(tsSnippets.length).toBeGreaterThanOrEqual(9);
    expect(shSnippets.map((s) => s.file)).toContain('docs/emulator.md');
  });

  it.each(tsSnippets.map((s) => [`${s.file}:${s.line}`, s] as const))('ts %s', async (_name, snippet) => {
    const id = `${snippet.file.replace(/[^a-z0-9]+/gi, '-')}-${snippet.line}`;
    const cwd = join(work, id);
    const home = join(cwd, 'home');
    await mkdir(home, { recursive: true });
    // A snippet that reads the running emulator's endpoints.json (as a backend next to `pnpm emulator`
    // does) finds the data directory where `webcomm serve` keeps it; snippets starting their own don't.
    if (snippet.code.includes('.webcomm-data/endpoints.json'))
      await symlink(join(work, '.webcomm-data'), join(cwd, '.webcomm-data'));
    const body = join(snippetDir, `${id}.ts`);
    const entry = join(snippetDir, `${id}.run.ts`);
    await writeFile(body, `${rewrite(snippet.code)}\nexport {};\n`);
    await writeFile(entry, `${PRELUDE}\nawait import(${JSON.stringify(body)});\nprocess.exit(0);\n`);
    const result = await run(process.execPath, ['--import', tsx, entry], cwd, {
      HOME: home,
      TSX_TSCONFIG_PATH: join(root, 'tsconfig.json'),
      WEBCOMM_ADMIN_TOKEN: emulator.adminToken,
    });
    expect(result.code, `${snippet.file}:${snippet.line} failed:\n${result.stderr}\n${result.stdout}`).toBe(0);
  });

  it.each(shSnippets.map((s) => [`${s.file}:${s.line}`, s] as const))('sh %s', async (_name, snippet) => {
    const cwd = join(work, 'sh');
    await mkdir(cwd, { recursive: true });
    await symlink(join(work, '.webcomm-data'), join(cwd, '.webcomm-data')).catch(() => undefined);
    for (const line of cliLines(snippet.code)) {
      const result = await run('bash', ['-o', 'pipefail', '-c', line], cwd, {
        TSX_TSCONFIG_PATH: join(root, 'tsconfig.json'),
        WEBCOMM_URL: '',
        WEBCOMM_ADMIN_TOKEN: '',
      });
      expect(result.code, `${snippet.file}:${snippet.line}: ${line}\n${result.stderr}`).toBe(0);
    }
  });
});
