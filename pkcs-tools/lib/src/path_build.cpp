#include <openssl/x509v3.h>

#include <algorithm>

#include "path_internal.hpp"

namespace pkibridge::pkcs::cmsdetail {
namespace {

constexpr std::size_t kMaxPaths = 16;        // candidates worth trying
constexpr std::size_t kMaxExpansions = 512;  // bounds the search on hostile inputs

bool same(const Certificate* a, const Certificate* b) {
    return a == b || X509_cmp(a->native(), b->native()) == 0;
}

struct Search {
    const std::vector<const Certificate*>& anchors;
    const std::vector<const Certificate*>& untrusted;
    std::size_t max_certs;
    CandidateSearch result;
    std::size_t expansions = 0;

    bool is_anchor(const Certificate* c) const {
        return std::any_of(anchors.begin(), anchors.end(),
                           [&](const Certificate* a) { return same(a, c); });
    }

    void visit(CertPath& path) {
        const Certificate* current = path.back();
        if (is_anchor(current)) {
            result.paths.push_back(path);
            return;
        }
        if (path.size() > result.longest_dead_end.size()) result.longest_dead_end = path;
        if (path.size() >= max_certs || result.paths.size() >= kMaxPaths ||
            ++expansions > kMaxExpansions)
            return;
        for (const auto* pool : {&anchors, &untrusted}) {
            for (const Certificate* candidate : *pool) {
                if (std::any_of(path.begin(), path.end(),
                                [&](const Certificate* c) { return same(c, candidate); }))
                    continue;
                int rc = X509_check_issued(candidate->native(), current->native());
                if (rc == X509_V_ERR_KEYUSAGE_NO_CERTSIGN) {
                    result.issuer_without_cert_sign = candidate;
                    continue;
                }
                if (rc != X509_V_OK) continue;
                path.push_back(candidate);
                visit(path);
                path.pop_back();
                if (result.paths.size() >= kMaxPaths) return;
            }
        }
    }
};

}  // namespace

std::string describe(const Certificate& cert) {
    return "'" + cert.subject() + "' (serial " + cert.serial_hex() + ")";
}

CandidateSearch find_candidate_paths(const Certificate& leaf,
                                     const std::vector<const Certificate*>& anchors,
                                     const std::vector<const Certificate*>& untrusted,
                                     std::size_t max_certs) {
    Search search{anchors, untrusted, max_certs, {}, 0};
    CertPath path{&leaf};
    search.visit(path);
    return std::move(search.result);
}

}  // namespace pkibridge::pkcs::cmsdetail
