"""Check a QA set against the plans it quotes: ``python -m evals.check_qa FILE [--corpus DIR]``.

Every gold snippet must stand verbatim (whitespace folded) in its gold document, and every
``must_include`` group of an answerable question must have an alternative that stands in one of
its gold documents (case-folded), so an answer that quotes the plans can contain it. Pointer
groups of unanswerable questions must stand in their ``pointer_doc``. Prints one line a problem
and exits 1 when there is any.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

PERSONAS = {"staff", "parent", "other"}
LANGS = {"nn", "nb", "en"}


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _docs(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _groups_ok(groups: list[list[str]], texts: list[str]) -> list[str]:
    """The groups none of whose alternatives stands in any of the texts."""
    folded = [_fold(t).casefold() for t in texts]
    return [" | ".join(g) for g in groups if not any(_fold(a).casefold() in t for a in g for t in folded)]


def problems(items: list[dict[str, Any]], corpus: Path) -> list[str]:
    """Every schema or verbatim problem in the items, as readable lines."""
    out: list[str] = []
    seen: set[str] = set()
    text_of: dict[str, str] = {}

    def text(doc: str) -> str | None:
        if doc not in text_of:
            path = corpus / f"{doc}.txt"
            text_of[doc] = path.read_text(encoding="utf-8") if path.is_file() else ""
        return text_of[doc] or None

    for n, item in enumerate(items, 1):
        where = f"line {n} ({item.get('id')})"
        for key in ("id", "question", "answerable", "lang", "persona"):
            if key not in item:
                out.append(f"{where}: missing {key}")
        if item.get("id") in seen:
            out.append(f"{where}: duplicate id")
        seen.add(item.get("id"))
        if item.get("lang") not in LANGS:
            out.append(f"{where}: lang must be one of {sorted(LANGS)}")
        if item.get("persona") not in PERSONAS:
            out.append(f"{where}: persona must be one of {sorted(PERSONAS)}")
        history = item.get("history", [])
        if not isinstance(history, list) or not all(isinstance(h, str) for h in history):
            # the runner asks each earlier question in turn; chat messages ({"role": …}) are not questions
            out.append(f"{where}: history must be a list of earlier questions (strings)")
        for key in ("must_include", "pointer"):  # a flat list of strings would be read letter by letter and always pass
            groups = item.get(key) or []
            if not isinstance(groups, list) or not all(isinstance(g, list) and g and all(isinstance(a, str) for a in g) for g in groups):
                out.append(f"{where}: {key} must be a list of groups, each a list of alternative strings (e.g. [[\"helsestasjon\"]])")
        golds = _docs(item.get("gold_doc"))
        texts = []
        for doc in golds:
            t = text(doc)
            if t is None:
                out.append(f"{where}: no document {doc!r} in {corpus}")
            else:
                texts.append(t)
        if item.get("answerable"):
            if not golds:
                out.append(f"{where}: an answerable question needs gold_doc")
            if not item.get("must_include"):
                out.append(f"{where}: an answerable question needs must_include")
            snippet = item.get("gold_snippet")
            if snippet and texts and not any(_fold(snippet) in _fold(t) for t in texts):
                out.append(f"{where}: gold_snippet is not verbatim in {golds}: {snippet[:80]!r}")
            for miss in _groups_ok(item.get("must_include") or [], texts) if texts else []:
                out.append(f"{where}: no alternative of must_include group [{miss}] stands in {golds}")
        else:
            if item.get("must_include"):
                out.append(f"{where}: an unanswerable question keeps its pointer in 'pointer', not must_include")
            pointer_docs = _docs(item.get("pointer_doc"))
            if item.get("pointer") and not pointer_docs:
                out.append(f"{where}: a pointer needs pointer_doc")
            ptexts = [t for t in (text(d) for d in pointer_docs) if t]
            for miss in _groups_ok(item.get("pointer") or [], ptexts) if ptexts else []:
                out.append(f"{where}: no alternative of pointer group [{miss}] stands in {pointer_docs}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.check_qa")
    parser.add_argument("qa", type=Path, nargs="+")
    parser.add_argument("--corpus", type=Path, default=Path("corpus"))
    args = parser.parse_args(argv)
    bad = 0
    for path in args.qa:
        items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        found = problems(items, args.corpus)
        for line in found:
            print(f"{path}: {line}")
        bad += len(found)
        print(f"{path}: {len(items)} questions, {len(found)} problems", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
