// Doorstep mode: visits are kept on the phone (localStorage) and sent, oldest first, with the key
// made when they were recorded, until the server confirms each one. A lost reply is harmless: the
// server stores a key once and answers the same for every copy. The queue outlives the tab: a page
// reopened with no signal (from the service worker's copy) adds to it and sends it later.
(function () {
  "use strict";
  var root = document.getElementById("doorstep");
  if (!root) { return; }
  var QUEUE = "marginal.doorstep.queue";
  var REJECTED = "marginal.doorstep.rejected";
  var eventId = Number(root.dataset.eventId);
  var csrfToken = root.dataset.csrfToken;
  var form = document.getElementById("visit-form");
  var list = document.getElementById("walk-list");
  var sending = false;
  var retryDelay = 1000;
  var retryTimer = null;
  var unreachable = false;  // the last send found no server (the phone may still think it is online)

  function load(name) {
    try { return JSON.parse(localStorage.getItem(name) || "[]"); } catch (e) { return []; }
  }
  function store(name, items) { localStorage.setItem(name, JSON.stringify(items)); }

  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function door(voterId) { return list.querySelector('li[data-voter-id="' + voterId + '"]'); }

  function markDoor(voterId, text, state) {
    var item = door(voterId);
    if (!item) { return; }
    item.querySelector(".door-state").textContent = text;
    item.classList.remove("door-queued", "door-visited", "door-rejected");
    item.classList.add("door-" + state);
  }

  function showState() {
    var queue = load(QUEUE);
    var rejected = load(REJECTED);
    document.getElementById("queue-count").textContent = String(queue.length);
    var state = document.getElementById("sync-state");
    if (queue.length === 0) {
      state.textContent = "All visits saved";
      state.className = "sync-ok";
    } else {
      state.textContent = navigator.onLine === false || unreachable ? "Offline: visits kept on this phone" : "Sending…";
      state.className = "sync-waiting";
    }
    var warning = document.getElementById("rejected");
    warning.hidden = rejected.length === 0;
    warning.textContent = rejected.map(function (item) { return item.error; }).join(" · ");
    queue.forEach(function (visit) {
      if (visit.event_id === eventId) { markDoor(visit.voter_id, "Saved on phone", "queued"); }
    });
  }

  function refreshToken() {
    return fetch(root.dataset.tokenUrl, { credentials: "same-origin" })
      .then(function (reply) { return reply.json(); })
      .then(function (body) { csrfToken = body.csrf_token; });
  }

  function post(visit) {
    // Each visit goes to its own event's address (the queue may hold visits from an earlier event).
    var target = root.dataset.visitsUrl.replace("/events/0/", "/events/" + visit.event_id + "/");
    return fetch(target, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
      body: JSON.stringify(visit)
    });
  }

  function settle(visit) {
    store(QUEUE, load(QUEUE).filter(function (item) { return item.key !== visit.key; }));
  }

  function scheduleRetry() {
    if (retryTimer) { return; }
    retryTimer = setTimeout(function () { retryTimer = null; send(); }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 15000);  // no 'online' event when only the server was out of reach
  }

  function send() {
    if (sending) { return; }
    var queue = load(QUEUE);
    if (queue.length === 0) { showState(); return; }
    sending = true;
    var visit = queue[0];
    post(visit).then(function (reply) {
      if (reply.status === 400 && (reply.headers.get("Content-Type") || "").indexOf("json") === -1) {
        return refreshToken().then(function () { return post(visit); });  // the page outlived its token
      }
      return reply;
    }).then(function (reply) {
      if (reply.ok) {
        settle(visit);
        if (visit.event_id === eventId) { markDoor(visit.voter_id, visit.label, "visited"); }
        retryDelay = 1000;
        return true;
      }
      if (reply.status >= 500) { throw new Error("server error " + reply.status); }
      return reply.json().catch(function () { return {}; }).then(function (body) {
        settle(visit);
        var rejected = load(REJECTED);
        rejected.push({ key: visit.key, voter_id: visit.voter_id, error: (body && body.error) || ("refused (" + reply.status + ")") });
        store(REJECTED, rejected);
        if (visit.event_id === eventId) { markDoor(visit.voter_id, "Not saved", "rejected"); }
        return true;
      });
    }).then(function () {
      sending = false;
      unreachable = false;
      showState();
      send();
    }, function () {
      sending = false;  // offline, or the reply was lost: keep the visit and try again later
      unreachable = true;
      showState();
      scheduleRetry();
    });
  }

  function checked(name) {
    return Array.prototype.map.call(form.querySelectorAll('input[name="' + name + '"]:checked'), function (input) {
      return input.value;
    });
  }

  function answers() {
    var result = {};
    Array.prototype.forEach.call(form.querySelectorAll("fieldset.question"), function (fieldset) {
      var key = fieldset.dataset.key;
      var kind = fieldset.dataset.kind;
      if (kind === "text") {
        var text = fieldset.querySelector("textarea").value.trim();
        if (text) { result[key] = text; }
      } else if (kind === "multiple") {
        var values = checked("q-" + key);
        if (values.length) { result[key] = values; }
      } else {
        var value = checked("q-" + key)[0];
        if (value) { result[key] = value; }
      }
    });
    return result;
  }

  list.addEventListener("click", function (event) {
    var button = event.target.closest("button.door-open");
    if (!button) { return; }
    form.reset();
    form.elements.voter_id.value = button.dataset.voterId;
    document.getElementById("visit-title").textContent = button.dataset.name + ", " + button.dataset.address;
    form.hidden = false;
    form.scrollIntoView({ block: "start" });
  });

  document.getElementById("visit-cancel").addEventListener("click", function () { form.hidden = true; });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var choice = form.querySelector('input[name="disposition"]:checked');
    var visit = {
      key: newKey(),
      event_id: eventId,
      voter_id: Number(form.elements.voter_id.value),
      disposition: choice.value,
      label: choice.parentNode.textContent.trim(),
      answers: answers(),
      notes: form.elements.notes.value,
      event_ids: checked("event_ids").map(Number),
      pledge_ids: checked("pledge_ids").map(Number),
      recorded_at: new Date().toISOString()
    };
    var queue = load(QUEUE);
    queue.push(visit);
    store(QUEUE, queue);  // on the phone before anything is sent: a dropped signal loses nothing
    form.hidden = true;
    showState();
    send();
  });

  // Without signal: the service worker keeps this page and its assets once it is opened online, so
  // it opens again with no signal, until the event ends (web/static/js/doorstep-sw.js).
  function keepForNoSignal() {
    var offlineState = document.getElementById("offline-state");
    if (!("serviceWorker" in navigator) || !root.dataset.serviceWorkerUrl) { return; }
    navigator.serviceWorker.register(root.dataset.serviceWorkerUrl, { scope: root.dataset.serviceWorkerScope })
      .catch(function () { return null; });  // no signal now: the worker kept from before still serves
    navigator.serviceWorker.ready.then(function (registration) {
      var assets = Array.prototype.map.call(document.querySelectorAll("link[rel=stylesheet][href], script[src]"), function (node) {
        return node.href || node.src;
      });
      var channel = new MessageChannel();
      channel.port1.onmessage = function (message) {
        var answer = message.data || {};
        if (answer.kept) {
          offlineState.textContent = "This list opens without signal on this phone until the event ends.";
          root.dataset.offlineReady = "yes";
        }
        if (answer.until) { forgetAt(answer.until); }
      };
      registration.active.postMessage({ type: "keep", urls: [location.href.split("#")[0]].concat(assets) }, [channel.port2]);
    });
  }

  // Names and addresses leave the phone when the event ends (when the service worker deletes its
  // copy), also from this open page; queued visits are still sent.
  var forgetTimer = null;
  function forgetAt(until) {
    clearTimeout(forgetTimer);
    forgetTimer = setTimeout(function () {
      if (navigator.serviceWorker.controller) {
        navigator.serviceWorker.controller.postMessage({ type: "forget", url: location.href.split("#")[0] });
      }
      list.textContent = "";
      form.hidden = true;
      document.getElementById("offline-state").textContent = "The event has ended: its walk list was deleted from this phone.";
    }, Math.max(0, Math.min(until - Date.now(), 2147483647)));
  }

  // Signing out deletes what this site keeps on the phone (Clear-Site-Data), unsent visits included.
  Array.prototype.forEach.call(document.querySelectorAll('form[action*="sign-out"]'), function (signOut) {
    signOut.addEventListener("submit", function (event) {
      var waiting = load(QUEUE).length;
      if (waiting && !window.confirm(waiting + " visit(s) not sent yet will be deleted from this phone. Sign out anyway?")) {
        event.preventDefault();
      }
    });
  });

  window.addEventListener("online", function () { retryDelay = 1000; send(); });
  window.addEventListener("offline", showState);
  showState();
  send();
  keepForNoSignal();
}());
