#pragma once
// One JSON object per line on stderr: {"ts":..,"level":..,"msg":..,<fields>}.
// Thread-safe; each line is written with a single write(2), so lines never interleave.
// Never pass a secret or signature as a field: nothing here can tell one from text.
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

namespace shopstream::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// A value already in JSON form (an object or array made with JsonWriter), written as is.
struct Json {
  std::string_view text;
};

struct Field {
  std::string_view key;
  std::variant<std::string_view, std::int64_t, double, bool, Json> value;
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, bool v) : key(k), value(v) {}
  Field(std::string_view k, double v) : key(k), value(v) {}
  Field(std::string_view k, Json v) : key(k), value(v) {}
  template <typename I, typename = std::enable_if_t<std::is_integral_v<I>>>
  Field(std::string_view k, I v) : key(k), value(static_cast<std::int64_t>(v)) {}
};

// Returns false for an unknown level name.
bool set_level(std::string_view name);
bool enabled(Level level);
void write(Level level, std::string_view msg, std::initializer_list<Field> fields = {});

inline void debug(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::kDebug, m, f);
}
inline void info(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::kInfo, m, f);
}
inline void warn(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::kWarn, m, f);
}
inline void error(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::kError, m, f);
}

// Appends `text` to `out` as a JSON string literal (quotes included).
void append_json_string(std::string& out, std::string_view text);

}  // namespace shopstream::log
