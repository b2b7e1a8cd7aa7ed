// Prometheus metrics: labelled counters and latency histograms kept in memory, plus
// gauge collectors (CRL ages, cache sizes, RSS) that are asked for values at scrape time.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace pkibridge::server {

using Labels = std::vector<std::pair<std::string, std::string>>;

struct GaugeSample {
    std::string name;
    std::string help;
    Labels labels;
    double value = 0;
};

class Metrics {
public:
    void increment(std::string_view name, const Labels& labels, double by = 1);
    // Observes a duration (seconds) into the named histogram.
    void observe(std::string_view name, const Labels& labels, double seconds);
    void describe(std::string_view name, std::string_view type, std::string_view help);
    void add_collector(std::function<std::vector<GaugeSample>()> collector);

    double counter_value(std::string_view name, const Labels& labels) const;  // tests
    std::string render() const;  // Prometheus text exposition format 0.0.4

    static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                        0.05,   0.1,   0.25,   0.5,   1,    5};

private:
    struct Histogram {
        std::array<std::uint64_t, kBuckets.size()> buckets{};
        std::uint64_t count = 0;
        double sum = 0;
    };
    using Key = std::pair<std::string, Labels>;
    mutable std::mutex mutex_;
    std::map<Key, double> counters_;
    std::map<Key, Histogram> histograms_;
    std::map<std::string, std::pair<std::string, std::string>> descriptions_;
    std::vector<std::function<std::vector<GaugeSample>()>> collectors_;
};

// Resident set size of this process in bytes (0 when unknown).
std::uint64_t process_rss_bytes();

}  // namespace pkibridge::server
