# Benchmark (label benchmark; not part of the pass/fail run): start-up and round trips of
# pkibridge-host, with a trivial C echo host measured in the same run as the floor.
add_executable(host-reference-echo ${CMAKE_CURRENT_SOURCE_DIR}/reference_host.c)
target_compile_options(host-reference-echo PRIVATE -Wall -Wextra -Werror)
add_test(NAME host.benchmark
  COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/benchmark.py
          --host $<TARGET_FILE:pkibridge-host> --reference $<TARGET_FILE:host-reference-echo>
          --pkcs-tool $<TARGET_FILE:pkcs-tool> --json ${CMAKE_BINARY_DIR}/host-benchmark.json)
set_tests_properties(host.benchmark PROPERTIES
  LABELS benchmark RESOURCE_LOCK pcscd TIMEOUT 600
  ENVIRONMENT "PYTHONDONTWRITEBYTECODE=1;PKIBRIDGE_TEST_SUPPORT=${PKIBRIDGE_TEST_SUPPORT}")
