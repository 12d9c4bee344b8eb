// VS Code only runs extensionTestsPath when some extension is loaded in development mode. When
// the extension under test is an installed .vsix, this empty extension takes that role, so the
// suite runs against the installed package and not against a development copy. Its id differs
// from any real one, so it never shadows the installed extension.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const TEST_HOST_EXTENSION_ID = 'kmemlab-test.vscode-test-host';

export function writeTestHostExtension(parentDir: string): string {
  const dir = path.join(parentDir, 'test-host-extension');
  fs.mkdirSync(dir, { recursive: true });
  const manifest = {
    name: 'vscode-test-host',
    publisher: 'kmemlab-test',
    displayName: 'kmemlab test host (empty)',
    version: '0.0.0',
    engines: { vscode: '*' },
  };
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
}
