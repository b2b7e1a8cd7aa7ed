#include "pkibridge/pkcs/gpki_attributes.hpp"

#include <openssl/asn1t.h>
#include <openssl/objects.h>

#include <array>

#include "pkibridge/pkcs/errors.hpp"
#include "x509_util.hpp"

// SubjectDirectoryAttributes ::= SEQUENCE SIZE (1..MAX) OF Attribute (RFC 5280 4.2.1.8).
// OpenSSL 3.0 has no type for it, so define one with the ASN.1 templates.
typedef STACK_OF(X509_ATTRIBUTE) PKIBRIDGE_SDA;
ASN1_ITEM_TEMPLATE(PKIBRIDGE_SDA) = ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_SEQUENCE_OF, 0,
                                                          SubjectDirectoryAttributes,
                                                          X509_ATTRIBUTE)
    ASN1_ITEM_TEMPLATE_END(PKIBRIDGE_SDA)

        namespace pkibridge::pkcs {
    namespace {

    struct SdaDeleter {
        void operator()(PKIBRIDGE_SDA* s) const noexcept {
            sk_X509_ATTRIBUTE_pop_free(s, X509_ATTRIBUTE_free);
        }
    };
    using SdaPtr = std::unique_ptr<PKIBRIDGE_SDA, SdaDeleter>;

    std::string oid_text(const ASN1_OBJECT* obj) {
        char buf[128];
        int n = OBJ_obj2txt(buf, sizeof buf, obj, 1);
        if (n <= 0 || n >= static_cast<int>(sizeof buf))
            throw PkcsError(ErrorCode::Malformed, "invalid object identifier in GPKI attribute");
        return std::string(buf, static_cast<std::size_t>(n));
    }

    // First value of an attribute as text; accepts the string types the real CAs use.
    std::optional<std::string> attribute_text(X509_ATTRIBUTE* attr, bool allow_oid) {
        if (X509_ATTRIBUTE_count(attr) < 1)
            throw PkcsError(ErrorCode::Malformed, "GPKI attribute without a value");
        ASN1_TYPE* value = X509_ATTRIBUTE_get0_type(attr, 0);
        switch (ASN1_TYPE_get(value)) {
            case V_ASN1_PRINTABLESTRING:
            case V_ASN1_UTF8STRING:
            case V_ASN1_IA5STRING: {
                const ASN1_STRING* s = value->value.asn1_string;
                return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                   static_cast<std::size_t>(ASN1_STRING_length(s)));
            }
            case V_ASN1_OBJECT:
                if (allow_oid) return oid_text(value->value.object);
                break;
            default:
                break;
        }
        throw PkcsError(ErrorCode::Malformed, "GPKI attribute value has an unexpected ASN.1 type");
    }

    bool contains_word(std::string_view text, std::string_view word) {
        // ASCII word match: the neighbours must not be ASCII letters or digits.
        auto is_alnum = [](char c) {
            return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        };
        std::string upper(text);
        for (char& c : upper)
            if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        for (std::size_t pos = upper.find(word); pos != std::string::npos;
             pos = upper.find(word, pos + 1)) {
            bool left_ok = pos == 0 || !is_alnum(upper[pos - 1]);
            bool right_ok =
                pos + word.size() >= upper.size() || !is_alnum(upper[pos + word.size()]);
            if (left_ok && right_ok) return true;
        }
        return false;
    }

    }  // namespace

    GpkiAttributes decode_gpki_attributes(ByteView extension_value) {
        const unsigned char* p = extension_value.data();
        SdaPtr sda(reinterpret_cast<PKIBRIDGE_SDA*>(
            ASN1_item_d2i(nullptr, &p, static_cast<long>(extension_value.size()),
                          ASN1_ITEM_rptr(PKIBRIDGE_SDA))));
        if (!sda || p != extension_value.data() + extension_value.size()) {
            drain_openssl_errors();
            throw PkcsError(ErrorCode::Malformed,
                            "subjectDirectoryAttributes extension is malformed");
        }
        GpkiAttributes out;
        for (int i = 0; i < sk_X509_ATTRIBUTE_num(sda.get()); ++i) {
            X509_ATTRIBUTE* attr = sk_X509_ATTRIBUTE_value(sda.get(), i);
            std::string oid = oid_text(X509_ATTRIBUTE_get0_object(attr));
            if (oid == kOidIdLast4) {
                out.id_last4 = attribute_text(attr, false);
            } else if (oid == kOidBusinessNumber) {
                out.business_number = attribute_text(attr, false);
            } else if (oid == kOidOrganisationOid) {
                out.organisation_oid = attribute_text(attr, true);
            }
        }
        return out;
    }

    Bytes encode_gpki_attributes(const GpkiAttributes& attrs) {
        if (attrs.empty())
            throw PkcsError(ErrorCode::InvalidArgument, "no GPKI attributes to encode");
        SdaPtr sda(sk_X509_ATTRIBUTE_new_null());
        if (!sda) throw_openssl(ErrorCode::Crypto, "allocation failed");
        auto add = [&](std::string_view oid, int type, const void* data, int len) {
            Asn1ObjectPtr obj(OBJ_txt2obj(std::string(oid).c_str(), 1));
            if (!obj) throw_openssl(ErrorCode::Internal, "bad GPKI OID");
            X509_ATTRIBUTE* attr = X509_ATTRIBUTE_create_by_OBJ(
                nullptr, obj.get(), type, static_cast<const unsigned char*>(data), len);
            if (attr == nullptr)
                throw_openssl(ErrorCode::InvalidArgument, "cannot build GPKI attribute");
            if (sk_X509_ATTRIBUTE_push(sda.get(), attr) <= 0) {
                X509_ATTRIBUTE_free(attr);
                throw_openssl(ErrorCode::Crypto, "allocation failed");
            }
        };
        auto add_printable = [&](std::string_view oid, const std::string& value) {
            add(oid, V_ASN1_PRINTABLESTRING, value.data(), static_cast<int>(value.size()));
        };
        if (attrs.id_last4) add_printable(kOidIdLast4, *attrs.id_last4);
        if (attrs.business_number) add_printable(kOidBusinessNumber, *attrs.business_number);
        if (attrs.organisation_oid) {
            Asn1ObjectPtr value(OBJ_txt2obj(attrs.organisation_oid->c_str(), 1));
            if (!value)
                throw_openssl(ErrorCode::InvalidArgument,
                              "invalid organisation OID '" + *attrs.organisation_oid + "'");
            // len -1: data is the ASN1_OBJECT itself (X509_ATTRIBUTE_set1_data).
            add(kOidOrganisationOid, V_ASN1_OBJECT, value.get(), -1);
        }
        unsigned char* der = nullptr;
        int len = ASN1_item_i2d(reinterpret_cast<ASN1_VALUE*>(sda.get()), &der,
                                ASN1_ITEM_rptr(PKIBRIDGE_SDA));
        if (len <= 0) throw_openssl(ErrorCode::Crypto, "cannot encode subjectDirectoryAttributes");
        Bytes out(der, der + len);
        OPENSSL_free(der);
        return out;
    }

    X509ExtensionPtr make_gpki_extension(const GpkiAttributes& attrs) {
        Bytes der = encode_gpki_attributes(attrs);
        Asn1OctetStringPtr octets(ASN1_OCTET_STRING_new());
        if (!octets ||
            ASN1_OCTET_STRING_set(octets.get(), der.data(), static_cast<int>(der.size())) != 1)
            throw_openssl(ErrorCode::Crypto, "allocation failed");
        X509ExtensionPtr ext(X509_EXTENSION_create_by_NID(nullptr, NID_subject_directory_attributes,
                                                          0, octets.get()));
        if (!ext) throw_openssl(ErrorCode::Crypto, "cannot create subjectDirectoryAttributes");
        return ext;
    }

    CaKind classify_issuer(const X509_NAME* issuer) {
        struct Rule {
            CaKind kind;
            std::array<std::string_view, 2> chinese;
            std::string_view word;
        };
        static constexpr Rule kRules[] = {
            {CaKind::Moica, {"內政部憑證管理中心", ""}, "MOICA"},
            {CaKind::Moeaca, {"工商憑證管理中心", "工商憑証管理中心"}, "MOEACA"},
            {CaKind::Xca, {"組織及團體憑證管理中心", ""}, "XCA"},
            {CaKind::Gca, {"政府憑證管理中心", ""}, "GCA"},
        };
        std::vector<std::string> values;
        for (int i = 0; i < X509_NAME_entry_count(issuer); ++i) {
            const X509_NAME_ENTRY* entry = X509_NAME_get_entry(issuer, i);
            int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry));
            if (nid != NID_organizationalUnitName && nid != NID_organizationName &&
                nid != NID_commonName)
                continue;
            unsigned char* utf8 = nullptr;
            int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(entry));
            if (len < 0) {
                drain_openssl_errors();
                continue;
            }
            values.emplace_back(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(len));
            OPENSSL_free(utf8);
        }
        for (const Rule& rule : kRules) {
            for (const std::string& v : values) {
                for (std::string_view zh : rule.chinese)
                    if (!zh.empty() && v.find(zh) != std::string::npos) return rule.kind;
                if (contains_word(v, rule.word)) return rule.kind;
            }
        }
        return CaKind::Other;
    }

}  // namespace pkibridge::pkcs
