// Texting a voter the link to their sign-up (templates/texts/_panel.html): follows the sign-up
// slot (js/signup-slot.js), so it shows for the voter the slot shows and refreshes after a sign-up.
(function () {
  "use strict";
  var panel = document.getElementById("text-links");
  var slot = document.getElementById("signup-slot");
  var signups = window.MarginalSignupSlot;
  if (!panel || !slot || !signups) { return; }
  var voterId = null;
  var csrfToken = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var part = function (name) { return panel.querySelector('[data-texts="' + name + '"]'); };
  var address = function () { return panel.dataset.url.replace(/\/0$/, "/" + voterId); };

  function error(message) { part("error").textContent = message || ""; part("error").hidden = !message; }

  function render(options) {
    part("why-not").textContent = options.why_not || "";
    part("why-not").hidden = options.can_text;
    part("can-text").hidden = !options.can_text;
    part("consent").hidden = options.consented;
    var items = options.choices.map(function (choice) {
      var li = document.createElement("li");
      li.textContent = choice.title + " ";
      if (choice.sent) {
        var badge = document.createElement("strong");
        badge.className = "status status-" + choice.sent;
        badge.textContent = "text " + choice.sent;
        li.appendChild(badge);
      } else {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "secondary small";
        button.textContent = "Text the link";
        button.dataset.kind = choice.kind;
        button.dataset.id = String(choice.id);
        li.appendChild(button);
      }
      return li;
    });
    var list = part("choices");
    list.replaceChildren.apply(list, items.length ? items : [document.createTextNode("Sign them up first, then text them the link.")]);
    panel.hidden = false;
  }

  function load() {
    if (voterId === null) { return Promise.resolve(); }
    return fetch(address(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (reply) { if (!reply.ok) { throw new Error("could not check texts"); } return reply.json(); })
      .then(render)
      .catch(function (e) { error(e.message); });
  }

  panel.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-kind]");
    if (!button) { return; }
    button.disabled = true;
    fetch(address(), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken, Accept: "application/json" },
      body: JSON.stringify({ kind: button.dataset.kind, id: Number(button.dataset.id), agreed: document.getElementById("text-consent").checked })
    }).then(function (reply) {
      return reply.json().then(function (body) {
        if (!reply.ok) { throw new Error(body.error || "the text could not be sent"); }
        error("");
        return load();
      });
    }).catch(function (e) { button.disabled = false; error(e.message); });
  });

  var show = signups.show, hide = signups.hide;
  signups.show = function (id, outcomeId) {
    if (id !== voterId) { document.getElementById("text-consent").checked = false; error(""); }
    voterId = id;
    return show.call(signups, id, outcomeId);
  };
  signups.hide = function () { voterId = null; panel.hidden = true; return hide.call(signups); };
  // Each time the slot renders (a voter shown, a sign-up made) what may be texted is asked again.
  new MutationObserver(function () { load(); }).observe(slot.querySelector('[data-slot="events"]'), { childList: true });
  if (slot.dataset.voterId) { signups.show(Number(slot.dataset.voterId), null); }
}());
