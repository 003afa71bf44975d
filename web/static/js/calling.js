// The calling page: start a seat, follow it live over Socket.IO, choose outcomes by key, save with undo.
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
    pauseAfterCall: false, // asked to pause during a call: the seat pauses when it ends
  };
  // The sign-up slot (js/signup-slot.js) follows the voter being talked to: shown for them while
  // connected and in wrap-up, kept after a "pause after saving" (with the outcome to link to).
  const slot = { voterId: null, outcomeId: null };
  // Keys choose, they do not hang up: an outcome picked during the conversation waits for the
  // hang-up; a save waits `boot.undo_seconds` (the seat stays in wrap-up, so nobody is dialled)
  // before it is sent, and Undo cancels it.
  const outcome = { chosen: null, pending: null };
  let socket = null;
  let timer = null;
  let tones = null; // the put-through tone's AudioContext, made on the "start calling" click
  let waitPoll = null;

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
    renderPause(seat);
    renderWait(seat);
    $("resume").hidden = seat !== "paused";
    $("hang-up").hidden = seat !== "connected";
    $("call-timer").hidden = !["connected", "wrap_up"].includes(seat);
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
    renderOutcomeChoice();
  }

  function putThrough() {
    // A voter is on the line: a short tone (the volunteer may be looking away) and a visible cue.
    const cue = $("put-through");
    cue.hidden = false;
    clearTimeout(putThrough.hide);
    putThrough.hide = setTimeout(() => {
      cue.hidden = true;
    }, 4000);
    try {
      tones = tones || new AudioContext();
      const tone = tones.createOscillator();
      const volume = tones.createGain();
      tone.frequency.value = 880;
      volume.gain.value = 0.2;
      tone.connect(volume).connect(tones.destination);
      tone.start();
      tone.stop(tones.currentTime + 0.18);
    } catch (e) {
      /* no audio output: the visible cue stays */
    }
  }

  async function showWait() {
    try {
      const reply = await fetch(`/call/${boot.campaign}/wait`, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      const seconds = reply.ok ? (await reply.json()).seconds : null;
      $("wait-estimate").textContent =
        seconds === null ? "Estimating the wait from the first calls…" : `A voter usually comes through within about ${seconds < 90 ? `${seconds} s` : `${Math.round(seconds / 60)} min`}.`;
    } catch (e) {
      $("wait-estimate").textContent = "";
    }
  }

  function renderWait(seat) {
    // While waiting for a voter, how long it usually takes, from the phone bank's recent dials.
    const waiting = Boolean(state.session) && ["ready", "dialing"].includes(seat) && !state.preview;
    $("wait-estimate").hidden = !waiting || !$("wait-estimate").textContent;
    if (waiting && !waitPoll) {
      showWait().then(() => renderWait(state.seat || "ended"));
      waitPoll = setInterval(showWait, 15000);
    } else if (!waiting && waitPoll) {
      clearInterval(waitPoll);
      waitPoll = null;
    }
  }

  async function showProgress() {
    // After each outcome: the volunteer's badges, and news of any just earned.
    try {
      const reply = await fetch("/call/progress", { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!reply.ok) {
        return;
      }
      const { badges } = await reply.json();
      const list = $("badges");
      const had = new Set([...list.querySelectorAll("[data-badge]")].map((li) => li.dataset.badge));
      const earned = badges.filter((badge) => !had.has(badge.key));
      list.replaceChildren(
        ...badges.map((badge) => {
          const li = document.createElement("li");
          li.dataset.badge = badge.key;
          li.textContent = badge.title;
          return li;
        })
      );
      $("no-badges").hidden = badges.length > 0;
      if (earned.length) {
        $("badge-news").textContent = `New badge: ${earned.map((badge) => badge.title).join(", ")}!`;
        $("badge-news").hidden = false;
        clearTimeout(showProgress.hide);
        showProgress.hide = setTimeout(() => {
          $("badge-news").hidden = true;
        }, 8000);
      }
    } catch (e) {
      /* the badges catch up after the next outcome */
    }
  }

  function renderLeaderboard(board) {
    $("leaderboard").replaceChildren(
      ...board.standings.map((standing) => {
        const li = document.createElement("li");
        li.textContent = `${standing.first_name} · ${standing.conversations}`;
        li.classList.toggle("you", standing.you);
        return li;
      })
    );
    $("leaderboard-empty").hidden = board.standings.length > 0;
    $("leaderboard-show-me").checked = board.showing_you;
  }

  async function showLeaderboard(change) {
    // The phone bank's opt-in leaderboard: read after each outcome, or changed by the checkbox.
    try {
      const board = change
        ? await post(`/call/${boot.campaign}/leaderboard`, change)
        : await (await fetch(`/call/${boot.campaign}/leaderboard`, { headers: { Accept: "application/json" }, credentials: "same-origin" })).json();
      renderLeaderboard(board);
    } catch (e) {
      /* shown as it was; the next outcome reads it again */
    }
  }

  function renderPause(seat) {
    // Pause is accepted at any moment: during a call it waits for the call to end.
    const duringCall = ["dialing", "connected", "wrap_up"].includes(seat);
    const waiting = state.pauseAfterCall && seat !== "paused";
    $("pause").hidden = seat === "paused" || seat === "connecting" || waiting;
    $("pause").textContent = duringCall ? "Pause after this call" : "Pause";
    $("pause-pending").hidden = !waiting;
  }

  function tick() {
    const seconds = Math.max(0, Math.floor((Date.now() - state.connectedAt) / 1000));
    $("call-timer").textContent = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
  }

  function renderScriptNames(voter) {
    // The script's {first name} placeholders (web/call_script.py) name the voter on screen.
    for (const span of document.querySelectorAll('[data-placeholder="first-name"]')) {
      span.textContent = voter ? voter.first_name : "the voter";
    }
  }

  function renderVoter() {
    const voter = state.voter;
    $("voter-empty").hidden = Boolean(voter);
    $("voter-details").hidden = !voter;
    renderScriptNames(voter);
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
      labelOf(button.dataset.disposition),
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
    state.pauseAfterCall = Boolean(snap.pause_after_call);
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
      const before = state.seat;
      state.seat = seat.state;
      state.call = seat.call;
      state.pauseAfterCall = Boolean(seat.pause_after_call);
      if (seat.state === "connected") {
        state.connectedAt = Date.now();
        if (before !== "connected") {
          putThrough();
        }
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

  async function microphoneAllowed() {
    // Before a browser call: ask for the microphone now, so a refusal is explained before any
    // voter is dialled (the softphone would only say "failed").
    $("mic-help").hidden = true;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return showMicHelp("This browser cannot use a microphone here.");
    }
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      stream.getTracks().forEach((track) => track.stop());
      return true;
    } catch (e) {
      if (e && e.name === "NotFoundError") {
        return showMicHelp("No microphone was found: plug in a headset, then try again.");
      }
      return showMicHelp(
        "Your browser was told not to use the microphone. Click the padlock or settings icon beside the address, " +
          "set Microphone to Allow, then try again."
      );
    }
  }

  function showMicHelp(message) {
    $("mic-help-text").textContent = message;
    $("mic-help").hidden = false;
    return false;
  }

  async function start(audio) {
    showError("");
    if (audio === "browser" && !(await microphoneAllowed())) {
      return;
    }
    try {
      tones = tones || new AudioContext(); // made on the click, so the browser lets it sound
    } catch (e) {
      /* no Web Audio: the cue is visible only */
    }
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
    outcome.chosen = null;
    $("outcome-form").reset();
    $("call-back-field").hidden = true;
    delete $("voter-household-list").dataset.voter; // the next card starts with "Not asked"
    $("idempotency-key").value = crypto.randomUUID ? crypto.randomUUID() : String(Date.now());
    renderOutcomeChoice();
  }

  function onCall() {
    return Boolean(state.call) && ["connected", "wrap_up", "paused"].includes(state.seat);
  }

  function labelOf(disposition) {
    const button = document.querySelector(`.disposition[data-disposition="${CSS.escape(disposition)}"]`);
    return button ? button.querySelector("span").textContent : disposition;
  }

  function renderOutcomeChoice() {
    const { chosen, pending } = outcome;
    for (const button of document.querySelectorAll(".disposition")) {
      button.setAttribute("aria-pressed", String(button.dataset.disposition === (pending || {}).disposition || button.dataset.disposition === chosen));
      button.disabled = Boolean(pending);
    }
    const hint = $("outcome-hint");
    if (pending) {
      hint.textContent = `Saving “${labelOf(pending.disposition)}” in ${pending.left} s.`;
    } else if (chosen && state.seat === "connected") {
      hint.textContent = `Chosen: ${labelOf(chosen)}. Hang up, then save it.`;
    } else if (state.seat === "connected") {
      hint.textContent = "Keys choose an outcome; the call goes on until you hang up.";
    } else {
      hint.textContent = "";
    }
    hint.hidden = !hint.textContent;
    $("undo").hidden = !pending;
    $("save-outcome").hidden = !(chosen && !pending && onCall() && state.seat !== "connected");
    $("save-outcome-label").textContent = chosen ? labelOf(chosen) : "";
  }

  function chooseOutcome(disposition) {
    // During the conversation: only a choice, saved after the hang-up.
    outcome.chosen = outcome.chosen === disposition ? null : disposition;
    renderOutcomeChoice();
  }

  function saveOutcome(disposition) {
    if (!onCall() || outcome.pending) {
      return;
    }
    const others = housemateOutcomes();
    const callingBack = disposition === "call_back" || Object.values(others).includes("call_back");
    if (callingBack && !$("call-back-at").value) {
      outcome.chosen = disposition;
      renderOutcomeChoice();
      $("call-back-field").hidden = false;
      $("call-back-at").focus();
      return;
    }
    outcome.chosen = disposition;
    const pending = { disposition, left: boot.undo_seconds, timer: null };
    outcome.pending = pending;
    pending.timer = setInterval(() => {
      pending.left -= 1;
      if (pending.left <= 0) {
        sendPending();
      } else {
        renderOutcomeChoice();
      }
    }, 1000);
    renderOutcomeChoice();
  }

  function undoSave() {
    if (!outcome.pending) {
      return;
    }
    clearInterval(outcome.pending.timer);
    outcome.pending = null;
    outcome.chosen = null;
    renderOutcomeChoice();
  }

  function outcomeBody(disposition) {
    const callBack = $("call-back-at").value;
    const others = housemateOutcomes();
    const callingBack = disposition === "call_back" || Object.values(others).includes("call_back");
    return {
      call: state.call,
      disposition,
      answers: answers(),
      notes: $("notes").value,
      // The typed wall time is UK time: sent as typed, the server reads it in Europe/London
      // (new Date() would read it in this device's zone, booking the wrong hour abroad).
      call_back_at: callingBack && callBack ? callBack : null,
      others,
      idempotency_key: $("idempotency-key").value,
      pause_after: $("pause-after").checked,
    };
  }

  function sendPending() {
    const pending = outcome.pending;
    if (!pending) {
      return;
    }
    clearInterval(pending.timer);
    outcome.pending = null;
    outcome.chosen = null;
    renderOutcomeChoice();
    recordOutcome(outcomeBody(pending.disposition));
  }

  async function recordOutcome(body) {
    const voterId = state.voter ? state.voter.voter_id : null;
    try {
      const saved = await act("outcome", body);
      showProgress();
      showLeaderboard();
      if (body.pause_after && voterId !== null && window.MarginalSignupSlot) {
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
      /* shown by act(); the card stays for another try */
    }
  }

  function pressOutcome(disposition) {
    if (state.seat === "connected") {
      chooseOutcome(disposition);
    } else {
      saveOutcome(disposition);
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
    if (key === "h" && state.seat === "connected") {
      event.preventDefault();
      act("hang-up").catch(() => {});
      return;
    }
    if (key === "u" && outcome.pending) {
      event.preventDefault();
      undoSave();
      return;
    }
    if (key === "enter" && event.target.tagName !== "BUTTON" && !$("save-outcome").hidden) {
      event.preventDefault();
      saveOutcome(outcome.chosen);
      return;
    }
    const button = document.querySelector(`.disposition[data-shortcut="${CSS.escape(key)}"]`);
    if (button && onCall()) {
      event.preventDefault();
      pressOutcome(button.dataset.disposition);
    }
  });

  for (const button of document.querySelectorAll(".disposition")) {
    button.addEventListener("click", () => pressOutcome(button.dataset.disposition));
  }
  $("save-outcome").addEventListener("click", () => saveOutcome(outcome.chosen));
  $("undo").addEventListener("click", undoSave);
  window.addEventListener("pagehide", () => {
    // Leaving during the undo window: the outcome is sent now, on a request that outlives the page.
    const pending = outcome.pending;
    if (pending) {
      clearInterval(pending.timer);
      outcome.pending = null;
      fetch(`/call/session/${state.session}/outcome`, {
        method: "POST",
        keepalive: true,
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify(outcomeBody(pending.disposition)),
      });
    }
  });
  $("start-browser").addEventListener("click", () => start("browser"));
  $("start-phone").addEventListener("click", () => start("phone"));
  $("mic-retry").addEventListener("click", () => start("browser"));
  $("mic-phone").addEventListener("click", () => {
    $("mic-help").hidden = true;
    start("phone");
  });
  $("pause").addEventListener("click", () => act("pause").catch(() => {}));
  $("resume").addEventListener("click", () => act("resume").catch(() => {}));
  $("keep-calling").addEventListener("click", () => act("resume").catch(() => {}));
  $("leaderboard-show-me").addEventListener("change", (event) => showLeaderboard({ show_me: event.target.checked }));
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
