// One physical card can be reachable through two drivers (our PIV driver and OpenSC's PKCS#11
// module on the same reader) or two modules. Each certificate must be listed, and found by
// id, once: tokens earlier in the list win, and later tokens lose the certificates (by SHA-256
// fingerprint) that an earlier token already has. A token left without certificates is
// dropped.
#pragma once

#include <memory>
#include <vector>

#include "card/token.hpp"

namespace pkibridge::host::drivers {

// Reads every token's keys once (the wrapped tokens keep that list for the request).
void hide_duplicate_keys(std::vector<std::unique_ptr<card::Token>>& tokens);

}  // namespace pkibridge::host::drivers
