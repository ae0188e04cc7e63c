// The Tandem dashboard page. Every value from the server is put on the page as text (textContent, never
// innerHTML), so a station or machine named "<script>" shows as those characters. No other origin is contacted.
'use strict';
(function () {
  const T = window.__tandem = { updates: 0, renders: 0, lastRenderMs: 0, maxRenderMs: 0, times: [], state: null, errors: [] };
  // colour-blind-safe sequential scale (viridis stops), always shown with numbers
  const STOPS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  // series styles that differ in dash and width, not only in colour
  const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2'];
  const DASHES = [[], [8, 4], [2, 3], [10, 3, 2, 3]];
  const regionViews = new Map();
  const fleetViews = new Map();
  const charts = {};

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function row(cells) {
    const tr = document.createElement('tr');
    for (const c of cells) {
      const td = el('td', c.cls, c.text);
      if (c.title) td.title = String(c.title);
      if (c.node) td.appendChild(c.node);
      tr.appendChild(td);
    }
    return tr;
  }
  function fillBody(table, rows) {
    const tb = document.createElement('tbody');
    for (const r of rows) tb.appendChild(row(r));
    table.replaceChild(tb, table.tBodies[0]);
  }
  function time(ms) { return ms ? new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—'; }
  function num(v, d) { return v === null || v === undefined || !isFinite(v) ? '—' : Number(v).toFixed(d); }
  function colour(t) {
    t = Math.max(0, Math.min(1, t)) * (STOPS.length - 1);
    const i = Math.min(STOPS.length - 2, Math.floor(t)), f = t - i, a = STOPS[i], b = STOPS[i + 1];
    return 'rgb(' + a.map((x, k) => Math.round(x + f * (b[k] - x))).join(',') + ')';
  }

  // ---- rainfall: a map per region, its colour scale in mm, a slider over the recent forecasts ----
  function regionView(name) {
    let v = regionViews.get(name);
    if (v) return v;
    const card = el('div', 'card region');
    card.dataset.region = name;
    card.appendChild(el('h3', null, 'Region ' + name));
    const slider = el('div', 'slider');
    const input = el('input');
    input.type = 'range'; input.min = 0; input.max = 0; input.value = 0;
    input.setAttribute('aria-label', 'forecast shown (time)');
    const label = el('span', 'slider-label');
    slider.appendChild(input); slider.appendChild(label);
    const mapRow = el('div', 'map-row');
    const map = el('canvas', 'map'); map.width = 520; map.height = 520;
    map.setAttribute('role', 'img');
    const scale = el('canvas', 'scale'); scale.width = 64; scale.height = 320;
    scale.setAttribute('role', 'img');
    mapRow.appendChild(map); mapRow.appendChild(scale);
    const table = el('table', 'stations');
    const head = el('thead'); const hr = el('tr');
    for (const h of ['#', 'Station', 'Observed mm', 'Forecast mm']) hr.appendChild(el('th', h === 'Station' ? null : 'num', h));
    head.appendChild(hr); table.appendChild(head); table.appendChild(el('tbody'));
    const box = el('div', 'station-box'); box.appendChild(table); mapRow.appendChild(box);
    card.appendChild(slider); card.appendChild(mapRow);
    card.appendChild(el('p', 'note', 'Cells: forecast rain (mm) for the step shown. Dots: stations, filled with the rain observed in that step (white: not yet observed).'));
    document.getElementById('regions').appendChild(card);
    v = { card, input, label, map, scale, table, follow: true, fromEnd: 0, region: null };
    input.addEventListener('input', () => {
      const n = v.region ? v.region.forecasts.length : 0;
      v.fromEnd = n - 1 - Number(input.value);
      v.follow = v.fromEnd === 0;
      drawRegion(v);
    });
    regionViews.set(name, v);
    return v;
  }
  function drawRegion(v) {
    const fs = v.region.forecasts;
    if (!fs.length) return;
    if (v.follow) v.fromEnd = 0;
    const i = Math.max(0, fs.length - 1 - v.fromEnd);
    v.input.max = fs.length - 1; v.input.value = i;
    const f = fs[i];
    v.label.textContent = 'valid ' + time(f.valid_at) + ' (issued ' + time(f.issued_at) + ', model v' + f.model_version
      + ') · ' + (i + 1) + ' of ' + fs.length + (v.follow ? ' · live' : '');
    v.card.dataset.validAt = f.valid_at;
    let max = 0.1;
    for (const r of f.rain_mm) for (const x of r) max = Math.max(max, x);
    for (const s of f.stations) max = Math.max(max, s.forecast_mm, s.observed_mm || 0);
    max = Math.ceil(max * 10) / 10;
    const g = f.grid, c = v.map.getContext('2d'), W = v.map.width, H = v.map.height;
    const cw = W / g.cols, ch = H / g.rows;
    c.clearRect(0, 0, W, H);
    for (let r = 0; r < g.rows; r++) {
      for (let k = 0; k < g.cols; k++) {
        const val = f.rain_mm[r][k];
        const y = g.dlat >= 0 ? H - (r + 1) * ch : r * ch; // north up
        c.fillStyle = colour(val / max);
        c.fillRect(k * cw, y, Math.ceil(cw), Math.ceil(ch));
        if (cw >= 30 && ch >= 18) {
          c.fillStyle = val / max > 0.6 ? '#000' : '#fff';
          c.font = Math.min(14, ch / 2) + 'px sans-serif';
          c.textAlign = 'center';
          c.fillText(val.toFixed(1), k * cw + cw / 2, y + ch / 2 + 4);
        }
      }
    }
    const lat0 = g.lat0 - Math.abs(g.dlat) / 2, lon0 = g.lon0 - g.dlon / 2;
    const rows = [];
    for (const s of f.stations) {
      const x = (s.lon - lon0) / (g.cols * g.dlon) * W, y = H - (s.lat - lat0) / (g.rows * Math.abs(g.dlat)) * H;
      c.beginPath(); c.arc(x, y, 7, 0, 2 * Math.PI);
      c.fillStyle = s.observed_mm === null ? '#fff' : colour(s.observed_mm / max);
      c.fill(); c.lineWidth = 2; c.strokeStyle = '#000'; c.stroke();
      c.fillStyle = '#000'; c.font = '12px sans-serif'; c.textAlign = 'left';
      c.strokeStyle = '#fff'; c.lineWidth = 3;
      // a few stations are named on the map; many are numbered, the table gives their names (canvas text is
      // drawn, never parsed as markup)
      const n = rows.length + 1;
      const t = f.stations.length <= 12 ? s.station + ' ' + num(s.observed_mm, 1) + '/' + num(s.forecast_mm, 1) : String(n);
      c.strokeText(t, x + 9, y - 6); c.fillText(t, x + 9, y - 6);
      rows.push([{ text: n, cls: 'num' }, { text: s.station }, { text: num(s.observed_mm, 2), cls: 'num' }, { text: num(s.forecast_mm, 2), cls: 'num' }]);
    }
    v.map.setAttribute('aria-label', 'forecast rain map of region ' + v.region.region + ', ' + g.rows + ' by ' + g.cols
      + ' cells, up to ' + max + ' mm; dots: stations (observed/forecast mm)');
    fillBody(v.table, rows);
    const s = v.scale.getContext('2d'), SW = v.scale.width, SH = v.scale.height;
    s.clearRect(0, 0, SW, SH);
    for (let y = 0; y < SH - 20; y++) { s.fillStyle = colour(1 - y / (SH - 20)); s.fillRect(0, y + 10, 18, 1); }
    s.fillStyle = '#000'; s.font = '12px sans-serif'; s.textAlign = 'left';
    for (let k = 0; k <= 4; k++) {
      const y = 10 + (SH - 20) * (1 - k / 4);
      s.fillRect(18, y, 5, 1);
      s.fillText((max * k / 4).toFixed(1), 25, y + 4);
    }
    s.fillText('mm', 25, SH - 1);
    v.scale.setAttribute('aria-label', 'colour scale 0 to ' + max + ' mm');
  }

  // ---- gearbox: per fleet the alert feed and each machine's prediction mix ----
  function fleetView(name) {
    let v = fleetViews.get(name);
    if (v) return v;
    const card = el('div', 'card fleet');
    card.dataset.fleet = name;
    const title = el('h3', null, 'Fleet ' + name);
    const alerts = el('table', 'alerts');
    const ah = el('thead'); const ahr = el('tr');
    for (const h of ['Time', 'Alert', 'Machine', 'Fault', 'Confidence', 'Model']) ahr.appendChild(el('th', null, h));
    ah.appendChild(ahr); alerts.appendChild(ah); alerts.appendChild(el('tbody'));
    const machines = el('table', 'machines');
    const mh = el('thead'); const mhr = el('tr');
    for (const h of ['Machine', 'Status', 'Latest', 'Prediction mix (last 100)']) mhr.appendChild(el('th', null, h));
    mh.appendChild(mhr); machines.appendChild(mh); machines.appendChild(el('tbody'));
    card.appendChild(title); card.appendChild(el('h3', null, 'Alerts (newest first)')); card.appendChild(alerts);
    card.appendChild(el('h3', null, 'Machines')); card.appendChild(machines);
    document.getElementById('fleets').appendChild(card);
    v = { card, title, alerts, machines };
    fleetViews.set(name, v);
    return v;
  }
  function mixBar(mix, classes) {
    const total = Object.values(mix).reduce((a, b) => a + b, 0) || 1;
    const wrap = el('div');
    const bar = el('div', 'mix');
    const parts = [];
    Object.keys(mix).sort().forEach(k => {
      const idx = Math.max(0, classes.indexOf(k));
      const s = el('span');
      s.style.width = (100 * mix[k] / total) + '%';
      s.style.background = COLOURS[idx % COLOURS.length];
      s.title = k + ' ' + Math.round(100 * mix[k] / total) + '%';
      bar.appendChild(s);
      parts.push(k + ' ' + Math.round(100 * mix[k] / total) + '%');
    });
    wrap.appendChild(bar);
    wrap.appendChild(el('small', null, parts.join(' · ')));
    return wrap;
  }
  function drawFleet(v, f) {
    v.title.textContent = 'Fleet ' + f.fleet + ' · model v' + f.model_version;
    fillBody(v.alerts, f.alerts.map(a => [
      { text: time(a.time) },
      { text: (a.kind === 'RAISED' ? '▲ ' : a.kind === 'CLEARED' ? '✓ ' : '') + a.kind, cls: 'kind-' + (a.kind === 'RAISED' ? 'RAISED' : a.kind === 'CLEARED' ? 'CLEARED' : 'other') },
      { text: a.machine }, { text: a.fault }, { text: num(a.confidence, 2) + ' over ' + a.windows, cls: 'num' },
      { text: 'v' + a.model_version }]));
    fillBody(v.machines, f.machines.map(m => {
      const raised = m.alert && m.alert.kind === 'RAISED';
      return [{ text: m.machine },
        { text: raised ? '▲ ' + m.alert.fault : 'ok', cls: raised ? 'kind-RAISED' : null },
        { text: (m.decision || '—') + ' (' + num(m.confidence, 2) + ')' },
        { node: mixBar(m.mix, f.classes) }];
    }));
  }

  // ---- learning curves (uPlot) ----
  function chart(id, key, series, data, yLabel) {
    const sig = series.map(s => s.label).join('|');
    let c = charts[id];
    const div = document.getElementById(id);
    if (!c || c.sig !== sig) {
      if (c) c.plot.destroy();
      const width = Math.max(300, div.clientWidth || 500);
      const opts = {
        width, height: Math.max(200, Math.round(width * 0.42)),
        scales: { x: { time: key !== 'n' } },
        axes: [{}, { label: yLabel }],
        series: [{ label: key === 'n' ? 'n' : 'time' }].concat(series.map((s, i) => ({
          label: s.label, stroke: COLOURS[i % COLOURS.length], width: 2, dash: s.dash || DASHES[i % DASHES.length],
          points: { show: true, size: 4 }, spanGaps: true })))
      };
      c = charts[id] = { sig, plot: new uPlot(opts, data, div) };
    } else {
      c.plot.setData(data);
    }
  }
  // joins series with their own x values into uPlot's one x array (nulls where a series has no point)
  function join(list) {
    const xs = Array.from(new Set(list.flatMap(s => s.points.map(p => p[0])))).sort((a, b) => a - b);
    const index = new Map(xs.map((x, i) => [x, i]));
    const cols = list.map(s => { const a = new Array(xs.length).fill(null); for (const p of s.points) a[index.get(p[0])] = p[1]; return a; });
    return [xs].concat(cols);
  }
  function drawCurves(st) {
    if (typeof uPlot === 'undefined') return;
    const acc = st.fleets.map(f => ({ label: 'fleet ' + f.fleet, points: f.curve.map(p => [p[0], p[1]]) }));
    if (acc.length) chart('chart-accuracy', 't', acc, join(acc), 'accuracy');
    const mse = [];
    st.regions.forEach(r => {
      mse.push({ label: r.region + ' model', points: r.curve.filter(p => p[2] !== null).map(p => [p[0], p[2]]), dash: [] });
      mse.push({ label: r.region + ' persistence', points: r.curve.filter(p => p[3] !== null).map(p => [p[0], p[3]]), dash: [8, 4] });
    });
    if (mse.length) chart('chart-mse', 't', mse, join(mse), 'mm²');
    const loss = st.metrics.filter(m => /\.loss$/.test(m.name)).map(m => ({ label: m.name, points: m.points }));
    if (loss.length) chart('chart-loss', 't', loss, join(loss), 'loss');
    // wall-clock metrics: the jobs' event times differ (the synthetic weather is in 2024), so one x axis needs these
    const ver = st.metrics.filter(m => /\.modelVersion$/.test(m.name)).map(m => ({ label: m.name, points: m.points }));
    if (ver.length) chart('chart-version', 't', ver, join(ver), 'version');
  }

  function drawDead(d) {
    fillBody(document.getElementById('dead-reasons'), d.reasons.map(r => [{ text: r.reason }, { text: r.count, cls: 'num' }]));
    fillBody(document.getElementById('dead-latest'), d.latest.map(e => [{ text: time(e.time) },
      { text: e.topic + '-' + e.partition + '@' + e.offset }, { text: e.reason },
      { node: el('code', null, e.raw) }]));
  }

  function render(st) {
    const t0 = performance.now();
    T.state = st;
    document.getElementById('rain-empty').classList.toggle('hidden', st.regions.length > 0);
    document.getElementById('gearbox-empty').classList.toggle('hidden', st.fleets.length > 0);
    for (const r of st.regions) { const v = regionView(r.region); v.region = r; drawRegion(v); }
    for (const f of st.fleets) drawFleet(fleetView(f.fleet), f);
    for (const [name, v] of regionViews) if (!st.regions.some(r => r.region === name)) { v.card.remove(); regionViews.delete(name); }
    for (const [name, v] of fleetViews) if (!st.fleets.some(f => f.fleet === name)) { v.card.remove(); fleetViews.delete(name); }
    drawCurves(st);
    drawDead(st.dead_letters);
    const c = st.counts;
    document.getElementById('summary').textContent = Object.keys(c).sort().map(k => k + ' ' + c[k]).join(' · ')
      + ' · updated ' + time(st.now);
    const ms = performance.now() - t0;
    T.renders++; T.lastRenderMs = ms; T.maxRenderMs = Math.max(T.maxRenderMs, ms);
    T.times.push(ms); if (T.times.length > 1000) T.times.shift();
    document.getElementById('render').textContent = 'Last update drawn in ' + ms.toFixed(1) + ' ms.';
  }

  function connect() {
    const status = document.getElementById('status');
    const es = new EventSource('/events');
    es.addEventListener('open', () => { status.textContent = 'live'; status.classList.remove('down'); });
    es.addEventListener('error', () => { status.textContent = 'disconnected (retrying)'; status.classList.add('down'); });
    es.addEventListener('state', ev => {
      T.updates++;
      try { render(JSON.parse(ev.data)); } catch (e) { T.errors.push(String(e && e.stack || e)); }
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', connect); else connect();
})();
