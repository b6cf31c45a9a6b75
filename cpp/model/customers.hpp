#pragma once
/// The customers: who they are (a structure of arrays indexed by customer id), when they come to buy,
/// new customers arriving by word of mouth, and what they remember (loyalty, churn, reputation).
/// When customers remember (behaviour on), each has its own clock: its occasions form a Poisson
/// process at a rate proportional to its loyalty, in operational time (the season), and a change of
/// loyalty rescales the time left (Gibson & Bruck's next-reaction method), so every occasion drawn is
/// real and a customer's occasions use only its own random numbers. With behaviour off (textbook
/// customers, all alike) one superposed stream picks customers uniformly, which equals the
/// anonymous Poisson stream bit for bit.
/// Invariants: ids are 0..size-1 in the order the scenario defines them (the initial population,
/// then prospective new customers in arrival order, active only if word of mouth let them join);
/// loyalty stays in [0, 1]; a churned customer never buys again; `loyalty_sum_active` equals the sum
/// of loyalty over active customers; a weight is computed from loyalty, activity and segment, never
/// stored; what a customer
/// does at their k-th candidate (the occasion's random numbers) is the same under every store policy.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include <boost/random/exponential_distribution.hpp>

#include "kernel/indexed_heap.hpp"
#include "kernel/random.hpp"
#include "model/events.hpp"
#include "model/season.hpp"
#include "scenario/scenario.hpp"

namespace stocklab {

struct CustomerPopulation {
    /// One customer in one 32-byte record, aligned so it never straddles a cache line: an occasion
    /// reads and writes most of it (stream, loyalty, counts, segment), and with a large population
    /// each separate array was a cache miss of its own.
    struct alignas(32) Person {
        Engine stream;               // one seed per purchase occasion, keyed by customer id
        double loyalty;
        std::uint32_t occasions;     // in the window
        std::uint32_t purchases;     // occasions with units served (stock or backorder), in the window
        std::uint8_t active;
        std::uint8_t segment;        // index into the scenario's segments
    };
    std::vector<Person> people;
    std::vector<double> segment_factor{1.0};  // visit-rate weight of each segment
    bool unit_factors = true;                 // every factor is 1: weights skip the lookup
    double loyalty_sum_active = 0.0;
    std::int64_t active_count = 0;
    std::int64_t buyers = 0, repeat_buyers = 0;  // customers with 1+ and 2+ purchases in the window
    bool loyalty_scales_rate = true;  // false with behaviour off: every active customer weighs 1

    std::size_t size() const { return people.size(); }
    Engine& stream(std::size_t id) { return people[id].stream; }
    double loyalty(std::size_t id) const { return people[id].loyalty; }
    bool active(std::size_t id) const { return people[id].active != 0; }
    std::uint8_t segment(std::size_t id) const { return people[id].segment; }
    /// The thinning weight: loyalty (or 1 when loyalty does not scale the rate) times the segment's
    /// factor while active, 0 once churned or never joined.
    double weight(std::size_t id) const { return weight_of(people[id]); }
    double weight_of(const Person& p) const { return weights(p, p.loyalty).second; }
    /// The customer's weights at loyalty `before` and at its loyalty now, from one reading of its
    /// state (a loyalty change needs both).
    std::pair<double, double> weights(const Person& p, double before) const {
        if (!p.active) return {0.0, 0.0};
        double was = loyalty_scales_rate ? before : 1.0, now = loyalty_scales_rate ? p.loyalty : 1.0;
        if (!unit_factors) {  // x 1 leaves a weight as it is
            was *= segment_factor[p.segment];
            now *= segment_factor[p.segment];
        }
        return {was, now};
    }

    /// Segments by a low-discrepancy sequence over ids (the golden ratio's multiples): every prefix
    /// of the population holds each segment's share to within a few customers, and a customer's
    /// segment is the same in every replication and under every policy.
    void set_segments(const std::vector<Segment>& segments, const std::vector<double>& factors) {
        segment_factor = factors;
        unit_factors = std::all_of(factors.begin(), factors.end(), [](double f) { return f == 1.0; });
        segment_cdf.clear();
        double cum = 0.0;
        for (const Segment& g : segments) segment_cdf.push_back(cum += g.share);
        segment_cdf.back() = 1.0;
    }
    std::uint8_t segment_for(std::size_t id) const {
        if (segment_cdf.size() <= 1) return 0;
        // The fractional part, as fmod(v, 1) gives it (v minus its whole part is exact), without
        // fmod's call: it ran for every customer of every replication (4% of a 100,000-customer store).
        const double v = static_cast<double>(id + 1) * 0.6180339887498949;
        const double u = v - static_cast<double>(static_cast<std::uint64_t>(v));
        std::size_t g = 0;
        while (g + 1 < segment_cdf.size() && u >= segment_cdf[g]) ++g;
        return static_cast<std::uint8_t>(g);
    }

