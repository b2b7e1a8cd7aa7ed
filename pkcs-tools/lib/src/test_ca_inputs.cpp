// Names and input validation for the test CA.
#include <openssl/objects.h>

#include <algorithm>
#include <cctype>

#include "pkibridge/pkcs/errors.hpp"
#include "pkibridge/pkcs/test_ca.hpp"

namespace pkibridge::pkcs {
namespace {

[[noreturn]] void invalid(const std::string& message) {
    throw PkcsError(ErrorCode::InvalidArgument, message);
}

bool all_digits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string_view test_ca_name(TestCaId id) noexcept {
    switch (id) {
        case TestCaId::Root:
            return "root";
        case TestCaId::Moica:
            return "moica";
        case TestCaId::Moeaca:
            return "moeaca";
        case TestCaId::Xca:
            return "xca";
        case TestCaId::Gca:
            return "gca";
    }
    return "root";
}

TestCaId parse_test_ca_name(std::string_view name) {
    for (TestCaId id : kAllTestCas)
        if (name == test_ca_name(id)) return id;
    invalid("unknown CA '" + std::string(name) + "' (accepted: root, moica, moeaca, xca, gca)");
}

std::string_view holder_type_name(HolderType type) noexcept {
    switch (type) {
        case HolderType::Person:
            return "person";
        case HolderType::Company:
            return "company";
        case HolderType::Org:
            return "org";
        case HolderType::Agency:
            return "agency";
    }
    return "person";
}

HolderType parse_holder_type(std::string_view name) {
    for (HolderType t :
         {HolderType::Person, HolderType::Company, HolderType::Org, HolderType::Agency})
        if (name == holder_type_name(t)) return t;
    invalid("unknown holder type '" + std::string(name) +
            "' (accepted: person, company, org, agency)");
}

TestCaId issuing_ca_for(HolderType type) noexcept {
    switch (type) {
        case HolderType::Person:
            return TestCaId::Moica;
        case HolderType::Company:
            return TestCaId::Moeaca;
        case HolderType::Org:
            return TestCaId::Xca;
        case HolderType::Agency:
            return TestCaId::Gca;
    }
    return TestCaId::Moica;
}

void validate_national_id(std::string_view id) {
    if (id.size() != 10 || !std::isupper(static_cast<unsigned char>(id[0])) ||
        !all_digits(id.substr(1)))
        invalid("invalid national ID '" + std::string(id) +
                "': expected an uppercase letter and 9 digits, e.g. A123456789");
}

void validate_business_number(std::string_view ubn) {
    if (ubn.size() != 8 || !all_digits(ubn))
        invalid("invalid unified business number '" + std::string(ubn) +
                "': expected exactly 8 digits");
}

void validate_oid(std::string_view oid) {
    std::string text(oid);
    std::size_t arcs = 0;
    std::size_t start = 0;
    bool ok = !text.empty();
    while (ok) {
        std::size_t dot = text.find('.', start);
        std::string arc =
            text.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        ok = all_digits(arc) && (arc.size() == 1 || arc[0] != '0');
        ++arcs;
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    ok = ok && arcs >= 2 && text[0] >= '0' && text[0] <= '2' && text[1] == '.';
    if (ok) {
        ASN1_OBJECT* obj = OBJ_txt2obj(text.c_str(), 1);
        ok = obj != nullptr;
        ASN1_OBJECT_free(obj);
    }
    if (!ok) invalid("invalid OID '" + text + "': expected dotted decimal like 2.16.886.101.20003");
}

}  // namespace pkibridge::pkcs
