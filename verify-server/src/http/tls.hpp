// TLS for the HTTPS listener: the configured certificate chain and key, or a self-signed
// localhost certificate generated at start (and reused while valid) when none is configured.
#pragma once

#include <openssl/ssl.h>

#include <filesystem>
#include <string>

#include "config/config.hpp"

namespace pkibridge::server {

struct TlsMaterial {
    std::filesystem::path certificate;
    std::filesystem::path private_key;
    std::string sha256;  // fingerprint of the leaf certificate (hex, colon-free)
    bool self_signed = false;
};

// The configured files, or DIR/selfsigned-localhost.{pem,key} created when missing or due
// to expire within 30 days. Throws ConfigError.
TlsMaterial prepare_tls_material(const ServerConfig& config);

// TLS 1.2+ with forward-secret AEAD suites, the chain and key loaded, no renegotiation.
// Returns false (and logs) on failure.
bool configure_tls_context(SSL_CTX& ctx, const TlsMaterial& material);

}  // namespace pkibridge::server
