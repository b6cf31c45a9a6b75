"""The Gymnasium environment (stocklab.gym): the API contract, bit-for-bit equality with simulate(),
determinism, the vector form against single environments, and clear errors for bad actions."""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

import stocklab as sl

gymnasium = pytest.importorskip("gymnasium")
from gymnasium.utils.env_checker import check_env  # noqa: E402

import stocklab.gym as sg  # noqa: E402

SHORT = {"run.horizon_days": 60}


@pytest.fixture(scope="module")
def lens() -> sl.Scenario:
    return sl.load_scenario("camera_lens")


@pytest.fixture(scope="module")
def short(lens) -> sl.Scenario:
    return lens.with_overrides(SHORT)


def brief(sc: sl.Scenario, days: int) -> sl.Scenario:
    """`sc` over a few days, with a one-day lead time (the parser wants it shorter than the horizon)."""
    return sc.with_overrides({"run.horizon_days": days, "supplier.lead_time": {"dist": "constant", "value": 1}})


def same_summary(a, b) -> bool:
    return np.array_equal(np.asarray(a, dtype=float), np.asarray(b, dtype=float), equal_nan=True)


def s_S_agent(s: int, S: int):
    """The (s, S) rule acting on the observation: order up to S when the position is at or below s."""

    def act(obs) -> int:
        ip = int(obs["inventory_position"][0])
        return S - ip if ip <= s else 0

    return act


def rollout(env, act, seed: int):
    """One episode: (observations, rewards, infos) of every step, the reset's first."""
    obs, info = env.reset(seed=seed)
    observations, rewards, infos = [obs], [], [info]
    terminated = False
    while not terminated:
        obs, reward, terminated, truncated, info = env.step(act(obs))
        assert truncated is False
        observations.append(obs)
        rewards.append(reward)
        infos.append(info)
    return observations, rewards, infos


# ------------------------------------------------------------------------------------------------
# Gymnasium's own checks


@pytest.mark.parametrize("kwargs", [{}, {"flatten_observation": True}, {"review_period_days": None},
                                    {"review_period_days": 7}], ids=["daily", "flat", "own", "weekly"])
