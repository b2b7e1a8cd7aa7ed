#include "services/crl_manager.hpp"

#include <algorithm>
#include <cstring>

#include "core/log.hpp"
#include "pkibridge/pkcs/certificate_json.hpp"
#include "pkibridge/pkcs/time_util.hpp"
#include "services/crl_fetcher.hpp"

namespace pkibridge::server {

using nlohmann::json;

namespace {

// Never poll a source more often than this, whatever the schedule says.
constexpr std::int64_t kMinimumGapSeconds = 1;
// Bounds the sources learnt from end-entity certificates.
constexpr std::size_t kMaxDistributionPointSources = 256;

bool same_der(const pkcs::Crl& a, const pkcs::Crl& b) {
    const auto& x = a.der();
    const auto& y = b.der();
    return x.size() == y.size() && std::memcmp(x.data(), y.data(), x.size()) == 0;
}

bool is_http_url(const std::string& s) {
    return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0;
}

}  // namespace

std::string CrlSnapshot::source_of(const pkcs::Crl& crl) const {
    auto it = sources.find(crl.der().data());
    return it == sources.end() ? std::string() : it->second;
}

std::string_view crl_source_kind_name(CrlSourceKind kind) noexcept {
    switch (kind) {
        case CrlSourceKind::File:
            return "file";
        case CrlSourceKind::Url:
            return "url";
        case CrlSourceKind::DistributionPoint:
            return "distribution-point";
    }
    return "url";
}

CrlManager::CrlManager(CrlConfig config, const Clock& clock,
                       std::vector<pkcs::Certificate> ca_certificates)
    : config_(std::move(config)), clock_(clock), ca_certs_(std::move(ca_certificates)) {
    std::lock_guard lock(mutex_);
    for (const auto& f : config_.files) add_source_locked(f.string(), CrlSourceKind::File);
    for (const auto& u : config_.urls) add_source_locked(u, CrlSourceKind::Url);
    if (config_.from_distribution_points) {
        for (const auto& ca : ca_certs_) {
            for (const auto& uri : ca.crl_distribution_points()) {
                if (is_http_url(uri)) add_source_locked(uri, CrlSourceKind::DistributionPoint);
            }
        }
    }
    publish_locked();
}

CrlManager::~CrlManager() {
    stop();
}

bool CrlManager::add_source_locked(const std::string& id, CrlSourceKind kind) {
    if (sources_.count(id)) return false;
    Source s;
    s.id = id;
    s.kind = kind;
    s.next_due = 0;  // due now
    sources_.emplace(id, std::move(s));
    return true;
}

void CrlManager::load_initial() {
    // Files now (local, fast); URLs are left to the background thread, which starts on
    // them at once, so an unreachable distribution point never delays the start.
    std::vector<std::string> ids;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [id, s] : sources_)
            if (s.kind == CrlSourceKind::File) ids.push_back(id);
    }
    for (const auto& id : ids) refresh_source(id);
}

void CrlManager::start_background() {
    std::lock_guard lock(mutex_);
    if (worker_.joinable()) return;
    stopping_ = false;
    worker_ = std::thread([this] { run(); });
}

void CrlManager::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    if (worker_.joinable()) worker_.join();
}

bool CrlManager::add_distribution_points(const std::vector<pkcs::Certificate>& certs) {
    if (!config_.from_distribution_points) return false;
    std::vector<std::string> added;
    {
        std::lock_guard lock(mutex_);
        std::size_t dp_sources = std::count_if(
            sources_.begin(), sources_.end(),
            [](const auto& kv) { return kv.second.kind == CrlSourceKind::DistributionPoint; });
        for (const auto& cert : certs) {
            for (const auto& uri : cert.crl_distribution_points()) {
                if (!is_http_url(uri) || dp_sources >= kMaxDistributionPointSources) continue;
                if (add_source_locked(uri, CrlSourceKind::DistributionPoint)) {
                    added.push_back(uri);
                    ++dp_sources;
                    log_info("CRL: new distribution point " + uri);
                }
            }
        }
    }
    bool changed = false;
    for (const auto& id : added) changed |= refresh_source(id);
    return changed;
}

void CrlManager::refresh_all() {
    std::vector<std::string> ids;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [id, s] : sources_) ids.push_back(id);
    }
    for (const auto& id : ids) refresh_source(id);
}

std::vector<pkcs::Crl> CrlManager::load_source(const Source& src) {
    pkcs::Bytes data;
    if (src.kind == CrlSourceKind::File) {
        std::error_code ec;
        auto size = std::filesystem::file_size(src.id, ec);
        if (ec) throw FetchError("cannot read " + src.id + ": " + ec.message());
        if (size > config_.max_bytes)
            throw FetchError("file larger than crl.maxBytes (" + std::to_string(size) + " bytes)");
        data = pkcs::read_file(src.id);
    } else {
        data = fetch_url(src.id, FetchLimits{std::chrono::seconds(config_.fetch_timeout_seconds),
                                             config_.max_bytes});
    }
    auto crls = pkcs::parse_crls(data);
    if (crls.empty()) throw FetchError("no CRL in " + src.id);
    return crls;
}

