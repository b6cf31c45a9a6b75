# Header-only dependencies: Boost (Random) and nlohmann/json.
# Preferred source: the PyPI header packages `boost-headers` and `nlohmann-json` (pip installs them
# as build requirements, so pip and a compiler are all a user needs). Fallback: system packages
# (Debian: libboost-dev nlohmann-json3-dev).
find_package(Python COMPONENTS Interpreter)

function(stocklab_python_include module out)
  if(Python_Interpreter_FOUND)
    execute_process(
      COMMAND "${Python_EXECUTABLE}" -c
        "import importlib.util as u, pathlib as p; s = u.find_spec('${module}'); print(p.Path(list(s.submodule_search_locations)[0]) / 'include')"
      OUTPUT_VARIABLE dir OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
    if(rc EQUAL 0 AND EXISTS "${dir}")
      set(${out} "${dir}" PARENT_SCOPE)
    endif()
  endif()
endfunction()

if(NOT STOCKLAB_BOOST_INCLUDE)
  stocklab_python_include(boost_headers STOCKLAB_BOOST_INCLUDE)
endif()
if(NOT STOCKLAB_BOOST_INCLUDE)
  find_path(STOCKLAB_BOOST_INCLUDE boost/random/splitmix64.hpp)
endif()
if(NOT STOCKLAB_BOOST_INCLUDE OR NOT EXISTS "${STOCKLAB_BOOST_INCLUDE}/boost/random/splitmix64.hpp")
  message(FATAL_ERROR "Boost headers (>= 1.83, for boost/random/splitmix64.hpp) not found: "
                      "pip install boost-headers, or pass -DSTOCKLAB_BOOST_INCLUDE=/path/to/include")
endif()

if(NOT STOCKLAB_JSON_INCLUDE)
  stocklab_python_include(nlohmann_json STOCKLAB_JSON_INCLUDE)
endif()
if(NOT STOCKLAB_JSON_INCLUDE)
  find_path(STOCKLAB_JSON_INCLUDE nlohmann/json.hpp)
endif()
if(NOT STOCKLAB_JSON_INCLUDE)
  message(FATAL_ERROR "nlohmann/json not found: pip install nlohmann-json, or apt-get install nlohmann-json3-dev")
endif()
message(STATUS "stocklab: Boost headers from ${STOCKLAB_BOOST_INCLUDE}")
message(STATUS "stocklab: nlohmann/json from ${STOCKLAB_JSON_INCLUDE}")
