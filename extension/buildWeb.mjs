// Bundles the browser entry (webEntry.ts → dist/web/extension.js, package.json "browser").
// It is separate from build.mjs only because @vscode/debugadapter needs Node's `events` and `url`
// in a browser, which these aliases supply (extension/shims); build.mjs can take this entry over
// once it carries the same aliases.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

process.chdir(fileURLToPath(new URL('..', import.meta.url)));
await build({
  entryPoints: ['extension/webEntry.ts'],
  outfile: 'dist/web/extension.js',
  bundle: true,
  platform: 'browser',
  format: 'cjs',
  target: 'es2022',
  external: ['vscode'],
  alias: { events: './extension/shims/events.ts', url: './extension/shims/url.ts' },
  sourcemap: true,
  minify: false,
  logLevel: 'warning',
});