    void reserve(std::size_t n) { people.reserve(n); }

    void add(double initial_loyalty, std::uint64_t seed, bool is_active) {
        people.push_back(Person{Engine(seed), initial_loyalty, 0, 0, std::uint8_t{is_active}, segment_for(size())});
        if (is_active) {
            loyalty_sum_active += initial_loyalty;
            ++active_count;
        }
    }

    /// The initial population, at once: n active customers, their streams not seeded yet (the
    /// caller seeds them, or seeds each when first needed). The same state as n calls of add(), in
    /// a fraction of the time (it runs every replication).
    void add_initial(std::size_t n, double initial_loyalty) {
        const std::size_t first = size();
        // Each record built in place (value-initialised: zero counts, segment 0, the stream in
        // Engine(0)'s state until seeded), then its two other fields: copying a prototype record
        // compiled to a loop that stalled on every copy (partial stores reloaded whole), 5-10% of a
        // one-year camera-lens replication's time.
        people.reserve(first + n);
        for (std::size_t i = 0; i < n; ++i) {
            Person& p = people.emplace_back();
            p.loyalty = initial_loyalty;
            p.active = 1;
        }
        if (segment_cdf.size() > 1)
            for (std::size_t i = first; i < first + n; ++i) people[i].segment = segment_for(i);
        loyalty_sum_active = summed(loyalty_sum_active, n, initial_loyalty);
        active_count += static_cast<std::int64_t>(n);
    }

    void set_loyalty(std::size_t id, double value) {
        if (value < 0.0) value = 0.0;  // model bounds, not input clamping: rules keep it in [0, 1]
        if (value > 1.0) value = 1.0;
        Person& p = people[id];
        if (p.active) loyalty_sum_active += value - p.loyalty;
        p.loyalty = value;
    }

    void churn(std::size_t id) {
        Person& p = people[id];
        if (!p.active) return;
        p.active = 0;
        loyalty_sum_active -= p.loyalty;
        --active_count;
    }

private:
    /// `from` plus `n` additions of `x`, one at a time as add() sums (bit for bit). A chain of n
    /// dependent additions (3,000 for the camera lens: 1.5% of a one-year replication), the same in
    /// every replication: remembered per thread for the last arguments.
    static double summed(double from, std::size_t n, double x) {
        struct Last { double from, x, sum; std::size_t n; bool set; };
        thread_local Last last{0.0, 0.0, 0.0, 0, false};
        if (n == 0) return from;
        if (last.set && last.n == n && last.from == from && last.x == x) return last.sum;
        double sum = from;
        for (std::size_t i = 0; i < n; ++i) sum += x;
        last = Last{from, x, sum, n, true};
        return sum;
    }

    std::vector<double> segment_cdf{1.0};
};

/// A purchase occasion: the seed of the random numbers of what the customer does, who (-1:
/// anonymous), and for which item (-1: a visit that picks its basket). Plain data: the candidate
/// loop fills one for every candidate.
struct Occasion {
    std::uint64_t seed;
    std::int64_t customer;
    std::int64_t item = -1;
};

/// What a bad experience did beyond lowering loyalty.
struct BadExperience {
    bool reviewed = false;  // posted a negative review
    bool churned = false;   // stopped buying here
};

/// The customer side of the store. Owns its random streams and its events (NewCustomer,
/// DelayedReturn); the next purchase occasion (most of a run's events) waits beside the calendar as
/// one time, not in it (a calendar round trip per occasion cost ~25%).
class CustomerBase {
public:
    static constexpr double kNoCandidate = std::numeric_limits<double>::infinity();

    CustomerBase(const Scenario& sc, std::uint64_t seed, std::uint64_t replication, Calendar& cal);

    /// Time of the next purchase candidate (kNoCandidate when none before the horizon).
    double next_candidate() const { return next_candidate_; }

