// Benchmark (label "benchmark"): in-process CMS verifications per second for a realistic
// login signature (RSA-2048 signer from the test CA, chain to the test root, CRL checks
// with a 10,000-entry CRL for the issuing CA), compared with the RSA-2048 verify/s that
// `openssl speed -seconds 2 rsa2048` measures in the same run.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <regex>
#include <string>
#include <thread>

#include "pkibridge/pkcs/cms_sign.hpp"
#include "pkibridge/pkcs/cms_verify.hpp"
#include "pkibridge/pkcs/crl.hpp"
#include "pkibridge/pkcs/raw_signature.hpp"
#include "pkibridge/pkcs/test_ca.hpp"

using namespace pkibridge::pkcs;
// CPU time of this process, as `openssl speed` measures (user time by default): the
// comparison stays fair when other jobs share the machine.
struct Clock {
    using duration = std::chrono::nanoseconds;
    using time_point = std::chrono::time_point<Clock, duration>;
    static time_point now() {
        timespec ts{};
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return time_point(duration(std::int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec));
    }
};

namespace {

// RSA-2048 verify/s from `openssl speed` (the last number on the "rsa 2048 bits" line).
double openssl_rsa2048_verify_per_second() {
    FILE* pipe = popen("openssl speed -seconds 2 rsa2048 2>/dev/null", "r");
    if (pipe == nullptr) return 0;
    std::string out;
    char buf[512];
    while (std::fgets(buf, sizeof buf, pipe) != nullptr) out += buf;
    pclose(pipe);
    std::smatch m;
    static const std::regex line(R"(rsa\s+2048 bits\s+[\d.]+s\s+[\d.]+s\s+([\d.]+)\s+([\d.]+))");
    if (!std::regex_search(out, m, line)) return 0;
    return std::stod(m[2].str());
}

}  // namespace

int main() {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("pkibridge-bench-cms-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    try {
        TestCa ca = TestCa::init(dir);
        IssueOptions io;
        io.name = "Benchmark Signer";
        io.national_id = "A123456789";
        io.key = KeySpec::Rsa2048;
        IssuedPair pair = ca.issue(io);
        CrlOptions big;
        big.extra_revoked = 10000;
        std::vector<Crl> crls;
        crls.push_back(ca.make_crl(TestCaId::Root));
        crls.push_back(ca.make_crl(TestCaId::Moica, big));
        ValidationOptions options;
        options.crls = CrlSet::build(std::move(crls));
        options.require_revocation = true;
        options.key_usage_any = {"digitalSignature", "nonRepudiation"};
        // As a server configures it: the root as anchor, the issuing CAs as intermediates.
        TrustStore trust{{ca.root()}, ca.intermediates()};

        ExternalSigner signer{pair.sign.certificate,
                              [&](ByteView d, HashAlgorithm h, SignatureScheme s) {
                                  return raw_sign(pair.sign.key.get(), d, h, s);
                              }};
        CmsSignOptions so;
        so.detached = true;
        so.nonce = Bytes(32, 0x5A);
        so.chain = {pair.issuing_ca};  // the intermediate travels inside the CMS
        const std::string challenge = "login challenge for https://portal.example";
        const Bytes cms = cms_sign(as_bytes(challenge), signer, so);

        auto first = verify_cms(cms, as_bytes(challenge), trust, options);
        if (!first.ok()) {
            std::cerr << "benchmark setup: verification failed: " << first.message << "\n";
            std::filesystem::remove_all(dir);
            return 1;
        }
        // Where the time goes: the CMS signature part alone and the path part alone.
        auto rate = [](auto&& fn) {
            std::size_t n = 0;
            const auto t0 = Clock::now();
            while (Clock::now() < t0 + std::chrono::milliseconds(500)) {
                fn();
                ++n;
            }
            return static_cast<double>(n) /
                   std::chrono::duration<double>(Clock::now() - t0).count();
        };
        std::vector<Certificate> known = trust.intermediates;
        const double sig_rate =
            rate([&] { (void)verify_cms_signature(cms, as_bytes(challenge), known); });
        const double path_rate =
            rate([&] { (void)validate_path(pair.sign.certificate, {}, trust, options); });
        ValidationOptions no_crl = options;
        no_crl.crls = nullptr;
        no_crl.require_revocation = false;
        const double path_no_crl_rate =
            rate([&] { (void)validate_path(pair.sign.certificate, {}, trust, no_crl); });
        std::printf(
            "  parts: CMS signature only %.0f/s, path with CRLs %.0f/s, path without CRLs "
            "%.0f/s\n",
            sig_rate, path_rate, path_no_crl_rate);

        // Each verification: CMS parse, CMS signature, path (2 certificate signatures),
        // CRL lookups for leaf and intermediate (CRL signatures cached per key).
        std::size_t count = 0;
        const auto start = Clock::now();
        const auto stop = start + std::chrono::seconds(2);
        while (Clock::now() < stop) {
            auto r = verify_cms(cms, as_bytes(challenge), trust, options);
            if (!r.ok()) return 1;
            ++count;
        }
        const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
        const double ours = static_cast<double>(count) / seconds;
        const double rsa = openssl_rsa2048_verify_per_second();
        std::printf(
            "CMS verify (RSA-2048 signer, chain to test root, CRL checks): %.0f/s (CPU time)\n",
            ours);
        // A server that keeps recent signer certificates parsed (e.g. in its chain cache) can
        // pass them as known certificates: the CMS parse then decodes no certificate at all.
        TrustStore warm = trust;
        warm.intermediates.push_back(pair.sign.certificate);
        const double warm_rate =
            rate([&] { (void)verify_cms(cms, as_bytes(challenge), warm, options); });
        std::printf("CMS verify with the signer certificate already parsed:          %.0f/s\n",
                    warm_rate);
        if (rsa > 0) {
            std::printf("openssl speed rsa2048 verify:                                 %.0f/s\n",
                        rsa);
            std::printf(
                "ratio CMS verify / raw RSA-2048 verify: %.3f (3 RSA verifies per CMS "
                "verify would give 0.333)\n",
                ours / rsa);
        } else {
            std::printf("openssl speed rsa2048: not available\n");
        }
    } catch (const std::exception& e) {
        std::cerr << "benchmark failed: " << e.what() << "\n";
        std::filesystem::remove_all(dir);
        return 1;
    }
    std::filesystem::remove_all(dir);
    return 0;
}
