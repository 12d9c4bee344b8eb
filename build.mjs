// Bundles what VS Code loads (the extension for desktop and web, the debug adapter) with esbuild.
// The engine and the tests are compiled by tsc into out/; this only adds the bundles in dist/.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const entries = [
  { in: 'extension/extension.ts', out: 'dist/extension.js', platform: 'node' },
  { in: 'extension/adapterMain.ts', out: 'dist/adapter.js', platform: 'node' },
  // @vscode/debugadapter needs Node's `events` and `url`; in a browser these shims supply them.
  { in: 'extension/web.ts', out: 'dist/web/extension.js', platform: 'browser', alias: { events: './extension/shims/events.ts', url: './extension/shims/url.ts' } },
];

for (const e of entries) {
  if (!existsSync(e.in)) continue;
  await build({
    entryPoints: [e.in],
    outfile: e.out,
    bundle: true,
    platform: e.platform,
    format: 'cjs',
    target: e.platform === 'node' ? 'node18' : 'es2022',
    external: ['vscode'],
    sourcemap: true,
    minify: false,
    logLevel: 'warning',
    ...(e.alias ? { alias: e.alias } : {}),
  });
}
