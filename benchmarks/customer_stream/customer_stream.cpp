// customer_stream: designs for the purchase-occasion stream of a customer population, measured side
// by side before one of them goes into the engine (issues 19 and 14).
//
// Only the customer side of the model is simulated, with a synthetic loyalty process that resembles
// the engine's: N customers, customer i buys at rate base x weight_i (x the season factor
// 1 + a sin(2 pi t / P)), weight = loyalty while active and 0 once churned or for a prospect who
// never joined. Prospects arrive in a Poisson stream and join with a reputation-dependent chance
// (2 / (1 + e^-R), R lowered by negative reviews, decaying back to 0). At each real occasion the
// customer buys one item (or, at store scale, a basket drawn by popularity from the occasion's own
// stream); an item is out of stock during the last `out_days[policy]` days of every `cycle` days
// (stock-outs are periods of time, as in the engine, so a design that moves a customer's occasions in
// time between policies loses common random numbers there). A stock-out is a bad experience: loyalty
// x (1 - cut) or churn, now or, with some chance, after a delay (a late or cancelled backorder: a
// rate change at a time that is not the customer's own occasion). A served occasion gains loyalty.
//
// Every design produces the same model (the same distribution of occasions); they differ in how
// occasion times and customers are drawn and in which random streams they use:
//   superposed   today's engine: one candidate stream at the bound rate of every id ever seen, a
//                global pick, one seed from the picked customer's stream, a global thinning draw
//   dense        the same, over a dense array of the ids that can still buy (churned and
//                never-joined ids swap-removed); thinning draw from the customer's stream
//   dense+max    dense with an adaptive bound: the smallest 2^(k/8) above the largest live weight
//   cr2, cr2^1/4 composition-rejection by rate class (Gillespie CR / constant-time kinetic Monte
//                Carlo): weights in (2^-(k+1)/m, 2^-k/m], class by its total bound, member uniformly,
//                accepted with weight / class bound (>= 2^-1/m); m = 1 and m = 4 classes per octave
//   nrm-op       next-reaction method (Gibson-Bruck): each customer's next occasion in an indexed
//                4-ary heap, from Exp(1) draws of the customer's own stream; a rate change at another
//                time rescales the remaining time by r / r' (no draw); churn removes; seasonality by
//                operational time tau(t) = int_0^t season (closed form; inverse by safeguarded Newton)
//   nrm-thin     the same heap, seasonality by thinning (clocks at the peak rate, own-stream uniform)
//   nrm-pool     nrm-op, but the initial customers wait for their first occasion in a pool: one
//                superposed stream at n_pool x base x l0 with a uniform pick (exact: no weight has
//                changed yet), then join the heap; nothing drawn per customer at set-up
//   nrm-bucket   nrm-op with the clocks in a two-level queue: the current window in a small indexed
//                heap, later windows in a ring of unsorted buckets (a simplified ladder queue)
//   nrm-cal      nrm-op with the clocks in a calendar queue: later windows in unsorted buckets, the
//                current window sorted once and consumed in order (stale entries skipped)
//   nrm-cls2, nrm-cls2^1/2  the same heap (operational time), but each clock runs at the bound of
//                the customer's weight class (m = 1 or 2 classes per octave), thinned by weight /
//                bound from the customer's stream: a weight change inside a class moves no clock
//   sumtree      exact selection without rejection: a complete binary tree of weights by id, the
//                total rate at its root, a pick by descent (O(log n)); no thinning without a season
//
// usage: customer_stream [part=all|timing|crn|valid] [scenarios=camera,decay,seasonal,store]
//                        [years=1,10,100] [repeats=3] [crn_reps=200] [valid_reps=200] [seed=1]
//                        [only=DESIGN scenario=NAME years=Y reps=N policy=P]   (one run, for callgrind)
//
// A benchmark, not a test: it prints figures. It exits 1 only if a correctness check (a z-score
// derived from the replications' variance) fails; never on a timing.
#include <boost/random/exponential_distribution.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <numbers>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "../bench_args.hpp"
#include "kernel/calendar.hpp"
#include "kernel/random.hpp"

namespace {

using stocklab::Purpose;
using stocklab::StreamKey;
using stocklab::uniform01;
using GlobalEngine = stocklab::Engine;  // a store-wide stream
using SmallEngine = stocklab::Engine;   // a customer's or an occasion's stream

/// The benchmark's calendar events, in their same-time order (the engine's ranks: a purchase
/// candidate, kept beside the calendar, goes before both).
enum class EventType : std::uint8_t {
    NewCustomer = 4,   // a prospect arrives
    Cancellation = 5,  // a bad experience felt later (a late or cancelled backorder); a = customer
};
using Calendar = stocklab::BasicCalendar<EventType>;
using Event = stocklab::BasicEvent<EventType>;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::uint32_t kNone = 0xFFFFFFFFu;
/// Clock queues with windows (BucketClocks, CalendarClocks): firings a window at the initial rate.
constexpr double kPerWindow = 16.0;

template <class Engine>
double exp_draw(Engine& e, double rate) {
    return boost::random::exponential_distribution<double>(rate)(e);
}

std::uint64_t to_bits(double d) {
    std::uint64_t u;
    std::memcpy(&u, &d, sizeof u);
    return u;
}

double from_bits(std::uint64_t u) {
    double d;
    std::memcpy(&d, &u, sizeof d);
    return d;
}

template <class T>
std::size_t vec_bytes(const std::vector<T>& v) {
    return v.capacity() * sizeof(T);
}

// ---------------------------------------------------------------------------------------------
// The synthetic model

struct Population {
    const char* name;
    std::uint32_t n0;       // initial customers
    double base;            // occasions a day of a customer of weight 1
    double l0;              // weight (loyalty) of an initial customer and of a prospect who joins
    double new_rate;        // prospects a day
    double gain;            // served: l += gain (1 - l)
    double cut;             // bad experience: l *= 1 - cut
    double churn_p;         // chance a bad experience churns the customer
    double delay_p;         // chance the bad experience comes later (backorder late or cancelled)
    double delay_mean;      // its mean delay, days
    double review_p;        // chance a bad experience gives a negative review
    double review_w;        // how far a review lowers the reputation
    double memory;          // reputation's time constant, days
    double season_amp;      // a in 1 + a sin(2 pi t / P)
    double season_period;   // P, days
    std::uint32_t items;    // 1: one item; more: a basket by popularity at each visit
    double basket_mean;     // mean items a visit (items > 1)
    double cycle;           // stock-out cycle, days
    double out_days[2];     // days out of stock at the end of each cycle, by policy
};

/// Camera-lens-like: 3,000 customers, 6 occasions a day at the start (loyalty 0.8), 0.5 prospects a
/// day, the engine's loyalty rules (served +2%, turned away -6%, churn 5% per bad experience).
Population camera() {
    return {"camera", 3000, 6.0 / (3000 * 0.8), 0.8, 0.5, 0.02, 0.06, 0.05, 0.15, 14.0, 0.1, 0.05, 90.0,
            0.0, 365.0, 1, 1.0, 28.0, {5.0, 6.0}};
}

/// Decaying loyalty: each stock-out cuts the customer's rate by 30% and nothing restores it.
Population decaying() {
    Population p = camera();
    p.name = "decay";
    p.gain = 0.0;
    p.cut = 0.3;
    p.churn_p = 0.0;
    return p;
}

/// The camera lens with a yearly season of amplitude 0.5 (the peak rate 1.5 x the mean).
Population seasonal() {
    Population p = camera();
    p.name = "seasonal";
    p.season_amp = 0.5;
    return p;
}

/// Store scale (issue 14): 100,000 customers visiting 0.01 times a day at loyalty 0.8, baskets of
/// 1.3 items on average from 1,000 items with Zipf popularity, each item out of stock in its own
/// phase of the cycle; 20 prospects a day.
Population store() {
    Population p = camera();
    p.name = "store";
    p.n0 = 100000;
    p.base = 0.01 / 0.8;
    p.new_rate = 20.0;
    p.items = 1000;
    p.basket_mean = 1.3;
    return p;
}

/// A fixed-rate population for validation: no loyalty changes, no churn, no reviews, so every
/// customer buys at base x l0 and prospects all join (reputation stays 0).
Population fixed_rate(Population p, bool prospects) {
    p.gain = p.cut = p.churn_p = p.delay_p = p.review_p = 0.0;
    if (!prospects) p.new_rate = 0.0;
    return p;
}

/// Items: popularity (Zipf, exponent 1) as Vose's alias table, prices and stock-out phases.
struct Catalogue {
    std::vector<double> prob;
    std::vector<std::uint32_t> alias;
    std::vector<double> price;
    std::vector<double> phase;

    explicit Catalogue(const Population& p) {
        const std::uint32_t n = p.items;
        std::vector<double> w(n);
        double sum = 0.0;
        for (std::uint32_t j = 0; j < n; ++j) sum += w[j] = 1.0 / (j + 1.0);
        build_alias(w, sum);
        for (std::uint32_t j = 0; j < n; ++j) {
            price.push_back(n == 1 ? 100.0 : 10.0 + (j * 37u) % 200u);
            phase.push_back(n == 1 ? 0.0 : std::fmod(j * 0.6180339887498949 * p.cycle, p.cycle));
        }
    }

