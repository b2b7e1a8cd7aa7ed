// bench-crl: load and index a large CRL (default 1,000,000 entries) and look serials up.
// Prints time and peak memory (VmHWM of a fresh child process per measurement, so the
// figures are not polluted by the generator) and lookups per second for hits and misses.
//
//   bench-crl [ENTRIES]            generate, then measure (re-executes itself)
//   bench-crl --child MODE FILE    one measurement: load-der | load-pem | openssl
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include "cert_test_fixture.hpp"
#include "pkibridge/pkcs/crl.hpp"
#include "pkibridge/pkcs/test_ca.hpp"

using namespace pkibridge::pkcs;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// A field of /proc/self/status in MiB (VmHWM = peak resident set, VmRSS = current).
double status_mib(const char* field) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(field, 0) == 0)
            return std::stod(line.substr(std::string(field).size() + 1)) / 1024.0;
    return -1;
}

int child(const std::string& mode, const std::string& file) {
    const double base_hwm = status_mib("VmHWM");
    auto start = Clock::now();
    if (mode == "openssl") {
        Bytes der = read_file(file);
        const unsigned char* p = der.data();
        X509CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));
        if (!crl) return 1;
        // OpenSSL sorts lazily on first lookup; include that in "load".
        X509_REVOKED* rev = nullptr;
        ASN1_INTEGER* serial = ASN1_INTEGER_new();
        X509_CRL_get0_by_serial(crl.get(), &rev, serial);
        ASN1_INTEGER_free(serial);
        std::printf(
            "  OpenSSL d2i_X509_CRL (reference): %.2f s, peak RSS %.0f MiB (process "
            "baseline %.0f MiB)\n",
            seconds_since(start), status_mib("VmHWM"), base_hwm);
        return 0;
    }
    Crl crl = Crl::load(file);
    const double load_s = seconds_since(start);
    const double peak = status_mib("VmHWM");
    const double rss = status_mib("VmRSS");
    std::printf(
        "  %s: %zu entries loaded and indexed in %.2f s; peak RSS %.0f MiB, RSS after "
        "%.0f MiB (process baseline %.0f MiB)\n",
        mode.c_str(), crl.size(), load_s, peak, rss, base_hwm);
    if (mode != "load-der") return 0;

    // Lookups: sampled existing serials (hits) and random 16-byte serials (misses).
    const std::size_t n = 1'000'000;
    std::vector<Bytes> hits;
    hits.reserve(n);
    for (std::size_t i = 0; i < n; ++i) hits.push_back(crl.entry((i * 7919) % crl.size()).serial);
    std::vector<Bytes> misses(n, Bytes(16));
    for (auto& m : misses) {
        RAND_bytes(m.data(), 16);
        m[0] = static_cast<std::uint8_t>((m[0] & 0x7F) | 0x10);
    }
    std::size_t found = 0;
    start = Clock::now();
    for (const auto& s : hits) found += crl.find(s).has_value();
    const double hit_s = seconds_since(start);
    std::size_t false_hits = 0;
    start = Clock::now();
    for (const auto& s : misses) false_hits += crl.find(s).has_value();
    const double miss_s = seconds_since(start);
    std::printf("  lookups: %.2f M/s hits (%zu/%zu found), %.2f M/s misses (%zu found)\n",
                n / hit_s / 1e6, found, n, n / miss_s / 1e6, false_hits);
    if (found != n) return 1;
    return 0;
}

int run_child(const char* self, const std::string& mode, const std::string& file) {
    std::fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) return 1;
    if (pid == 0) {
        execl(self, self, "--child", mode.c_str(), file.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        if (argc == 4 && std::string(argv[1]) == "--child") return child(argv[2], argv[3]);
        const std::size_t entries = argc > 1 ? std::stoul(argv[1]) : 1'000'000;
        certtest::TempDir temp;
        std::string der_path = (temp.path() / "big.crl").string();
        std::string pem_path = (temp.path() / "big.pem").string();
        double der_mib = 0;
        {
            TestCa ca = TestCa::init(temp.path() / "ca", {KeySpec::EcP256, "http://127.0.0.1/crl"});
            auto start = Clock::now();
            Bytes der = ca.make_crl_der(TestCaId::Moica, {.extra_revoked = entries});
            const double gen_s = seconds_since(start);
            der_mib = static_cast<double>(der.size()) / (1024.0 * 1024.0);
            write_file(der_path, der);
            std::printf("CRL benchmark: %zu entries, DER %.1f MiB, generated in %.2f s\n", entries,
                        der_mib, gen_s);
            start = Clock::now();
            Crl crl = Crl::from_der(der);
            const double parse_s = seconds_since(start);
            start = Clock::now();
            bool ok = crl.verify_signature(ca.certificate(TestCaId::Moica));
            std::printf("  in-process parse %.2f s; signature check %.3f s (%s)\n", parse_s,
                        seconds_since(start), ok ? "valid" : "INVALID");
            if (!ok) return 1;
            write_file(pem_path, as_bytes(crl.pem()));
        }
        int rc = run_child(argv[0], "load-der", der_path);
        rc |= run_child(argv[0], "load-pem", pem_path);
        rc |= run_child(argv[0], "openssl", der_path);
        return rc;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench-crl: %s\n", e.what());
        return 1;
    }
}
