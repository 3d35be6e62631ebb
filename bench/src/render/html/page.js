// report.html's script: plain DOM, no library. It lays out what bench report
// embedded in #data: a cell's details when its heatmap cell is clicked, and two
// paradigms' programs side by side from the diff ops made at report time.
// The URL's hash may say `side=io:threads:tokio`, `cell=SCENARIO|X|PARADIGM`
// (serve-mixed's runs share theirs: `cell=serve-mixed|2000|tokio|offloaded`, or `|inline`),
// `only=SECTION` (that section alone under the header: a link to one part, or a
// screenshot, which headless Chromium takes unscrolled), joined by `&`; or `selftest`: then every cell is clicked and every two
// programs of a workload laid out each way round, and the outcome written into <pre id="selftest">.
"use strict";

const problems = [];
window.addEventListener("error", (e) => problems.push("error: " + e.message));
window.addEventListener("unhandledrejection", (e) => problems.push("unhandled rejection: " + e.reason));
const consoleError = console.error.bind(console);
console.error = (...args) => { problems.push("console.error: " + args.join(" ")); consoleError(...args); };

const D = JSON.parse(document.getElementById("data").textContent);
const $ = (id) => document.getElementById(id);
const NO_COMMAND = "(not run: no command)";

function esc(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

function secs(s) {
  if (s < 1e-6) return (s * 1e9).toFixed(0) + " ns";
  if (s < 1e-3) return (s * 1e6).toFixed(1) + " µs";
  if (s < 1) return (s * 1e3).toFixed(1) + " ms";
  return s.toFixed(2) + " s";
}

// ---- The details panel.

/** Every timed run as a dot on a strip, the range a tie is judged on shaded, the median a line. */
function strip(runs) {
  const w = 500, h = 46, pad = 14;
  const lo = Math.min(...runs.times), hi = Math.max(...runs.times);
  const span = hi - lo || lo * 0.01 || 1e-9;
  const x = (t) => pad + ((t - lo) / span) * (w - 2 * pad);
  let svg = `<svg class="strip" width="100%" viewBox="0 0 ${w} ${h}">`;
  svg += `<line x1="${pad}" x2="${w - pad}" y1="20" y2="20" stroke="#bbb"/>`;
  svg += `<rect x="${x(runs.mid[0])}" y="10" width="${Math.max(1, x(runs.mid[1]) - x(runs.mid[0]))}" height="20" fill="#cfe3f5"/>`;
  svg += `<line x1="${x(runs.median)}" x2="${x(runs.median)}" y1="6" y2="34" stroke="#0b5cad" stroke-width="2"/>`;
  runs.times.forEach((t, i) => {
    svg += `<circle cx="${x(t)}" cy="${14 + (i % 3) * 6}" r="3.5" fill="#000" fill-opacity=".75"><title>run ${i + 1}: ${secs(t)}</title></circle>`;
  });
  svg += `<text x="${pad}" y="44" font-size="11">${secs(lo)}</text>`;
  svg += `<text x="${w - pad}" y="44" font-size="11" text-anchor="end">${secs(hi)}</text></svg>`;
  return svg;
}

/** The heatmap cell the panel was opened from, to go back to when it closes. */
let opener = null;

function openCell(i) {
  const c = D.cells[i];
  let html = `<h3>${esc(c.h)} <span class="status status-${c.st}">${esc(c.st)}</span></h3>`;
  if (c.notes.length) html += `<ul class="notes">${c.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>`;
  html += `<h4>Command</h4><pre class="cmd">${esc(c.cmd || NO_COMMAND)}</pre>`;
  if (c.srv) html += `<h4>Server</h4><pre class="srv">${esc(c.srv)}</pre>`;
  if (c.lines.length) html += `<h4>Result line${c.lines.length > 1 ? "s" : ""}</h4><pre>${c.lines.map(esc).join("\n")}</pre>`;
  if (c.runs) html += `<h4>Every timed run</h4>` + strip(c.runs) + `<p class="said">a dot per run; shaded: the range a tie is judged on; the line: the median</p>`;
  for (const [title, rows] of c.sec) {
    html += `<h4>${esc(title)}</h4><table>`;
    for (const [what, value] of rows) html += `<tr><td>${esc(D.labels[what])}</td><td>${esc(value)}</td></tr>`;
    html += "</table>";
  }
  const panel = $("details");
  panel.querySelector(".body").innerHTML = html;
  panel.dataset.k = c.k;
  panel.hidden = false;
  document.body.classList.add("details-open");
  document.querySelectorAll("#heatmap .selected").forEach((e) => e.classList.remove("selected"));
  document.querySelectorAll(`#heatmap [data-i="${i}"]`).forEach((e) => e.classList.add("selected"));
  if (document.activeElement && document.activeElement.closest("#heatmap [data-cell]")) opener = document.activeElement;
  panel.focus({ preventScroll: true });
}

function closeCell() {
  const panel = $("details");
  if (!panel.hidden && opener && panel.contains(document.activeElement)) opener.focus({ preventScroll: true });
  opener = null;
  panel.hidden = true;
  document.body.classList.remove("details-open");
  document.querySelectorAll("#heatmap .selected").forEach((e) => e.classList.remove("selected"));
}

$("heatmap").addEventListener("click", (e) => {
  const at = e.target.closest("[data-cell]");
  if (at) { e.stopPropagation(); at.focus({ preventScroll: true }); openCell(+at.dataset.i); }
});
// A heatmap cell is a button: Enter or Space opens it too.
$("heatmap").addEventListener("keydown", (e) => {
  const at = (e.key === "Enter" || e.key === " ") && e.target.closest("[data-cell]");
  if (at) { e.preventDefault(); openCell(+at.dataset.i); }
});
$("details").querySelector(".close").addEventListener("click", closeCell);
document.addEventListener("keydown", (e) => { if (e.key === "Escape") closeCell(); });
$("show-figures").addEventListener("change", (e) => $("heatmap").classList.toggle("figures", e.target.checked));

// ---- Side by side.

/** A program's lines, each with its number in its own file (0 for a file's name line). */
function lines(prog) {
  const t = D.src.texts[prog];
  const all = t.text.split("\n");
  if (all[all.length - 1] === "") all.pop();
  const heads = new Set(t.heads);
  let n = 0;
  return all.map((text, i) => { n = heads.has(i) ? 0 : n + 1; return { text, n }; });
}

/** The ops from A's program to B's: stored once per pair, turned round for B to A. */
function ops(w, a, b) {
  if (a === b) return [["e", lines(a).length, lines(a).length]];
  const there = w.diffs[a + "|" + b];
  if (there) return there;
  const flip = { d: "i", i: "d", e: "e", r: "r" };
  return w.diffs[b + "|" + a].map(([t, o, n]) => [flip[t], n, o]);
}

function sideCell(line, cls) {
  if (!line) return `<td class="n gap"></td><td class="gap"></td>`;
  const head = line.n === 0;
  return `<td class="n">${head ? "" : line.n}</td><td class="${head ? "" : cls}">${esc(line.text) || " "}</td>`;
}

/** Two figures tie as the report says: timed runs' ranges overlap, or less than the column's factor apart. */
function tied(va, vb, ra, rb, factor) {
  if (va === vb) return true;
  if (ra && rb) return ra[0] <= rb[1] && rb[0] <= ra[1];
  return factor ? Math.max(va, vb) / Math.min(va, vb) < factor : false;
}

function figures(w, a, b) {
  const rows = D.points.filter((p) => p.w === w.w && (p.e[a] || p.e[b]));
  if (!rows.length) return "";
  const heads = ["scenario", "point", "figure", `A: ${esc(a)}`, `B: ${esc(b)}`, "B/A", "better"];
  let html = `<table><tr>${heads.map((h) => `<th scope="col">${h}</th>`).join("")}</tr>`;
  for (const p of rows) {
    const [va, ta, ra] = p.e[a] || [null, "–"], [vb, tb, rb] = p.e[b] || [null, "–"];
    const ratio = va && vb ? (vb / va).toFixed(2) + "×" : "–";
    let better = "–";
    if (va && vb) better = tied(va, vb, ra, rb, p.tie) ? "tie" : (vb > va) === p.hi ? b : a;
    html += `<tr><td><a href="#s-${esc(p.s)}">${esc(p.s)}</a></td><td>${esc(p.l)}</td><td>${esc(p.fig)}</td><td class="num">${esc(ta)}</td><td class="num">${esc(tb)}</td><td class="num">${ratio}</td><td>${esc(better)}</td></tr>`;
  }
  return html + "</table>";
}

function showSide(wName, a, b) {
  const w = D.src.workloads.find((x) => x.w === wName);
  if (!w) return;
  const prog = (p) => w.par.find((x) => x.p === p);
  const pa = prog(a) || w.par[0], pb = prog(b) || w.par[Math.min(1, w.par.length - 1)];
  fill($("side-w"), D.src.workloads.map((x) => x.w), w.w);
  fill($("side-a"), w.par.map((x) => x.p), pa.p);
  fill($("side-b"), w.par.map((x) => x.p), pb.p);
  $("side-figures").innerHTML = figures(w, pa.p, pb.p);
  const notes = [pa, pb].filter((x) => x.note).map((x) => esc(x.note));
  notes.push(`A: <code>${esc(pa.prog)}</code>, B: <code>${esc(pb.prog)}</code>`);
  $("side-notes").innerHTML = notes.join("; ") + ".";
  const left = lines(pa.prog), right = lines(pb.prog);
  let i = 0, j = 0;
  let html = `<table><colgroup><col style="width:44px"><col><col style="width:44px"><col></colgroup><tr><th scope="col"></th><th scope="col">A: ${esc(pa.p)}</th><th scope="col"></th><th scope="col">B: ${esc(pb.p)}</th></tr>`;
  for (const [tag, o, n] of ops(w, pa.prog, pb.prog)) {
    for (let k = 0; k < Math.max(o, n); k++) {
      const l = k < o ? left[i + k] : null, r = k < n ? right[j + k] : null;
      const cls = { e: "", d: "del", i: "ins", r: "chg" }[tag];
      const head = (l && l.n === 0) || (r && r.n === 0);
      html += `<tr${head && tag === "e" ? ' class="head"' : ""}>${sideCell(l, cls)}${sideCell(r, cls)}</tr>`;
    }
    i += o;
    j += n;
  }
  $("side-code").innerHTML = html + "</table>";
}

function fill(select, names, chosen) {
  if (select.dataset.names !== names.join()) {
    select.innerHTML = names.map((n) => `<option>${esc(n)}</option>`).join("");
    select.dataset.names = names.join();
  }
  select.value = chosen;
}

$("side").querySelector(".said").textContent = D.src.said + ". Lines that differ: deleted (A only), inserted (B only), changed.";
for (const id of ["side-w", "side-a", "side-b"]) {
  $(id).addEventListener("change", () => showSide($("side-w").value, $("side-a").value, $("side-b").value));
}

// ---- The hash, and the self-test.

function selftest() {
  let clicked = 0, laid = 0;
  const seen = new Set();
  for (const el of document.querySelectorAll("#heatmap [data-cell]")) {
    el.click();
    clicked++;
    const c = D.cells[+el.dataset.i], panel = $("details"), cmd = panel.querySelector(".cmd");
    seen.add(+el.dataset.i);
    if (!c || c.k !== el.dataset.cell) problems.push(`${el.dataset.cell}: its data is another cell's`);
    else if (panel.hidden || panel.dataset.k !== c.k) problems.push(`${c.k}: the details panel did not open on it`);
    else if (!cmd || cmd.textContent !== (c.cmd || NO_COMMAND)) problems.push(`${c.k}: the details do not show its command`);
    const link = el.dataset.cell + (el.dataset.heavy ? "|" + el.dataset.heavy : "");
    if (findCell(link) !== el) problems.push(`${link}: #cell= finds another cell`);
  }
  if (seen.size !== D.cells.length) problems.push(`${D.cells.length - seen.size} of ${D.cells.length} cells have no heatmap cell`);
  closeCell();
  // The keyboard: Enter on a cell opens it, the panel taking focus; Escape closes it and gives the focus back.
  const key = (el, k) => el.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true }));
  const first = document.querySelector("#heatmap [data-cell]");
  if (first) {
    first.focus();
    key(first, "Enter");
    if ($("details").hidden || document.activeElement !== $("details")) problems.push("Enter on a cell did not open its details, focused");
    key(document.activeElement, "Escape");
    if (!$("details").hidden || document.activeElement !== first) problems.push("Escape did not close the details and go back to the cell");
  }
  // Every two programs of a workload, each way round (B to A turns A to B's ops round).
  for (const w of D.src.workloads) {
    for (const [a, b] of w.par.flatMap((a) => w.par.filter((b) => b.prog !== a.prog).map((b) => [a, b]))) {
      showSide(w.w, a.p, b.p);
      laid++;
      const said = `side by side ${w.w}: ${a.p} / ${b.p}`;
      const rows = [...$("side-code").querySelectorAll("tr")].slice(1);
      const shown = (col) => rows.filter((r) => r.children[col] && !r.children[col].classList.contains("gap")).length;
      if (shown(0) !== lines(a.prog).length || shown(2) !== lines(b.prog).length) problems.push(`${said}: not every line of both shown once`);
      if (!$("side-code").querySelector("td.del, td.ins, td.chg")) problems.push(`${said}: no line highlighted`);
    }
  }
  // Without sources (no repository), the page says so and there is nothing to lay out.
  if (!laid && D.src.workloads.length) problems.push("no two programs of a workload to lay side by side");
  const pre = document.createElement("pre");
  pre.id = "selftest";
  pre.dataset.status = problems.length ? "failed" : "ok";
  pre.textContent = problems.length ? problems.join("\n") : `ok: ${clicked} cells clicked, ${laid} pairs of programs laid side by side`;
  document.querySelector("main").prepend(pre);
}

