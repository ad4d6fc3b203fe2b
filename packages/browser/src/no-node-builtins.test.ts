import { builtinModules } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The shipped sources: everything but tests and test fixtures.
const dir = new URL('./', import.meta.url);
// process-shim.ts is the one exception by design: it *defines* the module-scoped `process` the
// browser bundle injects into MQTT.js (it uses no Node global itself; see the test below).
const SHIM = 'process-shim.ts';
const sources = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.fixture.ts') && f !== SHIM);
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
// Packages that are npm packages too (they ship browser code): allowed only through a dependency.
const alsoOnNpm = new Set(['buffer', 'events', 'process', 'string_decoder', 'punycode', 'util', 'assert', 'url']);

describe('@webcomm/browser sources need no Node built-ins', () => {
  it.each(sources)('%s imports no built-in and uses no Node global', (file) => {
    const text = readFileSync(new URL(file, dir), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    const imports = [...text.matchAll(/(?:from|import|require\()\s*['"]([^'"]+)['"]/g)].map((m) => m[1] as string);
    const bad = imports.filter((name) => builtins.has(name) && !alsoOnNpm.has(name));
    expect(bad).toEqual([]);
    expect(imports.filter((name) => alsoOnNpm.has(name))).toEqual([]);
    expect(text).not.toMatch(/\b(?:Buffer|process|global|__dirname|setImmediate)\b/);
  });

  it('the process shim only declares a module-scoped process and imports nothing', () => {
    const text = readFileSync(new URL(SHIM, dir), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    expect(text).not.toMatch(/\bimport\b|\brequire\(|globalThis|\bBuffer\b/);
    expect(text).toMatch(/export const process = \{/);
  });

  it('checks a real list', () => {
    expect(sources).toContain('websocket-stream.ts');
    expect(sources.length).toBeGreaterThan(10);
  });
});
