// trialsim planner page: no framework, no network access beyond this server's /api.
'use strict';

const $ = (id) => document.getElementById(id);
const COLORS = ['#1f6fb2', '#d9480f', '#2b8a3e', '#862e9c', '#c2255c', '#5c940d', '#e67700', '#495057'];

let scenarios = [];      // built-ins from /api/scenarios
let base = null;         // the scenario before edits (a built-in's JSON or the user's file)
let baseName = null;     // built-in name, or null for the user's own scenario
let edits = {};          // "dotted.path" -> number, applied to `base`
let info = null;         // last successful /api/validate answer
let jobId = null;        // the job running now
let cancelled = false;
let last = null;         // last run: {rows, json, csv, n, sizes, grid, primary, target}
let validateTimer = null;

const clone = (v) => JSON.parse(JSON.stringify(v));
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

function getPath(obj, path) {
  let o = obj;
  for (const k of path.split('.')) {
    if (o === null || o === undefined) return undefined;
    o = o[Array.isArray(o) ? Number(k) : k];
  }
  return o;
}

function setPath(obj, path, value) {
  const ks = path.split('.');
  let o = obj;
  for (let i = 0; i < ks.length - 1; i++) {
    const k = Array.isArray(o) ? Number(ks[i]) : ks[i];
    if (o[k] === undefined || o[k] === null) o[k] = /^\d+$/.test(ks[i + 1]) ? [] : {};
    o = o[k];
  }
  o[Array.isArray(o) ? Number(ks[ks.length - 1]) : ks[ks.length - 1]] = value;
}

// The effect scale k: every region's patient shift and every arm's change times k, and each
// arm's mean clinical improvement moved to last + k * (own - last), where `last` is the last
// arm of the design (the comparator, e.g. placebo). Only fields the scenario has are touched.
function scaled(sc, k) {
  if (k === 1) return sc;
  const s = clone(sc);
  for (const r of (s.measures && s.measures.regions) || []) {
    if (typeof r.patient_shift_d === 'number') r.patient_shift_d = r.patient_shift_d * k;
  }
  const arms = s.arms || {};
  for (const a of Object.values(arms)) {
    if (typeof a.change_pct === 'number') a.change_pct = a.change_pct * k;
    else if (a.change_pct && typeof a.change_pct === 'object') {
      for (const key of Object.keys(a.change_pct)) a.change_pct[key] = a.change_pct[key] * k;
    }
  }
  const order = ((s.design && s.design.arms) || []).map((a) => a.name)
    .filter((n) => arms[n] && typeof arms[n].improvement_mean === 'number');
  if (order.length >= 2) {
    const ref = arms[order[order.length - 1]].improvement_mean;
    for (const n of order.slice(0, -1)) arms[n].improvement_mean = ref + k * (arms[n].improvement_mean - ref);
  }
  return s;
}

function scale() {
  const k = Number($('scale').value);
  return Number.isFinite(k) && $('scale').value !== '' ? k : 1;
}

function unscaled() {
  const s = clone(base);
  for (const [p, v] of Object.entries(edits)) setPath(s, p, v);
  return s;
}

function edited() { return scaled(unscaled(), scale()); }

// ---------- the URL holds the state ----------

function saveHash() {
  const st = { e: edits, k: scale(), seed: Number($('seed').value), reps: Number($('reps').value),
    p: $('primary').value || undefined, t: Number($('target').value) };
  if (baseName) st.s = baseName; else st.c = base;
  history.replaceState(null, '', '#' + encodeURIComponent(JSON.stringify(st)));
}

function readHash() {
  if (location.hash.length < 2) return null;
  try { return JSON.parse(decodeURIComponent(location.hash.slice(1))); } catch (e) { return null; }
}

// ---------- the form ----------

function numInput(path, value, placeholder) {
  const v = value === undefined || value === null ? '' : value;
  return `<input type="number" step="any" data-path="${esc(path)}" value="${esc(v)}" placeholder="${esc(placeholder || '')}">`;
}

