#include "support/in_process_card.hpp"

#include <stdlib.h>

#include <map>
#include <mutex>

#include "pcsc/pcsc_error.hpp"
#include "pkibridge/vcard/card_store.hpp"
#include "pkibridge/vcard/provision.hpp"

namespace host_test {

namespace fs = std::filesystem;
using namespace pkibridge;

namespace {

fs::path temp_dir(const char* tag) {
    std::string tmpl = std::string("/tmp/pkibridge-host-test-") + tag + "-XXXXXX";
    return fs::path(mkdtemp(tmpl.data()));
}

struct Cleanup {
    std::vector<fs::path> dirs;
    ~Cleanup() {
        std::error_code ec;
        for (const auto& d : dirs) fs::remove_all(d, ec);
    }
};
Cleanup& cleanup() {
    static Cleanup c;
    return c;
}

}  // namespace

pkcs::TestCa& shared_ca() {
    static pkcs::TestCa ca = [] {
        const fs::path dir = temp_dir("ca");
        cleanup().dirs.push_back(dir);
        pkcs::TestCaInitOptions options;
        options.key = pkcs::KeySpec::EcP256;  // fast; the holder keys vary per test
        return pkcs::TestCa::init(dir / "ca", options);
    }();
    return ca;
}

ProvisionedCard provisioned_card(pkcs::KeySpec key) {
    static std::mutex mutex;
    static std::map<pkcs::KeySpec, fs::path> cards;
    std::lock_guard lock(mutex);
    auto it = cards.find(key);
    if (it == cards.end()) {
        const fs::path dir = temp_dir("card");
        cleanup().dirs.push_back(dir);
        pkcs::IssueOptions issue;
        issue.type = pkcs::HolderType::Person;
        issue.name = "測試 王小明";
        issue.national_id = "A123456789";
        issue.key = key;
        pkcs::IssuedPair pair = shared_ca().issue(issue);
        pkcs::TestCa::write_pair(pair, dir / "issued");
        vcard::ProvisionOptions options;
        options.dir = dir / "card";
        options.from = dir / "issued";
        vcard::provision_card(options);
        it = cards.emplace(key, dir).first;
    }
    const fs::path& dir = it->second;
    pkcs::IssuedPair pair{{pkcs::Certificate::load(dir / "issued" / "sign.pem"), nullptr},
                          {pkcs::Certificate::load(dir / "issued" / "auth.pem"), nullptr},
                          pkcs::Certificate::load(dir / "issued" / "chain.pem"),
                          ""};
    return ProvisionedCard{std::move(pair), vcard::CardStore(dir / "card").load()};
}

Bytes InProcessChannel::transmit(ByteView command) {
    if (!present)
        pkibridge::host::pcsc::throw_pcsc(SCARD_W_REMOVED_CARD,
                                          "sending a command to the card failed");
    commands.emplace_back(command.begin(), command.end());
    return card_.process(command);
}

Bytes InProcessChannel::atr() {
    if (!present) pkibridge::host::pcsc::throw_pcsc(SCARD_W_REMOVED_CARD, "the card was removed");
    return vcard::PivCard::atr();
}

namespace {

class Access : public pkibridge::host::card::ExclusiveAccess {
public:
    Access(vcard::PivCard& card, int& resets) : card_(card), resets_(resets) {}
    ~Access() override {
        if (reset_) {
            card_.reset();
            ++resets_;
        }
    }
    void reset_card_at_end() noexcept override { reset_ = true; }

private:
    vcard::PivCard& card_;
    int& resets_;
    bool reset_ = false;
};

}  // namespace

std::unique_ptr<pkibridge::host::card::ExclusiveAccess> InProcessChannel::exclusive() {
    if (!present) pkibridge::host::pcsc::throw_pcsc(SCARD_W_REMOVED_CARD, "the card was removed");
    return std::make_unique<Access>(card_, resets);
}

pkibridge::host::apdu::ResponseApdu InProcessChannel::verify_on_pin_pad(
    const pkibridge::host::pcsc::PinPadVerifyRequest&) {
    pkibridge::host::pcsc::throw_pcsc(SCARD_E_UNSUPPORTED_FEATURE, "no PIN pad");
}

int InProcessChannel::pin_verifications() const {
    int n = 0;
    for (const auto& c : commands)
        if (c.size() > 5 && c[1] == 0x20 && c[2] == 0x00 && c[4] > 0) ++n;
    return n;
}

}  // namespace host_test
