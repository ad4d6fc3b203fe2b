import ts from 'typescript';
import { existsSync } from 'node:fs';
const root = '/work/wt-s-pkg/';
const pk = ['core', 'node', 'browser', 'emulator', 'aws'];
const entries = [...pk.map((n) => [n, `${root}packages/${n}/src/index.ts`]), ['node/testing', `${root}packages/node/src/testing/index.ts`]].filter(([, p]) => existsSync(p!));
const program = ts.createProgram(entries.map((e) => e[1]!), { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, noEmit: true, skipLibCheck: true, baseUrl: root, paths: Object.fromEntries(pk.map((n) => [`@webcomm/${n}`, [`packages/${n}/src/index.ts`]])) });
const c = program.getTypeChecker();
for (const [n, p] of entries) { const s = program.getSourceFile(p!); const m = s && c.getSymbolAtLocation(s); const names = m ? c.getExportsOfModule(m).map((x) => x.getName()) : []; console.log(n, names.length, process.argv.includes('-v') ? names.sort().join(' ') : ''); }