    /// Handles the candidate due at `now`: draws the next one, and returns true with `occ` filled
    /// when the candidate is a real purchase occasion (not thinned away). Inline: most events.
    [[gnu::always_inline]] inline bool candidate(double now, Occasion& occ);
    /// The occasion candidate() returned has been handled: the customer's clock moves on at its
    /// loyalty now.
    [[gnu::always_inline]] void occasion_done() {
        if (firing_ >= 0) restart_clock();
    }

    /// A prospective customer arrives (thinned by reputation); returns the id if they joined, else -1.
    std::int64_t on_new_customer(double now);

    bool active(std::int64_t id) const { return customers_.active(static_cast<std::size_t>(id)); }
    /// The customer's segment (0 for an anonymous customer, id -1).
    std::uint32_t segment(std::int64_t id) const {
        return id < 0 ? 0u : customers_.segment(static_cast<std::size_t>(id));
    }
    const CustomerPopulation& population() const { return customers_; }
    double loyalty(std::int64_t id) const { return customers_.loyalty(static_cast<std::size_t>(id)); }
    void count_occasion(std::int64_t id) { customers_.people[static_cast<std::size_t>(id)].occasions += 1; }
    /// Counted as they happen: a scan of every customer at the end cost more than the counting.
    void count_purchase(std::int64_t id) {
        const std::uint32_t n = ++customers_.people[static_cast<std::size_t>(id)].purchases;
        if (n <= 2) [[unlikely]] ++(n == 1 ? customers_.buyers : customers_.repeat_buyers);
    }

    /// Loyalty moves toward 1 by `gain` (l += gain (1 - l)).
    void good_experience(std::int64_t id, double gain, double now);
    /// Loyalty scaled by (1 - factor), with no review or churn (a backorder shipped on time).
    void scale_loyalty(std::int64_t id, double factor, double now);
    /// Loyalty cut by `penalty`; may post a negative review and churn (uniforms drawn earlier).
    BadExperience bad_experience(std::int64_t id, double penalty, float u_review, float u_churn, double now);
    /// A positive review lifts the reputation; returns the new reputation.
    double positive_review(double now);

    double reputation_at(double t) const;
    double reputation() const { return reputation_; }  // as of its last change
    std::int64_t joined() const { return joined_; }
    std::int64_t active_count() const { return customers_.active_count; }
    double mean_loyalty() const;  // over active customers; NaN when none
    bool customers_mode() const { return customers_mode_; }
    std::int64_t candidates_drawn() const { return candidates_; }

private:
    /// How strongly the customer's segment feels a loss of loyalty (1 = as the rules say).
    double sensitivity(std::int64_t id) const { return sc_.customers.segments[segment(id)].loyalty_sensitivity; }
    void set_loyalty(std::size_t id, double value, double now);
    void update_candidate_rate();
    [[gnu::always_inline]] inline void schedule_next_candidate(double now);
    [[gnu::always_inline]] inline bool superposed_candidate(double now, Occasion& occ);
    [[gnu::always_inline]] inline bool clock_candidate(Occasion& occ);
    void start_clocks();
    void set_segments();
    double initial_weights(std::size_t n) const;
    std::uint32_t pick_from_pool();
    void draw_pool_key(std::size_t g, double from);
    void restart_clock();
    void rescale_clock(std::size_t id, double old_weight, double now);
    void join_clocks(std::size_t id, double now);
    [[gnu::always_inline]] inline void refresh_next();
    void schedule_next_new_customer(double now);
    double new_customer_bound() const;