def test_check_env_passes_without_warnings(short, kwargs):
    env = gymnasium.make(sg.ENV_ID, scenario=short, policy="backorder", max_order=300, **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning of the checker fails the test
        check_env(env.unwrapped)


def test_check_env_with_a_box_action_warns_only_that_the_box_is_not_normalised(short):
    env = gymnasium.make(sg.ENV_ID, scenario=short, action_type="box", max_order=300)
    with pytest.warns(UserWarning, match="normalized") as record:
        check_env(env.unwrapped)
    assert all("normalized" in str(w.message) for w in record)


@pytest.mark.parametrize("action_type", ["discrete", "box"])
def test_random_rollouts_stay_in_their_spaces(short, action_type):
    env = gymnasium.make(sg.ENV_ID, scenario=short, policy="backorder", max_order=80, action_type=action_type)
    env.action_space.seed(5)
    steps = 0
    for seed in (1, 2):
        obs, info = env.reset(seed=seed)
        assert env.observation_space.contains(obs)
        terminated = False
        while not terminated:
            obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
            steps += 1
            assert env.observation_space.contains(obs), obs
            assert all(v.dtype == np.float32 for v in obs.values())
            assert isinstance(reward, float) and math.isfinite(reward)
            assert set(sg.REWARD_PARTS) <= set(info)
        assert obs["day"][0] == 60 and "summary" in info
    assert steps == 120
    assert env.observation_space["pipeline"].shape == (1, 5)
    assert env.observation_space["recorded_demand"].shape == (1, 3)


def test_the_observation_fields_are_documented_in_order(short):
    env = sg.InventoryEnv(short)
    assert list(env.observation_space) == [f.name for f in sg.OBSERVATION_FIELDS]
    assert len(sg.flat_observation_names(env)) == sum(int(np.prod(b.shape)) for b in env.observation_space.values())
    assert sg.flat_observation_names(env)[3:8] == ["pipeline[0,7)", "pipeline[7,14)", "pipeline[14,21)",
                                                   "pipeline[21,28)", "pipeline[28,inf)"]


def test_the_docs_table_is_the_field_table():
    docs = Path(__file__).resolve().parents[2] / "docs" / "gym.md"
    if not docs.exists():
        pytest.skip("needs a source checkout")
    rows = re.findall(r"^\| `([a-z_]+)` \| \([^|]*\| ([a-z]+) \| [^|]* \| (.*) \|$", docs.read_text(encoding="utf-8"),
                      flags=re.M)
    assert rows == [(f.name, f.unit, f.description) for f in sg.OBSERVATION_FIELDS]


def test_the_flat_observation_is_what_gymnasium_flattens(short):
    wrapped = gymnasium.wrappers.FlattenObservation(sg.InventoryEnv(short, "backorder"))
    flat = sg.InventoryEnv(short, "backorder", flatten_observation=True)
    assert wrapped.observation_space == flat.observation_space
    a, _ = wrapped.reset(seed=3)
    b, _ = flat.reset(seed=3)
    for q in (0, 40, 0, 0, 25):
        assert np.array_equal(a, b)
        a = wrapped.step(q)[0]
        b = flat.step(q)[0]
    assert np.array_equal(a, b) and a.dtype == np.float32


# ------------------------------------------------------------------------------------------------
# The same runs as simulate()


@pytest.mark.parametrize("policy", ["out_of_stock", "backorder"])
def test_an_s_S_agent_reproduces_simulate_bit_for_bit(lens, policy):
    env = sg.InventoryEnv(lens, policy, review_period_days=None, max_order=1000)
    _, rewards, infos = rollout(env, s_S_agent(100, 220), seed=7)
    run = sl.simulate(lens, seed=7, policy=policy)
    assert same_summary(infos[-1]["summary"], run.summary)
    assert len(rewards) > 1000  # a decision after every change of the inventory position
    assert sum(rewards) == pytest.approx(run.summary["profit"], rel=1e-12)


def test_the_agent_makes_the_opening_decision_of_a_continuous_review_run(lens):
    low = lens.with_overrides({"initial.on_hand": 50, "run.horizon_days": 120})  # at or below s: order at day 0
    env = sg.InventoryEnv(low, "backorder", review_period_days=None)
    obs, _ = env.reset(seed=2)
    assert obs["day"][0] == 0 and obs["inventory_position"][0] == 50
    _, _, infos = rollout(env, s_S_agent(100, 220), seed=2)
    assert same_summary(infos[-1]["summary"], sl.simulate(low, seed=2, policy="backorder").summary)
    assert infos[1]["ordering_cost"] == 40.0  # the opening order is the first step's


def test_an_agent_at_the_scenarios_own_reviews_reproduces_simulate(lens):
    periodic = lens.with_overrides({"replenishment": {"policy": "R_s_S", "s": 100, "S": 220,
                                                      "review_period_days": 7}})
    env = sg.InventoryEnv(periodic, "backorder", review_period_days=None)
    observations, _, infos = rollout(env, s_S_agent(100, 220), seed=4)
    assert [o["day"][0] for o in observations[:3]] == [0, 7, 14]
    assert same_summary(infos[-1]["summary"], sl.simulate(periodic, seed=4, policy="backorder").summary)


class Replay(sl.ReplenishmentPolicy):
    """Orders the given quantities at reviews every `period` days."""

    def __init__(self, quantities: list[int], period: float) -> None:
        super().__init__()
        self.quantities = list(quantities)
        self.period = period

    def order(self, view: sl.InventoryView) -> int:
        return self.quantities.pop(0)

    def review_period_days(self) -> float:
        return self.period


@pytest.mark.parametrize("period", [1.0, 3.5])
def test_daily_decisions_equal_simulate_with_a_policy_that_takes_the_same_actions(short, period):
    rng = np.random.default_rng(11)
    actions: list[int] = []

    def act(obs) -> int:
        actions.append(int(rng.integers(0, 60)) if rng.random() < 0.2 else 0)
        return actions[-1]

    env = sg.InventoryEnv(short, "backorder", review_period_days=period)
    _, rewards, infos = rollout(env, act, seed=9)
    assert len(actions) == math.ceil(60 / period)
    run = sl.simulate(short, seed=9, policy="backorder", replenishment=Replay(actions, period))
    assert same_summary(infos[-1]["summary"], run.summary)
    assert sum(rewards) == pytest.approx(run.summary["profit"], rel=1e-12)


def test_the_reward_parts_reconcile_with_profit(short):
    env = sg.InventoryEnv(short, "out_of_stock")
    _, rewards, infos = rollout(env, s_S_agent(100, 220), seed=3)
    for r, i in zip(rewards, infos[1:], strict=True):
        parts = i["revenue"] - i["cost_of_goods_sold"] - i["holding_cost"] - i["ordering_cost"] - i["net_interest"]
        assert r == pytest.approx(i["profit"]) and i["profit"] == pytest.approx(parts, abs=1e-6)
    summary = infos[-1]["summary"]
    assert sum(i["holding_cost"] for i in infos[1:]) == pytest.approx(summary["holding_cost"])
    lost = summary["lost_units"] + summary["cancelled_units"]
    assert sum(i["lost_margin"] for i in infos[1:]) == pytest.approx(lost * (249 - 150))
    assert lost > 0


@pytest.mark.parametrize("reward, metric, sign", [("-lost_units", "lost_units", -1), ("cash", "final_cash", 1),
                                                  ("churned_customers", "churned_customers", 1)])
def test_the_reward_may_be_another_metric(short, reward, metric, sign):
    env = sg.InventoryEnv(short, reward=reward)
    _, rewards, infos = rollout(env, s_S_agent(50, 120), seed=1)
    start = 20000.0 if metric == "final_cash" else 0.0  # camera_lens starts with 20,000 in cash
    assert sum(rewards) == pytest.approx(sign * (infos[-1]["summary"][metric] - start))
    assert any(r != 0 for r in rewards)


# ------------------------------------------------------------------------------------------------
# What the agent sees


def test_the_observation_holds_what_the_store_records(lens):
    sc = lens.with_overrides({"run.horizon_days": 90})
    env = sg.InventoryEnv(sc, "out_of_stock", demand_windows_days=[1, 7, 30])
    observations, _, infos = rollout(env, lambda obs: 0, seed=5)  # never reorders: sells out, then turns customers away
    summary = infos[-1]["summary"]
    daily = sum(float(o["recorded_demand"][0, 0]) for o in observations)
    assert daily == summary["recorded_demand_units"] == 120  # one-day windows add up to every unit recorded
    assert summary["demand_units"] > 200  # true demand went on, unrecorded
    last = observations[-1]
    assert last["on_hand"][0] == 0 and last["recorded_demand"][0].tolist() == [0, 0, 0]
    assert last["days_since_order"][0] == 90 and last["pipeline"].sum() == 0


def test_the_pipeline_holds_the_units_on_order_by_confirmed_date(short):
    env = sg.InventoryEnv(short, "backorder")
    obs, _ = env.reset(seed=2)
    obs = env.step(30)[0]
    assert obs["pipeline"].sum() == 30 and obs["days_since_order"][0] == 1
    for _ in range(40):
        obs = env.step(5)[0]
        on_order = obs["inventory_position"][0] - obs["on_hand"][0] + obs["backorders"][0]
        assert obs["pipeline"].sum() == on_order and obs["days_since_order"][0] == 1  # ordered at the last decision


def test_demand_windows_are_whole_review_periods(short):
    assert sg.InventoryEnv(short, review_period_days=7)._spec.demand_windows_days == [7, 28]
    assert sg.InventoryEnv(short, review_period_days=2)._spec.demand_windows_days == [2, 8, 28]
    with pytest.raises(ValueError, match=r"demand_windows_days\[0\] = 3 must be a whole number of review periods"):
        sg.InventoryEnv(short, review_period_days=2, demand_windows_days=[3])


# ------------------------------------------------------------------------------------------------
# Determinism and common random numbers


def test_reset_with_a_seed_replays_the_episode_and_reset_moves_to_the_next_replication(short):
    env = sg.InventoryEnv(short, "backorder")
    act = s_S_agent(100, 220)
    first = rollout(env, act, seed=12)
    again = rollout(env, act, seed=12)
    assert all(np.array_equal(a[k], b[k]) for a, b in zip(first[0], again[0], strict=True) for k in a)
    assert first[1] == again[1]
    obs, info = env.reset()
    assert (info["seed"], info["replication"]) == (12, 1) == env.seed_and_replication
    env.reset(seed=12, options={"replication": 1})
    obs_r1 = env.step(0)[0]
    env.reset(seed=12)
    env.reset()
    assert np.array_equal(env.step(0)[0]["recorded_demand"], obs_r1["recorded_demand"])
    run = sl.simulate(short, seed=12, replication=1, policy="backorder", replenishment=Replay([0] * 60, 1.0))
    assert same_summary(rollout_from_reset(env, short, 12, 1), run.summary)


def rollout_from_reset(env, sc, seed: int, replication: int):
    env.reset(seed=seed, options={"replication": replication})
    info: dict = {}
    terminated = False
    while not terminated:
        _, _, terminated, _, info = env.step(0)
    return info["summary"]


def test_every_agent_meets_the_same_customers(textbook):
    # Textbook customers (no behaviour): true demand cannot depend on the store's policy.
    sc = textbook(run={"horizon_days": 200}, shortage={"rule": "lost_sales"})
    lazy = rollout(sg.InventoryEnv(sc, max_order=50), lambda obs: 0, seed=3)[2][-1]["summary"]
    busy = rollout(sg.InventoryEnv(sc, max_order=50), lambda obs: 5, seed=3)[2][-1]["summary"]
    assert lazy["demand_units"] == busy["demand_units"] > 150
    assert lazy["lost_units"] == lazy["demand_units"] and busy["lost_units"] < busy["demand_units"] / 2


def test_the_vector_env_equals_single_envs(short):
    sc = brief(short, 12)
    n = 3
    vec = gymnasium.make_vec(sg.ENV_ID, num_envs=n, vectorization_mode="vector_entry_point", scenario=sc,
                             policy="backorder", max_order=60)
    assert isinstance(vec.unwrapped, sg.InventoryVectorEnv)
    singles = [sg.InventoryEnv(sc, "backorder", max_order=60) for _ in range(n)]
    obs, _ = vec.reset(seed=40)
    single_obs = [e.reset(seed=40 + i)[0] for i, e in enumerate(singles)]
    rng = np.random.default_rng(0)
    done = np.zeros(n, dtype=bool)
    finished = 0
    for _ in range(30):  # two and a half episodes: the automatic resets included
        for i in range(n):
            for k in obs:
                assert np.array_equal(obs[k][i], single_obs[i][k]), (i, k)
        assert vec.observation_space.contains(obs)
        actions = rng.integers(0, 61, size=n)
        obs, rewards, terminated, truncated, infos = vec.step(actions)
        for i, env in enumerate(singles):
            if done[i]:  # NEXT_STEP autoreset: this step started the next replication
                single_obs[i] = env.reset()[0]
                assert rewards[i] == 0 and not terminated[i]
                continue
            single_obs[i], r, t, _, info = env.step(int(actions[i]))
            assert rewards[i] == r and terminated[i] == t and infos["profit"][i] == info["profit"]
            if t:
                finished += 1
                assert infos["_summary"][i] and same_summary(infos["summary"][i], info["summary"])
        done = terminated
        assert not truncated.any()
    assert finished == 2 * n


# ------------------------------------------------------------------------------------------------
# Errors


@pytest.mark.parametrize("action, error, message", [
    (-1, ValueError, r"action must be an order of 0 to 50 units \(got -1\)"),
    (51, ValueError, r"action must be an order of 0 to 50 units \(got 51\)"),
    (2.5, TypeError, "action must be a whole number of units"),
    (float("nan"), TypeError, "action must be a whole number of units"),
    (True, TypeError, "action must be a whole number of units"),
    (np.array([1, 2]), ValueError, r"single whole number .* got shape \(2,\)"),
    ("3", TypeError, "action must be a whole number of units"),
])
def test_bad_discrete_actions_get_a_clear_error(short, action, error, message):
    env = sg.InventoryEnv(short, max_order=50)
    env.reset(seed=1)
    with pytest.raises(error, match=message):
        env.step(action)
    env.step(np.int64(3))  # the episode goes on after a rejected action


@pytest.mark.parametrize("action, error, message", [
    (np.array([-0.5], dtype=np.float32), ValueError, r"in \[0, 50\] \(got -0.5\)"),
    (np.array([np.nan], dtype=np.float32), ValueError, r"in \[0, 50\] \(got nan\)"),
    (np.array([50.5], dtype=np.float32), ValueError, r"in \[0, 50\] \(got 50.5\)"),
    (np.array([1.0, 2.0]), ValueError, r"shape \(1,\) .* got shape \(2,\)"),
    (np.array(["a"]), TypeError, "must be a number of units"),
])
def test_bad_box_actions_get_a_clear_error(short, action, error, message):
    env = sg.InventoryEnv(short, max_order=50, action_type="box")
    env.reset(seed=1)
    with pytest.raises(error, match=message):
        env.step(action)
    obs = env.step(np.array([12.6], dtype=np.float32))[0]  # rounded to the nearest unit
    assert obs["pipeline"].sum() == 13


def test_bad_vector_actions_name_the_environment(short):
    vec = sg.InventoryVectorEnv(3, short, max_order=50)
    vec.reset(seed=1)
    with pytest.raises(ValueError, match=r"actions\[1\] must be an order of 0 to 50 units \(got 99\)"):
        vec.step(np.array([0, 99, 0]))
    with pytest.raises(ValueError, match=r"actions must have shape \(3,\) for 3 environments, got shape \(2,\)"):
        vec.step(np.array([0, 1]))
    with pytest.raises(TypeError, match="whole numbers of units"):
        vec.step(np.array([0.5, 1.0, 2.0]))
    box = sg.InventoryVectorEnv(2, short, max_order=50, action_type="box")
    box.reset(seed=1)
    with pytest.raises(ValueError, match=r"actions\[0\] must be a number of units in \[0, 50\] \(got nan\)"):
        box.step(np.array([[np.nan], [1.0]]))


def test_a_bad_action_at_an_automatic_reset_skips_no_replication(short):
    vec = sg.InventoryVectorEnv(2, brief(short, 2), max_order=50)
    vec.reset(seed=1)
    vec.step(np.array([0, 0]))
    assert vec.step(np.array([0, 0]))[2].all()  # both finished: they reset at the next step
    with pytest.raises(ValueError, match=r"actions\[0\] must be an order of 0 to 50 units"):
        vec.step(np.array([77, 0]))
    vec.step(np.array([0, 0]))
    assert vec._replications.tolist() == [1, 1]  # replication 1 of each, as after a clean reset


def test_stepping_a_finished_episode_is_an_error(short):
    env = sg.InventoryEnv(brief(short, 2))
    with pytest.raises(RuntimeError, match="call reset"):
        env.step(0)
    env.reset(seed=1)
    assert env.step(0)[2] is False and env.step(0)[2] is True
    with pytest.raises(RuntimeError, match="the episode is over"):
        env.step(0)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"max_order": 0}, ValueError, r"max_order must be a whole number of units in \[1, 1e\+09\] \(got 0\)"),
    ({"max_order": 2.0}, ValueError, "max_order must be a whole number"),
    ({"review_period_days": -1}, ValueError, "review_period_days must be a number of days > 0, or None"),
    ({"review_period_days": float("inf")}, ValueError, "review_period_days must be a number of days > 0"),
    ({"action_type": "continuous"}, ValueError, "action_type must be 'discrete' or 'box'"),
    ({"pipeline_days": [7, 7]}, ValueError, r"pipeline_days must be increasing: pipeline_days\[1\] = 7"),
    ({"pipeline_days": [0]}, ValueError, r"pipeline_days\[0\] must be a finite number of days > 0"),
    ({"pipeline_days": "7"}, TypeError, "pipeline_days must be a sequence"),
    ({"reward": "fill_rate"}, ValueError, "reward must name a metric whose change over a step means something"),
    ({"reward": "avg_on_hand"}, ValueError, "one of: profit, cash, demand_units"),
    ({"flatten_observation": "yes"}, TypeError, "flatten_observation must be True or False"),
    ({"render_mode": "human"}, ValueError, r"render_mode must be one of \['ansi', 'rgb_array'\]"),
    ({"policy": "nope"}, sl.ScenarioError, "nope"),
])
def test_bad_arguments_get_a_clear_error(short, kwargs, error, message):
    with pytest.raises(error, match=message):
        sg.InventoryEnv(short, **kwargs)


