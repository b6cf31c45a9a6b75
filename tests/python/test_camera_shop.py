"""The bundled store, scenarios/camera_shop.json: written by scripts/make_camera_shop.py from its tables
and rules (the description's sources and derivations), so the file and the rules must agree."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

import stocklab as sl

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "make_camera_shop.py"
needs_checkout = pytest.mark.skipif(not SCRIPT.exists(), reason="needs a source checkout")


def _generator():
    spec = importlib.util.spec_from_file_location("make_camera_shop", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@needs_checkout
def test_the_file_is_what_the_rules_write():
    gen = _generator()
    assert (ROOT / "scenarios" / "camera_shop.json").read_text(encoding="utf-8") == gen.render(), (
        "scenarios/camera_shop.json differs from scripts/make_camera_shop.py: run the script"
    )


@needs_checkout
def test_the_stated_calibration_is_what_the_calibration_gives():
    gen = _generator()
    assert (round(gen.calibrate(0.0)[0], 3), round(gen.calibrate(1.0)[0], 3)) == gen.CALIBRATION


def test_lenses_substitute_within_their_mount_and_mixed_covers_bodies_and_lenses():
    doc = sl.load_scenario("camera_shop").to_dict()
    items = doc["items"]
    assert len(items) == 50
    for item_id, item in items.items():
        if item_id.startswith(("lens_a_", "lens_b_")):
            mount = item_id[:7]
            assert all(s.startswith(mount) for s in item.get("substitutes", [])), item_id
        assert item_id not in item.get("substitutes", [])
    hardware = {i for i in items if i.startswith(("body_", "lens_a_", "lens_b_"))}
    assert set(doc["policies"]["mixed"]["items"]) == hardware
    assert len(hardware) == 28


def test_the_description_cites_its_sources():
    text = json.loads((ROOT / "scenarios" / "camera_shop.json").read_text(encoding="utf-8"))["description"]
    for source in ["Gruen, Corsten & Bharadwaj (2002)", "Bhan & Anderson 2023", "Brynjolfsson, Hu & Smith",
                   "Harris 1913", "Abad 1996", "assumption"]:
        assert source in text
