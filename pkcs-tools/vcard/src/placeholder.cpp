// Placeholder so the library target exists before the virtual card lands; remove then.
namespace pkibridge::vcard {}
