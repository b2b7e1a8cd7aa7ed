#include "drivers/duplicate_keys.hpp"

#include <set>

#include "core/host_error.hpp"
#include "core/log.hpp"

namespace pkibridge::host::drivers {
namespace {

// A token whose key list was read once, minus certificates another token already lists.
class DedupedToken : public card::Token {
public:
    DedupedToken(std::unique_ptr<card::Token> inner, std::vector<card::TokenKey> keys,
                 std::set<std::string> hidden)
        : inner_(std::move(inner)), keys_(std::move(keys)), hidden_(std::move(hidden)) {}

    const card::TokenDescription& description() const override { return inner_->description(); }
    std::vector<card::TokenKey> keys() override { return keys_; }
    std::optional<card::TokenKey> key(std::string_view key_ref) override {
        auto key = inner_->key(key_ref);
        if (key && hidden_.count(key->certificate.sha256_fingerprint())) return std::nullopt;
        return key;
    }
    std::optional<std::string> card_serial() override { return inner_->card_serial(); }
    card::PinPolicy pin_policy() const override { return inner_->pin_policy(); }
    card::PinStatus pin_status() override { return inner_->pin_status(); }
    void ensure_present() override { inner_->ensure_present(); }
    std::unique_ptr<card::TokenSession> open_session() override { return inner_->open_session(); }

private:
    std::unique_ptr<card::Token> inner_;
    std::vector<card::TokenKey> keys_;
    std::set<std::string> hidden_;
};

}  // namespace

void hide_duplicate_keys(std::vector<std::unique_ptr<card::Token>>& tokens) {
    if (tokens.size() < 2) return;  // nothing can be listed twice
    std::set<std::string> seen;
    std::vector<std::unique_ptr<card::Token>> kept;
    for (auto& token : tokens) {
        std::vector<card::TokenKey> keys;
        try {
            keys = token->keys();
        } catch (const HostError& e) {  // listed as it is; its own errors show when used
            log::info("token in " + token->description().reader +
                      " not checked for duplicates: " + e.what());
            kept.push_back(std::move(token));
            continue;
        }
        const bool had_keys = !keys.empty();
        std::vector<card::TokenKey> own;
        std::set<std::string> hidden;
        for (auto& key : keys) {
            std::string fingerprint = key.certificate.sha256_fingerprint();
            if (seen.count(fingerprint)) {
                hidden.insert(std::move(fingerprint));
                continue;
            }
            seen.insert(fingerprint);
            own.push_back(std::move(key));
        }
        if (had_keys && own.empty()) {
            log::debug("token in " + token->description().reader + " (" +
                       token->description().card_type + ") is listed through another driver");
            continue;
        }
        kept.push_back(
            std::make_unique<DedupedToken>(std::move(token), std::move(own), std::move(hidden)));
    }
    tokens = std::move(kept);
}

}  // namespace pkibridge::host::drivers
