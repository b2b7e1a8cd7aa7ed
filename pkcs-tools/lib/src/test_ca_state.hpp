// Internal: the in-memory state of a TestCa and its files in the CA directory.
//
// DIR/state.json   {"version":1, "keySpec", "crlBaseUrl",
//                   "crlNumbers": {"root": n, ...}        last CRL number issued per CA,
//                   "issued": [{"ca","serial","subject","usage","notAfter"}],
//                   "revoked": [{"ca","serial","revokedAt","reason"}]}
// DIR/<name>.pem   CA certificate (root.pem is the self-signed root)
// DIR/<name>.key   CA private key, unencrypted PKCS#8 PEM, mode 0600
// DIR/intermediates.pem  the four issuing CA certificates
#pragma once

#include <nlohmann/json.hpp>

#include <array>
#include <optional>

#include "pkibridge/pkcs/test_ca.hpp"

namespace pkibridge::pkcs {

struct TestCa::State {
    struct Authority {
        std::optional<Certificate> cert;
        EvpPkeyPtr key;
    };
    std::filesystem::path dir;
    KeySpec key_spec = KeySpec::Rsa2048;
    std::string crl_base_url;
    std::array<Authority, 5> cas;  // indexed by TestCaId
    nlohmann::json data;           // the contents of state.json

    Authority& ca(TestCaId id) { return cas[static_cast<std::size_t>(id)]; }
    const Authority& ca(TestCaId id) const { return cas[static_cast<std::size_t>(id)]; }
    void save() const;
};

}  // namespace pkibridge::pkcs
