/** The report's stylesheet: light and dark themes through CSS variables the charts read too. */
export const REPORT_CSS = String.raw`
:root {
  color-scheme: light dark;
  --bg: #f4f6f9; --panel: #ffffff; --fg: #18202c; --muted: #5d6879; --faint: #8a94a6;
  --border: #e1e6ee; --grid: rgba(24, 32, 44, 0.07); --hover: #f1f5fb; --code-bg: #f3f5f8;
  --leak: #d2383b; --leak-bg: #fdecec; --ok: #1d8f4e; --ok-bg: #e7f6ee; --warn: #b7791f; --warn-bg: #fdf4e3;
  --accent: #2f6bd9;
  --c-rss: #2f6bd9; --c-heapTotal: #9aa6ba; --c-heapUsed: #12a18b; --c-external: #e07b24; --c-arrayBuffers: #9b51e0; --c-nativeGap: #d2383b;
  --gc: rgba(93, 104, 121, 0.55);
  --sans: system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', 'Noto Sans', 'DejaVu Sans', sans-serif;
  --mono: ui-monospace, 'SFMono-Regular', 'SF Mono', Menlo, Consolas, 'Liberation Mono', 'DejaVu Sans Mono', monospace;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0e1218; --panel: #161c25; --fg: #e4e8ef; --muted: #9ba6b8; --faint: #6f7a8c;
    --border: #253041; --grid: rgba(228, 232, 239, 0.08); --hover: #1c2430; --code-bg: #111720;
    --leak: #f06a6c; --leak-bg: #3a1d20; --ok: #4cc07f; --ok-bg: #16301f; --warn: #e0a84a; --warn-bg: #352a15;
    --accent: #6d9cf2;
    --c-rss: #6d9cf2; --c-heapTotal: #6c778a; --c-heapUsed: #3fcfb4; --c-external: #f29b4f; --c-arrayBuffers: #b98af0; --c-nativeGap: #f06a6c;
    --gc: rgba(155, 166, 184, 0.55);
  }
}
* { box-sizing: border-box; }
html { background: var(--bg); }
body { margin: 0; font: 14px/1.5 var(--sans); color: var(--fg); background: var(--bg); -webkit-font-smoothing: antialiased; }
main { max-width: 1180px; margin: 0 auto; padding: 20px 24px 48px; }
header.top { display: flex; align-items: baseline; gap: 12px; padding: 4px 0 16px; color: var(--muted); }
header.top .brand { font-weight: 700; color: var(--fg); letter-spacing: 0.2px; }
header.top .brand::before { content: ''; display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 8px; background: var(--accent); }
header.top .spacer { flex: 1; }
h2 { font-size: 15px; font-weight: 650; margin: 0 0 4px; }
.panel { background: var(--panel); border: 1px solid var(--border); border-radius: 10px; padding: 18px 20px; margin: 0 0 18px; }
.panel > .sub { color: var(--muted); font-size: 13px; margin: 0 0 14px; }
.verdict-head { display: flex; align-items: center; gap: 14px; flex-wrap: wrap; }
.badge { font-weight: 750; font-size: 13px; letter-spacing: 0.6px; padding: 4px 10px; border-radius: 6px; text-transform: uppercase; }
.badge.leak { color: var(--leak); background: var(--leak-bg); }
.badge.no-leak { color: var(--ok); background: var(--ok-bg); }
.badge.inconclusive { color: var(--warn); background: var(--warn-bg); }
.verdict-title { font-size: 20px; font-weight: 650; }
.verdict-meta { color: var(--muted); font-size: 13px; }
.verdict-summary { margin: 10px 0 16px; font-size: 15px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; }
.card { border: 1px solid var(--border); border-radius: 8px; padding: 10px 12px; }
.card .k { color: var(--muted); font-size: 12px; }
.card .v { font-size: 18px; font-weight: 650; font-variant-numeric: tabular-nums; }
.card .d { font-size: 12px; color: var(--muted); font-variant-numeric: tabular-nums; }
.card.bad { border-color: var(--leak); }
.card.bad .d { color: var(--leak); font-weight: 600; }
ul.findings { margin: 14px 0 0; padding: 0; list-style: none; }
ul.findings li { padding: 6px 0 6px 12px; border-left: 3px solid var(--border); margin: 4px 0; }
ul.findings li.leak { border-left-color: var(--leak); }
ul.findings li.warn { border-left-color: var(--warn); color: var(--muted); }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th { text-align: left; font-size: 12px; font-weight: 600; color: var(--muted); padding: 6px 10px; border-bottom: 1px solid var(--border); white-space: nowrap; }
td { padding: 8px 10px; border-bottom: 1px solid var(--border); vertical-align: middle; }
th.num, td.num { text-align: right; white-space: nowrap; }
tbody tr:last-child td { border-bottom: none; }
.site .fn { font-weight: 600; word-break: break-all; }
.site .loc, .mono { font-family: var(--mono); font-size: 12.5px; color: var(--muted); word-break: break-all; }
tr.suspect { cursor: pointer; }
tr.suspect:hover, tr.suspect:focus { background: var(--hover); outline: none; }
tr.suspect td.toggle { width: 24px; color: var(--faint); }
tr.suspect td.toggle::before { content: '▸'; display: inline-block; transition: transform 0.12s; }
tr.suspect[aria-expanded='true'] td.toggle::before { transform: rotate(90deg); }
.rate { color: var(--leak); font-weight: 650; }
.neg { color: var(--ok); }
tr.detail > td { background: var(--code-bg); padding: 14px 16px 16px; }
.detail-grid { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 18px; }
@media (max-width: 860px) { .detail-grid { grid-template-columns: minmax(0, 1fr); } }
.detail h3 { font-size: 12px; font-weight: 600; color: var(--muted); margin: 0 0 6px; text-transform: uppercase; letter-spacing: 0.5px; }
ol.traceback { margin: 0; padding: 0; list-style: none; font-family: var(--mono); font-size: 12.5px; }
ol.traceback li { padding: 3px 0 3px 10px; border-left: 2px solid var(--border); }
ol.traceback li:first-child { border-left-color: var(--leak); }
ol.traceback .fn { color: var(--fg); font-weight: 600; }
ol.traceback .loc { color: var(--muted); }
ol.traceback li.origin-package .fn, ol.traceback li.origin-runtime .fn { font-weight: 400; color: var(--muted); }
ol.traceback li.origin-app { border-left-color: var(--fg); }
ol.traceback li.boundary { border-left: none; padding-left: 0; color: var(--muted); font-style: italic; font-family: var(--sans, inherit); }
.called-from { margin: 0 0 6px; font-weight: 600; }
.site .call-label { font-size: 12.5px; color: var(--fg); }
ul.call-sites { margin: 0 0 8px; padding-left: 18px; }
ul.call-sites button { font: inherit; font-family: var(--mono); font-size: 12.5px; background: none; border: 0; padding: 0; color: var(--fg); text-decoration: underline; cursor: pointer; }
ul.call-sites .num { color: var(--muted); }
ul.handle-sites { margin: 8px 0 0; padding: 0; list-style: none; font-size: 13px; }
ul.handle-sites li { padding: 3px 0; }
ul.handle-sites .type { font-weight: 600; }
ul.handle-sites .loc { font-family: var(--mono); }
.also-at { margin: 0 0 6px; color: var(--muted); font-family: var(--mono); font-size: 12.5px; }
pre.snippet { margin: 0 0 8px; padding: 6px 8px; border-left: 2px solid var(--border); font-size: 12.5px; overflow-x: auto; }
.retainers-box { margin-top: 14px; }
ol.retainer-chain { margin: 0; padding: 0; list-style: none; display: flex; flex-wrap: wrap; gap: 4px 0; font-family: var(--mono); font-size: 12.5px; }
ol.retainer-chain li { padding: 2px 6px; border: 1px solid var(--border); border-radius: 4px; }
ol.retainer-chain li + li::before { content: '→'; color: var(--muted); margin: 0 6px 0 -2px; }
ol.retainer-chain li:last-child { border-color: var(--leak); }
ol.retainer-chain .edge { color: var(--fg); font-weight: 600; }
ol.retainer-chain .edge:not(:empty) + .node::before { content: ' '; }
ol.retainer-chain .node { color: var(--muted); }
ol.retainer-chain .link-folded { cursor: pointer; color: var(--muted); border-style: dashed; }
canvas.spark { display: block; }
.chart { width: 100%; }
.legend-note { color: var(--muted); font-size: 12px; margin-top: 6px; }
.legend-note .tick { display: inline-block; width: 3px; height: 10px; background: var(--gc); vertical-align: -1px; margin: 0 6px 0 0; }
.legend-note .dash { display: inline-block; width: 14px; border-top: 2px dashed var(--leak); vertical-align: 3px; margin: 0 4px 0 10px; }
.tabs { display: inline-flex; border: 1px solid var(--border); border-radius: 7px; overflow: hidden; margin-bottom: 10px; }
.tabs button { font: inherit; font-size: 13px; border: 0; background: transparent; color: var(--muted); padding: 5px 14px; cursor: pointer; }
.tabs button + button { border-left: 1px solid var(--border); }
.tabs button[aria-selected='true'] { background: var(--accent); color: #fff; }
.bar { position: relative; height: 10px; min-width: 120px; }
.bar span { position: absolute; top: 0; height: 10px; border-radius: 2px; }
.bar span.up { left: 50%; background: var(--leak); opacity: 0.75; }
.bar span.down { right: 50%; background: var(--ok); opacity: 0.75; }
.bar::after { content: ''; position: absolute; left: 50%; top: -2px; bottom: -2px; border-left: 1px solid var(--border); }
button.more { font: inherit; font-size: 13px; margin-top: 10px; background: transparent; border: 1px solid var(--border); color: var(--accent); border-radius: 6px; padding: 4px 12px; cursor: pointer; }
.flame-bar { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; font-size: 13px; margin-bottom: 8px; color: var(--muted); }
.flame-bar button { font: inherit; font-size: 12.5px; border: 1px solid var(--border); background: transparent; color: var(--fg); border-radius: 5px; padding: 1px 8px; cursor: pointer; max-width: 260px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
svg.flame { display: block; width: 100%; font-family: var(--mono); font-size: 11.5px; }
svg.flame g { cursor: pointer; }
svg.flame rect { stroke: var(--panel); stroke-width: 1; }
svg.flame g:hover rect { filter: brightness(0.92); }
svg.flame text { fill: #1b1f27; pointer-events: none; }
.empty { color: var(--muted); font-style: italic; }
footer { color: var(--faint); font-size: 12px; margin-top: 20px; }
.u-legend { font-size: 12.5px; color: var(--fg); }
.u-legend .u-marker { border-radius: 2px; }
.u-select { background: rgba(47, 107, 217, 0.12); }
noscript p { padding: 20px; }
`;
