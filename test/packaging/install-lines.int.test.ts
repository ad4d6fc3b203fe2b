/**
 * Every install line in README.md, packages/*\/README.md and docs/*.md works as written in a fresh
 * npm project (a newcomer found `npm install ./packed/webcomm-core-0.1.0.tgz
 * ./packed/webcomm-node-0.1.0.tgz` failing with E404 on `@webcomm/aws`).
 *
 * The packages are packed as `pnpm pack:release` packs them (so run `pnpm build` first, as
 * `pnpm test` does). Each distinct line runs through bash, unchanged, in its own fresh project:
 * - Lines naming `@webcomm/*` from the registry get a local registry for the `@webcomm` scope
 *   (`.npmrc`) that serves the packed tarballs: the registry as it will be after a release.
 * - Lines installing `./packed/*.tgz` get the same scope pointed at a registry that knows no
 *   package (the registry before a release), so a line that leaves out a dependency fails here
 *   as it does for a user; `packed/` holds every tarball, as `pack:release` leaves it.
 * Other dependencies come from npm's cache or the npm registry. Afterwards every `@webcomm`
 * package the line names must load from the project.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

interface InstallLine {
  readonly command: string;
  readonly where: string[];
}

interface Tarball {
  readonly name: string;
  readonly file: string;
  readonly manifest: Record<string, unknown> & { name: string; version: string };
}

function docFiles(): string[] {
  const packageReadmes = readdirSync(join(root, 'packages')).map((name) => `packages/${name}/README.md`);
  const docs = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`);
  return ['README.md', ...packageReadmes, ...docs];
}

const INSTALL = /^(?:npm (?:install|i|add)|pnpm add|yarn add)\b/;

/** Install commands: whole lines in sh blocks and `inline code` in prose, comments dropped. */
function installLines(file: string, text: string): InstallLine[] {
  const found: InstallLine[] = [];
  let inSh = false;
  text.split('\n').forEach((line, index) => {
    const where = `${file}:${index + 1}`;
    if (/^```/.test(line)) inSh = /^```(sh|bash)\b/.test(line);
    else if (inSh) {
      const command = line.replace(/\s+#.*$/, '').trim();
      if (INSTALL.test(command)) found.push({ command, where: [where] });
    } else {
      for (const span of line.matchAll(/`([^`]+)`/g)) {
        const command = (span[1] ?? '').trim();
        if (INSTALL.test(command)) found.push({ command, where: [where] });
      }
    }
  });
  return found;
}

function distinct(lines: InstallLine[]): InstallLine[] {
  const byCommand = new Map<string, InstallLine>();
  for (const line of lines) {
    const seen = byCommand.get(line.command);
    byCommand.set(line.command, seen ? { command: line.command, where: [...seen.where, ...line.where] } : line);
  }
  return [...byCommand.values()];
}

/** The `@webcomm` packages a command installs, by name or by tarball. */
function installedNames(command: string, tarballs: Tarball[]): string[] {
  const words = command.split(/\s+/);
  const named = words.filter((word) => word.startsWith('@webcomm/')).map((word) => word.replace(/@[^@/]*$/, ''));
  const packed = words
    .filter((word) => word.endsWith('.tgz'))
    .map((word) => tarballs.find((t) => basename(t.file) === basename(word))?.name ?? `(no tarball ${word})`);
  return [...named, ...packed];
}

/** A registry for the `@webcomm` scope: packuments and tarballs, or (`known` empty) nothing at all. */
async function startScopeRegistry(known: Tarball[]): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const path = decodeURIComponent((request.url ?? '/').split('?')[0] ?? '/').slice(1);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const tarball = known.find((t) => path === `tarballs/${basename(t.file)}`);
    if (tarball !== undefined) {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      response.end(readFileSync(tarball.file));
      return;
    }
    const versions = known.filter((t) => t.name === path);
    if (versions.length === 0) {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'Not found' }));
      return;
    }
    const packument = {
      name: path,
      'dist-tags': { latest: versions[0]?.manifest.version },
      versions: Object.fromEntries(
        versions.map((t) => {
          const bytes = readFileSync(t.file);
          const dist = {
            tarball: `${base}/tarballs/${basename(t.file)}`,
            integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
            shasum: createHash('sha1').update(bytes).digest('hex'),
          };
          return [t.manifest.version, { ...t.manifest, dist }];
        }),
      ),
    };
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(packument));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

function run(command: string, cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', command], {
      cwd,
      env: {
        ...process.env,
        npm_config_prefer_offline: 'true',
        npm_config_audit: 'false',
        npm_config_fund: 'false',
        npm_config_update_notifier: 'false',
        npm_config_loglevel: 'error',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('close', (code) => resolve({ code, output }));
  });
}

const lines = distinct(docFiles().flatMap((file) => installLines(file, readFileSync(join(root, file), 'utf8'))));
const scratch = mkdtempSync(join(tmpdir(), 'webcomm-install-lines-'));
const tarballs: Tarball[] = [];
let released: { url: string; server: Server };
let unreleased: { url: string; server: Server };

beforeAll(async () => {
  const packed = join(scratch, 'packed');
  mkdirSync(packed);
  for (const dir of readdirSync(join(root, 'packages'))) {
    const out = execFileSync('pnpm', ['pack', '--pack-destination', packed], {
      cwd: join(root, 'packages', dir),
      encoding: 'utf8',
    });
    const file = out.trim().split('\n').pop() ?? '';
    const manifest = JSON.parse(
      execFileSync('tar', ['xzf', file, '-O', 'package/package.json'], { encoding: 'utf8' }),
    ) as Tarball['manifest'];
    tarballs.push({ name: manifest.name, file, manifest });
  }
  released = await startScopeRegistry(tarballs);
  unreleased = await startScopeRegistry([]);
}, 180_000);

afterAll(async () => {
  for (const registry of [released, unreleased]) {
    if (registry === undefined) continue;
    // npm keeps its sockets alive: close them, or close() waits for their idle timeout.
    registry.server.closeAllConnections();
    await new Promise((resolve) => registry.server.close(resolve));
  }
  // Ten projects' node_modules: minutes on a loaded machine.
  await rm(scratch, { recursive: true, force: true });
}, 300_000);

describe('install lines in the docs', () => {
  it('are found (the README has the Node, browser, emulator, backend and packed lines)', () => {
    const commands = lines.map((line) => line.command);
    expect(commands).toContain('npm install @webcomm/node');
    expect(commands).toContain('npm install @webcomm/browser');
    expect(commands.some((command) => command.includes('@webcomm/aws-service'))).toBe(true);
    expect(commands.some((command) => command.includes('./packed/'))).toBe(true);
  });

  it.each(lines.map((line) => [line.command, line] as const))(
    '%s works verbatim in a fresh npm project',
    { timeout: 300_000 },
    async (_command, line) => {
      const project = mkdtempSync(join(scratch, 'project-'));
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'fresh-project', version: '1.0.0' }));
      const fromPacked = line.command.includes('.tgz');
      writeFileSync(join(project, '.npmrc'), `@webcomm:registry=${(fromPacked ? unreleased : released).url}\n`);
      if (fromPacked) {
        mkdirSync(join(project, 'packed'));
        for (const t of tarballs) copyFileSync(t.file, join(project, 'packed', basename(t.file)));
      }
      const { code, output } = await run(line.command, project);
      expect(code, `${line.where.join(', ')}: ${line.command}\n${output}`).toBe(0);
      for (const name of installedNames(line.command, tarballs)) {
        const loaded = await run(`node --input-type=module -e "await import('${name}'); console.log('ok')"`, project);
        expect(loaded.output.trim(), `${line.where.join(', ')}: ${name} does not load\n${loaded.output}`).toBe('ok');
      }
    },
  );
});
