() => {
  // The page script: the pieces Gradio has no setting for. Everything else is Gradio's own.
  // __FA_LABELS__ is replaced by app.py with {lang: {conversation_label, ...}}.
  const LABELS = __FA_LABELS__;

  // Switch Gradio's own i18n (its built-in strings and our labels) and <html lang>.
  // Gradio exports changeLocale from its core module; we import that same module instance.
  window.faSetLocale = async (lang) => {
    try {
      const url = performance.getEntriesByType("resource").map((e) => e.name)
        .find((n) => /\/assets\/core-[\w-]+\.js(\?|$)/.test(n));
      if (url) {
        const core = await import(url);
        if (core.changeLocale) core.changeLocale(lang);
      }
    } catch (e) {
      console.warn("could not switch Gradio's locale", e);
    }
    document.documentElement.lang = lang;
    window.faLang = lang;
    labelRegions();
  };

  const label = (key) => (LABELS[window.faLang || document.documentElement.lang] || LABELS.nn)[key];

  // Name the chat log, announce warnings and status politely, and drop Gradio's
  // "bot's message: <html source>" aria-labels so screen readers read the bubble itself.
  function labelRegions() {
    const log = document.querySelector("#chatbot [role=log]");
    if (log) log.setAttribute("aria-label", label("conversation_label"));
    for (const id of ["pii-warning", "feedback-status"]) {
      const el = document.getElementById(id);
      if (el && !el.hasAttribute("role")) {
        el.setAttribute("role", "status");
        el.setAttribute("aria-live", "polite");
      }
    }
    document.querySelectorAll("#chatbot [data-testid=bot][aria-label], #chatbot [data-testid=user][aria-label], #chatbot .example[aria-label]")
      .forEach((el) => el.removeAttribute("aria-label"));
    // Gradio marks the example buttons up as a list without list items.
    document.querySelectorAll("#chatbot .examples[role=list]").forEach((el) => {
      el.setAttribute("role", "group");
      el.setAttribute("aria-label", label("examples_label"));
    });
  }

  // [n] chips: open the answer's own source card n and move to it.
  document.addEventListener("click", (ev) => {
    const chip = ev.target.closest && ev.target.closest("a.fa-chip");
    if (!chip) return;
    const card = document.getElementById(chip.getAttribute("href").slice(1));
    if (!card) return;
    ev.preventDefault();
    ev.stopPropagation();
    card.open = true;
    card.scrollIntoView({ block: "center" });
    const summary = card.querySelector("summary");
    if (summary) summary.focus({ preventScroll: true });
  }, true);

  // A new question: bring its start (not the end of a long answer) into view. The page
  // grows as the answer streams in, so keep trying until the question reaches the top
  // or the answer is complete; stop at once if the person scrolls themselves.
  let turns = 0, pending = null, until = 0;
  const settle = () => {
    if (!pending || Date.now() > until || !document.contains(pending)) { pending = null; return; }
    pending.scrollIntoView({ block: "start" });
    const done = document.querySelector("#chatbot .message-row:last-child .fa-sources, #chatbot .message-row:last-child .fa-refusal");
    if (Math.abs(pending.getBoundingClientRect().top) < 4 || done) pending = done ? null : pending;
  };
  ["wheel", "touchmove", "keydown"].forEach((type) => window.addEventListener(type, () => { pending = null; }, { passive: true }));
  const observer = new MutationObserver(() => {
    labelRegions();
    const rows = document.querySelectorAll("#chatbot .message-row.user-row");
    if (rows.length > turns) { pending = rows[rows.length - 1]; until = Date.now() + 4000; }
    turns = rows.length;
    settle();
  });
  const start = () => {
    const chat = document.getElementById("chatbot");
    if (!chat) return setTimeout(start, 100);
    observer.observe(chat, { childList: true, subtree: true });
    labelRegions();
  };
  start();
}
