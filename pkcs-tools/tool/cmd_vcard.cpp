// pkcs-tool vcard provision|serve|info: the virtual PIV card (see docs/virtual-card.md).
#include <openssl/x509.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "pkibridge/pkcs/bytes.hpp"
#include "pkibridge/pkcs/errors.hpp"
#include "pkibridge/vcard/card_server.hpp"
#include "pkibridge/vcard/card_store.hpp"
#include "pkibridge/vcard/errors.hpp"
#include "pkibridge/vcard/piv.hpp"
#include "pkibridge/vcard/piv_crypto.hpp"
#include "pkibridge/vcard/piv_objects.hpp"
#include "pkibridge/vcard/provision.hpp"
#include "pkibridge/vcard/tlv.hpp"

namespace pkibridge::tool {
namespace {

using namespace pkibridge::vcard;

// VcardError -> exit code, at the CLI boundary.
int run_guarded(const std::function<int()>& body) {
    try {
        return body();
    } catch (const VcardError& e) {
        std::cerr << "pkcs-tool vcard: " << e.what() << "\n";
        return e.code() == VcardErrorCode::Io ? kExitInternal : kExitUsage;
    }
}

std::uint8_t management_algorithm_from(const std::string& name) {
    if (name == "3des") return piv::alg::kTdes;
    if (name == "aes128") return piv::alg::kAes128;
    if (name == "aes192") return piv::alg::kAes192;
    if (name == "aes256") return piv::alg::kAes256;
    throw VcardError(VcardErrorCode::InvalidArgument, "unknown management key algorithm " + name);
}

std::string algorithm_label(std::uint8_t alg) {
    switch (alg) {
        case piv::alg::kRsa1024:
            return "RSA-1024";
        case piv::alg::kRsa2048:
            return "RSA-2048";
        case piv::alg::kRsa3072:
            return "RSA-3072";
        case piv::alg::kEccP256:
            return "EC-P256";
        case piv::alg::kEccP384:
            return "EC-P384";
        case piv::alg::kTdes:
            return "3DES";
        case piv::alg::kAes128:
            return "AES-128";
        case piv::alg::kAes192:
            return "AES-192";
        case piv::alg::kAes256:
            return "AES-256";
        default:
            return "unknown";
    }
}

std::string slot_hex(std::uint8_t slot) {
    return pkcs::hex_encode(pkcs::Bytes{slot});
}

nlohmann::json certificate_summary(const pkcs::Bytes& object) {
    auto stored = certificate_from_object(object);
    if (!stored) return nullptr;
    if (stored->compressed) return {{"compressed", true}};
    const unsigned char* p = stored->data.data();
    pkcs::X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(stored->data.size())));
    if (!cert) {
        pkcs::drain_openssl_errors();
        return {{"error", "not a DER certificate"}};
    }
    pkcs::BioPtr bio(BIO_new(BIO_s_mem()));
    X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert.get()), 0,
                       XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    return {{"subject", pkcs::bio_contents(bio.get())}, {"bytes", stored->data.size()}};
}

nlohmann::json card_info(const std::filesystem::path& dir) {
    CardStore store(dir);
    CardState state = store.load();
    nlohmann::json slots = nlohmann::json::array();
    for (int s = 0; s < 256; ++s) {
        auto slot = static_cast<std::uint8_t>(s);
        auto tag = piv::certificate_tag_for_slot(slot);
        if (!tag) continue;
        auto key = state.keys.find(slot);
        auto obj = state.objects.find(*tag);
        if (key == state.keys.end() && obj == state.objects.end()) continue;
        nlohmann::json entry = {
            {"slot", slot_hex(slot)},
            {"pinPolicy", piv::pin_policy_name(state.effective_pin_policy(slot))}};
        entry["algorithm"] = key == state.keys.end()
                                 ? nlohmann::json(nullptr)
                                 : nlohmann::json(algorithm_label(key->second.algorithm));
        entry["certificate"] =
            obj == state.objects.end() ? nlohmann::json(nullptr) : certificate_summary(obj->second);
        slots.push_back(std::move(entry));
    }
    nlohmann::json objects = nlohmann::json::array();
    for (const auto& [tag, value] : state.objects)
        objects.push_back(pkcs::hex_encode(tag_bytes(tag)));
    return {{"dir", dir.string()},
            {"cardSerial", card_serial(state)},
            {"serial", state.serial},
            {"pinTriesLeft", state.pin.tries_left},
            {"pinMaxTries", state.pin.max_tries},
            {"pukTriesLeft", state.puk.tries_left},
            {"pukMaxTries", state.puk.max_tries},
            {"managementKeyAlgorithm", algorithm_label(state.management_key.algorithm)},
            {"managementKeyIsDefault", state.management_key.algorithm == piv::alg::kTdes &&
                                           state.management_key.key == default_management_key()},
            {"slots", std::move(slots)},
            {"objects", std::move(objects)}};
}

void print_info(const nlohmann::json& info) {
    std::cout << "card directory:  " << info["dir"].get<std::string>() << "\n"
              << "card serial:     " << info["cardSerial"].get<std::string>() << " (CHUID GUID)\n"
              << "serial number:   " << info["serial"].get<std::uint32_t>() << " (GET SERIAL)\n"
              << "PIN tries left:  " << info["pinTriesLeft"] << "/" << info["pinMaxTries"] << "\n"
              << "PUK tries left:  " << info["pukTriesLeft"] << "/" << info["pukMaxTries"] << "\n"
              << "management key:  " << info["managementKeyAlgorithm"].get<std::string>()
              << (info["managementKeyIsDefault"].get<bool>() ? " (default)" : "") << "\n";
    for (const auto& slot : info["slots"]) {
        std::cout << "slot " << slot["slot"].get<std::string>() << ":         "
                  << (slot["algorithm"].is_null() ? "no key" : slot["algorithm"].get<std::string>())
                  << ", PIN " << slot["pinPolicy"].get<std::string>();
        const auto& cert = slot["certificate"];
        if (cert.is_object() && cert.contains("subject"))
            std::cout << ", certificate " << cert["subject"].get<std::string>();
        else if (cert.is_object() && cert.contains("compressed"))
            std::cout << ", certificate (gzip-compressed)";
        std::cout << "\n";
    }
}