function buildForm() {
  const s = unscaled();
  $('description').textContent = s.description || '';
  $('json').value = JSON.stringify(base, null, 2);
  for (const id of ['controls', 'patients', 'alpha']) {
    const el = $(id);
    const v = getPath(s, el.dataset.path);
    el.value = v === undefined ? '' : v;
  }
  $('alpha-row').hidden = !(s.analysis && typeof s.analysis.alpha === 'number');
  // Arms: clinical effect and dropout, only where the scenario has them.
  const armNames = ((s.design && s.design.arms) || []).map((a) => a.name);
  const arms = s.arms || {};
  const armRows = armNames.map((n) => {
    const a = arms[n] || {};
    const cell = (f) => (a[f] !== undefined || (s.symptoms && f !== 'dropout') || f === 'dropout')
      ? numInput(`arms.${n}.${f}`, a[f], '') : '';
    return `<tr><td>${esc(n)}</td><td>${cell('improvement_mean')}</td><td>${cell('improvement_sd')}</td><td>${cell('dropout')}</td></tr>`;
  });
  $('arms').querySelector('tbody').innerHTML = armRows.join('');
  $('arms-box').hidden = armRows.length === 0;
  // Regions: patient shift, test-retest CV, and each arm's change where arms have one.
  const regions = (s.measures && s.measures.regions) || [];
  const changeArms = armNames.filter((n) => arms[n] && arms[n].change_pct && typeof arms[n].change_pct === 'object');
  $('regions').querySelector('thead').innerHTML = '<tr><th>Region</th><th>Patient shift (d)</th><th>Test-retest CV</th>'
    + changeArms.map((n) => `<th>Change % (${esc(n)})</th>`).join('') + '</tr>';
  $('regions').querySelector('tbody').innerHTML = regions.map((r, i) => '<tr>'
    + `<td>${esc(r.name)}</td><td>${numInput(`measures.regions.${i}.patient_shift_d`, r.patient_shift_d, '0')}</td>`
    + `<td>${numInput(`measures.regions.${i}.test_retest_cv`, r.test_retest_cv, '0')}</td>`
    + changeArms.map((n) => `<td>${numInput(`arms.${n}.change_pct.${r.name}`, arms[n].change_pct[r.name], '0')}</td>`).join('')
    + '</tr>').join('');
  $('regions-box').hidden = regions.length === 0;
  updateScenarioLink();
}

function onFieldChange(ev) {
  const el = ev.target;
  if (!el.dataset || !el.dataset.path) return;
  if (el.value === '') delete edits[el.dataset.path];
  else edits[el.dataset.path] = Number(el.value);
  changed();
}

function changed() {
  saveHash();
  updateScenarioLink();
  clearTimeout(validateTimer);
  validateTimer = setTimeout(validate, 250);
}

// ---------- validation ----------

function showProblems(problems) {
  document.querySelectorAll('input.bad').forEach((el) => { el.classList.remove('bad'); el.title = ''; });
  document.querySelectorAll('.err').forEach((el) => { el.textContent = ''; });
  document.querySelectorAll('td .err').forEach((el) => el.remove());
  const list = $('problems');
  list.innerHTML = '';
  for (const p of problems) {
    const path = (p.path || '').replace(/\[(\d+)\]/g, '.$1');
    const el = path ? document.querySelector(`input[data-path="${CSS.escape(path)}"]`) : null;
    if (el) {
      el.classList.add('bad');
      el.title = p.message;
      let msg = el.nextElementSibling;
      if (!msg || !msg.classList.contains('err')) {
        msg = document.createElement('div');
        msg.className = 'err';
        el.after(msg);
      }
      msg.textContent = p.message;
    } else {
      const li = document.createElement('li');
      li.textContent = p.path ? `${p.path}: ${p.message}` : p.message;
      list.appendChild(li);
    }
  }
}

async function api(method, url, body) {
  const r = await fetch(url, { method, headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body) });
  let data;
  try { data = await r.json(); } catch (e) { data = { ok: false, error: `HTTP ${r.status}` }; }
  return { status: r.status, data };
}

