// The issuing CA certificates to embed with includeChain, taken from the configured PEM
// bundle (caCertificates): from the signer's issuer upwards, without the self-signed root.
#pragma once

#include <filesystem>
#include <vector>

#include "pkibridge/pkcs/certificate.hpp"

namespace pkibridge::host::commands {

// Empty when the bundle has nothing matching. Throws CommandError(BadRequest) when no
// bundle is configured, pkcs::PkcsError when it cannot be read.
std::vector<pkcs::Certificate> issuer_chain(const pkcs::Certificate& signer,
                                            const std::filesystem::path& bundle);

}  // namespace pkibridge::host::commands
