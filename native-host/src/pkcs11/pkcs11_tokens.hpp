// Every initialised token in every slot of every loaded PKCS#11 module. A module whose
// enumeration fails is logged and skipped; only its own tokens are missing.
#pragma once

#include <memory>
#include <vector>

#include "card/token.hpp"

namespace pkibridge::host::pkcs11 {

struct Pkcs11Tokens {
    std::vector<std::unique_ptr<card::Token>> tokens;  // module order, then slot order
    std::size_t slots = 0;                             // slots seen, with or without token
};

Pkcs11Tokens open_pkcs11_tokens();

}  // namespace pkibridge::host::pkcs11
