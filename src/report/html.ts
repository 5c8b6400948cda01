import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Recording } from '../formats/recording.js';
import type { Verdict } from '../analysis/verdict.js';
import { buildReportData } from './report-data.js';
import { REPORT_CSS } from './html-style.js';

const require = createRequire(import.meta.url);

/** The page's script (src/report/page/), bundled by `npm run build` next to this module. */
const PAGE_SCRIPT = new URL('./report-page.iife.js', import.meta.url);
let pageScript: string | undefined;

export interface HtmlReportOptions {
  /** When the report was made (default now); fixed in tests. */
  now?: Date;
}

/**
 * One self-contained HTML file: the data as JSON, uPlot and the page's own script
 * inlined, no request to anything. A Content-Security-Policy allows only these exact
 * scripts (by hash) and no network access, so even a name that slipped through as
 * markup could neither run nor load anything.
 */
export function renderHtmlReport(verdict: Verdict, recordings: Recording[], options: HtmlReportOptions = {}): string {
  const data = buildReportData(verdict, recordings, options.now);
  const scripts = [readAsset('uplot/dist/uPlot.iife.min.js'), readPageScript()].map(inlineScript);
  const styles = readAsset('uplot/dist/uPlot.min.css') + REPORT_CSS;
  const csp = [
    "default-src 'none'",
    `script-src ${scripts.map((script) => `'sha256-${createHash('sha256').update(script).digest('base64')}'`).join(' ')}`,
    "style-src 'unsafe-inline'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const title = `heapsleuth: ${verdict.verdict} · ${verdict.service}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="heapsleuth">
<title>${escapeHtml(title)}</title>
<style>${styles}</style>
</head>
<body>
<main id="report"><noscript><p>This report draws its charts and tables with JavaScript; open it in a browser with scripts enabled.</p></noscript></main>
<script type="application/json" id="heapsleuth-data">${jsonForScript(data)}</script>
${scripts.map((script) => `<script>${script}</script>`).join('\n')}
</body>
</html>
`;
}

function readAsset(specifier: string): string {
  return readFileSync(require.resolve(specifier), 'utf8');
}

function readPageScript(): string {
  try {
    pageScript ??= readFileSync(PAGE_SCRIPT, 'utf8');
  } catch (error) {
    throw new Error(`the report page's script ${fileURLToPath(PAGE_SCRIPT)} is missing: a checkout builds it with 'npm run build'`, { cause: error });
  }
  return pageScript;
}

/** JSON that cannot end its script element or start markup: `<`, `>`, `&` and the JS line separators escaped. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Script text that cannot close its element early. */
function inlineScript(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
