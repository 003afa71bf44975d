// The seat survives the page: a reload, a closed lid or a lost connection mid-conversation.
//
// - What the volunteer types (survey answers, notes) is saved as a draft on the server as they type
//   (POST /call/session/<id>/draft), and put back in the form when the page is reloaded.
// - A reloaded page whose seat is still live (in a conversation, its wrap-up, or a pause) rejoins
//   it with the browser audio: the server held the voter meanwhile and takes them off hold.
// - Browser audio cut off while the page stays (wifi, a sleeping laptop) is rejoined the same way,
//   retrying until the server answers; so is a call the server ended while holding the seat for it
//   (its browser leg swapped for a fresh one before the provider's four-hour call limit).
// - Leaving the page during a call asks first (beforeunload), whichever phone is in use.
//
// It follows calling.js through the body's data attributes (data-session, data-seat, data-call) and
// seat-audio.js through data-audio; it talks to the softphone only with `marginal:join-seat`.
(function () {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const boot = JSON.parse($("calling-bootstrap").dataset.bootstrap);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const body = document.body;
  const HELD = ["connected", "wrap_up", "paused"]; // states a seat is held in while its audio is away
  const IN_A_CALL = ["dialing", "connected", "wrap_up"];
  const RETRY_MS = 2000;
  const DRAFT_AFTER_MS = 400;

  let draftTimer = null;
  let draftDirty = false;
  let rejoining = false;
  let leaving = false;
  let phoneWasAway = false; // the page is going: its own audio leg ending is no reason to rejoin

  const seat = () => body.dataset.seat || "";
  const session = () => Number(body.dataset.session) || null;
  const call = () => Number(body.dataset.call) || null;

  async function post(path, payload) {
    const reply = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
      credentials: "same-origin",
      body: JSON.stringify(payload || {}),
    });
    const data = await reply.json().catch(() => ({}));
    return { ok: reply.ok, status: reply.status, data };
  }

  function notice(text) {
    let el = $("seat-restore-status");
    if (!el) {
      el = document.createElement("p");
      el.id = "seat-restore-status";
      el.className = "muted";
      el.setAttribute("role", "status");
      $("audio-status").after(el);
    }
    el.textContent = text || "";
    el.hidden = !text;
  }

  // --- the form as a draft -------------------------------------------------------------------

  function readForm() {
    const answers = {};
    for (const fieldset of document.querySelectorAll("#outcome-form .question")) {
      const key = fieldset.dataset.key;
      const kind = fieldset.dataset.kind;
      if (kind === "text") {
        answers[key] = fieldset.querySelector("textarea").value;
      } else if (kind === "multiple") {
        answers[key] = [...fieldset.querySelectorAll("input:checked")].map((i) => i.value);
      } else {
        const chosen = fieldset.querySelector("input:checked");
        answers[key] = chosen ? chosen.value : null;
      }
    }
    return { answers, notes: $("notes").value };
  }

  function fillForm(draft) {
    const answers = draft.answers || {};
    for (const fieldset of document.querySelectorAll("#outcome-form .question")) {
      const value = answers[fieldset.dataset.key];
      if (value === undefined) {
        continue;
      }
      if (fieldset.dataset.kind === "text") {
        fieldset.querySelector("textarea").value = value || "";
      } else {
        const chosen = Array.isArray(value) ? value : [value];
        for (const input of fieldset.querySelectorAll("input")) {
          input.checked = chosen.includes(input.value);
        }
      }
    }
    $("notes").value = draft.notes || "";
  }

  async function saveDraft() {
    draftTimer = null;
    const onCall = call();
    if (!draftDirty || !session() || !onCall || !["connected", "wrap_up"].includes(seat())) {
      return;
    }
    draftDirty = false;
    try {
      const reply = await post(`/call/session/${session()}/draft`, { call: onCall, ...readForm() });
      if (reply.status >= 500) {
        throw new Error("not saved");
      }
      // A 4xx is final (the outcome is in, or the call is over): nothing to retry.
    } catch (e) {
      draftDirty = true; // offline: try again shortly, and when the page is back
      draftTimer = setTimeout(saveDraft, RETRY_MS);
    }
  }

  function typed() {
    draftDirty = true;
    clearTimeout(draftTimer);
    draftTimer = setTimeout(saveDraft, DRAFT_AFTER_MS);
  }

  // --- the audio back in the seat ------------------------------------------------------------

  async function rejoin() {
    if (rejoining || leaving) {
      return;
    }
    rejoining = true;
    notice(
      seat() === "connected"
        ? "Reconnecting your audio: the voter is on hold and hears that you will be right back."
        : "Reconnecting your audio…"
    );
    while (!leaving && session() && HELD.includes(seat()) && body.dataset.audio !== "connected") {
      if (body.dataset.audio !== "connecting") {
        try {
          const reply = await post(`/call/${boot.campaign}/session`, { audio: "browser", rejoin: session() });
          if (reply.ok && reply.data.session === session() && reply.data.softphone_token) {
            document.dispatchEvent(
              new CustomEvent("marginal:join-seat", {
                detail: { token: reply.data.softphone_token, session: reply.data.session },
              })
            );
          } else if (reply.status >= 400 && reply.status < 500) {
            break; // the seat has ended (its event says why)
          }
        } catch (e) {
          /* no connection yet: try again */
        }
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
    rejoining = false;
    notice("");
  }

  // "Call my phone": the volunteer's phone dropped. Ringing it again is theirs to ask for.
  function phoneAway() {
    let button = $("ring-again");
    const away = body.dataset.away === "phone" && HELD.includes(seat());
    if (away && !button) {
      button = document.createElement("button");
      button.type = "button";
      button.id = "ring-again";
      button.textContent = "Ring my phone again";
      button.addEventListener("click", async () => {
        button.disabled = true;
        const reply = await post(`/call/${boot.campaign}/session`, { audio: "phone", rejoin: session() }).catch(
          () => null
        );
        notice(reply && reply.ok ? "Ringing your phone: press 1 to rejoin the call." : "Your phone could not be rung: try again.");
        button.disabled = false;
      });
      $("session-controls").prepend(button);
    }
    if (button) {
      button.hidden = !away;
    }
    if (away !== phoneWasAway) {
      phoneWasAway = away;
      notice(away ? "Your phone dropped: the voter is on hold and hears that you will be right back." : "");
    }
  }

  function audioChanged() {
    const audio = body.dataset.audio;
    if (audio === "connected") {
      notice("");
    }
    if (audio === "lost" || (rejoining === false && audio === "failed" && HELD.includes(seat()) && session())) {
      rejoin();
    }
    // The call ended but the server holds the seat for this page's audio: the product swapped the leg
    // before the provider's maximum call length (leg_swap), or the provider's limit ended it.
    if (audio === "ended" && body.dataset.away === "browser" && HELD.includes(seat()) && session()) {
      rejoin();
    }
  }

  // --- wiring --------------------------------------------------------------------------------

  const form = $("outcome-form");
  form.addEventListener("input", typed);
  form.addEventListener("change", typed);
  window.addEventListener("online", () => draftDirty && saveDraft());

  window.addEventListener("beforeunload", (event) => {
    if (IN_A_CALL.includes(seat())) {
      event.preventDefault();
      event.returnValue = ""; // the browser asks "Leave site?" in its own words
    }
  });

  window.addEventListener("pagehide", () => {
    leaving = true;
  });
  new MutationObserver(audioChanged).observe(body, { attributes: true, attributeFilter: ["data-audio"] });
  new MutationObserver(phoneAway).observe(body, { attributes: true, attributeFilter: ["data-away"] });
  new MutationObserver(audioChanged).observe(body, { attributes: true, attributeFilter: ["data-away"] });

  const snap = boot.session;
  if (snap && snap.draft && snap.call && HELD.includes(snap.state)) {
    fillForm(snap.draft);
  }
  if (snap && snap.audio === "browser" && HELD.includes(snap.state)) {
    rejoin(); // reloaded mid-conversation: the seat was held for this page
  }
})();
