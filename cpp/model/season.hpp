#pragma once
/// Seasonality: demand at time t is scaled by s(t) = 1 + a sin(2 pi (t - phase) / period), and
/// customers' clocks run in operational time tau(t), the integral of s from 0 to t, so a customer of
/// constant loyalty has a Poisson process of occasions in tau (the time change of a Poisson process).
/// Invariants: tau is increasing (a < 1, so s > 0); |tau(t) - t| <= a period / pi; inverse(tau(t))
/// returns t to within a few ulps, deterministically.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "scenario/scenario.hpp"

namespace stocklab {

class Season {
public:
    explicit Season(const Seasonality& s)
        : a_(s.amplitude), period_(s.period_days), w_(2.0 * std::numbers::pi / s.period_days), phase_(s.phase_days),
          c_(s.amplitude / w_), cos0_(std::cos(w_ * s.phase_days)) {}

    bool flat() const { return a_ == 0.0; }
    // Written as version 1 wrote it: the superposed stream's thinning draws compare with these bits.
    double factor(double t) const {
        return a_ == 0.0 ? 1.0 : 1.0 + a_ * std::sin(2.0 * std::numbers::pi * (t - phase_) / period_);
    }
    double tau(double t) const { return a_ == 0.0 ? t : t + c_ * (cos0_ - std::cos(w_ * (t - phase_))); }

    /// The t with tau(t) = u: Newton's method warm-started from the last answer, kept inside the
    /// bracket where the answer must lie, falling back to bisection.
    double inverse(double u) {
        if (a_ == 0.0) return u;
        double lo = u - 2.0 * c_, hi = u + 2.0 * c_;
        double t = std::clamp(last_t_ + (u - last_u_), lo, hi);
        for (int i = 0; i < 100; ++i) {
            const double f = tau(t) - u;
            if (f == 0.0) break;
            (f > 0 ? hi : lo) = t;
            double next = t - f / factor(t);
            if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
            if (next == t || hi - lo <= 4.0 * std::numeric_limits<double>::epsilon() * std::max(1.0, std::abs(u))) {
                t = next;
                break;
            }
            t = next;
        }
        last_t_ = t;
        last_u_ = u;
        return t;
    }

private:
    double a_, period_, w_, phase_, c_, cos0_;
    double last_t_ = 0.0, last_u_ = 0.0;
};

}  // namespace stocklab
