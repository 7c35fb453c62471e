"""Gradio chat for staff and parents. Wires the UI; the logic lives in assistant/chat.py.

    python app.py            # http://127.0.0.1:7860 (FA_HOST / FA_PORT / FA_AUTH to change)

The API exposes ``/ask`` for other systems (see README, "Calling the API").
"""

from __future__ import annotations

import logging
import os
import sys
from functools import partial
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import gradio as gr  # noqa: E402

from assistant import Assistant  # noqa: E402
from assistant import chat  # noqa: E402
from assistant.feedback import FeedbackStore  # noqa: E402
from assistant.startup import open_assistant  # noqa: E402
from ingest.settings import Settings, load_settings  # noqa: E402

log = logging.getLogger("app")

CSS = """
.sources details { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 6px 10px; margin-bottom: 8px; }
.sources .passage { font-size: 0.92em; line-height: 1.45; margin-top: 6px; }
.sources mark { background: #fff3a3; padding: 0 2px; }
.sources-empty { color: var(--body-text-color-subdued); font-style: italic; }
.sources-empty.refusal { color: #8a5a00; }
#pii-warning { color: #a12622; font-weight: 600; }
"""


def build_ui(assistant: Assistant, store: FeedbackStore) -> gr.Blocks:
    """The Blocks app for one loaded Assistant and one feedback store."""
    with gr.Blocks(title="Forebyggingsassistenten") as demo:
        gr.Markdown(
            "# Forebyggingsassistenten\n"
            "Spør om planane for førebyggjande arbeid med barn, unge og familiar i Sogndal, Sandnes og Sør-Aurdal. "
            "Svara siterer planane ordrett med kjelde. / Spør om planene – svarene siterer planene med kilde."
        )
        gr.Markdown(chat.PRIVACY_NOTICE)
        session = gr.State(chat.ChatSession())
        with gr.Row():
            with gr.Column(scale=3):
                municipality = gr.Dropdown(chat.MUNICIPALITY_CHOICES, value="Alle", label="Kommune", elem_id="municipality")
                chatbot = gr.Chatbot(label="Samtale", height=460, elem_id="chatbot", sanitize_html=True, feedback_options=None)
                warning = gr.Markdown("", elem_id="pii-warning")
                with gr.Row():
                    question = gr.Textbox(
                        placeholder="Skriv spørsmålet ditt … / Skriv spørsmålet ditt …", show_label=False, scale=5, elem_id="question", max_lines=6
                    )
                    send = gr.Button("Spør", variant="primary", scale=1, elem_id="send")
                new_chat = gr.Button("Ny samtale", elem_id="new-chat")
                example_buttons = []
                for group, examples in chat.EXAMPLES.items():
                    gr.Markdown(f"**Døme – {group}** (klikk for å spørje)")
                    with gr.Row():
                        for text in examples:
                            example_buttons.append((text, gr.Button(text, size="sm", elem_classes=["example"])))
            with gr.Column(scale=2):
                gr.Markdown("### Kjelder / Kilder")
                sources = gr.HTML(chat.sources_html(None, {}), elem_id="sources")
                gr.Markdown("#### Var svaret nyttig?")
                comment = gr.Textbox(placeholder="Valfri kommentar / Valgfri kommentar", show_label=False, elem_id="feedback-comment")
                with gr.Row():
                    thumbs_up = gr.Button("👍 Nyttig", elem_id="thumbs-up")
                    thumbs_down = gr.Button("👎 Ikkje nyttig", elem_id="thumbs-down")
                thanks = gr.Markdown("", elem_id="feedback-status")

        respond = partial(chat.respond, assistant)
        outputs = [chatbot, sources, session, warning, question]
        question.submit(respond, [question, chatbot, session, municipality], outputs, api_visibility="private")
        send.click(respond, [question, chatbot, session, municipality], outputs, api_visibility="private")
        new_chat.click(chat.reset, None, outputs, api_visibility="private")
        for text, button in example_buttons:
            button.click(partial(chat.respond, assistant, text), [chatbot, session, municipality], outputs, api_visibility="private")
        def rate(rating: str):  # one handler per button; Gradio passes (session, comment)
            return lambda state, text: chat.feedback(store, state, rating, text)

        thumbs_up.click(rate("up"), [session, comment], thanks, api_visibility="private")
        thumbs_down.click(rate("down"), [session, comment], thanks, api_visibility="private")

        def ask(question: str, municipality: str = "Alle", history: list[str] | None = None) -> dict[str, Any]:
            """Answer a question from the plans. Returns the Answer as JSON (text, abstained, language, citations)."""
            return chat.api_answer(assistant, question, municipality, history)

        gr.api(ask, api_name="ask")
    return demo


def ensure_index(settings: Settings) -> None:
    """Build the index on first start, with a progress bar in the console."""
    from ingest.stores import make_store

    if make_store(settings).current_build_id():
        return
    from tqdm import tqdm

    from ingest.pipeline import run_ingest

    print("No index yet: building it from", settings.corpus_dir, file=sys.stderr)
    bars: dict[str, Any] = {}

    def progress(stage: str, done: int, total: int) -> None:
        bar = bars.setdefault(stage, tqdm(total=total, desc=stage, file=sys.stderr))
        bar.n = done
        bar.refresh()

    report = run_ingest(settings, progress=progress)
    for bar in bars.values():
        bar.close()
    print(report.summary(), file=sys.stderr)


def auth_pair(settings: Settings) -> tuple[str, str] | None:
    if not settings.auth:
        return None
    user, _, password = settings.auth.partition(":")
    return (user, password) if user and password else None


def loopback(host: str) -> bool:
    return host in ("127.0.0.1", "localhost", "::1") or host.startswith("127.")


def bind_warning(settings: Settings) -> str:
    """A warning when the app would listen beyond this machine without a password."""
    if loopback(settings.host) or auth_pair(settings):
        return ""
    return f"WARNING: listening on {settings.host} without authentication; anyone on the network can use the app. Set FA_AUTH=user:password."


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "bm25s", "chromadb", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    settings = load_settings()
    assistant = open_assistant(settings, prepare=ensure_index)  # starts and says so when the index is unusable
    store = FeedbackStore(settings.feedback_db)
    auth = auth_pair(settings)
    if bind_warning(settings):
        print(bind_warning(settings), file=sys.stderr)
    demo = build_ui(assistant, store)
    demo.queue(default_concurrency_limit=8)
    demo.launch(
        server_name=settings.host, server_port=settings.port, auth=auth, css=CSS, show_error=False,
        footer_links=["api"], theme=gr.themes.Soft(),
    )


if __name__ == "__main__":
    main()
