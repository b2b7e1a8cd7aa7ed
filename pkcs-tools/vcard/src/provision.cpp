#include "pkibridge/vcard/provision.hpp"

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <cctype>
#include <chrono>
#include <cstdio>

#include "pkibridge/pkcs/errors.hpp"
#include "pkibridge/vcard/card_store.hpp"
#include "pkibridge/vcard/errors.hpp"
#include "pkibridge/vcard/piv.hpp"
#include "pkibridge/vcard/piv_crypto.hpp"
#include "pkibridge/vcard/piv_objects.hpp"

namespace pkibridge::vcard {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void bad_input(const std::string& what) {
    pkcs::drain_openssl_errors();
    throw VcardError(VcardErrorCode::InvalidArgument, what);
}

Bytes read_input(const fs::path& path) {
    if (!fs::exists(path)) bad_input(path.string() + ": missing");
    try {
        return pkcs::read_file(path);
    } catch (const pkcs::PkcsError& e) {
        bad_input(e.what());
    }
}

pkcs::X509Ptr load_certificate(const fs::path& path) {
    Bytes data = read_input(path);
    auto bio = pkcs::memory_bio(data.data(), data.size());
    pkcs::X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) bad_input(path.string() + ": not a PEM certificate");
    return cert;
}

pkcs::EvpPkeyPtr load_key(const fs::path& path) {
    Bytes data = read_input(path);
    auto bio = pkcs::memory_bio(data.data(), data.size());
    pkcs::EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    pkcs::secure_zero(data.data(), data.size());
    if (!key) bad_input(path.string() + ": not an unencrypted PEM private key");
    return key;
}

std::string common_name(X509* cert) {
    X509_NAME* name = X509_get_subject_name(cert);
    int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (idx < 0) return "";
    unsigned char* utf8 = nullptr;
    int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx)));
    if (len < 0) return "";
    std::string out(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(len));
    OPENSSL_free(utf8);
    return out;
}

Bytes certificate_der(X509* cert) {
    int len = i2d_X509(cert, nullptr);
    if (len <= 0) pkcs::throw_openssl(pkcs::ErrorCode::Crypto, "encoding a certificate");
    Bytes der(static_cast<std::size_t>(len));
    unsigned char* p = der.data();
    i2d_X509(cert, &p);
    return der;
}

// Printed information expiry: YYYYMMMDD (e.g. 2035JAN01), ten years ahead.
std::string printed_expiry() {
    using namespace std::chrono;
    static const char* months[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                   "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
    auto today = year_month_day{floor<days>(system_clock::now())};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d%s%02u", static_cast<int>(today.year()) + 10,
                  months[static_cast<unsigned>(today.month()) - 1],
                  static_cast<unsigned>(today.day()));
    return buf;
}

struct Loaded {
    std::uint8_t slot;
    pkcs::X509Ptr cert;
    pkcs::EvpPkeyPtr key;
};

Loaded load_pair(const fs::path& from, const std::string& stem, std::uint8_t slot) {
    Loaded l{slot, load_certificate(from / (stem + ".pem")), load_key(from / (stem + ".key"))};
    if (X509_check_private_key(l.cert.get(), l.key.get()) != 1)
        bad_input((from / (stem + ".key")).string() + " does not match " + stem + ".pem");
    if (!algorithm_of_key(l.key.get()))
        bad_input((from / (stem + ".key")).string() +
                  ": the card holds RSA 1024/2048/3072 or EC P-256/P-384 keys only");
    return l;
}

}  // namespace

std::string card_serial(const CardState& state) {
    auto it = state.objects.find(piv::tag::kChuid);
    if (it == state.objects.end()) return "";
    auto guid = chuid_guid(it->second);
    if (!guid) return "";
    std::string hex = pkcs::hex_encode(*guid);
    for (auto& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return hex;
}

void provision_card(const ProvisionOptions& options) {
    CardStore store(options.dir);
    if (store.exists() && !options.force)
        throw VcardError(
            VcardErrorCode::CardDirectory,
            options.dir.string() + " already holds a card (use --force to replace it)");

    std::vector<Loaded> pairs;
    if (options.from) {
        if (!fs::is_directory(*options.from))
            bad_input(options.from->string() + ": not a directory");
        pairs.push_back(load_pair(*options.from, "sign", piv::kSlotSignature));
        pairs.push_back(load_pair(*options.from, "auth", piv::kSlotAuthentication));
    }

    BlankCardOptions blank;
    blank.pin = options.pin;
    blank.puk = options.puk;
    blank.pin_tries = options.pin_tries;
    blank.puk_tries = options.puk_tries;
    blank.guid = options.guid;
    blank.management_key = options.management_key;
    blank.management_algorithm = options.management_algorithm;
    CardState state = make_blank_card(blank);

    PrintedInformation printed;
    printed.name = pairs.empty() ? "Virtual Card" : common_name(pairs.front().cert.get());
    printed.affiliation = "pkibridge test";
    printed.expiry = printed_expiry();
    printed.card_serial = std::to_string(state.serial);
    printed.issuer = "pkibridge vcard";
    // Also lets OpenSC test the login state with GET DATA (it looks for a PIN-protected
    // object).
    state.objects[piv::tag::kPrintedInformation] = make_printed_information(printed);

    for (auto& p : pairs) {
        state.objects[*piv::certificate_tag_for_slot(p.slot)] =
            make_certificate_object(certificate_der(p.cert.get()));
        SlotKey sk;
        sk.algorithm = *algorithm_of_key(p.key.get());
        sk.key = std::move(p.key);
        state.keys[p.slot] = std::move(sk);
    }

    std::error_code ec;
    fs::create_directories(options.dir, ec);
    if (ec) throw VcardError(VcardErrorCode::Io, "cannot create " + options.dir.string());
    ::chmod(options.dir.c_str(), 0700);
    CardDirectoryLock lock(options.dir);
    // Replace keys of an older card in this directory, then write the new ones and the
    // state last (a card is only "there" once card.json is).
    for (int slot = 0; slot < 256; ++slot) {
        auto s = static_cast<std::uint8_t>(slot);
        if (!piv::is_key_slot(s)) continue;
        auto it = state.keys.find(s);
        store.save_key(s, it == state.keys.end() ? nullptr : it->second.key.get());
    }
    store.save(state);
}

}  // namespace pkibridge::vcard
