"""Golden fingerprints: every bundled scenario gives, bit for bit, what tests/data/fingerprints.json
stores (summary, time series, event log, ledger). See tests/python/fingerprints.py to regenerate."""

from __future__ import annotations

import fingerprints as fp
import pytest

STORED = fp.load()


def test_store_exists_and_covers_every_case() -> None:
    names = {f"{name}/seed={seed}" for name, *_ in fp.cases() for seed in fp.SEEDS}
    assert STORED, "tests/data/fingerprints.json is missing: run tests/python/fingerprints.py --update"
    assert names == set(STORED), "cases changed: run tests/python/fingerprints.py --update"


@pytest.mark.parametrize("case", sorted({name for name, *_ in fp.cases()}))
def test_fingerprint(case: str) -> None:
    name, sc, policy, factory = next(c for c in fp.cases() if c[0] == case)
    for seed in fp.SEEDS:
        key = f"{case}/seed={seed}"
        now = {key: fp.fingerprint(sc, policy, seed, factory)}
        moved = fp.differences({key: STORED[key]}, now)
        assert not moved, "numbers moved:\n" + "\n".join(moved[:40])
        new = fp.not_stored({key: STORED[key]}, now)
        assert not new, "outputs not yet fingerprinted (run fingerprints.py --update):\n" + "\n".join(new[:40])