async function validate() {
  const { status, data } = await api('POST', '/api/validate', { scenario: edited() });
  if (status !== 200) {
    info = null;
    showProblems(data.problems || [{ path: '', message: data.error || `HTTP ${status}` }]);
    $('run').disabled = true;
    return null;
  }
  showProblems([]);
  info = data;
  $('run').disabled = jobId !== null;
  $('summary').textContent = data.summary;
  const sel = $('primary');
  const want = sel.value || (readHash() || {}).p;
  const opts = data.default_selection.filter((c) => c[2] === 'power').map((c) => `${c[0]}:${c[1]}`);
  sel.innerHTML = opts.map((o) => `<option>${esc(o)}</option>`).join('');
  if (opts.includes(want)) sel.value = want;
  return data;
}

// ---------- running ----------

function setStatus(text) { $('status').textContent = text; }

function setBusy(busy) {
  $('run').disabled = busy;
  $('cancel').disabled = !busy;
  $('whatif').disabled = busy || !last;
  $('dl-report').disabled = busy || !last;
  document.body.dataset.state = busy ? 'running' : (last ? 'done' : 'idle');
}

// Start a job and poll it; the result, or null when it failed or was cancelled.
async function runJob(url, body, label) {
  setStatus(label + ' ...');
  const { status, data } = await api('POST', url, Object.assign({}, body, { async: true }));
  if (status !== 202) {
    setStatus(data.error || `HTTP ${status}`);
    if (data.problems) showProblems(data.problems);
    return null;
  }
  jobId = data.id;
  const bar = $('progress');
  try {
    for (;;) {
      await new Promise((res) => setTimeout(res, 200));
      const j = (await api('GET', `/api/jobs/${jobId}`)).data;
      if (j.total > 0) { bar.max = j.total; bar.value = j.done; } else bar.removeAttribute('value');
      if (j.status === 'done') { bar.max = 1; bar.value = 1; return j.result; }
      if (j.status === 'cancelled') { setStatus('Cancelled.'); return null; }
      if (j.status === 'failed') { setStatus(j.error ? j.error.error : 'failed'); return null; }
      if (j.status === undefined) { setStatus(j.error || 'the job was lost'); return null; }
    }
  } finally {
    jobId = null;
  }
}

// An arithmetic grid (so `--n-grid FROM:TO:STEP` reproduces it) through the planned N.
function curveGrid(lo, n) {
  const hi = Math.max(3 * n, lo + 8);
  const step = Math.max(1, Math.ceil((hi - lo) / 7));
  const from = n - step * Math.floor((n - lo) / step);
  const to = from + step * Math.floor((hi - from) / step);
  const g = [];
  for (let x = from; x <= to; x += step) g.push(x);
  return { grid: g, spec: `${from}:${to}:${step}` };
}

function primaryParts() {
  const p = $('primary').value;
  const i = p.lastIndexOf(':');
  return [p.slice(0, i), p.slice(i + 1)];
}

async function run() {
  cancelled = false;
  const v = await validate();
  if (!v) return;
  const sc = edited();
  const n = v.sizes.total;
  const { grid, spec } = curveGrid(v.min_total, n);
  const reps = Number($('reps').value);
  const seed = Number($('seed').value);
  setBusy(true);
  $('whatif-fig').hidden = true;
  const res = await runJob('/api/power', { scenario: sc, reps, seed, n_grid: grid }, `Simulating ${reps} trials at each of ${grid.length} sizes`);
  if (!res) { setBusy(false); return; }
  last = { rows: res.rows, json: res.json, csv: res.csv, n, sizes: v.sizes, grid, reps, seed,
    primary: primaryParts(), target: Number($('target').value), scenario: sc, ss: null };
  $('cli').textContent = `trialsim power scenario.json --reps ${reps} --seed ${seed} --n-grid ${spec} --out power.json --no-timing`;
  renderAll();
  setStatus('Power curve done; searching the sample size ...');
  if (!cancelled) {
    const [fam, hyp] = last.primary;
    const ss = await runJob('/api/sample-size', { scenario: sc, criterion: `${fam}:${hyp}:power`, target: last.target,
      reps, seed, max_n: Math.min(2000, Math.max(4 * n, 400)) }, 'Searching the sample size for the target');
    if (ss) { last.ss = ss; renderHeadline(); setStatus('Done.'); }
  }
  setBusy(false);
}

