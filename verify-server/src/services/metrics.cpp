#include "services/metrics.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

namespace pkibridge::server {

namespace {

std::string escape_label(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string format_labels(const Labels& labels, std::string_view extra_key = {},
                          std::string_view extra_value = {}) {
    if (labels.empty() && extra_key.empty()) return "";
    std::string out = "{";
    bool first = true;
    for (const auto& [k, v] : labels) {
        if (!first) out += ",";
        first = false;
        out += k + "=\"" + escape_label(v) + "\"";
    }
    if (!extra_key.empty()) {
        if (!first) out += ",";
        out += std::string(extra_key) + "=\"" + std::string(extra_value) + "\"";
    }
    return out + "}";
}

std::string format_value(double v) {
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    if (std::isnan(v)) return "NaN";
    char buf[64];
    if (v == std::floor(v) && std::fabs(v) < 1e15) {
        std::snprintf(buf, sizeof buf, "%.0f", v);
    } else {
        std::snprintf(buf, sizeof buf, "%.9g", v);
    }
    return buf;
}

}  // namespace

void Metrics::increment(std::string_view name, const Labels& labels, double by) {
    std::lock_guard lock(mutex_);
    counters_[Key(std::string(name), labels)] += by;
}

void Metrics::observe(std::string_view name, const Labels& labels, double seconds) {
    std::lock_guard lock(mutex_);
    auto& h = histograms_[Key(std::string(name), labels)];
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
        if (seconds <= kBuckets[i]) ++h.buckets[i];
    }
    ++h.count;
    h.sum += seconds;
}

void Metrics::describe(std::string_view name, std::string_view type, std::string_view help) {
    std::lock_guard lock(mutex_);
    descriptions_[std::string(name)] = {std::string(type), std::string(help)};
}

void Metrics::add_collector(std::function<std::vector<GaugeSample>()> collector) {
    std::lock_guard lock(mutex_);
    collectors_.push_back(std::move(collector));
}

double Metrics::counter_value(std::string_view name, const Labels& labels) const {
    std::lock_guard lock(mutex_);
    auto it = counters_.find(Key(std::string(name), labels));
    return it == counters_.end() ? 0 : it->second;
}

std::string Metrics::render() const {
    std::vector<std::function<std::vector<GaugeSample>()>> collectors;
    std::ostringstream out;
    std::set<std::string> described;
    auto header = [&](const std::string& name, const std::string& type, const std::string& help) {
        if (!described.insert(name).second) return;
        auto it = descriptions_.find(name);
        out << "# HELP " << name << " " << (it != descriptions_.end() ? it->second.second : help)
            << "\n# TYPE " << name << " " << (it != descriptions_.end() ? it->second.first : type)
            << "\n";
    };
    {
        std::lock_guard lock(mutex_);
        collectors = collectors_;
        for (const auto& [key, value] : counters_) {
            header(key.first, "counter", key.first);
            out << key.first << format_labels(key.second) << " " << format_value(value) << "\n";
        }
        for (const auto& [key, h] : histograms_) {
            header(key.first, "histogram", key.first);
            for (std::size_t i = 0; i < kBuckets.size(); ++i) {
                out << key.first << "_bucket"
                    << format_labels(key.second, "le", format_value(kBuckets[i])) << " "
                    << h.buckets[i] << "\n";
            }
            out << key.first << "_bucket" << format_labels(key.second, "le", "+Inf") << " "
                << h.count << "\n";
            out << key.first << "_sum" << format_labels(key.second) << " " << format_value(h.sum)
                << "\n";
            out << key.first << "_count" << format_labels(key.second) << " " << h.count << "\n";
        }
    }
    // Collectors run outside the lock: they may take their own locks.
    // Samples of one metric must be contiguous in the exposition format.
    std::vector<GaugeSample> gauges;
    for (const auto& collect : collectors) {
        for (auto& s : collect()) gauges.push_back(std::move(s));
    }
    std::stable_sort(gauges.begin(), gauges.end(),
                     [](const GaugeSample& a, const GaugeSample& b) { return a.name < b.name; });
    std::lock_guard lock(mutex_);
    for (const auto& s : gauges) {
        header(s.name, "gauge", s.help);
        out << s.name << format_labels(s.labels) << " " << format_value(s.value) << "\n";
    }
    return out.str();
}

std::uint64_t process_rss_bytes() {
    std::ifstream statm("/proc/self/statm");
    std::uint64_t size = 0, resident = 0;
    if (!(statm >> size >> resident)) return 0;
    return resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace pkibridge::server
