// The sign-up slot: lists what the voter on the call could join and signs them up, linked to the
// conversation's outcome. Pages call window.MarginalSignupSlot.show(voterId, outcomeId).
(function () {
  "use strict";
  var slot = document.getElementById("signup-slot");
  if (!slot) { return; }
  var state = { voterId: null, outcomeId: null };
  var csrfToken = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function url(template, voterId) { return template.replace(/\/0(\/|$)/, "/" + voterId + "$1"); }

  function item(text, status, kind, id) {
    var li = document.createElement("li");
    li.textContent = text + " ";
    if (status) {
      var badge = document.createElement("strong");
      badge.className = "status status-" + status;
      badge.textContent = status;
      li.appendChild(badge);
    } else {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = "Sign up";
      button.dataset.kind = kind;
      button.dataset.id = String(id);
      li.appendChild(button);
    }
    return li;
  }

  function fill(name, entries) {
    var list = slot.querySelector('[data-slot="' + name + '"]');
    list.replaceChildren.apply(list, entries.length ? entries : [document.createTextNode("Nothing nearby yet.")]);
  }

  function km(value) { return value === null ? "" : " · " + value + " km"; }

  function render(options) {
    slot.querySelector('[data-slot="first-name"]').textContent = options.voter.first_name;
    fill("events", options.events.map(function (e) {
      return item(e.title + " · " + new Date(e.starts_at).toLocaleString("en-GB", { timeZone: "Europe/London", dateStyle: "medium", timeStyle: "short" }) +
        " · " + e.places_left + " places left" + km(e.distance_km), e.status, "event", e.id);
    }));
    fill("carpools", options.carpools.map(function (c) {
      return item("To " + c.event_title + " from " + c.pickup_area + " · " + c.seats_left + (c.seats_left === 1 ? " seat left" : " seats left") + km(c.distance_km),
        c.status, "carpool", c.id);
    }));
    fill("pledges", options.pledges.map(function (p) { return item(p.text, p.status, "pledge", p.id); }));
    slot.hidden = false;
  }

  function error(message) {
    var box = slot.querySelector('[data-slot="error"]');
    box.textContent = message || "";
    box.hidden = !message;
  }

  function load() {
    return fetch(url(slot.dataset.optionsUrl, state.voterId), {
      credentials: "same-origin", headers: { Accept: "application/json" }
    })
      .then(function (reply) { if (!reply.ok) { throw new Error("could not load sign-ups"); } return reply.json(); })
      .then(render)
      .catch(function (e) { error(e.message); });
  }

  slot.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-kind]");
    if (!button) { return; }
    button.disabled = true;
    fetch(url(slot.dataset.signupUrl, state.voterId), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken, Accept: "application/json" },
      body: JSON.stringify({ kind: button.dataset.kind, id: Number(button.dataset.id), outcome_id: state.outcomeId })
    }).then(function (reply) {
      return reply.json().then(function (body) {
        if (!reply.ok) { throw new Error(body.error || "sign-up failed"); }
        error("");
        return load();
      });
    }).catch(function (e) { button.disabled = false; error(e.message); });
  });

  window.MarginalSignupSlot = {
    show: function (voterId, outcomeId) {
      state.voterId = voterId;
      state.outcomeId = outcomeId || null;
      error("");
      return load();
    },
    hide: function () { state.voterId = null; state.outcomeId = null; slot.hidden = true; }
  };
  if (slot.dataset.voterId) { window.MarginalSignupSlot.show(Number(slot.dataset.voterId), null); }
}());
