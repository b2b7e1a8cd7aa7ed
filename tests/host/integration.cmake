# Integration tests: bin/pkibridge-host against a private pcscd + vpcd + the virtual card.
# Each case starts its own pcscd (tests/support/pcsc_env.py); RESOURCE_LOCK pcscd keeps the
# card tests from competing for the two cores with each other.
set(HOST_INTEGRATION_CASES
  status list_certificates sign_ec sign_rsa authenticate wrong_pin pin_format origin_denied
  malformed_frames card_removed pcscd_stopped pin_timeout cancel_and_busy errors_without_card
  large_reply)
foreach(case ${HOST_INTEGRATION_CASES})
  add_test(NAME host.integration.${case}
    COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/integration.py
            --host $<TARGET_FILE:pkibridge-host> --pkcs-tool $<TARGET_FILE:pkcs-tool> ${case})
  set_tests_properties(host.integration.${case} PROPERTIES
    LABELS integration RESOURCE_LOCK pcscd TIMEOUT 180
    ENVIRONMENT "PYTHONDONTWRITEBYTECODE=1;PKIBRIDGE_TEST_SUPPORT=${PKIBRIDGE_TEST_SUPPORT}")
endforeach()
