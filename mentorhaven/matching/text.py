"""Free-text similarity of goals, behind one small protocol.

``TfidfSimilarity`` is the default and needs nothing but scikit-learn. An embedding model
(a sentence encoder running next to the app) plugs in through ``EmbeddingSimilarity`` or any
object with the same ``similarity_matrix`` method; the scorer does not care which.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np
from numpy.typing import NDArray


class TextSimilarity(Protocol):
    """Similarity of two lists of texts: an array (len(left), len(right)) of values in [0, 1]."""

    def similarity_matrix(
        self, left: Sequence[str], right: Sequence[str]
    ) -> NDArray[np.float64]: ...


class TfidfSimilarity:
    """TF-IDF cosine, with the vocabulary and weights fitted on the texts being compared
    (one program's goals), so words every participant uses count for little."""

    def __init__(
        self, *, stop_words: str | None = "english", dense_cells: int = 32_000_000
    ) -> None:
        self.stop_words = stop_words
        self.dense_cells = dense_cells

    def similarity_matrix(self, left: Sequence[str], right: Sequence[str]) -> NDArray[np.float64]:
        from sklearn.feature_extraction.text import TfidfVectorizer

        out = np.zeros((len(left), len(right)))
        texts = [t for t in [*left, *right] if t.strip()]  # empty goals do not shift the IDF
        if not left or not right or not texts:
            return out
        vectorizer = TfidfVectorizer(stop_words=self.stop_words, sublinear_tf=True)
        try:
            vectorizer.fit(texts)
        except ValueError:  # no usable word in any text
            return out
        a = vectorizer.transform(left)
        b_t = vectorizer.transform(right).T
        if b_t.shape[0] * b_t.shape[1] <= self.dense_cells:
            out = np.asarray(a @ b_t.toarray(), dtype=np.float64)
        else:  # a huge vocabulary: row chunks keep the sparse product small
            b_t = b_t.tocsc()
            for start in range(0, len(left), 1024):
                out[start : start + 1024] = (a[start : start + 1024] @ b_t).toarray()
        return np.clip(out, 0.0, 1.0, out=out)


class EmbeddingSimilarity:
    """Cosine of sentence embeddings from any encoder (texts -> 2-D array), clipped to [0, 1]."""

    def __init__(self, encode: Callable[[Sequence[str]], NDArray[np.floating]]) -> None:
        self.encode = encode

    def similarity_matrix(self, left: Sequence[str], right: Sequence[str]) -> NDArray[np.float64]:
        if not left or not right:
            return np.zeros((len(left), len(right)))
        a, b = (_unit_rows(np.asarray(self.encode(t), dtype=np.float64)) for t in (left, right))
        return np.clip(a @ b.T, 0.0, 1.0)


def _unit_rows(x: NDArray[np.float64]) -> NDArray[np.float64]:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms == 0, 1.0, norms)
