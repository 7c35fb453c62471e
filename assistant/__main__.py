"""``python -m assistant ask "…" [--municipality X] [--history "…"]… [--json]``."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from typing import Any


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant")
    sub = parser.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="answer one question from the plans")
    ask.add_argument("question")
    ask.add_argument("--municipality", help="a municipality of the loaded plans (default: the one the question names, else all)")
    ask.add_argument("--history", action="append", default=[], help="an earlier question in this conversation (repeatable, oldest first)")
    ask.add_argument("--json", action="store_true", help="print the Answer as JSON")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    from assistant import Assistant
    from ingest.errors import IndexError_

    try:
        assistant = Assistant.from_settings()
    except IndexError_ as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    answer = assistant.ask(args.question, history=args.history, municipality=args.municipality)
    print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2) if args.json else plain_text(answer))
    return 0


def plain_text(answer: Any) -> str:
    """The answer as the terminal shows it: the text, a privacy notice, then its sources quoted
    (what the README's examples show; tests/assistant/test_main.py checks they still match)."""
    lines = [answer.text]
    if answer.notice:
        lines.append(f"\n⚠ {answer.notice}")
    if answer.citations:
        lines.append("\nKjelder:" if answer.language == "nn" else "\nKilder:")
        lines += [f"[{c.n}] {c.title} ({c.municipality}) – {c.section or '–'}\n    «{c.quote}»" for c in answer.citations]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
