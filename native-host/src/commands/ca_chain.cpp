#include "commands/ca_chain.hpp"

#include "commands/command_error.hpp"

namespace pkibridge::host::commands {
namespace {

bool issued(const pkcs::Certificate& child, const pkcs::Certificate& parent) {
    if (child.issuer_der() != parent.subject_der()) return false;
    const auto aki = child.authority_key_identifier();
    const auto ski = parent.subject_key_identifier();
    return !aki || !ski || *aki == *ski;
}

}  // namespace

std::vector<pkcs::Certificate> issuer_chain(const pkcs::Certificate& signer,
                                            const std::filesystem::path& bundle) {
    if (bundle.empty())
        throw CommandError(CommandFailure::BadRequest,
                           "includeChain needs \"caCertificates\" in the host configuration");
    const std::vector<pkcs::Certificate> pool = pkcs::load_certificates(bundle);
    std::vector<pkcs::Certificate> chain;
    chain.reserve(8);  // `current` points into it: no reallocation
    const pkcs::Certificate* current = &signer;
    for (int depth = 0; depth < 8 && !current->is_self_issued(); ++depth) {
        const pkcs::Certificate* parent = nullptr;
        for (const auto& candidate : pool)
            if (issued(*current, candidate)) parent = &candidate;
        if (!parent || parent->is_self_issued()) break;  // the root is the verifier's anchor
        chain.push_back(*parent);
        current = &chain.back();
    }
    return chain;
}

}  // namespace pkibridge::host::commands
