"""Decisions per second of the Gymnasium environment, beside a pure-Python peer and OR-Gym.

One run times, on the camera lens (backorder variant, a decision every day, one-year episodes that
reset at the horizon), with the same stream of actions for every environment (an order of 40 units
on about one day in ten, drawn once from a fixed seed) so that only the environments differ:

- stocklab, one environment through ``gymnasium.make`` (Gymnasium's order-enforcing and checking
  wrappers included), with the Dict observation and with ``flatten_observation=True``, and unwrapped
- stocklab's vector form (``gymnasium.make_vec``: N simulations stepped in one C++ call) for several N;
  its steps/s count every sub-environment's decision
- PEER (clearly not stocklab): a small, simplified pure-Python inventory environment written for this
  comparison (``PurePythonInventoryEnv`` below): the same store in outline (customers with loyalty
  who buy one unit at Poisson purchase occasions, lost loyalty when turned away, backorders served
  first come first served, gamma lead times, holding and ordering costs, the same Dict observation),
  without quotes, patience, reviews, churn or new customers; idiomatic Gymnasium code
  (``self.np_random``, numpy arrays in the observation)
- OR-Gym's single-stage environment (``Newsvendor-v0``, its multi-period newsvendor with lead times),
  when ``import or_gym`` works here or in the interpreter given by ``--or-gym-python``. ``pip install
  or-gym`` (0.5.0, its latest) fails on a current Python toolchain: it pins ``gym<=0.19.0``, whose
  setup.py modern setuptools rejects. The script prints the error it finds.

Steps per second are best of ``--repeats`` (the machine is shared). Never a test: it prints.

    python benchmarks/gym_speed.py [--steps 200000] [--repeats 3] [--or-gym-python /path/to/python]
"""

from __future__ import annotations

import argparse
import math
import subprocess
import sys
from collections import deque
from typing import Any

import _common as C
import gymnasium
import numpy as np
from gymnasium import spaces

import stocklab.gym as sg

# ------------------------------------------------------------------------------------------------
# The pure-Python peer (written for this comparison; not part of stocklab)


