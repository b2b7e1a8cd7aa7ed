#include "pkibridge/pkcs/path_validation.hpp"

#include <openssl/objects.h>

#include <algorithm>
#include <string>

#include "path_internal.hpp"
#include "pkibridge/pkcs/crl.hpp"
#include "pkibridge/pkcs/time_util.hpp"

namespace pkibridge::pkcs {
namespace {

using cmsdetail::CertPath;
using cmsdetail::fail;
using cmsdetail::PathCheck;

constexpr std::size_t kSearchIntermediates = 16;  // explored beyond max_depth to report it
constexpr std::string_view kAnyEku = "2.5.29.37.0";

// Validity at `at`, both ends inclusive (RFC 5280 4.1.2.5), leaf first.
PathCheck time_checks(const CertPath& path, std::int64_t at) {
    for (std::size_t i = 0; i < path.size(); ++i) {
        const Certificate& c = *path[i];
        if (at < c.not_before())
            return fail(ValidationStatus::NotYetValid,
                        cmsdetail::describe_time(c, "is not valid before", c.not_before(), at),
                        static_cast<int>(i));
        if (at > c.not_after())
            return fail(ValidationStatus::Expired,
                        cmsdetail::describe_time(c, "expired at", c.not_after(), at),
                        static_cast<int>(i));
    }
    return {};
}

bool time_valid(const CertPath& path, std::int64_t at) {
    return std::all_of(path.begin(), path.end(), [&](const Certificate* c) {
        return c->not_before() <= at && at <= c->not_after();
    });
}

std::string eku_oid(const std::string& name) {
    Asn1ObjectPtr obj(OBJ_txt2obj(name.c_str(), 0));
    if (!obj) {
        drain_openssl_errors();
        throw PkcsError(ErrorCode::InvalidArgument, "unknown extended key usage '" + name + "'");
    }
    char buf[128];
    OBJ_obj2txt(buf, sizeof buf, obj.get(), 1);
    return buf;
}

bool eku_allows(const Certificate& c, const std::string& oid) {
    if (!c.has_extended_key_usage_extension()) return true;
    const auto oids = c.extended_key_usage_oids();
    return std::find(oids.begin(), oids.end(), oid) != oids.end() ||
           std::find(oids.begin(), oids.end(), kAnyEku) != oids.end();
}

PathCheck usage_checks(const CertPath& path, const ValidationOptions& options) {
    const Certificate& leaf = *path.front();
    if (!options.key_usage_any.empty() && leaf.has_key_usage_extension() &&
        std::none_of(options.key_usage_any.begin(), options.key_usage_any.end(),
                     [&](const std::string& ku) { return leaf.has_key_usage(ku); })) {
        std::string wanted;
        for (const auto& ku : options.key_usage_any) wanted += (wanted.empty() ? "" : " or ") + ku;
        std::string has;
        for (const auto& ku : leaf.key_usage()) has += (has.empty() ? "" : ", ") + ku;
        return fail(ValidationStatus::BadKeyUsage,
                    cmsdetail::describe(leaf) + " has key usage {" + has + "}, needs " + wanted, 0);
    }
    for (const std::string& name : options.required_eku) {
        const std::string oid = eku_oid(name);
        // The leaf must allow it; so must every CA that restricts its EKU (common practice,
        // stricter than RFC 5280, which leaves CA EKUs undefined).
        for (std::size_t i = 0; i < path.size(); ++i)
            if (!eku_allows(*path[i], oid))
                return fail(
                    ValidationStatus::BadEku,
                    cmsdetail::describe(*path[i]) + " does not allow extended key usage " + name,
                    static_cast<int>(i));
    }
    return {};
}

PathResult to_result(const CertPath& path, PathCheck check, bool revocation_checked,
                     int candidates) {
    PathResult r;
    r.status = check.status;
    r.message = std::move(check.message);
    for (const Certificate* c : path) r.chain.push_back(*c);
    r.failing_index = check.index;
    r.revocation = std::move(check.revocation);
    r.revocation_checked = revocation_checked;
    r.candidates_tried = candidates;
    return r;
}

}  // namespace

namespace cmsdetail {
std::string describe_time(const Certificate& c, std::string_view what, std::int64_t when,
                          std::int64_t at) {
    return describe(c) + " " + std::string(what) + " " + format_rfc3339(when) + " (checked at " +
           format_rfc3339(at) + ")";
}
}  // namespace cmsdetail

PathResult validate_path(const Certificate& leaf, const std::vector<Certificate>& extra_untrusted,
                         const TrustStore& trust, const ValidationOptions& options) {
    const std::int64_t at = options.at.value_or(now_unix());
    std::vector<const Certificate*> anchors;
    for (const Certificate& c : trust.anchors) anchors.push_back(&c);
    // Untrusted pool without duplicates; trust-store instances first so CRL signature
    // results cached per issuer stay warm across calls.
    std::vector<const Certificate*> untrusted;
    auto add_untrusted = [&](const Certificate& c) {
        auto same = [&](const Certificate* o) { return X509_cmp(o->native(), c.native()) == 0; };
        if (std::none_of(anchors.begin(), anchors.end(), same) &&
            std::none_of(untrusted.begin(), untrusted.end(), same))
            untrusted.push_back(&c);
    };
    for (const Certificate& c : trust.intermediates) add_untrusted(c);
    for (const Certificate& c : extra_untrusted) add_untrusted(c);

    const std::size_t max_depth = static_cast<std::size_t>(std::max(0, options.max_depth));
    cmsdetail::CandidateSearch search = cmsdetail::find_candidate_paths(
        leaf, anchors, untrusted, std::max(max_depth, kSearchIntermediates) + 2);

    if (search.paths.empty()) {
        const CertPath& partial = search.longest_dead_end;
        if (search.issuer_without_cert_sign != nullptr)
            return to_result(partial,
                             fail(ValidationStatus::InvalidCa,
                                  cmsdetail::describe(*search.issuer_without_cert_sign) +
                                      " matches the issuer name but may not sign certificates "
                                      "(no keyCertSign)",
                                  static_cast<int>(partial.size()) - 1),
                             false, 0);
        const Certificate& top = *partial.back();
        return to_result(partial,
                         fail(ValidationStatus::Untrusted,
                              "no path to a trust anchor: issuer '" + top.issuer() + "' of " +
                                  cmsdetail::describe(top) +
                                  " is neither a trust anchor nor among the intermediates",
                              static_cast<int>(partial.size()) - 1),
                         false, 0);
    }

    // Best candidates first: within max_depth, valid at `at`, then shorter.
    auto rank = [&](const CertPath& p) {
        const bool too_long = p.size() > max_depth + 2;
        return std::make_tuple(too_long ? 1 : 0, time_valid(p, at) ? 0 : 1, p.size());
    };
    std::stable_sort(search.paths.begin(), search.paths.end(),
                     [&](const CertPath& a, const CertPath& b) { return rank(a) < rank(b); });

    std::vector<const Certificate*> known = anchors;
    known.insert(known.end(), untrusted.begin(), untrusted.end());
    cmsdetail::RevocationContext revocation{
        options, at, known, [&](const Certificate& signer) {
            ValidationOptions nested = options;
            nested.crls = nullptr;  // the CRL signer's own status is not checked (no loops)
            nested.require_revocation = false;
            nested.required_eku.clear();
            nested.key_usage_any = {"cRLSign"};
            return validate_path(signer, extra_untrusted, trust, nested).ok();
        }};

    std::optional<PathResult> first_failure;
    int tried = 0;
    for (const CertPath& path : search.paths) {
        ++tried;
        bool revocation_checked = false;
        PathCheck check;
        if (path.size() > max_depth + 2) {
            check = fail(
                ValidationStatus::PathTooLong,
                "path of " + cmsdetail::describe(leaf) + " has " + std::to_string(path.size() - 2) +
                    " intermediate certificates, at most " + std::to_string(max_depth) + " allowed",
                0);
        } else {
            check = cmsdetail::openssl_path_checks(path, options);
            if (check.ok())
                check = cmsdetail::revocation_checks(path, revocation, revocation_checked);
            if (check.ok()) check = time_checks(path, at);
            if (check.ok()) check = usage_checks(path, options);
        }
        if (check.ok()) {
            check.message = "valid path to trust anchor " + cmsdetail::describe(*path.back());
            PathResult r = to_result(path, std::move(check), revocation_checked, tried);
            return r;
        }
        if (!first_failure)
            first_failure = to_result(path, std::move(check), revocation_checked, 0);
    }
    first_failure->candidates_tried = tried;
    if (tried > 1)
        first_failure->message += " (" + std::to_string(tried) + " candidate paths tried)";
    return *first_failure;
}

}  // namespace pkibridge::pkcs
