#include "services/session_service.hpp"

#include <algorithm>

#include "core/random.hpp"

namespace pkibridge::server {

namespace {
// Cookie values are our own base64url tokens; anything else is not worth a lookup.
bool plausible_session_id(std::string_view id) {
    if (id.size() < 32 || id.size() > 128) return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_';
    });
}
}  // namespace

SessionService::SessionService(AccountStore& store, const Clock& clock, SessionPolicy policy)
    : store_(store), clock_(clock), policy_(policy) {}

NewSession SessionService::create_with_login(const LoginEvent& login) {
    NewSession s;
    s.id = random_token(32);
    const std::int64_t now = clock_.now_unix();
    s.record.id_hash = sha256_hex(s.id);
    s.record.account_id = login.account_id;
    s.record.method = login.method;
    s.record.certificate_sha256 = login.certificate_sha256;
    s.record.ip = login.ip;
    s.record.created_at = now;
    s.record.last_seen_at = now;
    s.record.expires_at = now + policy_.absolute_timeout_seconds;
    store_.record_login(login, &s.record);
    return s;
}

std::optional<SessionRecord> SessionService::resolve(std::string_view id) {
    if (!plausible_session_id(id)) return std::nullopt;
    const std::string hash = sha256_hex(id);
    auto rec = store_.session_by_hash(hash);
    if (!rec) return std::nullopt;
    const std::int64_t now = clock_.now_unix();
    if (now >= rec->expires_at || now >= rec->last_seen_at + policy_.idle_timeout_seconds) {
        store_.delete_session(hash);
        return std::nullopt;
    }
    if (now - rec->last_seen_at >= policy_.touch_interval_seconds) {
        store_.touch_session(hash, now);
        rec->last_seen_at = now;
    }
    return rec;
}

void SessionService::destroy(std::string_view id) {
    if (!plausible_session_id(id)) return;
    store_.delete_session(sha256_hex(id));
}

std::size_t SessionService::purge_expired() {
    return store_.purge_expired_sessions(clock_.now_unix(), policy_.idle_timeout_seconds);
}

std::int64_t SessionService::idle_deadline(const SessionRecord& s) const {
    return std::min(s.expires_at, s.last_seen_at + policy_.idle_timeout_seconds);
}

}  // namespace pkibridge::server