def test_reset_options_are_checked(short):
    env = sg.InventoryEnv(short)
    with pytest.raises(ValueError, match="options: unknown key 'replications' .reset knows 'replication'."):
        env.reset(seed=1, options={"replications": 3})
    with pytest.raises(ValueError, match=r"options\['replication'\] must be in \[0, 2\*\*64\)"):
        env.reset(seed=1, options={"replication": -1})
    vec = sg.InventoryVectorEnv(2, short)
    _, info = vec.reset(seed=1, options={"replication": 4})
    assert info["replication"].tolist() == [4, 4]


def test_a_scenario_without_supplier_is_refused(textbook):
    doc = textbook().to_dict()
    del doc["supplier"]
    with pytest.raises(ValueError, match="the scenario has no supplier"):
        sg.InventoryEnv(sl.Scenario.from_dict(doc))


# ------------------------------------------------------------------------------------------------
# Rendering


def test_ansi_render_tells_the_step(short):
    env = gymnasium.make(sg.ENV_ID, scenario=short, policy="backorder", render_mode="ansi")
    env.reset(seed=1)
    assert "episode starts (seed 1, replication 0)" in env.render()
    env.step(40)
    text = env.render()
    assert text.startswith("day 1.0: ordered 40 units")
    assert "the store ordered 40 units from the supplier" in text and "bought 1 unit from stock" in text


def test_rgb_render_draws_the_inventory_so_far(short):
    pytest.importorskip("matplotlib")
    env = gymnasium.make(sg.ENV_ID, scenario=short.with_overrides({"run.snapshot_interval_days": 0}),
                         render_mode="rgb_array")
    env.reset(seed=1)
    for q in (0, 50, 0, 0):
        env.step(q)
    frame = env.render()
    assert frame.dtype == np.uint8 and frame.shape == (320, 640, 3)
    assert len(np.unique(frame.reshape(-1, 3), axis=0)) > 10  # something was drawn


def test_rendering_changes_no_number(short):
    quiet = rollout(sg.InventoryEnv(short, "backorder"), s_S_agent(100, 220), seed=6)[2][-1]["summary"]
    shown = rollout(sg.InventoryEnv(short, "backorder", render_mode="ansi"), s_S_agent(100, 220), seed=6)[2][-1]
    assert same_summary(quiet, shown["summary"])
