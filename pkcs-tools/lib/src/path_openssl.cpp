#include <openssl/objects.h>
#include <openssl/x509_vfy.h>

#include <string>

#include "path_internal.hpp"

namespace pkibridge::pkcs::cmsdetail {
namespace {

ValidationStatus map_verify_error(int err) {
    switch (err) {
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        case X509_V_ERR_CERT_UNTRUSTED:
        case X509_V_ERR_CERT_REJECTED:
        case X509_V_ERR_PATH_LOOP:
            return ValidationStatus::Untrusted;
        case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
        case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
        case X509_V_ERR_CERT_SIGNATURE_FAILURE:
        case X509_V_ERR_NO_ISSUER_PUBLIC_KEY:
        case X509_V_ERR_UNSUPPORTED_SIGNATURE_ALGORITHM:
        case X509_V_ERR_SIGNATURE_ALGORITHM_MISMATCH:
        case X509_V_ERR_SIGNATURE_ALGORITHM_INCONSISTENCY:
        case X509_V_ERR_CA_MD_TOO_WEAK:
            return ValidationStatus::CertSignatureInvalid;
        case X509_V_ERR_INVALID_CA:
        case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
            return ValidationStatus::InvalidCa;
        case X509_V_ERR_PATH_LENGTH_EXCEEDED:
        case X509_V_ERR_CERT_CHAIN_TOO_LONG:
        case X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED:
            return ValidationStatus::PathTooLong;
        case X509_V_ERR_PERMITTED_VIOLATION:
        case X509_V_ERR_EXCLUDED_VIOLATION:
        case X509_V_ERR_SUBTREE_MINMAX:
        case X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE:
        case X509_V_ERR_UNSUPPORTED_CONSTRAINT_SYNTAX:
        case X509_V_ERR_UNSUPPORTED_NAME_SYNTAX:
            return ValidationStatus::NameConstraints;
        case X509_V_ERR_INVALID_POLICY_EXTENSION:
        case X509_V_ERR_NO_EXPLICIT_POLICY:
            return ValidationStatus::PolicyViolation;
        case X509_V_ERR_CERT_HAS_EXPIRED:
            return ValidationStatus::Expired;
        case X509_V_ERR_CERT_NOT_YET_VALID:
            return ValidationStatus::NotYetValid;
        case X509_V_ERR_INVALID_PURPOSE:
            return ValidationStatus::BadEku;
        case X509_V_ERR_OUT_OF_MEM:
        case X509_V_ERR_INVALID_CALL:
        case X509_V_ERR_STORE_LOOKUP:
            return ValidationStatus::InternalError;
        default:
            return ValidationStatus::InvalidCertificate;
    }
}

void add_flag_policies(X509_VERIFY_PARAM* param, const ValidationOptions& options) {
    unsigned long flags = X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_NO_CHECK_TIME;
    if (options.strict) flags |= X509_V_FLAG_X509_STRICT;
    const bool policies = !options.policy_set.empty() || options.explicit_policy ||
                          options.inhibit_any_policy || options.inhibit_policy_mapping;
    if (policies) flags |= X509_V_FLAG_POLICY_CHECK;
    if (options.explicit_policy) flags |= X509_V_FLAG_EXPLICIT_POLICY;
    if (options.inhibit_any_policy) flags |= X509_V_FLAG_INHIBIT_ANY;
    if (options.inhibit_policy_mapping) flags |= X509_V_FLAG_INHIBIT_MAP;
    for (const std::string& oid : options.policy_set) {
        ASN1_OBJECT* obj = OBJ_txt2obj(oid.c_str(), 1);
        if (obj == nullptr) {
            drain_openssl_errors();
            throw PkcsError(ErrorCode::InvalidArgument, "invalid policy OID '" + oid + "'");
        }
        if (X509_VERIFY_PARAM_add0_policy(param, obj) != 1) {
            ASN1_OBJECT_free(obj);
            throw_openssl(ErrorCode::Crypto, "X509_VERIFY_PARAM_add0_policy failed");
        }
    }
    X509_VERIFY_PARAM_set_flags(param, flags);
    X509_VERIFY_PARAM_set_depth(param, 64);  // our own max_depth is checked separately
}

// With a policy set, RFC 5280 6.1.6 yields the user-constrained policy set; asking for
// policies means at least one of them must survive (also without explicit_policy).
bool user_policies_satisfied(X509_STORE_CTX* ctx) {
    X509_POLICY_TREE* tree = X509_STORE_CTX_get0_policy_tree(ctx);
    if (tree == nullptr) return false;
    STACK_OF(X509_POLICY_NODE)* nodes = X509_policy_tree_get0_user_policies(tree);
    return nodes != nullptr && sk_X509_POLICY_NODE_num(nodes) > 0;
}

}  // namespace

PathCheck openssl_path_checks(const CertPath& path, const ValidationOptions& options) {
    X509StorePtr store(X509_STORE_new());
    X509StackPtr untrusted(sk_X509_new_null());
    X509StoreCtxPtr ctx(X509_STORE_CTX_new());
    if (!store || !untrusted || !ctx) throw_openssl(ErrorCode::Crypto, "allocation failed");
    if (X509_STORE_add_cert(store.get(), path.back()->native()) != 1)
        throw_openssl(ErrorCode::Crypto, "X509_STORE_add_cert failed");
    for (std::size_t i = 1; i + 1 < path.size(); ++i) {
        X509* c = path[i]->native();
        if (X509_up_ref(c) != 1 || sk_X509_push(untrusted.get(), c) <= 0)
            throw_openssl(ErrorCode::Crypto, "building the untrusted list failed");
    }
    if (X509_STORE_CTX_init(ctx.get(), store.get(), path.front()->native(), untrusted.get()) != 1)
        throw_openssl(ErrorCode::Crypto, "X509_STORE_CTX_init failed");
    add_flag_policies(X509_STORE_CTX_get0_param(ctx.get()), options);

    const int rc = X509_verify_cert(ctx.get());
    drain_openssl_errors();
    if (rc != 1) {
        const int err = X509_STORE_CTX_get_error(ctx.get());
        int depth = X509_STORE_CTX_get_error_depth(ctx.get());
        if (depth < 0 || static_cast<std::size_t>(depth) >= path.size()) depth = 0;
        return fail(map_verify_error(err),
                    std::string(X509_verify_cert_error_string(err)) + " at " +
                        describe(*path[static_cast<std::size_t>(depth)]),
                    depth);
    }
    if (!options.policy_set.empty() && !user_policies_satisfied(ctx.get()))
        return fail(ValidationStatus::PolicyViolation,
                    "none of the requested certificate policies is valid for the path of " +
                        describe(*path.front()),
                    0);
    return {};
}

}  // namespace pkibridge::pkcs::cmsdetail
