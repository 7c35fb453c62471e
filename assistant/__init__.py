"""From a question to an answer that cites the plans — or says they don't say."""

from assistant.core import Assistant
from assistant.models import Answer, Citation

__all__ = ["Answer", "Assistant", "Citation"]
