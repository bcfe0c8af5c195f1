"""Routing: which approved answer a free-text reply addresses, or none.

A reply that names no ``answer`` id is matched against every answer's questions,
its canonical text and its keywords, all normalized and final-folded. The likeness
of a reply to a text is the cosine of their TF-IDF vectors of character n-grams
(2 to 5 characters, inside words padded with a space: scikit-learn's ``char_wb``
analyzer), fitted on the answers' texts; an answer's likeness is that of its closest
text. A keyword found as a word (Hebrew prefix letters allowed: "לביטול", "והחזר")
adds to it. Below the threshold (0.5: a keyword and a fair likeness, or a near copy
of a question), or when two answers score within the margin of each other (or tie),
the reply stays unrouted: it is counted, never guessed.

Replies are routed in batches (:meth:`Router.route_many`): the n-grams of a whole
batch are looked up with numpy and met with the answers' texts in one sparse product,
so a reply costs some 15 µs of one core, where the former pairwise edit-distance blend
(rapidfuzz's ``token_set_ratio`` and ``partial_ratio``) cost some 400 µs. The former
scorer is kept in tests/test_routing_accuracy.py as the reference the labelled
replies compare against.

Similarity only routes. Whether a reply agrees with its answer is decided on the
facts in it, never on this score.
"""

from __future__ import annotations

import math
import os
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate, islice

from .text.mentions import name_key
from .text.normalize import fold_finals, normalize

# The router does no linear algebra: OpenBLAS's thread pool, started on numpy's import,
# would only reserve memory (it broke runs under a 1 GB address-space limit).
for _pool in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_pool, "1")

import numpy as np  # noqa: E402, I001 - after the thread settings above

DEFAULT_THRESHOLD = 0.5
DEFAULT_MARGIN = 0.1
FUZZY_WEIGHT = 0.6  # the rest of the score is 1 when a keyword is found, else 0
NGRAMS = (2, 5)  # character n-gram lengths, as scikit-learn's ngram_range
ROUTE_CACHE = 4096  # texts whose routing is remembered (cleared when full)
BATCH = 256  # replies vectorized at once: their arrays stay in the CPU's cache
_PREFIX = 3  # a keyword match starts at most this far before its text: two letters, a hyphen
_TEMPLATE_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_WORD = re.compile(r"\w+")
_FINALS = tuple(zip("ךםןףץ", fold_finals("ךםןףץ"), strict=True))
_SEPARATOR = "\x00"  # between replies in one batch string: no word, no space, no keyword

Route = tuple[str | None, float]


@dataclass(frozen=True, slots=True)
class Topic:
    """What routing knows of one answer: its texts to compare and its keywords.

    ``keywords`` pairs each keyword's normalized text with its pattern (see
    :func:`keyword_pattern`); the pattern can only match where the text occurs.
    """

    answer: str
    texts: tuple[str, ...]
    keywords: tuple[tuple[str, re.Pattern[str]], ...]


