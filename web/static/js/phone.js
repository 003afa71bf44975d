/*
 * phone.js: the volunteer's audio leg in the browser, one small interface over two backends.
 *
 *   const phone = MarginalPhone.create({backend, token, simulatorUrl, refreshToken});
 *       backend       "twilio" (real Twilio, @twilio/voice-sdk) or "simulator" (the bundled simulator)
 *       token         an Access Token with a VoiceGrant (dialer/adapters/voice_tokens.py mints it)
 *       simulatorUrl  where the simulator listens (SIMULATOR_URL), for backend "simulator"
 *       refreshToken  async () => a fresh token; called on the SDK's tokenWillExpire (10 s before
 *                     the token runs out) and handed to device.updateToken, so the call in progress
 *                     goes on and the phone stays registered (without it: an expired-token error)
 *   phone.on(event, handler)      returns the phone; events and what the handler receives:
 *       "ringing"     {}                     the far end is ringing
 *       "accept"      {callSid}              the call is connected (e.g. the volunteer is in their seat)
 *       "disconnect"  {callSid, lost}        the call is over, whoever hung up (lost: the connection
 *                                            went, not a hang-up: worth joining again)
 *       "mute"        {muted}                the microphone was muted or unmuted
 *       "incoming"    {from, accept(), reject()}   someone is calling this phone
 *       "error"       {message}
 *   await phone.connect(params)   places the call; params (strings) reach the TwiML App's voice URL;
 *                                 resolves with the CallSid once connected, rejects if it fails
 *   phone.disconnect()            hangs up;   phone.mute(true|false);   phone.sendDigits("1")
 *   phone.callSid, phone.muted    the current call's sid and mute state
 *   phone.destroy()               releases the device or socket (on leaving the page)
 *
 * Needs, loaded before it: /vendor/twilio.min.js for "twilio", /vendor/socket.io.min.js for "simulator".
 */
