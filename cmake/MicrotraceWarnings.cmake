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
endfunction()