    std::uint32_t pick(SmallEngine& e) const {
        const double u = uniform01(e) * static_cast<double>(prob.size());
        std::uint32_t j = static_cast<std::uint32_t>(u);
        if (j >= prob.size()) j = static_cast<std::uint32_t>(prob.size() - 1);
        return u - j < prob[j] ? j : alias[j];
    }

    std::size_t bytes() const { return vec_bytes(prob) + vec_bytes(alias) + vec_bytes(price) + vec_bytes(phase); }

private:
    void build_alias(const std::vector<double>& w, double sum) {
        const std::size_t n = w.size();
        prob.assign(n, 1.0);
        alias.resize(n);
        std::vector<double> scaled(n);
        std::vector<std::uint32_t> small, large;
        for (std::size_t j = 0; j < n; ++j) {
            scaled[j] = w[j] * static_cast<double>(n) / sum;
            (scaled[j] < 1.0 ? small : large).push_back(static_cast<std::uint32_t>(j));
        }
        for (std::size_t j = 0; j < n; ++j) alias[j] = static_cast<std::uint32_t>(j);
        while (!small.empty() && !large.empty()) {
            const std::uint32_t s = small.back(), l = large.back();
            small.pop_back();
            prob[s] = scaled[s];
            alias[s] = l;
            scaled[l] -= 1.0 - scaled[s];
            if (scaled[l] < 1.0) {
                large.pop_back();
                small.push_back(l);
            }
        }
    }
};

/// The season factor and operational time tau(t) = int_0^t (1 + a sin(w s)) ds, in closed form.
struct Season {
    double amp = 0.0;
    double w = 1.0;

    explicit Season(const Population& p) : amp(p.season_amp), w(2.0 * std::numbers::pi / p.season_period) {}
    double peak() const { return 1.0 + amp; }
    double factor(double t) const { return amp == 0.0 ? 1.0 : 1.0 + amp * std::sin(w * t); }
    double relative(double t) const { return amp == 0.0 ? 1.0 : factor(t) / peak(); }
    double tau(double t) const { return amp == 0.0 ? t : t + amp / w * (1.0 - std::cos(w * t)); }

    /// tau^-1(u): tau(t) lies in [t, t + 2a/w], so t lies in [u - 2a/w, u]; Newton, falling back to
    /// bisection when a step leaves the bracket (tau' = season >= 1 - a > 0, so the root is unique).
    double tau_inv(double u) const {
        if (amp == 0.0) return u;
        double lo = u - 2.0 * amp / w, hi = u;
        double t = u - amp / w * (1.0 - std::cos(w * u));
        for (int i = 0; i < 60; ++i) {
            const double f = tau(t) - u;
            if (f == 0.0) return t;
            (f < 0.0 ? lo : hi) = t;
            double next = t - f / factor(t);
            if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
            if (std::abs(next - t) <= 1e-15 * std::max(1.0, std::abs(t))) return next;
            t = next;
        }
        return t;
    }
};

/// tau^-1 for a stream of increasing keys: Newton started from the last result, whose tau and
/// season factor are kept, so a conversion costs about two sin/cos evaluations instead of five.
struct TauInverse {
    double t = 0.0, tau = 0.0, s = 1.0;

    double invert(const Season& season, double u) {
        if (season.amp == 0.0) return u;
        const double lo = u - 2.0 * season.amp / season.w, hi = u;
        double next = t + (u - tau) / s;
        for (int i = 0; i < 8; ++i) {
            if (!(next > lo && next < hi)) break;  // left the bracket: the safeguarded solver
            t = next;
            tau = season.tau(t);
            s = season.factor(t);
            const double step = (tau - u) / s;
            if (std::abs(step) <= 1e-15 * std::max(1.0, std::abs(t))) return t;
            next = t - step;
        }
        t = season.tau_inv(u);
        tau = season.tau(t);
        s = season.factor(t);
        return t;
    }
};

struct RunConfig {
    double horizon;
    int policy;
    std::uint64_t seed;
    std::uint64_t rep;
};

/// A customer's weight before and after an experience (new_w == 0: churned).
struct Change {
    bool changed = false;
    double old_w = 0.0;
    double new_w = 0.0;
};

/// A candidate the design drew: the customer (kNone when thinned away) and the occasion's seed.
struct Fired {
    std::uint32_t id;
    std::uint64_t seed;
};

/// The customers' state shared by every design, and the model's reaction to an occasion. The
/// occasion's random numbers all come from its seed (a fixed draw order), so they are the same under
/// both policies whenever the design hands the same customer the same seed.
class Model {
public:
    /// What a candidate reads: the customer's own stream and weight (as the engine's `Hot`).
    struct Hot {
        SmallEngine stream;
        double weight;
    };
    std::vector<Hot> hot;
    std::vector<std::uint32_t> sold;  // per item

    std::uint64_t occasions = 0, units = 0, shocks = 0, churned = 0, joined = 0;
    double revenue = 0.0;

    Model(const Population& p, const Catalogue& cat, const RunConfig& c) : p_(p), cat_(cat), c_(c) {
        hot.reserve(p.n0 + static_cast<std::size_t>(p.new_rate * c.horizon * 1.2 + 16.0));
        for (std::uint32_t i = 0; i < p.n0; ++i) add(true);
        joined = 0;
        sold.assign(p.items, 0);
    }

    std::uint32_t add(bool joins) {
        const auto id = static_cast<std::uint32_t>(hot.size());
        hot.push_back(Hot{SmallEngine(stream_seed(c_.seed, c_.rep, Purpose::Customer, StreamKey{id})), joins ? p_.l0 : 0.0});
        if (joins) ++joined;
        return id;
    }

    /// Reputation R scales joining by 2 / (1 + e^-R): 1 at R = 0, toward 0 with bad reviews.
    bool joins(double t, double u) const { return u < 2.0 / (1.0 + std::exp(-reputation(t))); }

    Change occasion(std::uint32_t id, double t, std::uint64_t seed, Calendar& cal) {
        SmallEngine occ(seed);
        ++occasions;
        const bool shocked = visit(t, occ);
        Hot& h = hot[id];
        if (!shocked) {
            if (p_.gain == 0.0) return {};
            const double old = h.weight;
            h.weight = old + p_.gain * (1.0 - old);
            return {h.weight != old, old, h.weight};
        }
        ++shocks;
        const double u_review = uniform01(occ), u_churn = uniform01(occ), u_delay = uniform01(occ);
        const double delay = exp_draw(occ, 1.0 / p_.delay_mean);
        if (u_review < p_.review_p) {
            reputation_ = reputation(t) - p_.review_w;
            reputation_time_ = t;
        }
        if (u_delay < p_.delay_p) {
            cal.schedule(t + delay, EventType::Cancellation, id, 0, to_bits(u_churn));
            return {};
        }
        return hit(id, u_churn);
    }

    /// A bad experience felt later (a late or cancelled backorder): a calendar event.
    Change hit(std::uint32_t id, double u_churn) {
        Hot& h = hot[id];
        if (h.weight == 0.0) return {};
        const double old = h.weight;
        h.weight = old * (1.0 - p_.cut);
        if (u_churn < p_.churn_p) {
            h.weight = 0.0;
            ++churned;
        }
        return {h.weight != old, old, h.weight};
    }

    std::size_t bytes() const { return vec_bytes(hot) + vec_bytes(sold) + cat_.bytes(); }

private:
    double reputation(double t) const {
        return reputation_ == 0.0 ? 0.0 : reputation_ * std::exp(-(t - reputation_time_) / p_.memory);
    }

    bool out_of_stock(double t, std::uint32_t item) const {
        const double x = t + cat_.phase[item];
        return x - std::floor(x / p_.cycle) * p_.cycle >= p_.cycle - p_.out_days[c_.policy];  // not fmod: 10x the cost
    }

    /// The basket (one item, or 1 + geometric items by popularity) and its revenue; true if any
    /// item was out of stock.
    bool visit(double t, SmallEngine& occ) {
        std::uint32_t n = 1;
        if (p_.items > 1) {
            const double more = (p_.basket_mean - 1.0) / p_.basket_mean;
            while (uniform01(occ) < more) ++n;
        }
        bool shocked = false;
        for (std::uint32_t k = 0; k < n; ++k) {
            const std::uint32_t j = p_.items > 1 ? cat_.pick(occ) : 0;
            const double value = cat_.price[j] * (0.5 + uniform01(occ));
            if (out_of_stock(t, j)) {
                shocked = true;
            } else {
                revenue += value;
                ++units;
                ++sold[j];
            }
        }
        return shocked;
    }

