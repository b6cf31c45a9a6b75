#include "model/customers.hpp"

#include <algorithm>
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
      rng_anonymous_(stream_seed(seed, replication, Purpose::AnonymousOccasion)) {
    const double season_max = 1.0 + sc_.demand.seasonality.amplitude;
    if (customers_mode_) {
        const auto n = static_cast<std::size_t>(sc_.customers.population);
        const double expected_new = new_customer_bound() * sc_.customers.new_customer_rate_per_day * sc_.run.horizon_days;
        customers_.loyalty_scales_rate = behaviour_;
        customers_.reserve(n + static_cast<std::size_t>(std::min(expected_new * 1.2 + 16.0, 2e7)));
        customers_.add_initial(n, sc_.customers.initial_loyalty, [&](std::size_t id) {
            return stream_seed(seed, replication, Purpose::Customer, {id});
        });
        joined_ = static_cast<std::int64_t>(n);
        // Bound on the total occasion rate of the initial population, not (rate / n) * n: with
        // behaviour off it then equals the anonymous stream's rate bit for bit (same seed, same run).
        max_rate_ = sc_.demand.rate_per_day * season_max / (behaviour_ ? sc_.customers.initial_loyalty : 1.0);
        if (sc_.customers.new_customer_rate_per_day > 0) schedule_next_new_customer(0.0);
    } else {
        max_rate_ = sc_.demand.rate_per_day * season_max;
    }
    update_candidate_rate();
    schedule_next_candidate(0.0);
}

double CustomerBase::season_factor(double t) const {
    const Seasonality& s = sc_.demand.seasonality;
    if (s.amplitude == 0.0) return 1.0;
    return 1.0 + s.amplitude * std::sin(2.0 * std::numbers::pi * (t - s.phase_days) / s.period_days);
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

void CustomerBase::good_experience(std::int64_t id, double gain) {
    if (!behaviour_ || id < 0 || gain == 0.0) return;
    const double l = customers_.loyalty[static_cast<std::size_t>(id)];
    customers_.set_loyalty(static_cast<std::size_t>(id), l + gain * (1.0 - l));
}

void CustomerBase::scale_loyalty(std::int64_t id, double factor) {
    if (!behaviour_ || id < 0) return;
    const double l = customers_.loyalty[static_cast<std::size_t>(id)];
    customers_.set_loyalty(static_cast<std::size_t>(id), l * (1.0 - factor));
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
    customers_.set_loyalty(id, customers_.loyalty[id] * (1.0 - penalty));
    const WordOfMouth& w = sc_.customers.word_of_mouth;
    if (u_review < w.review_probability) {
        out.reviewed = true;
        reputation_ = reputation_at(now) - w.review_weight;
        reputation_time_ = now;
    }
    const LoyaltyRules& L = sc_.customers.loyalty;
    if (customers_.active[id] &&
        ((L.churn_below > 0 && customers_.loyalty[id] < L.churn_below) || u_churn < L.churn_probability)) {
        customers_.churn(id);
        out.churned = true;
    }
    return out;
}

double CustomerBase::mean_loyalty() const {
    return customers_.active_count > 0 ? customers_.loyalty_sum_active / static_cast<double>(customers_.active_count)
                                       : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace stocklab
