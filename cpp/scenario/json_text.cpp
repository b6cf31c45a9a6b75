// JSON text in, a document out: size, nesting and object size bounded, duplicate keys refused.
#include <string>
#include <unordered_set>
#include <vector>

#include "scenario/parser.hpp"

namespace stocklab {

using json = nlohmann::ordered_json;

namespace {

/// Parser messages quote raw input bytes ("last read: ..."); escape anything that is not printable
/// ASCII so the message is valid UTF-8 (Python turns it into a str) and readable in a terminal.
std::string printable(const std::string& s) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned char c : s) {
        if (c >= 0x20 && c < 0x7f) {
            out += static_cast<char>(c);
        } else {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 0xf];
        }
    }
    return out;
}

}  // namespace

std::string escape_pointer_token(const std::string& key) {
    std::string out;
    for (char c : key) {
        if (c == '~') out += "~0";
        else if (c == '/') out += "~1";
        else out += c;
    }
    return out;
}

namespace {

constexpr std::size_t kMaxObjectKeys = 10000;  // per JSON object (a catalogue of up to 10,000 items)

/// Watches nlohmann's parse events: bounds nesting and object size, and rejects duplicate keys
/// (JSON leaves their meaning open; nlohmann would silently keep the last one). Objects are ordered
/// maps with linear lookup, so the key cap also keeps parsing linear in the file size.
class Guard {
public:
    bool operator()(int depth, json::parse_event_t event, json& parsed) {
        // A container that starts at depth d is nesting level d + 1 (so 33 empty arrays are too deep).
        const bool opens = event == json::parse_event_t::object_start || event == json::parse_event_t::array_start;
        if (depth > kMaxJsonDepth || (opens && depth >= kMaxJsonDepth))
            throw ScenarioError("/", "JSON is nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
        switch (event) {
            case json::parse_event_t::object_start: frames_.push_back(Frame{true, {}, 0, {}}); break;
            case json::parse_event_t::array_start: frames_.push_back(Frame{false, {}, 0, {}}); break;
            case json::parse_event_t::object_end:
            case json::parse_event_t::array_end:
                if (!frames_.empty()) frames_.pop_back();
                next_element();
                break;
            case json::parse_event_t::value: next_element(); break;
            case json::parse_event_t::key:
                if (!frames_.empty() && parsed.is_string()) on_key(parsed.get_ref<const std::string&>());
                break;
        }
        return true;
    }

private:
    struct Frame {
        bool object;
        std::string key;
        std::size_t index = 0;
        std::unordered_set<std::string> keys;
    };

    void next_element() {
        if (!frames_.empty() && !frames_.back().object) ++frames_.back().index;
    }
    /// Pointer of the innermost open object or array.
    std::string here() const {
        std::string pointer;
        for (std::size_t i = 0; i + 1 < frames_.size(); ++i)
            pointer += "/" + (frames_[i].object ? escape_pointer_token(frames_[i].key) : std::to_string(frames_[i].index));
        return pointer.empty() ? std::string("/") : pointer;
    }
    void on_key(const std::string& key) {
        Frame& f = frames_.back();
        if (f.keys.size() >= kMaxObjectKeys)
            throw ScenarioError(here(), "object has more than " + std::to_string(kMaxObjectKeys) + " keys");
        if (!f.keys.insert(key).second) {
            const std::string at = here();
            throw ScenarioError((at == "/" ? "" : at) + "/" + escape_pointer_token(key),
                                "duplicate key (each key may appear only once in an object)");
        }
        f.key = key;
    }

    std::vector<Frame> frames_;
};

}  // namespace

json parse_json_text(const std::string& text) {
    if (text.size() > kMaxScenarioBytes)
        throw ScenarioError("/", "file is " + std::to_string(text.size() / (1024 * 1024)) +
                                     " MB; scenario files are limited to 10 MB");
    Guard guard;
    try {
        return json::parse(text, [&guard](int depth, json::parse_event_t event, json& parsed) {
            return guard(depth, event, parsed);
        });
    } catch (const json::exception& e) {  // parse_error, and out_of_range for number overflow (1e400)
        std::string what = e.what();
        auto pos = what.find("parse error");
        if (pos == std::string::npos) pos = what.find("] ");
        if (pos != std::string::npos && what.compare(pos, 2, "] ") == 0) pos += 2;
        throw ScenarioError("/", "not valid JSON: " + printable(pos == std::string::npos ? what : what.substr(pos)));
    }
}

}  // namespace stocklab