    const Population& p_;
    const Catalogue& cat_;
    const RunConfig& c_;
    double reputation_ = 0.0;
    double reputation_time_ = 0.0;
};

// ---------------------------------------------------------------------------------------------
// Designs. Each one: next_time(), fire(now) -> Fired, after_occasion / on_add / on_change (the
// model changed a weight), after_candidate / after_event (redraw the next candidate if needed),
// bytes(); `draws` counts the random numbers the stream itself consumes (not the occasions' own).

/// What the superposed designs share: the global candidate-time stream, redrawn at the current
/// total rate after every candidate and after any event that changed that rate (memoryless).
class GapStream {
public:
    explicit GapStream(const RunConfig& c) : arrivals_(stocklab::make_engine(c.seed, c.rep, Purpose::DemandArrivals)) {}
    double next_time() const { return next_; }
    std::uint64_t draws = 0;

protected:
    void draw_gap(double now, double rate) {
        next_ = rate > 0.0 ? now + exp_draw(arrivals_, rate) : kInf;
        ++draws;
    }
    GlobalEngine arrivals_;
    double next_ = kInf;
};

/// Design 1, today's engine: every id ever seen at the bound rate, a global pick, one seed from the
/// picked customer's stream before thinning, a global thinning draw.
class Superposed : public GapStream {
public:
    Superposed(Model& m, const Population& p, const RunConfig& c)
        : GapStream(c), m_(m), season_(p), per_id_(p.base * season_.peak()),
          pick_(stocklab::make_engine(c.seed, c.rep, Purpose::CustomerPick)),
          thin_(stocklab::make_engine(c.seed, c.rep, Purpose::RateThinning)) {
        redraw(0.0);
    }

    Fired fire(double now) {
        const std::size_t n = m_.hot.size();
        std::size_t id = static_cast<std::size_t>(uniform01(pick_) * static_cast<double>(n));
        if (id >= n) id = n - 1;
        Model::Hot& h = m_.hot[id];
        const std::uint64_t seed = h.stream();
        draws += 3;
        if (uniform01(thin_) >= season_.relative(now) * h.weight) return {kNone, 0};
        return {static_cast<std::uint32_t>(id), seed};
    }
    void after_occasion(std::uint32_t, const Change&, double) {}
    void after_candidate(double now) { redraw(now); }
    void on_add(std::uint32_t, double, double) { dirty_ = true; }  // one more id, joined or not
    void on_change(std::uint32_t, const Change&, double) {}
    void after_event(double now) {
        if (dirty_) redraw(now);
        dirty_ = false;
    }
    std::size_t bytes() const { return 0; }

private:
    void redraw(double now) { draw_gap(now, per_id_ * static_cast<double>(m_.hot.size())); }

    Model& m_;
    Season season_;
    double per_id_;
    GlobalEngine pick_;
    GlobalEngine thin_;
    bool dirty_ = false;
};

/// Weight classes: class k holds weights in (2^-(k+1)/m, 2^-k/m], bound 2^-k/m; the last class
/// holds every smaller weight (its acceptance can be lower, its rate is negligible).
template <int kPerOctave>
struct WeightClasses {
    static constexpr int kClasses = 48 * kPerOctave;
    std::array<double, kClasses> bound{};

    WeightClasses() {
        for (int k = 0; k < kClasses; ++k) bound[k] = std::exp2(-static_cast<double>(k) / kPerOctave);
    }
    int of(double w) const {
        int k = static_cast<int>(-std::log2(w) * kPerOctave);
        k = std::clamp(k, 0, kClasses - 1);
        while (k > 0 && w > bound[k]) --k;  // rounding at the edges: keep w <= bound[k]
        while (k + 1 < kClasses && w <= bound[k + 1]) ++k;
        return k;
    }
};

/// Design 2: superposed over a dense array of the ids that can still buy; churned and never-joined
/// ids are swap-removed. Bound 1, or (kAdaptive) the class bound of the largest live weight.
template <bool kAdaptive>
class Dense : public GapStream {
public:
    Dense(Model& m, const Population& p, const RunConfig& c)
        : GapStream(c), m_(m), season_(p), base_(p.base * season_.peak()),
          pick_(stocklab::make_engine(c.seed, c.rep, Purpose::CustomerPick)) {
        pos_.reserve(m.hot.capacity());
        for (std::uint32_t id = 0; id < m.hot.size(); ++id) on_add(id, m.hot[id].weight, 0.0);
        redraw(0.0);
    }

    Fired fire(double now) {
        const std::size_t n = ids_.size();
        std::size_t j = static_cast<std::size_t>(uniform01(pick_) * static_cast<double>(n));
        if (j >= n) j = n - 1;
        const std::uint32_t id = ids_[j];
        Model::Hot& h = m_.hot[id];
        const std::uint64_t seed = h.stream();
        draws += 3;
        if (uniform01(h.stream) * bound_ >= season_.relative(now) * h.weight) return {kNone, 0};
        return {id, seed};
    }
    void after_occasion(std::uint32_t id, const Change& ch, double now) { on_change(id, ch, now); }
    void after_candidate(double now) { redraw(now); }
    void on_add(std::uint32_t id, double w, double) {
        if (pos_.size() <= id) pos_.resize(id + 1, kNone);
        if (w == 0.0) return;
        pos_[id] = static_cast<std::uint32_t>(ids_.size());
        ids_.push_back(id);
        if (kAdaptive) count(w, +1);
        dirty_ = true;
    }
    void on_change(std::uint32_t id, const Change& ch, double) {
        if (!ch.changed) return;
        if (kAdaptive) {
            count(ch.old_w, -1);
            if (ch.new_w > 0.0) count(ch.new_w, +1);
        }
        if (ch.new_w == 0.0) remove(id);
    }
    void after_event(double now) {
        if (dirty_) redraw(now);
    }
    std::size_t bytes() const { return vec_bytes(ids_) + vec_bytes(pos_); }

private:
    void redraw(double now) {
        draw_gap(now, base_ * bound_ * static_cast<double>(ids_.size()));
        dirty_ = false;
    }

    void remove(std::uint32_t id) {
        const std::uint32_t j = pos_[id], last = ids_.back();
        ids_[j] = last;
        pos_[last] = j;
        ids_.pop_back();
        pos_[id] = kNone;
        dirty_ = true;
    }

    /// Keeps `top_`, the highest non-empty class, and the bound it gives.
    void count(double w, int d) {
        const int k = classes_.of(w);
        counts_[k] += d;
        if (d > 0) top_ = std::min(top_, k);
        while (top_ + 1 < WeightClasses<8>::kClasses && counts_[top_] == 0) ++top_;
        const double b = classes_.bound[top_];
        if (b != bound_) {
            bound_ = b;
            dirty_ = true;
        }
    }

    Model& m_;
    Season season_;
    double base_;
    GlobalEngine pick_;
    std::vector<std::uint32_t> ids_;
    std::vector<std::uint32_t> pos_;
    WeightClasses<8> classes_;
    std::array<std::int64_t, WeightClasses<8>::kClasses> counts_{};
    int top_ = WeightClasses<8>::kClasses - 1;
    double bound_ = 1.0;
    bool dirty_ = false;
};

/// Design 3: composition-rejection by weight class. A candidate at the total bound rate; the class
/// by its share of the bound, the member uniformly (the same global uniform), accepted with
/// weight / class bound from the customer's own stream.
template <int kPerOctave>
class CompositionRejection : public GapStream {
public:
    using Classes = WeightClasses<kPerOctave>;

    CompositionRejection(Model& m, const Population& p, const RunConfig& c)
        : GapStream(c), m_(m), season_(p), base_(p.base * season_.peak()),
          pick_(stocklab::make_engine(c.seed, c.rep, Purpose::CustomerPick)) {
        cls_.reserve(m.hot.capacity());
        idx_.reserve(m.hot.capacity());
        for (std::uint32_t id = 0; id < m.hot.size(); ++id) on_add(id, m.hot[id].weight, 0.0);
        redraw(0.0);
    }

    Fired fire(double now) {
        double x = uniform01(pick_) * total_;
        int k = lo_;
        for (; k < hi_; ++k) {  // most of the bound sits in the top classes
            const double mass = static_cast<double>(members_[k].size()) * classes_.bound[k];
            if (x < mass) break;
            x -= mass;
        }
        while (members_[k].empty()) --k;  // rounding past the last class
        const std::size_t n = members_[k].size();
        std::size_t j = static_cast<std::size_t>(x / classes_.bound[k]);
        if (j >= n) j = n - 1;
        const std::uint32_t id = members_[k][j];
        Model::Hot& h = m_.hot[id];
        const std::uint64_t seed = h.stream();
        draws += 3;
        if (uniform01(h.stream) * classes_.bound[k] >= season_.relative(now) * h.weight) return {kNone, 0};
        return {id, seed};
    }
    void after_occasion(std::uint32_t id, const Change& ch, double now) { on_change(id, ch, now); }
    void after_candidate(double now) { redraw(now); }
    void on_add(std::uint32_t id, double w, double) {
        if (cls_.size() <= id) {
            cls_.resize(id + 1, kNoClass);
            idx_.resize(id + 1, kNone);
        }
        if (w > 0.0) insert(id, classes_.of(w));
    }
    void on_change(std::uint32_t id, const Change& ch, double) {
        if (!ch.changed) return;
        const int k = ch.new_w > 0.0 ? classes_.of(ch.new_w) : -1;
        if (k == cls_[id]) return;  // same class: the bound and the total stay
        erase(id);
        if (k >= 0) insert(id, k);
    }
    void after_event(double now) {
        if (dirty_) redraw(now);
    }
    std::size_t bytes() const {
        std::size_t b = vec_bytes(cls_) + vec_bytes(idx_);
        for (const auto& v : members_) b += vec_bytes(v);
        return b;
    }

private:
    static constexpr std::uint8_t kNoClass = 0xFF;
    static_assert(Classes::kClasses < kNoClass);

