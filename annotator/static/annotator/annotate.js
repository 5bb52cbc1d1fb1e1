// The annotation session: one sentence at a time, keyboard first, nothing waits on the network.
//
// Actions (label, undo, skip, primary category) go into an outbox kept in localStorage and are
// sent one after another, each with an id made here, so a retry after a network error or a
// reload never counts twice. An action the server refuses (a 4xx), or fails on repeatedly (a
// 5xx, MAX_TRIES times), is set aside, listed on the page (across reloads) and never holds up
// the actions behind it. The next cards are fetched ahead, so a key press shows the next
// sentence at once. What this tab labelled is kept in sessionStorage for undo across reloads.
(function () {
  "use strict";
  const start = JSON.parse(document.getElementById("session-start").textContent);
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  const byKey = new Map(start.categories.map((c) => [c.key, c]));
  const byLabel = new Map(start.categories.map((c) => [c.label, c]));
  const $ = (id) => document.getElementById(id);
  const PREFETCH = 3;
  const MAX_RETRY_MS = 15000;
  const MAX_TRIES = 3;
  const RECENT = 5;

  const outboxKey = `${start.storageKey}:outbox`;
  const unsavedKey = `${start.storageKey}:unsaved`;
  const historyKey = `${start.storageKey}:history`;
  const read = (storage, key) => JSON.parse(storage.getItem(key) || "[]");
  const write = (storage, key, value) => storage.setItem(key, JSON.stringify(value));

  let queue = [];
  let current = null;
  let fetching = false;
  let exhausted = false;
  let serverProgress = start.progress;
  // The assignment whose label finishes a paper: the next card waits (briefly) for the server's
  // answer, so that the paper's primary category is asked in place, before the next paper.
  let holding = null;
  const HOLD_MS = 2500;
  const session = { labels: 0, started: Date.now(), byLabel: {} };
  let recent = start.recent;

  function uuid() {
    // crypto.randomUUID needs a secure context; getRandomValues works everywhere.
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  // --- sending -------------------------------------------------------------------------------
  let flushing = false;
  let retryMs = 1000;

  function enqueue(kind, body) {
    const outbox = read(localStorage, outboxKey);
    outbox.push({ kind, body: { ...body, client_id: uuid() } });
    write(localStorage, outboxKey, outbox);
    showProgress();
    flush();
  }

  function pending() {
    return read(localStorage, outboxKey).length;
  }

  function sent(clientId) {
    write(localStorage, outboxKey, read(localStorage, outboxKey).filter((a) => a.body.client_id !== clientId));
  }

  // A failed try of the action at the head of the outbox; true once it is set aside.
  function failed(action, status, error) {
    const tries = (action.tries || 0) + 1;
    if (status < 500 || tries >= MAX_TRIES) {
      sent(action.body.client_id);
      write(localStorage, unsavedKey, [...read(localStorage, unsavedKey), { ...action, status, error }]);
      showUnsaved();
      say(`Not saved: ${error}`, true);
      return true;
    }
    const outbox = read(localStorage, outboxKey);
    if (outbox.length && outbox[0].body.client_id === action.body.client_id) outbox[0].tries = tries;
    write(localStorage, outboxKey, outbox);
    return false;
  }

  async function flush() {
    if (flushing) return;
    flushing = true;
    try {
      for (;;) {
        const action = read(localStorage, outboxKey)[0];
        if (!action) break;
        setSync("saving");
        let response;
        try {
          response = await fetch(start.urls[action.kind], {
            method: "POST",
            headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
            body: JSON.stringify(action.body),
            credentials: "same-origin",
          });
        } catch (error) {
          response = null;
        }
        if (response && (response.redirected || response.status === 403)) {
          setSync("login");
          return; // kept in the outbox until the annotator logs in again
        }
        // No answer (offline) or "too many requests": the action is fine, so try it again
        // for as long as it takes. A server error counts against the action.
        if (response && response.status >= 500 && failed(action, response.status, `the server failed (${response.status})`)) {
          retryMs = 1000;
          if (holding === action.body.assignment) release();
          continue;
        }
        if (!response || response.status >= 500 || response.status === 429) {
          release(); // offline: the question comes when the label gets through
          setSync("offline", retryMs);
          await new Promise((resolve) => setTimeout(resolve, retryMs));
          retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
          continue;
        }
        retryMs = 1000;
        const data = await response.json().catch(() => ({}));
        if (!response.ok) {
          failed(action, response.status, data.error || response.statusText || `refused (${response.status})`);
          if (holding === action.body.assignment) release();
          continue;
        }
        sent(action.body.client_id);
        received(action, data);
      }
      setSync("saved");
    } finally {
      flushing = false;
    }
    // What was sent may have changed the queue (a skipped sentence is back): ask again.
    exhausted = false;
    if (!current && !holding) advance();
  }

  function release() {
    if (holding === null) return;
    holding = null;
    if (!current) advance();
  }

  function received(action, data) {
    if (data.progress) {
      serverProgress = data.progress;
      showProgress();
    }
    if (action.kind === "label") {
      if (data.replaced && !data.duplicate) say("This sentence was labelled in another tab too; your latest label counts.");
      for (const step of data.papers || []) {
        const known = [current, ...queue].some((c) => c && c.type === "paper" && c.paper === step.paper);
        if (!known) queue.unshift({ type: "paper", ...step });
      }
      if (holding === action.body.assignment) release();
      else if (kindOf(current) === "summary") advance();
    } else if (action.kind === "undo" && !action.body.assignment && data.card) {
      if (current && kindOf(current) !== "summary") queue.unshift(current);
      show(data.card);
    }
  }

  function setSync(state, retryMs) {
    const node = $("sync");
    const waiting = pending();
    const text = {
      saved: "All saved",
      saving: `Saving${waiting > 1 ? ` ${waiting}` : ""}…`,
      offline: `Offline: ${waiting} waiting, retrying in ${Math.round((retryMs || 0) / 1000)} s`,
      login: "Logged out: log in again to save your labels",
    }[state];
    node.textContent = text;
    node.className = `sync sync-${state}`;
  }

  // --- fetching ahead ------------------------------------------------------------------------
  function inHand() {
    const ids = queue.filter((c) => c.assignment).map((c) => c.assignment);
    if (current && current.assignment) ids.push(current.assignment);
    for (const action of read(localStorage, outboxKey)) {
      if (action.body.assignment && action.kind !== "undo") ids.push(action.body.assignment);
    }
    return ids;
  }

  async function refill() {
    if (fetching || queue.filter((c) => c.assignment).length >= PREFETCH) return;
    fetching = true;
    const settled = pending() === 0;
    try {
      const url = `${start.urls.next}?limit=${PREFETCH + 1}&exclude=${inHand().join(",")}`;
      const response = await fetch(url, { credentials: "same-origin" });
      if (response.redirected) {
        setSync("login");
        return;
      }
      const data = await response.json();
      const have = new Set(inHand());
      const fresh = data.cards.filter((c) => !have.has(c.assignment));
      queue.push(...fresh);
      // Only an answer given with nothing in flight proves the queue is empty.
      exhausted = data.cards.length === 0 && settled;
      if (data.progress) {
        serverProgress = data.progress;
        showProgress();
      }
    } catch (error) {
      setSync("offline", retryMs);
      setTimeout(refill, retryMs);
    } finally {
      fetching = false;
    }
    if (current || holding) return;
    if (queue.length || exhausted) advance();
    // Asked while a label was in flight, and it has landed since: ask again.
    else if (!settled && pending() === 0) refill();
  }

  // --- showing -------------------------------------------------------------------------------
  function advance() {
    const next = queue.shift();
    if (next) {
      show(next);
    } else if (exhausted && pending() === 0) {
      showSummary();
    } else {
      current = null;
      render();
    }
    refill();
  }

  function show(card) {
    current = card;
    render();
  }

  // Cards come from the server as they are; paper steps and the summary carry a type.
  function kindOf(shown) {
    return shown ? shown.type || "card" : "loading";
  }

  function render() {
    const kind = kindOf(current);
    $("card").hidden = kind !== "card";
    $("paper-step").hidden = kind !== "paper";
    $("summary").hidden = kind !== "summary";
    $("loading").hidden = kind !== "loading";
    document.querySelectorAll(".label-button").forEach((b) => {
      b.disabled = kind === "summary" || kind === "loading";
      b.classList.toggle("suggested", kind === "paper" && b.dataset.label === current.default);
    });
    if (kind === "card") {
      $("paper-title").textContent = current.paper.title;
      $("paper-year").textContent = current.paper.year ? ` (${current.paper.year})` : "";
      $("section").textContent = current.section || "No section";
      $("page").textContent = current.page;
      $("before").innerHTML = current.before; // escaped by the server
      $("sentence").innerHTML = current.sentence;
      $("after").innerHTML = current.after;
      $("why").textContent = current.why || "";
      $("skipped-tag").hidden = !current.skipped;
      $("note-shown").hidden = !current.note;
      $("note-shown").textContent = current.note ? `Note: ${current.note}` : "";
      $("note-box").hidden = true;
    } else if (kind === "paper") {
      $("step-title").textContent = current.title + (current.year ? ` (${current.year})` : "");
      $("step-default").textContent = byLabel.get(current.default).name;
      $("step-counts").textContent = Object.entries(current.counts)
        .filter(([label]) => label)
        .map(([label, n]) => `${byLabel.get(label).name} ×${n}`)
        .join(", ");
    }
  }

  function showSummary() {
    current = { type: "summary" };
    const minutes = (Date.now() - session.started) / 60000;
    const pace = session.labels ? Math.round((minutes * 60) / session.labels) : null;
    $("summary-title").textContent = serverProgress.done >= serverProgress.assigned ? "All done" : "Nothing left for now";
    $("summary-text").textContent =
      `You labelled ${session.labels} sentence${session.labels === 1 ? "" : "s"} in this session` +
      (pace ? `, about ${pace} s each` : "") +
      `; ${serverProgress.done} of ${serverProgress.assigned} in all.`;
    const list = $("summary-counts");
    list.replaceChildren(
      ...start.categories
        .filter((c) => session.byLabel[c.label])
        .map((c) => {
          const li = document.createElement("li");
          li.className = `chip-label group-${c.group}`;
          li.textContent = `${c.name}: ${session.byLabel[c.label]}`;
          return li;
        })
    );
    render();
  }

  function showProgress() {
    let done = serverProgress.done;
    for (const action of read(localStorage, outboxKey)) {
      if (action.kind === "label") done += 1;
      if (action.kind === "undo") done -= 1;
    }
    done = Math.max(0, Math.min(done, serverProgress.assigned));
    $("done").textContent = done;
    $("assigned").textContent = serverProgress.assigned;
    const bar = $("progress");
    bar.setAttribute("aria-valuenow", done);
    bar.setAttribute("aria-valuemax", serverProgress.assigned);
    $("progress-fill").style.width = `${serverProgress.assigned ? (100 * done) / serverProgress.assigned : 100}%`;
  }

  // What the server would not take: kept until the annotator sends it again or dismisses it.
  const ACTION_NAMES = { label: "Label", undo: "Undo", skip: "Skip", paper: "Primary category" };
  function showUnsaved() {
    const unsaved = read(localStorage, unsavedKey);
    $("unsaved").hidden = unsaved.length === 0;
    $("unsaved-list").replaceChildren(
      ...unsaved.map((action) => {
        const li = document.createElement("li");
        const category = byLabel.get(action.body.label);
        const what = [ACTION_NAMES[action.kind] || action.kind, category ? category.name : ""].filter(Boolean).join(": ");
        const note = action.body.note ? ` (note: “${action.body.note}”)` : "";
        li.textContent = `${what}${note}: ${action.error}`;
        return li;
      })
    );
  }

  function retryUnsaved() {
    const unsaved = read(localStorage, unsavedKey).map(({ kind, body }) => ({ kind, body }));
    write(localStorage, unsavedKey, []);
    write(localStorage, outboxKey, [...read(localStorage, outboxKey), ...unsaved]);
    showUnsaved();
    showProgress();
    flush();
  }

  function dismissUnsaved() {
    write(localStorage, unsavedKey, []);
    showUnsaved();
  }

  function showRecent() {
    $("recent").replaceChildren(
      ...recent.slice(0, RECENT).map((entry) => {
        const li = document.createElement("li");
        const chip = document.createElement("span");
        const category = byLabel.get(entry.label);
        chip.className = `chip-label group-${category.group}`;
        chip.textContent = category.name;
        const text = document.createElement("span");
        text.className = "recent-text";
        text.textContent = entry.text;
        li.append(chip, text);
        return li;
      })
    );
    $("recent-title").parentElement.hidden = recent.length === 0;
  }

  let flashTimer = null;
  function say(message, isError) {
    const node = $("flash");
    node.textContent = message;
    node.classList.toggle("flash-error", Boolean(isError));
    clearTimeout(flashTimer);
    flashTimer = setTimeout(() => (node.textContent = ""), 4000);
  }

  function press(selector) {
    const button = document.querySelector(selector);
    if (!button) return;
    button.classList.add("pressed");
    setTimeout(() => button.classList.remove("pressed"), 160);
  }

  // --- acting --------------------------------------------------------------------------------
  function label(value) {
    press(`.label-button[data-label="${value}"]`);
    if (kindOf(current) === "paper") {
      enqueue("paper", { paper: current.paper, label: value });
      say(`Primary category: ${byLabel.get(value).name}.`);
      advance();
      return;
    }
    const card = current;
    const history = read(sessionStorage, historyKey);
    history.push({ card, label: value });
    write(sessionStorage, historyKey, history.slice(-50));
    enqueue("label", { assignment: card.assignment, label: value, note: card.note || "" });
    session.labels += 1;
    session.byLabel[value] = (session.byLabel[value] || 0) + 1;
    recent = [{ assignment: card.assignment, label: value, text: textOf(card) }, ...recent.filter((r) => r.assignment !== card.assignment)];
    showRecent();
    say(`${byLabel.get(value).name}. Press u to undo.`);
    if (card.closes_paper && navigator.onLine) {
      holding = card.assignment;
      current = null;
      render();
      setTimeout(() => holding === card.assignment && release(), HOLD_MS);
      return;
    }
    advance();
  }

  function textOf(card) {
    const div = document.createElement("div");
    div.innerHTML = card.sentence;
    return div.textContent;
  }

  function undo() {
    press('[data-action="undo"]');
    const history = read(sessionStorage, historyKey);
    const last = history.pop();
    write(sessionStorage, historyKey, history);
    holding = null;
    if (current && kindOf(current) !== "summary") queue.unshift(current);
    if (last) {
      enqueue("undo", { assignment: last.card.assignment });
      session.labels = Math.max(0, session.labels - 1);
      session.byLabel[last.label] = Math.max(0, (session.byLabel[last.label] || 1) - 1);
      recent = recent.filter((r) => r.assignment !== last.card.assignment);
      showRecent();
      // A paper step asked because of this label is asked again after the new one.
      queue = queue.filter((c) => c.type !== "paper" || c.paper !== last.card.paper.id);
      show({ ...last.card, skipped: false });
      say(`Took back “${byLabel.get(last.label).name}”.`);
    } else {
      enqueue("undo", {});
      current = null;
      render();
      say("Taking back your latest label…");
    }
  }

  function skip() {
    if (kindOf(current) !== "card") return;
    press('[data-action="skip"]');
    enqueue("skip", { assignment: current.assignment });
    say("Skipped: it comes back at the end.");
    advance();
  }

  function openNote() {
    if (kindOf(current) !== "card") return;
    $("note-box").hidden = false;
    $("note-shown").hidden = true;
    $("note").value = current.note || "";
    $("note").focus();
  }

  function closeNote(keep) {
    if (keep) current.note = $("note").value.trim();
    $("note-box").hidden = true;
    render();
    document.activeElement.blur();
  }

  function toggleKeys() {
    const dialog = $("keys");
    if (dialog.open) dialog.close();
    else dialog.showModal();
  }

  document.addEventListener("keydown", (event) => {
    if (event.target.id === "note") {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        closeNote(true);
      } else if (event.key === "Escape") {
        event.preventDefault();
        closeNote(false);
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || event.target.matches("input, textarea, select")) return;
    if (event.key === "?") {
      event.preventDefault();
      toggleKeys();
      return;
    }
    if ($("keys").open) return;
    const kind = kindOf(current);
    const category = byKey.get(event.key);
    if (category && (kind === "card" || kind === "paper")) {
      event.preventDefault();
      label(category.label);
    } else if (event.key === "Enter" && kind === "paper") {
      event.preventDefault();
      label(current.default);
    } else if (event.key === "u") {
      event.preventDefault();
      undo();
    } else if (event.key === "s" && kind === "card") {
      event.preventDefault();
      skip();
    } else if (event.key === "n" && kind === "card") {
      event.preventDefault();
      openNote();
    }
  });

  document.querySelectorAll(".label-button").forEach((button) =>
    button.addEventListener("click", () => {
      const kind = kindOf(current);
      if (kind === "card" || kind === "paper") label(button.dataset.label);
    })
  );
  document.querySelector('[data-action="undo"]').addEventListener("click", undo);
  document.querySelector('[data-action="skip"]').addEventListener("click", () => current && skip());
  document.querySelector('[data-action="note"]').addEventListener("click", () => current && openNote());
  $("show-keys").addEventListener("click", toggleKeys);
  $("unsaved-retry").addEventListener("click", retryUnsaved);
  $("unsaved-dismiss").addEventListener("click", dismissUnsaved);
  window.addEventListener("online", flush);

  queue = start.papers.map((step) => ({ type: "paper", ...step }));
  showRecent();
  showUnsaved();
  showProgress();
  render();
  // Whatever a reload interrupted is sent first, so the queue fetched next already knows it.
  flush();
})();
