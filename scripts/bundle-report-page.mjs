// Bundles the report page's script (src/report/page/, type-checked by its own tsconfig in
// `npm run build`) into one IIFE that src/report/html.ts inlines into every HTML report.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const repo = (path) => fileURLToPath(new URL(`../${path}`, import.meta.url));

await build({
  entryPoints: [repo('src/report/page/main.ts')],
  outfile: repo('dist/src/report/report-page.iife.js'),
  tsconfig: repo('src/report/page/tsconfig.json'),
  bundle: true,
  format: 'iife',
  target: 'es2020',
  platform: 'browser',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