class PurePythonInventoryEnv(gymnasium.Env):
    """PEER, NOT STOCKLAB: a simplified pure-Python version of the camera-lens store, for timing only.

    Each day: purchase occasions ~ Poisson(6 x mean loyalty / 0.8), each by a customer picked at random
    (accepted with probability loyalty / 0.8, as stocklab thins its candidates), who buys one unit from
    the shelf (loyalty moves 2% toward 1) or, when it is empty, backorders (FIFO, served as stock
    arrives) or is turned away (loyalty x 0.94). An order arrives after a gamma lead time (mean 21,
    cv 0.3), rounded up to whole days. Holding cost 0.10 a unit-day, 40 an order, price 249, cost 150.
    """

    metadata = {"render_modes": []}

    def __init__(self, backorders: bool = True, population: int = 3000, horizon: int = 365,
                 max_order: int = 1000) -> None:
        self.backorders = backorders
        self.population = population
        self.horizon = horizon
        self.observation_space = spaces.Dict({
            "on_hand": spaces.Box(0, 1e15, (1,), np.float32),
            "backorders": spaces.Box(0, 1e15, (1,), np.float32),
            "inventory_position": spaces.Box(-1e15, 1e15, (1,), np.float32),
            "pipeline": spaces.Box(0, 1e15, (1, 5), np.float32),
            "days_since_order": spaces.Box(0, horizon, (1,), np.float32),
            "recorded_demand": spaces.Box(0, 1e15, (1, 3), np.float32),
            "cash": spaces.Box(-9.3e16, 9.3e16, (1,), np.float32),
            "mean_loyalty": spaces.Box(0, 1, (1,), np.float32),
            "active_customers": spaces.Box(0, 1e15, (1,), np.float32),
            "supplier_up": spaces.Box(0, 1, (1,), np.float32),
            "day": spaces.Box(0, horizon, (1,), np.float32),
        }, sort_keys=False)
        self.action_space = spaces.Discrete(max_order + 1)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        self.day = 0
        self.on_hand = 120
        self.waiting: deque[int] = deque()  # customers owed one unit each
        self.pipeline: list[tuple[int, int]] = []  # (arrival day, units)
        self.loyalty = np.full(self.population, 0.8)
        self.cash = 20000.0
        self.last_order = 0
        self.daily_recorded: deque[int] = deque([0] * 28, maxlen=28)
        return self._obs(), {}

    def step(self, action):
        q = int(action)
        rng = self.np_random
        reward = 0.0
        if q > 0:
            lead = math.ceil(rng.gamma(1 / 0.09, 21 * 0.09))
            self.pipeline.append((self.day + lead, q))
            self.last_order = self.day
            reward -= 40.0
        self.day += 1
        arrived = sum(u for d, u in self.pipeline if d <= self.day)
        if arrived:
            self.pipeline = [(d, u) for d, u in self.pipeline if d > self.day]
            self.on_hand += arrived
            reward -= 150.0 * arrived
            while self.waiting and self.on_hand > 0:
                self.waiting.popleft()
                self.on_hand -= 1
                reward += 249.0
        recorded = 0
        loyalty = self.loyalty
        for _ in range(rng.poisson(6.0)):  # candidates at the bound rate, thinned by loyalty
            c = int(rng.integers(self.population))
            if rng.random() * 0.8 >= loyalty[c]:
                continue
            if self.on_hand > 0 and not self.waiting:
                self.on_hand -= 1
                reward += 249.0
                loyalty[c] += 0.02 * (1 - loyalty[c])
                recorded += 1
            elif self.backorders:
                self.waiting.append(c)
                recorded += 1
            else:
                loyalty[c] *= 0.94
        reward -= 0.10 * self.on_hand
        self.cash += reward
        self.daily_recorded.append(recorded)
        return self._obs(), reward, self.day >= self.horizon, False, {}

    def _obs(self) -> dict[str, np.ndarray]:
        buckets = np.zeros((1, 5), np.float32)
        for d, u in self.pipeline:
            buckets[0, min(4, (d - self.day) // 7)] += u
        on_order = sum(u for _, u in self.pipeline)
        last = list(self.daily_recorded)
        f = np.float32
        return {
            "on_hand": np.array([self.on_hand], f),
            "backorders": np.array([len(self.waiting)], f),
            "inventory_position": np.array([self.on_hand + on_order - len(self.waiting)], f),
            "pipeline": buckets,
            "days_since_order": np.array([self.day - self.last_order], f),
            "recorded_demand": np.array([[last[-1], sum(last[-7:]), sum(last)]], f),
            "cash": np.array([self.cash], f),
            "mean_loyalty": np.array([self.loyalty.mean()], f),
            "active_customers": np.array([self.population], f),
            "supplier_up": np.ones(1, f),
            "day": np.array([self.day], f),
        }


# ------------------------------------------------------------------------------------------------
# Timing


def actions(n: int) -> np.ndarray:
    """The shared action stream: 40 units on about one day in ten, else nothing."""
    rng = np.random.default_rng(2024)
    return np.where(rng.random(n) < 0.1, 40, 0).astype(np.int64)


def steps_per_second(env: gymnasium.Env, acts: np.ndarray, repeats: int) -> float:
    def run() -> None:
        env.reset(seed=1)
        step = env.step
        reset = env.reset
        for a in acts.tolist():
            if step(a)[2]:
                reset()

    best, _, _ = C.best_of(run, repeats)
    return len(acts) / best


def vector_steps_per_second(n_envs: int, calls: int, repeats: int, **kwargs: Any) -> float:
    envs = gymnasium.make_vec(sg.ENV_ID, num_envs=n_envs, vectorization_mode="vector_entry_point", **kwargs)
    batches = actions(calls * n_envs).reshape(calls, n_envs)

    def run() -> None:
        envs.reset(seed=1)
        for a in batches:
            envs.step(a)

    best, _, _ = C.best_of(run, repeats)
    return calls * n_envs / best


_OR_GYM_SNIPPET = r"""
import sys, time, warnings
warnings.filterwarnings("ignore")
import numpy as np
import or_gym, gym
env = or_gym.make("Newsvendor-v0").unwrapped
acts = np.where(np.random.default_rng(2024).random(int(sys.argv[1])) < 0.1, 40.0, 0.0).tolist()
best = float("inf")
for _ in range(int(sys.argv[2])):
    np.random.seed(1)
    env.reset()
    t = time.perf_counter()
    for a in acts:
        if env.step(a)[2]:
            env.reset()
    best = min(best, time.perf_counter() - t)
print(len(acts) / best, np.__version__, gym.__version__)
"""


def or_gym_steps(python: str, steps: int, repeats: int) -> tuple[float | None, str]:
    """(steps/s, note) of OR-Gym's Newsvendor-v0 in `python`, or (None, why not)."""
    done = subprocess.run([python, "-c", _OR_GYM_SNIPPET, str(steps), str(repeats)], capture_output=True, text=True)
    if done.returncode != 0:
        return None, done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"
    rate, numpy_v, gym_v = done.stdout.split()
    return float(rate), f"numpy {numpy_v}, gym {gym_v}, interpreter {python}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=200_000, help="decisions timed per single environment")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--vector", default="8,64,256", help="numbers of sub-environments of the vector form")
    ap.add_argument("--or-gym-python", default=sys.executable,
                    help="an interpreter where `import or_gym` works (default: this one)")
    args = ap.parse_args()
    C.header("Gymnasium environment: decisions per second (camera lens, backorder, daily)", args.repeats)
    sc = C.camera_lens()
    acts = actions(args.steps)
    rows: list[list[Any]] = []

    def add(what: str, rate: float) -> None:
        rows.append([what, f"{rate:,.0f}"])
        print(f"  {what}: {rate:,.0f} steps/s")
        C.flush()

    base = dict(scenario=sc, policy="backorder")
    add("stocklab, gymnasium.make, Dict observation",
        steps_per_second(gymnasium.make(sg.ENV_ID, **base), acts, args.repeats))
    add("stocklab, gymnasium.make, flat observation",
        steps_per_second(gymnasium.make(sg.ENV_ID, flatten_observation=True, **base), acts, args.repeats))
    add("stocklab, InventoryEnv unwrapped, Dict observation",
        steps_per_second(sg.InventoryEnv(sc, "backorder"), acts, args.repeats))
    single = float(rows[0][1].replace(",", ""))
    for n in (int(x) for x in args.vector.split(",")):
        calls = max(1, args.steps // n)
        add(f"stocklab vector form, N = {n}, Dict observation",
            vector_steps_per_second(n, calls, args.repeats, **base))
        add(f"stocklab vector form, N = {n}, flat observation",
            vector_steps_per_second(n, calls, args.repeats, flatten_observation=True, **base))
    peer_steps = max(1, args.steps // 10)
    add("PEER: simplified pure-Python env (written for this benchmark)",
        steps_per_second(PurePythonInventoryEnv(), acts[:peer_steps], args.repeats))
    rate, note = or_gym_steps(args.or_gym_python, peer_steps, args.repeats)
    if rate is None:
        print(f"  OR-Gym Newsvendor-v0: not measured ({note})")
        rows.append(["OR-Gym Newsvendor-v0", f"not measured: {note}"])
    else:
        add("OR-Gym Newsvendor-v0 (unwrapped)", rate)
        print(f"    ({note})")
    print()
    C.table(["environment", "steps/s"], rows, title="Decisions per second (best of repeats)")
    for what, rate_s in rows[1:]:
        if rate_s[0].isdigit():
            print(f"{what}: {float(rate_s.replace(',', '')) / single:.2f}x the single environment through make")


if __name__ == "__main__":
    main()
