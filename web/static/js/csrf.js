// The CSRF token for JavaScript requests: every POST/PUT/PATCH/DELETE must carry it in the
// X-CSRFToken header (Flask-WTF refuses the request otherwise). The token is in a meta tag that
// base.html renders on every page.
//
//   import { csrfToken, sendJSON } from "/static/js/csrf.js";
//   const reply = await sendJSON("/api/outcomes", { disposition: "talked" });
//   // or by hand: fetch(url, { method: "POST", headers: { "X-CSRFToken": csrfToken() }, ... })

export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

export async function sendJSON(url, body, method = "POST") {
  return fetch(url, {
    method,
    credentials: "same-origin",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json",
      "X-CSRFToken": csrfToken(),
    },
    body: JSON.stringify(body),
  });
}