class Router:
    """Matches a reply to the approved answer it addresses, by questions and keywords."""

    def __init__(
        self, answer_book, threshold: float = DEFAULT_THRESHOLD, margin: float = DEFAULT_MARGIN
    ):
        self.threshold = threshold
        self.margin = margin
        self.topics = [_topic(answer) for answer in answer_book.answers.values()]
        texts = [text for topic in self.topics for text in topic.texts]
        self.grams = CharGrams(texts)
        self._texts = _by_column(self.grams.transform(texts), self.grams.size)
        self._width = len(texts)
        self._compared = [i for i, topic in enumerate(self.topics) if topic.texts]
        sizes = [len(self.topics[i].texts) for i in self._compared]
        self._starts = [0, *accumulate(sizes[:-1])] if sizes else []  # each answer's first text
        self._routed: dict[str, Route] = {}

    def route(self, text: str) -> Route:
        """(answer id, confidence in [0, 1]); the id is None when no answer is clearly meant.

        Remembered per text for the last few thousand: scripted bots repeat themselves.
        """
        return self.route_many([text])[0]

    def route_many(self, texts: Sequence[str]) -> list[Route]:
        """:meth:`route` for each text, in order, vectorized over the batch.

        Each text is routed on its own: the batch changes the cost, never a result.
        A batch of up to ``ROUTE_CACHE`` texts is remembered whole, so routing a batch
        ahead makes each :meth:`route` of its texts a lookup.
        """
        known = self._routed
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        fresh: dict[str, Route] = {}
        for start in range(0, len(missing), BATCH):
            chunk = missing[start : start + BATCH]
            fresh.update(zip(chunk, self._route_batch(chunk), strict=True))
        routes = [fresh[t] if t in fresh else known[t] for t in texts]
        if len(known) + len(fresh) > ROUTE_CACHE:
            known.clear()
            fresh = dict(zip(texts, routes, strict=True))  # this batch stays remembered
        known.update(islice(fresh.items(), ROUTE_CACHE))
        return routes

    def scores(self, text: str) -> dict[str, float]:
        """Every answer's score for ``text``, for explaining a routing decision."""
        row = self._scores(keys([text or ""]))[0]
        return {topic.answer: float(score) for topic, score in zip(self.topics, row, strict=True)}

    def _route_batch(self, texts: list[str]) -> list[Route]:
        found = keys([text or "" for text in texts])
        routes: list[Route] = [(None, 0.0)] * len(found)
        present = [i for i, key in enumerate(found) if key]
        if not present or not self.topics:
            return routes
        scores = self._scores([found[i] for i in present])
        top = scores.argmax(axis=1)
        best = scores.max(axis=1)
        runner_up = np.zeros(len(present))
        if len(self.topics) > 1:
            runner_up = np.partition(scores, -2, axis=1)[:, -2]  # equals best on a tie
        sure = (best >= self.threshold) & (best - runner_up >= self.margin) & (best > runner_up)
        answers = [topic.answer for topic in self.topics]
        for i, ok, topic, score in zip(
            present, sure.tolist(), top.tolist(), best.tolist(), strict=True
        ):
            routes[i] = (answers[topic] if ok else None, score)
        return routes

    def _scores(self, found: list[str]) -> np.ndarray:
        """(replies x answers) scores of normalized, non-empty replies."""
        fuzzy = np.zeros((len(found), len(self.topics)))
        if found and self._starts:
            likeness = np.minimum(self._likeness(self.grams.transform(found)), 1.0)
            fuzzy[:, self._compared] = np.maximum.reduceat(likeness, self._starts, axis=1)
            fuzzy[[not _WORD.search(key) for key in found]] = 0.0  # no word: no likeness
        return FUZZY_WEIGHT * fuzzy + (1 - FUZZY_WEIGHT) * self._keyword_hits(found)

    def _likeness(self, replies: Vectors) -> np.ndarray:
        """(replies x texts) cosines: each reply's n-grams meet the texts holding them."""
        starts, texts, values = self._texts
        begin = starts[replies.columns]
        spans = starts[replies.columns + 1] - begin
        ends = np.cumsum(spans)
        cell = np.repeat(np.arange(len(spans)), spans)  # the reply's cell behind each product
        at = np.arange(ends[-1] if len(ends) else 0) + (begin - ends + spans)[cell]
        products = np.bincount(
            (replies.rows * self._width)[cell] + texts[at],
            weights=replies.values[cell] * values[at],
            minlength=replies.n * self._width,
        )
        return products.reshape(replies.n, self._width)

    def _keyword_hits(self, found: list[str]) -> np.ndarray:
        """(replies x answers) 1.0 where a reply has one of the answer's keywords.

        Each keyword's text is found in the joined batch at C speed; its pattern is
        tried only where the text occurs (the replies are joined by a character no
        pattern matches across), and a reply found is not searched again.
        """
        hits = np.zeros((len(found), len(self.topics)))
        joined = _SEPARATOR.join(found)
        ends = list(accumulate(len(key) + 1 for key in found))  # past each reply's separator
        for column, topic in enumerate(self.topics):
            for literal, pattern in topic.keywords:
                at = joined.find(literal)
                while at >= 0:
                    row = bisect_right(ends, at)
                    if _matches_near(pattern, joined, at):
                        hits[row, column] = 1.0
                        at = ends[row] - 1  # on to the next reply
                    at = joined.find(literal, at + 1)
        return hits