(function (global) {
  "use strict";

  class Emitter {
    constructor() {
      this._handlers = {};
      this.callSid = null;
      this.muted = false;
    }

    on(event, handler) {
      (this._handlers[event] = this._handlers[event] || []).push(handler);
      return this;
    }

    off(event, handler) {
      this._handlers[event] = (this._handlers[event] || []).filter((h) => h !== handler);
      return this;
    }

    _emit(event, detail) {
      for (const handler of this._handlers[event] || []) {
        try {
          handler(detail || {});
        } catch (error) {
          if (global.console) global.console.error(error);
        }
      }
    }

    _until(event) {
      return new Promise((resolve, reject) => {
        const done = (detail) => {
          this.off(event, done).off("error", failed).off("disconnect", ended);
          resolve(detail);
        };
        const failed = (detail) => {
          this.off(event, done).off("error", failed).off("disconnect", ended);
          reject(new Error(detail.message || "the call failed"));
        };
        const ended = () => failed({message: "the call ended before it connected"});
        this.on(event, done).on("error", failed).on("disconnect", ended);
      });
    }

    /** Fetch a fresh token and hand it to `update`; a failure is reported as an error. */
    async _renew(refreshToken, update) {
      if (!refreshToken) return;
      try {
        update(await refreshToken());
      } catch (error) {
        this._emit("error", {message: `the browser phone could not renew its access: ${error.message}`});
      }
    }
  }

  /** The real thing: Twilio's Voice SDK Device and Call. */
  class TwilioPhone extends Emitter {
    constructor({token, refreshToken, Device = global.Twilio && global.Twilio.Device}) {
      super();
      if (!Device) throw new Error("the Twilio Voice SDK is not loaded (/vendor/twilio.min.js)");
      this.device = new Device(token, {closeProtection: true});
      this.device.on("error", (error) => this._emit("error", {message: error.message}));
      this.device.on("tokenWillExpire", () =>
        this._renew(refreshToken, (fresh) => this.device.updateToken(fresh)),
      );
      this.device.on("incoming", (call) =>
        this._emit("incoming", {
          from: call.parameters.From,
          accept: () => {
            this._adopt(call);
            call.accept();
          },
          reject: () => call.reject(),
        }),
      );
      this.device.register();
    }

    async connect(params = {}) {
      const connected = this._until("accept");
      this._adopt(await this.device.connect({params}));
      const {callSid} = await connected;
      return callSid;
    }

    _adopt(call) {
      this.call = call;
      call.on("ringing", () => this._emit("ringing", {}));
      call.on("accept", () => {
        this.callSid = call.parameters.CallSid;
        this._emit("accept", {callSid: this.callSid});
      });
      call.on("mute", (muted) => {
        this.muted = muted;
        this._emit("mute", {muted});
      });
      call.on("error", (error) => this._emit("error", {message: error.message}));
      for (const ending of ["disconnect", "cancel", "reject"]) {
        call.on(ending, () => this._emit("disconnect", {callSid: this.callSid}));
      }
    }

    disconnect() {
      if (this.call) this.call.disconnect();
    }

    mute(muted = true) {
      if (this.call) this.call.mute(muted);
    }

    sendDigits(digits) {
      if (this.call) this.call.sendDigits(digits);
    }

    destroy() {
      this.device.destroy();
    }
  }

  /** The bundled simulator's stand-in: the same interface over Socket.IO (/simphone), no audio. */
  class SimPhone extends Emitter {
    constructor({token, simulatorUrl, refreshToken, io = global.io}) {
      super();
      if (!io) throw new Error("the Socket.IO client is not loaded (/vendor/socket.io.min.js)");
      this.socket = io(`${simulatorUrl.replace(/\/$/, "")}/simphone`, {
        auth: {token},
        transports: ["websocket"],
        autoConnect: false,
        reconnection: false,
      });
      this.socket.on("connect_error", (error) => this._emit("error", {message: error.message}));
      this.socket.on("error", (data) => this._emit("error", {message: data.message}));
      this.socket.on("tokenWillExpire", () =>
        this._renew(refreshToken, (fresh) => this.socket.emit("updateToken", {token: fresh})),
      );
      this.socket.on("ringing", () => this._emit("ringing", {}));
      this.socket.on("accept", (data) => {
        this.callSid = data.call_sid;
        this._emit("accept", {callSid: data.call_sid});
      });
      this.socket.on("mute", (data) => {
        this.muted = data.muted;
        this._emit("mute", {muted: data.muted});
      });
      this.socket.on("disconnect", (reason) => {
        // The connection went (wifi, sleep) with a call on: the simulator hangs that call up.
        if (this.callSid && reason !== "io client disconnect") {
          const callSid = this.callSid;
          this.callSid = null;
          this.muted = false;
          this._emit("disconnect", {callSid, lost: true});
        }
      });
      this.socket.on("hangup", (data) => {
        this._emit("disconnect", {callSid: data.call_sid});
        this.callSid = null;
        this.muted = false;
      });
      this.socket.on("incoming", (data) =>
        this._emit("incoming", {
          from: data.from,
          accept: () => this.socket.emit("accept", {call_sid: data.call_sid}),
          reject: () => this.socket.emit("reject", {call_sid: data.call_sid}),
        }),
      );
      this.socket.connect();
    }

    async connect(params = {}) {
      if (!this.socket.connected) {
        await new Promise((resolve, reject) => {
          this.socket.once("connect", resolve);
          this.socket.once("connect_error", reject);
        });
      }
      const connected = this._until("accept");
      const strings = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)]));
      const placed = await this.socket.emitWithAck("call", {params: strings});
      if (placed.error) {
        this._emit("error", {message: placed.error});
        throw new Error(placed.error);
      }
      this.callSid = placed.call_sid;
      const {callSid} = await connected;
      return callSid;
    }

    disconnect() {
      this.socket.emit("hangup");
    }

    mute(muted = true) {
      this.socket.emit("mute", {muted});
    }

    sendDigits(digits) {
      this.socket.emit("digits", {digits});
    }

    destroy() {
      this.socket.disconnect();
    }
  }

  function create({backend, token, simulatorUrl, refreshToken}) {
    if (backend === "twilio") return new TwilioPhone({token, refreshToken});
    if (backend === "simulator") return new SimPhone({token, simulatorUrl, refreshToken});
    throw new Error(`unknown phone backend: ${backend}`);
  }

  global.MarginalPhone = {create, TwilioPhone, SimPhone};
})(window);
