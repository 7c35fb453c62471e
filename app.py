"""Gradio chat for staff and parents. Wires the UI; the handlers live in assistant/chat.py.

    python app.py            # http://127.0.0.1:7860 (FA_HOST / FA_PORT / FA_AUTH to change)

The API exposes ``/ask`` for other systems (see README, "Calling the API"). The page's
words are in assistant/ui_strings.toml, its styles and script in assistant/web/.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from collections.abc import Awaitable, Callable
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import gradio as gr  # noqa: E402

from assistant import Assistant  # noqa: E402
from assistant import chat  # noqa: E402
from assistant.feedback import FeedbackStore  # noqa: E402
from assistant.limits import LoginThrottle, RateLimiter, parse_auth  # noqa: E402
from assistant.startup import open_assistant  # noqa: E402
from assistant.ui_strings import LANGUAGES, gradio_translations, strings  # noqa: E402
from ingest.settings import Settings, load_settings  # noqa: E402

log = logging.getLogger("app")
WEB = Path(__file__).resolve().parent / "assistant" / "web"
LANGUAGE_CHOICES = [("Nynorsk", "nn"), ("Bokmål", "nb"), ("English", "en")]
I18N = gr.I18n(**gradio_translations())
SET_LOCALE = "async (lang) => { if (window.faSetLocale) await window.faSetLocale(lang); return lang; }"


def page_css() -> str:
    return (WEB / "app.css").read_text(encoding="utf-8")


def page_head() -> str:
    """Unscoped rules for the page around the app (see assistant/web/page.css)."""
    return "<style>" + (WEB / "page.css").read_text(encoding="utf-8") + "</style>"


def page_js() -> str:
    """The page script with the few labels it needs (JSON, one entry per language)."""
    labels = {lang: {key: strings()[lang][key] for key in ("conversation_label", "examples_label")} for lang in LANGUAGES}
    return (WEB / "app.js").read_text(encoding="utf-8").replace("__FA_LABELS__", json.dumps(labels, ensure_ascii=False))


def build_ui(assistant: Any, store: FeedbackStore, settings: Settings | None = None) -> gr.Blocks:
    """The Blocks app for one loaded Assistant and one feedback store."""
    settings = settings or Settings()
    ask_limit = RateLimiter(settings.ask_per_minute)
    feedback_limit = RateLimiter(settings.feedback_per_minute)
    lang0 = "nn"
    with gr.Blocks(title="Forebyggingsassistenten") as demo:
        session = gr.State(chat.ChatSession())
        with gr.Column(elem_id="fa-header", min_width=0):
            gr.Markdown(I18N("title"))
            gr.Markdown(I18N("intro"))
            language = gr.Radio(LANGUAGE_CHOICES, value=lang0, label=I18N("language_label"), elem_id="language")
            gr.Markdown(I18N("privacy_notice"), elem_id="privacy-notice")
        with gr.Row(elem_id="fa-main", equal_height=False):
            with gr.Column(scale=3, elem_id="fa-chat-col", min_width=0):
                with gr.Row(elem_id="fa-chat-tools", equal_height=True):
                    municipality = gr.Dropdown(
                        chat.municipality_choices(assistant, lang0), value=chat.ALL, label=I18N("municipality_label"),
                        elem_id="municipality", scale=3, min_width=200,
                    )
                    new_chat = gr.Button(I18N("new_chat"), elem_id="new-chat", variant="secondary", scale=1, min_width=110)
                chatbot = gr.Chatbot(
                    show_label=False, elem_id="chatbot", height=None, autoscroll=False, buttons=["copy"], latex_delimiters=[],
                    feedback_options=("Like", "Dislike"), examples=chat.example_messages(lang0), sanitize_html=True, layout="bubble",
                )
                with gr.Group(visible=False, elem_id="comment-panel") as panel:
                    comment = gr.Textbox(label=I18N("comment_send"), elem_id="feedback-comment", lines=2, max_lines=5, max_length=1000)
                    with gr.Row():
                        send_comment = gr.Button(I18N("comment_send"), elem_id="send-comment", variant="primary")
                        skip_comment = gr.Button(I18N("comment_skip"), elem_id="skip-comment", variant="secondary")
                status = gr.HTML("", elem_id="feedback-status")
                with gr.Column(elem_id="composer", min_width=0):
                    warning = gr.HTML("", elem_id="pii-warning")
                    with gr.Row(equal_height=True):
                        question = gr.Textbox(
                            label=I18N("question_label"), placeholder=I18N("question_placeholder"), elem_id="question",
                            lines=1, max_lines=6, max_length=settings.max_question_chars, scale=5, submit_btn=False,
                        )
                        send = gr.Button(I18N("send"), variant="primary", scale=1, min_width=80, elem_id="send")
            with gr.Column(scale=2, elem_id="fa-viewer-col", min_width=0):
                viewer = gr.HTML("", elem_id="plan-viewer", js_on_load=(WEB / "viewer.js").read_text(encoding="utf-8"))

        answer_out = [chatbot, session, question, warning, panel, status]

        def on_ask(message: str, state: chat.ChatSession, muni: str, lang: str, request: gr.Request):
            yield from chat.respond(assistant, ask_limit, message, state, muni, lang, request)

        def on_example(state: chat.ChatSession, muni: str, lang: str, evt: gr.SelectData, request: gr.Request):
            value = evt.value.get("text", "") if isinstance(evt.value, dict) else str(evt.value or "")
            yield from chat.respond(assistant, ask_limit, value, state, muni, lang, request)

        def on_option(state: chat.ChatSession, muni: str, lang: str, evt: gr.SelectData, request: gr.Request):
            yield from chat.respond(assistant, ask_limit, str(evt.value or ""), state, muni, lang, request)

        def on_like(state: chat.ChatSession, lang: str, evt: gr.LikeData, request: gr.Request):
            return chat.rate(store, feedback_limit, state, lang, evt.index, evt.liked, request)

        def on_comment(state: chat.ChatSession, text: str, lang: str, request: gr.Request):
            return chat.send_comment(store, feedback_limit, state, text, lang, request)

        def on_open(state: chat.ChatSession, lang: str, evt: gr.EventData):
            return chat.open_plan(assistant, state, lang, getattr(evt, "_data", {}).get("href"))

        def on_load(request: gr.Request) -> str:
            return chat.initial_language(request)

        def on_language(state: chat.ChatSession, lang: str):
            yield from chat.set_language(assistant, state, lang)

        private: dict[str, Any] = {"api_visibility": "private"}
        ask_inputs = [question, session, municipality, language]
        question.submit(on_ask, ask_inputs, answer_out, **private)
        send.click(on_ask, ask_inputs, answer_out, **private)
        chatbot.example_select(on_example, [session, municipality, language], answer_out, **private)
        chatbot.option_select(on_option, [session, municipality, language], answer_out, **private)
        question.input(lambda text, lang: chat.pii_warning(text, lang), [question, language], warning,
                       show_progress="hidden", trigger_mode="always_last", queue=False, **private)
        reset_out = [chatbot, session, panel, status, viewer]
        new_chat.click(chat.reset, [language], reset_out, **private)
        chatbot.clear(chat.reset, [language], reset_out, **private)
        chatbot.like(on_like, [session, language], [session, status, panel, comment], **private)
        comment_out = [session, status, panel, comment]
        send_comment.click(on_comment, [session, comment, language], comment_out, **private)
        comment.submit(on_comment, [session, comment, language], comment_out, **private)
        skip_comment.click(chat.skip_comment, [session], comment_out, **private)
        viewer.select(on_open, [session, language], viewer, show_progress="hidden", **private)
        language_out = [chatbot, municipality, panel, warning, status, viewer]
        language.input(None, [language], None, js=SET_LOCALE, **private, show_progress="hidden")
        quiet: dict[str, Any] = {**private, "show_progress": "hidden"}
        language.input(on_language, [session, language], language_out, **quiet)
        demo.load(on_load, None, language, **quiet).then(
            None, [language], None, js=SET_LOCALE, **quiet
        ).then(on_language, [session, language], language_out, **quiet)

        def ask(question: str, municipality: str = "Alle", history: list[str] | None = None, request: gr.Request = None) -> dict[str, Any]:
            """Answer a question from the plans. Returns the Answer as JSON (text, abstained, language, citations)."""
            return chat.api_answer(assistant, ask_limit, question, municipality, history, request)

        gr.api(ask, api_name="ask")
    return demo


def ensure_index(settings: Settings) -> None:
    """Build the index on first start, with a progress bar in the console."""
    from ingest.stores import make_store

    if make_store(settings).current_build_id():
        return
    from tqdm import tqdm

    from assistant.bm25_cache import preparer
    from ingest.pipeline import run_ingest

    print("No index yet: building it from", settings.corpus_dir, file=sys.stderr)
    bars: dict[str, Any] = {}

    def progress(stage: str, done: int, total: int) -> None:
        bar = bars.setdefault(stage, tqdm(total=total, desc=stage, file=sys.stderr))
        bar.n = done
        bar.refresh()

    report = run_ingest(settings, progress=progress, prepare=preparer(settings.index_dir))
    for bar in bars.values():
        bar.close()
    print(report.summary(), file=sys.stderr)


def auth_pair(settings: Settings) -> tuple[str, str] | None:
    """FA_AUTH as (user, password), None when unset; raises ValueError when malformed."""
    return parse_auth(settings.auth)


def make_auth(settings: Settings) -> Callable[[str, str], Awaitable[bool]] | None:
    """Gradio's login check (an ``async def``, so Gradio awaits it): the configured pair,
    slowed down after repeated failures."""
    pair = auth_pair(settings)
    if pair is None:
        return None
    return LoginThrottle(*pair, free_failures=settings.login_free_failures, max_delay_s=settings.login_max_delay_s).check


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
    try:
        auth = make_auth(settings)
    except ValueError as exc:
        sys.exit(f"error: {exc}")
    assistant = open_assistant(settings, prepare=ensure_index)  # starts and says so when the index is unusable
    store = FeedbackStore(settings.feedback_db)
    if bind_warning(settings):
        print(bind_warning(settings), file=sys.stderr)
    demo = build_ui(assistant, store, settings)
    demo.queue(default_concurrency_limit=settings.ask_concurrency, max_size=settings.ask_queue)
    demo.launch(
        server_name=settings.host, server_port=settings.port, auth=auth, css=page_css(), js=page_js(), head=page_head(), show_error=False,
        footer_links=["api"], theme=gr.themes.Soft(), i18n=I18N,
    )


if __name__ == "__main__":
    main()
