"""Mapping another fact-checker's ratings onto our rating scale."""

from claims.models import Rating


class RatingMapper:
    """Maps a fact-checker's rating onto our scale: first by alias (case and surrounding
    punctuation ignored), then by the numeric value scaled onto our ordinal ratings."""

    def __init__(self) -> None:
        ratings = list(Rating.objects.all())
        self._by_alias: dict[str, int] = {}
        for rating in ratings:
            for alias in [rating.label, rating.slug, *rating.aliases]:
                self._by_alias.setdefault(_normal_label(alias), rating.pk)
        self._ordinal = sorted((r.value, r.pk) for r in ratings if r.value is not None)

    def rating_id(
        self, label: str, numeric: tuple[float, float, float] | None = None
    ) -> int | None:
        if label:
            found = self._by_alias.get(_normal_label(label))
            if found is not None:
                return found
        if numeric is None or not self._ordinal:
            return None
        value, worst, best = numeric
        if best == worst or not (min(worst, best) <= value <= max(worst, best)):
            return None
        share = (value - worst) / (best - worst)  # 0: the worst rating, 1: the best
        low, high = self._ordinal[0][0], self._ordinal[-1][0]
        target = low + share * (high - low)
        return min(self._ordinal, key=lambda vp: abs(vp[0] - target))[1]


def _normal_label(label: str) -> str:
    return " ".join(label.casefold().strip(" \t\n.!?¡¿\"'").replace("_", " ").split())
