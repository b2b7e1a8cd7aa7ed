#include "http/tls.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "core/errors.hpp"
#include "core/log.hpp"
#include "pkibridge/pkcs/bytes.hpp"
#include "pkibridge/pkcs/certificate.hpp"
#include "pkibridge/pkcs/errors.hpp"
#include "pkibridge/pkcs/ossl.hpp"
#include "pkibridge/pkcs/time_util.hpp"

namespace pkibridge::server {

namespace fs = std::filesystem;
using namespace pkibridge::pkcs;

namespace {

constexpr std::int64_t kSelfSignedDays = 365;
constexpr std::int64_t kRenewBeforeSeconds = 30 * 86400;

void add_extension(X509* cert, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    if (!ext || X509_add_ext(cert, ext.get(), -1) != 1)
        throw_openssl(ErrorCode::Crypto, "adding a certificate extension");
}

void generate_self_signed(const fs::path& cert_path, const fs::path& key_path) {
    EvpPkeyPtr key(EVP_EC_gen("P-256"));
    if (!key) throw_openssl(ErrorCode::Crypto, "generating the TLS key");
    X509Ptr cert(X509_new());
    if (!cert) throw_openssl(ErrorCode::Crypto, "X509_new");
    X509_set_version(cert.get(), X509_VERSION_3);
    unsigned char serial[16];
    if (RAND_bytes(serial, sizeof serial) != 1) throw_openssl(ErrorCode::Crypto, "RAND_bytes");
    serial[0] &= 0x7f;
    BignumPtr bn(BN_bin2bn(serial, sizeof serial, nullptr));
    Asn1IntegerPtr sn(BN_to_ASN1_INTEGER(bn.get(), nullptr));
    X509_set_serialNumber(cert.get(), sn.get());
    const std::int64_t now = now_unix();
    Asn1TimePtr nb(unix_to_asn1_time(now - 300));
    Asn1TimePtr na(unix_to_asn1_time(now + kSelfSignedDays * 86400));
    X509_set1_notBefore(cert.get(), nb.get());
    X509_set1_notAfter(cert.get(), na.get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>("pkibridge (self-signed)"),
                               -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    X509_set_pubkey(cert.get(), key.get());
    add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE");
    add_extension(cert.get(), NID_key_usage, "critical,digitalSignature");
    add_extension(cert.get(), NID_ext_key_usage, "serverAuth");
    add_extension(cert.get(), NID_subject_key_identifier, "hash");
    add_extension(cert.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1");
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0)
        throw_openssl(ErrorCode::Crypto, "signing the TLS certificate");

    BioPtr key_bio(BIO_new(BIO_s_mem()));
    if (PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
        1)
        throw_openssl(ErrorCode::Crypto, "writing the TLS key");
    std::string key_pem = bio_contents(key_bio.get());
    write_file_atomic(key_path, as_bytes(key_pem), /*private_mode=*/true);
    secure_zero(key_pem.data(), key_pem.size());
    Certificate c(std::move(cert));
    write_file_atomic(cert_path, as_bytes(c.pem()));
}

}  // namespace

TlsMaterial prepare_tls_material(const ServerConfig& config) {
    TlsMaterial m;
    if (!config.tls.certificate.empty()) {
        m.certificate = config.tls.certificate;
        m.private_key = config.tls.private_key;
        try {
            auto chain = load_certificates(m.certificate);
            if (chain.empty()) throw ConfigError("tls.certificate holds no certificate");
            m.sha256 = chain.front().sha256_fingerprint();
        } catch (const PkcsError& e) {
            throw ConfigError("tls.certificate " + m.certificate.string() + ": " + e.what());
        }
        return m;
    }
    fs::path dir = config.tls.self_signed_directory;
    if (dir.empty()) dir = fs::absolute(config.database.path).parent_path() / "tls";
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw ConfigError("cannot create " + dir.string() + ": " + ec.message());
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
    m.certificate = dir / "selfsigned-localhost.pem";
    m.private_key = dir / "selfsigned-localhost.key";
    m.self_signed = true;
    bool reuse = false;
    if (fs::exists(m.certificate) && fs::exists(m.private_key)) {
        try {
            auto cert = Certificate::load(m.certificate);
            reuse = cert.not_after() - now_unix() > kRenewBeforeSeconds;
        } catch (const PkcsError&) {
            reuse = false;
        }
    }
    try {
        if (!reuse) {
            generate_self_signed(m.certificate, m.private_key);
            log_info("TLS: generated a self-signed localhost certificate");
        }
        m.sha256 = Certificate::load(m.certificate).sha256_fingerprint();
    } catch (const PkcsError& e) {
        throw ConfigError(std::string("self-signed TLS certificate: ") + e.what());
    }
    return m;
}

bool configure_tls_context(SSL_CTX& ctx, const TlsMaterial& m) {
    SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(
        &ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION);
    SSL_CTX_set_cipher_list(&ctx,
                            "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                            "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                            "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305");
    if (SSL_CTX_use_certificate_chain_file(&ctx, m.certificate.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(&ctx, m.private_key.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(&ctx) != 1) {
        log_error("TLS: cannot load " + m.certificate.string() + " / " + m.private_key.string() +
                  ": " + drain_openssl_errors());
        return false;
    }
    return true;
}

}  // namespace pkibridge::server
