// Bundles `kyso verify` (dist/cli/verify-bundle.js and the modules it imports) into dist/bundles/verify.js,
// one script the command loads with a V8 code cache (src/cli/load-bundle.ts). Packages and Node's own
// modules stay outside, loaded when used. Runs after tsc, on its output.
import { build } from 'rolldown';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
await build({
  input: path.join(root, 'dist', 'cli', 'verify-bundle.js'),
  platform: 'node',
  external: (id) => !id.startsWith('.') && !path.isAbsolute(id),
  logLevel: 'warn',
  output: { file: path.join(root, 'dist', 'bundles', 'verify.js'), format: 'cjs', sourcemap: true },
});