class CharGrams:
    """TF-IDF vectors of character n-grams within space-padded words, for a batch at once.

    The vectors are those of scikit-learn's ``TfidfVectorizer(analyzer="char_wb",
    ngram_range=NGRAMS, lowercase=False)`` fitted on ``corpus`` (smooth idf, l2 norm;
    n-grams the corpus lacks are left out), which tests/test_routing_vectors.py checks.
    The library's analyzer runs in Python per text (about 130 µs for a reply); here the
    n-grams of a whole batch are walked level by level in a trie of the vocabulary with
    numpy, so a reply costs a few microseconds.
    """

    def __init__(self, corpus: Sequence[str]):
        low, high = NGRAMS
        counts = [Counter(wb_ngrams(text)) for text in corpus]
        vocabulary = sorted({gram for count in counts for gram in count})
        documents = Counter(gram for count in counts for gram in count)
        self.size = len(vocabulary)
        self.idf = np.array(
            [math.log((1 + len(corpus)) / (1 + documents[g])) + 1 for g in vocabulary]
        )
        alphabet = sorted({char for gram in vocabulary for char in gram} | {" "})
        ids = {char: i + 1 for i, char in enumerate(alphabet)}  # 0: a character not seen
        self._base = len(alphabet) + 1
        self._ids = np.zeros(max(map(ord, alphabet)) + 2, dtype=np.int32)
        self._ids[[ord(c) for c in alphabet]] = np.arange(1, len(alphabet) + 1)
        # A trie of the vocabulary, one dense table per length k: the node of a k-character
        # prefix sits at (node of its first k-1 characters) * base + its last character's
        # id; node 0 is "no such prefix". A node's feature column is -1 below NGRAMS[0].
        nodes: dict[str, int] = dict(ids)
        self._tables: list[np.ndarray] = []
        self._columns: list[np.ndarray] = []
        column = {gram: i for i, gram in enumerate(vocabulary)}
        for k in range(2, high + 1):
            prefixes = sorted({gram[:k] for gram in vocabulary if len(gram) >= k})
            cells = (len(nodes) + 1) * self._base
            if cells >= 2**31:  # node * base + character must fit the int32 arithmetic
                raise ValueError(f"the answers' texts make a trie level of {cells:,} cells")
            table = np.zeros(cells, dtype=np.int32)
            for node, prefix in enumerate(prefixes, 1):
                table[nodes[prefix[:-1]] * self._base + ids[prefix[-1]]] = node
            nodes = {prefix: node for node, prefix in enumerate(prefixes, 1)}
            columns = [column[p] if k >= low and p in column else -1 for p in prefixes]
            self._tables.append(table)
            self._columns.append(np.array([-1, *columns], dtype=np.int64))

    def transform(self, keys: Sequence[str]) -> Vectors:
        """l2-normalized TF-IDF rows of ``keys``; a text with no known n-gram has none.

        ``keys`` are texts whose words are separated by one space, with no other
        whitespace (as :func:`keys` gives them).
        """
        padded = "".join(f" {key} " for key in keys)  # "  " between texts: no n-gram across
        points = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32)
        chars = self._ids[np.minimum(points, len(self._ids) - 1)]
        owner = np.repeat(np.arange(len(keys)), [len(key) + 2 for key in keys])
        cells = []  # row * size + column of each n-gram found, level by level
        node = chars
        for k, (table, column) in enumerate(zip(self._tables, self._columns, strict=True), 2):
            if len(chars) < k:
                break
            node = table[node[:-1] * self._base + chars[k - 1 :]]
            feature = column[node]
            at = np.flatnonzero(feature >= 0)
            cells.append(owner[at] * self.size + feature[at])
        return self._weigh(len(keys), np.concatenate(cells) if cells else owner[:0])

    def _weigh(self, n: int, cells: np.ndarray) -> Vectors:
        """Cells (row * size + column, one per n-gram found) as l2-normalized TF-IDF."""
        cells.sort()
        first = np.flatnonzero(cells[1:] != cells[:-1]) + 1
        first = np.concatenate(([0], first)) if len(cells) else first  # each cell's first
        counts = np.concatenate((first[1:], [len(cells)])) - first
        rows, columns = np.divmod(cells[first], self.size)
        values = counts * self.idf[columns]
        norms = np.sqrt(np.bincount(rows, weights=values**2, minlength=n))
        return Vectors(n, rows, columns, values / norms[rows])


