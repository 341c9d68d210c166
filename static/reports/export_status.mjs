// Keeps a PDF report's status page up to date while the PDF is prepared, by polling the JSON
// status address named on the page. Without JavaScript the page's "Refresh" link does the same.
const POLL_EVERY_MS = 2000;

const panel = document.getElementById("export-status");

function show(id, visible) {
  document.getElementById(id).classList.toggle("govuk-!-display-none", !visible);
}

async function poll() {
  let status;
  try {
    const response = await fetch(panel.dataset.statusUrl, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok) {
      throw new Error(`status ${response.status}`);
    }
    status = await response.json();
  } catch {
    window.setTimeout(poll, POLL_EVERY_MS * 2);
    return;
  }
  document.getElementById("export-state-label").textContent = status.state_label;
  const progress = document.getElementById("export-progress");
  progress.value = status.progress;
  progress.textContent = `${status.progress}%`;
  if (status.download_url) {
    document.getElementById("export-download-link").href = status.download_url;
  }
  document.getElementById("export-error").textContent = status.error;
  show("export-download", status.state === "ready");
  show("export-failed", status.state === "failed");
  show("export-refresh", !status.finished);
  if (!status.finished) {
    window.setTimeout(poll, POLL_EVERY_MS);
  }
}

if (panel && panel.dataset.statusUrl) {
  window.setTimeout(poll, POLL_EVERY_MS / 2);
}
