# Project-wide compile flags. Applied through an interface target so third-party
# headers included with -isystem are not held to -Werror.
add_library(pkibridge_flags INTERFACE)
target_compile_options(pkibridge_flags INTERFACE -Wall -Wextra -Werror -Wno-missing-field-initializers)
target_compile_definitions(pkibridge_flags INTERFACE OPENSSL_API_COMPAT=30000 OPENSSL_NO_DEPRECATED)

if(SANITIZE)
  set(_san -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_compile_options(${_san})
  add_link_options(${_san})
  # GCC 12 reports false -Wmaybe-uninitialized inside Catch2 and libstdc++ under ASan.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(pkibridge_flags INTERFACE -Wno-maybe-uninitialized)
  endif()
endif()
