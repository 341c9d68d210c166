// Reloads the declaration page once the signed copy it is waiting for is ready (or could not be
// prepared), by polling the JSON status address named on the page. Without JavaScript the
// page's "Refresh" link does the same.
const POLL_EVERY_MS = 2000;

const panel = document.getElementById("declaration-status");

async function poll() {
  try {
    const response = await fetch(panel.dataset.statusUrl, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok) {
      throw new Error(`status ${response.status}`);
    }
    const status = await response.json();
    if (!status.pending) {
      window.location.reload();
      return;
    }
  } catch {
    window.setTimeout(poll, POLL_EVERY_MS * 2);
    return;
  }
  window.setTimeout(poll, POLL_EVERY_MS);
}

if (panel && panel.dataset.statusUrl) {
  window.setTimeout(poll, POLL_EVERY_MS / 2);
}
