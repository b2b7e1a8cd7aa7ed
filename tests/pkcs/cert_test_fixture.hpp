// Shared test hierarchy for the certificate, CRL and test CA unit tests: created once per
// test process (EC P-256 keys, fast) in a temporary directory removed at exit.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

#include "pkibridge/pkcs/test_ca.hpp"

namespace certtest {

namespace fs = std::filesystem;

class TempDir {
public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "pkibridge-cert-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

struct Hierarchy {
    TempDir temp;
    pkibridge::pkcs::TestCa ca;
    Hierarchy()
        : ca(pkibridge::pkcs::TestCa::init(temp.path() / "ca", {pkibridge::pkcs::KeySpec::EcP256,
                                                                "http://127.0.0.1:8089/crl"})) {}
};

// The process-wide hierarchy (lazily created on first use).
inline Hierarchy& hierarchy() {
    static Hierarchy h;
    return h;
}

inline pkibridge::pkcs::IssueOptions person(const std::string& name = "王小明",
                                            const std::string& id = "A123456789") {
    pkibridge::pkcs::IssueOptions o;
    o.type = pkibridge::pkcs::HolderType::Person;
    o.name = name;
    o.national_id = id;
    return o;
}

}  // namespace certtest
