// pkibridge-server-bench: a keep-alive load client for the server benchmark.
//   login  : fetches N challenges first (each with its own pre-login cookie), signs a token
//            for each with the real signing code, then replays them as logins from several
//            threads, one keep-alive connection each. Measures the server's login path only:
//            the client's own signing happens before the clock starts.
//   verify : posts the same CMS to /api/v1/verify from several threads.
// Prints one JSON object with the request rate and latency percentiles.
#include <httplib.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "pkibridge/pkcs/bytes.hpp"
#include "pkibridge/pkcs/certificate.hpp"
#include "pkibridge/pkcs/cms_sign.hpp"
#include "pkibridge/pkcs/time_util.hpp"
#include "token_mint.hpp"

using namespace pkibridge;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
    std::string host = "127.0.0.1";
    int port = 0;
    std::string mode = "login";
    std::string cert, key, origin;
    int threads = 8;
    double duration = 5;
    int premint = 4000;
    std::string verify_body_file;
    std::string ready_file;  // created when the timed phase starts
};

std::unique_ptr<httplib::SSLClient> client(const Options& o) {
    auto c = std::make_unique<httplib::SSLClient>(o.host, o.port);
    c->enable_server_certificate_verification(false);  // the server's self-signed cert
    c->set_keep_alive(true);
    c->set_tcp_nodelay(true);  // headers and body go out in separate writes: avoid Nagle stalls
    c->set_read_timeout(30, 0);
    c->set_write_timeout(30, 0);
    c->set_connection_timeout(10, 0);
    return c;
}

std::string cookie_from(const httplib::Response& res) {
    std::string v = res.get_header_value("Set-Cookie");
    return v.substr(0, v.find(';'));
}

struct Work {
    std::string cookie;
    std::string body;
};

struct Result {
    std::vector<double> latencies_ms;
    std::map<int, long> statuses;
    long errors = 0;
};

nlohmann::json run_load(const Options& o, const std::string& path,
                        const std::function<const Work*(std::size_t)>& next) {
    std::atomic<std::size_t> index{0};
    std::vector<Result> results(static_cast<std::size_t>(o.threads));
    if (!o.ready_file.empty()) pkcs::write_file(o.ready_file, pkcs::as_bytes("ready\n"));
    const auto deadline = Clock::now() + std::chrono::duration<double>(o.duration);
    const auto start = Clock::now();
    std::vector<std::thread> threads;
    for (int t = 0; t < o.threads; ++t) {
        threads.emplace_back([&, t] {
            auto c = client(o);
            Result& r = results[static_cast<std::size_t>(t)];
            while (Clock::now() < deadline) {
                const Work* w = next(index.fetch_add(1));
                if (!w) break;
                httplib::Headers headers;
                if (!w->cookie.empty()) headers.emplace("Cookie", w->cookie);
                auto t0 = Clock::now();
                auto res = c->Post(path.c_str(), headers, w->body, "application/json");
                auto ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
                if (!res) {
                    ++r.errors;
                    c = client(o);
                    continue;
                }
                r.latencies_ms.push_back(ms);
                ++r.statuses[res->status];
            }
        });
    }
    for (auto& th : threads) th.join();
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::vector<double> all;
    std::map<int, long> statuses;
    long errors = 0;
    for (auto& r : results) {
        all.insert(all.end(), r.latencies_ms.begin(), r.latencies_ms.end());
        for (auto& [s, n] : r.statuses) statuses[s] += n;
        errors += r.errors;
    }
    std::sort(all.begin(), all.end());
    auto pct = [&](double p) {
        if (all.empty()) return 0.0;
        return all[std::min(all.size() - 1, static_cast<std::size_t>(p * all.size()))];
    };
    nlohmann::json st = nlohmann::json::object();
    for (auto& [s, n] : statuses) st[std::to_string(s)] = n;
    long ok = statuses.count(200) ? statuses[200] : 0;
    return {{"requests", all.size()},
            {"ok", ok},
            {"errors", errors},
            {"seconds", seconds},
            {"okPerSecond", ok / seconds},
            {"p50Ms", pct(0.50)},
            {"p99Ms", pct(0.99)},
            {"statuses", st},
            {"threads", o.threads}};
}

std::vector<Work> premint_logins(const Options& o) {
    auto signer_cert = pkcs::Certificate::load(o.cert);
    // Challenges first (cheap for the server), each with its own pre-login cookie.
    std::vector<std::pair<std::string, std::string>> challenges;
    {
        auto c = client(o);
        for (int i = 0; i < o.premint; ++i) {
            auto res = c->Post("/api/v1/challenge", "", "application/json");
            if (!res || res->status != 200) throw std::runtime_error("challenge request failed");
            auto body = nlohmann::json::parse(res->body);
            challenges.emplace_back(cookie_from(*res), body["nonce"].get<std::string>());
        }
    }
    // Then sign them all, on every core.
    std::vector<Work> work(challenges.size());
    std::atomic<std::size_t> index{0};
    std::vector<std::thread> threads;
    unsigned n = std::max(1u, std::thread::hardware_concurrency());
    for (unsigned t = 0; t < n; ++t) {
        threads.emplace_back([&] {
            auto signer = pkcs::software_signer(signer_cert, testing::load_private_key(o.key));
            for (std::size_t i = index++; i < challenges.size(); i = index++) {
                testing::MintOptions m;
                m.origin = o.origin;
                m.nonce = challenges[i].second;
                work[i].cookie = challenges[i].first;
                work[i].body = nlohmann::json{{"token", testing::mint_token(signer, m)}}.dump();
            }
        });
    }
    for (auto& th : threads) th.join();
    return work;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"pkibridge-server load client"};
    Options o;
    app.add_option("--host", o.host);
    app.add_option("--port", o.port)->required();
    app.add_option("--mode", o.mode)->check(CLI::IsMember({"login", "verify"}));
    app.add_option("--cert", o.cert);
    app.add_option("--key", o.key);
    app.add_option("--origin", o.origin);
    app.add_option("--threads", o.threads);
    app.add_option("--duration", o.duration);
    app.add_option("--premint", o.premint);
    app.add_option("--verify-body", o.verify_body_file, "JSON body for /api/v1/verify");
    app.add_option("--ready-file", o.ready_file, "create this file when timing starts");
    CLI11_PARSE(app, argc, argv);
    try {
        nlohmann::json out;
        if (o.mode == "login") {
            auto t0 = Clock::now();
            auto work = premint_logins(o);
            double premint_s = std::chrono::duration<double>(Clock::now() - t0).count();
            out = run_load(o, "/api/v1/login/certificate",
                           [&](std::size_t i) { return i < work.size() ? &work[i] : nullptr; });
            out["premintSeconds"] = premint_s;
            out["preminted"] = work.size();
        } else {
            Work w{"", pkcs::to_string(pkcs::read_file(o.verify_body_file))};
            out = run_load(o, "/api/v1/verify", [&](std::size_t) { return &w; });
        }
        out["mode"] = o.mode;
        std::cout << out.dump() << std::endl;
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "bench: " << e.what() << "\n";
        return 2;
    }
}
