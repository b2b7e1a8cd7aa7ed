# CMS signing / verification and path validation: integration script and benchmark.
# (The unit tests test_cms*.cpp, test_path*.cpp, test_algorithms*.cpp join pkcs-unit-tests.)
find_package(Python3 REQUIRED COMPONENTS Interpreter)

add_test(NAME pkcs.integration.cms_interop
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/cms_interop.py
          --pkcs-tool $<TARGET_FILE:pkcs-tool>)
set_tests_properties(pkcs.integration.cms_interop PROPERTIES LABELS integration TIMEOUT 300)

add_executable(pkcs-bench-cms-verify ${CMAKE_CURRENT_SOURCE_DIR}/bench_cms_verify.cpp)
target_link_libraries(pkcs-bench-cms-verify PRIVATE pkibridge_pkcs pkibridge_flags)
add_test(NAME pkcs.benchmark.cms_verify COMMAND pkcs-bench-cms-verify)
set_tests_properties(pkcs.benchmark.cms_verify PROPERTIES LABELS benchmark TIMEOUT 300)
