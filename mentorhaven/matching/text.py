"""Free-text similarity of goals, behind one small protocol.

``TfidfSimilarity`` is the default and needs nothing but scikit-learn. An embedding model
(a sentence encoder running next to the app) plugs in through ``EmbeddingSimilarity`` or any
object with the same ``similarity_matrix`` method; the scorer does not care which.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

# Rows of a similarity matrix: (row numbers, column numbers or None for all, an array to
# write them into or None) -> the array.
RowsOf = Callable[
    [NDArray[np.int64], NDArray[np.int64] | None, NDArray[np.float64] | None],
    NDArray[np.float64],
]


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
        return self.prepare(left, right)(np.arange(len(left)), None, None)

    def prepare(self, left: Sequence[str], right: Sequence[str]) -> RowsOf:
        """Fit on all the texts once; the result gives the rows at the index it is called
        with, so a large program is scored a block at a time with the whole program's weights,
        and (``pairs``) the similarity of chosen pairs alone."""
        from scipy.sparse import csr_array
        from sklearn.feature_extraction.text import TfidfVectorizer

        every = [*left, *right]
        written = [i for i, t in enumerate(every) if t.strip()]  # empty goals do not shift the IDF
        if not left or not right or not written:
            return _zeros(len(right))
        vectorizer = TfidfVectorizer(stop_words=self.stop_words, sublinear_tf=True)
        try:
            fitted = vectorizer.fit_transform([every[i] for i in written]).tocoo()
        except ValueError:  # no usable word in any text
            return _zeros(len(right))
        at = np.array(written)[fitted.row]  # every text read once; empty ones stay 0
        vectors = csr_array((fitted.data, (at, fitted.col)), shape=(len(every), fitted.shape[1]))
        return TfidfRows(vectors[: len(left)], vectors[len(left) :], dense_cells=self.dense_cells)


class TfidfRows:
    """A fitted TF-IDF: rows of the similarity matrix (called like ``RowsOf``), or the
    similarity of given pairs only (``pairs``), both from the same unit-length vectors."""

    def __init__(self, left: Any, right: Any, *, dense_cells: int) -> None:
        self.left, self.right = left, right  # sparse, one unit-length row per text
        self.dense_cells = dense_cells
        self.dense = False
        self._right_t: Any = None  # made on the first call for rows: ``pairs`` never needs it

    def _columns(self) -> Any:
        if self._right_t is None:
            b_t = self.right.T
            # A huge vocabulary stays sparse: row chunks keep the sparse product small.
            self.dense = b_t.shape[0] * max(b_t.shape[1], 1024) <= self.dense_cells
            self._right_t = b_t.toarray() if self.dense else b_t.tocsc()
        return self._right_t

    def __call__(
        self,
        index: NDArray[np.int64],
        columns: NDArray[np.int64] | None,
        out: NDArray[np.float64] | None,
    ) -> NDArray[np.float64]:
        b_t = self._columns()
        a = self.left
        right_t = b_t if columns is None else b_t[:, columns]
        if out is None:
            out = np.empty((len(index), right_t.shape[1]))
        for at in range(0, len(index), 1024):
            if self.dense:  # a dense product (BLAS) beats a sparse one on a small vocabulary
                np.matmul(a[index[at : at + 1024]].toarray(), right_t, out=out[at : at + 1024])
            else:
                out[at : at + 1024] = (a[index[at : at + 1024]] @ right_t).toarray()
        return np.clip(out, 0.0, 1.0, out=out)

    def pairs(self, rows: NDArray[np.int64], cols: NDArray[np.int64]) -> NDArray[np.float64]:
        """The similarity of ``left[rows[k]]`` and ``right[cols[k]]`` for each k: one dot product
        per pair, never a matrix."""
        rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        found = np.asarray(self.left[rows].multiply(self.right[cols]).sum(axis=1), dtype=float)
        return np.clip(found.reshape(-1), 0.0, 1.0)


class EmbeddingSimilarity:
    """Cosine of sentence embeddings from any encoder (texts -> 2-D array), clipped to [0, 1]."""

    def __init__(self, encode: Callable[[Sequence[str]], NDArray[np.floating]]) -> None:
        self.encode = encode

    def similarity_matrix(self, left: Sequence[str], right: Sequence[str]) -> NDArray[np.float64]:
        return self.prepare(left, right)(np.arange(len(left)), None, None)

    def prepare(self, left: Sequence[str], right: Sequence[str]) -> RowsOf:
        """Encode every text once; the result gives the rows at the index it is called with."""
        if not left or not right:
            return _zeros(len(right))
        a, b = (_unit_rows(np.asarray(self.encode(t), dtype=np.float64)) for t in (left, right))
        return lambda index, columns, out: np.clip(
            np.matmul(a[index], (b if columns is None else b[columns]).T, out=out),
            0.0,
            1.0,
            out=out,
        )


def pair_similarities(
    rows_of: RowsOf, rows: NDArray[np.int64], cols: NDArray[np.int64]
) -> NDArray[np.float64]:
    """The similarity of each (row, column) pair from prepared rows: through their ``pairs``
    when they have it, else one 1 x 1 cell at a time (never a whole matrix)."""
    pairs = getattr(rows_of, "pairs", None)
    if pairs is not None:
        found: NDArray[np.float64] = pairs(rows, cols)
        return found
    return np.array(
        [
            float(rows_of(np.array([i]), np.array([j]), None)[0, 0])
            for i, j in zip(np.asarray(rows).tolist(), np.asarray(cols).tolist(), strict=True)
        ],
        dtype=np.float64,
    )


def _zeros(width: int) -> RowsOf:
    def rows(
        index: NDArray[np.int64], columns: NDArray[np.int64] | None, out: NDArray[np.float64] | None
    ) -> NDArray[np.float64]:
        if out is None:
            return np.zeros((len(index), width if columns is None else len(columns)))
        out.fill(0.0)
        return out

    return rows


def _unit_rows(x: NDArray[np.float64]) -> NDArray[np.float64]:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms == 0, 1.0, norms)
