// The organiser's live dashboard. It paints once from the snapshot (one request: the figures with
// their version), then applies the deltas pushed on the /live Socket.IO namespace. Nothing polls.
//
// Figures are a flat map "scope|metric" -> count (scopes: all, seat:<code>, vol:<id>, hour:<UTC hour>).
// A `tally` delta carries the figures' version after it; the snapshot carries the version it read.
// Deltas may arrive before the snapshot or out of order (several processes publish): they are kept,
// and those newer than the snapshot are applied once each (increments commute). A version missing
// for a few seconds (a delta lost while reconnecting) means a fresh snapshot, as does `reconciled`.
import { sendJSON } from "/static/js/csrf.js";

const root = document.getElementById("dashboard");
const ON_CALL = ["dialing", "connected"];
const GAP_WAIT_MS = 3000;
const HOURS_SHOWN = 12;

const state = {
  loaded: false, base: 0, top: 0, applied: new Set(), pending: [], figures: {}, snapshot: null,
  volunteers: {}, sessions: {}, pool: null, pacer: null, scope: "all", gapTimer: null, painting: false, clockOffset: 0,
};

function n(name, scope = state.scope) { return state.figures[`${scope}|${name}`] || 0; }
function pct(part, whole) { return whole ? `${(100 * part / whole).toFixed(1)}%` : "–"; }
function text(el, value) { if (el && el.textContent !== String(value)) { el.textContent = String(value); } }
function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  Object.entries(props).forEach(([k, v]) => { if (k === "text") { node.textContent = v; } else { node.setAttribute(k, v); } });
  children.forEach((child) => node.appendChild(child));
  return node;
}
function signups(scope) { return n("signups_event", scope) + n("signups_carpool", scope) + n("signups_pledge", scope); }

function hourKey(date) { return `hour:${date.toISOString().slice(0, 13)}`; }
function serverNow() { return new Date(Date.now() + state.clockOffset); }
function lastHours(count) {
  const now = serverNow();
  const hours = [];
  for (let back = count - 1; back >= 0; back -= 1) { hours.push(new Date(now.getTime() - back * 3600e3)); }
  return hours;
}

// --- applying what arrives ---------------------------------------------------------------------

function applyTally(delta) {
  if (delta.version <= state.base || state.applied.has(delta.version)) { return; }
  state.applied.add(delta.version);
  state.top = Math.max(state.top, delta.version);
  Object.entries(delta.changes).forEach(([name, by]) => { state.figures[name] = (state.figures[name] || 0) + by; });
  if (delta.volunteer) { state.volunteers[delta.volunteer.id] = delta.volunteer.name; }
  checkGaps();
}

function checkGaps() {
  const missing = state.top - state.base - state.applied.size;
  if (missing > 0 && !state.gapTimer) {
    state.gapTimer = setTimeout(() => {
      state.gapTimer = null;
      if (state.top - state.base - state.applied.size > 0) { load(); }
    }, GAP_WAIT_MS);
  }
}

function applySeat(seat) {
  const known = state.sessions[seat.session];
  if (known && known.since && seat.since && seat.since < known.since) { return; } // an older change, late
  if (seat.state === "ended") { delete state.sessions[seat.session]; return; }
  state.sessions[seat.session] = { ...known, ...seat, volunteer: seat.volunteer || (known && known.volunteer) };
}

