# microtrace_configure_target(<target>): the flags for code microtrace builds itself (tests,
# examples, benchmarks). Never applied to the microtrace INTERFACE target: users' flags are theirs.
include_guard(GLOBAL)

function(microtrace_configure_target target)
    set_target_properties(${target} PROPERTIES CXX_EXTENSIONS OFF)
    if(MSVC)
        target_compile_options(${target} PRIVATE /W4 /WX /permissive- /utf-8)
    else()
        target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror)
    endif()
    # GCC 12 warns inside libstdc++ on `"k" + std::to_string(i)` at -O2 and above in C++20
    # (GCC bug 105651, a false -Wrestrict); the warning is about the standard library, not us.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12
       AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
        target_compile_options(${target} PRIVATE -Wno-restrict)
    endif()
endfunction()
