"""The types ``Assistant.ask`` accepts, checked at the boundary with a message that says what was wrong.

Odd *content* (empty, huge, hostile text) gets a friendly answer; a wrong
*type* (``municipality=123``, ``history=5``) is a caller's bug and is refused
here, before it can surface as an AttributeError deep inside.
"""

from __future__ import annotations

from typing import Any


class AskArgumentError(TypeError, ValueError):
    """An argument of ``Assistant.ask`` has the wrong type; catch it as TypeError or ValueError."""


def check_ask_arguments(question: Any, history: Any, municipality: Any, language: Any) -> None:
    """Raise AskArgumentError naming the first argument that is not what ``ask`` takes."""
    if not isinstance(question, str):
        raise AskArgumentError(f"question must be a str, not {type(question).__name__}")
    if history is not None and not isinstance(history, (list, tuple)):
        raise AskArgumentError(
            f"history must be a list of earlier turns (strings, {{'role', 'content'}} dicts or (user, bot) pairs), not {type(history).__name__}"
        )
    for name, value in (("municipality", municipality), ("language", language)):
        if value is not None and not isinstance(value, str):
            raise AskArgumentError(f"{name} must be a str or None, not {type(value).__name__} ({value!r:.40})")
