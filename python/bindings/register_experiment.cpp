// Replications in C++ threads with the GIL released.
#include <pybind11/numpy.h>

#include "common.hpp"
#include "runner/replications.hpp"
#include "model/simulation.hpp"

namespace stocklab::bindings {

bool python_interrupted() {
    py::gil_scoped_acquire gil;
    return PyErr_CheckSignals() != 0;
}

void register_experiment(py::module_& m) {
    m.def(
        "run_replications",
        [](const Scenario& sc, std::uint64_t seed, std::uint64_t first, std::uint64_t count, int jobs) {
            std::vector<Summary> rows;
            try {
                py::gil_scoped_release release;
                rows = run_replications(sc, seed, first, count, jobs, python_interrupted);
            } catch (const Interrupted&) {
                throw py::error_already_set();
            }
            py::array_t<double> out({static_cast<py::ssize_t>(count), static_cast<py::ssize_t>(kMetricCount)});
            double* p = out.mutable_data();
            for (std::size_t i = 0; i < rows.size(); ++i) std::copy(rows[i].begin(), rows[i].end(), p + i * kMetricCount);
            return out;
        },
        py::arg("scenario"), py::arg("seed"), py::arg("first"), py::arg("count"), py::arg("jobs") = 1,
        "Summaries (count x metrics) of replications first..first+count-1 of one policy variant.");
    m.def("hardware_jobs", &hardware_jobs);
}

}  // namespace stocklab::bindings
