// stocklab._core: wiring only. Each area registers itself in its own register_<area>.cpp.
#include "common.hpp"
#include "kernel/version.hpp"

PYBIND11_MODULE(_core, m) {
    m.doc() = "stocklab's C++ engine (internal: use the stocklab package)";
    m.attr("__version__") = STOCKLAB_VERSION;
    m.attr("boost_version") = stocklab::boost_version();
    stocklab::bindings::register_scenario(m);
    stocklab::bindings::register_policy(m);
    stocklab::bindings::register_simulation(m);
    stocklab::bindings::register_experiment(m);
    stocklab::bindings::register_gym(m);
}
