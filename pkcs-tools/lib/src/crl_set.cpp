// CrlSet: an immutable, issuer-indexed collection of CRLs and the revocation check built
// on it (RFC 5280 section 6.3, simplified: complete CRL + delta, scope, freshness).
#include <algorithm>

#include "pkibridge/pkcs/crl.hpp"
#include "pkibridge/pkcs/errors.hpp"
#include "pkibridge/pkcs/time_util.hpp"

namespace pkibridge::pkcs {
namespace {

// Newest first: higher CRL number, then later thisUpdate.
bool newer(const Crl& a, const Crl& b) {
    auto na = a.number(), nb = b.number();
    if (na && nb && *na != *nb) return *na > *nb;
    return a.this_update() > b.this_update();
}

bool same_issuer(const Crl& crl, const X509_NAME* name) {
    return X509_NAME_cmp(crl.issuer_name(), name) == 0;
}

// SHA-1 based hash of the canonical name encoding (what OpenSSL's hashed CA dirs use).
unsigned long name_hash(const X509_NAME* name) {
    int ok = 0;
    unsigned long h = X509_NAME_hash_ex(name, nullptr, nullptr, &ok);
    if (!ok) throw_openssl(ErrorCode::Malformed, "cannot hash X.509 name");
    return h;
}

// Why the CRL does not decide this certificate's status, or "" when it applies.
std::string scope_problem(const Crl& crl, const Certificate& cert) {
    if (crl.has_unhandled_critical_extension()) return "CRL has an unsupported critical extension";
    auto idp = crl.issuing_distribution_point();
    if (!idp) return {};
    if (idp->only_user_certs && cert.is_ca()) return "CRL covers only end-entity certificates";
    if (idp->only_ca_certs && !cert.is_ca()) return "CRL covers only CA certificates";
    if (idp->only_attribute_certs) return "CRL covers only attribute certificates";
    if (idp->only_some_reasons) return "CRL is partial (onlySomeReasons)";
    if (!idp->uris.empty()) {
        auto cert_dps = cert.crl_distribution_points();
        if (!cert_dps.empty()) {
            bool match = std::any_of(idp->uris.begin(), idp->uris.end(), [&](const std::string& u) {
                return std::find(cert_dps.begin(), cert_dps.end(), u) != cert_dps.end();
            });
            if (!match) return "CRL distribution point does not match the certificate's";
        }
    }
    return {};
}

}  // namespace

std::shared_ptr<const CrlSet> CrlSet::build(std::vector<Crl> crls) {
    auto set = std::make_shared<CrlSet>();
    std::stable_sort(crls.begin(), crls.end(), newer);
    set->crls_ = std::move(crls);
    for (std::size_t i = 0; i < set->crls_.size(); ++i)
        set->by_issuer_hash_[name_hash(set->crls_[i].issuer_name())].push_back(i);
    return set;
}

std::vector<std::size_t> CrlSet::candidates(const X509_NAME* issuer) const {
    std::vector<std::size_t> out;
    auto it = by_issuer_hash_.find(name_hash(issuer));
    if (it == by_issuer_hash_.end()) return out;
    for (std::size_t i : it->second)
        if (same_issuer(crls_[i], issuer)) out.push_back(i);
    return out;
}

std::vector<Crl> CrlSet::complete_crls_for(const X509_NAME* issuer) const {
    std::vector<Crl> out;
    for (std::size_t i : candidates(issuer))
        if (!crls_[i].is_delta()) out.push_back(crls_[i]);
    return out;
}

std::vector<Crl> CrlSet::delta_crls_for(const X509_NAME* issuer) const {
    std::vector<Crl> out;
    for (std::size_t i : candidates(issuer))
        if (crls_[i].is_delta()) out.push_back(crls_[i]);
    return out;
}

std::optional<Crl> CrlSet::latest_complete(const X509_NAME* issuer) const {
    for (std::size_t i : candidates(issuer))
        if (!crls_[i].is_delta()) return crls_[i];
    return std::nullopt;
}

std::optional<Crl> CrlSet::latest_delta(const X509_NAME* issuer, const Crl& complete) const {
    auto number = complete.number();
    if (!number) return std::nullopt;
    for (std::size_t i : candidates(issuer)) {
        const Crl& crl = crls_[i];
        if (!crl.is_delta()) continue;
        auto delta_number = crl.number();
        if (*crl.delta_base() <= *number && (!delta_number || *delta_number > *number)) return crl;
    }
    return std::nullopt;
}

std::vector<Crl> CrlSet::indirect_crls_for(const X509_NAME* issuer) const {
    std::vector<Crl> out;
    for (const Crl& crl : crls_)
        if (crl.is_indirect() && !same_issuer(crl, issuer) && crl.covers_issuer(issuer))
            out.push_back(crl);
    return out;
}

RevocationResult CrlSet::check(const Certificate& cert, const Certificate& issuer, std::int64_t now,
                               const std::vector<Certificate>& indirect_signers) const {
    RevocationResult result;
    if (X509_NAME_cmp(cert.issuer_name(), issuer.subject_name()) != 0) {
        result.detail = "issuer certificate does not match the certificate's issuer name";
        return result;
    }
    std::string last_problem = "no CRL for issuer " + cert.issuer();
    auto usable = [&](const Crl& crl, const std::vector<Certificate>& signers) {
        if (auto problem = scope_problem(crl, cert); !problem.empty()) {
            last_problem = problem;
            return false;
        }
        for (const Certificate& signer : signers)
            if (crl.verify_signature(signer)) return true;
        last_problem = "CRL signature does not verify (issuer " + crl.issuer() + ")";
        return false;
    };

    std::optional<Crl> base;
    Certificate signer = issuer;
    for (const Crl& crl : complete_crls_for(cert.issuer_name())) {
        if (usable(crl, {issuer})) {
            base = crl;
            break;
        }
    }
    if (!base) {
        for (const Crl& crl : indirect_crls_for(cert.issuer_name())) {
            if (crl.is_delta()) continue;
            for (const Certificate& s : indirect_signers) {
                if (usable(crl, {s})) {
                    base = crl;
                    signer = s;
                    break;
                }
            }
            if (base) break;
        }
    }
    if (!base) {
        result.detail = last_problem;
        return result;
    }
    result.crl = base;
    std::optional<RevocationEntry> entry = base->find(cert);
    if (base->expired_at(now)) {
        // A stale CRL can still prove a permanent revocation, never that a certificate is good.
        if (entry && entry->reason != kReasonCertificateHold) {
            result.status = RevocationStatus::Revoked;
            result.entry = entry;
            result.detail = "revoked (listed in an expired CRL)";
            return result;
        }
        result.detail = "CRL expired at " + format_rfc3339(*base->next_update());
        return result;
    }
    if (auto delta = latest_delta(base->issuer_name(), *base);
        delta && !delta->expired_at(now) && usable(*delta, {signer})) {
        if (auto change = delta->find(cert)) {
            if (change->reason == kReasonRemoveFromCrl)
                entry.reset();
            else
                entry = change;
        }
    }
    if (entry) {
        result.status = RevocationStatus::Revoked;
        result.entry = entry;
        result.detail = std::string("revoked: ") + std::string(entry->reason_name()) + " at " +
                        format_rfc3339(entry->revoked_at);
    } else {
        result.status = RevocationStatus::Good;
        result.detail = "not listed in CRL" +
                        (base->number() ? " number " + base->number()->decimal() : std::string()) +
                        " of " + base->issuer();
    }
    return result;
}

}  // namespace pkibridge::pkcs
