// pkcs-tool: test CA, signing, verification, inspection and the virtual PIV card.
#include <iostream>

#include "commands.hpp"
#include "pkibridge/pkcs/errors.hpp"

int main(int argc, char** argv) {
    using namespace pkibridge;
    CLI::App app{"pkcs-tool: test GPKI hierarchy, CMS signing and verification, virtual PIV card",
                 "pkcs-tool"};
    app.require_subcommand(1);
    tool::GlobalOptions global;
    app.add_flag("--json", global.json, "Print results as JSON");
    tool::Action action;
    tool::register_ca_commands(app, global, action);
    tool::register_inspect_command(app, global, action);
    tool::register_sign_command(app, global, action);
    tool::register_verify_commands(app, global, action);
    tool::register_vcard_commands(app, global, action);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return tool::kExitUsage;
    }
    if (!action) return tool::kExitUsage;
    try {
        return action();
    } catch (const pkcs::PkcsError& e) {
        std::cerr << "pkcs-tool: error [" << e.code_name() << "]: " << e.what() << "\n";
        return e.code() == pkcs::ErrorCode::Internal || e.code() == pkcs::ErrorCode::Crypto
                   ? tool::kExitInternal
                   : tool::kExitUsage;
    } catch (const std::exception& e) {
        std::cerr << "pkcs-tool: error: " << e.what() << "\n";
        return tool::kExitInternal;
    }
}
