// Keeps the CRLs the server checks revocation with: loaded from files, fetched from
// configured URLs and from the certificates' CRL distribution points, refreshed in the
// background before nextUpdate, and published as immutable snapshots that request threads
// read without ever waiting for a download or a parse.
//
// A refresh that fails (network error, bad signature, older CRL than the one in use) keeps
// the last good CRL; once that CRL's nextUpdate passes, path validation reports crl-stale
// and logins fail closed.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "core/clock.hpp"
#include "pkibridge/pkcs/certificate.hpp"
#include "pkibridge/pkcs/crl.hpp"
#include "services/metrics.hpp"

namespace pkibridge::server {

// One published state of all CRLs. The generation changes whenever the set changes, so
// caches of validated chains can key on it.
struct CrlSnapshot {
    std::shared_ptr<const pkcs::CrlSet> crls;
    std::uint64_t generation = 0;
    // Where each CRL came from, keyed by the address of its shared DER buffer.
    std::map<const void*, std::string> sources;
    std::string source_of(const pkcs::Crl& crl) const;
};

enum class CrlSourceKind { File, Url, DistributionPoint };
std::string_view crl_source_kind_name(CrlSourceKind kind) noexcept;  // file/url/distribution-point

class CrlManager {
public:
    // ca_certificates: the configured anchors and intermediates; CRL signatures are
    // checked against them on load, and their distribution points are sources when
    // config.from_distribution_points.
    CrlManager(CrlConfig config, const Clock& clock,
               std::vector<pkcs::Certificate> ca_certificates);
    ~CrlManager();
    CrlManager(const CrlManager&) = delete;
    CrlManager& operator=(const CrlManager&) = delete;

    // Loads the file sources once, synchronously; URL sources are fetched by the background
    // thread as soon as it starts. Failures are recorded in the status, never thrown: the
    // server starts and reports them.
    void load_initial();
    void start_background();
    void stop();

    std::shared_ptr<const CrlSnapshot> snapshot() const { return snapshot_.load(); }

    // Adds the http(s) distribution points of these (chain-validated) certificates as
    // sources and fetches the new ones now (or waits for a fetch under way). Returns true
    // when the published set changed meanwhile.
    bool add_distribution_points(const std::vector<pkcs::Certificate>& certs);
    bool distribution_points_enabled() const noexcept { return config_.from_distribution_points; }

    // Re-reads/re-fetches every source now; returns when done.
    void refresh_all();

    nlohmann::json status_json() const;
    std::vector<GaugeSample> gauges() const;
    std::uint64_t refresh_count() const noexcept { return refreshes_.load(); }

private:
    struct Source {
        std::string id;  // path or URL
        CrlSourceKind kind = CrlSourceKind::Url;
        std::vector<pkcs::Crl> crls;  // last good content
        std::optional<std::int64_t> last_attempt;
        std::optional<std::int64_t> last_success;
        std::optional<std::int64_t> last_change;
        std::optional<std::string> last_error;
        std::int64_t next_due = 0;
        bool in_flight = false;
        std::optional<std::filesystem::file_time_type> file_mtime;
        std::uintmax_t file_size = 0;
        std::vector<std::optional<bool>> signature_ok;  // per CRL: verified against a CA?
    };

    bool add_source_locked(const std::string& id, CrlSourceKind kind);
    // Loads one source (waits instead if another thread is loading it). True if changed.
    bool refresh_source(const std::string& id);
    std::vector<pkcs::Crl> load_source(const Source& src);  // throws on failure
    void check_against_current(const Source& src, const std::vector<pkcs::Crl>& fresh,
                               std::vector<std::optional<bool>>& signature_ok) const;
    std::int64_t schedule_after_success(const std::vector<pkcs::Crl>& crls, std::int64_t now) const;
    void publish_locked();
    bool file_changed_locked(Source& src) const;
    void run();

    CrlConfig config_;
    const Clock& clock_;
    std::vector<pkcs::Certificate> ca_certs_;

    mutable std::mutex mutex_;
    std::condition_variable changed_;  // source finished loading / stop requested
    std::map<std::string, Source> sources_;
    std::uint64_t generation_ = 0;
    std::atomic<std::shared_ptr<const CrlSnapshot>> snapshot_;
    std::atomic<std::uint64_t> refreshes_{0};

    bool stopping_ = false;
    std::thread worker_;
};

}  // namespace pkibridge::server
