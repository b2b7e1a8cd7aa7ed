// The card directory: card.json (PIN/PUK hashes and counters, management key, data
// objects, slot policies; mode 0600) and key-<slot>.pem (PKCS#8, mode 0600). Every write
// goes to a temporary file that is renamed over the old one, so a crash or a kill leaves
// either the old or the new state, never a mix within a file.
#pragma once

#include <cstdint>
#include <filesystem>

#include "pkibridge/vcard/card_state.hpp"

namespace pkibridge::vcard {

class CardStore {
public:
    explicit CardStore(std::filesystem::path dir);

    const std::filesystem::path& dir() const noexcept { return dir_; }
    std::filesystem::path state_path() const { return dir_ / "card.json"; }
    std::filesystem::path key_path(std::uint8_t slot) const;
    bool exists() const;  // card.json present

    // Throws VcardError(CardDirectory) with the file and the problem.
    CardState load() const;
    // card.json only (counters, objects, management key, slot policies).
    void save(const CardState& state) const;
    // Writes or (key == nullptr) deletes key-<slot>.pem. Call save() afterwards.
    void save_key(std::uint8_t slot, EVP_PKEY* key) const;

private:
    std::filesystem::path dir_;
};

// Holds an exclusive advisory lock on DIR/.lock so that two card processes never serve
// (and overwrite) the same card directory. Throws VcardError(CardDirectory) if taken.
class CardDirectoryLock {
public:
    explicit CardDirectoryLock(const std::filesystem::path& dir);
    ~CardDirectoryLock();
    CardDirectoryLock(const CardDirectoryLock&) = delete;
    CardDirectoryLock& operator=(const CardDirectoryLock&) = delete;

private:
    int fd_ = -1;
};

}  // namespace pkibridge::vcard
