# Runs at install time (install(CODE) in manifests/CMakeLists.txt): writes the host manifests
# with the host path under the prefix being installed to, into share/pkibridge, the
# configured installer next to them, and — for a /usr install such as the Debian package —
# into the browsers' system folders. DESTDIR is honoured (CPack sets it).
set(_prefix "${CMAKE_INSTALL_PREFIX}")
set(_host_path "${_prefix}/${PKIBRIDGE_HOST_INSTALL_SUBDIR}/pkibridge-host")
string(REPLACE "\\" "\\\\" PKIBRIDGE_HOST_PATH_JSON "${_host_path}")
set(_share "$ENV{DESTDIR}${_prefix}/${PKIBRIDGE_DATADIR}/pkibridge")

set(_chrome "${_share}/native-messaging-hosts/chrome/${PKIBRIDGE_HOST_NAME}.json")
set(_firefox "${_share}/native-messaging-hosts/firefox/${PKIBRIDGE_HOST_NAME}.json")
configure_file("${PKIBRIDGE_MANIFEST_SOURCE_DIR}/host-manifest-chrome.json.in" "${_chrome}" @ONLY)
configure_file("${PKIBRIDGE_MANIFEST_SOURCE_DIR}/host-manifest-firefox.json.in" "${_firefox}" @ONLY)
message(STATUS "Installing: ${_chrome}")
message(STATUS "Installing: ${_firefox}")

set(PKIBRIDGE_HOST_PATH "${_host_path}")
configure_file("${PKIBRIDGE_MANIFEST_SOURCE_DIR}/install.sh" "${_share}/manifests/install.sh" @ONLY
               FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                                WORLD_READ WORLD_EXECUTE)
message(STATUS "Installing: ${_share}/manifests/install.sh")

set(_system "${PKIBRIDGE_BROWSER_MANIFESTS}")
if(_system STREQUAL "AUTO")
  if(_prefix STREQUAL "/usr")
    set(_system ON)
  else()
    set(_system OFF)
  endif()
endif()
if(_system)
  foreach(_dir IN ITEMS /etc/chromium/native-messaging-hosts /etc/opt/chrome/native-messaging-hosts
                        /etc/opt/edge/native-messaging-hosts)
    file(INSTALL "${_chrome}" DESTINATION "${_dir}") # file(INSTALL) adds DESTDIR itself
  endforeach()
  file(INSTALL "${_firefox}" DESTINATION "/usr/lib/mozilla/native-messaging-hosts")
endif()
