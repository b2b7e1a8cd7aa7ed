// Versions reported by `status` and `--version`.
#pragma once

#include <string_view>

namespace pkibridge::host {

#ifndef PKIBRIDGE_VERSION
#define PKIBRIDGE_VERSION "0.0.0"
#endif
inline constexpr std::string_view kHostVersion = PKIBRIDGE_VERSION;
// Bumped on incompatible changes to docs/native-messaging-protocol.md.
inline constexpr int kProtocolVersion = 1;

}  // namespace pkibridge::host
