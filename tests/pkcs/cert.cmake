# Certificates, CRLs and the test CA: integration test and benchmark (unit tests are
# test_cert*.cpp / test_crl*.cpp / test_testca*.cpp, globbed into pkcs-unit-tests).
find_package(Python3 REQUIRED COMPONENTS Interpreter)

add_test(NAME pkcs.integration.cert_ca
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/cert_ca_integration.py
                 $<TARGET_FILE:pkcs-tool>)
set_tests_properties(pkcs.integration.cert_ca PROPERTIES LABELS integration TIMEOUT 120)

add_executable(bench-crl ${CMAKE_CURRENT_SOURCE_DIR}/bench_crl.cpp)
target_link_libraries(bench-crl PRIVATE pkibridge_pkcs pkibridge_flags)
add_test(NAME pkcs.bench.crl COMMAND bench-crl 1000000)
set_tests_properties(pkcs.bench.crl PROPERTIES LABELS benchmark TIMEOUT 600)
