#pragma once
// Command-line `key=value` arguments of the C++ benchmark programs (bare_loop, engine_run).
#include <cstring>
#include <string>

namespace bench {

/// True if `a` is `key=...`; then `value` gets what follows the '='.
inline bool arg(const char* a, const char* key, std::string& value) {
    const std::size_t n = std::strlen(key);
    if (std::strncmp(a, key, n) == 0 && a[n] == '=') {
        value = a + n + 1;
        return true;
    }
    return false;
}

}  // namespace bench
