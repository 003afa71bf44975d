// Tells an open page that one of its volunteer's calling shifts has started: rung, they press 1 on
// their phone; not rung (no verified phone), they start calling from the phone bank's page.
(function () {
  const notice = document.getElementById("shift-notice");
  if (!notice || typeof io === "undefined") {
    return;
  }
  const socket = io("/live", { transports: ["websocket", "polling"] });
  socket.on("connect", () => socket.emit("watch_me", {}));
  socket.on("shift_started", (started) => {
    const link = document.createElement("a");
    link.href = notice.dataset.callUrl.replace(/\/0$/, `/${started.campaign}`);
    link.textContent = started.rung ? "the phone bank's page" : "Start calling";
    notice.replaceChildren(
      document.createTextNode(
        started.rung
          ? "Your calling shift has started: we are ringing your phone now. Press 1 to take your seat, or open "
          : "Your calling shift has started: ",
      ),
      link,
      document.createTextNode("."),
    );
    notice.hidden = false;
  });
})();
