// The plan viewer (runs as the gr.HTML component's js_on_load: `element`, `props`,
// `trigger` and `watch` come from Gradio). Source links live in chat bubbles, which
// Gradio sanitises, so one document-level listener picks them up by their href.
let opener = null;
document.addEventListener("click", (ev) => {
  const link = ev.target.closest && ev.target.closest("a.fa-open");
  if (!link) return;
  ev.preventDefault();
  ev.stopPropagation();
  opener = link;
  trigger("select", { href: link.getAttribute("href") });
}, true);

function close() {
  props.value = "";
  if (opener && document.contains(opener)) opener.focus();
}

const overlay = () => window.matchMedia("(max-width: 900px)").matches;

element.addEventListener("click", (ev) => {
  if (ev.target.closest(".fa-viewer-close")) close();
});
element.addEventListener("keydown", (ev) => {
  if (ev.key === "Escape") return close();
  if (ev.key !== "Tab" || !overlay()) return;
  // On a phone the viewer covers the page: keep Tab inside it.
  const stops = [...element.querySelectorAll("button, a[href], [tabindex='0']")];
  if (!stops.length) return;
  const first = stops[0], last = stops[stops.length - 1];
  if (ev.shiftKey && document.activeElement === first) { ev.preventDefault(); last.focus(); }
  else if (!ev.shiftKey && document.activeElement === last) { ev.preventDefault(); first.focus(); }
});

watch("value", () => {
  const heading = element.querySelector("#fa-viewer-title");
  const box = element.querySelector(".fa-viewer-text");
  const mark = element.querySelector("#fa-focus");
  if (overlay()) {
    // On a phone the whole viewer scrolls (it covers the screen): bring the quote up in it.
    const sheet = element.querySelector(".fa-viewer");
    if (sheet && mark) sheet.scrollTop = Math.max(0, mark.getBoundingClientRect().top - sheet.getBoundingClientRect().top + sheet.scrollTop - sheet.clientHeight / 3);
  } else {
    if (box && mark) box.scrollTop = Math.max(0, mark.offsetTop - box.offsetTop - box.clientHeight / 3);
    element.scrollIntoView({ block: "nearest" });
  }
  if (heading) heading.focus({ preventScroll: true });
  else if (props.value) element.querySelector(".fa-viewer-close")?.focus();
});
