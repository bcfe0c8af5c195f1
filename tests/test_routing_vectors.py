"""The vectorized router's parts against their references.

- :class:`CharGrams` gives the TF-IDF vectors of scikit-learn's ``TfidfVectorizer``
  (``char_wb``), and :func:`wb_ngrams` its analyzer's n-grams.
- :func:`keys` on a batch is ``name_key`` of each text.
- The keyword search over a joined batch finds what each pattern finds in each reply.
- ``route_many`` is ``route`` of each text, in any order and any batch size.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from consistency import routing
from consistency.inputs.answers import load_answers
from consistency.inputs.prices import load_price_list
from consistency.pricebook import PriceBook
from consistency.routing import NGRAMS, CharGrams, Router, keys, wb_ngrams
from consistency.text.mentions import name_key

DEMO = Path(__file__).resolve().parent.parent / "fixtures" / "demo"
TZ = ZoneInfo("Asia/Jerusalem")
REFERENCE = dict(analyzer="char_wb", ngram_range=NGRAMS, lowercase=False)
# Characters the generated texts draw from: Hebrew with finals and niqqud, Latin, digits,
# punctuation, every kind of space, bidi marks, the batch separator, one emoji.
ALPHABET = (
    "אבגדהוזחטיכךלמםנןסעפףצץקרשת" + "abcXYZ019" + ".,'\"?!-₪%" + " \t\n\u00a0\u2009\x1c\x85"
    "\u200f\u200e\u05b8\u05bc\x00😀"
)
texts = st.lists(st.text(alphabet=ALPHABET, max_size=30), max_size=8)


@pytest.fixture(scope="module")
def answers():
    book = PriceBook(load_price_list(DEMO / "prices.yaml", TZ))
    return load_answers(DEMO / "answers.yaml", book, TZ)


@pytest.fixture(scope="module")
def corpus(answers) -> list[str]:
    return [text for topic in Router(answers).topics for text in topic.texts]


@dataclass(frozen=True)
class Case:
    id: str
    text: str


CASES = [
    Case("question-copy", "כמה עולה לבטל את המנוי?"),  # fixtures/demo/answers.yaml
    Case("answer-paraphrase", "טכנאי יגיע תוך 3 ימי עסקים"),  # its canonical answer
    Case("english", "Your refund is paid within 7 days."),  # fixtures/demo/exports
    Case("one-letter-words", "a b ו 5"),  # words shorter than an n-gram
    Case("unseen-characters", "😀 סיב 500 ☎"),  # characters the answers never use
    Case("nothing-known", "qqqq"),  # no n-gram of the vocabulary: a zero row
    Case("empty", ""),
    Case("long-word", "הההההההההההההההההההההההההההה"),  # a repeated n-gram is counted
]


def _dense(vectors, size: int) -> np.ndarray:
    matrix = sparse.coo_matrix(
        (vectors.values, (vectors.rows, vectors.columns)), shape=(vectors.n, size)
    )
    return matrix.toarray()


def test_vectors_are_scikit_learns(corpus):
    reference = TfidfVectorizer(**REFERENCE).fit(corpus)
    grams = CharGrams(corpus)
    replies = keys([case.text for case in CASES])
    assert grams.size == len(reference.vocabulary_)
    np.testing.assert_allclose(
        _dense(grams.transform(replies), grams.size),
        reference.transform(replies).toarray(),
        rtol=0,
        atol=1e-12,
    )


@settings(max_examples=60, deadline=None)
@given(corpus=texts.filter(any), replies=texts)
def test_vectors_are_scikit_learns_on_any_text(corpus, replies):
    corpus, replies = keys(corpus), keys(replies)
    if not any(corpus):
        return
    reference = TfidfVectorizer(**REFERENCE).fit(corpus)
    grams = CharGrams(corpus)
    np.testing.assert_allclose(
        _dense(grams.transform(replies), grams.size),
        reference.transform(replies).toarray() if replies else np.zeros((0, grams.size)),
        rtol=0,
        atol=1e-12,
    )


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_ngrams_are_the_analyzers(case):
    analyzer = TfidfVectorizer(**REFERENCE).build_analyzer()
    assert wb_ngrams(name_key(case.text)) == analyzer(name_key(case.text))


@settings(max_examples=200, deadline=None)
@given(texts)
def test_batch_keys_are_name_keys(batch):
    assert keys(batch) == [name_key(text) for text in batch]


KEYWORD_PARTS = ["ביטול", "ו", "ל", "ה", "-", " ", "ית", "cancel", "lation", "pre", "דמי", "x"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(KEYWORD_PARTS), max_size=6).map("".join), max_size=6))
def test_keywords_in_a_batch_are_found_as_in_each_reply(answers, replies):
    router = Router(answers)
    found = keys(replies)
    expected = [
        [any(p.search(key) for _, p in topic.keywords) for topic in router.topics] for key in found
    ]
    assert router._keyword_hits(found).astype(bool).tolist() == expected


REPLIES = [
    "אפשר לבטל את המנוי ללא עלות תוך 7 ימים",
    "Your refund is paid within 7 days.",
    "המוקד שלנו פתוח בימים א-ה",
    "ביטול המנוי, והחזר כספי תוך 7 ימים",
    "",
    "   ",
    "...!?",
    "How soon does a technician come?",
    "סיבים 500 עולים 99.90",
]


def test_a_batch_routes_each_reply_as_alone_in_any_order(answers):
    alone = [Router(answers).route(text) for text in REPLIES]
    shuffled = REPLIES[:]
    random.Random(10).shuffle(shuffled)
    batch = dict(zip(shuffled, Router(answers).route_many(shuffled), strict=True))
    assert [batch[text] for text in REPLIES] == alone
    assert Router(answers).route_many(REPLIES + REPLIES) == alone + alone


def test_batches_larger_than_a_chunk_and_the_cache(answers, monkeypatch):
    monkeypatch.setattr(routing, "BATCH", 4)
    monkeypatch.setattr(routing, "ROUTE_CACHE", 6)
    router = Router(answers)
    texts = [f"{text} #{i}" for i, text in enumerate(REPLIES * 2)]
    assert router.route_many(texts) == [Router(answers).route(text) for text in texts]
    assert len(router._routed) <= 6


def test_a_batch_routed_ahead_is_remembered_whole(answers, monkeypatch):
    monkeypatch.setattr(routing, "ROUTE_CACHE", 6)
    router = Router(answers)
    router.route_many(REPLIES[:4])
    router.route_many(REPLIES[2:8])  # overflows the cache: the older entries go
    assert set(router._routed) == set(REPLIES[2:8])


def test_a_reply_without_a_word_is_like_no_text(answers):
    scores = Router(answers).scores("?? ...")
    assert set(scores.values()) == {0.0}
