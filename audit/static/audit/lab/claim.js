// Claim page: follow the experiments live; show the report once it is written.
(function () {
  "use strict";
  const table = document.getElementById("experiments");
  if (!table || table.dataset.reportReady === "true") return;
  const rows = new Map(Array.from(table.querySelectorAll("tr[data-experiment-id]")).map((r) => [r.dataset.experimentId, r]));
  const state = document.getElementById("claim-state");
  let finished = table.dataset.finished === "true";
  // A form sent from this page (Cancel) loads the next page itself: a reload on top of it
  // would load that page twice and lose its message. Registered after confirm.js, so a
  // dismissed confirmation has already prevented the submit.
  let leaving = false;
  document.addEventListener("submit", (event) => {
    if (!event.defaultPrevented) leaving = true;
  });

  function update(row, experiment) {
    row.dataset.status = experiment.status;
    const badge = row.querySelector('[data-field="status"]');
    badge.textContent = experiment.status_display;
    badge.className = `badge badge-${experiment.status}`;
    const bar = row.querySelector("progress");
    bar.value = experiment.progress;
    bar.hidden = !(experiment.status === "pending" || experiment.status === "running");
    // An experiment that resamples another's runs trains none of its own.
    row.querySelector('[data-field="runs"]').textContent = experiment.runs_planned ? `${experiment.runs_done} / ${experiment.runs_planned}` : "—";
    row.querySelector('[data-field="error"]').textContent = experiment.error;
  }

  async function poll() {
    let data = null;
    try {
      const response = await fetch(table.dataset.statusUrl, { headers: { Accept: "application/json" } });
      if (response.ok) data = await response.json();
    } finally {
      if (leaving) return;
      if (data) {
        for (const experiment of data.experiments) {
          const row = rows.get(String(experiment.id));
          if (row) update(row, experiment);
        }
        state.textContent = data.state;
        // The report (or the reason there is none) is rendered by the server: load it once.
        if (data.report_ready || (data.finished && !finished)) {
          window.location.reload();
          return;
        }
        finished = data.finished;
      }
      if (!finished) window.setTimeout(poll, 1000);
    }
  }
  if (!finished) window.setTimeout(poll, 500);
})();