    void insert(std::uint32_t id, int k) {
        cls_[id] = static_cast<std::uint8_t>(k);
        idx_[id] = static_cast<std::uint32_t>(members_[k].size());
        members_[k].push_back(id);
        lo_ = std::min(lo_, k);
        hi_ = std::max(hi_, k);
        dirty_ = true;
    }

    void erase(std::uint32_t id) {
        const int k = cls_[id];
        auto& v = members_[k];
        const std::uint32_t j = idx_[id], last = v.back();
        v[j] = last;
        idx_[last] = j;
        v.pop_back();
        cls_[id] = kNoClass;
        idx_[id] = kNone;
        dirty_ = true;
    }

    /// The total bound, summed afresh (no drift) whenever a class count changed.
    void redraw(double now) {
        if (dirty_) {
            while (lo_ < hi_ && members_[lo_].empty()) ++lo_;
            while (hi_ > lo_ && members_[hi_].empty()) --hi_;
            total_ = 0.0;
            for (int k = lo_; k <= hi_; ++k) total_ += static_cast<double>(members_[k].size()) * classes_.bound[k];
            dirty_ = false;
        }
        draw_gap(now, base_ * total_);
    }

    Model& m_;
    Season season_;
    double base_;
    GlobalEngine pick_;
    Classes classes_;
    std::array<std::vector<std::uint32_t>, Classes::kClasses> members_;
    std::vector<std::uint8_t> cls_;
    std::vector<std::uint32_t> idx_;
    double total_ = 0.0;
    int lo_ = Classes::kClasses - 1;
    int hi_ = 0;
    bool dirty_ = true;
};

/// Where an indexed heap keeps each id's place: its own array (the default), or a field of a
/// record the caller keeps per id (BucketClocks), so one cache line per customer holds it all.
struct OwnPositions {
    std::vector<std::uint32_t> pos;
    std::uint32_t get(std::uint32_t id) const { return pos[id]; }
    void set(std::uint32_t id, std::uint32_t i) { pos[id] = i; }
    void ensure(std::uint32_t id) {
        if (pos.size() <= id) pos.resize(std::max<std::size_t>(id + 1, 2 * pos.size()), kNone);
    }
    void reserve(std::size_t n) { pos.reserve(n); }
    std::size_t bytes() const { return vec_bytes(pos); }
};

/// An indexed 4-ary min-heap of (key, id): each id at most once, its place kept by `Positions` so a
/// key can change or an id leave in O(log n). Keys and ids in separate arrays, so choosing the least
/// of four children reads 32 contiguous bytes. Equal keys (equal Exp(1) draws: measure zero) are
/// ordered by the sequence of operations, never by memory addresses, so runs stay deterministic.
template <class Positions = OwnPositions>
class IndexedHeap4 {
public:
    explicit IndexedHeap4(Positions pos = {}) : pos_(std::move(pos)) {}
    bool empty() const { return keys_.empty(); }
    std::size_t size() const { return keys_.size(); }
    double top_key() const { return keys_.front(); }
    std::uint32_t top_id() const { return ids_.front(); }
    double key_of(std::uint32_t id) const { return keys_[pos_.get(id)]; }
    void reserve(std::size_t n) {
        keys_.reserve(n);
        ids_.reserve(n);
        pos_.reserve(n);
    }
    /// The initial population at once: Floyd's bottom-up heap construction, O(n).
    void build(std::vector<std::uint32_t> ids, std::vector<double> keys) {
        ids_ = std::move(ids);
        keys_ = std::move(keys);
        if (!ids_.empty()) pos_.ensure(*std::max_element(ids_.begin(), ids_.end()));
        for (std::size_t i = 0; i < ids_.size(); ++i) pos_.set(ids_[i], static_cast<std::uint32_t>(i));
        for (std::size_t i = ids_.size() / 4 + 1; i-- > 0;)
            if (i < ids_.size()) sift_down_plain(i, keys_[i], ids_[i]);
    }
    void push(std::uint32_t id, double key) {
        pos_.ensure(id);
        keys_.push_back(key);
        ids_.push_back(id);
        sift_up(keys_.size() - 1, key, id);
    }
    void update(std::uint32_t id, double key) {
        const std::size_t i = pos_.get(id);
        if (key < keys_[i]) sift_up(i, key, id);
        else sift_down(i, key, id);
    }
    void remove(std::uint32_t id) {
        const std::size_t i = pos_.get(id);
        pos_.set(id, kNone);
        const double key = keys_.back();
        const std::uint32_t last = ids_.back();
        keys_.pop_back();
        ids_.pop_back();
        if (i == keys_.size()) return;
        if (key < keys_[i]) sift_up(i, key, last);
        else sift_down(i, key, last);
    }
    std::size_t bytes() const { return vec_bytes(keys_) + vec_bytes(ids_) + pos_.bytes(); }

private:
    void place(std::size_t i, double key, std::uint32_t id) {
        keys_[i] = key;
        ids_[i] = id;
        pos_.set(id, static_cast<std::uint32_t>(i));
    }
    void sift_up(std::size_t i, double key, std::uint32_t id) {
        while (i > 0) {
            const std::size_t parent = (i - 1) / 4;
            if (!(key < keys_[parent])) break;
            place(i, keys_[parent], ids_[parent]);
            i = parent;
        }
        place(i, key, id);
    }
    /// The least of the children first..end-1, without data-dependent branches for a full set.
    std::size_t least_child(std::size_t first, std::size_t end) const {
        const double* k = keys_.data();
        if (end - first == 4) {
            const std::size_t a = first + (k[first + 1] < k[first]);
            const std::size_t b = first + 2 + (k[first + 3] < k[first + 2]);
            return k[b] < k[a] ? b : a;
        }
        std::size_t best = first;
        for (std::size_t c = first + 1; c < end; ++c)
            if (k[c] < k[best]) best = c;
        return best;
    }
    /// Top-down sift (for build(): most keys there stop near where they start).
    void sift_down_plain(std::size_t i, double key, std::uint32_t id) {
        const std::size_t size = keys_.size();
        for (;;) {
            const std::size_t first = 4 * i + 1;
            if (first >= size) break;
            const std::size_t best = least_child(first, std::min(first + 4, size));
            if (!(keys_[best] < key)) break;
            place(i, keys_[best], ids_[best]);
            i = best;
        }
        place(i, key, id);
    }
    /// Bottom-up (Floyd): a key that grows usually sinks to the bottom (a customer's next occasion is
    /// far beyond the others'), so move the least child up all the way to a leaf without comparing
    /// with the key, then sift the key up from there: fewer comparisons, predictable branches.
    void sift_down(std::size_t i, double key, std::uint32_t id) {
        const std::size_t size = keys_.size();
        for (;;) {
            const std::size_t first = 4 * i + 1;
            if (first >= size) break;
            const std::size_t best = least_child(first, std::min(first + 4, size));
            place(i, keys_[best], ids_[best]);
            i = best;
        }
        sift_up(i, key, id);
    }

    std::vector<double> keys_;
    std::vector<std::uint32_t> ids_;
    Positions pos_;
};

/// Where a windowed clock queue keeps an id: its key, and where it is (a bucket's index, kCurrent,
/// kOverflow or kNone) with its place there; one 16-byte record per id.
struct ClockSlot {
    double key;
    std::uint32_t where;
    std::uint32_t idx;
};
constexpr std::uint32_t kCurrent = 0xFFFFFFFEu;
constexpr std::uint32_t kOverflow = 0xFFFFFFFDu;

/// Clock queues by time window, with IndexedHeap4's interface: the keys of later windows (width W)
/// sit unsorted in a ring of buckets, one per window, and beyond the ring in an overflow list,
/// rescanned every half ring; the current window is a `Window` (a small heap, or a sorted run). A
/// customer's next occasion is usually far beyond everyone else's, so most updates are an O(1)
/// append to a bucket, and the structure the loop works on stays small and in cache.
template <class Window>
class WindowedClocks {
public:
    WindowedClocks() : current_(&slot_) {}
    WindowedClocks(const WindowedClocks&) = delete;
    WindowedClocks& operator=(const WindowedClocks&) = delete;

