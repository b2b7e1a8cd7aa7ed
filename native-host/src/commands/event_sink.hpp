// Where commands send host-initiated events ({"event": ...}); the messaging layer writes
// them to the extension.
#pragma once

#include <nlohmann/json.hpp>

namespace pkibridge::host::commands {

class EventSink {
public:
    virtual ~EventSink() = default;
    virtual void emit(const nlohmann::json& event) = 0;
};

}  // namespace pkibridge::host::commands
