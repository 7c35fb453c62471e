"""``python -m assistant ask``: the README's example answers are what the command prints today."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from assistant.__main__ import plain_text

README = Path(__file__).resolve().parents[2] / "README.md"
COMMAND = "$ .venv/bin/python -m assistant ask "


def readme_examples() -> list[tuple[list[str], str]]:
    """Each ```text block of the README that opens with the ask command: (its arguments, the output shown)."""
    found = []
    for block in re.findall(r"```text\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL):
        first, _, shown = block.partition("\n")
        if first.startswith(COMMAND):
            found.append((shlex.split(first[len(COMMAND) :]), shown.rstrip("\n")))
    return found


def test_the_readme_shows_examples_of_the_command():
    assert len(readme_examples()) >= 2


@pytest.mark.slow
@pytest.mark.parametrize(("args", "shown"), readme_examples(), ids=lambda v: v[0] if isinstance(v, list) else "")
def test_the_readme_examples_print_what_the_command_prints(real_assistant, args, shown):
    question, options = args[0], dict(zip(args[1::2], args[2::2]))
    answer = real_assistant.ask(question, history=[options["--history"]] if "--history" in options else [],
                                municipality=options.get("--municipality"))
    assert plain_text(answer) == shown
