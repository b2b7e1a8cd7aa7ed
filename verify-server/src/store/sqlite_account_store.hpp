// The SQLite account store: one database file, WAL, a pool of connections, migrations on
// open, every statement prepared once per connection with bound parameters.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>

#include "store/account_store.hpp"
#include "store/sqlite.hpp"

namespace pkibridge::server {

struct SqliteStoreOptions {
    int busy_timeout_ms = 5000;
    bool synchronous_full = false;
    int connections = 4;
};

class SqliteAccountStore final : public AccountStore {
public:
    // Opens (or creates) the file and migrates it to the latest schema.
    SqliteAccountStore(const std::filesystem::path& path, const SqliteStoreOptions& options);

    Account create_account(const AccountProfile& profile, std::string_view actor,
                           const CertificateRegistration* first_certificate = nullptr) override;
    std::optional<Account> account_by_id(std::int64_t id) override;
    std::optional<Account> account_by_national_id(std::string_view national_id) override;
    std::vector<Account> list_accounts(std::size_t limit, std::size_t offset) override;
    std::int64_t count_accounts() override;
    void set_account_status(std::int64_t id, AccountStatus status, std::string_view actor) override;

    RegisteredCertificate register_certificate(std::int64_t account_id,
                                               const CertificateRegistration& cert,
                                               std::string_view actor) override;
    std::optional<RegisteredCertificate> certificate_by_fingerprint(
        std::string_view sha256) override;
    std::vector<RegisteredCertificate> certificates_of(std::int64_t account_id) override;
    std::vector<Account> unregistered_accounts_by_id_last4(std::string_view last4) override;

    void record_login(const LoginEvent& event, const SessionRecord* session) override;
    std::vector<LoginEvent> recent_logins(std::int64_t account_id, std::size_t limit) override;

    std::optional<SessionRecord> session_by_hash(std::string_view id_hash) override;
    void touch_session(std::string_view id_hash, std::int64_t last_seen_at) override;
    void delete_session(std::string_view id_hash) override;
    std::size_t purge_expired_sessions(std::int64_t now, std::int64_t idle_seconds) override;

    void ping() override;
    std::size_t delete_sessions_of(std::int64_t account_id,
                                   std::string_view keep_id_hash = {}) override;

    // For the other SQLite stores sharing this file (credentials, portal administration).
    sqlite::ConnectionPool& pool() noexcept { return pool_; }
    // Write transactions of this process take turns here; SQLite's busy handler (which
    // sleeps) is then only needed against other processes on the same file.
    std::unique_lock<std::mutex> write_turn() { return std::unique_lock(write_mutex_); }
    // A write transaction on the shared file, taken in the write turn; rolls back unless
    // committed.
    class WriteTransaction {
    public:
        explicit WriteTransaction(SqliteAccountStore& store)
            : db_(store.pool().acquire()),
              turn_(store.write_turn()),
              tx_(*db_, sqlite::Transaction::Mode::Write) {}
        sqlite::Database& operator*() { return *db_; }
        sqlite::Database* operator->() { return &*db_; }
        void commit() { tx_.commit(); }

    private:
        sqlite::ConnectionPool::Lease db_;
        std::unique_lock<std::mutex> turn_;
        sqlite::Transaction tx_;
    };
    // One statement on its own (no transaction), in the write turn, with ?1, ?2, ... bound
    // to the values in order; returns how many rows it changed.
    template <class... Values>
    int write(const char* sql, const Values&... values) {
        auto db = pool_.acquire();
        auto turn = write_turn();
        db->cached(sql)->bind_all(values...).run();
        return db->changes();
    }

private:
    sqlite::ConnectionPool pool_;
    std::mutex write_mutex_;
};

}  // namespace pkibridge::server
