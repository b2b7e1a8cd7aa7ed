// What the CRL manager reports: the admin status document and the Prometheus gauges.
#include "pkibridge/pkcs/time_util.hpp"
#include "services/crl_manager.hpp"

namespace pkibridge::server {

using nlohmann::json;

json CrlManager::status_json() const {
    std::lock_guard lock(mutex_);
    const std::int64_t now = clock_.now_unix();
    auto opt_time = [](const std::optional<std::int64_t>& t) {
        return t ? json(pkcs::format_rfc3339(*t)) : json(nullptr);
    };
    json sources = json::array();
    json crls = json::array();
    for (const auto& [id, src] : sources_) {
        std::size_t entries = 0;
        for (const auto& c : src.crls) entries += c.size();
        sources.push_back({{"source", id},
                           {"kind", crl_source_kind_name(src.kind)},
                           {"crls", src.crls.size()},
                           {"entries", entries},
                           {"lastFetch", opt_time(src.last_attempt)},
                           {"lastSuccess", opt_time(src.last_success)},
                           {"lastChange", opt_time(src.last_change)},
                           {"lastError", src.last_error ? json(*src.last_error) : json(nullptr)},
                           {"nextRefresh", pkcs::format_rfc3339(src.next_due)}});
        for (std::size_t i = 0; i < src.crls.size(); ++i) {
            const auto& c = src.crls[i];
            json j = {
                {"issuer", c.issuer()},
                {"thisUpdate", pkcs::format_rfc3339(c.this_update())},
                {"nextUpdate",
                 c.next_update() ? json(pkcs::format_rfc3339(*c.next_update())) : json(nullptr)},
                {"entries", c.size()},
                {"number", c.number() ? json(c.number()->decimal()) : json(nullptr)},
                {"delta", c.is_delta()},
                {"stale", c.next_update() && *c.next_update() + config_.grace_seconds < now},
                {"ageSeconds", now - c.this_update()},
                {"signatureVerified", i < src.signature_ok.size() && src.signature_ok[i]
                                          ? json(*src.signature_ok[i])
                                          : json(nullptr)},
                {"source", id},
                {"sourceKind", crl_source_kind_name(src.kind)},
                {"lastFetch", opt_time(src.last_attempt)},
                {"lastError", src.last_error ? json(*src.last_error) : json(nullptr)},
            };
            if (auto idp = c.issuing_distribution_point()) {
                j["partitioned"] = !idp->uris.empty() || idp->only_some_reasons.has_value() ||
                                   idp->only_user_certs || idp->only_ca_certs;
                j["distributionPoint"] = idp->uris;
            }
            crls.push_back(std::move(j));
        }
    }
    auto snap = snapshot_.load();
    return {{"generation", snap ? snap->generation : 0},
            {"graceSeconds", config_.grace_seconds},
            {"requireRevocation", config_.require_revocation},
            {"refreshIntervalSeconds", config_.refresh_interval_seconds},
            {"crls", std::move(crls)},
            {"sources", std::move(sources)}};
}

std::vector<GaugeSample> CrlManager::gauges() const {
    std::lock_guard lock(mutex_);
    const std::int64_t now = clock_.now_unix();
    std::vector<GaugeSample> out;
    for (const auto& [id, src] : sources_) {
        for (const auto& c : src.crls) {
            Labels l = {{"issuer", c.issuer()}, {"source", id}};
            out.push_back({"pkibridge_crl_age_seconds", "Seconds since the CRL's thisUpdate", l,
                           static_cast<double>(now - c.this_update())});
            if (auto nu = c.next_update()) {
                out.push_back({"pkibridge_crl_next_update_seconds",
                               "Seconds until the CRL's nextUpdate (negative: stale)", l,
                               static_cast<double>(*nu - now)});
                out.push_back({"pkibridge_crl_next_update_timestamp_seconds",
                               "The CRL's nextUpdate as a Unix time", l, static_cast<double>(*nu)});
            }
            out.push_back({"pkibridge_crl_entries", "Revoked entries in the CRL", l,
                           static_cast<double>(c.size())});
        }
        out.push_back({"pkibridge_crl_source_up",
                       "1 if the last load of the CRL source succeeded",
                       {{"source", id}},
                       src.last_error ? 0.0 : (src.last_success ? 1.0 : 0.0)});
    }
    auto snap = snapshot_.load();
    out.push_back({"pkibridge_crl_generation",
                   "Generation of the published CRL set",
                   {},
                   static_cast<double>(snap ? snap->generation : 0)});
    return out;
}

}  // namespace pkibridge::server
