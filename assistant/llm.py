"""The optional LLM: llama-index LLM backends, and the assistant's call into cited synthesis.

``none`` (default) uses no LLM. ``openai`` is llama-index's ``OpenAILike`` against any
OpenAI-compatible server (Ollama, vLLM, llama.cpp server); ``llamacpp`` is a local GGUF through
llama-cpp-python (optional extra) behind llama-index's ``CustomLLM`` interface. Either way the
assistant talks to a llama-index ``LLM`` and answers through :func:`assistant.llamaindex.cite_with_llm`,
the same prompt and guard as :class:`assistant.llamaindex.PlanQueryEngine`: the LLM sees numbered
passages and must cite them with [n] markers in the asker's standard; markers that point nowhere
are dropped, and a reply with no valid citation (or an LLM error) falls back to the extractive
answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from llama_index.core.bridge.pydantic import PrivateAttr
from llama_index.core.llms import LLM, ChatMessage, ChatResponse, CompletionResponse, CompletionResponseGen, CustomLLM, LLMMetadata, MessageRole
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.schema import NodeWithScore

from assistant.llamaindex import CitedReply, cite_with_llm, hit_node, node_citation, renumber_markers
from assistant.models import Answer
from ingest.settings import Settings

if TYPE_CHECKING:
    from assistant.query import Question
    from assistant.retrieval import Hit

# How many of the top hits the LLM sees: enough to answer, few enough for a small local model.
PASSAGES = 5
MAX_TOKENS = 400


class LlamaCppChat(CustomLLM):
    """A local GGUF model through llama-cpp-python, as a llama-index LLM.

    Not llama-index's own ``LlamaCPP``: that one formats chats with a generic
    ``messages_to_prompt`` instead of the model's chat template, and downloads a 13B model
    when no path is given. This calls ``Llama.create_chat_completion``, which applies the
    template stored in the GGUF, and never downloads.
    """

    model_path: str
    context_window: int = 4096
    max_tokens: int = MAX_TOKENS
    temperature: float = 0.0
    _model: Any = PrivateAttr()

    def __init__(self, model_path: str, **kwargs: Any) -> None:
        try:
            from llama_cpp import Llama
        except ImportError as exc:  # optional extra: it compiles for minutes
            raise RuntimeError("the llamacpp backend needs: pip install -e '.[llamacpp]'") from exc
        super().__init__(model_path=model_path, **kwargs)
        self._model = Llama(model_path=model_path, n_ctx=self.context_window, verbose=False)

    @classmethod
    def class_name(cls) -> str:
        return "LlamaCppChat"

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(context_window=self.context_window, num_output=self.max_tokens, is_chat_model=True, model_name=self.model_path)

    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        out = self._model.create_chat_completion(
            messages=[{"role": m.role.value, "content": m.content or ""} for m in messages],
            temperature=self.temperature,
            max_tokens=self.max_tokens,
        )
        content = out["choices"][0]["message"]["content"] or ""
        return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=content), raw=out)

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        reply = self.chat([ChatMessage(role=MessageRole.USER, content=prompt)])
        return CompletionResponse(text=reply.message.content or "", raw=reply.raw)

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        response = self.complete(prompt, formatted=formatted)
        yield CompletionResponse(text=response.text, delta=response.text, raw=response.raw)


def make_llm(settings: Settings) -> LLM | None:
    """The llama-index LLM the settings ask for, or ``None`` for the extractive assistant."""
    if settings.llm_backend == "openai":
        from llama_index.llms.openai_like import OpenAILike

        return OpenAILike(
            model=settings.llm_model, api_base=settings.llm_base_url, api_key=settings.llm_api_key, is_chat_model=True,
            timeout=settings.llm_timeout_s, max_retries=0, temperature=0.0, context_window=8192, max_tokens=MAX_TOKENS,
        )
    if settings.llm_backend == "llamacpp":
        return LlamaCppChat(settings.llm_model_path)
    return None


def answer_with_llm(llm: LLM, question: "Question", hits: list["Hit"], fallback: Answer) -> Answer:
    """The assistant's LLM answer over its top hits, or ``fallback`` (the extractive answer)."""
    nodes = [hit_node(hit) for hit in hits[:PASSAGES]]
    cited = cite_with_llm(llm, question.text, question.language, nodes)
    return fallback if cited is None else cited_answer(cited, question.language, fallback)


def validate_llm_answer(reply: str, nodes: Sequence[NodeWithScore], fallback: Answer, language: str) -> Answer:
    """Renumber valid markers 1..k, drop invalid ones; no valid marker → the fallback."""
    cited = renumber_markers(reply, nodes)
    return fallback if cited is None else cited_answer(cited, language, fallback)


def cited_answer(cited: CitedReply, language: str, fallback: Answer) -> Answer:
    """A checked LLM reply as an :class:`Answer`; each citation quotes its whole passage."""
    citations = [node_citation(n, node) for n, node in enumerate(cited.nodes, 1)]
    return Answer(text=cited.text, abstained=False, language=language, citations=citations, municipality=fallback.municipality)
