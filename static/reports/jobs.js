// Polls a background export's progress and shows the download link when it is done.
(function () {
  "use strict";
  const root = document.getElementById("export-job");
  if (!root) return;
  const bar = document.getElementById("export-progress");
  // Set from script: the Content-Security-Policy forbids inline style attributes.
  bar.style.width = bar.dataset.percent + "%";
  if (root.dataset.finished === "1") return;
  const status = document.getElementById("export-status");
  const error = document.getElementById("export-error");
  const download = document.getElementById("export-download");

  function show(job) {
    bar.style.width = job.percent + "%";
    bar.textContent = job.percent + "%";
    bar.parentElement.setAttribute("aria-valuenow", String(job.percent));
    status.textContent = job.status_display + (job.total ? "（" + job.progress + "/" + job.total + "）" : "");
    error.textContent = job.error || "";
    if (job.download) {
      download.href = job.download;
      download.classList.remove("d-none");
    }
    return job.status === "done" || job.status === "failed";
  }

  function poll() {
    fetch(root.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => response.json())
      .then((job) => { if (!show(job)) window.setTimeout(poll, 1000); })
      .catch(() => window.setTimeout(poll, 3000));
  }
  poll();
})();