void register_provision(CLI::App& vcard, const GlobalOptions& global, Action& action) {
    struct Args {
        std::string dir;
        std::string from;
        std::string pin = "123456";
        std::string puk = "12345678";
        int pin_tries = 3;
        int puk_tries = 3;
        std::string guid;
        std::string management_key;
        std::string management_algorithm = "3des";
        bool force = false;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = vcard.add_subcommand(
        "provision",
        "Create a virtual PIV card in DIR, optionally loaded with the signing (9C) "
        "and authentication (9A) pair written by `pkcs-tool ca issue --out`");
    cmd->add_option("--dir", args->dir, "Card directory (created)")->required();
    cmd->add_option("--from", args->from, "Directory with sign.pem/sign.key and auth.pem/auth.key");
    cmd->add_option("--pin", args->pin, "PIN, 6-8 digits")->capture_default_str();
    cmd->add_option("--puk", args->puk, "PUK, 6-8 characters")->capture_default_str();
    cmd->add_option("--pin-tries", args->pin_tries, "PIN retry counter")->capture_default_str();
    cmd->add_option("--puk-tries", args->puk_tries, "PUK retry counter")->capture_default_str();
    cmd->add_option("--guid", args->guid,
                    "Card GUID in the CHUID, 32 hex digits (random by default); it is the card "
                    "serial number the host reports");
    cmd->add_option("--management-key", args->management_key,
                    "Management key in hex (default 0102030405060708 x3)");
    cmd->add_option("--management-algorithm", args->management_algorithm,
                    "3des, aes128, aes192 or aes256")
        ->check(CLI::IsMember({"3des", "aes128", "aes192", "aes256"}))
        ->capture_default_str();
    cmd->add_flag("--force", args->force, "Replace a card already in DIR");
    cmd->callback([args, &global, &action] {
        action = [args, &global] {
            return run_guarded([&] {
                ProvisionOptions o;
                o.dir = args->dir;
                if (!args->from.empty()) o.from = args->from;
                o.pin = args->pin;
                o.puk = args->puk;
                o.pin_tries = args->pin_tries;
                o.puk_tries = args->puk_tries;
                try {
                    if (!args->guid.empty()) o.guid = pkcs::hex_decode(args->guid);
                    if (!args->management_key.empty())
                        o.management_key = pkcs::hex_decode(args->management_key);
                } catch (const pkcs::PkcsError&) {
                    throw VcardError(VcardErrorCode::InvalidArgument,
                                     "--guid and --management-key take hex digits");
                }
                o.management_algorithm = management_algorithm_from(args->management_algorithm);
                o.force = args->force;
                provision_card(o);
                auto info = card_info(o.dir);
                if (global.json) {
                    std::cout << info.dump(2) << "\n";
                } else {
                    print_info(info);
                }
                return kExitOk;
            });
        };
    });
}

void register_serve(CLI::App& vcard, Action& action) {
    struct Args {
        std::string dir;
        std::string vpcd = "127.0.0.1:35963";
        std::string log;
        std::string pid_file;
        bool removed = false;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = vcard.add_subcommand(
        "serve",
        "Insert the card in DIR into a vpcd virtual reader and answer its APDUs until SIGTERM or "
        "SIGINT. SIGUSR1 removes the card, SIGUSR2 inserts it again.");
    cmd->add_option("--dir", args->dir, "Card directory")->required();
    cmd->add_option("--vpcd", args->vpcd,
                    "vpcd reader address; reader 'Virtual PCD 00 01' listens on port + 1")
        ->capture_default_str();
    cmd->add_option("--log", args->log,
                    "Append one line per APDU (header, length, status word; never data)");
    cmd->add_option("--pid-file", args->pid_file, "Write the process id here while serving");
    cmd->add_flag("--removed", args->removed, "Start with the card out of the reader");
    cmd->callback([args, &action] {
        action = [args] {
            return run_guarded([&] {
                ServeOptions o;
                o.dir = args->dir;
                parse_vpcd_address(args->vpcd, o);
                if (!args->log.empty()) o.log_file = args->log;
                if (!args->pid_file.empty()) o.pid_file = args->pid_file;
                o.start_removed = args->removed;
                serve(o, std::cerr);
                return kExitOk;
            });
        };
    });
}

void register_info(CLI::App& vcard, const GlobalOptions& global, Action& action) {
    auto dir = std::make_shared<std::string>();
    auto* cmd = vcard.add_subcommand("info", "Show a card directory: serial, PIN tries, slots");
    cmd->add_option("--dir", *dir, "Card directory")->required();
    cmd->callback([dir, &global, &action] {
        action = [dir, &global] {
            return run_guarded([&] {
                auto info = card_info(*dir);
                if (global.json) {
                    std::cout << info.dump(2) << "\n";
                } else {
                    print_info(info);
                }
                return kExitOk;
            });
        };
    });
}

}  // namespace

void register_vcard_commands(CLI::App& app, const GlobalOptions& global, Action& action) {
    auto* vcard = app.add_subcommand("vcard", "Virtual PIV card for tests and demos (vpcd)");
    vcard->require_subcommand(1);
    register_provision(*vcard, global, action);
    register_serve(*vcard, action);
    register_info(*vcard, global, action);
}

}  // namespace pkibridge::tool
