"""Adversarial cases (issue 20 and after): what a hostile or careless user does, and the clear error
or correct result each must give. A growing file: add each new case here with its reproducer."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

import stocklab as sl
from stocklab import _core


@pytest.fixture(scope="module")
def lens() -> sl.Scenario:
    return sl.load_scenario("camera_lens").with_overrides({"run.horizon_days": 60})


def run_python(code: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Runs code in a fresh interpreter: a crash there fails the test instead of killing pytest."""
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=timeout)


# Crashes ---------------------------------------------------------------------------------------------
def test_two_threads_on_one_simulation_get_a_clear_error():
    """Issue 20.1: run_until releases the GIL; two threads in one engine corrupted the heap."""
    out = run_python("""
        import threading
        import stocklab as sl
        from stocklab import _core
        sc = sl.load_scenario("camera_lens").with_overrides({"run.horizon_days": 365000})
        sim = _core.Simulation(sc.parsed(), 3)
        start = threading.Barrier(2)
        errors = []
        def go(t):
            start.wait()
            try:
                sim.run_until(t)
            except RuntimeError as e:
                errors.append(e)
        threads = [threading.Thread(target=go, args=(t,)) for t in (365000, 360000)]
        for t in threads: t.start()
        for t in threads: t.join()
        assert len(errors) == 1, errors
        assert isinstance(errors[0], _core.SimulationBusyError), errors
        print(errors[0])
        assert sim.invariants()["time_monotone"] and sim.now in (360000, 365000)
    """)
    assert out.returncode == 0, out.stderr
    assert "already running in another thread or in its own policy" in out.stdout


def test_policy_stepping_its_own_simulation_gets_a_clear_error(lens):
    """Issue 20.14: a policy that steps the Simulation that is asking it."""
    class Meddler(sl.ReplenishmentPolicy):
        sim = None

        def order(self, view):
            if self.sim is not None:  # None while the Simulation is being built (it asks at time 0)
                self.sim.step()
            return 0

    policy = Meddler()
    sim = _core.Simulation(lens.parsed(), 1, 0, policy)
    policy.sim = sim
    with pytest.raises(_core.SimulationBusyError, match="in its own policy"):
        sim.run_until(30)

    class Reader(Meddler):
        def order(self, view):
            if self.sim is not None:
                return self.sim.state["on_hand"] * 0
            return 0

    # A read from inside the policy is refused the same way: the engine is mid-event.
    policy2 = Reader()
    sim2 = _core.Simulation(lens.parsed(), 1, 0, policy2)
    policy2.sim = sim2
    with pytest.raises(_core.SimulationBusyError):
        while sim2.step():
            pass


def test_thread_start_failure_is_a_clear_error_not_an_abort():
    """Issue 20.2: under a memory limit, a thread that cannot start aborted the process (rc 134)."""
    out = run_python("""
        import resource
        import stocklab as sl
        from stocklab import _core
        sc = sl.load_scenario("camera_lens").with_overrides({"run.horizon_days": 60})
        parsed = sc.parsed()
        with open("/proc/self/statm") as f:
            used = int(f.read().split()[0]) * resource.getpagesize()
        resource.setrlimit(resource.RLIMIT_AS, (used + (64 << 20), resource.RLIM_INFINITY))
        try:
            _core.run_replications(parsed, 1, 0, 4000, _core.max_jobs())
        except RuntimeError as e:
            print(e)
    """)
    assert out.returncode == 0, out.stderr
    assert "could not start thread" in out.stdout and "use fewer jobs" in out.stdout


@pytest.mark.parametrize("returned", [None, "7", True, 1j])
def test_review_period_of_the_wrong_type_is_a_clear_error(lens, returned):
    """Issue 20.14: review_period_days() returning None or a string gave a raw pybind cast error."""
    class Odd(sl.ReplenishmentPolicy):
        def order(self, view):
            return 0

        def review_period_days(self):
            return returned

    with pytest.raises(TypeError, match=r"policy.review_period_days\(\) returned .*: it must return a number"):
        sl.simulate(lens, seed=1, replenishment=Odd())


def test_review_hooks_accept_numpy_numbers(lens):
    np = pytest.importorskip("numpy")

    class Weekly(sl.ReplenishmentPolicy):
        def order(self, view):
            return 30 if view.inventory_position < 60 else 0

        def review_period_days(self):
            return np.float32(7)

        def review_offset_days(self):
            return np.int64(1)

    class Plain(Weekly):
        def review_period_days(self):
            return 7.0

        def review_offset_days(self):
            return 1

    a = sl.simulate(lens, seed=2, replenishment=Weekly()).summary
    b = sl.simulate(lens, seed=2, replenishment=Plain()).summary
    assert a.equals(b)