    const Scenario& sc_;
    std::uint64_t seed_;
    std::uint64_t replication_;
    Calendar& cal_;
    bool customers_mode_;
    bool behaviour_;
    Engine rng_arrivals_, rng_pick_, rng_thin_, rng_new_, rng_anonymous_;
    double max_rate_ = 0.0;        // thinning bound on the total rate of the initial population
    double candidate_rate_ = 0.0;  // candidates per day: the bound over every customer id so far
    double next_candidate_ = kNoCandidate;
    std::int64_t candidates_ = 0;
    // Clocks (behaviour on). The initial customers of a segment who have not bought yet all have the
    // same rate: they wait in their segment's pool, a superposed stream with a uniform pick (nothing
    // drawn for them at the start, and the pools are the same under every policy); everyone else in
    // a heap of next-occasion keys in operational time.
    bool clocks_ = false;
    bool uneven_rates_ = false;  // segments visit at different rates (thinning needed without clocks)
    Season season_;
    double unit_rate_ = 0.0;  // occasions per operational day per unit of weight (loyalty x factor)
    struct Pool {
        std::vector<std::uint32_t> ids;
        double key = kNoCandidate;
    };
    std::vector<Pool> pools_;        // one per segment
    std::size_t pool_next_ = 0;      // the pool with the earliest key
    double pool_key_ = kNoCandidate; // its key
    IndexedHeap clock_;
    std::vector<std::uint8_t> clocked_;  // has its own clock (bought once, or joined later)
    std::int64_t firing_ = -1;          // the customer whose occasion is being handled
    double firing_key_ = 0.0;
    double firing_gap_ = 0.0;            // its Exp(1) to the next occasion
    double next_key_ = -1.0;             // the key next_candidate_ was computed from
    CustomerPopulation customers_;
    std::int64_t joined_ = 0;  // initial population + prospects who joined
    double reputation_ = 0.0;
    double reputation_time_ = 0.0;
};

inline void CustomerBase::schedule_next_candidate(double now) {
    const double dt = boost::random::exponential_distribution<double>(candidate_rate_)(rng_arrivals_);
    const double t = now + dt;
    next_candidate_ = t < sc_.run.horizon_days ? t : kNoCandidate;
}

/// The next occasion's real time, from the earliest key (the season's inverse only when it moved).
inline void CustomerBase::refresh_next() {
    const double key = clock_.empty() ? pool_key_ : std::min(pool_key_, clock_.top_key());
    if (key == next_key_) return;
    next_key_ = key;
    const double t = season_.flat() || key == kNoCandidate ? key : season_.inverse(key);
    next_candidate_ = t < sc_.run.horizon_days ? t : kNoCandidate;
}

inline bool CustomerBase::candidate(double now, Occasion& occ) {
    ++candidates_;
    return clocks_ ? clock_candidate(occ) : superposed_candidate(now, occ);
}

inline bool CustomerBase::clock_candidate(Occasion& occ) {
    const bool from_pool = clock_.empty() || pool_key_ <= clock_.top_key();
    firing_key_ = from_pool ? pool_key_ : clock_.top_key();
    const std::uint32_t id = from_pool ? pick_from_pool() : clock_.top_id();
    Engine& stream = customers_.stream(id);
    // The next occasion is most likely the next clock's: with many clocks, its record (out of cache)
    // arrives while this occasion is handled.
    if (clock_.large()) __builtin_prefetch(&customers_.people[clock_.next_top_id()]);
    occ = Occasion{stream(), static_cast<std::int64_t>(id)};
    firing_gap_ = boost::random::exponential_distribution<double>(1.0)(stream);
    firing_ = static_cast<std::int64_t>(id);
    return true;
}

inline bool CustomerBase::superposed_candidate(double now, Occasion& occ) {
    schedule_next_candidate(now);
    const double amp = sc_.demand.seasonality.amplitude;
    const double season = amp > 0 ? season_.factor(now) / (1.0 + amp) : 1.0;
    if (!customers_mode_) {
        if (amp > 0 && uniform01(rng_thin_) >= season) return false;
        occ = Occasion{rng_anonymous_(), -1};
        return true;
    }
    const std::size_t n = customers_.size();
    std::size_t id = static_cast<std::size_t>(uniform01(rng_pick_) * static_cast<double>(n));
    if (id >= n) id = n - 1;
    CustomerPopulation::Person& c = customers_.people[id];
    // Every potential occasion of a customer consumes one seed from that customer's stream, so the
    // k-th potential occasion carries the same random numbers under every store policy.
    const std::uint64_t occasion_seed = c.stream();
    const double weight = customers_.weight_of(c);
    // Thinning draws only when loyalty, the season or segments can scale the rate (with none, the run equals
    // the anonymous Poisson stream bit for bit); a weight of 0 (churned, or a prospect who stayed
    // away) always rejects.
    const bool thin = behaviour_ || amp > 0 || uneven_rates_;
    if (thin ? uniform01(rng_thin_) >= season * weight : weight == 0.0) return false;
    occ = Occasion{occasion_seed, static_cast<std::int64_t>(id)};
    return true;
}

}  // namespace stocklab