    /// `width`: window width in key units (aim: a few tens of keys a window); `buckets`: ring size.
    void configure(double width, std::size_t buckets) {
        width_ = width;
        std::size_t nb = 2;
        while (nb < buckets) nb *= 2;
        buckets_.assign(nb, {});
        ring_end_ = nb;
    }
    bool empty() const { return count_ == 0; }
    double top_key() {
        settle();
        return current_.top_key();
    }
    std::uint32_t top_id() {
        settle();
        return current_.top_id();
    }
    double key_of(std::uint32_t id) const { return slot_[id].key; }
    void reserve(std::size_t n) { slot_.reserve(n); }
    void push(std::uint32_t id, double key) {
        if (slot_.size() <= id) slot_.resize(std::max<std::size_t>(id + 1, 2 * slot_.size()), ClockSlot{0.0, kNone, 0});
        ++count_;
        insert(id, key);
    }
    void update(std::uint32_t id, double key) {
        if (slot_[id].where == kCurrent && window_of(key) <= window_) {
            slot_[id].key = key;
            current_.move(id, key);
            return;
        }
        erase(id);
        insert(id, key);
    }
    void remove(std::uint32_t id) {
        erase(id);
        slot_[id].where = kNone;
        --count_;
    }
    std::size_t bytes() const {
        std::size_t b = vec_bytes(slot_) + vec_bytes(overflow_) + current_.bytes() + vec_bytes(buckets_);
        for (const auto& v : buckets_) b += vec_bytes(v);
        return b;
    }

private:
    std::uint64_t window_of(double key) const { return static_cast<std::uint64_t>(key / width_); }

    void insert(std::uint32_t id, double key) {
        ClockSlot& s = slot_[id];
        s.key = key;
        const std::uint64_t w = window_of(key);
        if (w <= window_) {  // into the current window (rare: a gap shorter than the window)
            s.where = kCurrent;
            current_.add(id, key);
        } else if (w < ring_end_) {
            const auto b = static_cast<std::uint32_t>(w & (buckets_.size() - 1));
            append(buckets_[b], s, id, b);
        } else {
            append(overflow_, s, id, kOverflow);
        }
    }
    void append(std::vector<std::uint32_t>& v, ClockSlot& s, std::uint32_t id, std::uint32_t where) {
        s.where = where;
        s.idx = static_cast<std::uint32_t>(v.size());
        v.push_back(id);
    }
    void erase(std::uint32_t id) {
        const ClockSlot s = slot_[id];
        if (s.where == kCurrent) {
            current_.drop(id);
            return;
        }
        std::vector<std::uint32_t>& v = s.where == kOverflow ? overflow_ : buckets_[s.where];
        const std::uint32_t last = v.back();
        v[s.idx] = last;
        slot_[last].idx = s.idx;
        v.pop_back();
    }
    /// Opens the next non-empty window while the current one is used up: its bucket becomes it.
    void settle() {
        while (!current_.ready() && count_ > 0) {
            ++window_;
            if (window_ + buckets_.size() / 2 >= ring_end_) rescan_overflow();
            std::vector<std::uint32_t>& b = buckets_[window_ & (buckets_.size() - 1)];
            for (std::uint32_t id : b) slot_[id].where = kCurrent;
            current_.open(b);
            b.clear();
        }
    }
    void rescan_overflow() {
        ring_end_ = window_ + buckets_.size();
        std::vector<std::uint32_t> keep;
        keep.swap(overflow_);
        for (std::uint32_t id : keep) insert(id, slot_[id].key);
    }

    std::vector<ClockSlot> slot_;
    Window current_;
    std::vector<std::vector<std::uint32_t>> buckets_;
    std::vector<std::uint32_t> overflow_;
    double width_ = 1.0;
    std::uint64_t window_ = 0;  // the current window holds every key of windows <= window_
    std::uint64_t ring_end_ = 0;
    std::size_t count_ = 0;
};

/// The current window as a small indexed heap whose positions live in the ids' slots.
class HeapWindow {
    struct SlotPositions {
        std::vector<ClockSlot>* slots;
        std::uint32_t get(std::uint32_t id) const { return (*slots)[id].idx; }
        void set(std::uint32_t id, std::uint32_t i) { (*slots)[id].idx = i; }
        void ensure(std::uint32_t) {}
        void reserve(std::size_t) {}
        std::size_t bytes() const { return 0; }
    };

public:
    explicit HeapWindow(std::vector<ClockSlot>* slots) : heap_(SlotPositions{slots}), slots_(slots) {}
    bool ready() const { return !heap_.empty(); }
    double top_key() const { return heap_.top_key(); }
    std::uint32_t top_id() const { return heap_.top_id(); }
    void add(std::uint32_t id, double key) { heap_.push(id, key); }
    void move(std::uint32_t id, double key) { heap_.update(id, key); }
    void drop(std::uint32_t id) { heap_.remove(id); }
    void open(const std::vector<std::uint32_t>& ids) {
        for (std::uint32_t id : ids) heap_.push(id, (*slots_)[id].key);
    }
    std::size_t bytes() const { return heap_.bytes(); }

private:
    IndexedHeap4<SlotPositions> heap_;
    std::vector<ClockSlot>* slots_;
};

/// The current window as a run sorted once when it opens and consumed in order (a calendar
/// queue). A clock that moves leaves a stale entry behind, skipped when reached (its slot no longer
/// says it is here with that key): no sift through a tree at all.
class SortedWindow {
    struct Entry {
        double key;
        std::uint32_t id;
        bool operator<(const Entry& o) const { return key < o.key || (key == o.key && id < o.id); }
    };

public:
    explicit SortedWindow(std::vector<ClockSlot>* slots) : slots_(slots) {}
    bool ready() {
        while (head_ < run_.size() && stale(run_[head_])) ++head_;
        return head_ < run_.size();
    }
    double top_key() const { return run_[head_].key; }
    std::uint32_t top_id() const { return run_[head_].id; }
    void add(std::uint32_t id, double key) {
        const Entry e{key, id};
        run_.insert(std::upper_bound(run_.begin() + static_cast<std::ptrdiff_t>(head_), run_.end(), e), e);
    }
    void move(std::uint32_t id, double key) { add(id, key); }
    void drop(std::uint32_t) {}
    void open(const std::vector<std::uint32_t>& ids) {
        run_.clear();
        head_ = 0;
        for (std::uint32_t id : ids) run_.push_back(Entry{(*slots_)[id].key, id});
        std::sort(run_.begin(), run_.end());
    }
    std::size_t bytes() const { return vec_bytes(run_); }

private:
    bool stale(const Entry& e) const {
        const ClockSlot& s = (*slots_)[e.id];
        return s.where != kCurrent || s.key != e.key;
    }

    std::vector<ClockSlot>* slots_;
    std::vector<Entry> run_;  // the current window, sorted; entries before head_ are used
    std::size_t head_ = 0;
};

using BucketClocks = WindowedClocks<HeapWindow>;
using CalendarClocks = WindowedClocks<SortedWindow>;

/// Design 4: next-reaction method. Customer i's next firing is where its integrated clock rate
/// reaches an Exp(1) drawn from its own stream. kOpTime: keys in operational time (the season
/// integrated in closed form), converted to days once per firing; otherwise keys in days at the peak
/// rate and the season thinned. kPerOctave = 0: the clock runs at the customer's exact rate, so every
/// firing is an occasion; kPerOctave = m: at its weight class's bound 2^-k/m (as in
/// composition-rejection), thinned by weight / bound with a uniform from the customer's stream, so a
/// weight change inside its class moves no clock (under two policies the customer's firings stay
/// at the same times while its weights differ but share a class). No global stream at all.
template <bool kOpTime, int kPerOctave, class Queue = IndexedHeap4<>>
class ClockHeap {
public:
    ClockHeap(Model& m, const Population& p, const RunConfig&) : m_(m), season_(p), base_(p.base) {
        if (!kOpTime) base_ *= season_.peak();
        if constexpr (std::is_same_v<Queue, BucketClocks> || std::is_same_v<Queue, CalendarClocks>) {
            // About 16 firings a window; the ring spans about 4 mean gaps of a customer.
            double total = 0.0;
            for (const Model::Hot& h : m.hot) total += base_ * clock_weight(h.weight);
            heap_.configure(kPerWindow / total, m.hot.size() * 4 / static_cast<std::size_t>(kPerWindow));
        }
        heap_.reserve(m.hot.capacity());
        if constexpr (std::is_same_v<Queue, IndexedHeap4<>>) {
            std::vector<std::uint32_t> ids;
            std::vector<double> keys;
            ids.reserve(m.hot.capacity());
            keys.reserve(m.hot.capacity());
            for (std::uint32_t id = 0; id < m.hot.size(); ++id) {
                if (m.hot[id].weight == 0.0) continue;
                ids.push_back(id);
                keys.push_back(next_gap(m.hot[id]));  // clock(0) = 0
            }
            heap_.build(std::move(ids), std::move(keys));
        } else {
            for (std::uint32_t id = 0; id < m.hot.size(); ++id) on_add(id, m.hot[id].weight, 0.0);
        }
    }

    double next_time() {
        if (heap_.empty()) return kInf;
        const double key = heap_.top_key();
        if (key != cached_key_) {  // the top moved: convert its key to days once
            cached_key_ = key;
            cached_time_ = kOpTime ? std::max(inverse_.invert(season_, key), last_time_) : key;
        }
        return cached_time_;
    }