async function cancel() {
  cancelled = true;
  if (jobId !== null) await api('DELETE', `/api/jobs/${jobId}`);
}

// ---------- results ----------

function decimals(se) { return !(se > 0) ? 2 : Math.min(4, Math.max(2, Math.ceil(-Math.log10(2 * se)))); }

function renderAll() {
  renderHeadline();
  renderCurve();
  renderPrediction();
  setLink('dl-json', last.json, 'application/json');
  setLink('dl-csv', last.csv, 'text/csv');
}

function renderHeadline() {
  const [fam, hyp] = last.primary;
  const r = last.rows.find((x) => x.n_total === last.n && x.family === fam && x.hypothesis === hyp && x.metric === 'power');
  const h = $('headline');
  h.classList.remove('empty');
  if (!r) { h.textContent = `No power figure for ${fam}:${hyp} at N = ${last.n}.`; return; }
  const d = decimals(r.mc_se);
  const arms = last.sizes.arms.reduce((a, b) => a + b, 0);
  let html = `<div>Power of <b>${esc(fam)}:${esc(hyp)}</b> at the planned N = ${last.n} (${last.sizes.controls} controls, ${arms} patients):</div>`
    + `<div><span class="big" id="headline-power" data-value="${r.value}" data-n="${last.n}">${r.value.toFixed(d)}</span>`
    + ` &nbsp;95 % Monte Carlo interval ${r.ci_low.toFixed(d)} to ${r.ci_high.toFixed(d)} (${r.reps} simulated trials, seed ${last.seed})</div>`;
  if (last.ss) {
    const s = last.ss;
    html += s.n !== null
      ? `<div>Sample size for power ${last.target}: <b id="headline-n">N = ${s.n}</b> (Monte Carlo range ${s.n_low ?? '?'} to ${s.n_high ?? 'beyond the search'})</div>`
      : `<div>Power ${last.target} is not reached within the searched sizes.</div>`;
  }
  h.innerHTML = html;
}

function ticks(lo, hi, count) {
  const raw = (hi - lo) / count;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) || raw;
  const out = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9; t += step) out.push(Number(t.toFixed(10)));
  return out;
}

// A line chart with bands, as SVG text. series: [{name, pts: [{x, y, lo, hi}], width}]
function chart(series, opt) {
  const W = 760, H = 380, L = 56, R = 200, T = 16, B = 46;
  const xs = series.flatMap((s) => s.pts.map((p) => p.x));
  const x0 = Math.min(...xs), x1 = Math.max(...xs) === x0 ? x0 + 1 : Math.max(...xs);
  const px = (x) => L + (x - x0) / (x1 - x0) * (W - L - R);
  const py = (y) => T + (1 - y) * (H - T - B);
  let o = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" id="${opt.id}" role="img" aria-label="${esc(opt.title)}">`;
  o += `<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="#fff" stroke="#c6ced6"/>`;
  for (const t of ticks(0, 1, 5)) {
    o += `<line x1="${L}" x2="${W - R}" y1="${py(t)}" y2="${py(t)}" stroke="#eceff2"/><text x="${L - 6}" y="${py(t) + 4}" text-anchor="end" font-size="11">${t}</text>`;
  }
  for (const t of ticks(x0, x1, 8)) {
    o += `<line x1="${px(t)}" x2="${px(t)}" y1="${H - B}" y2="${H - B + 4}" stroke="#555"/><text x="${px(t)}" y="${H - B + 16}" text-anchor="middle" font-size="11">${t}</text>`;
  }
  o += `<text x="${(L + W - R) / 2}" y="${H - 8}" text-anchor="middle" font-size="12">${esc(opt.xlabel)}</text>`;
  o += `<text transform="translate(14 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle" font-size="12">${esc(opt.ylabel)}</text>`;
  if (opt.target !== undefined) o += `<line x1="${L}" x2="${W - R}" y1="${py(opt.target)}" y2="${py(opt.target)}" stroke="#333" stroke-dasharray="6 4"/>`;
  if (opt.markX !== undefined) o += `<line x1="${px(opt.markX)}" x2="${px(opt.markX)}" y1="${T}" y2="${H - B}" stroke="#333" stroke-dasharray="2 3"/>`;
  series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length];
    const band = s.pts.map((p) => `${px(p.x)},${py(p.hi)}`).concat(s.pts.slice().reverse().map((p) => `${px(p.x)},${py(p.lo)}`));
    o += `<polygon points="${band.join(' ')}" fill="${c}" fill-opacity="0.15" stroke="none"/>`;
    o += `<polyline points="${s.pts.map((p) => `${px(p.x)},${py(p.y)}`).join(' ')}" fill="none" stroke="${c}" stroke-width="${s.width || 1.5}"/>`;
    for (const p of s.pts) o += `<circle cx="${px(p.x)}" cy="${py(p.y)}" r="${(s.width || 1.5) + 0.5}" fill="${c}"><title>${esc(s.name)}: ${p.x} -> ${p.y.toFixed(3)} (${p.lo.toFixed(3)} to ${p.hi.toFixed(3)})</title></circle>`;
    o += `<line x1="${W - R + 12}" x2="${W - R + 32}" y1="${T + 10 + i * 18}" y2="${T + 10 + i * 18}" stroke="${c}" stroke-width="${s.width || 1.5}"/>`;
    o += `<text x="${W - R + 36}" y="${T + 14 + i * 18}" font-size="11">${esc(s.name)}</text>`;
  });
  return o + '</svg>';
}

