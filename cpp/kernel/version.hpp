#pragma once
/// Versions that results carry, so a figure can be traced to the code that made it.
#include <boost/version.hpp>

#include <string>

namespace stocklab {

inline std::string boost_version() {
    return std::to_string(BOOST_VERSION / 100000) + "." + std::to_string(BOOST_VERSION / 100 % 1000) + "." +
           std::to_string(BOOST_VERSION % 100);
}

}  // namespace stocklab
