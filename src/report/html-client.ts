/**
 * The report page's own script. It renders the embedded JSON with DOM calls only:
 * every string from a profile reaches the page through textContent or an attribute
 * value, never through HTML parsing. Plain ES2017 in a string, because it runs in the
 * browser and is inlined into the page (no backticks or dollar-braces inside).
 */
export const REPORT_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('heapsleuth-data').textContent);
  var root = document.getElementById('report');
  var rootStyle = getComputedStyle(document.documentElement);
  var pxRatio = window.devicePixelRatio || 1;
  var charts = [];

  // ---- formatting (mirrors src/model/size-format.ts) ----
  var UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  function fmtSize(bytes, signed) {
    var size = bytes;
    for (var i = 0; i < UNITS.length; i++) {
      var unit = UNITS[i];
      if (Math.abs(size) < 100 && unit !== 'B') return withSign(size, Math.abs(size).toFixed(1), signed) + ' ' + unit;
      if (Math.abs(size) < 10 * 1024 || unit === 'TiB') return withSign(size, Math.abs(size).toFixed(0), signed) + ' ' + unit;
      size /= 1024;
    }
    return bytes + ' B';
  }
  function withSign(value, magnitude, signed) {
    var zero = /^0(\.0)?$/.test(magnitude);
    if (value < 0 && !zero) return '-' + magnitude;
    return signed ? '+' + magnitude : magnitude;
  }
  function fmtRate(bytesPerHour) { return fmtSize(bytesPerHour, true) + '/h'; }
  function fmtCount(n, signed) { var r = Math.round(n) || 0; return signed && r >= 0 ? '+' + r : String(r); }
  function fmtConfidence(c) { return Math.min(99.9, Math.floor(Math.max(0, c) * 1000) / 10).toFixed(1) + '%'; }
  function fmtHours(h) {
    if (h === null || h === undefined) return '';
    if (h < 1) return '~' + Math.max(1, Math.round(h * 60)) + ' min';
    if (h < 48) return '~' + (h < 10 ? h.toFixed(1) : Math.round(h)) + ' h';
    var d = h / 24;
    return '~' + (d < 10 ? d.toFixed(1) : Math.round(d)) + ' d';
  }
  function fmtDuration(seconds) {
    var s = Math.max(0, Math.round(seconds));
    if (s < 60) return s + ' s';
    var m = Math.floor(s / 60);
    if (m < 60) return s % 60 ? m + ' min ' + (s % 60) + ' s' : m + ' min';
    var hh = Math.floor(m / 60);
    if (hh < 48) return m % 60 ? hh + ' h ' + (m % 60) + ' min' : hh + ' h';
    return Math.floor(hh / 24) + ' d ' + (hh % 24) + ' h';
  }
  function fmtClock(iso) {
    var d = new Date(iso);
    return isNaN(d.getTime()) ? String(iso) : d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  }
  function where(o) { return (o.file || '(native)') + ':' + o.line; }
  function plural(n, word) { return n + ' ' + word + (n === 1 ? '' : 's'); }

  // ---- DOM: text only ----
  function h(tag, props, children) {
    var node = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (key) {
        var value = props[key];
        if (value === null || value === undefined || value === false) return;
        if (key === 'text') node.textContent = String(value);
        else if (key === 'class') node.className = value;
        else if (key.indexOf('on') === 0) node.addEventListener(key.slice(2), value);
        else node.setAttribute(key, String(value));
      });
    }
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }
  var SVG = 'http://www.w3.org/2000/svg';
  function s(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, String(attrs[key])); });
    return node;
  }
  function cssVar(name) { return rootStyle.getPropertyValue(name).trim(); }
  function panel(id, title, sub, children) {
    return h('section', { class: 'panel', id: id }, [h('h2', { text: title }), sub ? h('p', { class: 'sub', text: sub }) : null].concat(children));
  }

  // ---- charts (uPlot) ----
  // Tick steps that fall on round binary sizes (20 MiB, not 19.1 MiB) or whole counts.
  var STEPS = [1, 2, 4, 5, 10, 20, 25, 50, 100, 200, 250, 500];
  var SIZE_INCRS = [];
  for (var k = 0; k < 5; k++) STEPS.forEach(function (m) { SIZE_INCRS.push(m * Math.pow(1024, k)); });
  var COUNT_INCRS = [];
  for (var e = 0; e < 9; e++) [1, 2, 5].forEach(function (m) { COUNT_INCRS.push(m * Math.pow(10, e)); });
  function sizeTicks(u, values) {
    var max = Math.max.apply(null, values.map(Math.abs).concat([0]));
    var unit = 0;
    while (unit < UNITS.length - 1 && max >= 1024 * Math.pow(1024, unit)) unit++;
    var scale = Math.pow(1024, unit);
    return values.map(function (value) {
      var x = value / scale;
      return (Math.round(x * 10) / 10) + ' ' + UNITS[unit];
    });
  }
  function countTicks(u, values) { return values.map(function (value) { return String(Math.round(value)); }); }
  function axes(kind) {
    var muted = cssVar('--muted');
    var grid = cssVar('--grid');
    var font = '12px ' + cssVar('--sans');
    return [
      { stroke: muted, font: font, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } },
      { stroke: muted, font: font, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, size: 72,
        incrs: kind === 'size' ? SIZE_INCRS : COUNT_INCRS, values: kind === 'size' ? sizeTicks : countTicks }
    ];
  }
  function lineChart(container, height, series, columns, kind, plugins) {
    var format = kind === 'size' ? function (x) { return fmtSize(x); } : function (x) { return String(Math.round(x)); };
    var options = {
      width: Math.max(280, container.clientWidth),
      height: height,
      cursor: { drag: { x: true, y: false } },
      scales: { x: { time: true } },
      axes: axes(kind),
      series: [{}].concat(series.map(function (one) {
        return {
          label: one.label,
          stroke: one.color,
          width: one.width || 1.75,
          dash: one.dash,
          fill: one.fill,
          points: { show: columns[0].length < 60 },
          spanGaps: false,
          value: function (u, v) { return v === null || v === undefined ? '–' : format(v); }
        };
      })),
      plugins: plugins || []
    };
    var chart = new uPlot(options, columns, container);
    charts.push({ chart: chart, container: container });
    return chart;
  }
  function alpha(color, a) {
    var m = /^#([0-9a-f]{6})$/i.exec(color);
    if (!m) return color;
    var n = parseInt(m[1], 16);
    return 'rgba(' + (n >> 16) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + a + ')';
  }
  function markersPlugin(memory, restarts) {
    return {
      hooks: {
        draw: [function (u) {
          var ctx = u.ctx;
          var top = u.bbox.top;
          var bottom = u.bbox.top + u.bbox.height;
          var r = uPlot.pxRatio || pxRatio;
          ctx.save();
          ctx.fillStyle = cssVar('--gc');
          var peak = Math.max.apply(null, memory.majorGcs.concat([1]));
          memory.t.forEach(function (t, i) {
            var n = memory.majorGcs[i];
            if (!n) return;
            var x = u.valToPos(t, 'x', true);
            var tall = (4 + 10 * n / peak) * r;
            ctx.fillRect(x - r, top, 2 * r, tall);
          });
          ctx.strokeStyle = cssVar('--leak');
          ctx.fillStyle = cssVar('--leak');
          ctx.lineWidth = 1.5 * r;
          ctx.setLineDash([6 * r, 4 * r]);
          ctx.font = (11 * r) + 'px ' + cssVar('--sans');
          restarts.forEach(function (restart) {
            var x = u.valToPos(restart.t, 'x', true);
            ctx.beginPath();
            ctx.moveTo(x, top);
            ctx.lineTo(x, bottom);
            ctx.stroke();
            ctx.fillText('restart: pid ' + restart.pid, x + 5 * r, top + 12 * r);
          });
          ctx.restore();
        }]
      }
    };
  }
  function sparkline(values, width, height, color) {
    var canvas = h('canvas', { class: 'spark', width: Math.round(width * pxRatio), height: Math.round(height * pxRatio), role: 'img', 'aria-label': 'live bytes over time' });
    canvas.style.width = width + 'px';
    canvas.style.height = height + 'px';
    var ctx = canvas.getContext('2d');
    var min = Math.min.apply(null, values);
    var max = Math.max.apply(null, values);
    var range = max - min || 1;
    var pad = 2 * pxRatio;
    var w = canvas.width - 2 * pad;
    var hh = canvas.height - 2 * pad;
    function xy(v, i) { return [pad + (values.length > 1 ? (i / (values.length - 1)) * w : w / 2), pad + hh - ((v - min) / range) * hh]; }
    ctx.beginPath();
    values.forEach(function (v, i) { var p = xy(v, i); if (i === 0) ctx.moveTo(p[0], p[1]); else ctx.lineTo(p[0], p[1]); });
    if (values.length < 2) { var only = xy(values[0] || 0, 0); ctx.moveTo(pad, only[1]); ctx.lineTo(pad + w, only[1]); }
    ctx.lineTo(pad + w, pad + hh);
    ctx.lineTo(pad, pad + hh);
    ctx.closePath();
    ctx.fillStyle = alpha(color, 0.15);
    ctx.fill();
    ctx.beginPath();
    values.forEach(function (v, i) { var p = xy(v, i); if (i === 0) ctx.moveTo(p[0], p[1]); else ctx.lineTo(p[0], p[1]); });
    if (values.length < 2) { var one = xy(values[0] || 0, 0); ctx.moveTo(pad, one[1]); ctx.lineTo(pad + w, one[1]); }
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.5 * pxRatio;
    ctx.stroke();
    return canvas;
  }

  // ---- sections ----
  var v = data.verdict;
  var LABELS = { leak: 'leak', 'no-leak': 'no leak', inconclusive: 'inconclusive' };

  function summarySentence() {
    var top = data.suspects[0];
    if (v.verdict === 'inconclusive') return v.reason || 'Not enough data to tell.';
    if (v.verdict === 'no-leak') return 'No allocation site, process memory series or handle type grows.' + (v.reason ? ' ' + v.reason : '');
    if (top) {
      return plural(data.suspects.length, 'allocation site') + (data.suspects.length === 1 ? ' grows' : ' grow') + '. The fastest is ' +
        (top['function'] || '(anonymous)') + '() in ' + where(top) + ' at ' + fmtRate(top.growthBytesPerHour) + '.';
    }
    if (v.process.nativeGap.leak) return 'Resident memory grows without the JS heap or external memory explaining it: native memory.';
    return v.reason || 'Memory grows.';
  }

  function verdictPanel() {
    var p = v.process;
    function card(label, finding, extra) {
      return h('div', { class: 'card' + (finding && finding.leak ? ' bad' : '') }, [
        h('div', { class: 'k', text: label }),
        h('div', { class: 'v', text: finding ? fmtSize(finding.lastBytes) : extra.value }),
        h('div', { class: 'd', title: finding && finding.leak ? 'growing: a leak' : null, text: finding ? fmtRate(finding.growthBytesPerHour) : extra.detail })
      ]);
    }
    var limit = v.projection;
    var cards = [
      card('Window', null, { value: fmtDuration(v.window.durationSeconds), detail: plural(v.window.samples, 'sample') }),
      card('RSS', p.rss),
      card('Heap used', p.heapUsed),
      card('External', p.external),
      card('Native gap', p.nativeGap)
    ];
    if (limit.limitKind !== 'none' && limit.limitBytes > 0) {
      cards.push(h('div', { class: 'card' + (limit.hoursToLimit !== null && v.verdict === 'leak' ? ' bad' : '') }, [
        h('div', { class: 'k', text: limit.limitKind === 'cgroup' ? 'Container limit' : 'V8 heap limit' }),
        h('div', { class: 'v', text: fmtSize(limit.limitBytes) }),
        h('div', { class: 'd', text: limit.hoursToLimit !== null ? 'reached in ' + fmtHours(limit.hoursToLimit) : 'not approaching' })
      ]));
    }
    var findings = [];
    if (p.nativeGap.leak) findings.push(['leak', 'Native growth: RSS grows ' + fmtRate(p.nativeGap.growthBytesPerHour) + ' more than the JS heap and external memory explain (confidence ' + fmtConfidence(p.nativeGap.confidence) + '). Look at native addons and Buffers kept by C++ code.']);
    if (p.external.leak) findings.push(['leak', 'External memory (Buffers, typed arrays) grows ' + fmtRate(p.external.growthBytesPerHour) + ' (confidence ' + fmtConfidence(p.external.confidence) + ').']);
    else if (p.arrayBuffers.leak) findings.push(['leak', 'ArrayBuffers grow ' + fmtRate(p.arrayBuffers.growthBytesPerHour) + ' (confidence ' + fmtConfidence(p.arrayBuffers.confidence) + ').']);
    if (p.heapUsed.leak && data.suspects.length === 0) findings.push(['leak', 'The JS heap grows ' + fmtRate(p.heapUsed.growthBytesPerHour) + ' but no single allocation site explains it.']);
    v.handles.filter(function (one) { return one.leak; }).forEach(function (one) {
      findings.push(['leak', 'Handle leak: ' + one.type + ', ' + one.count + ' open, ' + (one.growthPerHour >= 0 ? '+' : '') + Math.round(one.growthPerHour) + '/h (confidence ' + fmtConfidence(one.confidence) + ').']);
    });
    v.restarts.forEach(function (restart) {
      findings.push(['warn', 'Restart at ' + fmtClock(new Date(restart.time).toISOString()) + ': pid ' + restart.previousPid + ' → ' + restart.pid + ' after RSS peaked at ' + fmtSize(restart.previousPeakRssBytes) + '.']);
    });
    v.warnings.forEach(function (warning) { findings.push(['warn', warning]); });
    var meta = v.service + ' (' + v.runtime + ') · ' + plural(v.window.samples, 'sample') + ' over ' + fmtDuration(v.window.durationSeconds) + ' · ' + fmtClock(v.window.start) + ' → ' + fmtClock(v.window.end);
    return h('section', { class: 'panel', id: 'verdict' }, [
      h('div', { class: 'verdict-head' }, [
        h('span', { class: 'badge ' + v.verdict, id: 'verdict-badge', text: LABELS[v.verdict] || v.verdict }),
        h('span', { class: 'verdict-title', text: v.service }),
        h('span', { class: 'verdict-meta', text: meta })
      ]),
      h('p', { class: 'verdict-summary', text: summarySentence() }),
      h('div', { class: 'cards' }, cards),
      findings.length ? h('ul', { class: 'findings' }, findings.map(function (f) { return h('li', { class: f[0], text: f[1] }); })) : null
    ]);
  }

  function suspectsPanel() {
    if (data.suspects.length === 0) {
      return panel('suspects', 'Suspects', null, [h('p', { class: 'empty', text: v.verdict === 'inconclusive' ? 'No suspects yet: ' + (v.reason || 'not enough data.') : 'No allocation site’s live memory grows.' })]);
    }
    var leak = cssVar('--leak');
    var body = h('tbody');
    data.suspects.forEach(function (suspect, i) {
      var detail = null;
      var row = h('tr', { class: 'suspect', tabindex: 0, 'aria-expanded': 'false', 'data-rank': suspect.rank }, [
        h('td', { class: 'toggle' }),
        h('td', { class: 'num', text: suspect.rank }),
        h('td', { class: 'site' }, [h('div', { class: 'fn', text: (suspect['function'] || '(anonymous)') + '()' }), h('div', { class: 'loc', text: where(suspect) })]),
        h('td', { class: 'num rate', text: fmtRate(suspect.growthBytesPerHour) }),
        h('td', { class: 'num', text: fmtConfidence(suspect.confidence) }),
        h('td', { class: 'num', text: fmtSize(suspect.liveBytes) }),
        h('td', { class: 'num', text: suspect.hoursToLimit === null ? '–' : fmtHours(suspect.hoursToLimit) }),
        h('td', null, [sparkline(suspect.series.bytes.length ? suspect.series.bytes : [suspect.liveBytes], 120, 28, leak)])
      ]);
      function toggle() {
        var open = row.getAttribute('aria-expanded') !== 'true';
        row.setAttribute('aria-expanded', open ? 'true' : 'false');
        if (!detail) {
          detail = suspectDetail(suspect);
          body.insertBefore(detail.row, row.nextSibling);
          detail.draw();
        }
        detail.row.hidden = !open;
      }
      row.addEventListener('click', toggle);
      row.addEventListener('keydown', function (event) { if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); toggle(); } });
      body.appendChild(row);
    });
    var table = h('table', { id: 'suspects-table' }, [
      h('thead', null, [h('tr', null, [
        h('th'), h('th', { class: 'num', text: '#' }), h('th', { text: 'Allocation site' }), h('th', { class: 'num', text: 'Growth' }),
        h('th', { class: 'num', text: 'Confidence' }), h('th', { class: 'num', text: 'Live now' }), h('th', { class: 'num', text: 'Time to limit' }), h('th', { text: 'Live bytes' })
      ])]),
      body
    ]);
    return panel('suspects', 'Suspects', 'Allocation sites whose live memory grows, surest and biggest first. Click a row for its traceback and growth.', [table]);
  }

  function suspectDetail(suspect) {
    var chartBox = h('div', { class: 'chart' });
    var frames = suspect.traceback.map(function (frame) {
      return h('li', null, [h('span', { class: 'fn', text: frame['function'] || '(anonymous)' }), ' ', h('span', { class: 'loc', text: where(frame) })]);
    });
    var row = h('tr', { class: 'detail' }, [h('td', { colspan: 8 }, [h('div', { class: 'detail-grid' }, [
      h('div', { class: 'traceback-box' }, [h('h3', { text: 'Traceback, most recent call first' }), frames.length ? h('ol', { class: 'traceback' }, frames) : h('p', { class: 'empty', text: 'no frames recorded' })]),
      h('div', null, [h('h3', { text: 'Live bytes at this site' }), chartBox])
    ])])]);
    return {
      row: row,
      draw: function () {
        if (suspect.series.t.length === 0) { chartBox.appendChild(h('p', { class: 'empty', text: 'no series recorded' })); return; }
        var color = cssVar('--leak');
        lineChart(chartBox, 200, [{ label: 'live bytes', color: color, fill: alpha(color, 0.12), width: 2 }], [suspect.series.t, suspect.series.bytes], 'size');
      }
    };
  }

  function memoryPanel() {
    var m = data.memory;
    var box = h('div', { class: 'chart', id: 'memory-chart' });
    var note = h('div', { class: 'legend-note' }, [h('span', { class: 'tick' }), 'major garbage collections', data.restarts.length ? h('span', { class: 'dash' }) : null, data.restarts.length ? 'restarts' : null]);
    var section = panel('memory', 'Memory over time', 'RSS, V8 heap, external memory and ArrayBuffers; the native gap is RSS that neither the heap nor external memory accounts for. Drag to zoom, double-click to reset.', [box, note]);
    return {
      section: section,
      draw: function () {
        if (m.t.length === 0) { box.appendChild(h('p', { class: 'empty', text: 'no samples' })); return; }
        var rss = cssVar('--c-rss');
        lineChart(box, 340, [
          { label: 'RSS', color: rss, width: 2.25, fill: alpha(rss, 0.07) },
          { label: 'heap total', color: cssVar('--c-heapTotal'), dash: [5, 4] },
          { label: 'heap used', color: cssVar('--c-heapUsed'), width: 2 },
          { label: 'external', color: cssVar('--c-external') },
          { label: 'ArrayBuffers', color: cssVar('--c-arrayBuffers'), width: 1.25 },
          { label: 'native gap', color: cssVar('--c-nativeGap'), dash: [2, 3] }
        ], [m.t, m.rss, m.heapTotal, m.heapUsed, m.external, m.arrayBuffers, m.nativeGap], 'size', [markersPlugin(m, data.restarts)]);
      }
    };
  }

  function comparePanel() {
    var compare = data.compare;
    if (!compare) return { section: panel('compare', 'Compare to start', null, [h('p', { class: 'empty', text: 'no samples' })]), draw: function () {} };
    var keys = [['filename', 'File'], ['lineno', 'Line'], ['function', 'Function']];
    var current = 'lineno';
    var limit = 20;
    var tabs = h('div', { class: 'tabs', role: 'tablist' });
    var holder = h('div');
    var countLabel = compare.sampled ? 'Samples' : 'Count';
    function render() {
      var rows = compare.rows[current];
      var peak = Math.max.apply(null, rows.map(function (r) { return Math.abs(r.sizeDiff); }).concat([1]));
      var body = h('tbody', null, rows.slice(0, limit).map(function (r) {
        var width = Math.round((Math.abs(r.sizeDiff) / peak) * 50);
        var label = current === 'filename' ? (r.file || '(native)') : where(r);
        return h('tr', null, [
          h('td', { class: 'site' }, [h('div', { class: 'loc', text: label }), current !== 'filename' ? h('div', { class: 'fn', text: (r['function'] || '(anonymous)') + '()' }) : null]),
          h('td', { class: 'num', text: fmtSize(r.size) }),
          h('td', { class: 'num ' + (r.sizeDiff > 0 ? 'rate' : r.sizeDiff < 0 ? 'neg' : ''), text: fmtSize(r.sizeDiff, true) }),
          h('td', { class: 'num', text: fmtCount(r.count) }),
          h('td', { class: 'num', text: fmtCount(r.countDiff, true) }),
          h('td', null, [h('div', { class: 'bar' }, [h('span', { class: r.sizeDiff >= 0 ? 'up' : 'down', style: 'width:' + width + '%' })])])
        ]);
      }));
      holder.textContent = '';
      holder.appendChild(h('table', { id: 'compare-table', 'data-key': current }, [
        h('thead', null, [h('tr', null, [h('th', { text: current === 'filename' ? 'File' : current === 'lineno' ? 'Line' : 'Function' }), h('th', { class: 'num', text: 'Size' }), h('th', { class: 'num', text: 'Change' }), h('th', { class: 'num', text: countLabel }), h('th', { class: 'num', text: 'Change' }), h('th', { text: '' })])]),
        body
      ]));
      if (rows.length > limit) holder.appendChild(h('button', { class: 'more', type: 'button', text: 'Show all ' + rows.length, onclick: function () { limit = Infinity; render(); } }));
      if (rows.length === 0) holder.appendChild(h('p', { class: 'empty', text: 'nothing live' }));
      Array.prototype.forEach.call(tabs.children, function (button) { button.setAttribute('aria-selected', button.getAttribute('data-key') === current ? 'true' : 'false'); });
    }
    keys.forEach(function (key) {
      tabs.appendChild(h('button', { type: 'button', role: 'tab', 'data-key': key[0], text: key[1], onclick: function () { current = key[0]; limit = 20; render(); } }));
    });
    render();
    var sub = 'Live memory at the last sample against the first one of pid ' + compare.pid + ' (' + fmtClock(compare.from) + ' → ' + fmtClock(compare.to) + '), as tracemalloc’s compare_to, biggest change first.';
    return { section: panel('compare', 'Compare to start', sub, [tabs, holder]), draw: function () {} };
  }

  function flamePanel() {
    var flame = data.flame;
    if (!flame || flame.root.value <= 0) return { section: panel('flame', 'Live allocations', null, [h('p', { class: 'empty', text: 'no live allocations sampled' })]), draw: function () {} };
    var bar = h('div', { class: 'flame-bar' });
    var box = h('div', { id: 'flame' });
    var path = [flame.root];
    var ROW = 20;
    function colorOf(node) {
      if (node === flame.root) return '#b8c0cc';
      var file = node.file || '';
      if (file === '' || file.indexOf('node:') === 0) return 'hsl(215, 18%, 72%)';
      if (file.indexOf('node_modules/') !== -1) return 'hsl(262, 48%, 76%)';
      var hash = 0;
      for (var i = 0; i < file.length; i++) hash = (hash * 31 + file.charCodeAt(i)) | 0;
      return 'hsl(' + (8 + Math.abs(hash) % 38) + ', 82%, ' + (64 + Math.abs(hash >> 8) % 10) + '%)';
    }
    function draw() {
      var focus = path[path.length - 1];
      var width = Math.max(280, box.clientWidth);
      var cells = [];
      var depth = 0;
      (function layout(node, x, w, level) {
        cells.push({ node: node, x: x, w: w, level: level });
        depth = Math.max(depth, level);
        var cx = x;
        node.children.forEach(function (child) {
          var cw = (w * child.value) / node.value;
          if (cw >= 2) layout(child, cx, cw, level + 1);
          cx += cw;
        });
      })(focus, 0, width, 0);
      var svg = s('svg', { class: 'flame', width: width, height: (depth + 1) * ROW, viewBox: '0 0 ' + width + ' ' + (depth + 1) * ROW, role: 'img' });
      cells.forEach(function (cell) {
        var node = cell.node;
        var g = s('g');
        var title = s('title');
        var share = (100 * node.value / flame.root.value).toFixed(1);
        title.textContent = node.name + (node.file ? ' (' + where(node) + ')' : '') + ': ' + fmtSize(node.value) + ' live, ' + share + '%';
        g.appendChild(title);
        g.appendChild(s('rect', { x: cell.x, y: cell.level * ROW, width: Math.max(0, cell.w), height: ROW - 1, rx: 2, fill: colorOf(node) }));
        var chars = Math.floor((cell.w - 8) / 7);
        if (chars >= 3) {
          var label = node === flame.root ? node.name + ' · ' + fmtSize(node.value) : node.name;
          var text = s('text', { x: cell.x + 4, y: cell.level * ROW + 14 });
          text.textContent = label.length > chars ? label.slice(0, chars - 1) + '…' : label;
          g.appendChild(text);
        }
        g.addEventListener('click', function () {
          var at = path.indexOf(node);
          if (at >= 0) path = path.slice(0, Math.max(1, at + (node === focus ? 0 : 1)));
          else path = path.concat(ancestorsBelow(focus, node));
          draw();
        });
        svg.appendChild(g);
      });
      box.textContent = '';
      box.appendChild(svg);
      bar.textContent = '';
      bar.appendChild(document.createTextNode(path.length > 1 ? 'Zoomed into:' : 'Click a frame to zoom in.'));
      path.forEach(function (node, i) {
        if (path.length === 1) return;
        bar.appendChild(h('button', { type: 'button', title: node.name, text: i === 0 ? 'all' : node.name, onclick: function () { path = path.slice(0, i + 1); draw(); } }));
      });
    }
    function ancestorsBelow(from, target) {
      var found = null;
      (function walk(node, trail) {
        if (found) return;
        if (node === target) { found = trail; return; }
        node.children.forEach(function (child) { walk(child, trail.concat([child])); });
      })(from, []);
      return found || [];
    }
    var sub = 'Where the memory that is live at the last sample (' + fmtClock(flame.takenAt) + ', pid ' + flame.pid + ') was allocated: outermost call at the top, width by live bytes. Warm colors are your code, purple node_modules, grey Node internals.';
    return { section: panel('flame', 'Live allocations at the last sample', sub, [bar, box]), draw: draw };
  }

  function handlesPanel() {
    var handles = data.handles;
    var box = h('div', { class: 'chart', id: 'handles-chart' });
    var section = panel('handles', 'Handles by type', 'Active handles and requests (timers, sockets, file requests) and open file descriptors.', [box]);
    return {
      section: section,
      draw: function () {
        if (handles.t.length === 0 || handles.series.length === 0) { box.appendChild(h('p', { class: 'empty', text: 'no handle counts recorded' })); return; }
        var palette = ['--c-rss', '--c-external', '--c-heapUsed', '--c-arrayBuffers', '--c-nativeGap', '--c-heapTotal', '--accent', '--warn', '--muted'];
        lineChart(box, 220, handles.series.map(function (one, i) { return { label: one.type, color: cssVar(palette[i % palette.length]) }; }),
          [handles.t].concat(handles.series.map(function (one) { return one.values; })), 'count');
      }
    };
  }

  function processesFooter() {
    var rows = data.processes.map(function (p) {
      return h('tr', null, [
        h('td', { class: 'mono', text: p.source }), h('td', { class: 'num', text: p.pid }), h('td', { text: p.hostname }),
        h('td', { class: 'mono', text: p.argv.join(' ') }), h('td', { text: fmtClock(p.startTime) }), h('td', { class: 'num', text: p.samples }),
        h('td', { text: p.ended === null ? 'no end line (killed or still running)' : p.ended })
      ]);
    });
    return panel('processes', 'Recordings', null, [h('table', null, [
      h('thead', null, [h('tr', null, ['Recording', 'pid', 'Host', 'Command', 'Started', 'Samples', 'Ended'].map(function (t, i) { return h('th', { class: i === 1 || i === 5 ? 'num' : null, text: t }); }))]),
      h('tbody', null, rows)
    ])]);
  }

  document.title = 'heapsleuth: ' + (LABELS[v.verdict] || v.verdict) + ' · ' + v.service;
  root.textContent = '';
  root.appendChild(h('header', { class: 'top' }, [h('span', { class: 'brand', text: 'heapsleuth' }), h('span', { text: 'memory report' }), h('span', { class: 'spacer' }), h('span', { text: 'generated ' + fmtClock(data.generatedAt) })]));
  root.appendChild(verdictPanel());
  root.appendChild(suspectsPanel());
  var sections = [memoryPanel(), comparePanel(), flamePanel(), handlesPanel()];
  sections.forEach(function (one) { root.appendChild(one.section); });
  root.appendChild(processesFooter());
  root.appendChild(h('footer', { text: 'Sizes are estimates from V8’s sampling heap profiler when sampled. Growth is a Theil–Sen slope; confidence is corrected for testing many sites.' }));
  sections.forEach(function (one) { one.draw(); });

  var resizeTimer = 0;
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      charts.forEach(function (one) { one.chart.setSize({ width: Math.max(280, one.container.clientWidth), height: one.chart.height }); });
      sections[2].draw();
    }, 120);
  });
  document.documentElement.setAttribute('data-rendered', 'true');
})();
`;
