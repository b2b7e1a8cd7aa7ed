#include "pkibridge/vcard/card_store.hpp"

#include <fcntl.h>
#include <openssl/pem.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "pkibridge/pkcs/errors.hpp"
#include "pkibridge/vcard/errors.hpp"
#include "pkibridge/vcard/piv_crypto.hpp"
#include "pkibridge/vcard/tlv.hpp"

namespace pkibridge::vcard {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kFormat = "pkibridge-vcard/1";

[[noreturn]] void bad_dir(const fs::path& path, const std::string& what) {
    throw VcardError(VcardErrorCode::CardDirectory, path.string() + ": " + what);
}

std::string hex2(std::uint8_t b) {
    char buf[4];
    std::snprintf(buf, sizeof buf, "%02x", b);
    return buf;
}

json reference_json(const ReferenceData& r) {
    return {{"salt", pkcs::base64_encode(r.salt)},
            {"hash", pkcs::base64_encode(r.hash)},
            {"tries_left", r.tries_left},
            {"max_tries", r.max_tries}};
}

ReferenceData reference_from(const json& j) {
    ReferenceData r;
    r.salt = pkcs::base64_decode(j.at("salt").get<std::string>());
    r.hash = pkcs::base64_decode(j.at("hash").get<std::string>());
    r.max_tries = j.at("max_tries").get<int>();
    r.tries_left = j.at("tries_left").get<int>();
    if (r.max_tries < 1 || r.max_tries > 15 || r.tries_left < 0 || r.tries_left > r.max_tries)
        throw std::out_of_range("retry counter out of range");
    return r;
}

void write_private(const fs::path& path, ByteView data) {
    pkcs::write_file_atomic(path, data, true);
    ::chmod(path.c_str(), 0600);  // in case a stale temporary file had other bits
}

}  // namespace

CardStore::CardStore(fs::path dir) : dir_(std::move(dir)) {}

fs::path CardStore::key_path(std::uint8_t slot) const {
    return dir_ / ("key-" + hex2(slot) + ".pem");
}

bool CardStore::exists() const {
    return fs::exists(state_path());
}

CardState CardStore::load() const {
    const fs::path path = state_path();
    if (!fs::exists(path)) bad_dir(path, "no card here (run `pkcs-tool vcard provision` first)");
    CardState state;
    try {
        Bytes raw = pkcs::read_file(path);
        json j = json::parse(raw.begin(), raw.end());
        pkcs::secure_zero(raw.data(), raw.size());  // it holds the management key
        if (j.value("format", "") != kFormat) bad_dir(path, "unknown format");
        state.serial = j.at("serial").get<std::uint32_t>();
        state.pin = reference_from(j.at("pin"));
        state.puk = reference_from(j.at("puk"));
        const json& mk = j.at("management_key");
        state.management_key = ManagementKey(mk.at("algorithm").get<std::uint8_t>(),
                                             pkcs::hex_decode(mk.at("key").get<std::string>()));
        if (!is_management_algorithm(state.management_key.algorithm) ||
            state.management_key.key.size() !=
                management_key_length(state.management_key.algorithm)) {
            bad_dir(path, "management key does not match its algorithm");
        }
        for (const auto& [tag_hex, value] : j.at("objects").items()) {
            Bytes tag = pkcs::hex_decode(tag_hex);
            if (tag.empty() || tag.size() > 3) bad_dir(path, "bad object tag " + tag_hex);
            std::uint32_t t = 0;
            for (auto b : tag) t = t << 8 | b;
            state.objects[t] = pkcs::base64_decode(value.get<std::string>());
        }
        std::map<std::uint8_t, piv::PinPolicy> policies;
        if (j.contains("slots")) {
            for (const auto& [slot_hex, info] : j.at("slots").items()) {
                Bytes s = pkcs::hex_decode(slot_hex);
                auto policy = piv::parse_pin_policy(info.value("pin_policy", "default"));
                if (s.size() != 1 || !piv::is_key_slot(s[0]) || !policy)
                    bad_dir(path, "bad slot entry " + slot_hex);
                policies[s[0]] = *policy;
            }
        }
        // Keys are whatever key files exist; card.json only adds their PIN policies.
        for (int slot = 0; slot < 256; ++slot) {
            auto s = static_cast<std::uint8_t>(slot);
            if (!piv::is_key_slot(s)) continue;
            fs::path kp = key_path(s);
            if (!fs::exists(kp)) continue;
            Bytes pem = pkcs::read_file(kp);
            auto bio = pkcs::memory_bio(pem.data(), pem.size());
            pkcs::EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
            pkcs::secure_zero(pem.data(), pem.size());
            if (!key) bad_dir(kp, "not a PEM private key: " + pkcs::drain_openssl_errors());
            auto alg = algorithm_of_key(key.get());
            if (!alg) bad_dir(kp, "key type not supported by the card");
            SlotKey sk;
            sk.key = std::move(key);
            sk.algorithm = *alg;
            if (auto it = policies.find(s); it != policies.end()) sk.pin_policy = it->second;
            state.keys[s] = std::move(sk);
        }
    } catch (const json::exception& e) {
        bad_dir(path, std::string("malformed: ") + e.what());
    } catch (const pkcs::PkcsError& e) {
        bad_dir(path, e.what());
    } catch (const std::out_of_range& e) {
        bad_dir(path, e.what());
    }
    return state;
}

void CardStore::save(const CardState& state) const {
    json objects = json::object();
    for (const auto& [tag, value] : state.objects)
        objects[pkcs::hex_encode(tag_bytes(tag))] = pkcs::base64_encode(value);
    json slots = json::object();
    for (const auto& [slot, key] : state.keys)
        slots[hex2(slot)] = {{"pin_policy", piv::pin_policy_name(key.pin_policy)}};
    std::string mk_hex = pkcs::hex_encode(state.management_key.key);
    json j = {{"format", kFormat},
              {"serial", state.serial},
              {"pin", reference_json(state.pin)},
              {"puk", reference_json(state.puk)},
              {"management_key", {{"algorithm", state.management_key.algorithm}, {"key", mk_hex}}},
              {"objects", objects},
              {"slots", slots}};
    pkcs::secure_zero(mk_hex.data(), mk_hex.size());
    std::string text = j.dump(2) + "\n";
    fs::create_directories(dir_);
    write_private(state_path(), pkcs::as_bytes(text));
    pkcs::secure_zero(text.data(), text.size());
}

void CardStore::save_key(std::uint8_t slot, EVP_PKEY* key) const {
    const fs::path path = key_path(slot);
    if (!key) {
        std::error_code ec;
        fs::remove(path, ec);
        return;
    }
    pkcs::BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio ||
        PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
        pkcs::throw_openssl(pkcs::ErrorCode::Crypto, "encoding a private key");
    std::string pem = pkcs::bio_contents(bio.get());
    fs::create_directories(dir_);
    write_private(path, pkcs::as_bytes(pem));
    pkcs::secure_zero(pem.data(), pem.size());
}

CardDirectoryLock::CardDirectoryLock(const fs::path& dir) {
    const fs::path path = dir / ".lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) bad_dir(path, "cannot open the lock file");
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd_);
        fd_ = -1;
        bad_dir(dir, "another process is serving this card");
    }
}

CardDirectoryLock::~CardDirectoryLock() {
    if (fd_ >= 0) ::close(fd_);
}

}  // namespace pkibridge::vcard