function renderCurve() {
  const sel = info.default_selection.filter((c) => c[2] === 'power');
  const [pf, ph] = last.primary;
  const series = sel.map(([f, h]) => ({
    name: `${f}:${h}`,
    width: f === pf && h === ph ? 3 : 1.3,
    pts: last.rows.filter((r) => r.family === f && r.hypothesis === h && r.metric === 'power' && r.value !== null)
      .map((r) => ({ x: r.n_total, y: r.value, lo: r.ci_low, hi: r.ci_high })),
  })).filter((s) => s.pts.length > 0);
  $('curve').innerHTML = chart(series, { id: 'power-curve-svg', title: 'Power by total N', xlabel: 'Total enrolled N (controls + patients)',
    ylabel: `Power (alpha ${info.alpha})`, target: last.target, markX: last.n });
}

function renderPrediction() {
  const pred = new Set(info.families.filter((f) => f.kind === 'prediction').map((f) => f.name));
  // The headline metrics; their spread (_sd) and quantiles (_q05.._q95) stay in the downloads.
  const rows = last.rows.filter((r) => pred.has(r.family) && r.n_total === last.n && !/_(sd|q\d\d)$/.test(r.metric));
  if (rows.length === 0) { $('prediction').innerHTML = ''; return; }
  const fmt = (x, d) => (x === null ? '-' : x.toFixed(d));
  $('prediction').innerHTML = `<h3>Prediction accuracy at N = ${last.n}</h3><table id="prediction-table"><thead><tr><th>Model</th><th>Metric</th><th>Estimate</th><th>MC SE</th><th>95 % MC interval</th></tr></thead><tbody>`
    + rows.map((r) => `<tr><td>${esc(r.family)}:${esc(r.hypothesis)}</td><td>${esc(r.metric)}</td><td>${fmt(r.value, decimals(r.mc_se))}</td><td>${fmt(r.mc_se, 4)}</td><td>${fmt(r.ci_low, 3)} to ${fmt(r.ci_high, 3)}</td></tr>`).join('')
    + '</tbody></table>';
}

async function whatIf() {
  if (!last) return;
  cancelled = false;
  setBusy(true);
  const [fam, hyp] = last.primary;
  const pts = [];
  const plain = unscaled();
  for (const k of [0.5, 0.75, 1, 1.25, 1.5]) {
    if (cancelled) break;
    const res = await runJob('/api/power', { scenario: scaled(plain, k), reps: last.reps, seed: last.seed, n: last.n },
      `What if: effect scale ${k}`);
    if (!res) break;
    const r = res.rows.find((x) => x.family === fam && x.hypothesis === hyp && x.metric === 'power');
    if (r) pts.push({ x: k, y: r.value, lo: r.ci_low, hi: r.ci_high });
    $('whatif-fig').hidden = false;
    $('whatif-plot').innerHTML = chart([{ name: `${fam}:${hyp}`, width: 2.5, pts }], { id: 'whatif-svg', title: 'Power by effect scale',
      xlabel: `Effect scale (power at N = ${last.n})`, ylabel: 'Power', target: last.target, markX: scale() });
  }
  setStatus(cancelled ? 'Cancelled.' : 'Done.');
  setBusy(false);
}

