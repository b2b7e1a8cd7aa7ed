// RAII over the SQLite C API: a connection, prepared statements (cached per connection),
// transactions, and a small pool so request threads each get their own connection.
#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "store/store_error.hpp"

namespace pkibridge::sqlite {

using server::StoreError;

// Throws StoreError with the connection's message; maps SQLITE_BUSY/CONSTRAINT/CORRUPT.
[[noreturn]] void throw_sqlite(sqlite3* db, int rc, std::string_view what);

class Statement {
public:
    Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    Statement(Statement&& other) noexcept
        : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}
    ~Statement() { sqlite3_finalize(stmt_); }

    // Parameters are 1-based, as in SQLite.
    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    Statement& bind(int index, std::string_view value);
    Statement& bind(int index, const std::string& value) {
        return bind(index, std::string_view(value));
    }
    Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
    Statement& bind(int index, const std::optional<std::string>& value);
    Statement& bind(int index, const std::optional<std::int64_t>& value);
    Statement& bind_null(int index);
    // Binds ?1, ?2, ... to the values, in order.
    template <class... Values>
    Statement& bind_all(const Values&... values) {
        int index = 0;
        (bind(++index, values), ...);
        return *this;
    }

    // true: a row is available; false: done. Throws StoreError on failure.
    bool step();
    // Runs to completion (for statements that return no rows).
    void run();
    void reset() noexcept;

    std::int64_t int64(int column) const { return sqlite3_column_int64(stmt_, column); }
    std::string text(int column) const;
    std::optional<std::string> optional_text(int column) const;
    std::optional<std::int64_t> optional_int64(int column) const;
    bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_;
};

// A statement from the connection's cache, reset (and its bindings cleared) on scope exit.
class CachedStatement {
public:
    explicit CachedStatement(Statement& stmt) : stmt_(stmt) {}
    CachedStatement(const CachedStatement&) = delete;
    CachedStatement& operator=(const CachedStatement&) = delete;
    ~CachedStatement() { stmt_.reset(); }
    Statement* operator->() { return &stmt_; }
    Statement& operator*() { return stmt_; }

private:
    Statement& stmt_;
};

struct OpenOptions {
    int busy_timeout_ms = 5000;
    bool synchronous_full = false;
    bool create = true;
};

class Database {
public:
    // Opens (creating with mode 0600 when allowed), switches to WAL, sets the busy timeout,
    // synchronous level and foreign keys.
    static Database open(const std::filesystem::path& path, const OpenOptions& options);
    Database(Database&& other) noexcept;
    Database& operator=(Database&&) = delete;
    Database(const Database&) = delete;
    ~Database();

    sqlite3* native() const noexcept { return db_; }
    void exec(const char* sql);
    Statement prepare(std::string_view sql);
    // Prepared once per connection and kept (SQLITE_PREPARE_PERSISTENT); sql must be a
    // string literal (the pointer is the cache key).
    CachedStatement cached(const char* sql);
    std::int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
    int changes() const { return sqlite3_changes(db_); }

private:
    explicit Database(sqlite3* db) : db_(db) {}
    sqlite3* db_;
    std::unordered_map<const char*, std::unique_ptr<Statement>> cache_;
};

// BEGIN IMMEDIATE (takes the write lock up front, so two writers never deadlock on an
// upgrade) or BEGIN (read); rolls back unless committed.
class Transaction {
public:
    enum class Mode { Read, Write };
    Transaction(Database& db, Mode mode);
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    ~Transaction();
    void commit();

private:
    Database& db_;
    bool open_ = true;
};

// A fixed set of connections handed out one per caller; returned when the lease ends.
class ConnectionPool {
public:
    ConnectionPool(std::filesystem::path path, OpenOptions options, int size);

    class Lease {
    public:
        Lease(ConnectionPool& pool, std::unique_ptr<Database> db)
            : pool_(&pool), db_(std::move(db)) {}
        Lease(Lease&& other) noexcept = default;
        Lease(const Lease&) = delete;
        ~Lease() {
            if (db_) pool_->release(std::move(db_));
        }
        Database& operator*() { return *db_; }
        Database* operator->() { return db_.get(); }

    private:
        ConnectionPool* pool_;
        std::unique_ptr<Database> db_;
    };

    Lease acquire();
    const std::filesystem::path& path() const noexcept { return path_; }

private:
    void release(std::unique_ptr<Database> db);
    std::filesystem::path path_;
    OpenOptions options_;
    std::mutex mutex_;
    std::condition_variable available_;
    std::vector<std::unique_ptr<Database>> idle_;
    int created_ = 0;
    int size_;
};

}  // namespace pkibridge::sqlite
