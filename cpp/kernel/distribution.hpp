#pragma once
/// A parsed distribution `{"dist": NAME, ...}` and how to sample it with Boost.Random.
/// Invariants (checked by the parser): parameters are finite; samples are >= 0; integer
/// distributions (order sizes) give integers >= 1; `infinite` always gives +inf (never cancels).
#include <boost/random/exponential_distribution.hpp>
#include <boost/random/gamma_distribution.hpp>
#include <boost/random/geometric_distribution.hpp>
#include <boost/random/lognormal_distribution.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "kernel/random.hpp"

namespace stocklab {

struct Distribution {
    enum class Kind { Constant, Exponential, Gamma, Lognormal, Uniform, UniformInt, Empirical, Geometric, Infinite };
    Kind kind = Kind::Constant;
    double a = 0.0;  // constant value, mean, or low
    double b = 0.0;  // cv or high
    std::vector<double> values;
    std::vector<double> cdf;  // empirical: cumulative weights normalised to 1

    static Distribution constant(double v) {
        Distribution d;
        d.kind = Kind::Constant;
        d.a = v;
        return d;
    }
    static Distribution exponential(double mean) {
        Distribution d;
        d.kind = Kind::Exponential;
        d.a = mean;
        return d;
    }
    static Distribution infinite() {
        Distribution d;
        d.kind = Kind::Infinite;
        return d;
    }

    double mean() const {
        switch (kind) {
            case Kind::Constant: return a;
            case Kind::Exponential:
            case Kind::Gamma:
            case Kind::Lognormal:
            case Kind::Geometric: return a;
            case Kind::Uniform:
            case Kind::UniformInt: return 0.5 * (a + b);
            case Kind::Empirical: {
                double m = 0.0, prev = 0.0;
                for (std::size_t i = 0; i < values.size(); ++i) {
                    m += values[i] * (cdf[i] - prev);
                    prev = cdf[i];
                }
                return m;
            }
            case Kind::Infinite: return std::numeric_limits<double>::infinity();
        }
        return a;
    }

    template <class Engine>
    double sample(Engine& eng) const {
        // Order sizes are usually constant and drawn at every occasion: no call for them.
        if (kind == Kind::Constant) return a;
        return sample_any(eng);
    }

    template <class Engine>
    double sample_any(Engine& eng) const {
        switch (kind) {
            case Kind::Constant: return a;
            case Kind::Exponential: return boost::random::exponential_distribution<double>(1.0 / a)(eng);
            case Kind::Gamma: {
                if (b == 0.0) return a;
                const double shape = 1.0 / (b * b);
                return boost::random::gamma_distribution<double>(shape, a / shape)(eng);
            }
            case Kind::Lognormal: {
                if (b == 0.0) return a;
                // Boost takes the underlying normal's parameters; match the requested mean and cv.
                const double s2 = std::log1p(b * b);
                return boost::random::lognormal_distribution<double>(std::log(a) - 0.5 * s2, std::sqrt(s2))(eng);
            }
            case Kind::Uniform:
                // Boost loops until a draw falls below `high`: with low == high it never returns.
                if (!(b > a)) return a;
                return boost::random::uniform_real_distribution<double>(a, b)(eng);
            case Kind::UniformInt:
                return static_cast<double>(boost::random::uniform_int_distribution<std::int64_t>(
                    static_cast<std::int64_t>(a), static_cast<std::int64_t>(b))(eng));
            case Kind::Empirical: {
                const double u = uniform01(eng);
                auto it = std::upper_bound(cdf.begin(), cdf.end(), u);
                std::size_t i = static_cast<std::size_t>(it - cdf.begin());
                if (i >= values.size()) i = values.size() - 1;
                return values[i];
            }
            case Kind::Geometric: {
                // Support {1, 2, ...} with the given mean: Boost's geometric counts failures from 0.
                if (a <= 1.0) return 1.0;
                return 1.0 + static_cast<double>(boost::random::geometric_distribution<std::int64_t>(1.0 / a)(eng));
            }
            case Kind::Infinite: return std::numeric_limits<double>::infinity();
        }
        return a;
    }
};

}  // namespace stocklab
