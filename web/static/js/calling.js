// The calling page: start a seat, follow it live over Socket.IO, record outcomes with one key.
// The server sends voter cards without phone numbers; this script never sees one.
(function () {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const boot = JSON.parse($("calling-bootstrap").dataset.bootstrap);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const state = {
    session: null,
    seat: null,
    since: null, // when the seat shown last moved (ms): a move older than that arrived late
    call: null,
    voter: null,
    preview: false,
    connectedAt: null,
  };
  // The sign-up slot (js/signup-slot.js) follows the voter being talked to: shown for them while
  // connected and in wrap-up, kept after a "pause after saving" (with the outcome to link to).
  const slot = { voterId: null, outcomeId: null };
  let socket = null;
  let timer = null;

  const labels = {
    connecting: "Connecting your audio…",
    ready: "Ready: waiting for the next voter.",
    dialing: "Dialling…",
    connected: "You are talking to the voter.",
    wrap_up: "Call ended: record the outcome.",
    paused: "Paused.",
    ended: "Session ended.",
  };

  async function post(path, body) {
    const reply = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
      credentials: "same-origin",
      body: JSON.stringify(body || {}),
    });
    const data = await reply.json().catch(() => ({}));
    if (!reply.ok) {
      throw new Error(data.error || "Something went wrong; please try again.");
    }
    return data;
  }

  function showError(message) {
    const el = $("error");
    el.textContent = message || "";
    el.hidden = !message;
  }

  function act(action, body) {
    showError("");
    return post(`/call/session/${state.session}/${action}`, body).catch((e) => {
      showError(e.message);
      throw e;
    });
  }

  function moment(iso) {
    const ms = iso ? Date.parse(iso) : NaN;
    return Number.isNaN(ms) ? null : ms;
  }

  function renderSeat() {
    const seat = state.seat || "ended";
    const live = state.session && seat !== "ended";
    $("seat-status").textContent = state.session ? labels[seat] || seat : "Not calling yet.";
    $("start-controls").hidden = Boolean(live);
    $("session-controls").hidden = !live;
    $("pause").hidden = seat === "paused";
    $("resume").hidden = seat !== "paused";
    $("hang-up").hidden = seat !== "connected";
    $("preview-controls").hidden = !(state.preview && state.voter && seat === "ready");
    document.body.dataset.seat = seat;
    if (seat === "connected" && !timer) {
      state.connectedAt = state.connectedAt || Date.now();
      timer = setInterval(tick, 1000);
    }
    if (seat !== "connected" && timer) {
      clearInterval(timer);
      timer = null;
    }
    renderSlot();
  }

  function tick() {
    const seconds = Math.max(0, Math.floor((Date.now() - state.connectedAt) / 1000));
    $("call-timer").textContent = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
  }

  function renderVoter() {
    const voter = state.voter;
    $("voter-empty").hidden = Boolean(voter);
    $("voter-details").hidden = !voter;
    if (!voter) {
      return;
    }
    $("voter-name").textContent = voter.last_name ? `${voter.first_name} ${voter.last_name}` : voter.first_name;
    $("voter-area").textContent = voter.area;
    $("voter-history").textContent = voter.history.length
      ? "Before: " + voter.history.map((h) => `${h.outcome} (${h.when})`).join(", ")
      : "First call to this voter.";
    renderHousehold(voter);
  }

  // Others on the list at the same number: one choice each, "Not asked" unless the volunteer says.
  function renderHousehold(voter) {
    const household = voter.household || [];
    $("voter-ask").hidden = !voter.ask_for;
    $("voter-ask").textContent = voter.ask_for
      ? `Ask for ${voter.ask_for}: ${household.length + 1} people on your list share this number.`
      : "";
    $("voter-household").hidden = household.length === 0;
    const list = $("voter-household-list");
    if (list.dataset.voter === String(voter.voter_id)) {
      return; // the same card again: keep what the volunteer chose
    }
    list.dataset.voter = String(voter.voter_id);
    const choices = [...document.querySelectorAll(".disposition")].map((button) => [
      button.dataset.disposition,
      button.childNodes[0].textContent.trim(),
    ]);
    list.replaceChildren(
      ...household.map((person) => {
        const item = document.createElement("li");
        const label = document.createElement("label");
        const select = document.createElement("select");
        select.dataset.voter = String(person.voter_id);
        for (const [value, text] of [["", "Not asked"], ...choices]) {
          select.append(new Option(text, value));
        }
        label.append(person.last_name ? `${person.first_name} ${person.last_name} ` : `${person.first_name} `, select);
        item.append(label);
        return item;
      }),
    );
  }

  function housemateOutcomes() {
    const others = {};
    for (const select of $("voter-household-list").querySelectorAll("select")) {
      if (select.value) {
        others[select.dataset.voter] = select.value;
      }
    }
    return others;
  }

  function renderSlot() {
    const signups = window.MarginalSignupSlot;
    if (!signups) {
      return;
    }
    const talking = state.voter && state.call && ["connected", "wrap_up"].includes(state.seat);
    if (talking && slot.voterId !== state.voter.voter_id) {
      slot.voterId = state.voter.voter_id;
      slot.outcomeId = null;
      signups.show(slot.voterId, null);
    } else if (!talking && slot.voterId !== null && !(slot.outcomeId && ["wrap_up", "paused"].includes(state.seat))) {
      slot.voterId = null;
      slot.outcomeId = null;
      signups.hide();
    }
  }

  function applySnapshot(snap) {
    if (!snap) {
      return;
    }
    state.session = snap.session;
    state.seat = snap.state;
    state.since = moment(snap.since);
    state.call = snap.call;
    state.voter = snap.voter || null;
    state.preview = Boolean(snap.preview);
    state.connectedAt = snap.connected_at ? Date.parse(snap.connected_at) : null;
    renderSeat();
    renderVoter();
  }

  function overtaken(since) {
    return since !== null && state.since !== null && since < state.since;
  }

  async function catchUp(session) {
    // What happened before the seat's room was joined (or while the socket was away) was sent to
    // nobody: read the seat as it is now, unless a later move has come in meanwhile.
    try {
      const reply = await fetch(`/call/session/${session}`, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const snap = reply.ok ? await reply.json() : null;
      if (!snap || snap.session !== state.session || overtaken(moment(snap.since))) {
        return;
      }
      const before = state.voter ? state.voter.voter_id : null;
      applySnapshot(snap);
      if (state.voter && state.voter.voter_id !== before) {
        resetForm();
      }
    } catch (e) {
      /* the seat's next event brings the page up to date */
    }
  }

  function join() {
    const session = state.session;
    socket.emit("join", { seat: session }, (reply) => {
      if (reply && reply.ok) {
        catchUp(session);
      }
    });
  }

  function listen() {
    if (socket) {
      // A new session started on this page: follow its seat (a reconnection rejoins it by itself).
      if (socket.connected) {
        join();
      }
      return;
    }
    if (typeof io === "undefined") {
      return;
    }
    socket = io("/live", { transports: ["websocket", "polling"] });
    socket.on("connect", join);
    socket.on("seat", (seat) => {
      const since = moment(seat.since);
      if (seat.session !== state.session || overtaken(since)) {
        return; // another seat's, or a move overtaken by a later one (they come from several processes)
      }
      state.since = since === null ? state.since : since;
      state.seat = seat.state;
      state.call = seat.call;
      if (seat.state === "connected") {
        state.connectedAt = Date.now();
      }
      if (seat.reason) {
        showError(`Session ended: ${seat.reason}.`);
      }
      if (seat.state === "ended") {
        state.voter = null;
        renderVoter();
      }
      renderSeat();
    });
    socket.on("voter", (message) => {
      state.voter = message.voter;
      state.preview = message.preview;
      if (message.call) {
        state.call = message.call;
      }
      if (message.voter) {
        resetForm();
      }
      renderVoter();
      renderSeat();
    });
    socket.on("totals", (totals) => {
      for (const [key, value] of Object.entries(totals)) {
        const el = $(`total-${key.replace(/_/g, "-")}`);
        if (el) {
          el.textContent = value;
        }
      }
    });
  }

  async function start(audio) {
    showError("");
    try {
      const started = await post(`/call/${boot.campaign}/session`, { audio });
      state.session = started.session;
      state.seat = started.state;
      state.since = null;
      renderSeat();
      listen();
      if (started.softphone_token) {
        // The softphone (static/js/phone.js: Twilio's SDK, or the simulator's) joins the seat's conference.
        document.dispatchEvent(
          new CustomEvent("marginal:join-seat", { detail: { token: started.softphone_token, session: started.session } })
        );
      }
    } catch (e) {
      showError(e.message);
    }
  }

  function answers() {
    const result = {};
    for (const fieldset of document.querySelectorAll(".question")) {
      const key = fieldset.dataset.key;
      const kind = fieldset.dataset.kind;
      if (kind === "text") {
        result[key] = fieldset.querySelector("textarea").value;
      } else if (kind === "multiple") {
        result[key] = [...fieldset.querySelectorAll("input:checked")].map((i) => i.value);
      } else {
        const chosen = fieldset.querySelector("input:checked");
        result[key] = chosen ? chosen.value : null;
      }
    }
    return result;
  }

  function resetForm() {
    $("outcome-form").reset();
    $("call-back-field").hidden = true;
    delete $("voter-household-list").dataset.voter; // the next card starts with "Not asked"
    $("idempotency-key").value = crypto.randomUUID ? crypto.randomUUID() : String(Date.now());
  }

  async function recordOutcome(disposition) {
    if (!state.call || !["connected", "wrap_up", "paused"].includes(state.seat)) {
      return;
    }
    const callBack = $("call-back-at").value;
    const others = housemateOutcomes();
    const callingBack = disposition === "call_back" || Object.values(others).includes("call_back");
    if (callingBack && !callBack) {
      $("call-back-field").hidden = false;
      $("call-back-at").focus();
      return;
    }
    const voterId = state.voter ? state.voter.voter_id : null;
    try {
      const saved = await act("outcome", {
        call: state.call,
        disposition,
        answers: answers(),
        notes: $("notes").value,
        // The typed wall time is UK time: sent as typed, the server reads it in Europe/London
        // (new Date() would read it in this device's zone, booking the wrong hour abroad).
        call_back_at: callingBack ? callBack : null,
        others,
        idempotency_key: $("idempotency-key").value,
        pause_after: $("pause-after").checked,
      });
      if ($("pause-after").checked && voterId !== null && window.MarginalSignupSlot) {
        // Paused after this call: the voter's sign-ups may still be made, linked to the outcome.
        slot.voterId = voterId;
        slot.outcomeId = saved.outcome;
        window.MarginalSignupSlot.show(voterId, saved.outcome);
      }
      if (state.voter && state.voter.voter_id === voterId) {
        // Not when the next voter's card came first: their card and form stay as they are.
        state.voter = null;
        renderVoter();
        renderSlot();
        resetForm();
      }
    } catch (e) {
      /* shown by act() */
    }
  }

  function typing(event) {
    const tag = event.target.tagName;
    return (
      tag === "TEXTAREA" || tag === "SELECT" || (tag === "INPUT" && !["radio", "checkbox"].includes(event.target.type))
    );
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event)) {
      return;
    }
    const key = event.key.toLowerCase();
    if (state.preview && state.seat === "ready" && state.voter) {
      if (key === "d") {
        act("dial").catch(() => {});
      } else if (key === "s") {
        act("skip").catch(() => {});
      }
      return;
    }
    const button = document.querySelector(`.disposition[data-shortcut="${CSS.escape(key)}"]`);
    if (button) {
      event.preventDefault();
      recordOutcome(button.dataset.disposition);
    }
  });

  for (const button of document.querySelectorAll(".disposition")) {
    button.addEventListener("click", () => recordOutcome(button.dataset.disposition));
  }
  $("start-browser").addEventListener("click", () => start("browser"));
  $("start-phone").addEventListener("click", () => start("phone"));
  $("pause").addEventListener("click", () => act("pause").catch(() => {}));
  $("resume").addEventListener("click", () => act("resume").catch(() => {}));
  $("hang-up").addEventListener("click", () => act("hang-up").catch(() => {}));
  $("end").addEventListener("click", () => act("end").catch(() => {}));
  $("dial").addEventListener("click", () => act("dial").catch(() => {}));
  $("skip").addEventListener("click", () => act("skip").catch(() => {}));

  applySnapshot(boot.session);
  if (state.session) {
    listen();
  }
  renderSeat();
  if (boot.session && boot.session.state === "connecting" && boot.session.audio === "browser") {
    // Reloaded before the browser audio joined the seat: join it now (the session is the same one).
    start("browser");
  }
})();