@dataclass(frozen=True, slots=True)
class Vectors:
    """Sparse rows in coordinate form, sorted by row then column: ``values[i]`` sits at
    (``rows[i]``, ``columns[i]``) of an ``n`` x vocabulary matrix."""

    n: int
    rows: np.ndarray
    columns: np.ndarray
    values: np.ndarray


def wb_ngrams(text: str) -> list[str]:
    """The character n-grams of ``text`` as scikit-learn's ``char_wb`` analyzer makes them.

    Each whitespace-separated word is padded with one space on each side; a word
    shorter than an n-gram length gives itself once.

    >>> wb_ngrams("ab c")[:6]
    [' a', 'ab', 'b ', ' ab', 'ab ', ' ab ']
    """
    low, high = NGRAMS
    grams = []
    for word in text.split():
        padded = f" {word} "
        for n in range(low, high + 1):
            grams.extend(padded[i : i + n] for i in range(max(1, len(padded) - n + 1)))
            if len(padded) <= n:
                break
    return grams


def keys(texts: Sequence[str]) -> list[str]:
    """``name_key`` of each text, the batch normalized in one pass where that is the same.

    Normalizing and folding map character by character, so a joined batch gives the
    same keys as one text at a time; a text holding the separator is keyed alone.

    >>> keys(["  Fiber\\u00a0500 ", "סיבים"]) == [name_key("  Fiber\\u00a0500 "), name_key("סיבים")]
    True
    """
    joined = _SEPARATOR.join(texts)
    if joined.count(_SEPARATOR) != max(len(texts) - 1, 0):
        return [name_key(text) for text in texts]
    folded = normalize(joined)
    for final, plain in _FINALS:  # fold_finals, by str.replace: far faster on a long text
        folded = folded.replace(final, plain)
    return [" ".join(piece.split()) for piece in folded.split(_SEPARATOR)] if texts else []


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


def _by_column(vectors: Vectors, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The texts' vectors by n-gram column: (starts, rows, values), column c's entries
    at ``starts[c]:starts[c + 1]``."""
    order = np.argsort(vectors.columns, kind="stable")
    starts = np.concatenate([[0], np.cumsum(np.bincount(vectors.columns, minlength=size))])
    return starts, vectors.rows[order], vectors.values[order]


def _matches_near(pattern: re.Pattern[str], text: str, at: int) -> bool:
    """Whether ``pattern`` matches starting at ``at`` or up to ``_PREFIX`` characters before."""
    if pattern.match(text, at):
        return True
    return any(pattern.match(text, start) for start in range(max(0, at - _PREFIX), at))


def _topic(answer) -> Topic:
    canonical = _TEMPLATE_TAG.sub(" ", answer.source)
    texts = [name_key(q) for q in (*answer.questions, canonical)]
    return Topic(
        answer=answer.id,
        texts=tuple(t for t in texts if _WORD.search(t)),
        keywords=tuple((name_key(k), keyword_pattern(k)) for k in answer.keywords if name_key(k)),
    )