function load() {
  state.loaded = false;
  return fetch(root.dataset.snapshotUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((reply) => { if (!reply.ok) { throw new Error(`snapshot ${reply.status}`); } return reply.json(); })
    .then((snap) => {
      state.snapshot = snap;
      state.clockOffset = Date.parse(snap.now) - Date.now(); // hours are the server's (UTC) hours
      state.base = snap.version; state.top = snap.version; state.applied = new Set();
      state.figures = { ...snap.figures };
      state.volunteers = { ...snap.volunteers };
      state.sessions = {};
      snap.sessions.forEach(applySeat);
      state.pool = snap.pool;
      state.pacer = snap.pacer;
      state.loaded = true;
      const waiting = state.pending; state.pending = [];
      waiting.forEach(([handler, data]) => handler(data));
      paint();
    })
    .catch(() => { text(document.getElementById("connection"), "Could not load the figures: reload the page"); });
}

function later(handler) {
  return (data) => {
    if (!state.loaded) { state.pending.push([handler, data]); return; }
    handler(data);
    schedulePaint();
  };
}

function schedulePaint() {
  if (state.painting) { return; }
  state.painting = true;
  requestAnimationFrame(() => { state.painting = false; paint(); });
}

// --- painting -------------------------------------------------------------------------------------

function paint() {
  if (!state.loaded) { return; }
  const scope = state.scope;
  document.querySelectorAll("[data-metric]").forEach((node) => {
    const metric = node.dataset.metric;
    text(node, (metric === "signups" ? signups(scope) : n(metric)).toLocaleString("en-GB"));
  });
  text(document.querySelector('[data-rate="answer"]'), pct(n("answered"), n("dials")));
  paintAbandon();
  paintPacer();
  paintStates();
  paintPool();
  paintOutcomes();
  paintSurvey();
  paintLeaders();
  paintLeague();
  paintCharts();
}

function abandonedOver(hours) {
  let abandoned = 0; let live = 0;
  hours.forEach((hour) => {
    const key = hourKey(hour);
    abandoned += state.figures[`${key}|abandoned`] || 0;
    live += (state.figures[`${key}|connects`] || 0) + (state.figures[`${key}|abandoned`] || 0);
  });
  return { abandoned, live };
}

function paintAbandon() {
  const { abandoned, live } = abandonedOver(lastHours(24));
  const limits = state.snapshot.limits;
  const rate = live ? (100 * abandoned) / live : 0;
  text(document.querySelector('[data-rate="abandon"]'), live ? `${rate.toFixed(1)}%` : "–");
  text(document.getElementById("abandon-detail"), `${abandoned} of ${live} live calls`);
  const level = rate > limits.abandon_pct ? "over" : rate > limits.target_pct ? "near" : "ok";
  document.getElementById("abandon-tile").dataset.level = level;
  const scale = 2 * limits.abandon_pct; // the meter runs to 6%
  document.getElementById("abandon-fill").style.width = `${Math.min(100, (100 * rate) / scale)}%`;
  document.querySelector(".meter-mark.target").style.left = `${(100 * limits.target_pct) / scale}%`;
  document.querySelector(".meter-mark.limit").style.left = `${(100 * limits.abandon_pct) / scale}%`;
}

function paintPacer() {
  const pacer = state.pacer;
  const box = document.getElementById("pacer-state");
  if (!box) { return; }
  box.hidden = !pacer || !pacer.mode || state.snapshot.campaign.mode !== "predictive";
  if (box.hidden) { return; }
  const mode = pacer.braked ? "braked: dialing as power" : pacer.mode === "power" ? "power (team under 10)" : "dialing ahead";
  text(box.querySelector('[data-pacer="mode"]'), mode);
  text(box.querySelector('[data-pacer="level"]'), pacer.dial_level.toFixed(2));
  text(box.querySelector('[data-pacer="rate"]'), `${pacer.abandon_24h_pct.toFixed(1)}%`);
  box.dataset.braked = pacer.braked ? "yes" : "no";
}

function paintStates() {
  const counts = { ready: 0, on_call: 0, wrap_up: 0, paused: 0, connecting: 0 };
  Object.values(state.sessions).forEach((seat) => {
    const key = ON_CALL.includes(seat.state) ? "on_call" : seat.state;
    if (key in counts) { counts[key] += 1; }
  });
  Object.entries(counts).forEach(([key, count]) => {
    text(document.querySelector(`#states [data-state="${key}"] strong`), count);
  });
}

const POOL_PARTS = [
  ["callable_now", "Callable now"], ["coming_due_1h", "Due within the hour"],
  ["later_only", "Later"], ["in_call", "In a call"], ["exhausted", "Finished"],
];

function paintPool() {
  const pool = state.pool;
  if (!pool) { return; }
  const parts = { ...pool, later_only: pool.later - pool.coming_due_1h };
  const bar = document.getElementById("pool-bar");
  const list = document.getElementById("pool");
  bar.replaceChildren(); list.replaceChildren();
  POOL_PARTS.forEach(([key, label]) => {
    const share = pool.total ? (100 * parts[key]) / pool.total : 0;
    const segment = el("span", { class: `pool-seg pool-${key}`, title: `${label}: ${parts[key]}` });
    segment.style.width = `${share}%`;
    bar.appendChild(segment);
    list.appendChild(el("div", { class: `pool-${key}` }, [
      el("dt", {}, [el("span", { class: "swatch" }), document.createTextNode(label)]),
      el("dd", { text: parts[key].toLocaleString("en-GB") }),
    ]));
  });
  const dials = n("dials", hourKey(serverNow()));
  const forecast = pool.callable_now === 0
    ? (pool.coming_due_1h ? `Nobody to call right now; ${pool.coming_due_1h} come due within the hour.` : "The list has run dry: import more voters.")
    : dials
      ? `At this hour's pace (${dials} dials) the voters callable now and soon last about ${Math.round((60 * (pool.callable_now + pool.coming_due_1h)) / dials)} minutes.`
      : "";
  text(document.getElementById("pool-forecast"), forecast);
}

function barRow(label, count, max) {
  const bar = el("span", { class: "bar" });
  bar.style.width = `${max ? (100 * count) / max : 0}%`;
  return el("tr", {}, [
    el("th", { scope: "row", text: label }),
    el("td", { class: "bar-cell" }, [bar]),
    el("td", { class: "num", text: count.toLocaleString("en-GB") }),
  ]);
}

function paintOutcomes() {
  const rows = state.snapshot.dispositions
    .map((d) => [d.label, n(`disp:${d.value}`)])
    .filter(([, count]) => count > 0)
    .sort((a, b) => b[1] - a[1]);
  const max = rows.length ? rows[0][1] : 0;
  const body = document.querySelector("#outcomes tbody");
  body.replaceChildren(...(rows.length ? rows.map(([label, count]) => barRow(label, count, max))
    : [el("tr", {}, [el("td", { text: "No outcomes yet." })])]));
}

function paintSurvey() {
  const box = document.getElementById("survey");
  const blocks = state.snapshot.questions.map((q) => {
    const answered = n(`ans:${q.id}:*`);
    const head = el("h3", { text: q.prompt });
    const note = el("p", { class: "sub", text: `${answered} answered` });
    if (q.kind === "text") { return el("div", { class: "question" }, [head, note]); }
    const rows = q.options.map((option) => [option, n(`ans:${q.id}:${option}`)]);
    const max = Math.max(0, ...rows.map(([, c]) => c));
    return el("div", { class: "question" }, [head, note,
      el("table", { class: "bars" }, [el("tbody", {}, rows.map(([o, c]) => barRow(o, c, max)))])]);
  });
  box.replaceChildren(...(blocks.length ? blocks : [el("p", { class: "muted", text: "This campaign has no survey." })]));
}

const STATE_LABELS = { ready: "Ready", dialing: "On a call", connected: "On a call", wrap_up: "Wrap-up", paused: "Paused", connecting: "Joining" };

function paintLeaders() {
  const sessionOf = {};
  Object.values(state.sessions).forEach((seat) => { sessionOf[seat.volunteer] = seat; });
  const ids = new Set(Object.keys(state.volunteers).map(Number));
  Object.values(state.sessions).forEach((seat) => ids.add(seat.volunteer));
  const rows = [...ids].map((id) => ({
    id, name: state.volunteers[id] || "A volunteer", seat: sessionOf[id], dials: n("dials", `vol:${id}`),
    connects: n("connects", `vol:${id}`), talked: n("conversations", `vol:${id}`), signups: signups(`vol:${id}`),
  })).sort((a, b) => b.talked - a.talked || b.signups - a.signups || b.connects - a.connects || a.name.localeCompare(b.name));
  const body = document.querySelector("#leaderboard tbody");
  body.replaceChildren(...rows.map((row, index) => {
    const action = el("td");
    if (row.seat) {
      const button = el("button", { type: "button", class: "secondary small", "data-session": row.seat.session, text: "End session" });
      button.setAttribute("aria-label", `End ${row.name}'s session`);
      action.appendChild(button);
    }
    return el("tr", { "data-volunteer": row.id }, [
      el("td", { class: "num", text: index + 1 }), el("th", { scope: "row", text: row.name }),
      el("td", {}, [el("span", { class: `pill state-${row.seat ? row.seat.state : "gone"}`, text: row.seat ? STATE_LABELS[row.seat.state] || row.seat.state : "Not calling" })]),
      el("td", { class: "num", text: row.dials }), el("td", { class: "num", text: row.connects }),
      el("td", { class: "num", text: row.talked }),
      el("td", { class: "num", text: row.signups }), action,
    ]);
  }));
}

function paintLeague() {
  const seats = state.snapshot.seats.map((s) => ({ ...s, scope: `seat:${s.code}` }));
  if (state.figures["seat:-|dials"]) { seats.push({ code: "-", name: "Seat not known", scope: "seat:-" }); }
  const rows = seats.map((s) => ({
    ...s, dials: n("dials", s.scope), answered: n("answered", s.scope), talked: n("conversations", s.scope), signups: signups(s.scope),
  })).sort((a, b) => b.talked - a.talked || b.signups - a.signups || b.dials - a.dials || a.name.localeCompare(b.name));
  document.querySelector("#league tbody").replaceChildren(...rows.map((row, index) => el("tr", { "data-seat": row.code }, [
    el("td", { class: "num", text: index + 1 }), el("th", { scope: "row", text: row.name }),
    el("td", { class: "num", text: row.dials }), el("td", { class: "num", text: `${row.answered} (${pct(row.answered, row.dials)})` }),
    el("td", { class: "num", text: row.talked }), el("td", { class: "num", text: row.signups }),
  ])));
}

// --- charts (Chart.js from npm; patterns and dashes, not colour alone, tell the series apart) ---------

const charts = {};

function css(name) { return getComputedStyle(document.documentElement).getPropertyValue(name).trim(); }

function makeCharts() {
  if (typeof Chart === "undefined") { return; }
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.animation = false;
  charts.hourly = new Chart(document.getElementById("hourly-chart"), {
    data: {
      labels: [],
      datasets: [
        { type: "bar", label: "Dials", data: [], backgroundColor: css("--chart-light"), borderColor: css("--chart-dark"), borderWidth: 1, order: 3 },
        { type: "bar", label: "Put through", data: [], backgroundColor: css("--chart-mid"), order: 2 },
        { type: "line", label: "Conversations", data: [], borderColor: css("--chart-dark"), backgroundColor: css("--chart-dark"), borderWidth: 3, pointStyle: "rectRot", pointRadius: 5, order: 1 },
      ],
    },
    options: { maintainAspectRatio: false, interaction: { mode: "index", intersect: false }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  charts.abandon = new Chart(document.getElementById("abandon-chart"), {
    type: "line",
    data: {
      labels: [],
      datasets: [
        { label: "Abandon rate (%)", data: [], borderColor: css("--chart-dark"), backgroundColor: css("--chart-dark"), pointStyle: "circle", spanGaps: true },
        { label: "Ofcom limit 3%", data: [], borderColor: css("--bad"), borderDash: [8, 4], borderWidth: 2, pointRadius: 0 },
      ],
    },
    options: { maintainAspectRatio: false, scales: { y: { beginAtZero: true, suggestedMax: 6, ticks: { callback: (v) => `${v}%` } } } },
  });
}

function paintCharts() {
  if (!charts.hourly) { return; }
  const hours = lastHours(HOURS_SHOWN);
  // Hours are labelled in UK time, whatever zone the organiser's device is set to.
  const labels = hours.map((h) => h.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: "Europe/London" }).replace(/:\d\d$/, ":00"));
  const series = (metric) => hours.map((h) => n(metric, hourKey(h)));
  charts.hourly.data.labels = labels;
  charts.hourly.data.datasets[0].data = series("dials");
  charts.hourly.data.datasets[1].data = series("connects");
  charts.hourly.data.datasets[2].data = series("conversations");
  charts.hourly.update("none");
  charts.abandon.data.labels = labels;
  charts.abandon.data.datasets[0].data = hours.map((h) => {
    const { abandoned, live } = abandonedOver([h]);
    return live ? Number(((100 * abandoned) / live).toFixed(2)) : null;
  });
  charts.abandon.data.datasets[1].data = hours.map(() => state.snapshot.limits.abandon_pct);
  charts.abandon.update("none");
}

// --- actions ----------------------------------------------------------------------------------------

function wireActions() {
  document.getElementById("scope").addEventListener("change", (event) => { state.scope = event.target.value; paint(); });
  document.getElementById("reconcile").addEventListener("click", async () => {
    const result = document.getElementById("reconcile-result");
    text(result, "Recounting…");
    const reply = await sendJSON(root.dataset.reconcileUrl, {});
    const body = await reply.json().catch(() => ({}));
    text(result, reply.ok ? (body.corrected ? `Recounted: ${body.corrected} figures corrected.` : "Recounted: every figure was right.") : "The recount failed; try again.");
  });
  document.getElementById("leaderboard").addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-session]");
    if (!button || !window.confirm("End this volunteer's session? A call in progress is hung up.")) { return; }
    button.disabled = true;
    await sendJSON(root.dataset.endSessionUrl.replace("/sessions/0/", `/sessions/${button.dataset.session}/`), {});
  });
}

function connect() {
  const campaign = Number(root.dataset.campaign);
  const status = document.getElementById("connection");
  const socket = io("/live", { transports: ["websocket", "polling"] });
  socket.on("connect", () => {
    socket.emit("watch_campaign", { campaign_id: campaign }, () => {
      status.dataset.state = "live"; text(status, "Live");
      load(); // after joining the room: nothing published from now on is missed
    });
  });
  socket.on("disconnect", () => { status.dataset.state = "offline"; text(status, "Reconnecting…"); });
  socket.on("tally", later(applyTally));
  socket.on("seat", later(applySeat));
  socket.on("volunteer", later((v) => { state.volunteers[v.volunteer] = v.name; applySeat(v); }));
  socket.on("pool", later((pool) => { state.pool = pool; }));
  socket.on("pacer", later((pacer) => { state.pacer = pacer; }));
  socket.on("reconciled", () => { load(); });
  socket.on("campaign", (change) => { text(document.getElementById("campaign-status"), change.status[0].toUpperCase() + change.status.slice(1)); });
  window.marginalDashboard = { state, charts, socket };
}

if (root && typeof io !== "undefined") {
  makeCharts();
  wireActions();
  connect();
}
