// TestCa: creating the hierarchy, loading it back and saving its state.
#include "pkibridge/pkcs/test_ca.hpp"

#include <openssl/pem.h>
#include <sys/stat.h>

#include "cert_builder.hpp"
#include "pkibridge/pkcs/errors.hpp"
#include "pkibridge/pkcs/time_util.hpp"
#include "test_ca_state.hpp"

namespace pkibridge::pkcs {
namespace fs = std::filesystem;
namespace {

constexpr const char* kStateFile = "state.json";

// Subject of each CA: real-looking names, clearly marked as tests.
std::vector<std::pair<std::string, std::string>> ca_subject(TestCaId id) {
    auto name = [](const char* unit, const char* cn) {
        return std::vector<std::pair<std::string, std::string>>{
            {"C", "TW"}, {"O", "行政院"}, {"OU", std::string(unit) + " (測試 TEST)"}, {"CN", cn}};
    };
    switch (id) {
        case TestCaId::Root:
            return name("政府憑證總管理中心", "Test GRCA");
        case TestCaId::Moica:
            return name("內政部憑證管理中心", "MOICA Test CA");
        case TestCaId::Moeaca:
            return name("工商憑證管理中心", "MOEACA Test CA");
        case TestCaId::Xca:
            return name("組織及團體憑證管理中心", "XCA Test CA");
        case TestCaId::Gca:
            return name("政府憑證管理中心", "GCA Test CA");
    }
    return {};
}

EvpPkeyPtr load_key(const fs::path& path) {
    Bytes pem = read_file(path);
    BioPtr bio = memory_bio(pem.data(), pem.size());
    EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    secure_zero(pem.data(), pem.size());
    if (!key) throw_openssl(ErrorCode::Malformed, "cannot read private key " + path.string());
    return key;
}

}  // namespace

void TestCa::State::save() const {
    std::string text = data.dump(2) + "\n";
    write_file_atomic(dir / kStateFile, as_bytes(text));
}

TestCa::TestCa(std::unique_ptr<State> state) : state_(std::move(state)) {}
TestCa::TestCa(TestCa&&) noexcept = default;
TestCa& TestCa::operator=(TestCa&&) noexcept = default;
TestCa::~TestCa() = default;

TestCa TestCa::init(const fs::path& dir, const TestCaInitOptions& options) {
    if (fs::exists(dir / kStateFile))
        throw PkcsError(ErrorCode::InvalidArgument,
                        "a test CA already exists in " + dir.string() + " (state.json found)");
    if (options.days < 1)
        throw PkcsError(ErrorCode::InvalidArgument, "CA lifetime must be at least one day");
    std::string base = options.crl_base_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    if (base.rfind("http://", 0) != 0 && base.rfind("https://", 0) != 0)
        throw PkcsError(ErrorCode::InvalidArgument,
                        "CRL base URL must start with http:// or https:// (got '" +
                            options.crl_base_url + "')");
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw PkcsError(ErrorCode::Io, "cannot create " + dir.string() + ": " + ec.message());
    ::chmod(dir.c_str(), 0700);

    auto state = std::make_unique<State>();
    state->dir = dir;
    state->key_spec = options.key;
    state->crl_base_url = base;
    state->data = {{"version", 1},
                   {"keySpec", key_spec_name(options.key)},
                   {"crlBaseUrl", base},
                   {"crlNumbers", nlohmann::json::object()},
                   {"issued", nlohmann::json::array()},
                   {"revoked", nlohmann::json::array()}};
    TestCa ca(std::move(state));

    const std::int64_t now = now_unix();
    X509ExtensionPtr policies = certdetail::make_policies_extension(
        {std::string(kTestPolicyAssuranceLevel3), std::string(kTestPolicyAssuranceLevel4)});
    const std::int64_t not_before = now - 3600;
    const std::int64_t not_after = now + std::int64_t{86400} * options.days;
    for (TestCaId id : kAllTestCas) {
        State::Authority& authority = ca.state_->ca(id);
        authority.key = generate_key(options.key);
        X509NamePtr subject = certdetail::make_name(ca_subject(id));
        certdetail::CertSpec spec;
        spec.subject = subject.get();
        spec.subject_key = authority.key.get();
        spec.serial = certdetail::random_serial();
        spec.not_before = not_before;
        spec.not_after = not_after;
        spec.extensions = {{NID_basic_constraints, "critical,CA:TRUE"},
                           {NID_key_usage, "critical,keyCertSign,cRLSign"},
                           {NID_subject_key_identifier, "hash"}};
        if (id == TestCaId::Root) {
            spec.issuer_key = authority.key.get();
        } else {
            const State::Authority& root = ca.state_->ca(TestCaId::Root);
            spec.issuer_cert = root.cert->native();
            spec.issuer_key = root.key.get();
            spec.extensions[0].second = "critical,CA:TRUE,pathlen:0";
            spec.extensions.push_back({NID_authority_key_identifier, "keyid:always"});
            spec.raw_extensions.push_back(policies.get());
            spec.extensions.push_back(
                {NID_crl_distribution_points, "URI:" + ca.crl_url(TestCaId::Root)});
        }
        authority.cert.emplace(certdetail::build_certificate(spec));
        ca.state_->data["crlNumbers"][std::string(test_ca_name(id))] = 0;

        std::string key_pem = private_key_pem(authority.key.get());
        write_file_atomic(ca.key_path(id), as_bytes(key_pem), true);
        secure_zero(key_pem.data(), key_pem.size());
        write_file_atomic(ca.certificate_path(id), as_bytes(authority.cert->pem()));
    }
    std::string bundle;
    for (const Certificate& c : ca.intermediates()) bundle += c.pem();
    write_file_atomic(ca.intermediates_path(), as_bytes(bundle));
    ca.state_->save();
    return ca;
}

TestCa TestCa::open(const fs::path& dir) {
    if (!fs::exists(dir / kStateFile))
        throw PkcsError(ErrorCode::NotFound,
                        "no test CA in " + dir.string() + " (run 'pkcs-tool ca init' first)");
    auto state = std::make_unique<State>();
    state->dir = dir;
    Bytes text = read_file(dir / kStateFile);
    try {
        state->data = nlohmann::json::parse(text.begin(), text.end());
        state->key_spec = parse_key_spec(state->data.at("keySpec").get<std::string>());
        state->crl_base_url = state->data.at("crlBaseUrl").get<std::string>();
        (void)state->data.at("crlNumbers").is_object();
        if (!state->data.at("issued").is_array() || !state->data.at("revoked").is_array())
            throw PkcsError(ErrorCode::Malformed, "issued/revoked must be arrays");
    } catch (const nlohmann::json::exception& e) {
        throw PkcsError(ErrorCode::Malformed,
                        (dir / kStateFile).string() + " is not a valid test CA state: " + e.what());
    }
    TestCa ca(std::move(state));
    for (TestCaId id : kAllTestCas) {
        State::Authority& authority = ca.state_->ca(id);
        authority.cert.emplace(Certificate::load(ca.certificate_path(id)));
        authority.key = load_key(ca.key_path(id));
    }
    return ca;
}

TestCa TestCa::open_or_init(const fs::path& dir, const TestCaInitOptions& options) {
    if (fs::exists(dir / kStateFile)) return open(dir);
    return init(dir, options);
}

const fs::path& TestCa::dir() const noexcept {
    return state_->dir;
}
const Certificate& TestCa::root() const {
    return certificate(TestCaId::Root);
}
const Certificate& TestCa::certificate(TestCaId id) const {
    return *state_->ca(id).cert;
}
EVP_PKEY* TestCa::key(TestCaId id) const {
    return state_->ca(id).key.get();
}
std::vector<Certificate> TestCa::intermediates() const {
    return {certificate(TestCaId::Moica), certificate(TestCaId::Moeaca), certificate(TestCaId::Xca),
            certificate(TestCaId::Gca)};
}
const std::string& TestCa::crl_base_url() const {
    return state_->crl_base_url;
}
std::string TestCa::crl_url(TestCaId id) const {
    return state_->crl_base_url + "/" + std::string(test_ca_name(id)) + ".crl";
}
fs::path TestCa::root_path() const {
    return certificate_path(TestCaId::Root);
}
fs::path TestCa::certificate_path(TestCaId id) const {
    return state_->dir / (std::string(test_ca_name(id)) + ".pem");
}
fs::path TestCa::key_path(TestCaId id) const {
    return state_->dir / (std::string(test_ca_name(id)) + ".key");
}
fs::path TestCa::intermediates_path() const {
    return state_->dir / "intermediates.pem";
}

}  // namespace pkibridge::pkcs

namespace pkibridge::pkcs {
KeySpec TestCa::key_spec() const noexcept {
    return state_->key_spec;
}
}  // namespace pkibridge::pkcs
