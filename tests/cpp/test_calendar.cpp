// The event calendar pops in (time, type priority, seq) order; ties on (time, type) pop in
// scheduling order; the same-time order of event types is the one calendar.hpp names.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <set>
#include <tuple>
#include <vector>

#include "model/events.hpp"

namespace stocklab {
namespace {

constexpr int kTypeCount = 12;

EventType type_of(int i) { return static_cast<EventType>(i); }

/// Key the calendar must order by: (time, type priority, scheduling order).
using Key = std::tuple<double, int, std::uint64_t>;
Key key_of(const Event& e) { return {e.time, static_cast<int>(e.type()), e.seq()}; }

TEST(Calendar, PopsInTimeOrder) {
    Calendar cal;
    const std::vector<double> times{5.0, 1.0, 3.5, 0.0, 2.25, 10.0, 0.5};
    for (double t : times) cal.schedule(t, EventType::Demand);
    std::vector<double> popped;
    while (!cal.empty()) popped.push_back(cal.pop().time);
    std::vector<double> expected = times;
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(popped, expected);
}

TEST(Calendar, SameTimeOrderIsTheNamedModellingOrder) {
    // Schedule every type at the same instant in reverse priority order (twice over, shuffled), and
    // expect SupplierState < ShipmentArrival < Demand < DelayedReturn < NewCustomer < Cancellation <
    // SupplierPayment < Accrual < Review < Snapshot < ShipmentDelay < NoticeRound.
    Calendar cal;
    std::vector<int> order;
    for (int i = kTypeCount - 1; i >= 0; --i) order.push_back(i);
    std::mt19937 gen(7);
    std::vector<int> shuffled = order;
    std::shuffle(shuffled.begin(), shuffled.end(), gen);
    for (int i : order) cal.schedule(4.0, type_of(i), static_cast<std::uint32_t>(i));
    for (int i : shuffled) cal.schedule(4.0, type_of(i), static_cast<std::uint32_t>(100 + i));
    const std::vector<EventType> expected_types{
        EventType::SupplierState, EventType::ShipmentArrival, EventType::Demand,       EventType::DelayedReturn,
        EventType::NewCustomer,   EventType::Cancellation,    EventType::SupplierPayment, EventType::Accrual,
        EventType::Review,        EventType::Snapshot,        EventType::ShipmentDelay, EventType::NoticeRound};
    for (EventType want : expected_types) {
        // Two of each type; the one scheduled first (payload a < 100) comes first.
        Event first = cal.pop();
        Event second = cal.pop();
        EXPECT_EQ(first.type(), want);
        EXPECT_EQ(second.type(), want);
        EXPECT_LT(first.a, 100u);
        EXPECT_GE(second.a, 100u);
        EXPECT_LT(first.seq(), second.seq());
    }
    EXPECT_TRUE(cal.empty());
}

TEST(Calendar, ExplicitPriorityValuesAreTheContract) {
    // The numbering is the reproducibility contract: a renumbering changes same-time order.
    EXPECT_EQ(static_cast<int>(EventType::SupplierState), 0);
    EXPECT_EQ(static_cast<int>(EventType::ShipmentArrival), 1);
    EXPECT_EQ(static_cast<int>(EventType::Demand), 2);
    EXPECT_EQ(static_cast<int>(EventType::Review), 8);
    EXPECT_EQ(static_cast<int>(EventType::Snapshot), 9);
    EXPECT_EQ(static_cast<int>(EventType::ShipmentDelay), 10);
    EXPECT_EQ(static_cast<int>(EventType::NoticeRound), 11);
}

TEST(Calendar, EqualTimeAndTypePopInSchedulingOrder) {
    Calendar cal;
    for (std::uint32_t i = 0; i < 1000; ++i) cal.schedule(1.0, EventType::Demand, i, 0, 1000 - i);
    for (std::uint32_t i = 0; i < 1000; ++i) {
        const Event e = cal.pop();
        ASSERT_EQ(e.a, i) << "ties must pop in scheduling order";
        ASSERT_EQ(e.payload, 1000u - i);  // payload travels with its event
    }
    EXPECT_TRUE(cal.empty());
}

TEST(Calendar, RandomSchedulesMatchStableSortReference) {
    // Few distinct times and all types, so ties on (time, type) are frequent. Reference: the events in
    // scheduling order, stable-sorted by (time, type) only; stability supplies the seq tie-break.
    std::mt19937_64 gen(12345);
    std::uniform_int_distribution<int> time_pick(0, 7);
    std::uniform_int_distribution<int> type_pick(0, kTypeCount - 1);
    std::uniform_int_distribution<int> size_pick(1, 400);
    std::size_t ties_seen = 0;
    for (int trial = 0; trial < 300; ++trial) {
        Calendar cal;
        struct Ref {
            double time;
            int type;
            std::uint32_t id;
        };
        std::vector<Ref> ref;
        const int n = size_pick(gen);
        for (int i = 0; i < n; ++i) {
            const double t = 0.25 * time_pick(gen);
            const int ty = type_pick(gen);
            cal.schedule(t, type_of(ty), static_cast<std::uint32_t>(i));
            ref.push_back({t, ty, static_cast<std::uint32_t>(i)});
        }
        std::stable_sort(ref.begin(), ref.end(), [](const Ref& x, const Ref& y) {
            if (x.time != y.time) return x.time < y.time;
            return x.type < y.type;
        });
        for (std::size_t i = 1; i < ref.size(); ++i)
            if (ref[i].time == ref[i - 1].time && ref[i].type == ref[i - 1].type) ++ties_seen;
        ASSERT_EQ(cal.size(), ref.size());
        for (std::size_t i = 0; i < ref.size(); ++i) {
            const Event e = cal.pop();
            ASSERT_EQ(e.a, ref[i].id) << "trial " << trial << ", position " << i;
            ASSERT_EQ(e.time, ref[i].time);
            ASSERT_EQ(static_cast<int>(e.type()), ref[i].type);
        }
        ASSERT_TRUE(cal.empty());
    }
    EXPECT_GT(ties_seen, 1000u) << "the test must exercise the seq tie-break";
}

TEST(Calendar, InterleavedPushPopAgainstOrderedSetReference) {
    // A simulation-like workload: pop the minimum, schedule 0-3 new events at or after it (sometimes
    // at the same time), against a std::set of (time, type, seq) keys.
    std::mt19937_64 gen(99);
    std::uniform_int_distribution<int> fanout(0, 3);
    std::uniform_int_distribution<int> type_pick(0, kTypeCount - 1);
    std::uniform_int_distribution<int> delay_pick(0, 5);
    Calendar cal;
    std::set<Key> ref;
    std::uint64_t seq = 0;
    auto push = [&](double t, int ty) {
        cal.schedule(t, type_of(ty));
        ref.insert({t, ty, seq++});
    };
    for (int i = 0; i < 50; ++i) push(0.5 * delay_pick(gen), type_pick(gen));
    double last_time = 0.0;
    std::size_t pops = 0;
    while (!ref.empty() && pops < 200000) {
        ASSERT_EQ(cal.size(), ref.size());
        const Key want = *ref.begin();
        EXPECT_EQ(key_of(cal.top()), want);
        const Event e = cal.pop();
        ref.erase(ref.begin());
        ASSERT_EQ(key_of(e), want) << "after " << pops << " pops";
        ASSERT_GE(e.time, last_time);
        last_time = e.time;
        ++pops;
        if (e.time < 2000.0) {
            const int k = pops % 97 == 0 ? 0 : fanout(gen);  // let the heap shrink now and then
            for (int j = 0; j < k; ++j) push(e.time + 0.5 * delay_pick(gen), type_pick(gen));
        }
        // Keep the heap at a few hundred events (at most 4-ary depth ~5) so sift paths are deep.
        while (ref.size() > 600) {
            const Event x = cal.pop();
            ASSERT_EQ(key_of(x), *ref.begin());
            ref.erase(ref.begin());
        }
    }
    EXPECT_GT(pops, 10000u);
    EXPECT_EQ(cal.scheduled(), seq);
}

TEST(Calendar, ArbitraryPushPopAgainstReference) {
    // Unlike a simulation, also schedule events earlier than the last pop: the heap must still be exact.
    std::mt19937_64 gen(2024);
    std::uniform_real_distribution<double> time_pick(0.0, 100.0);
    std::uniform_int_distribution<int> type_pick(0, kTypeCount - 1);
    std::bernoulli_distribution do_push(0.55);
    Calendar cal;
    std::set<Key> ref;
    std::uint64_t seq = 0;
    for (int i = 0; i < 100000; ++i) {
        if (ref.empty() || do_push(gen)) {
            // Round times to a coarse grid so ties occur.
            const double t = std::floor(time_pick(gen) * 4.0) / 4.0;
            const int ty = type_pick(gen);
            cal.schedule(t, type_of(ty));
            ref.insert({t, ty, seq++});
        } else {
            const Event e = cal.pop();
            ASSERT_EQ(key_of(e), *ref.begin()) << "operation " << i;
            ref.erase(ref.begin());
        }
    }
    while (!ref.empty()) {
        ASSERT_EQ(key_of(cal.pop()), *ref.begin());
        ref.erase(ref.begin());
    }
    EXPECT_TRUE(cal.empty());
}

TEST(Calendar, TieHeavyRandomScheduleMatchesReference) {
    // Half the events share one type, interleaved pushes and pops, coarse times: many equal
    // (time, type) keys, ordered by seq alone.
    std::mt19937_64 gen(77);
    std::uniform_int_distribution<int> time_pick(0, 40);
    std::uniform_int_distribution<int> type_pick(0, kTypeCount - 1);
    std::bernoulli_distribution demand(0.5), do_push(0.6);
    Calendar cal;
    std::set<Key> ref;
    std::uint64_t seq = 0;
    std::size_t demand_pops = 0;
    for (int i = 0; i < 100000; ++i) {
        if (ref.empty() || do_push(gen)) {
            const double t = 0.5 * time_pick(gen);
            const int ty = demand(gen) ? static_cast<int>(EventType::Demand) : type_pick(gen);
            cal.schedule(t, type_of(ty));
            ref.insert({t, ty, seq++});
        } else {
            ASSERT_EQ(key_of(cal.top()), *ref.begin());
            const Event e = cal.pop();
            ASSERT_EQ(key_of(e), *ref.begin()) << "operation " << i;
            demand_pops += e.type() == EventType::Demand;
            ref.erase(ref.begin());
        }
        ASSERT_EQ(cal.size(), ref.size());
    }
    EXPECT_GT(demand_pops, 10000u);
}

TEST(Calendar, ClearResetsSequence) {
    Calendar cal;
    cal.schedule(1.0, EventType::Demand);
    cal.schedule(2.0, EventType::Demand);
    EXPECT_EQ(cal.scheduled(), 2u);
    cal.clear();
    EXPECT_TRUE(cal.empty());
    EXPECT_EQ(cal.scheduled(), 0u);
    cal.schedule(3.0, EventType::Snapshot, 7, 8, 9);
    const Event e = cal.pop();
    EXPECT_EQ(e.seq(), 0u);
    EXPECT_EQ(e.time, 3.0);
    EXPECT_EQ(e.a, 7u);
    EXPECT_EQ(e.b, 8u);
    EXPECT_EQ(e.payload, 9u);
}

}  // namespace
}  // namespace stocklab
