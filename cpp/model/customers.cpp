#include "model/customers.hpp"

#include <algorithm>
#include <numeric>
#include <numbers>

namespace stocklab {

CustomerBase::CustomerBase(const Scenario& sc, std::uint64_t seed, std::uint64_t replication, Calendar& cal)
    : sc_(sc),
      seed_(seed),
      replication_(replication),
      cal_(cal),
      customers_mode_(sc.demand.model == DemandModel::Customers),
      behaviour_(customers_mode_ && sc.customers.behaviour),
      rng_arrivals_(make_engine(seed, replication, Purpose::DemandArrivals)),
      rng_pick_(make_engine(seed, replication, Purpose::CustomerPick)),
      rng_thin_(make_engine(seed, replication, Purpose::RateThinning)),
      rng_new_(make_engine(seed, replication, Purpose::NewCustomers)),
      rng_anonymous_(stream_seed(seed, replication, Purpose::AnonymousOccasion)),
      clocks_(behaviour_),
      season_(sc.demand.seasonality) {
    set_segments();
    if (clocks_) {
        start_clocks();
        return;
    }
    const double season_max = 1.0 + sc_.demand.seasonality.amplitude;
    if (customers_mode_) {
        const auto n = static_cast<std::size_t>(sc_.customers.population);
        const double expected_new = new_customer_bound() * sc_.customers.new_customer_rate_per_day * sc_.run.horizon_days;
        customers_.loyalty_scales_rate = behaviour_;
        customers_.reserve(n + static_cast<std::size_t>(std::min(expected_new * 1.2 + 16.0, 2e7)));
        customers_.add_initial(n, sc_.customers.initial_loyalty);
        for (std::size_t id = 0; id < n; ++id)
            customers_.stream(id) = Engine(stream_seed(seed, replication, Purpose::Customer, {id}));
        joined_ = static_cast<std::int64_t>(n);
        // Bound on the total occasion rate of the initial population, not (rate / n) * n: with
        // behaviour off it then equals the anonymous stream's rate bit for bit (same seed, same run).
        // Segments that visit more often raise the bound; thinning by factor / max gives each its rate.
        const double weights = initial_weights(n);
        max_rate_ = sc_.demand.rate_per_day * season_max * (static_cast<double>(n) / weights) /
                    (behaviour_ ? sc_.customers.initial_loyalty : 1.0);
        if (sc_.customers.new_customer_rate_per_day > 0) schedule_next_new_customer(0.0);
    } else {
        max_rate_ = sc_.demand.rate_per_day * season_max;
    }
    update_candidate_rate();
    schedule_next_candidate(0.0);
}

/// The visit-rate weights of the initial population, summed in id order (one segment: n x its factor,
/// exactly the same sum, without the loop).
double CustomerBase::initial_weights(std::size_t n) const {
    if (customers_.segment_factor.size() == 1 && customers_.segment_factor[0] == 1.0) return static_cast<double>(n);
    double weights = 0.0;
    for (std::size_t i = 0; i < n; ++i) weights += customers_.segment_factor[customers_.segment(i)];
    return weights;
}

/// Each segment's visit-rate weight: its factor with clocks; relative to the largest factor when a
/// superposed stream thins by it.
void CustomerBase::set_segments() {
    const std::vector<Segment>& segments = sc_.customers.segments;
    double max_factor = 0.0;
    for (const Segment& g : segments) max_factor = std::max(max_factor, g.visit_rate_factor);
    std::vector<double> factors;
    for (const Segment& g : segments) {
        factors.push_back(clocks_ ? g.visit_rate_factor : g.visit_rate_factor / max_factor);
        uneven_rates_ = uneven_rates_ || g.visit_rate_factor != max_factor;
    }
    customers_.set_segments(segments, factors);
}

// ---------------------------------------------------------------------------------------------
// Clocks (behaviour on)

void CustomerBase::start_clocks() {
    const auto n = static_cast<std::size_t>(sc_.customers.population);
    const double l0 = sc_.customers.initial_loyalty;
    const double expected_new = new_customer_bound() * sc_.customers.new_customer_rate_per_day * sc_.run.horizon_days;
    const std::size_t ids = n + static_cast<std::size_t>(std::min(expected_new * 1.2 + 16.0, 2e7));
    customers_.reserve(ids);
    clocked_.reserve(ids);
    clock_.reserve(ids);  // no regrowth while customers make their first purchases
    // Streams are seeded when first needed (a customer's first occasion, or joining): most of the
    // initial population of a short run never buys.
    customers_.add_initial(n, l0);
    clocked_.assign(n, 0);
    joined_ = static_cast<std::int64_t>(n);
    // At the initial loyalty the population makes rate_per_day occasions a day (before the season).
    unit_rate_ = sc_.demand.rate_per_day / (l0 * initial_weights(n));
    pools_.resize(sc_.customers.segments.size());
    if (pools_.size() == 1) {
        pools_[0].ids.resize(n);
        std::iota(pools_[0].ids.begin(), pools_[0].ids.end(), 0u);
    } else {
        for (std::size_t i = 0; i < n; ++i) pools_[customers_.segment(i)].ids.push_back(static_cast<std::uint32_t>(i));
    }
    for (std::size_t g = 0; g < pools_.size(); ++g) draw_pool_key(g, 0.0);
    if (sc_.customers.new_customer_rate_per_day > 0) schedule_next_new_customer(0.0);
    refresh_next();
}

/// A pool's next occasion: its members all have the initial loyalty and the segment's factor, so
/// they make one Poisson stream at (members x unit rate x loyalty x factor) per operational day.
/// Then the earliest pool is found again (few segments: a scan).
void CustomerBase::draw_pool_key(std::size_t g, double from) {
    Pool& pool = pools_[g];
    if (pool.ids.empty()) {
        pool.key = kNoCandidate;
    } else {
        const double rate = static_cast<double>(pool.ids.size()) * unit_rate_ * sc_.customers.initial_loyalty *
                            customers_.segment_factor[g];
        pool.key = from + boost::random::exponential_distribution<double>(rate)(rng_arrivals_);
    }
    pool_next_ = 0;
    for (std::size_t k = 1; k < pools_.size(); ++k)
        if (pools_[k].key < pools_[pool_next_].key) pool_next_ = k;
    pool_key_ = pools_[pool_next_].key;
}

/// The pool member whose occasion it is (uniform), out of the pool with its own clock and stream.
std::uint32_t CustomerBase::pick_from_pool() {
    std::vector<std::uint32_t>& pool = pools_[pool_next_].ids;
    std::size_t i = static_cast<std::size_t>(uniform01(rng_pick_) * static_cast<double>(pool.size()));
    if (i >= pool.size()) i = pool.size() - 1;
    const std::uint32_t id = pool[i];
    pool[i] = pool.back();
    pool.pop_back();
    draw_pool_key(pool_next_, firing_key_);
    customers_.stream(id) = Engine(stream_seed(seed_, replication_, Purpose::Customer, {id}));
    clocked_[id] = 1;
    return id;
}

/// After the firing customer's occasion: its next one is an Exp(1) (drawn at the firing) away at the
/// rate its loyalty has now; a customer who can no longer buy leaves the clocks.
void CustomerBase::restart_clock() {
    const auto id = static_cast<std::uint32_t>(firing_);
    firing_ = -1;
    const double w = customers_.weight(id);
    const bool ticking = clock_.contains(id);
    if (w > 0) {
        const double key = firing_key_ + firing_gap_ / (unit_rate_ * w);
        if (ticking) clock_.update(id, key);
        else clock_.push(id, key);
    } else if (ticking) {
        clock_.remove(id);
    }
    refresh_next();
}

/// A customer's loyalty changed outside its own occasion (a backorder shipped, cancelled or late, a
/// delayed return): the operational time left to its next occasion scales by old / new rate.
void CustomerBase::rescale_clock(std::size_t id, double old_weight, double now) {
    if (static_cast<std::int64_t>(id) == firing_ || !clocked_[id]) return;  // firing: restart_clock()
    const double w = customers_.weight(id);
    const auto cid = static_cast<std::uint32_t>(id);
    if (clock_.contains(cid)) {
        if (w == 0.0) {
            clock_.remove(cid);
        } else {
            const double u = season_.tau(now);
            clock_.update(cid, u + (clock_.key_of(cid) - u) * (old_weight / w));
        }
    } else if (w > 0) {  // back from zero loyalty: a fresh clock (memoryless)
        const double gap = boost::random::exponential_distribution<double>(1.0)(customers_.stream(id));
        clock_.push(cid, season_.tau(now) + gap / (unit_rate_ * w));
    }
    refresh_next();
}

/// A prospect joined: its own stream and clock from now.
void CustomerBase::join_clocks(std::size_t id, double now) {
    Engine& stream = customers_.stream(id);
    stream = Engine(stream_seed(seed_, replication_, Purpose::Customer, {id}));
    clocked_[id] = 1;
    const double gap = boost::random::exponential_distribution<double>(1.0)(stream);
    clock_.push(static_cast<std::uint32_t>(id), season_.tau(now) + gap / (unit_rate_ * customers_.weight(id)));
    refresh_next();
}


void CustomerBase::update_candidate_rate() {
    candidate_rate_ =
        customers_mode_
            ? max_rate_ * (static_cast<double>(customers_.size()) / static_cast<double>(sc_.customers.population))
            : max_rate_;
}

// Prospects arrive at twice the base rate when reputation can rise above neutral (positive reviews),
// so thinning by factor / 2 can reach up to twice the base rate.
double CustomerBase::new_customer_bound() const {
    return sc_.customers.word_of_mouth.positive_review_probability > 0 ? 2.0 : 1.0;
}

void CustomerBase::schedule_next_new_customer(double now) {
    const double dt = boost::random::exponential_distribution<double>(
        new_customer_bound() * sc_.customers.new_customer_rate_per_day)(rng_new_);
    if (now + dt < sc_.run.horizon_days) cal_.schedule(now + dt, EventType::NewCustomer);
}

std::int64_t CustomerBase::on_new_customer(double now) {
    schedule_next_new_customer(now);
    // Reputation R scales arrivals by 2 / (1 + e^-R): 1 at R = 0, toward 0 with bad reviews and
    // toward 2 with good ones.
    const double factor = 2.0 / (1.0 + std::exp(-reputation_at(now)));
    const bool joins = uniform01(rng_new_) < factor / new_customer_bound();
    const std::size_t id = customers_.size();
    if (id >= std::numeric_limits<std::uint32_t>::max()) return -1;
    // Every prospect gets the next id, whether or not reputation lets them join (those who stay away
    // are inactive from the start). So ids, the population size and with them the whole stream of
    // purchase candidates are the same under every store policy: common random numbers hold for
    // the whole run, not only until the policies' reputations first differ.
    if (clocks_) {  // no stream for a prospect who stays away: it would never be used
        customers_.add(sc_.customers.initial_loyalty, 0, joins);
        clocked_.push_back(0);
        if (joins) {
            ++joined_;
            join_clocks(id, now);
        }
        return joins ? static_cast<std::int64_t>(id) : -1;
    }
    customers_.add(sc_.customers.initial_loyalty, stream_seed(seed_, replication_, Purpose::Customer, {id}), joins);
    if (joins) ++joined_;
    update_candidate_rate();
    schedule_next_candidate(now);  // the candidate rate changed: redraw the next candidate (memoryless)
    return joins ? static_cast<std::int64_t>(id) : -1;
}

double CustomerBase::reputation_at(double t) const {
    if (reputation_ == 0.0) return 0.0;
    return reputation_ * std::exp(-(t - reputation_time_) / sc_.customers.word_of_mouth.memory_days);
}

void CustomerBase::set_loyalty(std::size_t id, double value, double now) {
    const double before = customers_.loyalty(id);
    customers_.set_loyalty(id, value);
    if (!clocks_) return;
    const auto [old_weight, new_weight] = customers_.weights(customers_.people[id], before);
    if (new_weight != old_weight) rescale_clock(id, old_weight, now);
}

void CustomerBase::good_experience(std::int64_t id, double gain, double now) {
    if (!behaviour_ || id < 0 || gain == 0.0) return;
    const double l = customers_.loyalty(static_cast<std::size_t>(id));
    set_loyalty(static_cast<std::size_t>(id), l + gain * (1.0 - l), now);
}

void CustomerBase::scale_loyalty(std::int64_t id, double factor, double now) {
    if (!behaviour_ || id < 0) return;
    const double l = customers_.loyalty(static_cast<std::size_t>(id));
    set_loyalty(static_cast<std::size_t>(id), l * (1.0 - factor * sensitivity(id)), now);
}

double CustomerBase::positive_review(double now) {
    reputation_ = reputation_at(now) + sc_.customers.word_of_mouth.review_weight;
    reputation_time_ = now;
    return reputation_;
}

BadExperience CustomerBase::bad_experience(std::int64_t customer, double penalty, float u_review, float u_churn,
                                           double now) {
    BadExperience out;
    if (!behaviour_ || customer < 0) return out;
    const std::size_t id = static_cast<std::size_t>(customer);
    set_loyalty(id, customers_.loyalty(id) * (1.0 - penalty * sensitivity(customer)), now);
    const WordOfMouth& w = sc_.customers.word_of_mouth;
    if (u_review < w.review_probability) {
        out.reviewed = true;
        reputation_ = reputation_at(now) - w.review_weight;
        reputation_time_ = now;
    }
    const LoyaltyRules& L = sc_.customers.loyalty;
    if (customers_.active(id) &&
        ((L.churn_below > 0 && customers_.loyalty(id) < L.churn_below) || u_churn < L.churn_probability)) {
        const double old_weight = customers_.weight(id);
        customers_.churn(id);
        if (clocks_) rescale_clock(id, old_weight, now);
        out.churned = true;
    }
    return out;
}

double CustomerBase::mean_loyalty() const {
    return customers_.active_count > 0 ? customers_.loyalty_sum_active / static_cast<double>(customers_.active_count)
                                       : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace stocklab
