// Host configuration parsing, merging and loading.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "config/config_loader.hpp"
#include "config/host_config.hpp"

using namespace pkibridge::host::config;
using nlohmann::json;

namespace {

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        char tmpl[] = "/tmp/pkibridge-host-config-XXXXXX";
        path = mkdtemp(tmpl);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    std::filesystem::path write(const std::string& name, const std::string& text) const {
        std::filesystem::create_directories((path / name).parent_path());
        std::ofstream(path / name) << text;
        return path / name;
    }
};

}  // namespace

TEST_CASE("defaults", "[config]") {
    const HostConfig c = parse_config(json::object(), "x");
    CHECK(c.allowed_origins.empty());
    CHECK(c.pin_timeout == std::chrono::seconds(120));
    CHECK(c.max_message_bytes == 1024 * 1024);
    CHECK_FALSE(c.log.enabled);
}

TEST_CASE("every setting parses", "[config]") {
    const HostConfig c = parse_config(
        json::parse(
            R"({"allowedOrigins":["https://a.example","https://*.b.example:8443","https://a.example/"],
                        "pinTimeoutSeconds":1.5,"maxMessageBytes":65536,"frameTimeoutMs":300,
                        "log":{"level":"debug","file":"/tmp/h.log"},"caCertificates":"/etc/ca.pem",
                        "pkcs11Modules":[],"$comment":"hi"})"),
        "x");
    REQUIRE(c.allowed_origins.size() == 2);  // the duplicate collapses
    CHECK(c.allowed_origins[1].any_subdomain);
    CHECK(c.pin_timeout == std::chrono::milliseconds(1500));
    CHECK(c.max_message_bytes == 65536);
    CHECK(c.frame_timeout == std::chrono::milliseconds(300));
    CHECK(c.log.enabled);
    CHECK(c.log.level == pkibridge::host::log::Level::Debug);
    CHECK(c.ca_certificates == "/etc/ca.pem");
}

TEST_CASE("invalid settings name file and key", "[config]") {
    auto fails = [](const std::string& text, const std::string& needle) {
        try {
            parse_config(json::parse(text), "/etc/pkibridge/host.json");
        } catch (const ConfigError& e) {
            const std::string what = e.what();
            INFO(what);
            CHECK(what.find("/etc/pkibridge/host.json") != std::string::npos);
            CHECK(what.find(needle) != std::string::npos);
            return true;
        }
        return false;
    };
    CHECK(fails("[]", "object"));
    CHECK(fails(R"({"allowedOrigins":"https://a.example"})", "allowedOrigins"));
    CHECK(fails(R"({"allowedOrigins":["http://a.example"]})", "https"));
    CHECK(fails(R"({"allowedOrigins":[5]})", "strings"));
    CHECK(fails(R"({"pinTimeoutSeconds":0})", "pinTimeoutSeconds"));
    CHECK(fails(R"({"pinTimeoutSeconds":"120"})", "pinTimeoutSeconds"));
    CHECK(fails(R"({"maxMessageBytes":10})", "maxMessageBytes"));
    CHECK(fails(R"({"maxMessageBytes":100000000})", "maxMessageBytes"));
    CHECK(fails(R"({"log":{"level":"loud"}})", "log.level"));
    CHECK(fails(R"({"log":{"file":"relative.log"}})", "absolute"));
    CHECK(fails(R"({"allowedOrigin":["https://a.example"]})", "unknown setting"));
}

TEST_CASE("system and user files merge", "[config]") {
    const json system =
        json::parse(R"({"allowedOrigins":["https://a.example"],"pinTimeoutSeconds":60})");
    const json user =
        json::parse(R"({"allowedOrigins":["https://b.example"],"pinTimeoutSeconds":30})");
    HostConfig merged = parse_config(merge_config_documents(system, user), "m");
    CHECK(merged.allowed_origins.size() == 2);
    CHECK(merged.pin_timeout == std::chrono::seconds(30));

    json locked = system;
    locked["userOriginsAllowed"] = false;
    merged = parse_config(merge_config_documents(locked, user), "m");
    REQUIRE(merged.allowed_origins.size() == 1);
    CHECK(merged.allowed_origins[0].host == "a.example");
    // The user file cannot unlock it.
    json sneaky = user;
    sneaky["userOriginsAllowed"] = true;
    CHECK(parse_config(merge_config_documents(locked, sneaky), "m").allowed_origins.size() == 1);
}

TEST_CASE("loading from files", "[config]") {
    TempDir dir;
    ConfigLocations loc;
    loc.system_file = dir.path / "missing-system.json";
    loc.user_file = dir.path / "missing-user.json";
    CHECK(load_config(loc).allowed_origins.empty());  // no files: defaults

    loc.system_file = dir.write("sys.json", R"({"allowedOrigins":["https://a.example"]})");
    loc.user_file = dir.write("user.json", R"({"allowedOrigins":["https://b.example"]})");
    CHECK(load_config(loc).allowed_origins.size() == 2);

    loc.override_file = dir.write("override.json", R"({"allowedOrigins":["https://c.example"]})");
    const HostConfig c = load_config(loc);
    REQUIRE(c.allowed_origins.size() == 1);
    CHECK(c.allowed_origins[0].host == "c.example");

    loc.override_file = dir.path / "nope.json";
    CHECK_THROWS_WITH(load_config(loc), Catch::Contains("PKIBRIDGE_HOST_CONFIG"));
    loc.override_file = dir.write("broken.json", "{\"allowedOrigins\": [");
    CHECK_THROWS_WITH(load_config(loc), Catch::Contains("not valid JSON"));
    loc.override_file.reset();
    loc.user_file = dir.write("user.json", R"({"pinTimeoutSeconds": -1})");
    CHECK_THROWS_WITH(load_config(loc), Catch::Contains("user.json"));
}

TEST_CASE("locations follow the environment", "[config]") {
    const char* old_home = std::getenv("HOME");
    const std::string saved_home = old_home ? old_home : "";
    setenv("PKIBRIDGE_HOST_CONFIG", "/x/host.json", 1);
    setenv("XDG_CONFIG_HOME", "/home/u/.cfg", 1);
    ConfigLocations loc = locations_from_environment();
    CHECK(loc.override_file == std::filesystem::path("/x/host.json"));
    CHECK(loc.user_file == std::filesystem::path("/home/u/.cfg/pkibridge/host.json"));
    unsetenv("PKIBRIDGE_HOST_CONFIG");
    unsetenv("XDG_CONFIG_HOME");
    setenv("HOME", "/home/v", 1);
    loc = locations_from_environment();
    CHECK_FALSE(loc.override_file);
    CHECK(loc.user_file == std::filesystem::path("/home/v/.config/pkibridge/host.json"));
    if (old_home)
        setenv("HOME", saved_home.c_str(), 1);
    else
        unsetenv("HOME");
}
