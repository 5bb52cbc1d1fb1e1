// Corpus page: upload with a progress bar, then follow each paper's processing live.
(function () {
  "use strict";
  const STATUS_LABELS = { pending: "Pending", processing: "Processing", done: "Done", failed: "Failed" };
  const table = document.getElementById("papers");
  const form = document.getElementById("upload-form");
  const input = form && form.querySelector('input[type="file"]');
  const list = document.getElementById("dz-files");
  const dropzone = document.getElementById("dropzone");

  if (input) {
    const showChosen = () => {
      const names = Array.from(input.files).map((f) => f.name);
      list.textContent = names.length ? `${names.length} selected: ${names.slice(0, 5).join(", ")}${names.length > 5 ? "…" : ""}` : "";
    };
    input.addEventListener("change", showChosen);
    showChosen(); // files chosen before this script ran (a slow load, or the back button)
    ["dragenter", "dragover"].forEach((type) => dropzone.addEventListener(type, () => dropzone.classList.add("over")));
    ["dragleave", "drop"].forEach((type) => dropzone.addEventListener(type, () => dropzone.classList.remove("over")));
    form.addEventListener("submit", (event) => {
      if (!window.FormData || !input.files.length) return;
      event.preventDefault();
      const bar = document.getElementById("upload-progress");
      const request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      request.upload.addEventListener("progress", (e) => {
        if (e.lengthComputable) bar.value = (100 * e.loaded) / e.total;
      });
      request.responseType = "json";
      request.addEventListener("load", () => {
        const next = request.response && request.response.next;
        window.location.assign(next || window.location.href);
      });
      request.addEventListener("error", () => form.submit());
      bar.hidden = false;
      form.querySelector("button").disabled = true;
      request.send(new FormData(form));
    });
  }

  if (!table) return;
  const rows = new Map(Array.from(table.querySelectorAll("tr[data-paper-id]")).map((r) => [r.dataset.paperId, r]));
  const unfinished = () => Array.from(rows.values()).some((r) => r.dataset.status === "pending" || r.dataset.status === "processing");

  function update(row, paper) {
    row.dataset.status = paper.status;
    const badge = row.querySelector('[data-field="status"]');
    badge.textContent = STATUS_LABELS[paper.status];
    badge.className = `badge badge-${paper.status}`;
    const bar = row.querySelector("progress");
    bar.value = paper.progress;
    bar.hidden = !(paper.status === "pending" || paper.status === "processing");
    row.querySelector('[data-field="error"]').textContent = paper.error;
    row.querySelector('[data-field="pages"]').textContent = paper.pages || "";
    row.querySelector('[data-field="year"]').textContent = paper.year || "";
    row.querySelector('[data-field="seed_count"]').textContent = paper.status === "done" ? paper.seed_count : "";
    if (paper.title) row.querySelector(".paper-title").textContent = paper.title;
  }

  async function poll() {
    try {
      const response = await fetch(table.dataset.statusUrl, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const data = await response.json();
        for (const paper of data.papers) {
          const row = rows.get(String(paper.pk));
          if (row) update(row, paper);
        }
      }
    } finally {
      if (unfinished()) window.setTimeout(poll, 1000);
    }
  }
  if (unfinished()) window.setTimeout(poll, 500);
})();
