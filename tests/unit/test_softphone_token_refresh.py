"""The calling page's browser phone (web/static/js/phone.js) renews its Access Token when the Voice
SDK warns it will expire: a fake Device, run under Node, goes through tokenWillExpire and is handed
the fresh token with updateToken while its call goes on."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

PHONE_JS = Path(__file__).resolve().parents[2] / "web" / "static" / "js" / "phone.js"

#: Loads phone.js into a context whose `window.Twilio.Device` is a fake recording what it is told,
#: then plays the SDK's part: the call connects, the token's warning comes, and (second phone) the
#: page's token source fails.
DRIVER = r"""
const fs = require("fs");
const vm = require("vm");

class FakeDevice {
  constructor(token) { this.token = token; this.handlers = {}; this.updated = []; this.registered = false; }
  on(event, handler) { (this.handlers[event] = this.handlers[event] || []).push(handler); }
  emit(event, ...args) { for (const handler of this.handlers[event] || []) handler(...args); }
  register() { this.registered = true; }
  updateToken(token) { this.updated.push(token); this.token = token; }
  async connect() {
    const call = { handlers: {}, parameters: { CallSid: "CA-seat" }, disconnected: false,
      on(event, handler) { (this.handlers[event] = this.handlers[event] || []).push(handler); },
      disconnect() { this.disconnected = true; } };
    setTimeout(() => (call.handlers.accept || []).forEach((handler) => handler()), 0);
    this.call = call;
    return call;
  }
  destroy() {}
}

const window = { Twilio: { Device: FakeDevice }, console };
vm.runInNewContext(fs.readFileSync(process.argv[1], "utf8"), { window, console, setTimeout });
const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

(async () => {
  let asked = 0;
  const phone = window.MarginalPhone.create({
    backend: "twilio", token: "token-1", refreshToken: async () => `token-${++asked + 1}`,
  });
  const errors = [];
  let ended = false;
  phone.on("error", ({ message }) => errors.push(message)).on("disconnect", () => { ended = true; });
  const callSid = await phone.connect({ session: "7" });
  phone.device.emit("tokenWillExpire");
  await settle();
  phone.device.emit("tokenWillExpire");  // an hour later, the next one
  await settle();

  const failing = window.MarginalPhone.create({
    backend: "twilio", token: "token-1", refreshToken: async () => { throw new Error("HTTP 409"); },
  });
  const failures = [];
  failing.on("error", ({ message }) => failures.push(message));
  failing.device.emit("tokenWillExpire");
  await settle();

  console.log(JSON.stringify({
    callSid, updated: phone.device.updated, token: phone.device.token, asked, errors, ended,
    callDisconnected: phone.device.call.disconnected, registered: phone.device.registered,
    failures, failingUpdated: failing.device.updated,
  }));
})();
"""


def run_driver() -> dict[str, object]:
    node = shutil.which("node")
    assert node, "Node.js runs the page's JavaScript tests (it installs the JS libraries too: npm ci)"
    done = subprocess.run(
        [node, "-e", DRIVER, str(PHONE_JS)], capture_output=True, text=True, timeout=60, check=True
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_on_each_token_warning_the_phone_fetches_a_fresh_token_and_updates_the_device_mid_call():
    result = run_driver()
    assert result["callSid"] == "CA-seat" and result["registered"] is True
    assert result["asked"] == 2
    assert result["updated"] == ["token-2", "token-3"] and result["token"] == "token-3"
    assert result["errors"] == [] and result["ended"] is False and result["callDisconnected"] is False


def test_a_token_that_cannot_be_renewed_is_reported_and_nothing_is_updated():
    result = run_driver()
    assert result["failingUpdated"] == []
    assert result["failures"] == ["the browser phone could not renew its access: HTTP 409"]
