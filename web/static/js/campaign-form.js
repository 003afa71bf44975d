// The campaign form's script preview: the Markdown rendered by the server exactly as the calling
// page renders it (raw HTML shown as text, never run).
import { sendJSON } from "/static/js/csrf.js";

const button = document.getElementById("script-preview-button");
const source = document.getElementById("script_md");
const target = document.getElementById("script-preview");

async function preview() {
  const reply = await sendJSON(button.dataset.url, { script: source.value });
  const body = await reply.json().catch(() => ({}));
  if (!reply.ok) {
    target.replaceChildren(Object.assign(document.createElement("p"), { className: "error", textContent: body.error || "The preview failed." }));
    return;
  }
  // Safe: the server's renderer has raw HTML switched off, so this is only Markdown's own markup.
  target.innerHTML = body.html;
}

if (button && source && target) {
  button.addEventListener("click", preview);
}
