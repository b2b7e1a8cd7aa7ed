// The card directory: state survives a restart, files are private, bad files give a clear
// error.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>

#include "card_client.hpp"
#include "pkibridge/pkcs/bytes.hpp"
#include "pkibridge/vcard/card_store.hpp"
#include "pkibridge/vcard/errors.hpp"
#include "pkibridge/vcard/piv.hpp"
#include "pkibridge/vcard/piv_card.hpp"
#include "pkibridge/vcard/provision.hpp"

using namespace pkibridge::vcard;
using namespace vcard_test;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        std::random_device rd;
        path = fs::temp_directory_path() /
               ("vcard-unit-" + std::to_string(rd()) + std::to_string(rd()));
        fs::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

unsigned mode_of(const fs::path& p) {
    struct stat st {};
    ::stat(p.c_str(), &st);
    return st.st_mode & 0777;
}

}  // namespace

TEST_CASE("Card state round-trips through the card directory with private files") {
    TempDir dir;
    CardStore store(dir.path / "card");
    CardState state = test_card();
    state.keys[piv::kSlotSignature].pin_policy = piv::PinPolicy::Never;
    for (const auto& [slot, key] : state.keys) store.save_key(slot, key.key.get());
    store.save(state);
    CHECK(mode_of(store.state_path()) == 0600);
    CHECK(mode_of(store.key_path(0x9A)) == 0600);
    CHECK(mode_of(store.key_path(0x9C)) == 0600);

    CardState back = store.load();
    CHECK(back.serial == state.serial);
    CHECK(back.objects == state.objects);
    CHECK(back.management_key.key == state.management_key.key);
    CHECK(back.pin.hash == state.pin.hash);
    REQUIRE(back.keys.size() == 2);
    CHECK(back.keys[0x9A].algorithm == piv::alg::kRsa2048);
    CHECK(EVP_PKEY_eq(back.keys[0x9A].key.get(), shared_rsa_key()) == 1);
    CHECK(back.keys[0x9C].algorithm == piv::alg::kEccP256);
    CHECK(back.keys[0x9C].pin_policy == piv::PinPolicy::Never);
    CHECK(card_serial(back) == card_serial(state));
}

TEST_CASE("Retry counters are saved before the card answers") {
    TempDir dir;
    CardStore store(dir.path);
    {
        CardState state = test_card();
        for (const auto& [slot, key] : state.keys) store.save_key(slot, key.key.get());
        store.save(state);
    }
    {
        PivCard card(store.load(), &store);
        select_piv(card);
        CHECK(verify_pin(card, "999999").sw == 0x63C2);
        CHECK(verify_pin(card, "999998").sw == 0x63C1);
    }
    {
        PivCard card(store.load(), &store);  // "restart"
        select_piv(card);
        CHECK(verify_pin(card, "").sw == 0x63C1);
        CHECK(verify_pin(card, "123456").sw == 0x9000);
    }
    PivCard card(store.load(), &store);
    select_piv(card);
    CHECK(verify_pin(card, "").sw == 0x63C3);
    // An imported key and a written object survive too.
    REQUIRE(authenticate_management(card, default_management_key()).sw == 0x9000);
    CHECK(transmit(card, 0x47, 0x00, 0x9D, pkibridge::pkcs::hex_decode("ac03800111")).sw == 0x9000);
    CHECK(
        transmit(card, 0xDB, 0x3F, 0xFF, pkibridge::pkcs::hex_decode("5c035fc10b5303aabbcc")).sw ==
        0x9000);
    CardState after = store.load();
    CHECK(after.keys.count(0x9D) == 1);
    CHECK(after.objects.at(0x5FC10B) == pkibridge::pkcs::hex_decode("aabbcc"));
    CHECK(mode_of(store.key_path(0x9D)) == 0600);
}

TEST_CASE("A damaged or missing card directory is reported, not crashed on") {
    TempDir dir;
    CardStore store(dir.path);
    CHECK_THROWS_AS(store.load(), VcardError);
    std::ofstream(store.state_path()) << "{not json";
    CHECK_THROWS_WITH(store.load(), Catch::Contains("card.json"));
    std::ofstream(store.state_path(), std::ios::trunc) << R"({"format":"pkibridge-vcard/1"})";
    CHECK_THROWS_AS(store.load(), VcardError);
    CardState state = test_card();
    store.save(state);
    std::ofstream(store.key_path(0x9A)) << "garbage";
    CHECK_THROWS_WITH(store.load(), Catch::Contains("key-9a.pem"));
}

TEST_CASE("Only one process may hold a card directory") {
    TempDir dir;
    CardDirectoryLock first(dir.path);
    // flock locks belong to the open file description: a second open in this process
    // conflicts just like another process would.
    CHECK_THROWS_AS(CardDirectoryLock(dir.path), VcardError);
}

TEST_CASE("Provisioning refuses to overwrite a card and validates its inputs") {
    TempDir dir;
    ProvisionOptions o;
    o.dir = dir.path / "card";
    provision_card(o);
    CardState s = CardStore(o.dir).load();
    CHECK(s.keys.empty());
    CHECK(s.objects.count(piv::tag::kPrintedInformation) == 1);
    CHECK_THROWS_AS(provision_card(o), VcardError);
    o.force = true;
    o.guid = Bytes(16, 0xAB);
    provision_card(o);
    CHECK(card_serial(CardStore(o.dir).load()) == "ABABABABABABABABABABABABABABABAB");
    o.from = dir.path / "missing";
    CHECK_THROWS_AS(provision_card(o), VcardError);
}
