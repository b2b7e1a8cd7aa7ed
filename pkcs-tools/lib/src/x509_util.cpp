#include "x509_util.hpp"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/objects.h>

#include "pkibridge/pkcs/errors.hpp"
#include "pkibridge/pkcs/ossl.hpp"

namespace pkibridge::pkcs::certdetail {

std::string name_to_string(const X509_NAME* name) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio) throw_openssl(ErrorCode::Crypto, "BIO_new failed");
    if (X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0)
        throw_openssl(ErrorCode::Malformed, "cannot print X.509 name");
    return bio_contents(bio.get());
}

Bytes name_der(const X509_NAME* name) {
    const unsigned char* der = nullptr;
    size_t len = 0;
    if (X509_NAME_get0_der(const_cast<X509_NAME*>(name), &der, &len) != 1)
        throw_openssl(ErrorCode::Malformed, "cannot encode X.509 name");
    return Bytes(der, der + len);
}

std::string name_entry_text(const X509_NAME* name, int nid) {
    int idx = X509_NAME_get_index_by_NID(name, nid, -1);
    if (idx < 0) return {};
    unsigned char* utf8 = nullptr;
    int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx)));
    if (len < 0) throw_openssl(ErrorCode::Malformed, "name attribute is not valid text");
    std::string out(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(len));
    OPENSSL_free(utf8);
    return out;
}

std::string object_oid(const ASN1_OBJECT* obj) {
    char buf[256];
    int n = OBJ_obj2txt(buf, sizeof buf, obj, 1);
    if (n <= 0) throw PkcsError(ErrorCode::Malformed, "invalid object identifier");
    if (n >= static_cast<int>(sizeof buf))
        throw PkcsError(ErrorCode::Malformed, "object identifier too long");
    return std::string(buf, static_cast<std::size_t>(n));
}

std::string object_name(const ASN1_OBJECT* obj) {
    int nid = OBJ_obj2nid(obj);
    if (nid != NID_undef) {
        const char* sn = OBJ_nid2sn(nid);
        if (sn != nullptr) return sn;
    }
    return object_oid(obj);
}

Bytes integer_magnitude(const ASN1_INTEGER* value) {
    if (value == nullptr) return {};
    const unsigned char* data = ASN1_STRING_get0_data(value);
    std::size_t len = static_cast<std::size_t>(ASN1_STRING_length(value));
    std::size_t skip = 0;
    while (skip < len && data[skip] == 0) ++skip;
    return Bytes(data + skip, data + len);
}

std::string serial_to_hex(ByteView magnitude) {
    if (magnitude.empty()) return "00";
    std::string hex = hex_encode(magnitude);
    for (char& c : hex)
        if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
    return hex;
}

std::string ec_curve_name(EVP_PKEY* key) {
    if (!EVP_PKEY_is_a(key, "EC")) return {};
    char group[80] = {0};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                       &len) != 1) {
        drain_openssl_errors();
        return "unknown";
    }
    int nid = OBJ_txt2nid(group);
    if (nid != NID_undef) {
        const char* nist = EC_curve_nid2nist(nid);
        if (nist != nullptr) return nist;
    }
    return group;
}

std::vector<std::string> general_name_uris(const GENERAL_NAMES* names) {
    std::vector<std::string> out;
    for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
        const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
        if (gn->type != GEN_URI) continue;
        const ASN1_IA5STRING* uri = gn->d.uniformResourceIdentifier;
        std::string text(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                         static_cast<std::size_t>(ASN1_STRING_length(uri)));
        if (!is_printable_ascii(text))
            throw PkcsError(ErrorCode::Malformed, "URI in a general name is not printable ASCII");
        out.push_back(std::move(text));
    }
    return out;
}

bool is_valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = c < 0x80           ? 1
                        : (c >> 5) == 0x6  ? 2
                        : (c >> 4) == 0xE  ? 3
                        : (c >> 3) == 0x1E ? 4
                                           : 0;
        if (n == 0 || i + n > s.size()) return false;
        std::uint32_t cp = n == 1 ? c : c & (0x7F >> n);
        for (std::size_t k = 1; k < n; ++k) {
            auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        // Reject overlong forms, surrogates and values beyond U+10FFFF.
        static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < kMin[n] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return false;
        i += n;
    }
    return true;
}

bool is_printable_ascii(std::string_view s) {
    for (char c : s)
        if (c < 0x20 || c > 0x7E) return false;
    return true;
}

void* certificate_extension(const X509* cert, int nid, const char* what, bool* critical) {
    int crit = -1;
    void* ext = X509_get_ext_d2i(cert, nid, &crit, nullptr);
    if (ext == nullptr) {
        drain_openssl_errors();
        if (crit == -1) return nullptr;
        if (crit == -2)
            throw PkcsError(ErrorCode::Malformed,
                            std::string("certificate has more than one ") + what + " extension");
        throw PkcsError(ErrorCode::Malformed,
                        std::string("certificate ") + what + " extension is malformed");
    }
    if (critical != nullptr) *critical = crit == 1;
    return ext;
}

}  // namespace pkibridge::pkcs::certdetail
