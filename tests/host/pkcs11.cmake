# PKCS#11 driver tests (native-host/src/pkcs11): bin/pkibridge-host with real modules, SoftHSM2
# (private SOFTHSM2_CONF per case) and OpenSC's module over the virtual PIV card in a private
# pcscd (tests/support/pcsc_env.py), plus the PKCS#11 sign benchmark.
set(HOST_PKCS11_CASES
  softhsm_list softhsm_sign softhsm_authenticate softhsm_wrong_pin softhsm_without_pcscd
  broken_module invalid_config
  opensc_dedupe opensc_pin_blocked opensc_card_removed)
foreach(case ${HOST_PKCS11_CASES})
  add_test(NAME host.pkcs11.${case}
    COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/pkcs11_integration.py
            --host $<TARGET_FILE:pkibridge-host> --pkcs-tool $<TARGET_FILE:pkcs-tool> ${case})
  set_tests_properties(host.pkcs11.${case} PROPERTIES
    LABELS integration RESOURCE_LOCK pcscd TIMEOUT 180
    ENVIRONMENT "PYTHONDONTWRITEBYTECODE=1;PKIBRIDGE_TEST_SUPPORT=${PKIBRIDGE_TEST_SUPPORT}")
endforeach()

add_test(NAME host.benchmark.pkcs11
  COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/pkcs11_benchmark.py
          --host $<TARGET_FILE:pkibridge-host> --pkcs-tool $<TARGET_FILE:pkcs-tool>
          --json ${CMAKE_BINARY_DIR}/host-benchmark-pkcs11.json)
set_tests_properties(host.benchmark.pkcs11 PROPERTIES
  LABELS benchmark RESOURCE_LOCK pcscd TIMEOUT 600
  ENVIRONMENT "PYTHONDONTWRITEBYTECODE=1;PKIBRIDGE_TEST_SUPPORT=${PKIBRIDGE_TEST_SUPPORT}")

# The host's PKCS#11 login token accepted by the real verification server.
if(TARGET pkibridge-server)
  add_test(NAME host.pkcs11.server_login
    COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/pkcs11_integration.py
            --host $<TARGET_FILE:pkibridge-host> --pkcs-tool $<TARGET_FILE:pkcs-tool> server_login)
  set_tests_properties(host.pkcs11.server_login PROPERTIES
    LABELS integration RESOURCE_LOCK pcscd TIMEOUT 180
    ENVIRONMENT "PYTHONDONTWRITEBYTECODE=1;PKIBRIDGE_TEST_SUPPORT=${PKIBRIDGE_TEST_SUPPORT};PKIBRIDGE_SERVER=$<TARGET_FILE:pkibridge-server>")
endif()
