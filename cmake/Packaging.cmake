# CPack Debian package: pkibridge-host, its manifests for every browser (system folders) and
# the default configuration /etc/pkibridge/host.json. Build it with `cpack -G DEB` in the
# build folder (or `cmake --build BUILD --target package`).
# Everything the package holds is install component "host"; the server and pkcs-tool are not
# in it (CPACK_INSTALL_CMAKE_PROJECTS below), so packaging needs only the host built.
include(GNUInstallDirs)

if(TARGET pkibridge-host)
  # The host's own rule (native-host/CMakeLists.txt) has no component; this one puts the same
  # file in the package.
  install(TARGETS pkibridge-host RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT host)
endif()

# The default host configuration; a conffile, so local edits survive upgrades.
install(FILES ${CMAKE_SOURCE_DIR}/manifests/default-host.json DESTINATION /etc/pkibridge RENAME host.json
        COMPONENT host)

# The unpacked extension, for "load unpacked" and enterprise deployment (see docs/extension.md).
install(DIRECTORY ${CMAKE_SOURCE_DIR}/extension/ DESTINATION ${CMAKE_INSTALL_DATADIR}/pkibridge/extension
        COMPONENT host PATTERN tools EXCLUDE)

set(CPACK_GENERATOR "DEB")
set(CPACK_INSTALL_CMAKE_PROJECTS "${CMAKE_BINARY_DIR};${PROJECT_NAME};host;/")
set(CPACK_PACKAGE_NAME "pkibridge")
set(CPACK_PACKAGE_VENDOR "pkibridge")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Smart-card web signing for Taiwanese GPKI cards (native host)")
set(CPACK_PACKAGE_DESCRIPTION
    "pkibridge-host lets the pkibridge browser extension sign and log in with GPKI smart cards\n(MOICA, MOEACA, XCA, GCA) over PC/SC. The PIN is typed in the extension's own window and\nevery request is bound to the web site's origin. Installs the native messaging host\nmanifests for Chrome, Chromium, Edge and Firefox.")
# The DEB generator installs with DESTDIR and this prefix, so /etc/... destinations land in
# the package and the manifests name /usr/bin/pkibridge-host whatever CMAKE_INSTALL_PREFIX is.
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "pkibridge maintainers <pkibridge@pkibridge.org>")
set(CPACK_DEBIAN_PACKAGE_SECTION "utils")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "pcscd")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "chromium | google-chrome-stable | microsoft-edge-stable | firefox-esr")

# dpkg keeps files listed in conffiles when the admin changed them.
set(_conffiles ${CMAKE_BINARY_DIR}/debian/conffiles)
file(WRITE ${_conffiles} "/etc/pkibridge/host.json\n")
if(NOT PKIBRIDGE_BROWSER_MANIFESTS STREQUAL "OFF") # written for the package's /usr prefix
  foreach(_dir IN ITEMS /etc/chromium /etc/opt/chrome /etc/opt/edge)
    file(APPEND ${_conffiles} "${_dir}/native-messaging-hosts/org.pkibridge.host.json\n")
  endforeach()
endif()
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${_conffiles})

include(CPack)