    /// Draws per firing from the customer's stream, in this order: the occasion seed, then (only if
    /// the design thins) the thinning uniform; the next Exp(1) after the model has reacted.
    Fired fire(double now) {
        last_time_ = now;
        const std::uint32_t id = heap_.top_id();
        Model::Hot& h = m_.hot[id];
        const std::uint64_t seed = h.stream();
        ++draws;
        const bool season_thins = !kOpTime && season_.amp > 0.0;
        if (kPerOctave > 0 || season_thins) {
            ++draws;
            const double accept = (season_thins ? season_.relative(now) : 1.0) * h.weight / clock_weight(h.weight);
            if (uniform01(h.stream) >= accept) {
                heap_.update(id, cached_key_ + next_gap(h));
                return {kNone, 0};
            }
        }
        return {id, seed};
    }

    /// At its own firing the customer's Exp(1) is used up: a fresh one at the new rate.
    void after_occasion(std::uint32_t id, const Change&, double) {
        Model::Hot& h = m_.hot[id];
        if (h.weight == 0.0) heap_.remove(id);
        else heap_.update(id, cached_key_ + next_gap(h));
    }
    void after_candidate(double) {}
    void on_add(std::uint32_t id, double w, double now) {
        if (w > 0.0) heap_.push(id, clock(now) + next_gap(m_.hot[id]));
    }
    /// A rate change at another time: the remaining integrated rate is kept, so the remaining time
    /// scales by old / new (random time change; no draw). A churned customer leaves the heap.
    void on_change(std::uint32_t id, const Change& ch, double now) {
        if (!ch.changed) return;
        if (ch.new_w == 0.0) {
            heap_.remove(id);
            return;
        }
        const double before = clock_weight(ch.old_w), after = clock_weight(ch.new_w);
        if (before == after) return;  // same class: the clock runs on
        const double c = clock(now);
        heap_.update(id, c + (heap_.key_of(id) - c) * (before / after));
    }
    void after_event(double) {}
    std::size_t bytes() const { return heap_.bytes(); }
    std::uint64_t draws = 0;

private:
    double clock(double now) const { return kOpTime ? season_.tau(now) : now; }
    double clock_weight(double w) const {
        if constexpr (kPerOctave > 0) return classes_.bound[classes_.of(w)];
        return w;
    }
    double next_gap(Model::Hot& h) {
        ++draws;
        return exp_draw(h.stream, 1.0) / (base_ * clock_weight(h.weight));
    }

    Model& m_;
    Season season_;
    double base_;
    Queue heap_;
    WeightClasses<kPerOctave == 0 ? 1 : kPerOctave> classes_;
    TauInverse inverse_;
    double cached_key_ = -1.0;
    double cached_time_ = 0.0;
    double last_time_ = 0.0;
};

/// Design 4 with a pool: the initial customers wait, until their first occasion, in a pool that is
/// one superposed Poisson stream at n_pool x base x l0 (exact: they all still have weight l0, and
/// nothing but their own occasion changes a customer's weight), with a uniform pick; at that first
/// occasion the customer joins the heap of per-customer clocks (a push, not a sift through the
/// tree). The pool shrinks only by its own firings, so its stream is the same under every policy.
/// A replication then draws nothing per customer at set-up, and a customer who never buys within
/// the horizon costs nothing. Operational time for the season, as nrm-op.
class PooledClocks {
public:
    PooledClocks(Model& m, const Population& p, const RunConfig& c)
        : m_(m), season_(p), base_(p.base), pool_rate_(p.base * p.l0),
          pool_rng_(stocklab::make_engine(c.seed, c.rep, Purpose::DemandArrivals)),
          pick_(stocklab::make_engine(c.seed, c.rep, Purpose::CustomerPick)) {
        heap_.reserve(m.hot.capacity());
        pool_.reserve(m.hot.size());
        for (std::uint32_t id = 0; id < m.hot.size(); ++id)
            if (m.hot[id].weight == p.l0) pool_.push_back(id);
        draw_pool(0.0);
    }

    double next_time() {
        const double heap_key = heap_.empty() ? kInf : heap_.top_key();
        from_pool_ = pool_key_ < heap_key;
        const double key = from_pool_ ? pool_key_ : heap_key;
        if (key == kInf) return kInf;
        if (key != cached_key_) {
            cached_key_ = key;
            cached_time_ = std::max(inverse_.invert(season_, key), last_time_);
        }
        return cached_time_;
    }

    Fired fire(double now) {
        last_time_ = now;
        fired_from_pool_ = from_pool_;
        std::uint32_t id;
        if (from_pool_) {
            std::size_t j = static_cast<std::size_t>(uniform01(pick_) * static_cast<double>(pool_.size()));
            if (j >= pool_.size()) j = pool_.size() - 1;
            id = pool_[j];
            pool_[j] = pool_.back();
            pool_.pop_back();
            ++draws;
            draw_pool(cached_key_);
        } else {
            id = heap_.top_id();
        }
        ++draws;
        return {id, m_.hot[id].stream()};
    }
    void after_occasion(std::uint32_t id, const Change&, double) {
        Model::Hot& h = m_.hot[id];
        if (fired_from_pool_) {
            if (h.weight > 0.0) heap_.push(id, cached_key_ + next_gap(h));
        } else if (h.weight == 0.0) {
            heap_.remove(id);
        } else {
            heap_.update(id, cached_key_ + next_gap(h));
        }
    }
    void after_candidate(double) {}
    void on_add(std::uint32_t id, double w, double now) {
        if (w > 0.0) heap_.push(id, season_.tau(now) + next_gap(m_.hot[id]));
    }
    /// Only a customer who has had an occasion can meet a later bad experience: it is in the heap.
    void on_change(std::uint32_t id, const Change& ch, double now) {
        if (!ch.changed) return;
        if (ch.new_w == 0.0) {
            heap_.remove(id);
            return;
        }
        const double c = season_.tau(now);
        heap_.update(id, c + (heap_.key_of(id) - c) * (ch.old_w / ch.new_w));
    }
    void after_event(double) {}
    std::size_t bytes() const { return heap_.bytes() + vec_bytes(pool_); }
    std::uint64_t draws = 0;

private:
    void draw_pool(double from) {
        pool_key_ = pool_.empty() ? kInf : from + exp_draw(pool_rng_, pool_rate_ * static_cast<double>(pool_.size()));
        ++draws;
    }
    double next_gap(Model::Hot& h) {
        ++draws;
        return exp_draw(h.stream, 1.0) / (base_ * h.weight);
    }

    Model& m_;
    Season season_;
    double base_;
    double pool_rate_;  // per pool member, in operational time
    GlobalEngine pool_rng_;
    GlobalEngine pick_;
    std::vector<std::uint32_t> pool_;
    IndexedHeap4<> heap_;
    TauInverse inverse_;
    double pool_key_ = kInf;
    bool from_pool_ = false;
    bool fired_from_pool_ = false;
    double cached_key_ = -1.0;
    double cached_time_ = 0.0;
    double last_time_ = 0.0;
};

/// Design 5: exact selection by a complete binary tree of weights indexed by id (leaves at
/// cap + id); a node is the sum of its two children, recomputed (not incremented) on the path of a
/// change, so the sums never drift. A pick descends from the root: O(log n), no rejection.
class SumTree : public GapStream {
public:
    SumTree(Model& m, const Population& p, const RunConfig& c)
        : GapStream(c), m_(m), season_(p), base_(p.base * season_.peak()),
          pick_(stocklab::make_engine(c.seed, c.rep, Purpose::CustomerPick)) {
        grow(m.hot.capacity());
        for (std::uint32_t id = 0; id < m.hot.size(); ++id) tree_[cap_ + id] = m.hot[id].weight;
        for (std::size_t i = cap_ - 1; i >= 1; --i) tree_[i] = tree_[2 * i] + tree_[2 * i + 1];
        redraw(0.0);
    }

    Fired fire(double now) {
        double x = uniform01(pick_) * tree_[1];
        std::size_t i = 1;
        while (i < cap_) {
            i *= 2;
            if (!(x < tree_[i])) {
                x -= tree_[i];
                ++i;
            }
        }
        const auto id = static_cast<std::uint32_t>(i - cap_);
        Model::Hot& h = m_.hot[id];
        draws += 2;
        if (h.weight == 0.0) return {kNone, 0};  // rounding at the right edge: reject
        const std::uint64_t seed = h.stream();
        if (season_.amp > 0.0) {
            ++draws;
            if (uniform01(h.stream) >= season_.relative(now)) return {kNone, 0};
        }
        return {id, seed};
    }
    void after_occasion(std::uint32_t id, const Change& ch, double now) { on_change(id, ch, now); }
    void after_candidate(double now) { redraw(now); }
    void on_add(std::uint32_t id, double w, double) {
        if (id >= cap_) grow(2 * cap_);
        if (w > 0.0) set(id, w);
    }
    void on_change(std::uint32_t id, const Change& ch, double) {
        if (ch.changed) set(id, ch.new_w);
    }
    void after_event(double now) {
        if (dirty_) redraw(now);
    }
    std::size_t bytes() const { return vec_bytes(tree_); }

private:
    void set(std::uint32_t id, double w) {
        std::size_t i = cap_ + id;
        tree_[i] = w;
        for (i /= 2; i >= 1; i /= 2) tree_[i] = tree_[2 * i] + tree_[2 * i + 1];
        dirty_ = true;
    }
    void grow(std::size_t n) {
        std::size_t cap = 1;
        while (cap < n) cap *= 2;
        if (cap <= cap_) return;
        std::vector<double> t(2 * cap, 0.0);
        for (std::size_t id = 0; id < cap_; ++id) t[cap + id] = tree_[cap_ + id];
        for (std::size_t i = cap - 1; i >= 1; --i) t[i] = t[2 * i] + t[2 * i + 1];
        tree_.swap(t);
        cap_ = cap;
    }
    void redraw(double now) {
        draw_gap(now, base_ * tree_[1]);
        dirty_ = false;
    }

