// Moves the import's progress bar as the worker publishes each chunk (Socket.IO namespace /live).
// Without it the page still shows the import's state as of the last reload.
(function () {
  "use strict";
  var section = document.getElementById("import-progress");
  if (!section || typeof io === "undefined") { return; }
  var importId = Number(section.dataset.importId);
  var socket = io("/live", { transports: ["websocket", "polling"] });
  socket.on("connect", function () { socket.emit("watch_import", { import_id: importId }); });
  socket.on("import_progress", function (progress) {
    if (progress.id !== importId) { return; }
    var bar = document.getElementById("import-bar");
    bar.value = progress.percent;
    bar.textContent = progress.percent + "%";
    Object.keys(progress).forEach(function (name) {
      var field = section.querySelector('[data-field="' + name + '"]');
      if (field) { field.textContent = String(progress[name]); }
    });
    if (progress.status === "done" || progress.status === "failed") {
      document.getElementById("import-reload-hint").textContent = "Finished: reload for the report of rows to look at.";
      socket.disconnect();
    }
  });
}());
