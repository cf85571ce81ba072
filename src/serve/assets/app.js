// The workshop page: levers from /api/config, a run (or, with a pinned baseline, a paired
// comparison) per change, partial results streamed as server-sent events. The URL holds the
// overrides, the seed and the replications, so a link reproduces the same numbers.
"use strict";

const HEADLINE = ["deploys_per_week", "lead_time_p50_hours", "change_fail_rate",
  "recovery_p50_hours", "rework_rate", "availability"];
const TIERS = ["elite", "high", "medium", "low"];
const TIER_COLOURS = { elite: "#009E73", high: "#56B4E9", medium: "#E69F00", low: "#D55E00" };

const page = {
  config: null,
  values: {},      // key -> current value of each control
  extra: [],       // overrides from the URL that have no control, kept as they are
  baseline: null,  // pinned overrides (A) in A/B mode, or null
  events: null,    // the EventSource of the current job
  job: null,       // its id
  timer: null,
};

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") e.textContent = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
};

// Numbers as the terminal and the report show them: shares in percent, others to 3-4 digits.
function fmt(x, unit) {
  if (x === null || x === undefined || !isFinite(x)) return "–";
  if (unit === "share") return (100 * x).toFixed(Math.abs(x) > 0.99 && Math.abs(x) < 1 ? 2 : 1) + " %";
  const a = Math.abs(x);
  if (a >= 1000) return x.toFixed(0);
  if (a >= 100) return x.toFixed(1);
  if (a >= 10) return x.toFixed(2);
  return x.toFixed(3);
}
function fmtDiff(x, unit) {
  if (x === null || x === undefined || !isFinite(x)) return "–";
  const s = unit === "share" ? (100 * x).toFixed(2) + " pp" : fmt(x, unit);
  return (x > 0 ? "+" : "") + s;
}
function ci(s, unit) {
  return s.ci95_low == null ? "" : `[${fmt(s.ci95_low, unit)}, ${fmt(s.ci95_high, unit)}]`;
}

// ---- the levers ----

function valueText(control, v) {
  if (control.kind === "switch") return v ? "on" : "off";
  if (control.kind === "choice") return String(v);
  return control.unit === "share 0-1" ? (100 * v).toFixed(0) + " %" : String(v);
}

function buildControls() {
  const form = $("controls");
  form.replaceChildren();
  for (const c of page.config.controls) {
    const box = el("div", { class: "control", "data-control": c.key });
    const out = el("output", { text: valueText(c, page.values[c.key]) });
    box.append(el("div", { class: "head" }, el("span", { text: c.label }), out));
    const row = el("div", { class: "row" });
    const changed = (v) => {
      page.values[c.key] = v;
      out.textContent = valueText(c, v);
      box.classList.toggle("changed", String(v) !== String(c.value));
      schedule();
    };
    if (c.kind === "switch") {
      const box2 = el("input", { type: "checkbox", "data-key": c.key });
      box2.checked = !!page.values[c.key];
      box2.addEventListener("change", () => changed(box2.checked));
      row.append(box2);
    } else if (c.kind === "choice") {
      const sel = el("select", { "data-key": c.key });
      for (const w of c.choices) sel.append(el("option", { value: w, text: w }));
      sel.value = page.values[c.key];
      sel.addEventListener("change", () => changed(sel.value));
      row.append(sel);
    } else {
      const [lo, hi, step] = c.slider || [0, 1, 0.01];
      const range = el("input", { type: "range", min: lo, max: hi, step, "data-key": c.key });
      const num = el("input", { type: "number", step: "any", "data-key": c.key, "aria-label": c.label });
      range.value = num.value = page.values[c.key];
      range.addEventListener("input", () => { num.value = range.value; changed(Number(range.value)); });
      num.addEventListener("change", () => {
        const v = num.value.trim() === "" ? NaN : Number(num.value);
        range.value = v;
        changed(isFinite(v) ? v : num.value);
      });
      row.append(range, num);
    }
    box.append(row);
    box.append(el("div", { class: "info", text: `${c.meaning} Unit: ${c.unit}; accepted: ${c.range}.` }));
    box.title = "Evidence: " + c.source;
    box.append(el("div", { class: "problem", hidden: "" }));
    box.classList.toggle("changed", String(page.values[c.key]) !== String(c.value));
    form.append(box);
  }
}