void CrlManager::check_against_current(const Source& src, const std::vector<pkcs::Crl>& fresh,
                                       std::vector<std::optional<bool>>& signature_ok) const {
    signature_ok.clear();
    for (const auto& crl : fresh) {
        // Signature: against the configured CA with the CRL issuer's name, when we have it.
        std::optional<bool> verified;
        for (const auto& ca : ca_certs_) {
            if (X509_NAME_cmp(ca.subject_name(), crl.issuer_name()) != 0) continue;
            verified = crl.verify_signature(ca);
            if (*verified) break;
        }
        if (verified && !*verified) {
            throw FetchError("CRL from " + crl.issuer() +
                             " does not verify with the configured CA certificate");
        }
        signature_ok.push_back(verified);
        // Rollback: never replace a CRL with an older one from the same issuer.
        for (const auto& old : src.crls) {
            if (X509_NAME_cmp(old.issuer_name(), crl.issuer_name()) != 0 ||
                old.is_delta() != crl.is_delta())
                continue;
            auto old_number = old.number();
            auto new_number = crl.number();
            bool older = (old_number && new_number) ? *new_number < *old_number
                                                    : crl.this_update() < old.this_update();
            if (older) {
                throw FetchError("CRL from " + crl.issuer() +
                                 " is older than the one in use (kept the newer one)");
            }
        }
    }
}

std::int64_t CrlManager::schedule_after_success(const std::vector<pkcs::Crl>& crls,
                                                std::int64_t now) const {
    std::int64_t next = now + config_.refresh_interval_seconds;
    for (const auto& crl : crls) {
        if (auto nu = crl.next_update())
            next = std::min(next, *nu - config_.refresh_margin_seconds);
    }
    // A CRL already inside its margin (or stale at the publisher) is re-polled at the
    // retry pace, not in a busy loop.
    const std::int64_t floor =
        now + std::max(kMinimumGapSeconds,
                       std::min(config_.retry_seconds, config_.refresh_interval_seconds));
    if (next < now + kMinimumGapSeconds) next = floor;
    return std::max(next, now + kMinimumGapSeconds);
}

bool CrlManager::refresh_source(const std::string& id) {
    Source copy;
    {
        std::unique_lock lock(mutex_);
        auto it = sources_.find(id);
        if (it == sources_.end()) return false;
        if (it->second.in_flight) {
            // Someone else is loading it: wait for their result instead of loading twice.
            changed_.wait(lock, [&] { return !it->second.in_flight || stopping_; });
            return false;
        }
        it->second.in_flight = true;
        copy = it->second;
    }

    const std::int64_t started = clock_.now_unix();
    std::vector<pkcs::Crl> fresh;
    std::vector<std::optional<bool>> signature_ok;
    std::optional<std::string> error;
    std::optional<std::filesystem::file_time_type> mtime;
    std::uintmax_t fsize = 0;
    try {
        if (copy.kind == CrlSourceKind::File) {
            std::error_code ec;
            mtime = std::filesystem::last_write_time(copy.id, ec);
            if (ec) mtime.reset();
            fsize = std::filesystem::file_size(copy.id, ec);
        }
        fresh = load_source(copy);
        check_against_current(copy, fresh, signature_ok);
    } catch (const std::exception& e) {
        error = e.what();
    }

    bool changed = false;
    {
        std::lock_guard lock(mutex_);
        Source& src = sources_.at(id);
        src.in_flight = false;
        src.last_attempt = started;
        const std::int64_t now = clock_.now_unix();
        if (error) {
            src.last_error = error;
            src.next_due =
                now + std::max(kMinimumGapSeconds,
                               std::min(config_.retry_seconds, config_.refresh_interval_seconds));
            log_warn("CRL: " + id + ": " + *error);
        } else {
            src.last_error.reset();
            src.last_success = now;
            changed = fresh.size() != src.crls.size() ||
                      !std::equal(fresh.begin(), fresh.end(), src.crls.begin(), same_der);
            if (changed) {
                src.crls = std::move(fresh);
                src.signature_ok = std::move(signature_ok);
                src.last_change = now;
            }
            src.next_due = schedule_after_success(src.crls, now);
        }
        if (mtime) {
            src.file_mtime = mtime;
            src.file_size = fsize;
        }
        if (changed) {
            publish_locked();
            std::size_t entries = 0;
            for (const auto& c : src.crls) entries += c.size();
            log_info("CRL: loaded " + id + " (" + std::to_string(src.crls.size()) + " CRL(s), " +
                     std::to_string(entries) + " entries)");
        }
    }
    refreshes_.fetch_add(1);
    changed_.notify_all();
    return changed;
}

void CrlManager::publish_locked() {
    auto snap = std::make_shared<CrlSnapshot>();
    std::vector<pkcs::Crl> all;
    for (const auto& [id, src] : sources_) {
        for (const auto& crl : src.crls) {
            all.push_back(crl);
            snap->sources.emplace(crl.der().data(), id);
        }
    }
    snap->crls = pkcs::CrlSet::build(std::move(all));
    snap->generation = ++generation_;
    snapshot_.store(std::move(snap));
}

bool CrlManager::file_changed_locked(Source& src) const {
    if (src.kind != CrlSourceKind::File || src.in_flight) return false;
    std::error_code ec;
    auto mtime = std::filesystem::last_write_time(src.id, ec);
    if (ec) return false;
    auto size = std::filesystem::file_size(src.id, ec);
    if (ec) return false;
    return !src.file_mtime || *src.file_mtime != mtime || src.file_size != size;
}

void CrlManager::run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        const std::int64_t now = clock_.now_unix();
        std::vector<std::string> due;
        for (auto& [id, src] : sources_) {
            if (src.in_flight) continue;
            if (src.next_due <= now || file_changed_locked(src)) due.push_back(id);
        }
        if (!due.empty()) {
            lock.unlock();
            for (const auto& id : due) {
                refresh_source(id);
                std::lock_guard check(mutex_);
                if (stopping_) break;
            }
            lock.lock();
            continue;
        }
        // Wake at least every second: cheap, and it notices edited CRL files quickly.
        changed_.wait_for(lock, std::chrono::seconds(1));
    }
}

}  // namespace pkibridge::server
