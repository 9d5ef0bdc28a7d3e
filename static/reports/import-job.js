// Polls a batch import's progress; when it is done the page is loaded again to show
// the result of every file.
(function () {
  "use strict";
  const root = document.getElementById("import-job");
  if (!root) return;
  const bar = document.getElementById("import-progress");
  // Set from script: the Content-Security-Policy forbids inline style attributes.
  bar.style.width = bar.dataset.percent + "%";
  if (root.dataset.finished === "1") return;
  const status = document.getElementById("import-status");

  function show(job) {
    bar.style.width = job.percent + "%";
    bar.textContent = job.percent + "%";
    bar.parentElement.setAttribute("aria-valuenow", String(job.percent));
    status.textContent = job.status_display + "（" + job.progress + "/" + job.total + "）";
    return job.status === "done" || job.status === "failed";
  }

  function poll() {
    fetch(root.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => response.json())
      .then((job) => {
        if (show(job)) window.location.reload();
        else window.setTimeout(poll, 1000);
      })
      .catch(() => window.setTimeout(poll, 3000));
  }
  poll();
})();