// The overrides of the current state, as `--set KEY=VALUE` strings.
function overrides() {
  const set = [];
  for (const c of page.config.controls) {
    const v = page.values[c.key];
    if (String(v) !== String(c.value)) set.push(`${c.key}=${v}`);
  }
  return set.concat(page.extra);
}

function query(set, withBase) {
  const q = new URLSearchParams();
  for (const s of set) q.append("set", s);
  q.set("seed", $("seed").value);
  q.set("runs", $("runs").value);
  if (withBase && page.baseline) {
    q.set("ab", "1");
    for (const s of page.baseline) q.append("base", s);
  }
  return q.toString();
}

function readURL() {
  const q = new URLSearchParams(location.search);
  const byKey = Object.fromEntries(page.config.controls.map((c) => [c.key, c]));
  page.extra = [];
  for (const s of q.getAll("set")) {
    const i = s.indexOf("=");
    const key = i < 0 ? s : s.slice(0, i).trim();
    const raw = i < 0 ? "" : s.slice(i + 1).trim();
    const c = byKey[key];
    if (!c) { page.extra.push(s); continue; }
    if (c.kind === "switch") page.values[key] = raw === "true";
    else if (c.kind === "choice") page.values[key] = raw.replace(/^"|"$/g, "");
    else page.values[key] = raw !== "" && isFinite(Number(raw)) ? Number(raw) : raw;
  }
  if (q.has("seed")) $("seed").value = q.get("seed");
  if (q.has("runs")) $("runs").value = q.get("runs");
  page.baseline = q.has("ab") ? q.getAll("base") : null;
}

// ---- jobs ----

function schedule() {
  clearTimeout(page.timer);
  page.timer = setTimeout(start, 120);
}

function stopCurrent() {
  if (page.events) { page.events.close(); page.events = null; }
  if (page.job) {
    fetch(`/api/jobs/${page.job}/cancel`, { method: "POST" }).catch(() => {});
    page.job = null;
  }
}

function showProblems(refusal) {
  for (const p of document.querySelectorAll(".control .problem")) { p.hidden = true; p.textContent = ""; }
  const general = $("request-error");
  general.hidden = !refusal;
  general.textContent = "";
  if (!refusal) return;
  const unplaced = [];
  for (const problem of refusal.problems || []) {
    const box = document.querySelector(`.control[data-control="${CSS.escape(problem.key_path)}"] .problem`);
    const text = `${problem.message}; allowed: ${problem.allowed}` +
      (problem.suggestion ? ` (did you mean ${problem.suggestion}?)` : "");
    if (box) { box.hidden = false; box.textContent = text; } else unplaced.push(text);
  }
  general.textContent = unplaced.length ? unplaced.join("\n") : (refusal.problems || []).length ? "" : refusal.error;
  general.hidden = general.textContent === "";
}

