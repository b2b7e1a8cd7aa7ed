// A test GPKI-like hierarchy for tests and demos: root "Test GRCA" and four issuing CAs
// named like the real ones (MOICA, MOEACA, XCA, GCA), all clearly marked as tests.
// State lives in a directory (see docs/pkcs-tool.md for the layout), so `pkcs-tool ca`
// and in-process tests can share one hierarchy. Never use it for anything real.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pkibridge/pkcs/bytes.hpp"
#include "pkibridge/pkcs/certificate.hpp"
#include "pkibridge/pkcs/crl.hpp"
#include "pkibridge/pkcs/ossl.hpp"

namespace pkibridge::pkcs {

enum class KeySpec { Rsa2048, Rsa4096, EcP256, EcP384 };
std::string_view key_spec_name(KeySpec spec) noexcept;  // "rsa-2048", ..., "ec-p384"
KeySpec parse_key_spec(std::string_view name);          // throws PkcsError(InvalidArgument)
EvpPkeyPtr generate_key(KeySpec spec);
std::string private_key_pem(EVP_PKEY* key);  // unencrypted PKCS#8 PEM

// The CAs of the hierarchy. Names for files and options: "root", "moica", "moeaca", "xca", "gca".
enum class TestCaId { Root, Moica, Moeaca, Xca, Gca };
std::string_view test_ca_name(TestCaId id) noexcept;
TestCaId parse_test_ca_name(std::string_view name);  // throws PkcsError(InvalidArgument)
inline constexpr TestCaId kAllTestCas[] = {TestCaId::Root, TestCaId::Moica, TestCaId::Moeaca,
                                           TestCaId::Xca, TestCaId::Gca};

// Holder types and the CA that issues each: person->MOICA, company->MOEACA, org->XCA,
// agency->GCA.
enum class HolderType { Person, Company, Org, Agency };
std::string_view holder_type_name(HolderType type) noexcept;  // "person", ...
HolderType parse_holder_type(std::string_view name);          // throws InvalidArgument
TestCaId issuing_ca_for(HolderType type) noexcept;

// Certificate policy OIDs the test CA writes (they mimic GPKI assurance-level policies
// under the test arc 2.16.886.1.100.3.99 that no real CA uses; see docs/pkcs-tool.md).
inline constexpr std::string_view kTestPolicyAssuranceLevel3 = "2.16.886.1.100.3.99.3";
inline constexpr std::string_view kTestPolicyAssuranceLevel4 = "2.16.886.1.100.3.99.4";

// Input checks shared by the CLI and the library; all throw PkcsError(InvalidArgument)
// with a message saying what is wrong.
void validate_national_id(std::string_view id);       // letter + 9 digits, e.g. A123456789
void validate_business_number(std::string_view ubn);  // 8 digits
void validate_oid(std::string_view oid);              // dotted decimal, >= 2 arcs

struct TestCaInitOptions {
    KeySpec key = KeySpec::Rsa2048;                          // for every CA of the hierarchy
    std::string crl_base_url = "http://127.0.0.1:8089/crl";  // + "/<name>.crl"
    int days = 3650;                                         // CA certificate lifetime
};

struct IssueOptions {
    HolderType type = HolderType::Person;
    std::string name;                        // subject CN (UTF-8, Chinese welcome)
    std::optional<std::string> national_id;  // person: letter + 9 digits
    std::optional<std::string> ubn;          // company: unified business number
    std::optional<std::string> oid;          // org/agency: organisation OID
    KeySpec key = KeySpec::EcP256;
    int days = 365;
    std::optional<std::int64_t> not_before;  // both set -> exact validity (Unix seconds),
    std::optional<std::int64_t> not_after;   // e.g. to make expired certificates
    // Escape hatches for negative tests: replace the key usage bit names or the EKU names
    // ("clientAuth", "emailProtection" or dotted OIDs) of either certificate. An empty
    // vector removes that extension.
    std::optional<std::vector<std::string>> sign_key_usage;
    std::optional<std::vector<std::string>> auth_key_usage;
    std::optional<std::vector<std::string>> sign_eku;
    std::optional<std::vector<std::string>> auth_eku;
    bool omit_gpki_attributes = false;  // no Subject Directory Attributes extension
};

struct IssuedCredential {
    Certificate certificate;
    EvpPkeyPtr key;
    std::string key_pem() const { return private_key_pem(key.get()); }
};

// What a real card holds: a signing and an authentication certificate.
struct IssuedPair {
    IssuedCredential sign;  // keyUsage digitalSignature+nonRepudiation (critical)
    IssuedCredential auth;  // keyUsage digitalSignature+keyEncipherment, EKU clientAuth
    Certificate issuing_ca;
    std::string holder_number;  // the 16-digit subject serialNumber
};

struct CrlOptions {
    std::optional<std::int64_t> this_update;  // default: now
    std::optional<std::int64_t> next_update;  // default: this_update + days
    int days = 7;
    std::size_t extra_revoked = 0;            // pad with this many random serials (benchmarks)
    std::optional<std::uint64_t> delta_base;  // emit a delta CRL against this base number
};

class TestCa {
public:
    // Creates the hierarchy in dir (created if missing); throws InvalidArgument if dir
    // already holds one.
    static TestCa init(const std::filesystem::path& dir, const TestCaInitOptions& options = {});
    static TestCa open(const std::filesystem::path& dir);  // throws Io/NotFound
    static TestCa open_or_init(const std::filesystem::path& dir,
                               const TestCaInitOptions& options = {});

    TestCa(TestCa&&) noexcept;
    TestCa& operator=(TestCa&&) noexcept;
    ~TestCa();

    const std::filesystem::path& dir() const noexcept;
    const Certificate& root() const;
    const Certificate& certificate(TestCaId id) const;
    EVP_PKEY* key(TestCaId id) const;                // borrowed
    std::vector<Certificate> intermediates() const;  // MOICA, MOEACA, XCA, GCA
    const std::string& crl_base_url() const;
    std::string crl_url(TestCaId id) const;                     // <base>/<name>.crl
    std::filesystem::path root_path() const;                    // DIR/root.pem
    std::filesystem::path certificate_path(TestCaId id) const;  // DIR/<name>.pem
    std::filesystem::path intermediates_path() const;           // DIR/intermediates.pem
    std::filesystem::path key_path(TestCaId id) const;          // DIR/<name>.key (0600)
    KeySpec key_spec() const noexcept;                          // of the CA keys

    // Issues a signing + authentication pair (new keys, random 16-byte serials) and
    // records both in the state. Validates the options (InvalidArgument).
    IssuedPair issue(const IssueOptions& options);
    // OUTDIR/sign.pem, sign.key, auth.pem, auth.key (0600), chain.pem (issuing CA).
    static void write_pair(const IssuedPair& pair, const std::filesystem::path& out_dir);

    // Records a revocation (reason: CrlReason code, default now). Throws InvalidArgument
    // when cert was not issued by a CA of this hierarchy.
    void revoke(const Certificate& cert, int reason = kReasonUnspecified,
                std::optional<std::int64_t> at = std::nullopt);
    // Signs a new CRL for one CA (CRL number incremented and saved), as DER.
    Bytes make_crl_der(TestCaId id, const CrlOptions& options = {});
    Crl make_crl(TestCaId id, const CrlOptions& options = {});

    struct State;

private:
    explicit TestCa(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

}  // namespace pkibridge::pkcs
