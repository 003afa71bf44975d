// The doorstep pages' service worker (served as /doorstep/service-worker.js, so it controls
// /doorstep/...): a walk list opened online opens again with no signal.
//
// Pages and their assets are fetched from the network first and kept in one cache; when the
// network does not answer (within a few seconds: poor signal hangs rather than fails), the kept copy
// is served. A walk list holds names and addresses, so its copy lives only until its event ends
// and is deleted when the server refuses it (the canvasser was withdrawn, or signed out). The server
// says how long is left (X-Walk-List-Left, in seconds, by its own clock); the copy is stamped with
// the moment that is by this phone's clock (X-Walk-List-Until), so a phone set to the wrong time
// still deletes it on time. Signing out clears everything (Clear-Site-Data).
// Visits are not this worker's business: the page queues them and sends each once (doorstep.js).
"use strict";

var CACHE = "marginal-doorstep-v1";
var WALK_LIST = /^\/doorstep\/events\/\d+$/;
var LEFT = "X-Walk-List-Left";
var UNTIL = "X-Walk-List-Until";
var NETWORK_WAIT_MS = 4000;

function expired(response) {
  var until = Number(response.headers.get(UNTIL));
  return Boolean(until) && Date.now() >= until;
}

// Delete every kept walk list whose event has ended.
function prune() {
  return caches.open(CACHE).then(function (cache) {
    return cache.keys().then(function (requests) {
      return Promise.all(requests.map(function (request) {
        return cache.match(request).then(function (response) {
          return response && expired(response) ? cache.delete(request) : false;
        });
      }));
    });
  });
}

function withTimeout(promise) {
  return new Promise(function (resolve, reject) {
    var timer = setTimeout(function () { reject(new Error("no answer from the network")); }, NETWORK_WAIT_MS);
    promise.then(function (value) { clearTimeout(timer); resolve(value); },
      function (error) { clearTimeout(timer); reject(error); });
  });
}

function refused(response) {
  return response.status >= 400 && response.status < 500;
}

function keepable(response) {
  return response.ok && response.type === "basic" && !response.redirected;
}

// The copy to keep: a walk list is stamped with when it must be deleted, by this phone's clock.
function stamped(response) {
  if (!response.headers.has(LEFT)) { return Promise.resolve(response); }
  var until = Date.now() + Number(response.headers.get(LEFT)) * 1000;
  return response.blob().then(function (body) {
    var headers = new Headers(response.headers);
    headers.set(UNTIL, String(Math.floor(until)));
    return new Response(body, { status: response.status, statusText: response.statusText, headers: headers });
  });
}

function keep(cache, url, response) {
  return stamped(response).then(function (copy) { return cache.put(url, copy); });
}

function fromNetwork(request, isWalkList) {
  return withTimeout(fetch(request)).then(function (response) {
    return caches.open(CACHE).then(function (cache) {
      if (keepable(response)) {
        return keep(cache, request.url, response.clone()).then(function () { return response; });
      }
      if (isWalkList && (refused(response) || response.type === "opaqueredirect" || response.redirected)) {
        // No longer allowed, or sent to sign in (signed out on another device): forget the copy.
        return cache.delete(request.url).then(function () { return response; });
      }
      return response;
    });
  });
}

function fromCache(request) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(request.url, { ignoreVary: true }).then(function (response) {
      if (response && expired(response)) {
        return cache.delete(request.url).then(function () { return undefined; });
      }
      return response;
    });
  });
}

function noSignal() {
  return new Response(
    "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>" +
    "<title>No signal</title><p>No signal, and this page was not opened on this phone while it had " +
    "signal (or its event has ended). Try again when you have signal.</p>",
    { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } }
  );
}

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  event.waitUntil(prune().then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (url.pathname === "/doorstep/token" || url.pathname === "/doorstep/service-worker.js") { return; }
  var isWalkList = WALK_LIST.test(url.pathname);
  if (!isWalkList && url.pathname.indexOf("/static/") !== 0 && url.pathname.indexOf("/vendor/") !== 0) { return; }
  event.respondWith(
    fromNetwork(request, isWalkList).catch(function () {
      return fromCache(request).then(function (kept) { return kept || noSignal(); });
    })
  );
  event.waitUntil(prune());
});

// A page opened before this worker controlled it asks for itself and its assets to be kept
// (each page asks; what is kept already is not fetched again).
self.addEventListener("message", function (event) {
  var data = event.data || {};
  var reply = event.ports && event.ports[0];
  if (data.type === "keep" && Array.isArray(data.urls)) {
    var urls = data.urls.filter(function (href) { return new URL(href).origin === self.location.origin; });
    var answer = function (kept, error) {
      // Also when nothing could be fetched (no signal): the page learns when its kept copy goes.
      return fromCache(new Request(urls[0])).then(function (copy) {
        var until = copy ? Number(copy.headers.get(UNTIL)) || null : null;
        if (reply) { reply.postMessage({ kept: kept, until: until, error: error }); }
      });
    };
    event.waitUntil(caches.open(CACHE).then(function (cache) {
      return Promise.all(urls.map(function (href) {
        return cache.match(href, { ignoreVary: true }).then(function (held) {
          if (held) { return undefined; }  // kept already (and refreshed whenever it is fetched)
          return fetch(href, { credentials: "same-origin" }).then(function (response) {
            if (!keepable(response)) { throw new Error("not kept: " + href + " answered " + response.status); }
            return keep(cache, href, response);
          });
        });
      }));
    }).then(function () { return answer(true, null); }, function (error) { return answer(false, String(error)); }));
  } else if (data.type === "forget" && typeof data.url === "string") {
    event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.delete(data.url); }).then(function () {
      if (reply) { reply.postMessage({ forgotten: true }); }
    }));
  }
});