    Model& m_;
    Season season_;
    double base_;
    GlobalEngine pick_;
    std::vector<double> tree_ = std::vector<double>(2, 0.0);
    std::size_t cap_ = 1;
    bool dirty_ = false;
};

// ---------------------------------------------------------------------------------------------
// The driver: the design's next candidate beside a calendar of prospects and delayed experiences

struct Stats {
    std::uint64_t occasions = 0, candidates = 0, draws = 0, units = 0, shocks = 0, churned = 0, joined = 0, ids = 0;
    double revenue = 0.0;
    double seconds = 0.0;
    std::size_t bytes = 0;  // the model's arrays plus the design's, at the end
};

template <class D>
Stats run_design(const Population& p, const Catalogue& cat, const RunConfig& c) {
    const auto t0 = std::chrono::steady_clock::now();
    Model m(p, cat, c);
    D d(m, p, c);
    Calendar cal;
    cal.reserve(64);
    GlobalEngine rng_new = stocklab::make_engine(c.seed, c.rep, Purpose::NewCustomers);
    auto schedule_prospect = [&](double now) {
        if (p.new_rate <= 0.0) return;
        const double t = now + exp_draw(rng_new, p.new_rate);
        if (t < c.horizon) cal.schedule(t, EventType::NewCustomer);
    };
    schedule_prospect(0.0);
    Stats s;
    for (;;) {
        const double tc = d.next_time();
        const double te = cal.empty() ? kInf : cal.top().time;
        if (tc <= te) {  // a candidate ranks first at equal times, as in the engine
            if (!(tc < c.horizon)) break;
            ++s.candidates;
            const Fired f = d.fire(tc);
            if (f.id != kNone) d.after_occasion(f.id, m.occasion(f.id, tc, f.seed, cal), tc);
            d.after_candidate(tc);
            continue;
        }
        if (!(te < c.horizon)) break;
        const Event e = cal.pop();
        if (e.type() == EventType::NewCustomer) {
            schedule_prospect(e.time);
            const std::uint32_t id = m.add(m.joins(e.time, uniform01(rng_new)));
            d.on_add(id, m.hot[id].weight, e.time);
        } else {
            d.on_change(e.a, m.hit(e.a, from_bits(e.payload)), e.time);
        }
        d.after_event(e.time);
    }
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    s.occasions = m.occasions;
    s.draws = d.draws;
    s.units = m.units;
    s.shocks = m.shocks;
    s.churned = m.churned;
    s.joined = m.joined;
    s.ids = m.hot.size();
    s.revenue = m.revenue;
    s.bytes = m.bytes() + d.bytes();
    return s;
}

using RunFn = Stats (*)(const Population&, const Catalogue&, const RunConfig&);

struct Design {
    const char* name;
    const char* global_streams;  // besides the prospects' stream, which every design shares
    RunFn run;
};

const std::vector<Design>& designs() {
    static const std::vector<Design> all = {
        {"superposed", "arrivals, pick, thinning", &run_design<Superposed>},
        {"dense", "arrivals, pick", &run_design<Dense<false>>},
        {"dense+max", "arrivals, pick", &run_design<Dense<true>>},
        {"cr2", "arrivals, pick", &run_design<CompositionRejection<1>>},
        {"cr2^1/4", "arrivals, pick", &run_design<CompositionRejection<4>>},
        {"nrm-op", "none", &run_design<ClockHeap<true, 0>>},
        {"nrm-thin", "none", &run_design<ClockHeap<false, 0>>},
        {"nrm-pool", "pool arrivals, pool pick", &run_design<PooledClocks>},
        {"nrm-bucket", "none", &run_design<ClockHeap<true, 0, BucketClocks>>},
        {"nrm-cal", "none", &run_design<ClockHeap<true, 0, CalendarClocks>>},
        {"nrm-cls2", "none", &run_design<ClockHeap<true, 1>>},
        {"nrm-cls2^1/2", "none", &run_design<ClockHeap<true, 2>>},
        {"sumtree", "arrivals, pick", &run_design<SumTree>},
    };
    return all;
}

// ---------------------------------------------------------------------------------------------
// Statistics

struct Moments {
    double n = 0, mean = 0, m2 = 0;
    void add(double x) {
        n += 1;
        const double d = x - mean;
        mean += d / n;
        m2 += d * (x - mean);
    }
    double var() const { return n > 1 ? m2 / (n - 1) : 0.0; }
    double se() const { return std::sqrt(var() / n); }
};

/// Expected occasions of a fixed-rate population: initial customers over [0, T] in operational time
/// plus (no season) prospects that all join, each over (arrival, T]: b l0 (n0 tau(T) + lambda T^2 / 2).
double expected_fixed_occasions(const Population& p, double T) {
    const double rate = p.base * p.l0;
    return rate * (p.n0 * Season(p).tau(T) + p.new_rate * T * T / 2.0);
}

// ---------------------------------------------------------------------------------------------
// Parts of the report

struct Options {
    std::vector<std::string> scenarios{"camera", "decay", "seasonal", "store"};
    std::vector<double> years{1, 10, 100};
    int repeats = 3;
    int crn_reps = 200;
    int valid_reps = 200;
    std::uint64_t seed = 1;
};

Population population(const std::string& name) {
    if (name == "camera") return camera();
    if (name == "decay") return decaying();
    if (name == "seasonal") return seasonal();
    if (name == "store") return store();
    std::fprintf(stderr, "unknown scenario %s (camera, decay, seasonal, store)\n", name.c_str());
    std::exit(2);
}

/// Replications a timing covers: enough occasions that a short horizon is not all set-up.
int timing_reps(const Population& p, double years) {
    if (p.n0 >= 10000 || years >= 100) return 1;
    return years >= 10 ? 4 : 20;
}

void print_load() {
    double load[3] = {0, 0, 0};
    if (getloadavg(load, 3) == 3) std::printf("load average %.2f %.2f %.2f\n", load[0], load[1], load[2]);
}

void timing(const Options& o) {
    std::printf("\n== Speed: policy 0, seed %llu; best of %d repeats (designs interleaved) ==\n",
                static_cast<unsigned long long>(o.seed), o.repeats);
    print_load();
    std::printf("%-9s %5s %-12s %10s %10s %9s %9s %9s %10s %8s\n", "scenario", "years", "design", "occasions",
                "cand/occ", "draws/occ", "ns/occ", "wall s", "x today", "B/id");
    for (const std::string& name : o.scenarios) {
        const Population p = population(name);
        const Catalogue cat(p);
        for (double years : o.years) {
            if (p.n0 >= 10000 && years > 1) continue;  // store scale: one year
            const int reps = timing_reps(p, years);
            const std::size_t nd = designs().size();
            std::vector<Stats> best(nd);
            std::vector<Stats> total(nd);
            for (int r = 0; r < o.repeats; ++r) {
                for (std::size_t d = 0; d < nd; ++d) {
                    Stats sum;
                    for (int k = 0; k < reps; ++k) {
                        const Stats s = designs()[d].run(p, cat, RunConfig{365.0 * years, 0, o.seed, std::uint64_t(k)});
                        sum.occasions += s.occasions;
                        sum.candidates += s.candidates;
                        sum.draws += s.draws;
                        sum.seconds += s.seconds;
                        sum.ids += s.ids;
                        sum.bytes += s.bytes;
                    }
                    if (r == 0 || sum.seconds < best[d].seconds) best[d] = sum;
                }
            }
            for (std::size_t d = 0; d < nd; ++d) {
                const Stats& s = best[d];
                const double occ = static_cast<double>(s.occasions);
                std::printf("%-9s %5g %-12s %10.0f %10.3f %9.2f %9.1f %9.4f %10.2f %8.1f\n", name.c_str(), years,
                            designs()[d].name, occ / reps, s.candidates / occ, s.draws / occ, 1e9 * s.seconds / occ,
                            s.seconds / reps, best[0].seconds / s.seconds,
                            static_cast<double>(s.bytes) / static_cast<double>(s.ids));
            }
            std::fflush(stdout);
        }
    }
    print_load();
    std::printf("cand/occ: candidates (superposed draws, or heap firings) per real occasion; draws/occ: random\n"
                "numbers the stream consumes per real occasion (gap, pick, seed, thinning, Exp(1)); ns/occ and\n"
                "wall s include set-up (seeding every customer's stream); x today: superposed wall / design wall;\n"
                "B/id: bytes of the customer arrays (the model's 16-byte stream+weight record included) per id.\n");
}

/// Variance reduction of the paired difference between two policies on the same seeds.
void crn(const Options& o) {
    std::printf("\n== Common random numbers: policy 0 (out %g of %g days) - policy 1 (out %g), %d paired "
                "replications ==\n",
                camera().out_days[0], camera().cycle, camera().out_days[1], o.crn_reps);
    print_load();
    std::printf("%-9s %5s %-12s %12s %10s %10s %12s %10s %10s  %s\n", "scenario", "years", "design", "revenue diff",
                "+-95%", "VR rev", "occ diff", "+-95%", "VR occ", "global streams");
    for (const std::string& name : o.scenarios) {
        const Population p = population(name);
        if (p.n0 >= 10000) continue;
        const Catalogue cat(p);
        for (double years : o.years) {
            if (years > 10) continue;
            for (const Design& d : designs()) {
                Moments y0, y1, dy, o0, o1, dof;
                for (int r = 0; r < o.crn_reps; ++r) {
                    const Stats a = d.run(p, cat, RunConfig{365.0 * years, 0, o.seed, std::uint64_t(r)});
                    const Stats b = d.run(p, cat, RunConfig{365.0 * years, 1, o.seed, std::uint64_t(r)});
                    y0.add(a.revenue);
                    y1.add(b.revenue);
                    dy.add(a.revenue - b.revenue);
                    o0.add(static_cast<double>(a.occasions));
                    o1.add(static_cast<double>(b.occasions));
                    dof.add(static_cast<double>(a.occasions) - static_cast<double>(b.occasions));
                }
                std::printf("%-9s %5g %-12s %12.1f %10.1f %10.1f %12.1f %10.1f %10.1f  %s\n", name.c_str(), years,
                            d.name, dy.mean, 1.96 * dy.se(), (y0.var() + y1.var()) / dy.var(), dof.mean,
                            1.96 * dof.se(), (o0.var() + o1.var()) / dof.var(), d.global_streams);
                std::fflush(stdout);
            }
        }
    }
    std::printf("VR: variance of the difference of independent runs (var0 + var1) / variance of the paired\n"
                "difference (same seed and replication under both policies). With %d pairs a VR is known to\n"
                "about +-%.0f%% (one standard error of a variance ratio).\n",
                o.crn_reps, 100.0 * std::sqrt(2.0 / (o.crn_reps - 1)));
}

/// z of a mean against an exact value, and of two designs' means against each other.
bool validate(const Options& o) {
    bool ok = true;
    const double kZ = 4.0;  // |z| < 4: a correct design fails one check in about 16,000
    std::printf("\n== Correctness: %d replications a check; |z| < %g passes ==\n", o.valid_reps, kZ);
    struct Fixed {
        const char* what;
        Population p;
        double years;
    };
    const Fixed fixed[] = {
        {"fixed rate, 3000 customers + prospects, 10 y", fixed_rate(camera(), true), 10},
        {"fixed rate, 3000 customers, season a=0.5, 2.3 y", fixed_rate(seasonal(), false), 2.3},
    };
    for (const Fixed& f : fixed) {
        const Catalogue cat(f.p);
        const double T = 365.0 * f.years;
        const double expect = expected_fixed_occasions(f.p, T);
        std::printf("%s: expected occasions %.1f\n", f.what, expect);
        for (const Design& d : designs()) {
            Moments m;
            for (int r = 0; r < o.valid_reps; ++r)
                m.add(static_cast<double>(d.run(f.p, cat, RunConfig{T, 0, o.seed + 1000, std::uint64_t(r)}).occasions));
            const double z = (m.mean - expect) / m.se();
            ok = ok && std::abs(z) < kZ;
            std::printf("  %-12s mean %10.1f +- %6.1f   z %+6.2f  %s\n", d.name, m.mean, 1.96 * m.se(), z,
                        std::abs(z) < kZ ? "pass" : "FAIL");
        }
    }
    for (const char* name : {"decay", "camera", "seasonal"}) {
        const Population p = population(name);
        const Catalogue cat(p);
        const double T = 3650.0;
        std::printf("%s, 10 y, policy 1: each design against superposed (independent seeds per design)\n", name);
        std::vector<Moments> occ(designs().size()), rev(designs().size()), churn(designs().size());
        for (std::size_t d = 0; d < designs().size(); ++d) {
            for (int r = 0; r < o.valid_reps; ++r) {
                const Stats s = designs()[d].run(p, cat, RunConfig{T, 1, o.seed + 2000 + 100 * d, std::uint64_t(r)});
                occ[d].add(static_cast<double>(s.occasions));
                rev[d].add(s.revenue);
                churn[d].add(static_cast<double>(s.churned));
            }
            auto z = [&](const std::vector<Moments>& v) {
                return (v[d].mean - v[0].mean) / std::sqrt(v[d].var() / v[d].n + v[0].var() / v[0].n);
            };
            const double zo = d ? z(occ) : 0.0, zr = d ? z(rev) : 0.0, zc = d && churn[0].var() > 0 ? z(churn) : 0.0;
            const bool pass = std::abs(zo) < kZ && std::abs(zr) < kZ && std::abs(zc) < kZ;
            ok = ok && pass;
            std::printf("  %-12s occasions %9.1f (z %+5.2f)  revenue %11.0f (z %+5.2f)  churned %7.1f (z %+5.2f)  %s\n",
                        designs()[d].name, occ[d].mean, zo, rev[d].mean, zr, churn[d].mean, zc, pass ? "pass" : "FAIL");
        }
    }
    std::printf("determinism: ");
    const Population p = decaying();
    const Catalogue cat(p);
    for (const Design& d : designs()) {
        const Stats a = d.run(p, cat, RunConfig{3650.0, 0, 7, 3}), b = d.run(p, cat, RunConfig{3650.0, 0, 7, 3});
        const bool same = a.occasions == b.occasions && a.revenue == b.revenue && a.candidates == b.candidates;
        ok = ok && same;
        std::printf("%s %s  ", d.name, same ? "same" : "DIFFERENT");
    }
    std::printf("\ncorrectness: %s\n", ok ? "all checks pass" : "SOME CHECKS FAIL");
    return ok;
}

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        const std::size_t comma = s.find(',', start);
        out.push_back(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

/// One design, one scenario: for instruction counts under callgrind.
int run_only(const std::string& design, const Options& o, int reps, int policy) {
    for (const Design& d : designs()) {
        if (design != d.name) continue;
        const Population p = population(o.scenarios.front());
        const Catalogue cat(p);
        Stats sum;
        for (int r = 0; r < reps; ++r) {
            const Stats s = d.run(p, cat, RunConfig{365.0 * o.years.front(), policy, o.seed, std::uint64_t(r)});
            sum.occasions += s.occasions;
            sum.candidates += s.candidates;
            sum.seconds += s.seconds;
            sum.revenue += s.revenue;
        }
        std::printf("%s %s %g years x %d: occasions %llu candidates %llu revenue %.17g seconds %.4f\n", d.name,
                    p.name, o.years.front(), reps, static_cast<unsigned long long>(sum.occasions),
                    static_cast<unsigned long long>(sum.candidates), sum.revenue, sum.seconds);
        return 0;
    }
    std::fprintf(stderr, "unknown design %s\n", design.c_str());
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    std::string part = "all", only, v;
    int reps = 1, policy = 0;
    for (int i = 1; i < argc; ++i) {
        if (bench::arg(argv[i], "part", v)) part = v;
        else if (bench::arg(argv[i], "scenarios", v) || bench::arg(argv[i], "scenario", v)) o.scenarios = split(v);
        else if (bench::arg(argv[i], "years", v)) {
            o.years.clear();
            for (const std::string& y : split(v)) o.years.push_back(std::strtod(y.c_str(), nullptr));
        } else if (bench::arg(argv[i], "repeats", v)) o.repeats = std::max(1, std::atoi(v.c_str()));
        else if (bench::arg(argv[i], "crn_reps", v)) o.crn_reps = std::max(2, std::atoi(v.c_str()));
        else if (bench::arg(argv[i], "valid_reps", v)) o.valid_reps = std::max(2, std::atoi(v.c_str()));
        else if (bench::arg(argv[i], "seed", v)) o.seed = std::strtoull(v.c_str(), nullptr, 10);
        else if (bench::arg(argv[i], "only", v)) only = v;
        else if (bench::arg(argv[i], "reps", v)) reps = std::max(1, std::atoi(v.c_str()));
        else if (bench::arg(argv[i], "policy", v)) policy = std::atoi(v.c_str()) != 0;
        else {
            std::fprintf(stderr,
                         "usage: %s [part=all|timing|crn|valid] [scenarios=camera,decay,seasonal,store] "
                         "[years=1,10,100] [repeats=3] [crn_reps=200] [valid_reps=200] [seed=1] "
                         "[only=DESIGN scenario=NAME years=Y reps=N policy=0|1]\n",
                         argv[0]);
            return 2;
        }
    }
    if (!only.empty()) return run_only(only, o, reps, policy);
    std::printf("customer_stream: designs for the purchase-occasion stream (see the comment at the top)\n");
    bool ok = true;
    if (part == "all" || part == "valid") ok = validate(o);
    if (part == "all" || part == "timing") timing(o);
    if (part == "all" || part == "crn") crn(o);
    return ok ? 0 : 1;
}
