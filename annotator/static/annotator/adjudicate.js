// Adjudication: on the focused disagreement, one key picks the final label and moves on.
(function () {
  "use strict";
  const list = document.getElementById("disagreements");
  if (!list || !list.dataset.canAdjudicate) return;
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  const rows = Array.from(list.querySelectorAll(".disagreement"));
  const keys = new Map(
    Array.from(rows[0].querySelectorAll(".pick button")).map((b) => [b.querySelector("kbd").textContent, b.dataset.label])
  );

  async function decide(row, label) {
    const response = await fetch(row.dataset.url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ label }),
      credentials: "same-origin",
    });
    const status = row.querySelector("[data-final]");
    if (!response.ok) {
      status.textContent = "Not saved: try again";
      return false;
    }
    row.querySelectorAll(".pick button").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.label === label)));
    const counter = document.getElementById("decided-count");
    if (counter && row.classList.contains("decided") !== Boolean(label)) {
      counter.textContent = String(Number(counter.textContent) + (label ? 1 : -1));
    }
    row.classList.toggle("decided", Boolean(label));
    status.textContent = label ? "decided by you" : "";
    return true;
  }

  function focusRow(index) {
    const row = rows[Math.max(0, Math.min(index, rows.length - 1))];
    row.focus();
    row.scrollIntoView({ block: "nearest" });
  }

  list.addEventListener("keydown", async (event) => {
    const row = event.target.closest(".disagreement");
    if (!row || event.ctrlKey || event.metaKey || event.altKey) return;
    const index = rows.indexOf(row);
    if (keys.has(event.key)) {
      event.preventDefault();
      if (await decide(row, keys.get(event.key))) focusRow(index + 1);
    } else if (event.key === "Backspace") {
      event.preventDefault();
      decide(row, "");
    } else if (event.key === "j") {
      focusRow(index + 1);
    } else if (event.key === "k") {
      focusRow(index - 1);
    }
  });
  list.addEventListener("click", (event) => {
    const button = event.target.closest(".pick button");
    if (button) decide(button.closest(".disagreement"), button.dataset.label);
  });
  focusRow(rows.findIndex((row) => !row.classList.contains("decided")));
})();