/** The heatmap cell of `SCENARIO|X|PARADIGM`, or of `SCENARIO|X|PARADIGM|HEAVY` where serve-mixed's inline and offloaded runs share a key. */
function findCell(key) {
  const parts = key.split("|");
  const heavy = parts.length > 3 ? `[data-heavy="${CSS.escape(parts.pop())}"]` : "";
  return document.querySelector(`#heatmap [data-cell="${CSS.escape(parts.join("|"))}"]${heavy}`);
}

/** A part of the hash decoded; one that is no valid percent-encoding (`100%`) as it stands, which asks for nothing. */
function decoded(part) {
  try { return decodeURIComponent(part); } catch (e) { return part; }
}

function start() {
  const parts = location.hash.slice(1).split("&").map((kv) => [kv.split("=")[0], kv.slice(kv.indexOf("=") + 1)]);
  const asked = Object.fromEntries(parts.map(([k, v]) => [decoded(k), decoded(v)]));
  if (D.src.workloads.length) {
    const [w, a, b] = (asked.side || "io:threads:tokio").split(":");
    showSide(D.src.workloads.some((x) => x.w === w) ? w : D.src.workloads[0].w, a, b);
  } else {
    $("side-code").textContent = D.src.said;
  }
  if ("selftest" in asked) return selftest();
  if (asked.only && $(asked.only)) {
    for (const s of document.querySelectorAll("main > section")) s.hidden = s.id !== asked.only;
  } else if (asked.side) {
    $("side").scrollIntoView();
  }
  const cell = asked.cell && findCell(asked.cell);
  if (cell) openCell(+cell.dataset.i);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
