// Downloads one CRL over HTTP(S) with a deadline and a size cap (a CRL distribution point
// is someone else's server: never wait forever, never buffer without limit).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "pkibridge/pkcs/bytes.hpp"

namespace pkibridge::server {

struct FetchLimits {
    std::chrono::seconds timeout{10};
    std::size_t max_bytes = 256u * 1024 * 1024;
};

class FetchError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// GET url (http:// or https://); 200 only, no redirects. Throws FetchError with a message
// fit for the admin status page.
pkcs::Bytes fetch_url(const std::string& url, const FetchLimits& limits);

}  // namespace pkibridge::server
