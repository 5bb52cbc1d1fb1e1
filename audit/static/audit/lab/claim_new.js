// The claim form's time estimate, kept up to date as the setups and runs change. The page says
// the same for the form as first shown (audit.lab.claims.claim_seconds); this only redoes it.
(function () {
  const perModel = JSON.parse(document.getElementById("seconds-per-model").textContent);
  const estimate = document.getElementById("claim-estimate");
  const field = (name) => document.querySelector(`[name="${name}"]`);

  function duration(seconds) {
    if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
    if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
    return `${(seconds / 3600).toFixed(1)} h`;
  }

  function update() {
    const setups = [field("setup").value, field("other_setup").value].filter(Boolean);
    const runs = parseInt(field("runs").value, 10) || 0;
    const retrain = parseInt(field("retrain").value, 10) || 0;
    if (!setups.every((name) => name in perModel)) {
      estimate.textContent = "No estimate yet: a setup chosen has not been trained here before.";
      return;
    }
    // Per setup, four models per run (two fixed-seed reruns, one seed-only, one searched) and
    // the best configuration's retraining.
    const seconds = setups.reduce((sum, name) => sum + (4 * runs + retrain) * perModel[name], 0);
    estimate.textContent = `About ${duration(seconds)} of training on the lab's workers, from ` +
      "the models of these setups trained here before (longer while the workers are busy).";
  }

  for (const name of ["setup", "other_setup", "runs", "retrain"]) {
    field(name).addEventListener("input", update);
  }
})();
