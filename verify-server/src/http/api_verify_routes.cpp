// POST /api/v1/verify: the full verification report of a CMS signature.
#include "http/api_routes.hpp"

#include "core/errors.hpp"
#include "http/json_response.hpp"
#include "http/request_helpers.hpp"
#include "pkibridge/pkcs/bytes.hpp"
#include "pkibridge/pkcs/errors.hpp"
#include "pkibridge/pkcs/time_util.hpp"
#include "pkibridge/pkcs/verify_report.hpp"

namespace pkibridge::server {

using httplib::Request;
using httplib::Response;
using nlohmann::json;

namespace {

class VerifyApi {
public:
    explicit VerifyApi(ApiContext& ctx) : ctx_(ctx) {}

    void verify(const Request& req, Response& res) {
        allow_cors(ctx_, req, res);
        json body = json_body(req);
        auto field = [&](const char* name) -> std::optional<pkcs::Bytes> {
            auto it = body.find(name);
            if (it == body.end() || it->is_null()) return std::nullopt;
            if (!it->is_string())
                throw ServiceError(ErrorKind::BadRequest, "invalid-request",
                                   std::string("\"") + name + "\" must be a base64 string");
            try {
                return pkcs::base64_decode(it->get_ref<const std::string&>());
            } catch (const pkcs::PkcsError&) {
                throw ServiceError(ErrorKind::BadRequest, "invalid-base64",
                                   std::string("\"") + name + "\" is not valid base64");
            }
        };
        auto cms = field("pkcs7");
        if (!cms || cms->empty())
            throw ServiceError(ErrorKind::BadRequest, "invalid-request",
                               "the request body needs \"pkcs7\" (base64 DER CMS)");
        auto content = field("content");
        bool include_content = false;
        if (auto it = body.find("includeContent"); it != body.end() && it->is_boolean())
            include_content = it->get<bool>();

        PathOutcome path;
        std::optional<pkcs::ByteView> detached;
        if (content) detached = pkcs::ByteView(*content);
        auto result = ctx_.verifier.verify(*cms, detached, &path);
        ctx_.metrics.increment("pkibridge_verifications_total",
                               {{"kind", "verify"}, {"result", std::string(result.reason())}});
        if (result.status == pkcs::ValidationStatus::Malformed) {
            throw ServiceError(ErrorKind::BadRequest, "cms-malformed", "pkcs7: " + result.message);
        }
        json report = pkcs::verify_report_json(result, include_content);
        if (result.signature.ok()) report["revocation"] = ctx_.verifier.revocation_json(path);
        report["verifiedAt"] = pkcs::format_rfc3339(ctx_.clock.now_unix());
        write_json(res, 200, report);
    }

private:
    ApiContext& ctx_;
};

}  // namespace

void register_verify_routes(HttpServer& server, ApiContext& context) {
    auto api = std::make_shared<VerifyApi>(context);
    auto bind = [api](void (VerifyApi::*fn)(const Request&, Response&)) {
        return [api, fn](const Request& req, Response& res) { ((*api).*fn)(req, res); };
    };
    server.post("/api/v1/verify", bind(&VerifyApi::verify));
}

}  // namespace pkibridge::server
