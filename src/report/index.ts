/** The `heapsleuth/report` entry point: the renderers `heapsleuth analyze` and `report` use, for code that judges recordings itself. */
export { renderVerdict, type VerdictRenderOptions } from './terminal-verdict.js';
export { renderHtmlReport, type HtmlReportOptions } from './html.js';
export { shouldUseColor } from './color.js';
