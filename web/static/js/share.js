// Share buttons: the phone's share sheet where the browser has one (Web Share API), and copy.
for (const box of document.querySelectorAll(".share-box")) {
  const url = box.dataset.shareUrl;
  const text = box.dataset.shareText;
  const native = box.querySelector(".share-native");
  const status = box.querySelector(".share-copied");
  if (native && navigator.share) {
    native.hidden = false;
    native.addEventListener("click", () => {
      navigator.share({ text, url }).catch(() => {}); // closing the sheet is not an error
    });
  }
  box.querySelector(".share-copy")?.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(url);
      status.textContent = "Copied.";
    } catch {
      box.querySelector(".share-link").select();
      status.textContent = "Press Ctrl+C (or hold and copy) to copy.";
    }
  });
}
