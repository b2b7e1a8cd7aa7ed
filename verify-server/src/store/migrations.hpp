// Versioned schema of the SQLite account store. PRAGMA user_version holds the version;
// every migration runs in one write transaction, so two servers starting on the same file
// at once apply each migration exactly once.
#pragma once

#include <span>
#include <string_view>

#include "store/sqlite.hpp"

namespace pkibridge::server {

struct Migration {
    int version;
    std::string_view name;
    std::string_view sql;
};

std::span<const Migration> schema_migrations();
int latest_schema_version();

int schema_version(sqlite::Database& db);
// Applies the pending migrations up to `target` (default: latest) and returns the version
// reached. Throws StoreError(SchemaTooNew) for a database written by a newer server.
int migrate(sqlite::Database& db, int target = -1);

}  // namespace pkibridge::server