// ---------- downloads ----------

const urls = {};
function setLink(id, text, type) {
  if (urls[id]) URL.revokeObjectURL(urls[id]);
  urls[id] = URL.createObjectURL(new Blob([text], { type }));
  $(id).href = urls[id];
  $(id).classList.remove('off');
}

function updateScenarioLink() {
  if (base) setLink('dl-scenario', JSON.stringify(edited(), null, 2) + '\n', 'application/json');
}

async function report() {
  if (!last) return;
  setBusy(true);
  const [fam, hyp] = last.primary;
  const res = await runJob('/api/report', { scenario: last.scenario, reps: last.reps, seed: last.seed, n_grid: last.grid,
    criterion: `${fam}:${hyp}:power`, target: last.target }, 'Making the report');
  setBusy(false);
  if (!res) return;
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([res.html], { type: 'text/html' }));
  a.download = 'report.html';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setStatus('Report downloaded.');
}

// ---------- loading scenarios ----------

function useBuiltin(name) {
  const b = scenarios.find((x) => x.name === name);
  if (!b) return false;
  base = clone(b.scenario);
  baseName = name;
  $('builtin').value = name;
  return true;
}

function useCustom(obj) {
  base = obj;
  baseName = null;
  if (![...$('builtin').options].some((o) => o.value === '')) {
    $('builtin').insertAdjacentHTML('beforeend', '<option value="">(your scenario)</option>');
  }
  $('builtin').value = '';
}

function loadText(text, label) {
  let obj;
  try { obj = JSON.parse(text); } catch (e) { showProblems([{ path: '', message: `${label}: not JSON: ${e.message}` }]); return; }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) { showProblems([{ path: '', message: `${label}: expected a JSON object` }]); return; }
  useCustom(obj);
  edits = {};
  buildForm();
  changed();
}

async function init() {
  const { data } = await api('GET', '/api/scenarios');
  scenarios = data.scenarios;
  $('builtin').innerHTML = scenarios.map((s) => `<option value="${esc(s.name)}">${esc(s.name)}: ${esc(s.description || '')}</option>`).join('');
  const st = readHash();
  if (st && st.c) useCustom(st.c);
  else if (!(st && st.s && useBuiltin(st.s))) useBuiltin(data.default);
  if (st) {
    edits = st.e || {};
    if (st.k !== undefined) $('scale').value = st.k;
    if (st.seed !== undefined) $('seed').value = st.seed;
    if (st.reps !== undefined) $('reps').value = st.reps;
    if (st.t !== undefined) $('target').value = st.t;
  }
  buildForm();
  await validate();
  if (st && st.p) $('primary').value = st.p;
  document.body.dataset.state = 'idle';

  $('builtin').addEventListener('change', () => {
    if (useBuiltin($('builtin').value)) { edits = {}; buildForm(); changed(); }
  });
  $('file').addEventListener('change', async () => {
    const f = $('file').files[0];
    if (f) loadText(await f.text(), f.name);
  });
  $('use-json').addEventListener('click', () => loadText($('json').value, 'pasted JSON'));
  document.addEventListener('change', onFieldChange);
  for (const id of ['scale', 'seed', 'reps', 'target', 'primary']) $(id).addEventListener('change', changed);
  $('run').addEventListener('click', run);
  $('cancel').addEventListener('click', cancel);
  $('whatif').addEventListener('click', whatIf);
  $('dl-report').addEventListener('click', report);
  document.addEventListener('dragover', (e) => { e.preventDefault(); document.body.classList.add('dragging'); });
  document.addEventListener('dragleave', () => document.body.classList.remove('dragging'));
  document.addEventListener('drop', async (e) => {
    e.preventDefault();
    document.body.classList.remove('dragging');
    const f = e.dataTransfer.files[0];
    if (f) loadText(await f.text(), f.name);
  });
}

init();
