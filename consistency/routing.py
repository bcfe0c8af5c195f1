"""Routing: which approved answer a free-text reply addresses, or none.

A reply that names no ``answer`` id is matched against every answer's questions,
its canonical text and its keywords, all normalized and final-folded. The fuzzy
score is a blend of rapidfuzz's ``token_set_ratio`` and ``partial_ratio``; a
keyword found as a word (Hebrew prefix letters allowed: "לביטול", "והחזר") adds to
it. Below the threshold (0.5: a keyword and a fair likeness, or a near copy of a
question), or when two answers score within the margin of each
other, the reply stays unrouted: it is counted, never guessed.

Similarity only routes. Whether a reply agrees with its answer is decided on the
facts in it, never on this score.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from .text.mentions import name_key

DEFAULT_THRESHOLD = 0.5
DEFAULT_MARGIN = 0.1
FUZZY_WEIGHT = 0.6  # the rest of the score is 1 when a keyword is found, else 0
ROUTE_CACHE = 4096  # texts whose routing is remembered (cleared when full)
_TEMPLATE_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Topic:
    """What routing knows of one answer: its texts to compare and its keyword patterns."""

    answer: str
    texts: tuple[str, ...]
    keywords: tuple[re.Pattern[str], ...]


class Router:
    """Matches a reply to the approved answer it addresses, by questions and keywords."""

    def __init__(
        self, answer_book, threshold: float = DEFAULT_THRESHOLD, margin: float = DEFAULT_MARGIN
    ):
        self.threshold = threshold
        self.margin = margin
        self.topics = [_topic(answer) for answer in answer_book.answers.values()]
        self._routed: dict[str, tuple[str | None, float]] = {}

    def route(self, text: str) -> tuple[str | None, float]:
        """(answer id, confidence in [0, 1]); the id is None when no answer is clearly meant.

        Remembered per text for the last few thousand: scripted bots repeat themselves.
        """
        cached = self._routed.get(text)
        if cached is None:
            if len(self._routed) >= ROUTE_CACHE:
                self._routed.clear()
            cached = self._routed[text] = self._route(text)
        return cached

    def _route(self, text: str) -> tuple[str | None, float]:
        key = name_key(text or "")
        if not key or not self.topics:
            return None, 0.0
        scores = sorted(
            ((self.score(topic, key), topic.answer) for topic in self.topics), reverse=True
        )
        best, answer = scores[0]
        runner_up = scores[1][0] if len(scores) > 1 else 0.0
        if best < self.threshold or best - runner_up < self.margin:
            return None, best
        return answer, best

    def scores(self, text: str) -> dict[str, float]:
        """Every answer's score for ``text``, for explaining a routing decision."""
        key = name_key(text or "")
        return {topic.answer: self.score(topic, key) for topic in self.topics}

    @staticmethod
    def score(topic: Topic, key: str) -> float:
        fuzzy = max((similarity(key, text) for text in topic.texts), default=0.0)
        keyword = any(pattern.search(key) for pattern in topic.keywords)
        return FUZZY_WEIGHT * fuzzy + (1 - FUZZY_WEIGHT) * keyword


def similarity(reply: str, text: str) -> float:
    """How alike two normalized texts are, in [0, 1].

    >>> similarity("what does it cost to cancel", "what does it cost to cancel?") > 0.95
    True
    >>> similarity("מה שעות הפעילות", "what does it cost to cancel") < 0.3
    True
    """
    if not _WORD.search(reply) or not _WORD.search(text):
        return 0.0
    blend = 0.5 * fuzz.token_set_ratio(reply, text) + 0.5 * fuzz.partial_ratio(reply, text)
    return blend / 100


def keyword_pattern(keyword: str) -> re.Pattern[str]:
    """A keyword as a word on normalized, final-folded text.

    Hebrew prefix letters may precede it; an English keyword may take a suffix
    ("cancel" finds "cancellation").

    >>> bool(keyword_pattern("ביטול").search(name_key("ולביטול המנוי")))
    True
    >>> bool(keyword_pattern("cancel").search("cancellation")), bool(keyword_pattern("ביטול").search("ביטולית"))
    (True, False)
    """
    key = name_key(keyword)
    words = re.escape(key).replace(r"\ ", r"\s+")
    suffix = r"[a-z]*" if key[-1:].isascii() else ""
    return re.compile(
        rf"""
        (?<![\w])                 # a word starts here
        (?:[ובלמשהכ]{{1,2}}-?)?   # up to two Hebrew prefix letters, maybe a hyphen
        {words}{suffix}           # the keyword (an English one may take a suffix)
        (?![\w])                  # and the word ends
        """,
        re.VERBOSE,
    )


def _topic(answer) -> Topic:
    canonical = _TEMPLATE_TAG.sub(" ", answer.source)
    texts = [name_key(q) for q in (*answer.questions, canonical)]
    return Topic(
        answer=answer.id,
        texts=tuple(t for t in texts if t),
        keywords=tuple(keyword_pattern(k) for k in answer.keywords if name_key(k)),
    )