async function start() {
  stopCurrent();
  const set = overrides();
  history.replaceState(null, "", "?" + query(set, true));
  $("download-toml").href = "/api/scenario.toml?" + query(set, false);
  $("download-report").href = "/api/report.html?" + query(set, false);
  $("share-link").value = location.href;
  const seed = Number($("seed").value), runs = Number($("runs").value);
  const body = page.baseline
    ? { baseline: page.baseline, variant: set, seed, runs }
    : { set, seed, runs };
  setStatus("starting", 0, runs, "starting…");
  let answer;
  try {
    const response = await fetch(page.baseline ? "/api/compare" : "/api/run", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    answer = await response.json();
    if (!response.ok) {
      showProblems(answer);
      setStatus("refused", 0, runs, "not run: " + answer.error.split("\n")[0]);
      return;
    }
  } catch (e) {
    setStatus("failed", 0, runs, "cannot reach the server: " + e);
    return;
  }
  showProblems(null);
  page.job = answer.job;
  const events = new EventSource(answer.events);
  page.events = events;
  const onEvent = (e) => {
    if (page.events !== events) return;
    const snapshot = JSON.parse(e.data);
    render(snapshot);
    if (e.type !== "progress") { events.close(); page.events = null; page.job = null; }
  };
  for (const name of ["progress", "done", "cancelled", "failed"]) events.addEventListener(name, onEvent);
  events.onerror = () => { if (page.events === events && events.readyState === 2) setStatus("failed", 0, runs, "connection lost"); };
}

function setStatus(state, done, total, text) {
  const s = $("status");
  s.dataset.state = state;
  s.dataset.runs = done;
  s.replaceChildren(el("strong", { text: `${done} / ${total} replications` }),
    el("progress", { max: total, value: done }), text);
}

// ---- results ----

function render(snapshot) {
  const words = { queued: "waiting for a free core…", running: "running, refining…", done: "done",
    cancelled: "cancelled", failed: "failed: " + (snapshot.error || "") };
  setStatus(snapshot.state, snapshot.runs_done, snapshot.runs_total,
    `${words[snapshot.state]} (seed ${snapshot.seed}, ${snapshot.elapsed_seconds.toFixed(2)} s)`);
  const result = snapshot.result;
  if (!result) return;
  const view = snapshot.kind === "compare" ? result.variant : result;
  const diffs = {};
  if (snapshot.kind === "compare") {
    for (const m of result.comparison.metrics) diffs[m.metric] = m.differences[1];
  }
  const b = $("baseline");
  b.hidden = snapshot.kind !== "compare";
  if (!b.hidden) {
    b.textContent = "A/B mode: baseline A = " + (page.baseline.length ? page.baseline.join(", ") : "the scenario as loaded") +
      "; the figures are B (the levers now), with B − A paired on common random numbers.";
  }
  renderCards(view, diffs);
  renderTiers(view, snapshot.kind === "compare" ? result.baseline_tiers_2024 : null);
  renderTable(view, diffs);
  renderDashboard(view);
  if (view.charts.length) {
    $("charts").replaceChildren(...view.charts.map((c) => {
      const f = el("figure", { "data-chart": c.id });
      f.innerHTML = c.svg;
      return f;
    }));
  }
  const lesson = $("lesson");
  lesson.hidden = !view.lesson;
  lesson.textContent = view.lesson ? "Lesson: " + view.lesson : "";
}

// A difference whose paired CI excludes zero is coloured by whether B is better.
function diffText(d, unit, better) {
  if (!d) return null;
  const up = d.ci95_low > 0, down = d.ci95_high < 0;
  const cls = !(up || down) ? "" : (up === (better === "higher")) ? "better" : "worse";
  return { cls, text: `B − A ${fmtDiff(d.mean, unit)} [${fmtDiff(d.ci95_low, unit)}, ${fmtDiff(d.ci95_high, unit)}]` };
}

function renderCards(view, diffs) {
  const byKey = Object.fromEntries(view.metrics.map((m) => [m.key, m]));
  $("cards").replaceChildren(...HEADLINE.filter((k) => byKey[k]).map((k) => {
    const m = byKey[k];
    const card = el("div", { class: "card", "data-key": k, "data-mean": String(m.mean) });
    card.append(el("div", { class: "label", text: m.label }));
    card.append(el("div", { class: "value" }, fmt(m.mean, m.unit), " ",
      el("span", { class: "unit", text: m.unit === "share" ? "" : m.unit })));
    card.append(el("dl", {}, el("dt", { text: "95 % CI" }), el("dd", { text: ci(m, m.unit) }),
      el("dt", { text: "p5 – p95" }), el("dd", { text: `${fmt(m.p5, m.unit)} – ${fmt(m.p95, m.unit)}` })));
    const d = diffText(diffs[k], m.unit, m.better);
    if (d) card.append(el("div", { class: "diff " + d.cls, text: d.text }));
    return card;
  }));
}

function tierBar(shares) {
  const bar = el("div", { class: "tierbar" });
  for (const t of TIERS) {
    const share = shares[t];
    if (!(share > 0)) continue;
    const span = el("span", { title: `${t} ${(100 * share).toFixed(1)} %`,
      text: share >= 0.06 ? `${t} ${(100 * share).toFixed(0)} %` : "" });
    span.style.width = `${100 * share}%`;
    span.style.background = TIER_COLOURS[t];
    bar.append(span);
  }
  return bar;
}

function renderTiers(view, baseline) {
  const rows = [["DORA 2024", view.tiers_2024], ["DORA 2023", view.tiers_2023]];
  if (baseline) rows.push(["A: DORA 2024", baseline]);
  $("tiers").replaceChildren(...rows.map(([name, shares]) =>
    el("div", { class: "tierrow", "data-table": name }, el("span", { text: name }), tierBar(shares))));
}

function renderTable(view, diffs) {
  const compare = Object.keys(diffs).length > 0;
  const head = el("tr", {}, el("th", { text: "metric" }), el("th", { class: "num", text: "mean [95 % CI]" }),
    el("th", { class: "num", text: "p5 – p95" }));
  if (compare) head.append(el("th", { class: "num", text: "B − A [95 % paired CI]" }));
  const rows = view.metrics.map((m) => {
    const tr = el("tr", { "data-key": m.key, "data-mean": String(m.mean) },
      el("td", { text: m.label }),
      el("td", { class: "num", text: `${fmt(m.mean, m.unit)} ${ci(m, m.unit)}` }),
      el("td", { class: "num", text: `${fmt(m.p5, m.unit)} – ${fmt(m.p95, m.unit)}` }));
    if (compare) {
      const d = diffText(diffs[m.key], m.unit, m.better);
      tr.append(el("td", { class: "num diff " + (d ? d.cls : ""), text: d ? d.text.replace("B − A ", "") : "–" }));
    }
    return tr;
  });
  $("metrics").replaceChildren(head, ...rows);
}

function renderDashboard(view) {
  $("lens").textContent = `(measured ledger through the \`${view.lens}\` lens)`;
  const head = el("tr", {}, el("th", { text: "metric (mean over replications)" }), el("th", { class: "num", text: "true" }),
    el("th", { class: "num", text: "measured" }), el("th", { class: "num", text: "gap: measured − true [95 % CI]" }));
  const rows = view.dashboard.map((d) => {
    const same = d.gap.std_dev === 0 && d.gap.mean === 0;
    return el("tr", {}, el("td", { text: d.label }), el("td", { class: "num", text: fmt(d.truth.mean, d.unit) }),
      el("td", { class: "num", text: fmt(d.measured.mean, d.unit) }),
      el("td", { class: "num", text: same ? "identical in every replication" : `${fmtDiff(d.gap.mean, d.unit)} ${ci(d.gap, d.unit)}` }));
  });
  $("dashboard").replaceChildren(head, ...rows);
}

// ---- start-up ----

async function init() {
  page.config = await (await fetch("/api/config")).json();
  const s = page.config.scenario;
  $("description").textContent = `${s.name}: ${s.description}`;
  $("seed").value = s.seed;
  $("runs").value = page.config.limits.default_runs;
  $("runs").max = page.config.limits.max_runs;
  for (const c of page.config.controls) page.values[c.key] = c.value;
  readURL();
  buildControls();
  $("seed").addEventListener("change", schedule);
  $("runs").addEventListener("change", schedule);
  $("reset").addEventListener("click", () => {
    for (const c of page.config.controls) page.values[c.key] = c.value;
    page.extra = [];
    buildControls();
    schedule();
  });
  $("pin").addEventListener("click", () => { page.baseline = overrides(); updateMode(); schedule(); });
  $("unpin").addEventListener("click", () => { page.baseline = null; updateMode(); schedule(); });
  $("copy-link").addEventListener("click", async () => {
    const link = $("share-link");
    link.hidden = false;
    link.value = location.href;
    link.select();
    try { await navigator.clipboard.writeText(location.href); } catch (e) { /* the link is shown */ }
  });
  window.addEventListener("pagehide", stopCurrent);
  updateMode();
  start();
}

function updateMode() {
  $("pin").hidden = false;
  $("unpin").hidden = !page.baseline;
}

document.addEventListener("DOMContentLoaded", init);
