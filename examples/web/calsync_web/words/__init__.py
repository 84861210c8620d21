"""The words of the pages, one catalogue per language in this package (fr.py; add en.py
with the same keys for English and set CALSYNC_WEB_LANGUAGE=en).

A page asks for a word by its key, with the values it needs: w("synced", added=2).
A key missing from a catalogue is a KeyError at once, never an English fallback.
Sentences that come from calsync itself (the health check's reasons and actions, a
sync's last error) are shown as calsync wrote them.
"""
from __future__ import annotations

import importlib
import re
from typing import Any


class Words:
    def __init__(self, language: str):
        if not re.fullmatch(r"[a-z]{2}", language):
            raise ValueError(f"language: expected two lowercase letters, got {language!r}")
        catalogue = importlib.import_module(f"{__name__}.{language}")
        self.language = language
        self._words: dict[str, Any] = catalogue.WORDS

    def __call__(self, key: str, **values: Any) -> str:
        text = self._words[key]
        return text.format(**values) if values else text

    def list(self, key: str) -> list[str]:
        """A list of words (the days of the week, the services offered)."""
        return list(self._words[key])
