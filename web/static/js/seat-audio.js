// The volunteer's audio leg in the browser, on the calling page. calling.js dispatches
// `marginal:join-seat` {token, session} when a browser session starts; the softphone (phone.js:
// Twilio's Voice SDK, or the simulator's SimPhone) then calls the TwiML App with `session`, and the
// product puts the call in the volunteer's seat. The seat goes ready once that call is answered.
(function () {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const config = JSON.parse($("calling-bootstrap").dataset.bootstrap).phone;
  let phone = null;

  function show(text, state) {
    const status = $("audio-status");
    status.textContent = text;
    status.hidden = !text;
    document.body.dataset.audio = state;
    $("mute").hidden = state !== "connected";
  }

  // A fresh Access Token for the seat's browser phone, before the last one runs out (an hour).
  function tokenFor(session) {
    return async () => {
      const reply = await fetch(`/call/session/${session}/softphone-token`, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          Accept: "application/json",
          "X-CSRFToken": document.querySelector('meta[name="csrf-token"]').content,
        },
      });
      const body = await reply.json().catch(() => ({}));
      if (!reply.ok || !body.softphone_token) throw new Error(body.error || `HTTP ${reply.status}`);
      return body.softphone_token;
    };
  }

  function showMuted(muted) {
    $("mute").textContent = muted ? "Unmute" : "Mute";
    $("mute").setAttribute("aria-pressed", String(muted));
  }

  async function join(event) {
    const { token, session } = event.detail;
    if (phone) {
      phone.destroy();
      phone = null;
    }
    show("Connecting your browser audio…", "connecting");
    try {
      phone = window.MarginalPhone.create({
        backend: config.backend,
        token,
        simulatorUrl: config.simulator_url,
        refreshToken: tokenFor(session),
      });
    } catch (error) {
      show(`Your browser audio could not start: ${error.message}`, "failed");
      return;
    }
    // Events of a phone replaced by a later join (a second session on this page) are not shown.
    const own = phone;
    const ifCurrent = (handler) => (detail) => {
      if (phone === own) {
        handler(detail);
      }
    };
    own
      .on("mute", ifCurrent(({ muted }) => showMuted(muted)))
      .on(
        "disconnect",
        ifCurrent(({ lost }) =>
          lost ? show("Your browser audio was cut off.", "lost") : show("Your browser audio has ended.", "ended")
        )
      )
      .on("error", ifCurrent(({ message }) => show(`Browser audio problem: ${message}`, "failed")));
    try {
      await own.connect({ session: String(session) });
      ifCurrent(() => {
        showMuted(false);
        show("Your browser audio is connected.", "connected");
      })();
    } catch (error) {
      ifCurrent(() => show(`Your browser audio could not connect: ${error.message}`, "failed"))();
    }
  }

  document.addEventListener("marginal:join-seat", join);
  $("mute").addEventListener("click", () => phone && phone.mute(!phone.muted));
  // Leaving the page hangs up the audio leg; mid-conversation the product holds the seat (and the
  // voter) for the reloaded page to rejoin (seat-restore.js), otherwise the seat ends.
  window.addEventListener("pagehide", () => phone && phone.destroy());
})();
