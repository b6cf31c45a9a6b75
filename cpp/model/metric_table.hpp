#pragma once
/// One shape for the per-item, per-segment and per-vendor metric tables (`run.items`, `run.segments`,
/// `run.vendors`): each lists X(name, unit, label, one-line description) once, and
/// STOCKLAB_METRIC_TABLE declares from that list the enum, its size and the rows the bindings publish.
#include <array>
#include <cstddef>
#include <string_view>

namespace stocklab {

struct TableMetricInfo {
    std::string_view name, unit, label, description;
};

}  // namespace stocklab

#define STOCKLAB_TABLE_ENUM(name, unit, label, description) name,
#define STOCKLAB_TABLE_INFO(name, unit, label, description) TableMetricInfo{#name, unit, label, description},

// enum class Enum { <names>..., Count }; kCount = its size; kInfo = the rows in the same order.
#define STOCKLAB_METRIC_TABLE(Enum, LIST, kCount, kInfo)                                    \
    enum class Enum : int { LIST(STOCKLAB_TABLE_ENUM) Count };                               \
    inline constexpr std::size_t kCount = static_cast<std::size_t>(Enum::Count);             \
    inline constexpr std::array<TableMetricInfo, kCount> kInfo{{LIST(STOCKLAB_TABLE_INFO)}};
